#pragma once

// Suppression markers, read from the source text (comments are not in the model):
//
//   kvstate <- prev   # calm:allow calm-point-of-order -- ordered by the sequencer
//   # calm:allow calm-point-of-order, calm-temporal-cluster -- reviewed in #42
//   # calm:coordinated -- hand-verified 2PC coordination      (above `module X`)
//
// `calm:allow` applies to findings on its own line or on the line below it (the
// finding's primary line or the first line of its statement). `calm:coordinated`
// marks a module or class whose coordination was verified by hand (CIDR 2011,
// section 2): it sits in the comment block right above `module X` / `class X`, or in
// the body before the first statement, and suppresses every finding about that
// module's code. A reason after `--` is required.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "checks/finding.h"
#include "model/program.h"

namespace calm {

struct AllowMarker {
  SourceLocation location;  ///< the `#` of the comment
  std::vector<std::string> checks;
  std::string reason;
};

struct CoordinatedMarker {
  SourceLocation location;
  std::string module;  ///< the module or class it marks
  std::string reason;
};

struct Markers {
  std::vector<AllowMarker> allows;
  std::vector<CoordinatedMarker> coordinated;
  /// calm-bad-suppression findings: markers without a reason, naming unknown checks,
  /// or `calm:coordinated` away from any module. Bad markers are not in the lists above.
  std::vector<Finding> problems;
};

/// A marker parsed from one line: kind "allow" or "coordinated", the text between the
/// keyword and `--` (the check list), whether there is a `--`, and the reason after it.
struct MarkerText {
  std::string kind;
  std::string checks;
  bool has_separator = false;
  std::string reason;
  int column = 0;  ///< 1-based column of the comment's `#`
};

/// The check ids a `calm:allow` marker's list names (MarkerText::checks: separated by
/// commas and/or spaces), in order.
std::vector<std::string> marker_check_ids(const std::string& checks);

/// The marker in a line's comment, if any. Only comments count: `x = "# calm:allow"`
/// is not a marker (a `#` inside a string that follows whitespace is a known limit).
std::optional<MarkerText> parse_marker_line(const std::string& line);

/// Scans every source for markers. `files` (the loader's) tells where modules start.
/// `known_checks` validates the ids named by `calm:allow`.
Markers scan_markers(const std::map<std::string, std::string>& sources,
                     const std::vector<SourceFile>& files,
                     const std::vector<std::string>& known_checks);

/// Marks the findings the markers suppress (Finding::suppression) and appends a
/// calm-unused-suppression note for each marker that suppressed nothing although it
/// concerns analysed code: an allow whose line or the line below holds a rule or a
/// declaration of `programs`, or a coordinated module that is part of one of them.
/// Markers naming only `disabled` checks are never reported as unused.
void apply_markers(std::vector<Finding>& findings, const Markers& markers,
                   const std::vector<Program>& programs, const std::set<std::string>& disabled);

}  // namespace calm
