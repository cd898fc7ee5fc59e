// The Diagram layer: which nodes, shapes, labels, classes and edges a program's
// dataflow diagram has (CIDR 2011, Figure 8), without drawing anything.

#include "viz/diagram.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "support/viz_support.h"
#include "viz/dot_writer.h"

using calm::viz::Diagram;
using calm::viz::DiagramOptions;
using calm::viz::NodeRole;
using calm::viz::NodeShape;
using calm::viz::test::Sample;

namespace {

bool has_class(const std::string& classes, const std::string& c) {
  std::string padded = " " + classes + " ";
  return padded.find(" " + c + " ") != std::string::npos;
}

}  // namespace

TEST_CASE("collapsed: BasicKVS's temporal cluster is one red octagon (Figure 10)") {
  Sample s("kvs/paper2011/kvs_2011.rb", "BasicKVS");
  Diagram d = s.diagram();
  const auto* c = d.find_node("cluster:kvstate,prev");
  REQUIRE(c != nullptr);
  CHECK(c->role == NodeRole::Cluster);
  CHECK(c->shape == NodeShape::Octagon);
  CHECK(c->color == "red");
  CHECK(c->label == "{kvstate, prev}");  // the cluster's label (TemporalCluster::label)
  CHECK(c->svg_id == "cluster-kvstate-prev");
  CHECK(c->tooltip.find("cycle: kvstate -> prev -> kvstate") != std::string::npos);
  // Members are not drawn on their own; their edges attach to the octagon.
  CHECK(d.find_node("kvstate") == nullptr);
  CHECK(d.find_node("prev") == nullptr);
  CHECK(d.node_for("prev") == c);
  const auto* in = d.find_edge("kvput", "cluster:kvstate,prev");
  REQUIRE(in != nullptr);
  CHECK(in->point_of_order);
  CHECK(in->temporal);
  CHECK(in->label == "+/-");
  CHECK(in->svg_id == "edge-kvput-cluster-kvstate-prev");
  CHECK(has_class(in->classes, "point-of-order"));
  CHECK(in->rules.size() == 2);  // kvstate <+ kvput and prev = join [kvstate, kvput]
  const auto* out = d.find_edge("cluster:kvstate,prev", "getj");
  REQUIRE(out != nullptr);
  CHECK(out->point_of_order);
  // Internal edges are hidden.
  for (const auto& e : d.edges) CHECK_FALSE((e.from == c->id && e.to == c->id));
}

TEST_CASE("expanded: members inside a red box, with every edge") {
  Sample s("kvs/paper2011/kvs_2011.rb", "BasicKVS");
  DiagramOptions o;
  o.expanded = true;
  Diagram d = s.diagram(o);
  CHECK(d.find_node("cluster:kvstate,prev") == nullptr);
  REQUIRE(d.groups.size() == 1);
  CHECK(d.groups[0].id == "cluster:kvstate,prev");
  CHECK(d.groups[0].svg_id == "cluster-kvstate-prev");
  CHECK(d.groups[0].color == "red");
  CHECK(d.groups[0].nodes == std::vector<std::string>{"kvstate", "prev"});
  const auto* kvstate = d.find_node("kvstate");
  REQUIRE(kvstate != nullptr);
  CHECK(kvstate->shape == NodeShape::Rect);  // a table
  CHECK(kvstate->svg_id == "node-kvstate");
  CHECK(d.find_node("prev")->shape == NodeShape::Oval);  // a view
  const auto* del = d.find_edge("prev", "kvstate");
  REQUIRE(del != nullptr);
  CHECK(del->nonmonotonic);  // <- : white circle
  CHECK(del->temporal);
  CHECK(del->point_of_order);
  CHECK(del->svg_id == "edge-prev-kvstate");
  const auto* put = d.find_edge("kvput", "kvstate");
  REQUIRE(put != nullptr);
  CHECK(put->svg_id == "edge-kvput-kvstate");
  CHECK(has_class(put->classes, "point-of-order"));
  const auto* internal = d.find_edge("kvstate", "prev");
  REQUIRE(internal != nullptr);
  CHECK_FALSE(internal->point_of_order);  // monotone and inside the cluster
}

