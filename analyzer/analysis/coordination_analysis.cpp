#include "analysis/coordination_analysis.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <set>

#include "graph/graph_paths.h"
#include "model/bud_operators.h"

namespace calm {

namespace {

std::vector<bool> forward_reach(const DependencyGraph& g, const std::vector<NodeId>& starts,
                                const std::function<bool(EdgeId)>& allowed = nullptr) {
  return reachable(g, starts, Traversal::Forward, allowed);
}

std::vector<std::string> names_where(const DependencyGraph& g, const std::vector<bool>& v) {
  std::vector<std::string> out;
  for (NodeId n = 0; n < g.node_count(); ++n)
    if (v[n]) out.push_back(g.name(n));
  return out;
}

/// The nodes a point of order's effect starts from.
std::vector<NodeId> point_heads(const DependencyGraph& g, const TemporalClusterAnalysis* clusters,
                                const PointOfOrder& p) {
  if (p.kind == PointKind::ClusterSelf && clusters) {
    if (const TemporalCluster* c = clusters->find(p.cluster)) return c->members;
    return {};
  }
  if (auto n = g.find(p.to)) return {*n};
  return {};
}

std::string column_name(const Expr& e) {
  if (e.type == "simple_symbol" && e.text.size() > 1) return e.text.substr(1);
  if (e.type == "call") {
    if (const Expr* m = e.child("method")) return m->text;
  }
  if (e.type == "string" && !e.children.empty()) return e.children[0].text;
  return e.text;
}

void find_calls(const Expr& e, const std::function<void(const Expr&)>& visit) {
  if (e.type == "call") visit(e);
  for (const Expr& c : e.children) find_calls(c, visit);
}

/// Sparse searches over one graph: each visits only what it reaches (a shared mark
/// array instead of a fresh vector per search), so many small searches stay linear.
class SparseSearch {
 public:
  explicit SparseSearch(const DependencyGraph& g) : g_(g), mark_(g.node_count(), 0) {}

  /// The nodes reached from `starts` (included), following `allowed` edges (all when
  /// null) forward or backward. Stops early, returning true, as soon as it reaches a
  /// node for which `goal` holds (when given); `visited` then holds what was seen.
  bool run(const std::vector<NodeId>& starts, bool forward,
           const std::function<bool(EdgeId)>& allowed, const std::function<bool(NodeId)>& goal,
           std::vector<NodeId>& visited) {
    ++epoch_;
    visited.clear();
    std::vector<NodeId> stack;
    for (NodeId s : starts)
      if (mark_[s] != epoch_) {
        mark_[s] = epoch_;
        visited.push_back(s);
        stack.push_back(s);
        if (goal && goal(s)) return true;
      }
    while (!stack.empty()) {
      NodeId n = stack.back();
      stack.pop_back();
      for (EdgeId e : forward ? g_.out_edges(n) : g_.in_edges(n)) {
        if (allowed && !allowed(e)) continue;
        NodeId m = forward ? g_.edge(e).to : g_.edge(e).from;
        if (mark_[m] == epoch_) continue;
        mark_[m] = epoch_;
        visited.push_back(m);
        if (goal && goal(m)) return true;
        stack.push_back(m);
      }
    }
    return false;
  }

