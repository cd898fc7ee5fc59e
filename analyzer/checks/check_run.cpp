#include "checks/check_run.h"

#include "checks/baseline.h"
#include "checks/check_registry.h"
#include "checks/loader_findings.h"
#include "checks/suppressions.h"

namespace calm {

size_t CheckRun::count(Severity s) const {
  size_t n = 0;
  for (const auto& f : findings) n += !f.suppression && f.severity == s;
  return n;
}

size_t CheckRun::suppressed() const {
  size_t n = 0;
  for (const auto& f : findings) n += f.suppression.has_value();
  return n;
}

bool CheckRun::fails(Severity fail_on) const {
  for (const auto& f : findings)
    if (!f.suppression && f.severity >= fail_on) return true;
  return false;
}

CheckRun run_checks(const LoadResult& load, const CheckOptions& options) {
  CheckRun run;
  for (auto& f : findings_from_diagnostics(load.diagnostics.sorted()))
    if (!options.disabled.count(f.check)) run.findings.push_back(std::move(f));
  for (const auto& program : load.programs) {
    ProgramAnalysis analysis(program);
    run_program_checks(analysis, options.disabled, run.findings);
  }
  Markers markers = scan_markers(load.sources, load.files, all_check_ids());
  if (!options.disabled.count("calm-bad-suppression"))
    run.findings.insert(run.findings.end(), markers.problems.begin(), markers.problems.end());
  apply_markers(run.findings, markers, load.programs, options.disabled);
  if (options.disabled.count("calm-unused-suppression"))
    std::erase_if(run.findings,
                  [](const Finding& f) { return f.check == "calm-unused-suppression"; });
  sort_findings(run.findings);
  disambiguate_fingerprints(run.findings);
  if (options.baseline) apply_baseline(run.findings, *options.baseline);
  return run;
}

}  // namespace calm
