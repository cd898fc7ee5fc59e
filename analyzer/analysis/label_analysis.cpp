#include "analysis/label_analysis.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <set>

#include "graph/graph_paths.h"

namespace calm {

const char* to_string(Label l) {
  switch (l) {
    case Label::Confluent:
      return "confluent";
    case Label::Async:
      return "async";
    case Label::NonMonotonic:
      return "nonmonotonic";
    case Label::Diffluent:
      return "diffluent";
  }
  return "confluent";
}

const char* short_name(Label l) {
  switch (l) {
    case Label::Confluent:
      return "Bot";
    case Label::Async:
      return "A";
    case Label::NonMonotonic:
      return "N";
    case Label::Diffluent:
      return "D";
  }
  return "Bot";
}

Label join(Label a, Label b) {
  if (a == b) return a;
  if (a == Label::Confluent) return b;
  if (b == Label::Confluent) return a;
  return Label::Diffluent;  // A with N, or anything with D
}

Label then(Label before, Label step) {
  if (before == Label::Diffluent || step == Label::Diffluent) return Label::Diffluent;
  if (step == Label::Confluent) return before;
  if (before == Label::Confluent) return step;
  if (before == Label::Async && step == Label::NonMonotonic) return Label::Diffluent;
  return before;  // A then A, N then N, N then A
}

namespace {

bool persistent(const Collection* c) {
  return c && (c->kind == CollectionKind::Table || c->kind == CollectionKind::Lattice ||
               c->kind == CollectionKind::Sync || c->kind == CollectionKind::Store);
}

bool channel_like(const Collection* c) {
  return c && (c->kind == CollectionKind::Channel || c->kind == CollectionKind::Loopback);
}

}  // namespace

OutputLabelAnalysis::OutputLabelAnalysis(const Program& program, const DependencyGraph& g,
                                         const PointsOfOrderAnalysis& points) {
  // Inputs and outputs.
  std::set<std::string> read, written;
  for (const DependencyEdge& e : g.edges()) {
    read.insert(e.from_name);
    written.insert(e.to_name);
  }
  for (const auto& node : g.nodes()) {
    const Collection* c = program.find(node.name);
    if (!c) continue;
    // A channel the program writes itself carries what peers running the same
    // rules sent: its label comes from the paths that feed it, not from outside.
    bool is_input = c->kind == CollectionKind::Input ||
                    ((channel_like(c) || c->kind == CollectionKind::Periodic ||
                      c->kind == CollectionKind::Terminal) &&
                     read.count(c->name) && !written.count(c->name));
    bool is_output =
        c->kind == CollectionKind::Output ||
        ((channel_like(c) || c->kind == CollectionKind::Terminal) && written.count(c->name));
    if (is_input) inputs_.push_back(c->name);
    if (is_output) outputs_.push_back(c->name);
  }

  // Edge labels: async, a point of order (N), or neither.
  auto step_label = [&](EdgeId e) {
    Label l = points.is_point_of_order(e) ? Label::NonMonotonic : Label::Confluent;
    if (g.edge(e).async) l = then(l, Label::Async);
    return l;
  };
  auto start_label = [&](const std::string& input) {
    const Collection* c = program.find(input);
    return c && c->kind != CollectionKind::Input ? Label::Async : Label::Confluent;
  };

  // Reachability is computed sparsely (the nodes reached, found with one shared
  // visited mark) so that a program with many channels and outputs, each reaching a
  // small part of the graph, costs the size of what is reached, not channels x nodes.
  std::vector<uint32_t> mark(g.node_count(), 0);
  uint32_t epoch = 0;
  auto reach_list = [&](NodeId start, Traversal dir, const std::function<bool(NodeId)>& through) {
    ++epoch;
    std::vector<NodeId> out{start}, stack{start};
    mark[start] = epoch;
    const bool forward = dir == Traversal::Forward;
    while (!stack.empty()) {
      NodeId n = stack.back();
      stack.pop_back();
      if (through && !through(n)) continue;
      for (EdgeId e : forward ? g.out_edges(n) : g.in_edges(n)) {
        NodeId m = forward ? g.edge(e).to : g.edge(e).from;
        if (mark[m] != epoch) {
          mark[m] = epoch;
          out.push_back(m);
          stack.push_back(m);
        }
      }
    }
    return out;
  };

  // Channel races (budlabel's GuardedAsync): two different channels, neither feeding
  // the other, meet at a collection, and on one of them the way there holds no table
  // or lattice (which would keep what arrived until the other side comes).
  std::vector<NodeId> channels;
  for (NodeId n = 0; n < g.node_count(); ++n)
    if (channel_like(program.find(g.name(n)))) channels.push_back(n);
  // Per node, the channels (indices into `channels`, ascending) that reach it, and
  // those that reach it unguarded.
  std::vector<std::vector<uint32_t>> ch_at(g.node_count()), unguarded_at(g.node_count());
  for (uint32_t i = 0; i < channels.size(); ++i) {
    NodeId c = channels[i];
    for (NodeId n : reach_list(c, Traversal::Forward, nullptr)) ch_at[n].push_back(i);
    for (NodeId n : reach_list(c, Traversal::Forward, [&](NodeId n) {
           return n == c || !persistent(program.find(g.name(n)));
         }))
      // A persistent node reached is itself guarded.
      if (n == c || !persistent(program.find(g.name(n)))) unguarded_at[n].push_back(i);
  }
  auto has = [](const std::vector<uint32_t>& v, uint32_t i) {
    return std::binary_search(v.begin(), v.end(), i);
  };
  auto ch_reaches = [&](uint32_t i, uint32_t j) { return has(ch_at[channels[j]], i); };
  // The two streams must meet in one rule (a join): a union of two channels in
  // separate rules is order-insensitive.
  std::vector<NodeId> race_points;
  std::vector<LabelCause> race_causes;
  std::map<int, std::vector<const DependencyEdge*>> by_rule;
  for (const DependencyEdge& e : g.edges()) by_rule[e.rule].push_back(&e);
  for (const auto& [rule, edges] : by_rule) {
    bool found = false;
    for (size_t a = 0; a < edges.size() && !found; ++a)
      for (size_t b = 0; b < edges.size() && !found; ++b) {
        NodeId x = edges[a]->from, y = edges[b]->from;
        if (x == y) continue;
        for (uint32_t i : ch_at[x]) {
          if (found) break;
          for (uint32_t j : ch_at[y]) {
            if (i == j || ch_reaches(i, j) || ch_reaches(j, i)) continue;
            if (has(unguarded_at[x], i) || has(unguarded_at[y], j)) {
              found = true;
              break;
            }
          }
        }
      }
    if (!found) continue;
    NodeId head = edges.front()->to;
    race_points.push_back(head);
    const Rule& r = program.rules.at(rule);
    race_causes.push_back({"channel-race", edges.front()->from_name, g.name(head), rule,
                           r.op_location.known() ? r.op_location : r.location});
  }
  std::vector<bool> racy = reachable(g, race_points);
  for (NodeId n = 0; n < g.node_count(); ++n)
    if (racy[n]) racy_.push_back(g.name(n));
  std::vector<std::vector<size_t>> races_at(g.node_count());  // race cause indices by head
  for (size_t k = 0; k < race_causes.size(); ++k) races_at[*g.find(race_causes[k].to)].push_back(k);

  // Per input: the labels with which each node can be reached ((node, label) search),
  // and what it reaches.
  struct InputReach {
    std::string input;
    NodeId node;
    std::vector<std::array<bool, 4>> seen;
    std::vector<bool> fwd;
  };
  std::vector<InputReach> per_input;
  for (const auto& input : inputs_) {
    NodeId in = *g.find(input);
    std::vector<std::array<bool, 4>> seen(g.node_count(), {false, false, false, false});
    std::vector<std::pair<NodeId, Label>> stack{{in, start_label(input)}};
    seen[in][int(start_label(input))] = true;
    while (!stack.empty()) {
      auto [n, l] = stack.back();
      stack.pop_back();
      for (EdgeId e : g.out_edges(n)) {
        NodeId m = g.edge(e).to;
        Label next = then(l, step_label(e));
        if (!seen[m][int(next)]) {
          seen[m][int(next)] = true;
          stack.push_back({m, next});
        }
      }
    }
    per_input.push_back({input, in, std::move(seen), reachable(g, {in})});
  }
  // Per output: the nodes that reach it (sparse), then each input's path to it.
  for (const auto& output : outputs_) {
    NodeId o = *g.find(output);
    std::vector<NodeId> back = reach_list(o, Traversal::Backward, nullptr);
    // The edges into what reaches the output that can make a label worse, once for
    // every input (each edge is the in-edge of one node: no duplicates).
    std::vector<EdgeId> back_edges;
    for (NodeId n : back)
      for (EdgeId e : g.in_edges(n))
        if (points.is_point_of_order(e) || g.edge(e).async) back_edges.push_back(e);
    for (const InputReach& ir : per_input) {
      const std::vector<bool>& fwd = ir.fwd;
      if (!fwd[o] || (o == ir.node && g.in_edges(ir.node).empty())) continue;
      PathLabel p;
      p.input = ir.input;
      p.output = output;
      for (int k = 0; k < 4; ++k)
        if (ir.seen[o][k]) p.label = join(p.label, Label(k));
      if (racy[o]) p.label = Label::Diffluent;
      // Causes: the edges on some path from this input to this output (an edge whose
      // source the input reaches and whose target reaches the output).
      std::vector<LabelCause>& causes = p.causes;
      for (EdgeId e : back_edges) {
        const DependencyEdge& edge = g.edge(e);
        if (!fwd[edge.from]) continue;
        if (points.is_point_of_order(e))
          causes.push_back({"point-of-order", edge.from_name, edge.to_name, edge.rule, {}});
        if (edge.async) causes.push_back({"async", edge.from_name, edge.to_name, edge.rule, {}});
      }
      if (start_label(ir.input) == Label::Async)
        causes.push_back({"async", ir.input, ir.input, -1, program.find(ir.input)->location});
      for (NodeId n : back)
        if (fwd[n])
          for (size_t k : races_at[n]) causes.push_back(race_causes[k]);
      std::sort(causes.begin(), causes.end());
      causes.erase(std::unique(causes.begin(), causes.end()), causes.end());
      path_labels_.push_back(std::move(p));
    }
  }
  // Locations of the rule-based causes.
  auto locate = [&](std::vector<LabelCause>& causes) {
    for (LabelCause& c : causes)
      if (c.rule >= 0 && c.rule < int(program.rules.size()))
        c.location = program.rules[c.rule].op_location.known() ? program.rules[c.rule].op_location
                                                               : program.rules[c.rule].location;
  };
  for (PathLabel& p : path_labels_) locate(p.causes);
  std::sort(path_labels_.begin(), path_labels_.end(), [](const PathLabel& a, const PathLabel& b) {
    return std::tie(a.output, a.input) < std::tie(b.output, b.input);
  });

  // path_labels_ is sorted by output: each output's paths are one range.
  std::map<std::string, std::pair<size_t, size_t>> range;
  for (size_t k = 0; k < path_labels_.size(); ++k) {
    auto [it, fresh] = range.try_emplace(path_labels_[k].output, k, k + 1);
    if (!fresh) it->second.second = k + 1;
  }
  for (const auto& output : outputs_) {
    OutputLabel ol;
    ol.output = output;
    std::set<LabelCause> causes;
    auto r = range.find(output);
    size_t lo = r == range.end() ? 0 : r->second.first;
    size_t hi = r == range.end() ? 0 : r->second.second;
    for (size_t k = lo; k < hi; ++k)
      if (const PathLabel& p = path_labels_[k]; p.output == output) {
        ol.label = join(ol.label, p.label);
        ol.inputs.push_back(p.input);
        if (p.label != Label::Confluent) causes.insert(p.causes.begin(), p.causes.end());
      }
    ol.causes.assign(causes.begin(), causes.end());
    output_labels_.push_back(std::move(ol));
  }
}

const OutputLabel* OutputLabelAnalysis::find(const std::string& output) const {
  for (const auto& o : output_labels_)
    if (o.output == output) return &o;
  return nullptr;
}

}  // namespace calm
