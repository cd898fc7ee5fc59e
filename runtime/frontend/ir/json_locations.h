#pragma once

// Where each value of a JSON document starts, by JSON pointer ("/programs/0/name"), so
// that problems in a JSON input are reported at file:line:col. For members the place
// is the key. The text must be valid JSON (parse it first).

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "base/limits.h"
#include "base/source_location.h"

namespace calm::ir {

/// A JSON library message without its "[json.exception...] " prefix, valid UTF-8.
std::string json_error_text(const std::string& what);

/// Where the value a JSON library message quotes (`number overflow parsing '1e999'`)
/// first occurs in `text`; the start of the file when it quotes none.
SourceLocation json_error_location(const std::string& text, const std::string& path,
                                   const std::string& what);

std::map<std::string, SourceLocation> json_value_locations(const std::string& text,
                                                           const std::string& file);

/// The first key repeated within one object (64 levels deep at most), and where the
/// repetition is.
std::optional<std::pair<std::string, SourceLocation>> json_duplicate_key(const std::string& text,
                                                                         const std::string& file);

/// Where `text` opens its (limit + 1)-th nested array or object, if it does: a
/// lexical scan (strings skipped), to run before handing text to a parser or walker
/// that recurses.
std::optional<SourceLocation> json_too_deep_at(const std::string& text, const std::string& path,
                                               int limit = kMaxNestingDepth);

/// A JSON pointer's escaping of one object key ("a/b" -> "a~1b").
std::string escape_pointer_token(const std::string& key);

}  // namespace calm::ir
