#include "reporters/json_reporter.h"

#include "report/json_report.h"

namespace calm {

using nlohmann::ordered_json;

ordered_json finding_note_json(const FindingNote& n) {
  return ordered_json{{"message", n.message}, {"location", location_json(n.location)}};
}

ordered_json finding_json(const Finding& f) {
  ordered_json j;
  j["check"] = f.check;
  j["severity"] = to_string(f.severity);
  j["message"] = f.message;
  j["program"] = f.program;
  j["location"] = location_json(f.location);
  j["notes"] = ordered_json::array();
  for (const auto& n : f.notes) j["notes"].push_back(finding_note_json(n));
  j["fingerprint"] = f.fingerprint;
  if (f.suppression) {
    ordered_json s;
    s["kind"] = to_string(f.suppression->kind);
    s["reason"] = f.suppression->reason;
    s["location"] = location_json(f.suppression->location);
    j["suppression"] = s;
  }
  return j;
}

ordered_json findings_json(const CheckRun& run, const std::string& tool_version) {
  ordered_json j;
  j["schema_version"] = kFindingsSchemaVersion;
  j["tool"] = ordered_json{{"name", "calm"}, {"version", tool_version}};
  j["summary"] = ordered_json{{"errors", run.count(Severity::Error)},
                              {"warnings", run.count(Severity::Warning)},
                              {"notes", run.count(Severity::Note)},
                              {"suppressed", run.suppressed()}};
  j["findings"] = ordered_json::array();
  for (const auto& f : run.findings) j["findings"].push_back(finding_json(f));
  return j;
}

}  // namespace calm
