#include "graph/dependency_graph.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "model/bud_operators.h"

namespace calm {

const char* to_string(NonmonotonicKind k) {
  switch (k) {
    case NonmonotonicKind::Aggregation:
      return "aggregation";
    case NonmonotonicKind::Negation:
      return "negation";
    case NonmonotonicKind::Deletion:
      return "deletion";
    case NonmonotonicKind::Upsert:
      return "upsert";
    case NonmonotonicKind::LatticeMethod:
      return "lattice-method";
    case NonmonotonicKind::UnknownMethod:
      return "unknown-method";
  }
  return "negation";
}

namespace {

std::string or_default(const std::string& s, const char* fallback) {
  return s.empty() ? std::string(fallback) : s;
}

}  // namespace

std::vector<NonmonotonicReason> reference_reasons(const Reference& ref,
                                                  const std::string& lattice) {
  switch (ref.context) {
    case RefContext::Scan:
    case RefContext::Schema:
      return {};
    case RefContext::Join:
      // An outer join pads unmatched tuples and retracts them when a match arrives.
      if (ref.method == "outer") return {{NonmonotonicKind::Negation, "negation (outer join)"}};
      return {};
    case RefContext::Group:
      return {
          {NonmonotonicKind::Aggregation, "aggregation (" + or_default(ref.method, "group") + ")"}};
    case RefContext::ArgAgg:
      return {{NonmonotonicKind::Aggregation,
               "aggregation (" + or_default(ref.method, "argagg") + ")"}};
    case RefContext::Reduce:
      return {{NonmonotonicKind::Aggregation,
               "aggregation (" + or_default(ref.method, "reduce") + ")"}};
    case RefContext::NotIn:
      return {{NonmonotonicKind::Negation, "negation (" + or_default(ref.method, "notin") + ")"}};
    case RefContext::Membership:
      return {{NonmonotonicKind::Negation, std::string(ref.negated ? "negated " : "") +
                                               "membership test (" +
                                               or_default(ref.method, "include?") + ")"}};
    case RefContext::LatticeMethod:
      if (ref.negated)
        return {{NonmonotonicKind::Negation,
                 "negation of a lattice test (" + or_default(ref.method, "?") + ")"}};
      if (is_monotone_lattice_method(lattice, ref.method)) return {};
      return {{NonmonotonicKind::LatticeMethod,
               "non-monotone lattice method (" + or_default(ref.method, "?") + ")"}};
    case RefContext::UnknownMethod:
      return {{NonmonotonicKind::UnknownMethod,
               "unknown method (" + or_default(ref.method, "?") + "), assumed non-monotone"}};
  }
  return {};
}

std::vector<NonmonotonicReason> operator_reasons(RuleOp op) {
  switch (op) {
    case RuleOp::Delete:
      return {{NonmonotonicKind::Deletion, "deletion (<-)"}};
    case RuleOp::Upsert:
    case RuleOp::DeleteInsert:
      return {{NonmonotonicKind::Upsert, std::string("upsert (") + to_string(op) + ")"}};
    default:
      return {};
  }
}

DependencyGraph::DependencyGraph(const Program& program) {
  // Which names the non-bootstrap rules use (as head or body).
  std::set<std::string> used;
  for (const auto& rule : program.rules) {
    if (rule.bootstrap || rule.lhs.empty()) continue;
    used.insert(rule.lhs);
    for (const auto& ref : rule.refs)
      if (!ref.collection.empty()) used.insert(ref.collection);
  }

  std::map<std::string, bool> names;  // name -> declared
  for (const auto& c : program.collections)
    if (!c.builtin || used.count(c.name)) names.emplace(c.name, true);
  for (const auto& n : used) names.emplace(n, false);  // keeps `true` for declared ones

  std::map<std::string, NodeId> index;
  for (const auto& [name, declared] : names) {
    index.emplace(name, nodes_.size());
    nodes_.push_back({name, declared});
  }

  // One edge per (rule, body collection).
  std::map<std::pair<int, std::string>, DependencyEdge> merged;
  for (const auto& rule : program.rules) {
    if (rule.bootstrap || rule.lhs.empty()) continue;
    const auto op_reasons = operator_reasons(rule.op);
    for (const auto& ref : rule.refs) {
      if (ref.collection.empty()) continue;
      auto key = std::make_pair(rule.id, ref.collection);
      auto it = merged.find(key);
      if (it == merged.end()) {
        DependencyEdge e;
        e.from = index.at(ref.collection);
        e.to = index.at(rule.lhs);
        e.from_name = ref.collection;
        e.to_name = rule.lhs;
        e.rule = rule.id;
        e.op = rule.op;
        e.temporal = is_temporal(rule.op);
        e.async = rule.op == RuleOp::Async;
        e.reasons = op_reasons;
        it = merged.emplace(key, std::move(e)).first;
      }
      const Collection* c = program.find(ref.collection);
      const std::string lattice =
          c && c->kind == CollectionKind::Lattice ? c->lattice : std::string();
      auto user = program.user_lattices.find(lattice);
      bool user_monotone =
          ref.context == RefContext::LatticeMethod && !ref.negated &&
          user != program.user_lattices.end() &&
          std::find(user->second.begin(), user->second.end(), ref.method) != user->second.end();
      if (!user_monotone)
        for (auto& r : reference_reasons(ref, lattice)) it->second.reasons.push_back(std::move(r));
      it->second.refs.push_back(ref);
    }
  }

  for (auto& [key, e] : merged) {
    std::sort(e.reasons.begin(), e.reasons.end());
    e.reasons.erase(std::unique(e.reasons.begin(), e.reasons.end()), e.reasons.end());
    e.nonmonotonic = !e.reasons.empty();
    edges_.push_back(std::move(e));
  }
  std::sort(edges_.begin(), edges_.end(), [](const DependencyEdge& a, const DependencyEdge& b) {
    return std::tie(a.from_name, a.to_name, a.rule) < std::tie(b.from_name, b.to_name, b.rule);
  });

  for (std::size_t i = 0; i < nodes_.size(); ++i) boost::add_vertex(graph_);
  for (EdgeId i = 0; i < edges_.size(); ++i)
    boost::add_edge(edges_[i].from, edges_[i].to, DependencyEdgeIndex{i}, graph_);
}

std::optional<NodeId> DependencyGraph::find(const std::string& name) const {
  auto it =
      std::lower_bound(nodes_.begin(), nodes_.end(), name,
                       [](const DependencyNode& n, const std::string& s) { return n.name < s; });
  if (it != nodes_.end() && it->name == name) return static_cast<NodeId>(it - nodes_.begin());
  return std::nullopt;
}

std::vector<EdgeId> DependencyGraph::out_edges(NodeId n) const {
  std::vector<EdgeId> out;
  for (auto [it, end] = boost::out_edges(n, graph_); it != end; ++it) out.push_back(graph_[*it].id);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<EdgeId> DependencyGraph::in_edges(NodeId n) const {
  std::vector<EdgeId> in;
  for (auto [it, end] = boost::in_edges(n, graph_); it != end; ++it) in.push_back(graph_[*it].id);
  std::sort(in.begin(), in.end());
  return in;
}

std::string reasons_text(const DependencyEdge& edge) {
  std::string out;
  for (const auto& r : edge.reasons) {
    if (!out.empty()) out += ", ";
    out += r.text;
  }
  return out;
}

}  // namespace calm
