#include "viz/diagram.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <tuple>

#include "base/text.h"
#include "graph/graph_paths.h"
#include "model/locations.h"

namespace calm::viz {

const char* to_string(NodeShape s) {
  switch (s) {
    case NodeShape::Rect:
      return "box";
    case NodeShape::Oval:
      return "ellipse";
    case NodeShape::Octagon:
      return "octagon";
    case NodeShape::Diamond:
      return "diamond";
    case NodeShape::Plain:
      return "plaintext";
    case NodeShape::Point:
      return "point";
    case NodeShape::Folder:
      return "folder";
  }
  return "ellipse";
}

std::string svg_name(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.';
    out += ok ? static_cast<char>(c) : '_';
  }
  return out;
}

const char* label_fill(Label l) {
  switch (l) {
    case Label::Confluent:
      return "#d9f2d0";
    case Label::Async:
      return "#d6e6fa";
    case Label::NonMonotonic:
      return "#ffdfb3";
    case Label::Diffluent:
      return "#e8d4f4";
  }
  return "";
}

const char* label_ink(Label l) {
  switch (l) {
    case Label::Confluent:
      return "#2e7d32";
    case Label::Async:
      return "#1d5fa8";
    case Label::NonMonotonic:
      return "#b35900";
    case Label::Diffluent:
      return "#7b2a9b";
  }
  return "";
}

std::string label_class(Label l) { return std::string("label-") + to_string(l); }

std::string label_reason(const OutputLabelAnalysis& labels, const OutputLabel& output) {
  if (output.label != Label::Diffluent) return short_name(output.label);
  bool any_path_diffluent = false;
  for (const auto& p : labels.path_labels())
    if (p.output == output.output && p.label == Label::Diffluent) any_path_diffluent = true;
  // D only as the join of an A path and an N path.
  if (!any_path_diffluent) return "A and N from different inputs";
  bool async = false, point = false, race = false;
  for (const auto& c : output.causes) {
    async = async || c.kind == "async";
    point = point || c.kind == "point-of-order";
    race = race || c.kind == "channel-race";
  }
  std::string out;
  if ((async && point) || !race) out = "A then N";
  if (race) out += (out.empty() ? "" : "; ") + std::string("channel race");
  return out;
}

const DiagramNode* Diagram::find_node(const std::string& id) const {
  for (const auto& n : nodes)
    if (n.id == id) return &n;
  return nullptr;
}

const DiagramEdge* Diagram::find_edge(const std::string& from, const std::string& to) const {
  for (const auto& e : edges)
    if (e.from == from && e.to == to) return &e;
  return nullptr;
}

const DiagramEdge* Diagram::edge_for(EdgeId id) const {
  for (const auto& e : edges)
    if (std::binary_search(e.graph_edges.begin(), e.graph_edges.end(), id)) return &e;
  return nullptr;
}

const DiagramNode* Diagram::node_for(const std::string& collection) const {
  for (const auto& n : nodes) {
    if (n.role == NodeRole::Collection && n.id == collection) return &n;
    if ((n.role == NodeRole::Cluster || n.role == NodeRole::Module) &&
        std::binary_search(n.members.begin(), n.members.end(), collection))
      return &n;
  }
  return nullptr;
}

