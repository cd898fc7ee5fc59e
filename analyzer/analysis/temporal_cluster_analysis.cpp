#include "analysis/temporal_cluster_analysis.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <map>

#include "graph/graph_paths.h"

namespace calm {

std::string cluster_id(const std::vector<std::string>& sorted_members) {
  std::string id = "cluster:";
  for (std::size_t i = 0; i < sorted_members.size(); ++i) {
    if (i > 0) id += ",";
    id += sorted_members[i];
  }
  return id;
}

namespace {

constexpr std::size_t kFar = std::numeric_limits<std::size_t>::max() / 4;

// Breadth-first distances inside one SCC, from every member to every member.
class SccDistances {
 public:
  SccDistances(const SccAnalysis& sccs, SccId scc) {
    const auto& graph = sccs.graph();
    for (NodeId from : sccs.members(scc)) {
      auto& d = dist_[from];
      d[from] = 0;
      std::deque<NodeId> queue{from};
      while (!queue.empty()) {
        NodeId n = queue.front();
        queue.pop_front();
        for (EdgeId e : graph.out_edges(n)) {
          if (!sccs.is_internal(e)) continue;
          NodeId m = graph.edge(e).to;
          if (d.count(m)) continue;
          d[m] = d[n] + 1;
          queue.push_back(m);
        }
      }
    }
  }

  std::size_t operator()(NodeId from, NodeId to) const {
    auto it = dist_.find(from);
    if (it == dist_.end()) return kFar;
    auto jt = it->second.find(to);
    return jt == it->second.end() ? kFar : jt->second;
  }

 private:
  std::map<NodeId, std::map<NodeId, std::size_t>> dist_;
};

// The shortest closed walk from `start` through a non-monotonic and a temporal edge.
std::vector<EdgeId> cluster_cycle(const SccAnalysis& sccs, SccId scc) {
  const auto& graph = sccs.graph();
  const NodeId start = sccs.members(scc).front();
  SccDistances dist(sccs, scc);

  std::vector<EdgeId> nonmono, temporal;
  for (EdgeId e : sccs.internal_edges(scc)) {
    if (graph.edge(e).nonmonotonic) nonmono.push_back(e);
    if (graph.edge(e).temporal) temporal.push_back(e);
  }

  std::vector<EdgeId> best_via;
  std::size_t best = kFar;
  auto consider = [&](const std::vector<EdgeId>& via) {
    std::size_t len = 0;
    NodeId at = start;
    for (EdgeId e : via) {
      len += dist(at, graph.edge(e).from) + 1;
      at = graph.edge(e).to;
    }
    len += dist(at, start);
    if (len < best) {
      best = len;
      best_via = via;
    }
  };
  for (EdgeId e : nonmono)
    if (graph.edge(e).temporal) consider({e});
  for (EdgeId n : nonmono) {
    for (EdgeId t : temporal) {
      if (n == t) continue;
      consider({n, t});
      consider({t, n});
    }
  }
  auto walk = closed_walk(graph, start, best_via, [&](EdgeId e) { return sccs.is_internal(e); });
  return walk ? *walk : std::vector<EdgeId>{};
}

}  // namespace

TemporalClusterAnalysis::TemporalClusterAnalysis(const SccAnalysis& sccs) {
  const auto& graph = sccs.graph();
  cluster_of_.assign(graph.node_count(), std::nullopt);
  for (SccId s = 0; s < sccs.scc_count(); ++s) {
    const auto& internal = sccs.internal_edges(s);
    bool has_nonmono = std::any_of(internal.begin(), internal.end(),
                                   [&](EdgeId e) { return graph.edge(e).nonmonotonic; });
    bool has_temporal = std::any_of(internal.begin(), internal.end(),
                                    [&](EdgeId e) { return graph.edge(e).temporal; });
    if (!has_nonmono || !has_temporal) continue;
    TemporalCluster c;
    c.scc = s;
    c.members = sccs.members(s);
    for (NodeId n : c.members) c.member_names.push_back(graph.name(n));
    c.id = cluster_id(c.member_names);
    c.cycle = cluster_cycle(sccs, s);
    clusters_.push_back(std::move(c));
  }
  std::sort(clusters_.begin(), clusters_.end(),
            [](const TemporalCluster& a, const TemporalCluster& b) { return a.id < b.id; });
  for (std::size_t i = 0; i < clusters_.size(); ++i)
    for (NodeId n : clusters_[i].members) cluster_of_[n] = i;
}

std::optional<std::size_t> TemporalClusterAnalysis::cluster_of(NodeId n) const {
  return cluster_of_.at(n);
}

const TemporalCluster* TemporalClusterAnalysis::find(const std::string& id) const {
  for (const auto& c : clusters_)
    if (c.id == id) return &c;
  return nullptr;
}

}  // namespace calm
