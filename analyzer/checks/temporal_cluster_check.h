#pragma once

#include "checks/check.h"

namespace calm {

/// calm-temporal-cluster: one warning per temporal cluster (a cycle through a
/// non-monotonic and a temporal edge, CIDR 2011 section 4.4), at the rule of the
/// cycle's non-monotonic step, with the cycle as notes: first `cycle a -> b -> a`, then
/// one note per step at that step's rule. See docs/checks/calm-temporal-cluster.md.
class TemporalClusterCheck final : public ProgramCheck {
 public:
  static constexpr const char* kId = "calm-temporal-cluster";
  void check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const override;
};

/// "{a, b, c}": how findings name a cluster's members.
std::string member_set(const std::vector<std::string>& names);

}  // namespace calm