TEST_CASE("shapes: tables rectangles, scratches and channels ovals, S and T blue diamonds") {
  Sample s("cart/disorderly_cart.rb", "DisorderlyCartServer");
  Diagram d = s.diagram();
  CHECK(d.find_node("cart_action")->shape == NodeShape::Rect);
  CHECK(d.find_node("action_cnt")->shape == NodeShape::Oval);
  CHECK(d.find_node("action_msg")->shape == NodeShape::Oval);
  const auto* src = d.find_node("pseudo:S");
  REQUIRE(src != nullptr);
  CHECK(src->shape == NodeShape::Diamond);
  CHECK(src->color == "blue");
  CHECK(src->label == "S");
  REQUIRE(d.find_node("pseudo:T") != nullptr);
  CHECK(d.find_node("pseudo:??") == nullptr);  // nothing underspecified
  CHECK(d.find_edge("pseudo:S", "client_action") != nullptr);
  CHECK(d.find_edge("client_response", "pseudo:T") != nullptr);
  // No cluster, three points of order; the async one is dashed.
  for (const auto& n : d.nodes) CHECK(n.role != NodeRole::Cluster);
  std::set<std::string> points;
  for (const auto& e : d.edges)
    if (e.point_of_order) points.insert(e.from + " -> " + e.to);
  CHECK(points == std::set<std::string>{"cart_action -> action_cnt", "deleted -> kept",
                                        "status -> response_msg"});
  CHECK(d.find_edge("status", "response_msg")->async);
  CHECK(d.find_edge("status", "response_msg")->nonmonotonic);
}

TEST_CASE("underspecified: a red ?? diamond between inputs and outputs (Figure 9)") {
  Sample s("kvs/paper2011/kvs_2011.rb", "KVSProtocol");
  Diagram d = s.diagram();
  const auto* u = d.find_node("pseudo:??");
  REQUIRE(u != nullptr);
  CHECK(u->shape == NodeShape::Diamond);
  CHECK(u->color == "red");
  CHECK(u->label == "??");
  CHECK(d.find_edge("kvput", "pseudo:??") != nullptr);
  CHECK(d.find_edge("kvget", "pseudo:??") != nullptr);
  CHECK(d.find_edge("pseudo:??", "kvget_response") != nullptr);
  CHECK(d.find_edge("pseudo:S", "kvput") != nullptr);
  CHECK(d.find_edge("kvget_response", "pseudo:T") != nullptr);
}

TEST_CASE("edges carry their rules' text, location and non-monotonic reason") {
  Sample s("cart/disorderly_cart.rb", "DisorderlyCart");
  Diagram d = s.diagram();
  const auto* e = d.find_edge("deleted", "kept");
  REQUIRE(e != nullptr);
  CHECK(e->tooltip.find("kept <= added.notin(deleted") != std::string::npos);
  CHECK(e->tooltip.find("disorderly_cart.rb:41") != std::string::npos);
  CHECK(e->tooltip.find("non-monotonic: negation") != std::string::npos);
  CHECK(d.find_node("kept")->tooltip.find("scratch kept [session, item] => [cnt]") !=
        std::string::npos);
}

TEST_CASE("--focus keeps the neighbourhood; unknown names are errors with a suggestion") {
  Sample s("cart/disorderly_cart.rb", "DisorderlyCartServer");
  DiagramOptions o;
  o.focus = "kept";
  o.depth = 1;
  Diagram d = s.diagram(o);
  std::set<std::string> ids;
  for (const auto& n : d.nodes) ids.insert(n.id);
  CHECK(ids == std::set<std::string>{"added", "deleted", "kept", "status"});
  CHECK(d.find_node("kept")->focus);
  o.depth = 0;
  CHECK(s.diagram(o).nodes.size() == 1);

  o.focus = "kepd";
  std::string error;
  CHECK_FALSE(calm::viz::build_diagram(*s.analysis, o, error).has_value());
  CHECK(error ==
        "no collection 'kepd' in the dataflow of DisorderlyCartServer; did you mean "
        "'kept'?");
}