namespace {

constexpr const char* kSourceId = "pseudo:S";
constexpr const char* kSinkId = "pseudo:T";
constexpr const char* kUnderspecifiedId = "pseudo:??";

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

/// "[key] => [value]" ("[]" for an empty side).
std::string schema_text(const Collection& c) {
  std::string s = "[" + join(c.keys, ", ") + "]";
  if (!c.values.empty()) s += " => [" + join(c.values, ", ") + "]";
  return s;
}

std::string kind_text(const Collection& c) {
  if (c.kind == CollectionKind::Lattice && !c.lattice.empty()) return c.lattice;
  return to_string(c.kind);
}

/// The part of svg ids that names a node ("kvstate", "cluster-kvstate-prev", "S").
std::string node_key(const DiagramNode& n) {
  switch (n.role) {
    case NodeRole::Collection:
      return svg_name(n.id);
    case NodeRole::Cluster: {
      // Every member up to four; then the first three and how many more, so that ids
      // stay short for a big cluster (members are in one cluster only: still unique).
      std::vector<std::string> parts;
      for (const auto& m : n.members) parts.push_back(svg_name(m));
      if (parts.size() > kClusterLabelNames + 1) {
        std::size_t more = parts.size() - kClusterLabelNames;
        parts.resize(kClusterLabelNames);
        parts.push_back(std::to_string(more) + "more");
      }
      return "cluster-" + join(parts, "-");
    }
    case NodeRole::Source:
      return "S";
    case NodeRole::Sink:
      return "T";
    case NodeRole::Underspecified:
      return "underspecified";
    case NodeRole::Legend:
      return "legend-" + svg_name(n.id.substr(n.id.find(':') + 1));
    case NodeRole::NotRead:
      return "not-read";
    case NodeRole::Module:
      return "module-" + svg_name(n.id.substr(n.id.find(':') + 1));
  }
  return svg_name(n.id);
}

DiagramNode collection_node(const Program& program, const DependencyNode& gn,
                            const SourcesSinksAnalysis& ss) {
  DiagramNode n;
  n.id = gn.name;
  n.label = gn.name;
  n.role = NodeRole::Collection;
  const Collection* c = program.find(gn.name);
  std::string classes = "collection";
  if (c != nullptr && gn.declared) {
    n.shape = is_ephemeral(c->kind) ? NodeShape::Oval : NodeShape::Rect;
    n.module = c->module;
    n.tooltip = kind_text(*c) + " " + c->name;
    if (!c->keys.empty() || !c->values.empty()) n.tooltip += " " + schema_text(*c);
    if (!c->module.empty()) n.tooltip += "\nmodule " + c->module;
    if (c->location.known()) n.tooltip += "\n" + file_line(c->location);
    if (auto text = overridden_interface_text(program, c->name)) n.tooltip += "\n" + *text;
    classes += std::string(" ") + svg_name(to_string(c->kind));
    if (!is_ephemeral(c->kind)) classes += " persistent";
  } else {
    n.shape = NodeShape::Oval;
    n.tooltip = gn.name + " (not declared)";
    classes += " undeclared";
  }
  if (ss.is_source(gn.name)) classes += " source";
  if (ss.is_sink(gn.name)) classes += " sink";
  for (const auto& u : ss.underspecified())
    if (u.collection == gn.name)
      classes += std::string(" underspecified-") + to_string(u.direction);
  n.classes = classes;
  return n;
}

DiagramNode cluster_node(const DependencyGraph& graph, const TemporalCluster& c) {
  DiagramNode n;
  n.id = c.id;
  n.label = c.label;
  n.role = NodeRole::Cluster;
  n.shape = NodeShape::Octagon;
  n.color = "red";
  n.members = c.member_names;
  n.classes = "cluster temporal-cluster point-of-order";
  n.tooltip = "temporal cluster: " + join(c.member_names, ", ");
  if (!c.cycle.empty()) n.tooltip += "\ncycle: " + path_text(graph, c.cycle);
  return n;
}

DiagramNode pseudo_node(NodeRole role) {
  DiagramNode n;
  n.role = role;
  n.shape = NodeShape::Diamond;
  switch (role) {
    case NodeRole::Source:
      n.id = kSourceId;
      n.label = "S";
      n.color = "blue";
      n.classes = "pseudo source";
      n.tooltip = "S: where data enters the program (input interfaces, channels, periodics)";
      break;
    case NodeRole::Sink:
      n.id = kSinkId;
      n.label = "T";
      n.color = "blue";
      n.classes = "pseudo sink";
      n.tooltip = "T: where data leaves the program (output interfaces nothing reads)";
      break;
    default:
      n.id = kUnderspecifiedId;
      n.label = "??";
      n.color = "red";
      n.classes = "pseudo underspecified";
      n.tooltip =
          "??: underspecified dataflow (an input that reaches no output, or an "
          "output that nothing writes)";
      break;
  }
  return n;
}

/// One paragraph of an edge tooltip: the rule, where it is, why it matters.
std::string rule_paragraph(const ProgramAnalysis& a, const DependencyEdge& e, EdgeId id) {
  const Rule* rule = find_rule(a.program(), e.rule);
  std::string s;
  if (rule != nullptr) {
    s = rule->text + "\n  at " + file_line(rule_point(*rule));
  } else {
    s = e.from_name + " -> " + e.to_name + " (rule " + std::to_string(e.rule) + ")";
  }
  if (e.nonmonotonic) {
    std::vector<std::string> reasons;
    for (const auto& r : e.reasons) reasons.push_back(r.text);
    s += "\n  non-monotonic: " + join(reasons, "; ");
  }
  for (const auto& p : a.points_of_order().points())
    if (p.edge && *p.edge == id) s += "\n  point of order (" + std::string(to_string(p.kind)) + ")";
  return s;
}

DiagramEdge pseudo_edge(const std::string& from, const std::string& to) {
  DiagramEdge e;
  e.from = from;
  e.to = to;
  e.pseudo = true;
  if (from == kSourceId) {
    e.classes = "pseudo source-edge";
    e.tooltip = "source";
  } else if (to == kSinkId) {
    e.classes = "pseudo sink-edge";
    e.tooltip = "sink";
  } else {
    e.classes = "pseudo underspecified-edge";
    e.tooltip = "underspecified dataflow";
  }
  return e;
}

std::string edge_classes(const DiagramEdge& e) {
  std::string c = "dependency";
  if (e.temporal) c += " temporal";
  if (e.async) c += " async";
  if (e.nonmonotonic) c += " nonmonotonic";
  if (e.point_of_order) c += " point-of-order";
  return c;
}

/// Colours the nodes that show outputs by their consistency label and marks guesses.
void annotate_labels(Diagram& d, const ProgramAnalysis& a) {
  const OutputLabelAnalysis& labels = a.labels();
  const GuessTaintAnalysis& taint = a.taint();
  auto is_memory = [&](const std::string& c) {
    return std::find(taint.memories().begin(), taint.memories().end(), c) != taint.memories().end();
  };
  for (auto& n : d.nodes) {
    std::vector<std::string> shown;
    if (n.role == NodeRole::Collection)
      shown = {n.id};
    else if (n.role == NodeRole::Cluster || n.role == NodeRole::Module)
      shown = n.members;
    else
      continue;
    std::vector<std::string> lines;
    bool memory = false;
    for (const auto& c : shown) {
      n.guess = n.guess || taint.is_guess(c);
      memory = memory || is_memory(c);
      const OutputLabel* o = labels.find(c);
      if (o == nullptr) continue;
      n.consistency = n.consistency ? join(*n.consistency, o->label) : o->label;
      std::string line = "label";
      if (n.role != NodeRole::Collection) line += " of " + c;
      lines.push_back(line + ": " + to_string(o->label) + " (" + label_reason(labels, *o) + ")");
    }
    if (n.consistency) {
      n.fillcolor = label_fill(*n.consistency);
      n.classes += " " + label_class(*n.consistency);
    }
    if (n.guess) {
      n.classes += " guess";
      lines.push_back(memory ? "guess leaving the program: a memory to log"
                             : "guess: downstream of a point of order");
    }
    if (memory) n.classes += " memory";
    for (const auto& l : lines) n.tooltip += (n.tooltip.empty() ? "" : "\n") + l;
  }
}

/// Keeps the nodes within `depth` hops of `start` (pseudo-nodes never relay), plus the
/// pseudo-nodes attached to them.
void apply_focus(Diagram& d, const std::string& start, int depth) {
  std::map<std::string, std::vector<std::string>> adjacent;
  auto is_pseudo = [&](const std::string& id) {
    const DiagramNode* n = d.find_node(id);
    return n == nullptr || (n->role != NodeRole::Collection && n->role != NodeRole::Cluster &&
                            n->role != NodeRole::Module);
  };
  for (const auto& e : d.edges) {
    if (is_pseudo(e.from) || is_pseudo(e.to)) continue;
    adjacent[e.from].push_back(e.to);
    adjacent[e.to].push_back(e.from);
  }
  std::map<std::string, int> dist{{start, 0}};
  std::deque<std::string> queue{start};
  while (!queue.empty()) {
    std::string n = queue.front();
    queue.pop_front();
    if (dist[n] >= depth) continue;
    for (const auto& m : adjacent[n])
      if (dist.emplace(m, dist[n] + 1).second) queue.push_back(m);
  }
  std::set<std::string> keep;
  for (const auto& [n, _] : dist) keep.insert(n);
  for (const auto& e : d.edges) {
    if (is_pseudo(e.from) && keep.count(e.to)) keep.insert(e.from);
    if (is_pseudo(e.to) && keep.count(e.from)) keep.insert(e.to);
  }
  std::erase_if(d.nodes, [&](const DiagramNode& n) { return !keep.count(n.id); });
  std::erase_if(d.edges,
                [&](const DiagramEdge& e) { return !keep.count(e.from) || !keep.count(e.to); });
  for (auto& g : d.groups)
    std::erase_if(g.nodes, [&](const std::string& n) { return !keep.count(n); });
  std::erase_if(d.groups, [](const DiagramGroup& g) { return g.nodes.empty(); });
  for (auto& n : d.nodes)
    if (n.id == start) {
      n.focus = true;
      n.classes += " focus";
    }
}

/// Marks what could not be read: the collections concerned dashed, and one red note
/// listing the unread parts (at most 8 lines, then "... and N more").
void mark_not_read(Diagram& d, const DiagramOptions& options) {
  for (auto& n : d.nodes) {
    auto it = n.role == NodeRole::Collection ? options.unread.find(n.id) : options.unread.end();
    if (it == options.unread.end()) continue;
    n.unread = true;
    n.classes += " unread";
    n.tooltip += (n.tooltip.empty() ? "" : "\n") + std::string("not fully read: ") + it->second;
  }
  if (options.not_read.empty()) return;
  DiagramNode n;
  n.id = "pseudo:not-read";
  n.role = NodeRole::NotRead;
  n.shape = NodeShape::Rect;
  n.color = "red";
  n.classes = "pseudo not-read";
  size_t count = options.not_read.size();
  n.label = "not read (" + std::to_string(count) + (count == 1 ? " part" : " parts") +
            " of the input; this diagram is incomplete):";
  for (size_t i = 0; i < count && i < 8; ++i) n.label += "\n" + options.not_read[i];
  if (count > 8) n.label += "\n... and " + std::to_string(count - 8) + " more";
  n.tooltip = n.label;
  d.nodes.push_back(n);
}

/// The legend: a compact key of at most three rows, each a chain of samples that
/// carry their own meaning (node shapes labelled inside, edge samples labelled on the
/// edge), so that no text stands apart from its symbol. `collapsed` picks the cluster's
/// sample: a red octagon, or the red box of --expanded.
void add_legend(Diagram& d, bool labels, bool collapsed) {
  DiagramGroup g;
  g.id = "cluster_legend";
  g.svg_id = "legend";
  g.label = "Legend";
  g.color = "gray";
  g.classes = "legend";
  auto node = [&](const std::string& key, const std::string& label, NodeShape shape,
                  const std::string& color) -> DiagramNode& {
    DiagramNode n;
    n.id = "legend:" + key;
    n.label = label;
    n.role = NodeRole::Legend;
    n.shape = shape;
    n.color = color;
    n.classes = "legend";
    n.tooltip = label;
    d.nodes.push_back(n);
    g.nodes.push_back(n.id);
    return d.nodes.back();
  };
  auto chain = [&](const std::string& from, const std::string& to) {
    DiagramEdge e;
    e.from = "legend:" + from;
    e.to = "legend:" + to;
    e.pseudo = true;
    e.classes = "legend invisible";
    d.legend_edges.push_back(e);
  };
  // Row 1: the nodes.
  node("a_table", "table (persistent)", NodeShape::Rect, "");
  node("b_scratch", "scratch, interface, channel", NodeShape::Oval, "");
  if (collapsed) {
    node("c_cluster", "temporal cluster", NodeShape::Octagon, "red");
  } else {
    DiagramNode& box = node("c_cluster", "temporal cluster (box)", NodeShape::Rect, "red");
    box.classes += " rounded";
  }
  node("d_S", "S: source", NodeShape::Diamond, "blue");
  node("f_T", "T: sink", NodeShape::Diamond, "blue");
  node("h_uu", "??: underspecified", NodeShape::Diamond, "red");
  const char* row1[] = {"a_table", "b_scratch", "c_cluster", "d_S", "f_T", "h_uu"};
  for (std::size_t i = 1; i < std::size(row1); ++i) chain(row1[i - 1], row1[i]);
  // Row 2: the edges, a chain of dots whose edges are the samples, labelled.
  struct Sample {
    const char* key;
    const char* text;
    bool temporal, async, nonmonotonic, point;
  };
  const Sample samples[] = {
      {"j_merge", "A in rhs, B in lhs (<=)", false, false, false, false},
      {"k_temporal", "+/- temporal (<+, <-)", true, false, false, false},
      {"l_async", "asynchronous (<~)", false, true, false, false},
      {"m_nonmono", "non-monotonic", false, false, true, false},
      {"n_point", "point of order", false, false, false, true},
  };
  node("j_dot0", "", NodeShape::Point, "");
  std::string previous = "j_dot0";
  for (const auto& s : samples) {
    std::string dot = std::string(s.key) + "_dot";
    node(dot, "", NodeShape::Point, "");
    DiagramEdge e;
    e.from = "legend:" + previous;
    e.to = "legend:" + dot;
    e.temporal = s.temporal;
    e.async = s.async;
    e.nonmonotonic = s.nonmonotonic;
    e.point_of_order = s.point;
    e.label = s.text;
    e.classes = "legend " + edge_classes(e);
    e.tooltip = s.text;
    d.legend_edges.push_back(e);
    previous = dot;
  }
  // Row 3: the fills of outputs by consistency label.
  if (labels) {
    const std::pair<const char*, Label> outputs[] = {
        {"o_confluent", Label::Confluent},
        {"p_async", Label::Async},
        {"q_nonmonotonic", Label::NonMonotonic},
        {"r_diffluent", Label::Diffluent},
    };
    for (std::size_t i = 0; i < std::size(outputs); ++i) {
      const auto& [key, l] = outputs[i];
      DiagramNode& n = node(key, std::string(to_string(l)) + " output (" + short_name(l) + ")",
                            NodeShape::Oval, "");
      n.consistency = l;
      n.fillcolor = label_fill(l);
      n.classes += " " + label_class(l);
      if (i > 0) chain(outputs[i - 1].first, key);
    }
  }
  d.groups.push_back(g);
}

/// Gives every node, edge and group a unique svg id (a "-2", "-3" suffix on clashes,
/// in sorted order, so the result is deterministic).
void assign_svg_ids(Diagram& d, const std::string& prefix) {
  std::map<std::string, std::string> key_of;
  for (auto& n : d.nodes) {
    std::string key = node_key(n);
    key_of[n.id] = key;
    switch (n.role) {
      case NodeRole::Collection:
        n.svg_id = "node-" + key;
        break;
      case NodeRole::Cluster:
      case NodeRole::Legend:
        n.svg_id = key;
        break;
      case NodeRole::Module:
        n.svg_id = "collapsed-" + key;
        break;
      default:
        n.svg_id = "pseudo-" + key;
        break;
    }
  }
  for (auto* list : {&d.edges, &d.legend_edges})
    for (auto& e : *list) e.svg_id = "edge-" + key_of[e.from] + "-" + key_of[e.to];
  std::set<std::string> used;
  auto unique = [&](std::string& id) {
    id = prefix + id;
    std::string base = id;
    for (int i = 2; !used.insert(id).second; ++i) id = base + "-" + std::to_string(i);
  };
  for (auto& g : d.groups) unique(g.svg_id);
  for (auto& n : d.nodes) unique(n.svg_id);
  for (auto& e : d.edges) unique(e.svg_id);
  for (auto& e : d.legend_edges) unique(e.svg_id);
}

}  // namespace

