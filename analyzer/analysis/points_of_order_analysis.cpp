#include "analysis/points_of_order_analysis.h"

#include <algorithm>
#include <tuple>

#include "graph/graph_paths.h"
#include "model/locations.h"

namespace calm {

const char* to_string(PointKind k) {
  switch (k) {
    case PointKind::Nonmonotonic:
      return "nonmonotonic";
    case PointKind::ClusterEntry:
      return "cluster-entry";
    case PointKind::ClusterExit:
      return "cluster-exit";
    case PointKind::ClusterSelf:
      return "cluster-self";
  }
  return "nonmonotonic";
}

namespace {

SourceLocation location_of(const Program& program, int rule_id) {
  const Rule* rule = find_rule(program, rule_id);
  return rule ? rule_point(*rule) : SourceLocation{};
}

}  // namespace

PointsOfOrderAnalysis::PointsOfOrderAnalysis(const Program& program, const DependencyGraph& graph,
                                             const TemporalClusterAnalysis& clusters) {
  edge_is_point_.assign(graph.edge_count(), false);
  for (EdgeId e = 0; e < graph.edge_count(); ++e) {
    const DependencyEdge& edge = graph.edge(e);
    auto from_cluster = clusters.cluster_of(edge.from);
    auto to_cluster = clusters.cluster_of(edge.to);
    const bool crosses = from_cluster != to_cluster;
    const bool enters = crosses && to_cluster.has_value();
    const bool exits = crosses && from_cluster.has_value();
    if (!enters && !exits && !edge.nonmonotonic) continue;

    PointOfOrder p;
    p.from = edge.from_name;
    p.to = edge.to_name;
    p.rule = edge.rule;
    p.edge = e;
    p.location = location_of(program, edge.rule);
    std::vector<std::string> parts;
    if (exits) parts.push_back("leaves temporal cluster " + clusters.clusters()[*from_cluster].id);
    if (enters) parts.push_back("enters temporal cluster " + clusters.clusters()[*to_cluster].id);
    if (enters) {
      p.kind = PointKind::ClusterEntry;
      p.cluster = clusters.clusters()[*to_cluster].id;
    } else if (exits) {
      p.kind = PointKind::ClusterExit;
      p.cluster = clusters.clusters()[*from_cluster].id;
    } else {
      p.kind = PointKind::Nonmonotonic;
    }
    std::string reason;
    for (std::size_t i = 0; i < parts.size(); ++i) reason += (i ? " and " : "") + parts[i];
    if (edge.nonmonotonic)
      reason += (reason.empty() ? "" : "; ") + std::string("non-monotonic: ") + reasons_text(edge);
    p.reason = std::move(reason);
    points_.push_back(std::move(p));
    edge_is_point_[e] = true;
  }

  for (const auto& c : clusters.clusters()) {
    PointOfOrder p;
    p.from = p.to = p.cluster = c.id;
    p.kind = PointKind::ClusterSelf;
    auto nonmono = std::find_if(c.cycle.begin(), c.cycle.end(),
                                [&](EdgeId e) { return graph.edge(e).nonmonotonic; });
    p.rule = nonmono != c.cycle.end() ? graph.edge(*nonmono).rule : -1;
    p.location = location_of(program, p.rule);
    p.reason = "temporal cluster: cycle " + path_text(graph, c.cycle);
    points_.push_back(std::move(p));
  }

  std::sort(points_.begin(), points_.end(), [](const PointOfOrder& a, const PointOfOrder& b) {
    return std::tie(a.from, a.to, a.rule, a.kind) < std::tie(b.from, b.to, b.rule, b.kind);
  });
}

bool PointsOfOrderAnalysis::is_point_of_order(EdgeId e) const { return edge_is_point_.at(e); }

std::vector<PointOfOrder> PointsOfOrderAnalysis::for_rule(int rule) const {
  std::vector<PointOfOrder> out;
  for (const auto& p : points_)
    if (p.rule == rule) out.push_back(p);
  return out;
}

}  // namespace calm
