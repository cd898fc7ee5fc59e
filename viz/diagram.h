#pragma once

// The model -> drawing decisions, as plain data: which nodes and edges a dataflow
// diagram shows, their shapes, labels, classes and tooltips, in the visual language of
// CIDR 2011, Figure 8. No Graphviz here: the DOT writer and the renderer only translate
// a Diagram, so every decision can be unit-tested without drawing anything.
//
//   tables (persistent)            rectangle
//   scratch, interfaces, channels  oval
//   temporal cluster               red octagon labelled "a, b" (collapsed view)
//   sources / sinks                blue diamonds S and T
//   underspecified dataflow        red diamond "??"
//   <+ / <- edge                   label "+/-"
//   <~ edge                        dashed
//   non-monotonic edge             white circle at the head (arrowhead veeodot)
//   point of order                 red edge (beyond the paper)
//   output, by consistency label   light fill: green confluent, blue async, orange
//                                  non-monotonic, purple diffluent (budplot's path colours)

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "graph/dependency_graph.h"

namespace calm::viz {

enum class NodeShape {
  Rect,
  Oval,
  Octagon,
  Diamond,
  Plain,   ///< text only (legend)
  Point,   ///< a dot (legend)
  Folder,  ///< a collapsed module
};

/// "box", "ellipse", "octagon", "diamond", "plaintext", "point": the Graphviz shape.
const char* to_string(NodeShape s);

/// What a node of the diagram stands for.
enum class NodeRole {
  Collection,      ///< one collection of the program
  Cluster,         ///< a collapsed temporal cluster
  Source,          ///< the S pseudo-node
  Sink,            ///< the T pseudo-node
  Underspecified,  ///< the "??" pseudo-node
  Legend,          ///< a sample node of the legend
  NotRead,         ///< the note listing the parts of the input that could not be read
  Module,          ///< a collapsed module (DiagramOptions::collapse_modules)
};

/// The fill of a node showing an output with this consistency label: light tints that
/// keep black text readable and do not clash with the red of points of order.
const char* label_fill(Label l);
/// A darker shade of the same hue, for text and borders (HTML badges).
const char* label_ink(Label l);
/// "label-confluent", "label-async", "label-nonmonotonic", "label-diffluent".
std::string label_class(Label l);
/// Why an output has its label, in budlabel's terms: "Bot", "A", "N", or for a
/// diffluent output "A then N", "channel race", "A then N; channel race", "A and N from
/// different inputs".
std::string label_reason(const OutputLabelAnalysis& labels, const OutputLabel& output);

struct DiagramNode {
  /// The DOT node id: the collection name, the cluster id ("cluster:a,b"), the
  /// collapsed module ("module:Name"), or "pseudo:S" / "pseudo:T" / "pseudo:??" /
  /// "legend:..." (a colon never occurs in a collection name, so these never clash).
  std::string id;
  std::string label;
  NodeRole role = NodeRole::Collection;
  NodeShape shape = NodeShape::Oval;
  std::string color;    ///< "" (default), "red", "blue"
  std::string tooltip;  ///< plain text, may contain newlines
  std::string svg_id;   ///< "node-kvstate", "cluster-kvstate-prev", "pseudo-S", ...
  std::string classes;  ///< space-separated CSS classes ("collection table", ...)
  std::string module;   ///< declaring module (collections only)
  /// Cluster, Module: the collections it stands for, sorted.
  std::vector<std::string> members;
  bool focus = false;  ///< the --focus collection (or its cluster)
  /// The consistency label of the output it shows (a cluster: the join of its member
  /// outputs' labels); none for a collection that is not an output, or without labels.
  std::optional<Label> consistency;
  std::string fillcolor;  ///< "" (none), or label_fill(*consistency)
  bool guess = false;     ///< holds a guess: downstream of a point of order
  /// Its declaration, or a rule writing it, could not be read (DiagramOptions::unread):
  /// drawn dashed, what is missing in the tooltip.
  bool unread = false;
};

struct DiagramEdge {
  std::string from;  ///< DiagramNode::id
  std::string to;
  bool temporal = false;      ///< some rule behind it is <+ / <- / <+- (label "+/-")
  bool async = false;         ///< some rule behind it is <~ (dashed)
  bool nonmonotonic = false;  ///< some dependency behind it is non-monotonic (white circle)
  bool point_of_order = false;
  bool pseudo = false;  ///< S -> x, x -> T, x -> ??, ?? -> x
  std::string label;    ///< "+/-" or ""
  std::string tooltip;  ///< one paragraph per rule: text, file:line, non-monotonic reason
  std::string svg_id;   ///< "edge-kvput-kvstate"
  std::string classes;  ///< "dependency temporal nonmonotonic point-of-order", ...
  std::vector<EdgeId> graph_edges;  ///< the dependency edges it draws (sorted)
  std::vector<int> rules;           ///< their rules (sorted, unique)
};

/// A boxed group of nodes: an expanded temporal cluster, a module (--by-module), or the
/// legend. Nodes belong to at most one group.
struct DiagramGroup {
  std::string id;      ///< DOT subgraph name, starts with "cluster" (Graphviz draws a box)
  std::string svg_id;  ///< "cluster-kvstate-prev", "module-BasicKVS", "legend"
  std::string label;
  std::string color;  ///< border colour
  std::string classes;
  std::vector<std::string> nodes;  ///< DiagramNode ids, sorted
};

struct Diagram {
  std::string name;                ///< the program
  std::string svg_id = "diagram";  ///< of the whole drawing (with DiagramOptions::id_prefix)
  bool expanded = false;
  bool labels = false;        ///< outputs coloured by consistency label (DiagramOptions::labels)
  bool edge_xlabels = false;  ///< DiagramOptions::edge_xlabels
  std::vector<DiagramNode> nodes;    ///< sorted by id
  std::vector<DiagramEdge> edges;    ///< sorted by (from, to)
  std::vector<DiagramGroup> groups;  ///< sorted by id
  /// Edges of the legend (between legend nodes), drawn after the others.
  std::vector<DiagramEdge> legend_edges;