std::optional<Diagram> build_diagram(const ProgramAnalysis& a, const DiagramOptions& options,
                                     std::string& error) {
  const Program& program = a.program();
  const DependencyGraph& graph = a.graph();
  const TemporalClusterAnalysis& clusters = a.clusters();
  const SourcesSinksAnalysis& ss = a.sources_sinks();

  Diagram d;
  d.name = program.name;
  d.expanded = options.expanded;
  d.labels = options.labels;
  d.edge_xlabels = options.edge_xlabels;

  // The node that shows each graph node: its own, its collapsed cluster's (clusters
  // take precedence over modules) or its collapsed module's.
  auto expands = [&](const TemporalCluster& c) {
    return options.expanded ||
           std::find(options.expand_clusters.begin(), options.expand_clusters.end(), c.id) !=
               options.expand_clusters.end();
  };
  std::vector<std::string> shown(graph.node_count());
  std::set<std::string> in_cluster_group;
  std::map<std::string, std::vector<std::string>> collapsed_modules;
  for (NodeId n = 0; n < graph.node_count(); ++n) {
    std::optional<std::size_t> c = clusters.cluster_of(n);
    if (c && !expands(clusters.clusters()[*c])) {
      shown[n] = clusters.clusters()[*c].id;
      continue;
    }
    const Collection* decl = program.find(graph.name(n));
    if (!c && decl != nullptr && graph.node(n).declared &&
        std::find(options.collapse_modules.begin(), options.collapse_modules.end(), decl->module) !=
            options.collapse_modules.end()) {
      shown[n] = "module:" + decl->module;
      collapsed_modules[decl->module].push_back(graph.name(n));
      continue;
    }
    shown[n] = graph.name(n);
    d.nodes.push_back(collection_node(program, graph.node(n), ss));
    if (c) in_cluster_group.insert(graph.name(n));
  }
  for (auto& [module, members] : collapsed_modules) {
    std::sort(members.begin(), members.end());
    DiagramNode m;
    m.id = "module:" + module;
    m.label = module + "\n(" + std::to_string(members.size()) +
              (members.size() == 1 ? " collection)" : " collections)");
    m.role = NodeRole::Module;
    m.shape = NodeShape::Folder;
    m.color = "gray30";
    m.module = module;
    m.members = members;
    m.classes = "collapsed-module";
    m.tooltip = "module " + module + " (collapsed): " + join(members, ", ");
    d.nodes.push_back(m);
  }
  for (const auto& c : clusters.clusters()) {
    if (!expands(c)) {
      d.nodes.push_back(cluster_node(graph, c));
      continue;
    }
    DiagramGroup g;
    g.id = c.id;  // starts with "cluster": Graphviz boxes it
    DiagramNode probe = cluster_node(graph, c);
    g.svg_id = node_key(probe);
    g.label = "temporal cluster " + c.label;
    g.color = "red";
    g.classes = "temporal-cluster point-of-order";
    g.nodes = c.member_names;
    d.groups.push_back(g);
  }

  // Dependency edges, merged per (shown from, shown to).
  auto end_text = [&](const std::string& id) {
    for (const auto& c : clusters.clusters())
      if (c.id == id) return c.label;
    return id.rfind("module:", 0) == 0 ? "module " + id.substr(7) : id;
  };
  std::map<std::pair<std::string, std::string>, DiagramEdge> merged;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> paragraphs;
  for (EdgeId id = 0; id < graph.edge_count(); ++id) {
    const DependencyEdge& ge = graph.edge(id);
    const std::string& from = shown[ge.from];
    const std::string& to = shown[ge.to];
    if (from == to && clusters.cluster_of(ge.from) &&
        !expands(clusters.clusters()[*clusters.cluster_of(ge.from)]))
      continue;
    // Inside a collapsed module: drawn as no edge (the folder stands for them).
    if (from == to && from.rfind("module:", 0) == 0) continue;
    auto key = std::make_pair(from, to);
    DiagramEdge& e = merged[key];
    e.from = from;
    e.to = to;
    e.temporal = e.temporal || ge.temporal;
    e.async = e.async || ge.async;
    e.nonmonotonic = e.nonmonotonic || ge.nonmonotonic;
    e.point_of_order = e.point_of_order || a.points_of_order().is_point_of_order(id);
    e.graph_edges.push_back(id);
    if (std::find(e.rules.begin(), e.rules.end(), ge.rule) == e.rules.end())
      e.rules.push_back(ge.rule);
    paragraphs[key].push_back(rule_paragraph(a, ge, id));
  }
  for (auto& [key, e] : merged) {
    std::sort(e.graph_edges.begin(), e.graph_edges.end());
    std::sort(e.rules.begin(), e.rules.end());
    e.label = e.temporal ? "+/-" : "";
    e.classes = edge_classes(e);
    e.tooltip = end_text(e.from) + " -> " + end_text(e.to) + "\n" + join(paragraphs[key], "\n");
    d.edges.push_back(e);
  }

  // S, T and ??.
  std::set<std::pair<std::string, std::string>> pseudo;
  for (const auto& s : ss.sources())
    if (auto n = graph.find(s)) pseudo.insert({kSourceId, shown[*n]});
  for (const auto& s : ss.sinks())
    if (auto n = graph.find(s)) pseudo.insert({shown[*n], kSinkId});
  for (const auto& u : ss.underspecified())
    if (auto n = graph.find(u.collection)) {
      if (u.direction == Direction::Input)
        pseudo.insert({shown[*n], kUnderspecifiedId});
      else
        pseudo.insert({kUnderspecifiedId, shown[*n]});
    }
  bool has_source = false, has_sink = false, has_unknown = false;
  for (const auto& [from, to] : pseudo) {
    d.edges.push_back(pseudo_edge(from, to));
    has_source = has_source || from == kSourceId;
    has_sink = has_sink || to == kSinkId;
    has_unknown = has_unknown || from == kUnderspecifiedId || to == kUnderspecifiedId;
  }
  // S, T and ?? only with an edge: a diamond attached to nothing says nothing.
  if (has_source) d.nodes.push_back(pseudo_node(NodeRole::Source));
  if (has_sink) d.nodes.push_back(pseudo_node(NodeRole::Sink));
  if (has_unknown) d.nodes.push_back(pseudo_node(NodeRole::Underspecified));
  if (options.labels) annotate_labels(d, a);

  // Module boxes hold the collections that no cluster box holds.
  if (options.by_module) {
    std::map<std::string, std::vector<std::string>> by_module;
    for (const auto& n : d.nodes)
      if (n.role == NodeRole::Collection && !n.module.empty() && !in_cluster_group.count(n.id))
        by_module[n.module].push_back(n.id);
    for (auto& [module, ids] : by_module) {
      DiagramGroup g;
      g.id = "cluster_module:" + module;
      g.svg_id = "module-" + svg_name(module);
      g.label = module;
      g.color = "gray";
      g.classes = "module";
      g.nodes = ids;
      d.groups.push_back(g);
    }
  }

  auto by_id = [](const DiagramNode& x, const DiagramNode& y) { return x.id < y.id; };
  std::sort(d.nodes.begin(), d.nodes.end(), by_id);
  auto by_ends = [](const DiagramEdge& x, const DiagramEdge& y) {
    return std::tie(x.from, x.to) < std::tie(y.from, y.to);
  };
  std::sort(d.edges.begin(), d.edges.end(), by_ends);
  for (auto& g : d.groups) std::sort(g.nodes.begin(), g.nodes.end());

  if (!options.focus.empty()) {
    std::optional<NodeId> n = graph.find(options.focus);
    if (!n) {
      std::vector<std::string> names;
      for (const auto& gn : graph.nodes()) names.push_back(gn.name);
      error = "no collection '" + options.focus + "' in the dataflow of " + program.name +
              did_you_mean(options.focus, names);
      return std::nullopt;
    }
    apply_focus(d, shown[*n], std::max(0, options.depth));
  }

  mark_not_read(d, options);
  if (options.legend) add_legend(d, options.labels, !options.expanded);
  std::sort(d.nodes.begin(), d.nodes.end(), by_id);
  std::sort(d.groups.begin(), d.groups.end(),
            [](const DiagramGroup& x, const DiagramGroup& y) { return x.id < y.id; });
  assign_svg_ids(d, options.id_prefix);
  d.svg_id = options.id_prefix + "diagram";
  return d;
}

}  // namespace calm::viz
