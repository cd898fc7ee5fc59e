#pragma once

// `--format json`: findings as data (docs/findings.md, docs/findings.schema.json).

#include <nlohmann/json.hpp>
#include <string>

#include "checks/check_run.h"

namespace calm {

/// The version of the findings format; the major part changes on incompatible changes.
inline constexpr const char* kFindingsSchemaVersion = "1.0";

/// {message, location}.
nlohmann::ordered_json finding_note_json(const FindingNote& n);
/// {check, severity, message, program, location, notes, fingerprint} plus
/// `suppression: {kind, reason, location}` for a suppressed finding.
nlohmann::ordered_json finding_json(const Finding& f);
/// {schema_version, tool, summary, findings}: every finding, suppressed ones included.
nlohmann::ordered_json findings_json(const CheckRun& run, const std::string& tool_version);

}  // namespace calm
