#include "graph/graph_paths.h"

#include <deque>

namespace calm {

std::optional<std::vector<EdgeId>> shortest_path(const DependencyGraph& graph, NodeId from,
                                                 NodeId to,
                                                 const std::function<bool(EdgeId)>& allowed) {
  if (from == to) return std::vector<EdgeId>{};
  constexpr EdgeId kNone = static_cast<EdgeId>(-1);
  std::vector<EdgeId> via(graph.node_count(), kNone);  // edge that first reached each node
  std::vector<bool> seen(graph.node_count(), false);
  std::deque<NodeId> queue{from};
  seen[from] = true;
  while (!queue.empty()) {
    NodeId n = queue.front();
    queue.pop_front();
    for (EdgeId e : graph.out_edges(n)) {
      if (!allowed(e)) continue;
      NodeId m = graph.edge(e).to;
      if (seen[m]) continue;
      seen[m] = true;
      via[m] = e;
      if (m == to) {
        std::vector<EdgeId> path;
        for (NodeId cur = to; cur != from; cur = graph.edge(via[cur]).from)
          path.insert(path.begin(), via[cur]);
        return path;
      }
      queue.push_back(m);
    }
  }
  return std::nullopt;
}

std::optional<std::vector<EdgeId>> closed_walk(const DependencyGraph& graph, NodeId start,
                                               const std::vector<EdgeId>& via,
                                               const std::function<bool(EdgeId)>& allowed) {
  std::vector<EdgeId> walk;
  NodeId at = start;
  for (EdgeId e : via) {
    auto leg = shortest_path(graph, at, graph.edge(e).from, allowed);
    if (!leg) return std::nullopt;
    walk.insert(walk.end(), leg->begin(), leg->end());
    walk.push_back(e);
    at = graph.edge(e).to;
  }
  auto back = shortest_path(graph, at, start, allowed);
  if (!back) return std::nullopt;
  walk.insert(walk.end(), back->begin(), back->end());
  return walk;
}

std::string path_text(const DependencyGraph& graph, const std::vector<EdgeId>& path) {
  if (path.empty()) return "";
  std::string out = graph.edge(path.front()).from_name;
  for (EdgeId e : path) out += " -> " + graph.edge(e).to_name;
  return out;
}

std::vector<bool> reachable(const DependencyGraph& graph, const std::vector<NodeId>& starts,
                            Traversal direction, const std::function<bool(EdgeId)>& allowed,
                            const std::function<bool(NodeId)>& through) {
  std::vector<bool> seen(graph.node_count(), false);
  std::vector<NodeId> stack;
  for (NodeId s : starts)
    if (!seen[s]) {
      seen[s] = true;
      stack.push_back(s);
    }
  const bool forward = direction == Traversal::Forward;
  while (!stack.empty()) {
    NodeId n = stack.back();
    stack.pop_back();
    if (through && !through(n)) continue;
    for (EdgeId e : forward ? graph.out_edges(n) : graph.in_edges(n)) {
      if (allowed && !allowed(e)) continue;
      NodeId m = forward ? graph.edge(e).to : graph.edge(e).from;
      if (!seen[m]) {
        seen[m] = true;
        stack.push_back(m);
      }
    }
  }
  return seen;
}

}  // namespace calm