TEST_CASE("--by-module boxes collections by module; --legend adds the Figure 8 legend") {
  Sample s("kvs/paper2011/kvs_2011.rb", "BasicKVS");
  DiagramOptions o;
  o.by_module = true;
  o.legend = true;
  Diagram d = s.diagram(o);
  std::set<std::string> groups;
  for (const auto& g : d.groups) groups.insert(g.svg_id);
  CHECK(groups == std::set<std::string>{"legend", "module-BasicKVS", "module-KVSProtocol"});
  for (const auto& g : d.groups)
    if (g.svg_id == "module-KVSProtocol")
      CHECK(g.nodes == std::vector<std::string>{"kvget", "kvget_response", "kvput"});
  CHECK(d.find_node("legend:c_cluster")->shape == NodeShape::Octagon);
  // Three rows: node shapes (5 invisible links), edge samples (5), label fills (3 links).
  CHECK(d.legend_edges.size() == 13);
  // Every edge sample carries its meaning on the edge itself.
  int labelled = 0;
  for (const auto& e : d.legend_edges) labelled += e.label.empty() ? 0 : 1;
  CHECK(labelled == 5);
  // --expanded: the legend shows the red box it draws, not an octagon.
  o.expanded = true;
  Diagram x = s.diagram(o);
  CHECK(x.find_node("legend:c_cluster")->shape == NodeShape::Rect);
  CHECK(x.find_node("legend:c_cluster")->color == "red");
}

TEST_CASE("S and T are drawn only with an edge") {
  Sample s("delivery/multicast.rb", "MembershipProtocol");  // one table, no interface
  Diagram d = s.diagram();
  CHECK(d.find_node("pseudo:S") == nullptr);
  CHECK(d.find_node("pseudo:T") == nullptr);
  for (const auto& n : d.nodes) CHECK(n.role == NodeRole::Collection);
  Sample k("kvs/kvs.rb", "BasicKVS");
  CHECK(k.diagram().find_node("pseudo:S") != nullptr);
  CHECK(k.diagram().find_node("pseudo:T") != nullptr);
}

TEST_CASE("expand one cluster; collapse a module into one folder node") {
  Sample s("cart/destructive_cart.rb", "DestructiveCartServer");
  const auto& clusters = s.analysis->clusters().clusters();
  REQUIRE(clusters.size() == 1);
  DiagramOptions o;
  o.expand_clusters = {clusters[0].id};
  Diagram d = s.diagram(o);
  CHECK(d.find_node(clusters[0].id) == nullptr);
  bool boxed = false;
  for (const auto& g : d.groups)
    if (g.id == clusters[0].id) {
      boxed = true;
      CHECK(g.label == "temporal cluster " + clusters[0].label);
      CHECK(g.nodes == clusters[0].member_names);
    }
  CHECK(boxed);

  // A module collapsed: its collections (outside clusters) become one node, their edges
  // attach to it, edges inside it disappear.
  Sample c("cart/disorderly_cart.rb", "DisorderlyCartServer");
  DiagramOptions m;
  m.collapse_modules = {"DisorderlyCart"};
  Diagram f = c.diagram(m);
  const auto* folder = f.find_node("module:DisorderlyCart");
  REQUIRE(folder != nullptr);
  CHECK(folder->role == NodeRole::Module);
  CHECK(folder->shape == NodeShape::Folder);
  CHECK(folder->svg_id == "collapsed-module-DisorderlyCart");
  CHECK(std::find(folder->members.begin(), folder->members.end(), "kept") != folder->members.end());
  CHECK(f.find_node("kept") == nullptr);
  CHECK(f.node_for("kept") == folder);
  for (const auto& e : f.edges) CHECK_FALSE((e.from == folder->id && e.to == folder->id));
  // The points of order inside the module are drawn as the folder.
  bool attached = false;
  for (const auto& e : f.edges) attached = attached || e.from == folder->id || e.to == folder->id;
  CHECK(attached);
}

TEST_CASE("svg ids are unique, prefixed on request, and names are sanitized") {
  Sample s("cart/destructive_cart.rb", "DestructiveCartServer");
  DiagramOptions o;
  o.id_prefix = "p--";
  o.legend = true;
  for (bool expanded : {false, true}) {
    o.expanded = expanded;
    Diagram d = s.diagram(o);
    std::set<std::string> ids{d.svg_id};
    for (const auto& n : d.nodes) CHECK(ids.insert(n.svg_id).second);
    for (const auto& e : d.edges) CHECK(ids.insert(e.svg_id).second);
    for (const auto& e : d.legend_edges) CHECK(ids.insert(e.svg_id).second);
    for (const auto& g : d.groups) CHECK(ids.insert(g.svg_id).second);
    for (const auto& id : ids) CHECK(id.rfind("p--", 0) == 0);
  }
  CHECK(calm::viz::svg_name("kvs.kvstate") == "kvs.kvstate");
  CHECK(calm::viz::svg_name("a b<c>\"") == "a_b_c__");
}

