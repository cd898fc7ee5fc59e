#pragma once

#include "checks/check.h"

namespace calm {

/// calm-underspecified: a note per interface whose dataflow the program does not
/// complete (the paper's "??"): an input from which no output is reachable, an output
/// that no rule writes. At the interface's declaration.
/// See docs/checks/calm-underspecified.md.
class UnderspecifiedCheck final : public ProgramCheck {
 public:
  static constexpr const char* kId = "calm-underspecified";
  void check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const override;
};

}  // namespace calm
