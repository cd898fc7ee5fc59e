#pragma once

// Everything `calm check` computes, as one call: loader diagnostics and program checks
// as findings, suppression markers applied, the baseline applied, sorted.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "checks/finding.h"
#include "frontend/loader.h"

namespace calm {

struct CheckOptions {
  std::set<std::string> disabled;  ///< check ids not to run or report
  /// Fingerprints of accepted findings (a baseline), if any.
  std::optional<std::set<std::string>> baseline;
};

/// The findings left out because they are in files outside the checked paths
/// (checks/scope.h), counted.
struct OutOfScope {
  size_t findings = 0;                    ///< not suppressed
  size_t errors = 0;                      ///< of which errors
  std::map<std::string, size_t> by_file;  ///< file (as loaded) -> findings
};

struct CheckRun {
  /// Every finding, suppressed ones included (Finding::suppression set), sorted with
  /// sort_findings, fingerprints unique.
  std::vector<Finding> findings;
  OutOfScope outside;  ///< what apply_scope left out

  size_t count(Severity s) const;  ///< findings of severity `s` that are not suppressed
  size_t suppressed() const;
  /// True when a finding that is not suppressed has severity `fail_on` or higher.
  bool fails(Severity fail_on) const;
};

/// Runs the checks over a load result (the loader's diagnostics become findings too).
CheckRun run_checks(const LoadResult& load, const CheckOptions& options);

}  // namespace calm
