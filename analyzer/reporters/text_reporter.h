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
};

/// The source line at `loc` and a caret under its column (tabs kept so the caret
/// lines up), each indented by two spaces; "" when the line is unavailable.
std::string source_snippet(const SourceLocation& loc,
                           const std::map<std::string, std::string>& sources, bool color);

/// One finding: the located message with its check id, the snippet, then its notes.
std::string format_finding(const Finding& f, const std::map<std::string, std::string>& sources,
                           const TextOptions& options);

/// Every finding that is not suppressed, then the summary line.
std::string text_report(const CheckRun& run, const std::map<std::string, std::string>& sources,
                        const TextOptions& options);

}  // namespace calm
