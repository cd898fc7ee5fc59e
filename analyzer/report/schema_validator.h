#pragma once

// A small JSON Schema validator, enough for docs/report.schema.json, so tests can check
// every report against the schema without network access or extra packages.
//
// Supported keywords: type (a name or a list), required, properties,
// additionalProperties (boolean or schema), items (one schema), enum, const, minimum,
// minItems, and $ref to a JSON pointer in the same document ("#/$defs/location").
// Annotations ($schema, $id, $comment, title, description, default, examples) are ignored.
// Any other keyword is reported by unsupported_keywords(), so a schema cannot silently
// rely on a check this validator does not make.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace calm {

class SchemaValidator {
 public:
  explicit SchemaValidator(nlohmann::json schema);

  /// Violations as "<json pointer>: <message>" (root is "/"), in document order;
  /// empty when the instance is valid.
  std::vector<std::string> validate(const nlohmann::json& instance) const;
  std::vector<std::string> validate(const nlohmann::ordered_json& instance) const;

  /// Keywords used in the schema that the validator does not implement, as
  /// "<schema pointer>: <keyword>". Empty for a schema it fully checks.
  std::vector<std::string> unsupported_keywords() const;

 private:
  void check(const nlohmann::json& schema, const nlohmann::json& instance, const std::string& path,
             std::vector<std::string>& errors, int depth) const;
  nlohmann::json schema_;
};

}  // namespace calm
