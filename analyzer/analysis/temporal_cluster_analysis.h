#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "graph/scc_analysis.h"

namespace calm {

/// A strongly connected component whose internal edges include at least one
/// non-monotonic and at least one temporal edge (CIDR 2011, section 4.4): the red
/// octagon of budplot. Asynchronous (`<~`) edges do not count as temporal here.
struct TemporalCluster {
  std::string id;  ///< "cluster:" + member names joined by ","
  SccId scc = 0;
  std::vector<NodeId> members;            ///< in name order
  std::vector<std::string> member_names;  ///< sorted
  /// A closed walk through the cluster starting at its smallest member that uses a
  /// non-monotonic and a temporal edge (one edge when one is both); the shortest such
  /// walk, ties broken by edge order.
  std::vector<EdgeId> cycle;
  /// A short readable name for messages, diagrams and pages: the members the cycle
  /// passes, in cycle order, at most kClusterLabelNames of them, then "+N more" for the
  /// other members: "{kvstate, prev}", "{alarm, ballot, leader, +19 more}". See
  /// cluster_label().
  std::string label;
};

/// How many member names a cluster label shows before "+N more".
inline constexpr std::size_t kClusterLabelNames = 3;

/// The label of a cluster with these sorted members whose cycle passes `cycle_members`
/// (in cycle order, each once): up to kClusterLabelNames names from the cycle (then from
/// the other members, in name order, when the cycle passes fewer), then "+N more" when
/// members are left out. A cluster of kClusterLabelNames + 1 members lists them all
/// ("+1 more" saves nothing).
std::string cluster_label(const std::vector<std::string>& sorted_members,
                          const std::vector<std::string>& cycle_members);

/// "cluster:a,b": the id of the cluster with these (sorted) members.
std::string cluster_id(const std::vector<std::string>& sorted_members);

/// Finds the temporal clusters of a program.
class TemporalClusterAnalysis {
 public:
  explicit TemporalClusterAnalysis(const SccAnalysis& sccs);

  /// All clusters, sorted by id.
  const std::vector<TemporalCluster>& clusters() const { return clusters_; }
  /// Index in clusters() of the cluster containing `n`, or nullopt.
  std::optional<std::size_t> cluster_of(NodeId n) const;
  /// The cluster with this id, or nullptr.
  const TemporalCluster* find(const std::string& id) const;

 private:
  std::vector<TemporalCluster> clusters_;
  std::vector<std::optional<std::size_t>> cluster_of_;
};

}  // namespace calm
