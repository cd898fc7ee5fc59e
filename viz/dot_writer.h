#pragma once

// A Diagram as Graphviz attributes, and as DOT text. The renderer (graphviz_render.h)
// sets exactly these attributes through cgraph, so the .dot file and the SVG/PNG/PDF
// always agree.

#include <string>
#include <utility>
#include <vector>

#include "viz/diagram.h"

namespace calm::viz {

/// (name, value) pairs in a fixed order. Values are raw Graphviz attribute values
/// (escString-escaped where Graphviz expands escapes), not DOT-quoted.
using Attributes = std::vector<std::pair<std::string, std::string>>;

/// Plain text as a Graphviz escString (labels, tooltips): newlines become "\n", and a
/// backslash becomes "\\" followed by U+200B (zero width space), so that Graphviz never
/// reads it as an escape ("\N" would print the node name) and DOT quoting never sees a
/// backslash next to a quote. The zero width space is invisible in every output.
std::string graphviz_text(const std::string& plain);

/// A DOT id in double quotes: `"` becomes `\"` (values from graphviz_text() never put a
/// backslash before a quote, so this round-trips through Graphviz's scanner).
std::string dot_quote(const std::string& value);

Attributes graph_attributes(const Diagram& d);
Attributes node_defaults();
Attributes edge_defaults();
Attributes node_attributes(const DiagramNode& n);
/// An edge's attributes; its label ("+/-") as an `xlabel` when the diagram asks for it
/// (Diagram::edge_xlabels).
Attributes edge_attributes(const DiagramEdge& e, bool xlabel = false);
Attributes group_attributes(const DiagramGroup& g);

/// The diagram as DOT: deterministic (nodes, edges and groups in the Diagram's sorted
/// order), no positions, no version comment. Golden-tested.
std::string write_dot(const Diagram& d);

}  // namespace calm::viz
