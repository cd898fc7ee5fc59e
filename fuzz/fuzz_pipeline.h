#pragma once

// The pipeline a program front end feeds, shared by the per-language harnesses
// (fuzz_bud, fuzz_dedalus, fuzz_syndicate, fuzz_ir): bytes as one in-memory file of the given
// language -> loader -> every analysis -> the JSON report (dumped, so invalid UTF-8
// anywhere would throw) and `calm check`'s findings.

#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/program_analysis.h"
#include "checks/check_run.h"
#include "frontend/loader.h"
#include "report/json_report.h"

inline int fuzz_program_bytes(const uint8_t* data, size_t size, const char* file,
                              const char* lang) {
  calm::LoadOptions options;
  options.files = {file};
  options.memory_files[file] = std::string(reinterpret_cast<const char*>(data), size);
  options.lang = lang;
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
