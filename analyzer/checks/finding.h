#pragma once

// A finding: what a check reports, as data. Reporters (analyzer/reporters/) turn
// findings into text, JSON, SARIF or GitHub annotations; nothing here prints.

#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/source_location.h"

namespace calm {

/// A secondary message with its own location (a step of a cycle, a reference).
struct FindingNote {
  std::string message;
  SourceLocation location;
  auto operator<=>(const FindingNote&) const = default;
};

/// Why a finding is not shown.
enum class SuppressionKind {
  Inline,       ///< `# calm:allow CHECK -- reason` on or above the line
  Coordinated,  ///< the module is marked `# calm:coordinated -- reason`
  Baseline,     ///< its fingerprint is in the baseline file
};

/// "inline", "coordinated", "baseline".
const char* to_string(SuppressionKind k);

struct Suppression {
  SuppressionKind kind = SuppressionKind::Inline;
  std::string reason;       ///< the text after `--` (empty for the baseline)
  SourceLocation location;  ///< the marker comment (unknown for the baseline)
};

struct Finding {
  std::string check;  ///< stable id, e.g. "calm-point-of-order"
  Severity severity = Severity::Warning;
  std::string message;
  SourceLocation location;  ///< the primary location
  std::vector<FindingNote> notes;
  std::string program;  ///< the analysed program ("" for findings about files)
  /// Identifies the finding across unrelated edits (see make_fingerprint): a hash of
  /// the program, the check and what the finding is about, never of a line number.
  std::string fingerprint;

  // What suppression markers look at (not part of any output).
  /// Start of the statement the finding is about; `# calm:allow` on this line, the
  /// primary line, or the line above either applies.
  SourceLocation statement;
  /// The modules whose code the finding is about. A `# calm:coordinated` marker
  /// suppresses the finding when every one of them is coordinated; empty = never.
  std::vector<std::string> modules;

  std::optional<Suppression> suppression;  ///< set when the finding is suppressed
};

/// The message, followed by " (program P)" when `with_program` and the finding has one.
std::string message_with_program(const Finding& f, bool with_program);

/// Findings in a stable order: (file, line, column, severity, check, message, program).
bool finding_less(const Finding& a, const Finding& b);
void sort_findings(std::vector<Finding>& findings);

/// Ruby source text made insensitive to layout: comments removed, runs of whitespace
/// collapsed to one space, trimmed. `kvstate <- prev  # calm:allow ...` and
/// `kvstate  <-  prev` normalize alike.
std::string normalize_source_text(const std::string& text);

/// A 16-hex-digit FNV-1a hash of the parts, separated by a byte that cannot occur in
/// them. Stable across platforms and releases (baselines rely on it).
std::string make_fingerprint(const std::vector<std::string>& parts);

/// Makes fingerprints unique: the second finding with an already used fingerprint gets
/// one derived from it and its rank, and so on, in the findings' order. Two identical
/// rules in one program then stay distinguishable.
void disambiguate_fingerprints(std::vector<Finding>& findings);

}  // namespace calm
