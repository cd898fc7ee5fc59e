#pragma once

// The interface of a check over one analysed program. A check is a small class that
// turns analyses (analyzer/analysis/) into findings; it never prints. Adding a check
// is: a header and an implementation here, one row in check_registry.cpp, a page
// docs/checks/<id>.md and a test file tests/checks/<id>_test.cpp.

#include <vector>

#include "analysis/program_analysis.h"
#include "checks/finding.h"

namespace calm {

class ProgramCheck {
 public:
  virtual ~ProgramCheck() = default;
  /// Appends this check's findings about `analysis.program()` to `out`. Findings carry
  /// the check's id and default severity, the program name and a fingerprint.
  virtual void check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const = 0;
};

}  // namespace calm