 private:
  const DependencyGraph& g_;
  std::vector<uint32_t> mark_;
  uint32_t epoch_ = 0;
};

}  // namespace

std::vector<std::string> operator_key(const Rule& rule, const std::string& collection) {
  const std::string local = collection.substr(collection.rfind('.') + 1);
  const Reference* ref = nullptr;
  for (const Reference& r : rule.refs)
    if (r.collection == collection && r.context != RefContext::Scan &&
        r.context != RefContext::Join && r.context != RefContext::Schema)
      ref = &r;
  std::vector<std::string> key;
  std::string method = ref ? ref->method : "";
  find_calls(rule.rhs, [&](const Expr& call) {
    if (!key.empty()) return;
    const Expr* m = call.child("method");
    const Expr* args = call.child("arguments");
    if (!m || !args || args->children.empty()) return;
    const std::string& name = m->text;
    const Expr& first = args->children[0];
    // Which arguments name the key: the operator table's (model/bud_operators.h).
    const BudOperator* op = find_bud_operator(name, OperatorKind::CollectionMethod);
    if (!op) op = find_bud_operator(name, OperatorKind::JoinMethod);
    KeyArgs keys = op ? op->keys : KeyArgs::None;
    if (keys == KeyArgs::FirstArray && first.type == "array") {
      for (const Expr& col : first.children) key.push_back(column_name(col));
    } else if (keys == KeyArgs::SecondArray && args->children.size() >= 2 &&
               args->children[1].type == "array") {
      for (const Expr& col : args->children[1].children) key.push_back(column_name(col));
    } else if (keys == KeyArgs::HashPairs) {
      for (const Expr& a : args->children) {
        const Expr* pair = &a;
        if (a.type == "hash" && !a.children.empty()) pair = &a.children[0];
        if (pair->type != "pair") continue;
        const Expr* k = pair->child("key");
        if (k) key.push_back(column_name(*k));
      }
    }
  });
  (void)local;
  std::sort(key.begin(), key.end());
  key.erase(std::unique(key.begin(), key.end()), key.end());
  return key;
}

// ---------------------------------------------------------------------------

GuessTaintAnalysis::GuessTaintAnalysis(const Program& program, const DependencyGraph& g,
                                       const PointsOfOrderAnalysis& points,
                                       const OutputLabelAnalysis& labels,
                                       const std::vector<size_t>& resolved) {
  std::vector<NodeId> starts;
  for (size_t i = 0; i < points.points().size(); ++i) {
    if (std::find(resolved.begin(), resolved.end(), i) != resolved.end()) continue;
    for (NodeId n : point_heads(g, nullptr, points.points()[i])) starts.push_back(n);
    // A cluster's self point taints its members, which the entry edges reach anyway.
  }
  std::vector<bool> taint = forward_reach(g, starts);
  guesses_ = names_where(g, taint);
  for (const auto& o : labels.outputs())
    if (is_guess(o)) outputs_.push_back(o);
  for (const auto& name : guesses_) {
    const Collection* c = program.find(name);
    bool boundary = std::find(labels.outputs().begin(), labels.outputs().end(), name) !=
                        labels.outputs().end() ||
                    (c && c->kind == CollectionKind::Output);
    if (boundary) memories_.push_back(name);
  }
}

bool GuessTaintAnalysis::is_guess(const std::string& collection) const {
  return std::binary_search(guesses_.begin(), guesses_.end(), collection);
}

// ---------------------------------------------------------------------------

CoordinationAnalysis::CoordinationAnalysis(const Program& program, const DependencyGraph& g,
                                           const TemporalClusterAnalysis& clusters,
                                           const PointsOfOrderAnalysis& points,
                                           const OutputLabelAnalysis& labels) {
  // What arrives over the network: heads of async edges, and channel inputs.
  std::vector<NodeId> async_heads;
  for (const DependencyEdge& e : g.edges())
    if (e.async) async_heads.push_back(e.to);
  for (const auto& in : labels.inputs()) {
    const Collection* c = program.find(in);
    if (c && c->kind != CollectionKind::Input) async_heads.push_back(*g.find(in));
  }
  std::vector<bool> remote = forward_reach(g, async_heads);

  for (size_t i = 0; i < points.points().size(); ++i) {
    const PointOfOrder& p = points.points()[i];
    CoordinationAdvice a;
    a.point = i;
    bool distributed = false;
    if (p.kind == PointKind::ClusterSelf) {
      for (NodeId n : point_heads(g, &clusters, p)) distributed |= remote[n];
    } else if (auto from = g.find(p.from)) {
      distributed = remote[*from];
      if (p.edge) distributed |= g.edge(*p.edge).async;
    }
    a.scope = distributed ? "distributed" : "local";
    const Rule& rule = program.rules.at(p.rule);
    std::string body = p.kind == PointKind::ClusterSelf ? "" : p.from;
    if (!body.empty()) a.key = operator_key(rule, body);
    std::string where =
        rule.lhs + " " + to_string(rule.op) + " ... (" + to_string(rule.location) + ")";
    if (!distributed) {
      a.strategy = "stratify-locally";
      a.advice = "resolvable without communication: every input of " + where +
                 " is complete on one node within a timestep";
    } else if (!a.key.empty()) {
      std::string k;
      for (size_t j = 0; j < a.key.size(); ++j) k += (j ? ", " : "") + a.key[j];
      a.strategy = "seal-key";
      a.advice = "seal each partition of [" + k + "] (punctuate when no more input for a key " +
                 "can arrive) before " + where;
    } else {
      a.strategy = "ordered-delivery-or-barrier";
      a.advice = "needs ordered delivery or a barrier (e.g. consensus) before " + where;
    }
    advice_.push_back(std::move(a));
  }

  // Costs per input.
  std::vector<bool> is_output(g.node_count(), false);
  for (const auto& o : labels.outputs()) is_output[*g.find(o)] = true;
  // "State": persistent collections and what is derived from them within a timestep.
  // Joining with state never waits; joining with a pure message stream does.
  std::vector<NodeId> persistent_nodes;
  for (NodeId n = 0; n < g.node_count(); ++n) {
    const Collection* c = program.find(g.name(n));
    if (c && (c->kind == CollectionKind::Table || c->kind == CollectionKind::Lattice ||
              c->kind == CollectionKind::Sync || c->kind == CollectionKind::Store))
      persistent_nodes.push_back(n);
  }
  std::vector<bool> state = forward_reach(
      g, persistent_nodes, [&](EdgeId e) { return !g.edge(e).temporal && !g.edge(e).async; });
  // The edges of each rule, in edge order (gate_of looks at a rule's other edges).
  std::map<int, std::vector<EdgeId>> rule_edges;
  for (EdgeId e = 0; e < g.edge_count(); ++e) rule_edges[g.edge(e).rule].push_back(e);
  SparseSearch search(g);
  std::vector<NodeId> visited;
  auto output_goal = [&](NodeId n) { return bool(is_output[n]); };
  for (const auto& input : labels.inputs()) {
    NodeId in = *g.find(input);
    std::vector<bool> mine = forward_reach(g, {in});
    // A gate: an edge of a rule that joins with a message stream this input does not
    // feed (such as the checkout message a cart's contents wait for).
    auto gate_of = [&](EdgeId e) -> std::vector<std::string> {
      const DependencyEdge& edge = g.edge(e);
      std::vector<std::string> gates;
      for (EdgeId oe : rule_edges[edge.rule]) {
        const DependencyEdge& other = g.edge(oe);
        if (other.rule != edge.rule || other.from == edge.from || mine[other.from] ||
            state[other.from])
          continue;
        bool joined = std::any_of(other.refs.begin(), other.refs.end(),
                                  [](const Reference& r) { return r.context == RefContext::Join; });
        if (joined) gates.push_back(other.from_name);
      }
      return gates;
    };
    // Where this input's data goes without waiting for another input.
    std::set<std::string> gates_seen;
    auto ungated_edge = [&](EdgeId e) {
      auto gs = gate_of(e);
      gates_seen.insert(gs.begin(), gs.end());
      return gs.empty();
    };
    std::vector<bool> ungated_from_input = forward_reach(g, {in}, ungated_edge);
    InputCost cost;
    cost.input = input;
    std::set<std::string> gated_by, listed;
    for (size_t i = 0; i < points.points().size(); ++i) {
      const PointOfOrder& p = points.points()[i];
      if (advice_[i].scope != "distributed") continue;
      std::vector<NodeId> heads = point_heads(g, &clusters, p);
      std::vector<NodeId> tails;  // where the point's input comes from
      if (p.kind == PointKind::ClusterSelf) {
        tails = heads;
      } else if (auto from = g.find(p.from)) {
        tails = {*from};
      }
      bool on_path = false, ungated_in = false;
      for (NodeId t : tails) {
        on_path |= mine[t];
        ungated_in |= ungated_from_input[t];
      }
      if (!on_path) continue;
      // A point on a rule that itself joins with another input's stream waits for it.
      if (p.edge && !gate_of(*p.edge).empty()) ungated_in = false;
      bool feeds_output = search.run(heads, true, nullptr, output_goal, visited);
      if (!feeds_output) continue;
      ++cost.distributed_points;
      listed.insert(p.from + " -> " + p.to);
      // Paid per message of this input unless the way in or the way out waits for a gate.
      // (Stopping at the first output reached is enough: gates_seen is used only
      // when no output is reached, after a complete search.)
      gates_seen.clear();
      bool reaches_output_ungated = search.run(heads, true, ungated_edge, output_goal, visited);
      if (ungated_in && reaches_output_ungated) {
        ++cost.per_message;
      } else {
        if (!reaches_output_ungated) gated_by.insert(gates_seen.begin(), gates_seen.end());
        if (!ungated_in) {
          // The gates this input's data waits at on its way to the point.
          // Its own edge, and every edge from what the input reaches ungated into
          // what feeds the point's tails.
          if (p.edge) {
            auto gs = gate_of(*p.edge);
            gated_by.insert(gs.begin(), gs.end());
          }
          search.run(tails, false, nullptr, nullptr, visited);
          for (NodeId n : visited)
            for (EdgeId e : g.in_edges(n)) {
              if (!ungated_from_input[g.edge(e).from]) continue;
              auto gs = gate_of(e);
              gated_by.insert(gs.begin(), gs.end());
            }
        }
      }
    }
    cost.points.assign(listed.begin(), listed.end());
    cost.gated_by.assign(gated_by.begin(), gated_by.end());
    costs_.push_back(std::move(cost));
  }
  std::sort(costs_.begin(), costs_.end(),
            [](const InputCost& a, const InputCost& b) { return a.input < b.input; });
}

}  // namespace calm
