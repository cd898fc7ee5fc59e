#include "report/schema_validator.h"

#include <doctest/doctest.h>

namespace calm {
namespace {

using nlohmann::json;

const json kSchema = json::parse(R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["version", "points"],
  "additionalProperties": false,
  "properties": {
    "version": {"const": "1.0"},
    "points": {"type": "array", "items": {"$ref": "#/$defs/point"}, "minItems": 1},
    "extra": {"type": ["string", "null"]}
  },
  "$defs": {
    "point": {
      "type": "object",
      "required": ["kind", "line"],
      "properties": {
        "kind": {"enum": ["a", "b"]},
        "line": {"type": "integer", "minimum": 0},
        "tags": {"type": "object", "additionalProperties": {"type": "boolean"}}
      }
    }
  }
})");

TEST_CASE("a valid instance has no errors") {
  SchemaValidator v(kSchema);
  CHECK(v.unsupported_keywords().empty());
  CHECK(v.validate(json::parse(R"({"version": "1.0", "points": [{"kind": "a", "line": 3}],
                                   "extra": null})"))
            .empty());
}

TEST_CASE("each keyword reports its violation with a JSON pointer") {
  SchemaValidator v(kSchema);
  CHECK(v.validate(json::parse("[]")) == std::vector<std::string>{"/: expected object, got array"});
  CHECK(v.validate(json::parse(R"({"points": [{"kind": "a", "line": 1}]})")) ==
        std::vector<std::string>{"/: missing required property \"version\""});
  CHECK(v.validate(json::parse(R"({"version": "2.0", "points": [{"kind": "a", "line": 1}]})")) ==
        std::vector<std::string>{"/version: expected \"1.0\", got \"2.0\""});
  CHECK(v.validate(json::parse(R"({"version": "1.0", "points": []})")) ==
        std::vector<std::string>{"/points: expected at least 1 items, got 0"});
  CHECK(v.validate(json::parse(R"({"version": "1.0", "points": [{"kind": "c", "line": -1}]})")) ==
        std::vector<std::string>{"/points/0/kind: \"c\" is not one of [\"a\",\"b\"]",
                                 "/points/0/line: -1 is less than 0"});
  CHECK(v.validate(json::parse(R"({"version": "1.0", "points": [{"kind": "a", "line": 1.5}]})")) ==
        std::vector<std::string>{"/points/0/line: expected integer, got number"});
  CHECK(v.validate(json::parse(R"({"version": "1.0", "points": [{"kind": "a", "line": 1}],
                                   "more": 1})")) ==
        std::vector<std::string>{"/: unexpected property \"more\""});
  CHECK(v.validate(json::parse(R"({"version": "1.0", "extra": 3,
                                   "points": [{"kind": "a", "line": 1, "tags": {"x": 1}}]})")) ==
        std::vector<std::string>{"/extra: expected string or null, got number",
                                 "/points/0/tags/x: expected boolean, got number"});
}

TEST_CASE("unresolved references and unsupported keywords are reported") {
  SchemaValidator bad(json::parse(R"({"properties": {"a": {"$ref": "#/$defs/missing"}},
                                      "patternProperties": {}, "$defs": {"x": {"oneOf": []}}})"));
  CHECK(bad.validate(json::parse(R"({"a": 1})")) ==
        std::vector<std::string>{"/a: unresolved $ref #/$defs/missing"});
  CHECK(bad.unsupported_keywords() ==
        std::vector<std::string>{"/$defs/x: oneOf", "/: patternProperties"});
}

TEST_CASE("ordered_json instances are validated too") {
  SchemaValidator v(kSchema);
  nlohmann::ordered_json j;
  j["version"] = "1.0";
  j["points"] = nlohmann::ordered_json::array({{{"kind", "b"}, {"line", 0}}});
  CHECK(v.validate(j).empty());
}

}  // namespace
}  // namespace calm
