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

/// "a -> b -> a": the node names along consecutive edges ("" for an empty path).
std::string path_text(const DependencyGraph& graph, const std::vector<EdgeId>& path);

}  // namespace calm
