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

/// "4 warnings, 0 errors, 2 notes, 1 suppressed" (findings not suppressed, by severity).
std::string summary_line(const CheckRun& run);

/// True when the findings are about more than one program; messages then say which.
bool spans_several_programs(const CheckRun& run);

/// The message, followed by " (program P)" when `with_program` and the finding has one.
std::string message_with_program(const Finding& f, bool with_program);

}  // namespace calm
