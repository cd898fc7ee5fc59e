#include "analysis/temporal_cluster_analysis.h"

#include <algorithm>
#include <cctype>
#include <deque>
#include <limits>
#include <map>

#include "analysis/cluster_labels.h"
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

std::string cluster_label(const std::vector<std::string>& sorted_members,
                          const std::vector<std::string>& cycle_members) {
  std::vector<std::string> shown;
  auto add = [&](const std::string& name) {
    if (std::find(shown.begin(), shown.end(), name) == shown.end()) shown.push_back(name);
  };
  std::size_t limit =
      sorted_members.size() <= kClusterLabelNames + 1 ? sorted_members.size() : kClusterLabelNames;
  for (const auto& m : cycle_members)
    if (shown.size() < limit && std::binary_search(sorted_members.begin(), sorted_members.end(), m))
      add(m);
  for (const auto& m : sorted_members)
    if (shown.size() < limit) add(m);
  std::string label = "{";
  for (std::size_t i = 0; i < shown.size(); ++i) label += (i > 0 ? ", " : "") + shown[i];
  std::size_t more = sorted_members.size() - shown.size();
  if (more > 0) label += ", +" + std::to_string(more) + " more";
  return label + "}";
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
    std::vector<std::string> passed;
    for (EdgeId e : c.cycle) {
      const std::string& name = graph.name(graph.edge(e).from);
      if (std::find(passed.begin(), passed.end(), name) == passed.end()) passed.push_back(name);
    }
    c.label = cluster_label(c.member_names, passed);
    clusters_.push_back(std::move(c));
  }
  std::sort(clusters_.begin(), clusters_.end(),
            [](const TemporalCluster& a, const TemporalCluster& b) { return a.id < b.id; });
  for (std::size_t i = 0; i < clusters_.size(); ++i)
    for (NodeId n : clusters_[i].members) cluster_of_[n] = i;
}

std::string with_cluster_labels(const TemporalClusterAnalysis& clusters, std::string text) {
  // Longest ids first: "cluster:a" is a prefix of "cluster:a,b".
  std::vector<const TemporalCluster*> by_length;
  for (const auto& c : clusters.clusters()) by_length.push_back(&c);
  std::stable_sort(by_length.begin(), by_length.end(),
                   [](const TemporalCluster* x, const TemporalCluster* y) {
                     return x->id.size() > y->id.size();
                   });
  for (const TemporalCluster* c : by_length) {
    std::size_t at = 0;
    while ((at = text.find(c->id, at)) != std::string::npos) {
      std::size_t end = at + c->id.size();
      // Only a whole id: not one followed by more member names ("cluster:a" inside
      // "cluster:a,b" or "cluster:ab"). A ',' ends the id when a space follows: member
      // names hold no spaces, and reasons are joined with ", ".
      auto name_char = [&](std::size_t i) {
        return i < text.size() && (text[i] == '_' || text[i] == '.' ||
                                   std::isalnum(static_cast<unsigned char>(text[i])));
      };
      if (name_char(end) || (end < text.size() && text[end] == ',' && name_char(end + 1))) {
        at = end;
        continue;
      }
      text.replace(at, c->id.size(), c->label);
      at += c->label.size();
    }
  }
  return text;
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
