#pragma once

#include <vector>

#include "analysis/scc_analysis.h"
#include "base/diagnostic.h"
#include "model/program.h"

namespace calm {

/// A cycle of instantaneous dependencies (no temporal `<+ <- <+- <-+` and no async `<~`
/// edge) that goes through a non-monotonic edge: Bud cannot evaluate it in one timestep.
struct StratificationError {
  std::vector<NodeId> members;   ///< the SCC of the instantaneous subgraph, in name order
  EdgeId nonmonotonic_edge = 0;  ///< the first non-monotonic edge of that SCC (edge order)
  /// A shortest closed walk of instantaneous edges from the SCC's smallest member through
  /// the non-monotonic edge.
  std::vector<EdgeId> cycle;
  Diagnostic diagnostic;  ///< check "calm-unstratifiable", one note per step of `cycle`
};

/// The stratification check: one error per SCC of the subgraph of instantaneous edges
/// that contains a non-monotonic edge. Stricter than "an SCC with no temporal edge": a
/// cycle of `<=` rules through a negation is reported even when the same SCC also has a
/// temporal edge elsewhere.
class StratificationCheck {
 public:
  StratificationCheck(const Program& program, const DependencyGraph& graph);

  bool stratifiable() const { return errors_.empty(); }
  /// Errors in SCC order (by smallest member name).
  const std::vector<StratificationError>& errors() const { return errors_; }
  /// The errors' diagnostics.
  Diagnostics diagnostics() const;

 private:
  std::vector<StratificationError> errors_;
};

/// True for edges that take effect within the timestep (neither temporal nor async).
bool is_instantaneous(const DependencyEdge& edge);

}  // namespace calm
