#include "analysis/label_analysis.h"

#include "graph/graph_paths.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace calm {

const char* to_string(Label l) {
  switch (l) {
    case Label::Confluent: return "confluent";
    case Label::Async: return "async";
    case Label::NonMonotonic: return "nonmonotonic";
    case Label::Diffluent: return "diffluent";
  }
  return "confluent";
}

const char* short_name(Label l) {
  switch (l) {
    case Label::Confluent: return "Bot";
    case Label::Async: return "A";
    case Label::NonMonotonic: return "N";
    case Label::Diffluent: return "D";
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
    bool is_output = c->kind == CollectionKind::Output ||
                     ((channel_like(c) || c->kind == CollectionKind::Terminal) &&
                      written.count(c->name));
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

  // Channel races (budlabel's GuardedAsync): two different channels, neither feeding
  // the other, meet at a collection, and on one of them the way there holds no table
  // or lattice (which would keep what arrived until the other side comes).
  std::vector<NodeId> channels;
  for (NodeId n = 0; n < g.node_count(); ++n)
    if (channel_like(program.find(g.name(n)))) channels.push_back(n);
  std::vector<std::vector<bool>> ch_reach, ch_unguarded;
  for (NodeId c : channels) {
    ch_reach.push_back(reachable(g, {c}));
    ch_unguarded.push_back(reachable(g, {c}, Traversal::Forward, nullptr, [&](NodeId n) {
      return n == c || !persistent(program.find(g.name(n)));
    }));
    // A persistent node reached is itself guarded.
    for (NodeId n = 0; n < g.node_count(); ++n)
      if (n != c && persistent(program.find(g.name(n)))) ch_unguarded.back()[n] = false;
  }
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
        for (size_t i = 0; i < channels.size() && !found; ++i)
          for (size_t j = 0; j < channels.size() && !found; ++j) {
            if (i == j || ch_reach[i][channels[j]] || ch_reach[j][channels[i]]) continue;
            if (ch_reach[i][x] && ch_reach[j][y] && (ch_unguarded[i][x] || ch_unguarded[j][y]))
              found = true;
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

  // Per input: the labels with which each node can be reached ((node, label) search).
  auto backward_from = [&](NodeId o) { return reachable(g, {o}, Traversal::Backward); };
  std::vector<std::vector<bool>> back(g.node_count());
  for (const auto& o : outputs_) back[*g.find(o)] = backward_from(*g.find(o));

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
    std::vector<bool> fwd = reachable(g, {in});
    for (const auto& output : outputs_) {
      NodeId o = *g.find(output);
      if (!fwd[o] || (o == in && g.in_edges(in).empty())) continue;
      PathLabel p;
      p.input = input;
      p.output = output;
      for (int k = 0; k < 4; ++k)
        if (seen[o][k]) p.label = join(p.label, Label(k));
      if (racy[o]) p.label = Label::Diffluent;
      // Causes: the edges on some path from this input to this output.
      std::set<LabelCause> causes;
      for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const DependencyEdge& edge = g.edge(e);
        if (!fwd[edge.from] || !back[o][edge.to]) continue;
        if (points.is_point_of_order(e))
          causes.insert({"point-of-order", edge.from_name, edge.to_name, edge.rule, {}});
        if (edge.async) causes.insert({"async", edge.from_name, edge.to_name, edge.rule, {}});
      }
      if (start_label(input) == Label::Async)
        causes.insert({"async", input, input, -1, program.find(input)->location});
      for (const LabelCause& rc : race_causes)
        if (fwd[*g.find(rc.to)] && back[o][*g.find(rc.to)]) causes.insert(rc);
      p.causes.assign(causes.begin(), causes.end());
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

  for (const auto& output : outputs_) {
    OutputLabel ol;
    ol.output = output;
    std::set<LabelCause> causes;
    for (const PathLabel& p : path_labels_)
      if (p.output == output) {
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
