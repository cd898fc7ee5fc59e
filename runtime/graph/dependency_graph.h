#pragma once

// The predicate dependency graph of a program (CIDR 2011, section 4.4): a node per
// collection, an edge body -> head per (rule, collection referenced on the rule's rhs).
// Edges carry what the analyses need: the rule, its operator, and whether the
// dependency is temporal, asynchronous or non-monotonic (and why).

#include <boost/graph/adjacency_list.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "model/program.h"

namespace calm {

/// Index of a node; nodes are numbered in collection-name order.
using NodeId = std::size_t;
/// Index of an edge in DependencyGraph::edges(); edges are sorted by (from, to, rule).
using EdgeId = std::size_t;

/// Why a dependency is non-monotonic.
enum class NonmonotonicKind {
  Aggregation,    ///< group, argmin/argmax/argagg, reduce/inject
  Negation,       ///< notin, or a membership test (include?, exists?, empty?, ...)
  Deletion,       ///< the rule uses `<-`
  Upsert,         ///< the rule uses `<+-` / `<-+`
  LatticeMethod,  ///< a lattice method outside the monotone list (e.g. `reveal`)
  UnknownMethod,  ///< a method calm does not know; assumed non-monotone, like Bud
};

/// "aggregation", "negation", "deletion", "upsert", "lattice-method", "unknown-method".
const char* to_string(NonmonotonicKind k);

/// One reason an edge is non-monotonic, e.g. {Negation, "negation (notin)"}.
struct NonmonotonicReason {
  NonmonotonicKind kind = NonmonotonicKind::Negation;
  std::string text;
  auto operator<=>(const NonmonotonicReason&) const = default;
};

/// A collection of the program.
struct DependencyNode {
  std::string name;
  bool declared = true;  ///< false when a rule names a collection the program does not declare
};

/// body -> head for one rule. Several references to the same collection in one rule
/// are merged into one edge whose reasons are the union of theirs.
struct DependencyEdge {
  NodeId from = 0;
  NodeId to = 0;
  std::string from_name;
  std::string to_name;
  int rule = 0;  ///< Rule::id
  RuleOp op = RuleOp::Merge;
  bool temporal = false;  ///< <+, <-, <+-, <-+ (never <~)
  bool async = false;     ///< <~
  bool nonmonotonic = false;
  std::vector<NonmonotonicReason> reasons;  ///< sorted, unique; empty iff monotone
  std::vector<Reference> refs;              ///< the rule's references behind this edge
};

/// The bundle of a Boost edge: its index into DependencyGraph::edges().
struct DependencyEdgeIndex {
  EdgeId id = 0;
};

/// The Boost.Graph type behind DependencyGraph. Vertex i is node i.
using DependencyBoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                                   boost::no_property, DependencyEdgeIndex>;

/// The non-monotonic reasons a single reference contributes (empty when monotone).
/// `lattice` is the lattice type of the referenced collection ("" when not a lattice).
std::vector<NonmonotonicReason> reference_reasons(const Reference& ref, const std::string& lattice);

/// The edge's non-monotonic reasons, comma-separated ("negation (notin), aggregation
/// (group)"); "" when monotone.
std::string reasons_text(const DependencyEdge& edge);

/// The non-monotonic reasons that an operator imposes on every edge of its rule.
std::vector<NonmonotonicReason> operator_reasons(RuleOp op);

/// The predicate dependency graph. Bootstrap rules contribute no edges (they run once,
/// before the first timestep). Built-in collections are nodes only when some
/// non-bootstrap rule uses them.
class DependencyGraph {
 public:
  explicit DependencyGraph(const Program& program);

  std::size_t node_count() const { return nodes_.size(); }
  std::size_t edge_count() const { return edges_.size(); }

  /// All nodes, in name order (NodeId i is nodes()[i]).
  const std::vector<DependencyNode>& nodes() const { return nodes_; }
  const DependencyNode& node(NodeId n) const { return nodes_.at(n); }
  const std::string& name(NodeId n) const { return nodes_.at(n).name; }
  /// The node of a collection, or nullopt when it is not in the graph.
  std::optional<NodeId> find(const std::string& name) const;

  /// All edges, sorted by (from name, to name, rule).
  const std::vector<DependencyEdge>& edges() const { return edges_; }
  const DependencyEdge& edge(EdgeId e) const { return edges_.at(e); }
  /// Edges leaving / entering a node, in edge order.
  std::vector<EdgeId> out_edges(NodeId n) const;
  std::vector<EdgeId> in_edges(NodeId n) const;

  /// The underlying Boost graph, for Boost.Graph algorithms.
  const DependencyBoostGraph& boost_graph() const { return graph_; }

 private:
  std::vector<DependencyNode> nodes_;
  std::vector<DependencyEdge> edges_;
  DependencyBoostGraph graph_;
};

}  // namespace calm
