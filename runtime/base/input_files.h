#pragma once

// Reading input files (programs, configurations, baselines, reports, scenarios, facts)
// within the limits of base/limits.h; every problem is a located error diagnostic.

#include <string>

#include "base/diagnostic.h"

namespace calm {

/// Reads any input file (a program, configuration, baseline, report, scenario, facts):
/// a regular file of at most kMaxInputBytes, or a pipe (`--facts <(...)`, a FIFO: read
/// without waiting for a writer, so a FIFO nobody writes reads as empty; at most
/// kMaxInputBytes; 10 seconds without data is an error). A directory, device
/// (`/dev/zero`) or socket is refused unread. Never blocks for long; every problem is an
/// error diagnostic located at the file.
bool read_text_file(const std::string& path, std::string& text, Diagnostics& diags);

/// Reads a file as text: an error diagnostic (no text) when it is missing, too
/// large, not a regular file, binary, or not UTF-8 (strict: model/limits.h).
bool read_source_file(const std::string& path, std::string& text, Diagnostics& diags);

/// Refuses binary (NUL bytes) and non-UTF-8 text with a located diagnostic.
bool validate_source_text(const std::string& path, std::string& text, Diagnostics& diags);

}  // namespace calm
