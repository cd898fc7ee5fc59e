// libFuzzer harness: bytes -> the JSON inputs of `calm check --baseline` and
// `calm diff`: parse_baseline, read_report, and diff_reports of the report with
// itself and with an empty one (every renderer). A crash, sanitizer report, leak or
// uncaught exception is a finding.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "base/located_json.h"
#include "checks/baseline.h"
#include "reporters/report_diff.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (calm::json_too_deep_at(text, "fuzz.json")) return 0;  // refused before parsing
  std::set<std::string> fingerprints;
  std::string error, pointer;
  (void)calm::parse_baseline(text, fingerprints, error, &pointer);
  nlohmann::json report;
  if (calm::read_report(text, report, error)) {
    nlohmann::json empty = {{"schema_version", "1.0"}, {"programs", nlohmann::json::array()}};
    for (const auto& [a, b] :
         {std::pair{&report, &report}, std::pair{&empty, &report}, std::pair{&report, &empty}}) {
      calm::ReportDiff d = calm::diff_reports(*a, *b);
      (void)calm::diff_text(d);
      (void)calm::diff_markdown(d);
      (void)calm::diff_json(d).dump(2);
    }
  }
  return 0;
}
