#pragma once

// JSON inputs with source locations: every reader of a JSON file (configurations,
// baselines, reports, the program IR, scenarios, facts) reports a problem at the
// file:line:col of the value it concerns. One scanner finds where each value is, by JSON
// pointer ("/programs/0/name"); one escape builds the pointers (RFC 6901).

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/diagnostic.h"
#include "base/limits.h"

namespace calm {

/// A JSON pointer's escaping of one token: '~' is "~0", '/' is "~1" ("a/b" -> "a~1b").
std::string json_pointer_escape(std::string_view token);

/// "/a/b" + "c" -> "/a/b/c", the token escaped.
std::string pointer_append(const std::string& pointer, std::string_view token);
/// "/a/b" + 3 -> "/a/b/3".
std::string pointer_append(const std::string& pointer, size_t index);

/// Where each value of a JSON text is written, by JSON pointer. The text must be valid
/// JSON (parse it first). Places are kept 64 levels deep: a deeper value is located at
/// its closest enclosing value that has one.
class JsonLocations {
 public:
  JsonLocations() = default;
  JsonLocations(std::string_view text, std::string file);

  /// Where the value at `pointer` ("" is the root) is written: an object's member at its
  /// key, an array's item where it starts. A pointer that names nothing is located at
  /// its closest enclosing value, and at the start of the file when there is none.
  SourceLocation locate(std::string_view pointer) const;
  /// Where the value at `pointer` itself starts: an object's member after its key and
  /// colon; otherwise as locate().
  SourceLocation locate_value(std::string_view pointer) const;

  /// The first key repeated within one object, and where the repetition (its key) is.
  const std::optional<std::pair<std::string, SourceLocation>>& duplicate_key() const {
    return duplicate_key_;
  }

  /// Places as {line, column}, kept apart from the file name.
  struct Place {
    int key_line = 1, key_column = 1;  ///< the key of a member; the value otherwise
    int line = 1, column = 1;          ///< the value
  };

 private:
  const Place* closest(std::string_view pointer) const;

  std::string file_;
  std::map<std::string, Place, std::less<>> places_;
  std::optional<std::pair<std::string, SourceLocation>> duplicate_key_;
};

/// Where `text` opens its (limit + 1)-th nested array or object, if it does: a lexical
/// scan (strings skipped), to run before handing text to a parser or walker that
/// recurses.
std::optional<SourceLocation> json_too_deep_at(std::string_view text, const std::string& path,
                                               int limit = kMaxNestingDepth);

/// A JSON library message without its "[json.exception...] " prefix, valid UTF-8.
std::string json_error_text(const std::string& what);

/// Where the value a JSON library message quotes (`number overflow parsing '1e999'`)
/// first occurs in `text`; the start of the file when it quotes none.
SourceLocation json_error_location(std::string_view text, const std::string& path,
                                   const std::string& what);

/// Parses `text` (the file `path`) with the JSON library. False with one located
/// "invalid JSON: ..." error diagnostic (check `check`) when it is not JSON.
bool parse_json(const std::string& text, const std::string& path, DiagnosticId check,
                nlohmann::json& doc, Diagnostics& diags);

/// parse_json after the limits every JSON input shares (docs/robustness.md): strict
/// UTF-8 and nesting at most kMaxNestingDepth, each refused with a located error.
bool read_json(const std::string& text, const std::string& path, DiagnosticId check,
               nlohmann::json& doc, Diagnostics& diags);

/// A JSON document read strictly, and where each value is: RFC 8259 with no duplicate
/// keys, integers within 64 bits, numbers within a double, nesting at most
/// kMaxNestingDepth. Its messages are its own ("invalid JSON: expected ',' or '}'"),
/// each at the byte where reading stopped. Scenarios and facts files use it.
class LocatedJson {
 public:
  /// Parses `text`. On invalid input returns false and adds one located diagnostic with
  /// `check`.
  bool parse(const std::string& text, const std::string& path, DiagnosticId check,
             Diagnostics& diags);

  const nlohmann::json& root() const { return root_; }
  const std::string& path() const { return path_; }
  /// Where the value at `pointer` starts (JsonLocations::locate_value): errors in
  /// scenarios are located at the value they concern, members' too.
  SourceLocation locate_value(std::string_view pointer) const {
    return where_.locate_value(pointer);
  }

  static constexpr int kMaxDepth = kMaxNestingDepth;

 private:
  nlohmann::json root_;
  std::string path_;
  JsonLocations where_;
};

}  // namespace calm
