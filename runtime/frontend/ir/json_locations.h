#pragma once

// Where each value of a JSON document starts, by JSON pointer ("/programs/0/name"), so
// that problems in a JSON input are reported at file:line:col. For members the place
// is the key. The text must be valid JSON (parse it first).

#include <map>
#include <string>

#include "model/source_location.h"

namespace calm::ir {

std::map<std::string, SourceLocation> json_value_locations(const std::string& text,
                                                           const std::string& file);

/// A JSON pointer's escaping of one object key ("a/b" -> "a~1b").
std::string escape_pointer_token(const std::string& key);

}  // namespace calm::ir
