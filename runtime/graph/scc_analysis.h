#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "graph/dependency_graph.h"

namespace calm {

/// Index of a strongly connected component. SCCs are numbered by their smallest member,
/// so SCC 0 contains node 0 and numbering does not depend on Boost's traversal order.
using SccId = std::size_t;

/// Strongly connected components of the dependency graph (boost::strong_components).
/// With an edge filter, the SCCs of the subgraph of the edges it accepts (all nodes kept);
/// the stratification check uses it for the subgraph of instantaneous edges.
class SccAnalysis {
 public:
  using EdgeFilter = std::function<bool(EdgeId)>;

  explicit SccAnalysis(const DependencyGraph& graph, EdgeFilter filter = nullptr);

  const DependencyGraph& graph() const { return graph_; }
  std::size_t scc_count() const { return members_.size(); }
  SccId scc_of(NodeId n) const { return scc_of_.at(n); }
  /// Members in NodeId (= name) order.
  const std::vector<NodeId>& members(SccId s) const { return members_.at(s); }
  /// More than one member, or a single member with a self-edge.
  bool is_recursive(SccId s) const { return recursive_.at(s); }
  /// Accepted edges whose both ends are in the SCC, in edge order.
  const std::vector<EdgeId>& internal_edges(SccId s) const { return internal_.at(s); }
  /// True when the edge is accepted and its ends are in the same SCC.
  bool is_internal(EdgeId e) const;

 private:
  const DependencyGraph& graph_;
  EdgeFilter filter_;
  std::vector<SccId> scc_of_;
  std::vector<std::vector<NodeId>> members_;
  std::vector<std::vector<EdgeId>> internal_;
  std::vector<bool> recursive_;
};

}  // namespace calm
