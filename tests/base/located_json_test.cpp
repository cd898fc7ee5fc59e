// JSON inputs with locations (base/located_json.h): pointer escaping, where each value of
// a text is, and the readers' located errors.

#include "base/located_json.h"

#include <doctest/doctest.h>

using namespace calm;

namespace {
SourceLocation at(int line, int column) { return {"f.json", line, column}; }
}  // namespace

TEST_CASE("json_pointer_escape: '~' is ~0 and '/' is ~1, in that order (RFC 6901)") {
  CHECK(json_pointer_escape("") == "");
  CHECK(json_pointer_escape("plain") == "plain");
  CHECK(json_pointer_escape("a/b") == "a~1b");
  CHECK(json_pointer_escape("a~b") == "a~0b");
  CHECK(json_pointer_escape("~1") == "~01");  // not "/": the '~' is escaped first
  CHECK(json_pointer_escape("/~/") == "~1~0~1");
  CHECK(json_pointer_escape("é/") == "é~1");  // bytes other than '~' and '/' stay
}

TEST_CASE("pointer_append: a key escaped, an index as digits") {
  CHECK(pointer_append("", "a") == "/a");
  CHECK(pointer_append("/a", "b/c") == "/a/b~1c");
  CHECK(pointer_append("/a", "") == "/a/");
  CHECK(pointer_append("/a", size_t(0)) == "/a/0");
  CHECK(pointer_append(pointer_append("", "x~y"), size_t(12)) == "/x~0y/12");
}

TEST_CASE("JsonLocations: members at their key, items and the root where they start") {
  const std::string text =
      "{\n"                               // 1
      "  \"a\": [1,\n"                    // 2
      "    {\"b\": true}],\n"             // 3
      "  \"c/d\": \"x\",\n"               // 4
      "  \"e~f\": {\"g\": [[7, [8]]]}\n"  // 5
      "}\n";
  JsonLocations where(text, "f.json");
  CHECK(where.locate("") == at(1, 1));
  CHECK(where.locate("/a") == at(2, 3));
  CHECK(where.locate_value("/a") == at(2, 8));
  CHECK(where.locate("/a/0") == at(2, 9));
  CHECK(where.locate_value("/a/0") == at(2, 9));  // an item has no key
  CHECK(where.locate("/a/1") == at(3, 5));
  CHECK(where.locate("/a/1/b") == at(3, 6));
  CHECK(where.locate_value("/a/1/b") == at(3, 11));
  CHECK(where.locate("/c~1d") == at(4, 3));
  CHECK(where.locate("/e~0f/g") == at(5, 11));
  CHECK(where.locate("/e~0f/g/0/1/0") == at(5, 22));
  CHECK_FALSE(where.duplicate_key());
}

TEST_CASE("JsonLocations: strings with escapes, brackets and multi-byte text") {
  // Quotes, backslashes, brackets and commas inside strings are not structure; columns
  // count bytes, as every location of calm.
  const std::string text = R"({"k\"]": "v, [\\", "é": ["}{", "\u00e9"], "n": null})";
  JsonLocations where(text, "f.json");
  CHECK(where.locate("/k\"]") == at(1, 2));
  CHECK(where.locate_value("/k\"]") == at(1, 10));
  CHECK(where.locate("/é") == at(1, 20));
  CHECK(where.locate("/é/0") == at(1, 27));
  CHECK(where.locate("/é/1") == at(1, 33));
  CHECK(where.locate("/n") == at(1, 44));
}

TEST_CASE("JsonLocations: a pointer that names nothing is at its closest enclosing value") {
  JsonLocations where("[{\"a\": 1}, \n {\"b\": [2]}]", "f.json");
  CHECK(where.locate("/1/b/5") == at(2, 3));        // no item 5: the array "b" (its key)
  CHECK(where.locate_value("/1/b/5") == at(2, 8));  // ... or its value
  CHECK(where.locate("/1/zz") == at(2, 2));
  CHECK(where.locate("/7") == at(1, 1));
  CHECK(where.locate("nonsense") == at(1, 1));
  CHECK(JsonLocations().locate("/a") == SourceLocation{"", 1, 1});
}

