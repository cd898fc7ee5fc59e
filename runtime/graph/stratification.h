#pragma once

#include <vector>

#include "base/diagnostic.h"
#include "graph/scc_analysis.h"
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

/// How Bud orders a timestep's rules, computed once for every user (the analyses'
/// calm-unstratifiable check and the evaluator's strata): the SCCs of the subgraph of
/// instantaneous edges; one error per such SCC that contains a non-monotonic edge
/// (stricter than "an SCC with no temporal edge": a cycle of `<=` rules through a
/// negation is reported even when the same SCC also has a temporal edge elsewhere);
/// and, when there is none, each node's stratum: the least numbering in which every
/// instantaneous edge goes to the same or a later stratum and every non-monotonic one to
/// a later stratum (a negated or aggregated collection is complete before it is read).
class Stratification {
 public:
  Stratification(const Program& program, const DependencyGraph& graph);

  bool stratifiable() const { return errors_.empty(); }
  /// Errors in SCC order (by smallest member name).
  const std::vector<StratificationError>& errors() const { return errors_; }
  /// The errors' diagnostics.
  Diagnostics diagnostics() const;

  /// The stratum of every node (0 for nodes with no instantaneous input); empty when
  /// the program is not stratifiable.
  const std::vector<int>& strata() const { return strata_; }
  /// The highest stratum (-1 when not stratifiable or the graph is empty).
  int top_stratum() const { return top_; }

 private:
  std::vector<StratificationError> errors_;
  std::vector<int> strata_;
  int top_ = -1;
};

/// True for edges that take effect within the timestep (neither temporal nor async).
bool is_instantaneous(const DependencyEdge& edge);

}  // namespace calm
