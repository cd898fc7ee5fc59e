#pragma once

#include "checks/check.h"

namespace calm {

/// calm-point-of-order: one warning per rule that carries a point of order (a
/// non-monotonic edge, or an edge entering or leaving a temporal cluster), at the
/// rule's operator. The message names each edge and why; notes point at the
/// references that make the rule non-monotonic. See docs/checks/calm-point-of-order.md.
class PointOfOrderCheck final : public ProgramCheck {
 public:
  static constexpr const char* kId = "calm-point-of-order";
  void check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const override;
};

}  // namespace calm
