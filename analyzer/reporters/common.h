#pragma once

// What several reporters share: repository-relative paths and the summary counts.

#include <optional>
#include <string>

#include "checks/check_run.h"

namespace calm {

/// `file` relative to `srcroot` with '/' separators ("samples/kvs/kvs.rb"), or nullopt
/// when it is outside `srcroot`. Both are taken relative to the working directory
/// when not absolute; an empty `srcroot` means the working directory.
std::optional<std::string> repository_relative(const std::string& file, const std::string& srcroot);

/// How a path is shown in every format: relative to `root` (a directory; "" = the
/// working directory), '/'-separated; a path outside `root` keeps its "../" when it was
/// given relative, and stays absolute when it was absolute. "" and "<command line>"
/// are returned unchanged.
std::string display_path(const std::string& file, const std::string& root);

/// "4 warnings, 0 errors, 2 notes, 1 suppressed" (findings not suppressed, by severity).
/// With `attached_notes` > 0 the notes count them too: "3 notes (2 attached to findings)".
std::string summary_line(const CheckRun& run, size_t attached_notes = 0);

/// "12 findings (1 error) in files outside the checked paths (lib/voting.rb: 9,
/// lib/timers.rb: 3); --include GLOB to see them", or "" when there are none. At most
/// three files are named.
std::string out_of_scope_text(const OutOfScope& out, const std::string& root);

/// True when the findings are about more than one program; messages then say which.
bool spans_several_programs(const CheckRun& run);

}  // namespace calm
