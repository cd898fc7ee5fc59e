// libFuzzer harness: bytes -> Ruby front end (tree-sitter + Bud reader + composer)
// -> program model -> every analysis -> JSON report and `calm check` findings.
// The input is one in-memory file; a crash, a sanitizer report, a leak or an
// uncaught exception anywhere on the way is a finding. See docs/robustness.md.

#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/program_analysis.h"
#include "checks/check_run.h"
#include "frontend/loader.h"
#include "report/json_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  calm::LoadOptions options;
  options.files = {"fuzz.rb"};
  options.memory_files["fuzz.rb"] = std::string(reinterpret_cast<const char*>(data), size);
  options.lang = "bud";
  calm::LoadResult load = calm::load_programs(options);
  for (const calm::Program& p : load.programs) {
    calm::ProgramAnalysis a(p);
    (void)a.stratification();
    (void)a.points_of_order();
    (void)a.sources_sinks();
    (void)a.coordination();
  }
  std::string report = calm::build_report(load.programs, load.diagnostics, "fuzz").dump(2);
  calm::CheckRun checks = calm::run_checks(load, {});
  (void)checks;
  return 0;
}
