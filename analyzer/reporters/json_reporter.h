#pragma once

// `--format json`: findings as data (docs/findings.md, docs/findings.schema.json).

#include <nlohmann/json.hpp>
#include <string>

#include "checks/check_run.h"

namespace calm {

/// The version of the findings format; the major part changes on incompatible changes.
inline constexpr const char* kFindingsSchemaVersion = "1.0";

/// {message, location}.
nlohmann::ordered_json finding_note_json(const FindingNote& n, const std::string& root = "");
/// {check, severity, message, program, location, notes, fingerprint} plus
/// `suppression: {kind, reason, location}` for a suppressed finding.
/// Paths relative to `root` ("" = the working directory; see display_path).
nlohmann::ordered_json finding_json(const Finding& f, const std::string& root = "");
/// {schema_version, tool, summary, findings}: every finding, suppressed ones included;
/// the summary counts the findings outside the checked paths (`outside_checked_paths`,
/// with `outside_files`: file -> count) when there are any.
nlohmann::ordered_json findings_json(const CheckRun& run, const std::string& tool_version,
                                     const std::string& root = "");

}  // namespace calm
