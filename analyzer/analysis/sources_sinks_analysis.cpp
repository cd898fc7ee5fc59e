#include "analysis/sources_sinks_analysis.h"

#include <algorithm>
#include <deque>
#include <set>

namespace calm {

const char* to_string(Direction d) { return d == Direction::Input ? "input" : "output"; }

namespace {

// True when some output interface is reachable from `start` by a path of at least one edge.
bool reaches_output(const Program& program, const DependencyGraph& graph, NodeId start) {
  std::vector<bool> seen(graph.node_count(), false);
  std::deque<NodeId> queue{start};
  while (!queue.empty()) {
    NodeId n = queue.front();
    queue.pop_front();
    for (EdgeId e : graph.out_edges(n)) {
      NodeId m = graph.edge(e).to;
      if (seen[m]) continue;
      seen[m] = true;
      const Collection* c = program.find(graph.name(m));
      if (c && c->kind == CollectionKind::Output && !c->builtin) return true;
      queue.push_back(m);
    }
  }
  return false;
}

}  // namespace

SourcesSinksAnalysis::SourcesSinksAnalysis(const Program& program, const DependencyGraph& graph) {
  std::set<std::string> written;
  for (const auto& rule : program.rules)
    if (!rule.bootstrap) written.insert(rule.lhs);
  auto is_read = [&](const std::string& name) {
    auto node = graph.find(name);
    return node && !graph.out_edges(*node).empty();
  };

  for (const auto& c : program.collections) {  // sorted by name
    if (c.builtin) continue;
    const bool is_written = written.count(c.name) > 0;
    switch (c.kind) {
      case CollectionKind::Input: {
        if (!is_written) sources_.push_back(c.name);
        auto node = graph.find(c.name);
        if (!node || !reaches_output(program, graph, *node))
          underspecified_.push_back({c.name, Direction::Input});
        break;
      }
      case CollectionKind::Periodic:
      case CollectionKind::Channel:
        if (!is_written) sources_.push_back(c.name);
        break;
      case CollectionKind::Output:
        if (!is_read(c.name)) sinks_.push_back(c.name);
        if (!is_written) underspecified_.push_back({c.name, Direction::Output});
        break;
      default:
        break;
    }
  }
  std::sort(sources_.begin(), sources_.end());
  std::sort(sinks_.begin(), sinks_.end());
  std::sort(underspecified_.begin(), underspecified_.end());
}

bool SourcesSinksAnalysis::is_source(const std::string& name) const {
  return std::binary_search(sources_.begin(), sources_.end(), name);
}

bool SourcesSinksAnalysis::is_sink(const std::string& name) const {
  return std::binary_search(sinks_.begin(), sinks_.end(), name);
}

}  // namespace calm
