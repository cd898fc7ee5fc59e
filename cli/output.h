#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/diagnostic.h"

namespace calm::cli {

/// The one output writer of every command. Writes `content` to stdout for "" / "-";
/// else to `path`: a symbolic link is followed (its target is replaced, the link
/// kept); a device, FIFO or other non-regular file is written through directly
/// (never replaced); a regular file is replaced atomically (a temporary file beside
/// it, renamed over it only when every byte is written and synced), keeping its mode
/// and (when allowed) its owner; a read-only file the user cannot write is refused.
/// Returns false with `error` set ("PATH: reason", e.g. "No space left on device",
/// "Is a directory") on any failure; a failure never leaves a partial file behind and
/// never changes the old one.
bool write_output(const std::string& path, const std::string& content, std::string& error);

/// gcc-style text: `file:line:col: error: message [check]`, the source line and
/// a caret, then notes.
std::string format_diagnostic(const Diagnostic& d,
                              const std::map<std::string, std::string>& sources);

}  // namespace calm::cli
