#pragma once

#include "checks/check.h"

namespace calm {

/// calm-output-label: an output whose contents can depend on delivery order. A
/// warning for a diffluent output (nondeterministic contents: a non-monotonic step
/// after asynchronous input, or an unguarded channel race), a note for a
/// non-monotonic one (order-dependent at one node). The causes are notes.
/// See docs/checks/calm-output-label.md.
class OutputLabelCheck final : public ProgramCheck {
 public:
  static constexpr const char* kId = "calm-output-label";
  void check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const override;
};

}  // namespace calm