TEST_CASE("every point of order is drawn: as an edge, or as the cluster that hides it") {
  for (auto [file, module] : {std::pair{"kvs/kvs.rb", "BasicKVS"},
                              std::pair{"cart/destructive_cart.rb", "DestructiveCartServer"},
                              std::pair{"delivery/delivery.rb", "ReliableDelivery"}}) {
    Sample s(file, module);
    for (bool expanded : {false, true}) {
      DiagramOptions o;
      o.expanded = expanded;
      Diagram d = s.diagram(o);
      for (const auto& p : s.analysis->points_of_order().points()) {
        if (!p.edge) continue;
        const auto* e = d.edge_for(*p.edge);
        if (expanded) {
          REQUIRE_MESSAGE(e != nullptr, p.from << " -> " << p.to);
          CHECK(e->point_of_order);
        } else if (e == nullptr) {
          CHECK(d.node_for(p.from)->role == NodeRole::Cluster);
          CHECK(d.node_for(p.from) == d.node_for(p.to));
        }
      }
    }
  }
}

TEST_CASE("graphviz_text and dot_quote keep backslashes and quotes literal") {
  using calm::viz::dot_quote;
  using calm::viz::graphviz_text;
  const std::string zwsp = "\xE2\x80\x8B";
  CHECK(graphviz_text("a\nb") == "a\\nb");
  CHECK(graphviz_text("x\\N") == "x\\\\" + zwsp + "N");
  CHECK(dot_quote("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(dot_quote("end\\") == "\"end\\\\\n\"");
}

TEST_CASE("labels: outputs are filled by their consistency label, as budplot colours paths") {
  using calm::Label;
  Sample s("cart/disorderly_cart.rb", "DisorderlyCartServer");
  Diagram d = s.diagram();
  CHECK(d.labels);
  const auto* response = d.find_node("client_response");
  REQUIRE(response != nullptr);
  CHECK(response->consistency == Label::Diffluent);
  CHECK(has_class(response->classes, "label-diffluent"));
  CHECK(response->fillcolor == calm::viz::label_fill(Label::Diffluent));
  CHECK(response->tooltip.find("\nlabel: diffluent (") != std::string::npos);
  const auto* action = d.find_node("action_msg");
  CHECK(action->consistency == Label::Async);
  CHECK(has_class(action->classes, "label-async"));
  CHECK(action->tooltip.find("\nlabel: async (A)") != std::string::npos);
  // Only outputs are coloured; collections inside the program are not.
  const auto* kept = d.find_node("kept");
  CHECK_FALSE(kept->consistency.has_value());
  CHECK(kept->fillcolor.empty());
  CHECK(kept->classes.find("label-") == std::string::npos);
  // Downstream of a point of order: guesses; leaving the program: memories.
  CHECK(has_class(kept->classes, "guess"));
  CHECK_FALSE(has_class(kept->classes, "memory"));
  CHECK(has_class(response->classes, "guess"));
  CHECK(has_class(response->classes, "memory"));
  CHECK_FALSE(has_class(action->classes, "guess"));  // before every point of order
  // Every output of the analysis is drawn with its class.
  for (const auto& o : s.analysis->labels().output_labels()) {
    CAPTURE(o.output);
    const auto* n = d.node_for(o.output);
    REQUIRE(n != nullptr);
    CHECK(has_class(n->classes, calm::viz::label_class(o.label)));
  }
}

TEST_CASE("labels: the destructive cart's client_response is diffluent (A then N)") {
  using calm::Label;
  Sample s("cart/destructive_cart.rb", "DestructiveCartServer");
  Diagram d = s.diagram();
  const auto* response = d.find_node("client_response");
  REQUIRE(response != nullptr);
  CHECK(response->consistency == Label::Diffluent);
  CHECK(has_class(response->classes, "label-diffluent"));
  CHECK(response->tooltip.find("label: diffluent (A then N") != std::string::npos);
  // The collapsed cluster holds outputs: it takes the join of their labels, and its
  // tooltip names each one.
  const auto* cluster = d.node_for("kvget_response");
  REQUIRE(cluster != nullptr);
  CHECK(cluster->role == NodeRole::Cluster);
  CHECK(cluster->consistency == Label::Diffluent);
  CHECK(has_class(cluster->classes, "label-diffluent"));
  CHECK(cluster->color == "red");  // still a temporal cluster
  CHECK(cluster->tooltip.find("label of kvget_response: diffluent") != std::string::npos);
  // Expanded, each member output has its own label.
  DiagramOptions o;
  o.expanded = true;
  Diagram e = s.diagram(o);
  CHECK(has_class(e.find_node("mcast_done")->classes, "label-diffluent"));
  CHECK(has_class(e.find_node("kvs.kvstate")->classes, "guess"));
}

TEST_CASE("labels: BasicKVS's kvget_response is non-monotonic (N): no channel, one node") {
  Sample s("kvs/paper2011/kvs_2011.rb", "BasicKVS");
  Diagram d = s.diagram();
  const auto* r = d.find_node("kvget_response");
  REQUIRE(r != nullptr);
  CHECK(r->consistency == calm::Label::NonMonotonic);
  CHECK(has_class(r->classes, "label-nonmonotonic"));
  CHECK(r->tooltip.find("label: nonmonotonic (N)") != std::string::npos);
}

TEST_CASE("labels: --no-labels draws the plain picture; --legend shows the label colours") {
  Sample s("cart/disorderly_cart.rb", "DisorderlyCartServer");
  DiagramOptions o;
  o.labels = false;
  o.legend = true;
  Diagram plain = s.diagram(o);
  CHECK_FALSE(plain.labels);
  for (const auto& n : plain.nodes) {
    CAPTURE(n.id);
    CHECK_FALSE(n.consistency.has_value());
    CHECK(n.fillcolor.empty());
    CHECK_FALSE(n.guess);
    CHECK(n.classes.find("label-") == std::string::npos);
    CHECK_FALSE(has_class(n.classes, "guess"));
  }
  CHECK(calm::viz::write_dot(plain).find("fillcolor") == std::string::npos);
  CHECK(plain.find_node("legend:r_diffluent") == nullptr);

  o.labels = true;
  Diagram d = s.diagram(o);
  for (auto [key, l] : {std::pair{"legend:o_confluent", calm::Label::Confluent},
                        std::pair{"legend:p_async", calm::Label::Async},
                        std::pair{"legend:q_nonmonotonic", calm::Label::NonMonotonic},
                        std::pair{"legend:r_diffluent", calm::Label::Diffluent}}) {
    const auto* n = d.find_node(key);
    REQUIRE_MESSAGE(n != nullptr, key);
    CHECK(n->fillcolor == calm::viz::label_fill(l));
    CHECK(has_class(n->classes, calm::viz::label_class(l)));
  }
  CHECK(d.find_node("legend:r_diffluent")->label == "diffluent output (D)");
  CHECK(d.legend_edges.size() == 13);
  CHECK(plain.legend_edges.size() == 10);  // no row of label fills
}

TEST_CASE("labels in DOT: a light fill on outputs only; --focus keeps it, in bold") {
  Sample s("cart/disorderly_cart.rb", "DisorderlyCartServer");
  Diagram d = s.diagram();
  auto attrs = calm::viz::node_attributes(*d.find_node("client_response"));
  auto value = [&](const char* name) {
    for (const auto& [k, v] : attrs)
      if (k == name) return v;
    return std::string();
  };
  CHECK(value("style") == "filled");
  CHECK(value("fillcolor") == calm::viz::label_fill(calm::Label::Diffluent));
  CHECK(value("color").empty());  // the border stays black: red is for points of order
  CHECK(value("tooltip").find("\\nlabel: diffluent (") != std::string::npos);
  // Four distinct light tints, none of them red.
  std::set<std::string> fills;
  for (auto l : {calm::Label::Confluent, calm::Label::Async, calm::Label::NonMonotonic,
                 calm::Label::Diffluent})
    fills.insert(calm::viz::label_fill(l));
  CHECK(fills.size() == 4);
  CHECK_FALSE(fills.count("red"));

  DiagramOptions o;
  o.focus = "client_response";
  attrs = calm::viz::node_attributes(*s.diagram(o).find_node("client_response"));
  CHECK(value("style") == "bold,filled");
  CHECK(value("fillcolor") == calm::viz::label_fill(calm::Label::Diffluent));
}