TEST_CASE("JsonLocations: places are kept 64 levels deep, deeper values at the 65th") {
  std::string text = std::string(100, '[') + "1" + std::string(100, ']');
  JsonLocations where(text, "f.json");
  std::string deep;
  for (int i = 0; i < 99; ++i) deep += "/0";
  CHECK(where.locate(deep.substr(0, 2 * 64)) == at(1, 65));
  CHECK(where.locate(deep) == at(1, 66));
}

TEST_CASE("JsonLocations: the first repeated key of an object, at the repetition") {
  JsonLocations where("{\"a\": {\"x\": 1, \"y\": 2,\n \"x\": 3}, \"a\": 0}", "f.json");
  REQUIRE(where.duplicate_key());
  CHECK(where.duplicate_key()->first == "x");
  CHECK(where.duplicate_key()->second == at(2, 2));
}

TEST_CASE("json_too_deep_at: the bracket past the limit, brackets in strings skipped") {
  CHECK_FALSE(json_too_deep_at("[[\"[[[[\"]]", "f.json", 2));
  CHECK(json_too_deep_at("[\n [[1]]]", "f.json", 2) == at(2, 3));
  CHECK(json_too_deep_at("{\"a\\\"[\": [{}]}", "f.json", 2) == at(1, 11));
}

TEST_CASE("read_json: UTF-8, nesting and syntax errors, each located") {
  nlohmann::json doc;
  auto first = [](const Diagnostics& d) {
    REQUIRE(d.size() == 1);
    const Diagnostic& x = d.items()[0];
    return to_string(x.location) + ": " + x.check + ": " + x.message;
  };
  {
    Diagnostics d;
    CHECK(read_json("{\"a\": [1, 2]}", "f.json", "calm-config", doc, d));
    CHECK(doc["a"][1] == 2);
    CHECK(d.empty());
  }
  {
    Diagnostics d;
    CHECK_FALSE(read_json("{\"a\":\n \"\xff\"}", "f.json", "calm-config", doc, d));
    CHECK(first(d) == "f.json:2:3: calm-config: invalid UTF-8");
  }
  {
    Diagnostics d;
    CHECK_FALSE(read_json(std::string(1001, '['), "f.json", "calm-config", doc, d));
    CHECK(first(d) == "f.json:1:1001: calm-config: JSON nested too deeply (more than 1000 levels)");
  }
  {
    Diagnostics d;
    CHECK_FALSE(read_json("{\"a\":\n  tru}", "f.json", "calm-config", doc, d));
    CHECK(first(d) ==
          "f.json:2:6: calm-config: invalid JSON: syntax error while parsing value - invalid "
          "literal; "
          "last read: '\"a\":<U+000A>  tru}'");
  }
  {
    Diagnostics d;
    CHECK_FALSE(read_json("{\"a\": 1e99999}", "f.json", "calm-config", doc, d));
    CHECK(first(d) == "f.json:1:7: calm-config: invalid JSON: number overflow parsing '1e99999'");
  }
}

TEST_CASE("LocatedJson: strict, its own messages, errors at the value") {
  {
    LocatedJson doc;
    Diagnostics d;
    REQUIRE(doc.parse("{\"nodes\": [\n  {\"name\": \"a\"}]}", "s.json", "calm-config", d));
    CHECK(doc.root()["nodes"][0]["name"] == "a");
    CHECK(doc.locate_value("/nodes/0/name") == SourceLocation{"s.json", 2, 12});
    CHECK(doc.locate_value("/nodes/0/missing") == SourceLocation{"s.json", 2, 3});
  }
  auto refused = [](const std::string& text) {
    LocatedJson doc;
    Diagnostics d;
    CHECK_FALSE(doc.parse(text, "s.json", "calm-config", d));
    REQUIRE(d.size() == 1);
    return to_string(d.items()[0].location) + ": " + d.items()[0].message;
  };
  CHECK(refused("{\"a\": 1,\n \"a\": 2}") == "s.json:2:5: invalid JSON: duplicate key \"a\"");
  CHECK(refused("[1 2]") == "s.json:1:4: invalid JSON: expected ',' or ']'");
  CHECK(refused("[99999999999999999999]") == "s.json:1:2: invalid JSON: integer out of range");
  CHECK(refused("\"\\ud800\"") == "s.json:1:8: invalid JSON: unpaired surrogate");
  CHECK(refused("[1] x") == "s.json:1:5: invalid JSON: trailing text");
}
