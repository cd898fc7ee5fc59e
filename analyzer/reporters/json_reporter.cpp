#include "reporters/json_reporter.h"

#include "model/model_json.h"
#include "report/json_report.h"
#include "reporters/common.h"

namespace calm {

using nlohmann::ordered_json;

namespace {
ordered_json shown_location(SourceLocation l, const std::string& root) {
  l.file = display_path(l.file, root);
  return location_to_json(l);
}
}  // namespace

ordered_json finding_note_json(const FindingNote& n, const std::string& root) {
  return ordered_json{{"message", n.message}, {"location", shown_location(n.location, root)}};
}

ordered_json finding_json(const Finding& f, const std::string& root) {
  ordered_json j;
  j["check"] = f.check;
  j["severity"] = to_string(f.severity);
  j["message"] = f.message;
  j["program"] = f.program;
  j["location"] = shown_location(f.location, root);
  j["notes"] = ordered_json::array();
  for (const auto& n : f.notes) j["notes"].push_back(finding_note_json(n, root));
  j["fingerprint"] = f.fingerprint;
  if (f.suppression) {
    ordered_json s;
    s["kind"] = to_string(f.suppression->kind);
    s["reason"] = f.suppression->reason;
    s["location"] = shown_location(f.suppression->location, root);
    j["suppression"] = s;
  }
  return j;
}

ordered_json findings_json(const CheckRun& run, const std::string& tool_version,
                           const std::string& root) {
  ordered_json j;
  j["schema_version"] = kFindingsSchemaVersion;
  j["tool"] = ordered_json{{"name", "calm"}, {"version", tool_version}};
  j["summary"] = ordered_json{{"errors", run.count(Severity::Error)},
                              {"warnings", run.count(Severity::Warning)},
                              {"notes", run.count(Severity::Note)},
                              {"suppressed", run.suppressed()}};
  size_t attached = 0;
  for (const auto& f : run.findings)
    if (!f.suppression) attached += f.notes.size();
  j["summary"]["attached_notes"] = attached;
  if (run.outside.findings > 0) {
    j["summary"]["outside_checked_paths"] = run.outside.findings;
    ordered_json files = ordered_json::object();
    for (const auto& [file, n] : run.outside.by_file) files[display_path(file, root)] = n;
    j["summary"]["outside_files"] = files;
  }
  j["findings"] = ordered_json::array();
  for (const auto& f : run.findings) j["findings"].push_back(finding_json(f, root));
  return j;
}

}  // namespace calm
