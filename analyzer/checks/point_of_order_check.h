#pragma once

#include "checks/check.h"

namespace calm {

/// calm-point-of-order: one warning per rule that carries a point of order (a
/// non-monotonic edge, or an edge entering or leaving a temporal cluster) that needs
/// communication to resolve (the coordination analysis' scope "distributed"), at the
/// rule's operator. The message names each edge and why, says what a temporal cluster
/// it enters or leaves depends on, and gives the coordination the analysis advises;
/// notes point at the references that make the rule non-monotonic. See
/// docs/checks/calm-point-of-order.md.
///
/// calm-local-point-of-order (LocalPointOfOrderCheck): the same, as a note, for the
/// points of order the coordination analysis classifies as local (every input complete
/// on one node within a timestep): Bud's stratification orders them, no communication
/// is needed. See docs/checks/calm-local-point-of-order.md.
class PointOfOrderCheck : public ProgramCheck {
 public:
  static constexpr const char* kId = "calm-point-of-order";
  /// `local`: report the local points of order (calm-local-point-of-order) instead.
  explicit PointOfOrderCheck(bool local = false) : local_(local) {}
  void check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const override;

 private:
  bool local_;
};

class LocalPointOfOrderCheck final : public PointOfOrderCheck {
 public:
  static constexpr const char* kId = "calm-local-point-of-order";
  LocalPointOfOrderCheck() : PointOfOrderCheck(true) {}
};

}  // namespace calm
