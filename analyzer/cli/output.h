#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/diagnostic.h"

namespace calm::cli {

/// Writes `content` to `path` atomically (temporary file + rename), or to stdout
/// for "" / "-". Returns false with `error` set on failure; never leaves a
/// partial file behind.
bool write_output(const std::string& path, const std::string& content, std::string& error);

/// gcc-style text: `file:line:col: error: message [check]`, the source line and
/// a caret, then notes.
std::string format_diagnostic(const Diagnostic& d,
                              const std::map<std::string, std::string>& sources);

}  // namespace calm::cli
