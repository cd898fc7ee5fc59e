#pragma once

// Per-output consistency labels (the label lattice of Bud's budlabel):
//
//   Confluent (Bot)  <  Async (A), NonMonotonic (N)  <  Diffluent (D)
//
// - Confluent: every path from the inputs is monotone: the same final contents in
//   every delivery order.
// - Async: only the order or time of arrival varies; the contents are deterministic.
// - NonMonotonic: the contents depend on the order of inputs at a point of order on
//   a single node.
// - Diffluent: the contents are nondeterministic: a non-monotonic step downstream of
//   asynchronous input (A followed by N is D), or an unguarded race of two channels
//   meeting at one collection.

#include <string>
#include <vector>

#include "analysis/points_of_order_analysis.h"
#include "graph/dependency_graph.h"
#include "model/program.h"

namespace calm {

enum class Label { Confluent, Async, NonMonotonic, Diffluent };

/// "confluent", "async", "nonmonotonic", "diffluent".
const char* to_string(Label l);
/// Bud's spelling: "Bot", "A", "N", "D".
const char* short_name(Label l);

/// The lattice join (A joined with N is D).
Label join(Label a, Label b);
/// A path that has label `before` then crosses a step labelled `step`: A then N is D;
/// N then A stays N (the order dependence is at one node; the contents it sends are
/// then only delayed).
Label then(Label before, Label step);

/// What makes a label worse than Confluent.
struct LabelCause {
  std::string kind;  ///< "point-of-order", "async", "channel-race"
  std::string from;
  std::string to;
  int rule = -1;  ///< -1 for a channel race
  SourceLocation location;
  auto operator<=>(const LabelCause&) const = default;
};

struct PathLabel {
  std::string input;
  std::string output;
  Label label = Label::Confluent;
  std::vector<LabelCause> causes;  ///< sorted
};

struct OutputLabel {
  std::string output;
  Label label = Label::Confluent;
  std::vector<std::string> inputs;  ///< inputs that reach it, sorted
  std::vector<LabelCause> causes;   ///< sorted
};

/// Computes the labels. Inputs: input interfaces, and the channels, loopbacks,
/// periodics and terminals the program reads but does not write (they start
/// asynchronous). Outputs: output interfaces, and the channels, loopbacks and
/// terminals (stdio) the program writes.
class OutputLabelAnalysis {
 public:
  OutputLabelAnalysis(const Program& program, const DependencyGraph& graph,
                      const PointsOfOrderAnalysis& points);

  const std::vector<std::string>& inputs() const { return inputs_; }
  const std::vector<std::string>& outputs() const { return outputs_; }
  /// One per output, sorted by output name.
  const std::vector<OutputLabel>& output_labels() const { return output_labels_; }
  /// One per (input, output) pair where the input reaches the output, sorted.
  const std::vector<PathLabel>& path_labels() const { return path_labels_; }
  /// Collections where two channels meet without a table or lattice on the way
  /// (and everything downstream of them), sorted.
  const std::vector<std::string>& racy() const { return racy_; }
  const OutputLabel* find(const std::string& output) const;

 private:
  std::vector<std::string> inputs_, outputs_, racy_;
  std::vector<OutputLabel> output_labels_;
  std::vector<PathLabel> path_labels_;
};

}  // namespace calm
