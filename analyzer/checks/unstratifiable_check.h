#pragma once

#include "checks/check.h"

namespace calm {

/// calm-unstratifiable: one error per cycle of instantaneous dependencies through a
/// non-monotonic edge (the stratification check's diagnostics, as findings).
/// See docs/checks/calm-unstratifiable.md.
class UnstratifiableCheck final : public ProgramCheck {
 public:
  static constexpr const char* kId = "calm-unstratifiable";
  void check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const override;
};

}  // namespace calm