  const DiagramNode* find_node(const std::string& id) const;
  /// The edge drawing `from -> to` (DOT ids), or nullptr.
  const DiagramEdge* find_edge(const std::string& from, const std::string& to) const;
  /// The edge that draws dependency edge `e`, or nullptr (hidden inside a collapsed
  /// cluster, or outside the focus).
  const DiagramEdge* edge_for(EdgeId e) const;
  /// The node showing collection `name`: its own node, or its collapsed cluster or
  /// module.
  const DiagramNode* node_for(const std::string& collection) const;
};

struct DiagramOptions {
  bool expanded = false;  ///< draw every temporal cluster's members inside a red box
  /// Expand only these clusters (ids, "cluster:a,b"); the others stay octagons.
  std::vector<std::string> expand_clusters;
  /// Draw each of these modules as one folder node standing for its collections (those
  /// not inside a collapsed temporal cluster, which stays one octagon).
  std::vector<std::string> collapse_modules;
  bool legend = false;     ///< add the Figure 8 legend
  bool by_module = false;  ///< box the collections of each module
  /// Colour outputs by consistency label and mark guesses (classes and tooltips);
  /// false draws the plain Figure 8 picture (--no-labels).
  bool labels = true;
  std::string focus;  ///< draw only this collection's neighbourhood ("" = all)
  int depth = 1;      ///< hops around `focus`, in either direction
  /// Write edge labels ("+/-") as Graphviz xlabels, placed after the layout. Graphviz
  /// 2.42's dot can free a stale rank array (a double free) while laying out a labelled
  /// edge between two nodes of the same rank in a graph with clusters (flat_edges());
  /// xlabels never take that path. The HTML report, which lays out many views of one
  /// program, sets it.
  bool edge_xlabels = false;
  /// Prepended to every svg id, so that several diagrams can share one HTML page.
  std::string id_prefix;
  /// Parts of the input that could not be read ("file:line: message", the load's
  /// errors): listed in a red note beside the drawing, so that a partial diagram never
  /// passes for a complete one.
  std::vector<std::string> not_read;
  /// Collections whose declaration (or a rule writing them) could not be read, with
  /// why: their nodes are drawn dashed (class "unread") with the reason in the tooltip.
  std::map<std::string, std::string> unread;
};

/// Builds the diagram of an analyzed program. Fails (returns nullopt and sets `error`)
/// only when `options.focus` names no collection of the graph.
std::optional<Diagram> build_diagram(const ProgramAnalysis& analysis, const DiagramOptions& options,
                                     std::string& error);

/// "node-", "edge-" ... ids: `text` with every character outside [A-Za-z0-9_.] replaced
/// by '_' so that ids are safe in HTML, CSS and URLs.
std::string svg_name(const std::string& text);

}  // namespace calm::viz
