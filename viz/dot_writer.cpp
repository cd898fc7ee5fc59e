#include "viz/dot_writer.h"

#include <map>
#include <set>

namespace calm::viz {

namespace {

constexpr const char* kFont = "Helvetica";
constexpr const char* kZeroWidthSpace = "\xE2\x80\x8B";

void add(Attributes& a, const char* name, const std::string& value) { a.emplace_back(name, value); }

}  // namespace

std::string graphviz_text(const std::string& plain) {
  std::string out;
  out.reserve(plain.size());
  for (char c : plain) {
    if (c == '\\') {
      out += "\\\\";
      out += kZeroWidthSpace;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      continue;
    } else {
      out += c;
    }
  }
  return out;
}

std::string dot_quote(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '\\';
    out += c;
  }
  // A value not made by graphviz_text() could end with a backslash, which would escape
  // the closing quote: a backslash-newline (line continuation) keeps it literal.
  if (!value.empty() && value.back() == '\\') out += "\\\n";
  return out + "\"";
}

Attributes graph_attributes(const Diagram& d) {
  Attributes a;
  add(a, "id", d.svg_id);
  add(a, "label", graphviz_text(d.name + (d.expanded ? " (expanded)" : "")));
  add(a, "labelloc", "t");
  add(a, "fontname", kFont);
  add(a, "fontsize", "16");
  add(a, "rankdir", "LR");
  add(a, "nodesep", "0.3");
  add(a, "ranksep", "0.5");
  add(a, "class", "dataflow");
  return a;
}

Attributes node_defaults() {
  Attributes a;
  add(a, "fontname", kFont);
  add(a, "fontsize", "12");
  return a;
}

Attributes edge_defaults() {
  Attributes a;
  add(a, "fontname", kFont);
  add(a, "fontsize", "11");
  add(a, "arrowsize", "0.8");
  return a;
}

Attributes node_attributes(const DiagramNode& n) {
  Attributes a;
  add(a, "id", n.svg_id);
  add(a, "class", n.classes);
  add(a, "label", graphviz_text(n.label));
  add(a, "shape", to_string(n.shape));
  if (!n.color.empty()) {
    add(a, "color", n.color);
    if (n.role != NodeRole::Legend || n.shape != NodeShape::Plain) add(a, "fontcolor", n.color);
  }
  bool strong = n.role == NodeRole::Cluster || n.focus ||
                (n.role == NodeRole::Legend && n.shape == NodeShape::Octagon);
  bool pseudo = n.role == NodeRole::Source || n.role == NodeRole::Sink ||
                n.role == NodeRole::Underspecified || n.shape == NodeShape::Diamond;
  if (strong)
    add(a, "penwidth", "3");
  else if (pseudo)
    add(a, "penwidth", "2");
  std::string dashed = n.unread ? "dashed," : "";
  if (n.classes.find(" rounded") != std::string::npos) {
    add(a, "style", dashed + "rounded");
  } else if (n.focus) {
    add(a, "style", dashed + "bold,filled");
    add(a, "fillcolor", n.fillcolor.empty() ? "lightyellow" : n.fillcolor);
  } else if (!n.fillcolor.empty()) {
    add(a, "style", dashed + "filled");
    add(a, "fillcolor", n.fillcolor);
  } else if (n.unread) {
    add(a, "style", "dashed");
  }
  if (n.shape == NodeShape::Point) add(a, "width", "0.05");
  if (n.role == NodeRole::Legend) add(a, "fontsize", "10");
  if (n.shape == NodeShape::Diamond) add(a, "fixedsize", "false");
  if (!n.tooltip.empty()) add(a, "tooltip", graphviz_text(n.tooltip));
  return a;
}

Attributes edge_attributes(const DiagramEdge& e, bool xlabel) {
  Attributes a;
  add(a, "id", e.svg_id);
  add(a, "class", e.classes);
  if (e.classes.find("invisible") != std::string::npos) {
    add(a, "style", "invis");
    return a;
  }
  if (!e.label.empty()) add(a, xlabel ? "xlabel" : "label", graphviz_text(" " + e.label + " "));
  if (e.classes.rfind("legend", 0) == 0) add(a, "fontsize", "10");
  if (e.async) add(a, "style", "dashed");
  if (e.nonmonotonic) add(a, "arrowhead", "veeodot");
  if (e.point_of_order) {
    add(a, "color", "red");
    add(a, "fontcolor", "red");
    add(a, "penwidth", "2");
  } else if (e.pseudo) {
    bool unknown = e.classes.find("underspecified") != std::string::npos;
    add(a, "color", unknown ? "red" : "blue");
  }
  if (!e.tooltip.empty()) add(a, "tooltip", graphviz_text(e.tooltip));
  return a;
}

Attributes group_attributes(const DiagramGroup& g) {
  Attributes a;
  add(a, "id", g.svg_id);
  add(a, "class", g.classes);
  add(a, "label", graphviz_text(g.label));
  add(a, "color", g.color.empty() ? "black" : g.color);
  add(a, "fontcolor", g.color.empty() ? "black" : g.color);
  add(a, "fontname", kFont);
  add(a, "fontsize", "11");
  add(a, "penwidth", g.color == "red" ? "2" : "1");
  add(a, "style", g.classes == "module" || g.classes == "legend" ? "dashed,rounded" : "rounded");
  return a;
}

namespace {

std::string attribute_list(const Attributes& a) {
  std::string out = "[";
  for (size_t i = 0; i < a.size(); ++i)
    out += (i ? ", " : "") + a[i].first + "=" + dot_quote(a[i].second);
  return out + "]";
}

}  // namespace

std::string write_dot(const Diagram& d) {
  std::string out = "digraph " + dot_quote(d.name) + " {\n";
  for (const auto& [k, v] : graph_attributes(d)) out += "  " + k + "=" + dot_quote(v) + ";\n";
  out += "  node " + attribute_list(node_defaults()) + ";\n";
  out += "  edge " + attribute_list(edge_defaults()) + ";\n";

  std::map<std::string, const DiagramGroup*> group_of;
  for (const auto& g : d.groups)
    for (const auto& n : g.nodes) group_of[n] = &g;
  for (const auto& g : d.groups) {
    out += "  subgraph " + dot_quote(g.id) + " {\n";
    for (const auto& [k, v] : group_attributes(g)) out += "    " + k + "=" + dot_quote(v) + ";\n";
    for (const auto& n : d.nodes)
      if (group_of.count(n.id) && group_of[n.id] == &g)
        out += "    " + dot_quote(n.id) + " " + attribute_list(node_attributes(n)) + ";\n";
    out += "  }\n";
  }
  for (const auto& n : d.nodes)
    if (!group_of.count(n.id))
      out += "  " + dot_quote(n.id) + " " + attribute_list(node_attributes(n)) + ";\n";
  for (const auto* list : {&d.edges, &d.legend_edges})
    for (const auto& e : *list)
      out += "  " + dot_quote(e.from) + " -> " + dot_quote(e.to) + " " +
             attribute_list(edge_attributes(e, d.edge_xlabels && list == &d.edges)) + ";\n";
  return out + "}\n";
}

}  // namespace calm::viz
