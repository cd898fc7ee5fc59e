#pragma once

// Beyond the points of order: what they taint (the paper's "guesses", section 6),
// where coordination is needed and of what kind, and how much it costs per input.

#include <string>
#include <vector>

#include "analysis/label_analysis.h"
#include "analysis/points_of_order_analysis.h"
#include "analysis/temporal_cluster_analysis.h"
#include "graph/dependency_graph.h"
#include "model/program.h"

namespace calm {

/// Every collection downstream of an unresolved point of order holds a "guess"
/// (CIDR 2011, section 6). Guesses that leave the program through an interface or a
/// channel are "memories" to log (Helland and Campbell).
class GuessTaintAnalysis {
 public:
  /// `resolved` lists indexes into points.points() whose coordination is taken care of.
  GuessTaintAnalysis(const Program& program, const DependencyGraph& graph,
                     const PointsOfOrderAnalysis& points, const OutputLabelAnalysis& labels,
                     const std::vector<size_t>& resolved = {});

  const std::vector<std::string>& guesses() const { return guesses_; }  ///< sorted
  const std::vector<std::string>& tainted_outputs() const { return outputs_; }
  /// Guesses that cross an interface boundary: outputs and output interfaces.
  const std::vector<std::string>& memories() const { return memories_; }
  bool is_guess(const std::string& collection) const;

 private:
  std::vector<std::string> guesses_, outputs_, memories_;
};

/// How a point of order can be resolved.
struct CoordinationAdvice {
  size_t point = 0;  ///< index into PointsOfOrderAnalysis::points()
  /// "local": every input of the non-monotonic operator is complete on one node within
  /// a timestep; "distributed": an input arrives over a channel.
  std::string scope;
  std::vector<std::string> key;  ///< the group-by / join / notin key, when known
  std::string strategy;          ///< "stratify-locally", "seal-key", "ordered-delivery-or-barrier"
  std::string advice;            ///< one sentence for people
};

/// Per input, the distributed points of order its data crosses, and whether each is
/// paid per message of that input or only when another input (a "gate" that the
/// result is joined with, such as a checkout) arrives.
struct InputCost {
  std::string input;
  int distributed_points = 0;         ///< on the input's paths to outputs
  int per_message = 0;                ///< paid per message of this input
  std::vector<std::string> points;    ///< "from -> to", sorted
  std::vector<std::string> gated_by;  ///< inputs whose arrival gates the rest, sorted
};

class CoordinationAnalysis {
 public:
  CoordinationAnalysis(const Program& program, const DependencyGraph& graph,
                       const TemporalClusterAnalysis& clusters, const PointsOfOrderAnalysis& points,
                       const OutputLabelAnalysis& labels);

  /// One per point of order, in the order of points.points().
  const std::vector<CoordinationAdvice>& advice() const { return advice_; }
  /// One per input, sorted by input name.
  const std::vector<InputCost>& costs() const { return costs_; }

 private:
  std::vector<CoordinationAdvice> advice_;
  std::vector<InputCost> costs_;
};

/// The key columns of the non-monotonic operator applied to `collection` in `rule`
/// (group-by columns, argmin/argmax/argagg partition, notin or join pairs); empty
/// when the rule does not name one.
std::vector<std::string> operator_key(const Rule& rule, const std::string& collection);

}  // namespace calm
