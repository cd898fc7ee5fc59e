#pragma once

// `--format text`: gcc-style findings for people and editors.
//
//   samples/kvs/kvs.rb:47:13: warning: non-monotonic rule: ... [calm-point-of-order]
//       kvstate <- prev
//               ^
//   samples/kvs/kvs.rb:47:16: note: prev is read here: ...
//   4 warnings, 0 errors, 2 notes, 1 suppressed

#include <map>
#include <string>

#include "checks/check_run.h"

namespace calm {

struct TextOptions {
  bool color = false;  ///< ANSI colours, as gcc uses them
  /// Append " (program P)" to messages (the CLI sets it when several programs ran).
  bool with_program = false;
  /// Paths are shown relative to this directory ("" = the working directory); see
  /// display_path.
  std::string root;
};

/// The source line at `loc` and a caret under its column (tabs kept so the caret
/// lines up), each indented by two spaces; "" when the line is unavailable.
std::string source_snippet(const SourceLocation& loc,
                           const std::map<std::string, std::string>& sources, bool color);

/// One finding: the located message with its check id, the snippet, then its notes.
std::string format_finding(const Finding& f, const std::map<std::string, std::string>& sources,
                           const TextOptions& options);

/// Every finding that is not suppressed, then the line on findings outside the checked
/// paths (if any), then the summary line. Notes already printed under an earlier
/// finding of the same check (the same causes of several outputs) are not repeated: one
/// note refers to that finding instead. The summary counts the notes printed.
std::string text_report(const CheckRun& run, const std::map<std::string, std::string>& sources,
                        const TextOptions& options);

}  // namespace calm
