#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/temporal_cluster_analysis.h"
#include "model/program.h"

namespace calm {

/// Why a dependency is a point of order.
enum class PointKind {
  Nonmonotonic,  ///< a non-monotonic edge
  ClusterEntry,  ///< an edge from outside into a temporal cluster
  ClusterExit,   ///< an edge from a temporal cluster to outside
  ClusterSelf,   ///< the implicit self-edge of a temporal cluster (one per cluster)
};

/// "nonmonotonic", "cluster-entry", "cluster-exit", "cluster-self".
const char* to_string(PointKind k);

/// A place where the program's output may depend on the order of its inputs
/// (CIDR 2011, section 4.4): every non-monotonic edge, every edge incident to a
/// temporal cluster, and each cluster's implicit self-edge.
struct PointOfOrder {
  std::string from;  ///< body collection; the cluster id for ClusterSelf
  std::string to;    ///< head collection; the cluster id for ClusterSelf
  int rule = 0;      ///< the rule of the edge; for ClusterSelf, of the cycle's non-monotonic edge
  PointKind kind = PointKind::Nonmonotonic;
  std::string reason;
  SourceLocation location;     ///< the rule's operator, else the rule
  std::optional<EdgeId> edge;  ///< the edge (nullopt for ClusterSelf)
  std::string cluster;         ///< the cluster entered, left, or closed ("" for Nonmonotonic)
};

/// Computes the points of order: at most one per edge (from, to, rule). When an edge is
/// several things at once its kind is, by priority, cluster-entry, cluster-exit,
/// nonmonotonic, and its reason mentions the others.
class PointsOfOrderAnalysis {
 public:
  PointsOfOrderAnalysis(const Program& program, const DependencyGraph& graph,
                        const TemporalClusterAnalysis& clusters);

  /// All points, sorted by (from, to, rule, kind).
  const std::vector<PointOfOrder>& points() const { return points_; }
  /// True when the edge is a point of order.
  bool is_point_of_order(EdgeId e) const;
  /// The points on edges of one rule (cluster-self points included), in order.
  std::vector<PointOfOrder> for_rule(int rule) const;

 private:
  std::vector<PointOfOrder> points_;
  std::vector<bool> edge_is_point_;
};

}  // namespace calm
