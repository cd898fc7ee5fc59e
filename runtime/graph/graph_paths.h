#pragma once

// Small path queries on the dependency graph, used to report concrete cycles.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "graph/dependency_graph.h"

namespace calm {

/// Shortest path from `from` to `to` using only edges for which `allowed(edge)` holds, as
/// a list of edges (empty when from == to). Breadth-first, exploring out-edges in edge
/// order, so the result is deterministic. nullopt when `to` is unreachable.
std::optional<std::vector<EdgeId>> shortest_path(const DependencyGraph& graph, NodeId from,
                                                 NodeId to,
                                                 const std::function<bool(EdgeId)>& allowed);

/// A closed walk that starts and ends at `start` and uses every edge of `via`, in that
/// order, taking shortest allowed paths in between. nullopt when some leg is unreachable.
/// Example: start a, via [b->c] gives a -> b -> c -> a.
std::optional<std::vector<EdgeId>> closed_walk(const DependencyGraph& graph, NodeId start,
                                               const std::vector<EdgeId>& via,
                                               const std::function<bool(EdgeId)>& allowed);

/// Which way reachable() follows edges.
enum class Traversal { Forward, Backward };

/// The nodes reachable from `starts` (which are included), following edges for which
/// `allowed(edge)` holds (all when null) and continuing past a node only when
/// `through(node)` holds (always when null; the node itself is still reached).
/// Indexed by NodeId.
std::vector<bool> reachable(const DependencyGraph& graph, const std::vector<NodeId>& starts,
                            Traversal direction = Traversal::Forward,
                            const std::function<bool(EdgeId)>& allowed = nullptr,
                            const std::function<bool(NodeId)>& through = nullptr);

/// "a -> b -> a": the node names along consecutive edges ("" for an empty path).
std::string path_text(const DependencyGraph& graph, const std::vector<EdgeId>& path);

}  // namespace calm
