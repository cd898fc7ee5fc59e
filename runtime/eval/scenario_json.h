#pragma once

// JSON with source locations, for scenario files: a small strict parser that builds an
// nlohmann::json document and remembers where each value starts (by JSON pointer), so
// that a bad scenario is reported at file:line:col. Also the conversions between JSON
// and evaluator values used by scenarios, facts files and traces.

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "base/diagnostic.h"
#include "base/limits.h"
#include "eval/value.h"

namespace calm::eval {

/// A parsed JSON document and the location of every value in it.
class LocatedJson {
 public:
  /// Parses `text` (RFC 8259, no comments, nesting at most kMaxDepth). On a syntax
  /// error returns false and adds one located diagnostic with `check`.
  bool parse(const std::string& text, const std::string& path, DiagnosticId check,
             Diagnostics& diags);

  const nlohmann::json& root() const { return root_; }
  const std::string& path() const { return path_; }
  /// Where the value at `pointer` ("" for the root, "/nodes/0/name") starts; the
  /// closest enclosing value's location when the pointer names nothing.
  SourceLocation locate(const std::string& pointer) const;

  static constexpr int kMaxDepth = kMaxNestingDepth;  ///< model/limits.h

 private:
  nlohmann::json root_;
  std::string path_;
  std::map<std::string, std::pair<int, int>> where_;
  friend class JsonParser;
};

/// "/a/b" + "c" → "/a/b/c", escaping '~' and '/' as JSON pointers do.
std::string pointer_append(const std::string& pointer, const std::string& token);
inline std::string pointer_append(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

/// JSON → Value: null, booleans, integers, floats, strings, arrays; {"sym": "x"} is the
/// symbol :x. Returns false with `error` set for anything else.
bool json_to_value(const nlohmann::json& j, Value& out, std::string& error);
/// Value → JSON, the inverse of json_to_value; hashes become {"hash": [[k, v], ...]},
/// sets {"set": [...]}.
nlohmann::json value_to_json(const Value& v);
nlohmann::json tuple_to_json(const Tuple& t);

}  // namespace calm::eval
