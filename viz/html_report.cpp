#include "viz/html_report.h"

#include <zlib.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <sstream>

#include "analysis/cluster_labels.h"
#include "analysis/program_analysis.h"
#include "graph/graph_paths.h"
#include "model/locations.h"
#include "viz/graphviz_render.h"
#include "viz/viewer_assets.h"

namespace calm::viz {

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string highlight_line(const std::string& line, std::vector<Highlight> highlights) {
  std::sort(highlights.begin(), highlights.end());
  std::string out;
  size_t pos = 0;  // bytes of `line` written so far
  for (const auto& h : highlights) {
    if (h.column < 1 || h.length < 1) continue;
    size_t start = static_cast<size_t>(h.column - 1);
    size_t end = start + static_cast<size_t>(h.length);
    if (start < pos || end > line.size()) continue;
    out += html_escape(line.substr(pos, start - pos));
    out += "<mark class=\"" + html_escape(h.css_class) + "\">" +
           html_escape(line.substr(start, end - start)) + "</mark>";
    pos = end;
  }
  return out + html_escape(line.substr(std::min(pos, line.size())));
}

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '?' || c == '!';
}

/// 1-based column of the occurrence of the word `word` in `line` closest to `near`, or 0.
int closest_word(const std::string& line, const std::string& word, int near) {
  if (word.empty()) return 0;
  int best = 0;
  for (size_t at = line.find(word); at != std::string::npos; at = line.find(word, at + 1)) {
    bool starts = at == 0 || !is_word_char(line[at - 1]);
    size_t after = at + word.size();
    bool ends = after >= line.size() || !is_word_char(line[after]) || word.back() == '?';
    if (!starts || !ends) continue;
    int col = static_cast<int>(at) + 1;
    if (best == 0 || std::abs(col - near) < std::abs(best - near)) best = col;
  }
  return best;
}

std::string unqualified(const std::string& name) {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

}  // namespace

std::map<int, std::vector<Highlight>> rule_highlights(const Program& program, const Rule& rule,
                                                      const std::string& source) {
  std::map<int, std::vector<Highlight>> out;
  std::vector<std::string> lines = split_lines(source);
  auto line_at = [&](int n) -> const std::string* {
    if (n < 1 || static_cast<size_t>(n) > lines.size()) return nullptr;
    return &lines[static_cast<size_t>(n - 1)];
  };
  std::string op = to_string(rule.op);
  bool op_offends = !operator_reasons(rule.op).empty();
  if (rule.op_location.known()) {
    const std::string* l = line_at(rule.op_location.line);
    if (l != nullptr && l->compare(static_cast<size_t>(std::max(0, rule.op_location.column - 1)),
                                   op.size(), op) == 0)
      out[rule.op_location.line].push_back(
          {rule.op_location.column, static_cast<int>(op.size()), op_offends ? "offender" : "op"});
  }
  for (const auto& ref : rule.refs) {
    const Collection* c = program.find(ref.collection);
    if (reference_reasons(ref, c != nullptr ? c->lattice : "").empty()) continue;
    if (!ref.location.known()) continue;
    const std::string* l = line_at(ref.location.line);
    if (l == nullptr) continue;
    int col = closest_word(*l, ref.method, ref.location.column);
    if (col > 0) {
      out[ref.location.line].push_back({col, static_cast<int>(ref.method.size()), "offender"});
      continue;
    }
    std::string name = unqualified(ref.collection);
    if (l->compare(static_cast<size_t>(std::max(0, ref.location.column - 1)), name.size(), name) ==
        0)
      out[ref.location.line].push_back(
          {ref.location.column, static_cast<int>(name.size()), "offender"});
  }
  for (auto& [_, hs] : out) {
    std::sort(hs.begin(), hs.end());
    hs.erase(std::unique(hs.begin(), hs.end()), hs.end());
  }
  return out;
}

namespace {

constexpr int kMaxQuotedLines = 12;
/// The bytes of one program's views beyond the first, packed (pack_view): past this,
/// views are left out (a page of a 150-rule program stays under 2 MB).
constexpr std::size_t kViewBytes = 640 * 1000;

/// A view's SVG as the page carries it when it is not the first: zlib-deflated, then
/// base64 (the page's script inflates it with the browser's DecompressionStream). An
/// SVG of 200 KB packs into about 40 KB.
std::string pack_view(const std::string& svg) {
  uLongf size = compressBound(uLong(svg.size()));
  std::string z(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &size,
                reinterpret_cast<const Bytef*>(svg.data()), uLong(svg.size()), 9) != Z_OK)
    return {};
  z.resize(size);
  static const char* kDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((z.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < z.size(); i += 3) {
    uint32_t n = uint32_t(uint8_t(z[i])) << 16;
    if (i + 1 < z.size()) n |= uint32_t(uint8_t(z[i + 1])) << 8;
    if (i + 2 < z.size()) n |= uint32_t(uint8_t(z[i + 2]));
    out += kDigits[(n >> 18) & 63];
    out += kDigits[(n >> 12) & 63];
    out += i + 1 < z.size() ? kDigits[(n >> 6) & 63] : '=';
    out += i + 2 < z.size() ? kDigits[n & 63] : '=';
  }
  return out;
}

const char* kStyle = R"CSS(
.not-read { border: 2px dashed var(--poo); padding: 0 1rem; margin: 1rem 0; }
:root { --poo: #d00000; --hl: #ff8c00; --muted: #666; --rule: #ddd; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       margin: 0 auto; max-width: 1500px; padding: 1rem 1.5rem 3rem; color: #111;
       line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid #333; padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
.meta, footer { color: var(--muted); font-size: .9rem; }
nav ul { padding-left: 1.2rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid var(--rule); padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
table.summary td.count { text-align: right; font-variant-numeric: tabular-nums; }
.legend-text { font-size: .9rem; color: var(--muted); }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
pre.source { background: #f8f8f8; border: 1px solid var(--rule); padding: .4rem .6rem;
             margin: .3rem 0 0; overflow-x: auto; font-size: .85rem; }
pre.source .ln { color: #999; user-select: none; display: inline-block; min-width: 3.5ch;
                 text-align: right; margin-right: 1ch; }
mark.op { background: #e0e8ff; color: inherit; border-radius: 2px; }
mark.offender { background: #ffd6d6; color: var(--poo); font-weight: bold; border-radius: 2px;
                outline: 1px solid var(--poo); }
ol.points > li, ul.clusters > li { margin-bottom: 1rem; }
.point { cursor: pointer; border-left: 4px solid transparent; padding-left: .5rem; }
.point:hover, .point:focus { border-left-color: var(--hl); outline: none; }
.point.selected { border-left-color: var(--hl); background: #fff6e8; }
.kind { display: inline-block; font-size: .75rem; text-transform: uppercase; letter-spacing: .04em;
        border: 1px solid var(--poo); color: var(--poo); border-radius: 3px; padding: 0 .3rem; }
.where { color: var(--muted); font-size: .9rem; }
.none { color: var(--muted); font-style: italic; }
svg .highlight path, svg .highlight polygon, svg .highlight ellipse {
  stroke: var(--hl) !important; stroke-width: 4px; }
svg .highlight text { fill: var(--hl); font-weight: bold; }
svg g.point-of-order { cursor: pointer; }
.badge { display: inline-block; font-size: .8rem; font-weight: 600; border: 1px solid;
         border-radius: 3px; padding: 0 .35rem; white-space: nowrap; }
.why { color: var(--muted); font-size: .85rem; }
a.cause { cursor: pointer; color: #1a4f9c; text-decoration: underline dotted; }
td.scope, td.strategy, td.count { white-space: nowrap; }
a.cause:hover, a.cause:focus { color: var(--hl); outline: none; }
a.cause.selected { background: #fff6e8; outline: 1px solid var(--hl); }
.cause-kind { color: var(--muted); font-size: .85rem; }
.causes div + div { margin-top: .15rem; }
td.count, th.count { text-align: right; }
details.paths > summary { cursor: pointer; color: #1a4f9c; margin: .4rem 0; }
ul.guesses > li { margin-bottom: .3rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav, .hint { display: none; }
  h2 { break-before: page; margin-top: 0; }
  h2:first-of-type { break-before: auto; }
  .viewer { break-inside: avoid; }
  .point, pre.source, table { break-inside: avoid; }
  .point.selected, a.cause.selected { background: none; outline: none; }
  a, a.cause { color: inherit; text-decoration: none; }
  .badge, svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)CSS";

std::string location_text(const SourceLocation& l) { return html_escape(file_line(l)); }

/// "Not read": the parts of the input that could not be read, each with its line.
std::string not_read_section(const std::vector<Diagnostic>& not_read,
                             const std::map<std::string, std::string>& sources) {
  if (not_read.empty()) return "";
  std::string s = "<section class=\"not-read\" id=\"not-read\">\n<h2>Not read</h2>\n<p>" +
                  std::to_string(not_read.size()) + (not_read.size() == 1 ? " part" : " parts") +
                  " of the input could not be read; the diagrams and findings below leave "
                  "them out (collections concerned are dashed).</p>\n<ul>\n";
  for (const auto& d : not_read) {
    s += "<li><span class=\"where\">" + location_text(d.location) + "</span> " +
         html_escape(d.message) + " <code>" + html_escape(d.check) + "</code>";
    auto it = sources.find(d.location.file);
    if (it != sources.end() && d.location.line > 0) {
      std::vector<std::string> lines = split_lines(it->second);
      if (size_t(d.location.line) <= lines.size())
        s += "<pre class=\"source\"><span class=\"ln\">" + std::to_string(d.location.line) +
             "</span>" + html_escape(lines[size_t(d.location.line - 1)]) + "\n</pre>";
    }
    s += "</li>\n";
  }
  return s + "</ul>\n</section>\n";
}

/// The rule's source lines, numbered, highlighted.
std::string quote_rule(const Program& program, const Rule& rule,
                       const std::map<std::string, std::string>& sources) {
  auto it = sources.find(rule.location.file);
  if (it == sources.end() || !rule.location.known())
    return "<pre class=\"source\">" + html_escape(rule.text) + "</pre>";
  std::vector<std::string> lines = split_lines(it->second);
  auto highlights = rule_highlights(program, rule, it->second);
  int first = rule.location.line;
  int count = static_cast<int>(std::count(rule.text.begin(), rule.text.end(), '\n')) + 1;
  int last =
      std::min<int>(first + std::min(count, kMaxQuotedLines) - 1, static_cast<int>(lines.size()));
  std::string out = "<pre class=\"source\">";
  for (int n = first; n <= last; ++n) {
    out += "<span class=\"ln\">" + std::to_string(n) + "</span>" +
           highlight_line(lines[static_cast<size_t>(n - 1)], highlights[n]) + "\n";
  }
  if (first + count - 1 > last) out += "<span class=\"ln\"></span>…\n";
  return out + "</pre>";
}

/// The views of one program: the same diagram with different clusters expanded or
/// modules collapsed, each laid out by Graphviz; views[0] is the one shown first.
using Views = std::vector<Diagram>;
/// Some of the views (links that name their element in the first view only).
using ViewSpan = std::span<const Diagram>;

/// The svg id a point of order should highlight: its edge, else the cluster that hides it.
std::string point_target(const Diagram& d, const ProgramAnalysis& a, const PointOfOrder& p) {
  if (p.edge) {
    if (const DiagramEdge* e = d.edge_for(*p.edge)) return e->svg_id;
    const DependencyEdge& ge = a.graph().edge(*p.edge);
    if (const DiagramNode* n = d.node_for(ge.to_name)) return n->svg_id;
  }
  for (const auto& n : d.nodes)
    if (n.id == p.cluster) return n.svg_id;
  for (const auto& g : d.groups)
    if (g.id == p.cluster) return g.svg_id;
  return "";
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string names_list(const std::vector<std::string>& names) {
  if (names.empty()) return "<span class=\"none\">none</span>";
  std::string out;
  for (const auto& n : names)
    out += (out.empty() ? "" : ", ") + ("<code>" + html_escape(n) + "</code>");
  return out;
}

/// The badge colours, from the diagram's palette (one source for both).
std::string label_css() {
  std::string css;
  for (Label l : {Label::Confluent, Label::Async, Label::NonMonotonic, Label::Diffluent})
    css += ".badge." + label_class(l) + " { background: " + label_fill(l) +
           "; color: " + label_ink(l) + "; border-color: " + label_ink(l) + "; }\n";
  return css;
}

std::string badge(Label l) {
  return "<span class=\"badge " + label_class(l) + "\" title=\"" + short_name(l) + "\">" +
         to_string(l) + "</span>";
}

/// A cluster's label ("{a, b, +3 more}") for a cluster id, else the name.
std::string end_name(const ProgramAnalysis& a, const std::string& id) {
  const TemporalCluster* c = a.clusters().find(id);
  return c == nullptr ? id : c->label;
}

/// One target per view, from `target_in(diagram)`.
template <typename F>
std::vector<std::string> per_view(ViewSpan views, F target_in) {
  std::vector<std::string> out;
  for (const auto& d : views) out.push_back(target_in(d));
  return out;
}

/// The prefix of every svg id of a view ("BasicKVS--", "BasicKVS--v1--").
std::string view_prefix(const Diagram& d) { return d.svg_id.substr(0, d.svg_id.size() - 7); }

/// data-target: the first view's element. With several views, data-alt lists the views
/// whose element is not the same one ("2:edge-a-b 3:-": id without the view's prefix, "-"
/// for none); in every other view the element has the same id after the prefix.
std::string target_attributes(ViewSpan views, const std::vector<std::string>& targets) {
  std::string out = " data-target=\"" + html_escape(targets.empty() ? "" : targets[0]) + "\"";
  if (targets.size() < 2 || views.size() != targets.size()) return out;
  auto key = [&](std::size_t i) {
    std::string prefix = view_prefix(views[i]);
    const std::string& t = targets[i];
    return t.rfind(prefix, 0) == 0 ? t.substr(prefix.size()) : std::string();
  };
  std::string first = key(0), alt;
  for (std::size_t i = 1; i < targets.size(); ++i) {
    std::string k = key(i);
    if (k != first)
      alt += (alt.empty() ? "" : " ") + std::to_string(i) + ":" + (k.empty() ? "-" : k);
  }
  if (!alt.empty()) out += " data-alt=\"" + html_escape(alt) + "\"";
  return out;
}

/// A point of order as text: "from → to", or "{a, b} ↻" for a cluster's self-edge.
std::string point_html(const ProgramAnalysis& a, const PointOfOrder& p) {
  if (p.kind == PointKind::ClusterSelf) return html_escape(end_name(a, p.cluster)) + " &#8635;";
  return html_escape(end_name(a, p.from)) + " &rarr; " + html_escape(end_name(a, p.to));
}

/// The point's kind and full ends, for a hover title.
std::string point_title(const ProgramAnalysis& a, const PointOfOrder& p) {
  auto full = [&](const std::string& id) {
    const TemporalCluster* c = a.clusters().find(id);
    return c != nullptr ? "{" + join_names(c->member_names) + "}" : id;
  };
  std::string ends = p.kind == PointKind::ClusterSelf ? full(p.cluster) + " (self-edge)"
                                                      : full(p.from) + " -> " + full(p.to);
  return std::string(to_string(p.kind)) + ": " + ends;
}

/// A clickable reference to an element of the diagram (nothing clickable when the
/// first view does not show it, e.g. outside --focus).
std::string target_link(ViewSpan views, const std::vector<std::string>& targets,
                        const std::string& css_class, const std::string& title,
                        const std::string& inner) {
  std::string attrs = " class=\"" + css_class + "\"";
  if (!title.empty()) attrs += " title=\"" + html_escape(title) + "\"";
  if (targets.empty() || targets[0].empty()) return "<span" + attrs + ">" + inner + "</span>";
  return "<a" + attrs + " tabindex=\"0\"" + target_attributes(views, targets) + ">" + inner +
         "</a>";
}

/// The svg id that shows a label's cause: the edge of its rule, else the node that
/// hides it (a collapsed cluster), else the collection it starts from.
std::string cause_target(const Diagram& d, const ProgramAnalysis& a, const LabelCause& c) {
  const DependencyGraph& g = a.graph();
  if (c.from != c.to)
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
      const DependencyEdge& ge = g.edge(e);
      if (ge.from_name != c.from || ge.to_name != c.to || (c.rule >= 0 && ge.rule != c.rule))
        continue;
      if (const DiagramEdge* de = d.edge_for(e)) return de->svg_id;
    }
  if (const DiagramNode* n = d.node_for(c.to)) return n->svg_id;
  if (const DiagramNode* n = d.node_for(c.from)) return n->svg_id;
  return "";
}

/// More causes of one kind than this are grouped by the element they lead into.
constexpr std::size_t kFlatCauses = 4;

/// The causes of a label, grouped by kind, each a link to its edge. A kind with many
/// causes is grouped by where they lead (the collection, or the cluster's label), one
/// line per group with a count, its links folded.
std::string causes_html(ViewSpan views, const ProgramAnalysis& a,
                        const std::vector<LabelCause>& causes, bool compact = false) {
  if (causes.empty()) return "<span class=\"none\">none</span>";
  const std::pair<const char*, const char*> kinds[] = {{"point-of-order", "points of order"},
                                                       {"async", "asynchronous"},
                                                       {"channel-race", "channel races"}};
  auto link = [&](const LabelCause& c) {
    std::string text = c.from == c.to && c.kind == "async"
                           ? html_escape(c.from) + " (asynchronous input)"
                           : html_escape(c.from) + " &rarr; " + html_escape(c.to);
    std::string title = c.kind + (c.location.known() ? " at " + file_line(c.location) : "");
    return target_link(views,
                       per_view(views, [&](const Diagram& d) { return cause_target(d, a, c); }),
                       "cause cause-" + c.kind, title, "<code>" + text + "</code>");
  };
  // Where a cause leads, as the first view draws it: "kvstate", "{a, b, +3 more}".
  auto into = [&](const LabelCause& c) {
    if (c.from == c.to && c.kind == "async") return std::string("asynchronous inputs");
    const DiagramNode* n = views.empty() ? nullptr : views[0].node_for(c.to);
    if (n != nullptr && n->role == NodeRole::Cluster) return end_name(a, n->id);
    return c.to;
  };
  std::string out = "<div class=\"causes\">";
  for (const auto& [kind, heading] : kinds) {
    std::vector<const LabelCause*> of_kind;
    for (const auto& c : causes)
      if (c.kind == kind) of_kind.push_back(&c);
    if (of_kind.empty()) continue;
    out += "<div><span class=\"cause-kind\">" + std::string(heading) + ":</span> ";
    if (of_kind.size() <= kFlatCauses) {
      std::string links;
      for (const LabelCause* c : of_kind) links += (links.empty() ? "" : ", ") + link(*c);
      out += links + "</div>";
      continue;
    }
    std::map<std::string, std::vector<const LabelCause*>> groups;
    for (const LabelCause* c : of_kind) groups[into(*c)].push_back(c);
    out += "<span class=\"count\">" + std::to_string(of_kind.size()) + "</span>";
    for (const auto& [end, members] : groups) {
      std::string what = end == "asynchronous inputs"
                             ? html_escape(end)
                             : "into <code>" + html_escape(end) + "</code>";
      if (compact) {
        // One link per group (to its first cause), the causes in its title.
        std::string title;
        for (std::size_t i = 0; i < members.size() && i < 4; ++i)
          title += (title.empty() ? "" : ", ") + members[i]->from + " -> " + members[i]->to;
        if (members.size() > 4) title += ", ...";
        const LabelCause& first = *members.front();
        out +=
            " " +
            target_link(
                views, per_view(views, [&](const Diagram& d) { return cause_target(d, a, first); }),
                "cause cause-group cause-" + first.kind, title,
                what + " <span class=\"count\">" + std::to_string(members.size()) + "</span>");
        continue;
      }
      std::string links;
      for (const LabelCause* c : members) links += (links.empty() ? "" : ", ") + link(*c);
      out += "<details class=\"cause-group\" data-into=\"" + html_escape(end) + "\"><summary>" +
             what + " <span class=\"count\">" + std::to_string(members.size()) +
             "</span></summary>" + links + "</details>";
    }
    out += "</div>";
  }
  // Kinds this report does not know yet are still shown.
  for (const auto& c : causes) {
    bool known = false;
    for (const auto& k : kinds) known = known || c.kind == k.first;
    if (!known)
      out += "<div><span class=\"cause-kind\">" + html_escape(c.kind) + ":</span> <code>" +
             html_escape(c.from) + " &rarr; " + html_escape(c.to) + "</code></div>";
  }
  return out + "</div>";
}

/// Consistency of outputs, per-path labels, guesses.
std::string labels_html(const ProgramAnalysis& a, const Views& d) {
  const OutputLabelAnalysis& labels = a.labels();
  const GuessTaintAnalysis& taint = a.taint();
  std::string s =
      "<h3>Consistency of outputs (" + std::to_string(labels.output_labels().size()) + ")</h3>\n";
  if (labels.output_labels().empty()) {
    s += "<p class=\"none\">No outputs: the program sends nothing.</p>\n";
  } else {
    s += "<p class=\"hint\">Labels as in Bud's budlabel: " + badge(Label::Confluent) +
         " the same contents in every delivery order, " + badge(Label::Async) +
         " only the arrival order or time varies, " + badge(Label::NonMonotonic) +
         " the contents depend on the order at a point of order on one node, " +
         badge(Label::Diffluent) +
         " nondeterministic contents (asynchronous input then a point of order, or a race of two "
         "channels). Click a cause to highlight it in the diagram.</p>\n";
    s += "<table class=\"labels\">\n<tr><th>output</th><th>label</th><th>inputs</th>"
         "<th>causes</th></tr>\n";
    for (const auto& o : labels.output_labels()) {
      s += "<tr class=\"output-label " + label_class(o.label) + "\" data-output=\"" +
           html_escape(o.output) + "\"><td><code>" + html_escape(o.output) + "</code></td><td>" +
           badge(o.label) +
           (o.label == Label::Diffluent
                ? " <span class=\"why\">" + html_escape(label_reason(labels, o)) + "</span>"
                : std::string()) +
           "</td><td>" + names_list(o.inputs) + "</td><td>" + causes_html(d, a, o.causes, true) +
           "</td></tr>\n";
    }
    s += "</table>\n";
  }
  const auto& paths = labels.path_labels();
  if (!paths.empty()) {
    s += "<details class=\"paths\"><summary>Labels per path (" + std::to_string(paths.size()) +
         (paths.size() == 1 ? " input &rarr; output path" : " input &rarr; output paths") +
         ")</summary>\n<table class=\"path-labels\">\n<tr><th>input</th><th>output</th>"
         "<th>label</th><th>causes</th></tr>\n";
    for (const auto& p : paths)
      s += "<tr class=\"path-label " + label_class(p.label) + "\" data-input=\"" +
           html_escape(p.input) + "\" data-output=\"" + html_escape(p.output) + "\"><td><code>" +
           html_escape(p.input) + "</code></td><td><code>" + html_escape(p.output) +
           "</code></td><td>" + badge(p.label) + "</td><td>" +
           (p.label == Label::Confluent ? "<span class=\"none\">none</span>"
                                        : causes_html(ViewSpan(d).first(1), a, p.causes, true)) +
           "</td></tr>\n";
    s += "</table>\n</details>\n";
  }

  s += "<h3>Guesses (" + std::to_string(taint.guesses().size()) + ")</h3>\n";
  if (taint.guesses().empty()) {
    s += "<p class=\"none\">None: no collection is downstream of a point of order.</p>\n";
  } else {
    s += "<p class=\"hint\">Downstream of a point of order a collection holds a guess (CIDR 2011, "
         "section 6); guesses that leave the program are memories, to log so that they can be "
         "apologized for.</p>\n<ul class=\"guesses\">\n";
    s += "<li class=\"guess-collections\">collections holding guesses: " +
         names_list(taint.guesses()) + "</li>\n";
    s += "<li class=\"tainted-outputs\">tainted outputs: " + names_list(taint.tainted_outputs()) +
         "</li>\n";
    s += "<li class=\"memories\">memories: " + names_list(taint.memories()) + "</li>\n</ul>\n";
  }
  return s;
}

/// Coordination advice per point of order, and its cost per input.
std::string coordination_html(const ProgramAnalysis& a, const Views& views) {
  const auto& points = a.points_of_order().points();
  const CoordinationAnalysis& coord = a.coordination();
  std::string s = "<h3>Coordination (" + std::to_string(coord.advice().size()) + ")</h3>\n";
  if (coord.advice().empty()) {
    s += "<p class=\"none\">None needed.</p>\n";
  } else {
    s += "<table class=\"coordination\">\n<tr><th>point of order</th><th>scope</th><th>key</th>"
         "<th>strategy</th><th>advice</th></tr>\n";
    for (const auto& c : coord.advice()) {
      if (c.point >= points.size()) continue;
      const PointOfOrder& p = points[c.point];
      s += "<tr class=\"advice scope-" + svg_name(c.scope) + "\"><td>" +
           target_link(views,
                       per_view(views, [&](const Diagram& d) { return point_target(d, a, p); }),
                       "cause", point_title(a, p), "<code>" + point_html(a, p) + "</code>") +
           "</td><td class=\"scope\">" + html_escape(c.scope) + "</td><td>" +
           (c.key.empty() ? "<span class=\"none\">none</span>" : names_list(c.key)) +
           "</td><td class=\"strategy\"><code>" + html_escape(c.strategy) + "</code></td><td>" +
           html_escape(c.advice) + "</td></tr>\n";
    }
    s += "</table>\n";
  }

  s += "<h3>Cost per input (" + std::to_string(coord.costs().size()) + ")</h3>\n";
  if (coord.costs().empty()) {
    s += "<p class=\"none\">No inputs.</p>\n";
    return s;
  }
  s += "<p class=\"hint\">The distributed points of order on each input's paths to the outputs: "
       "how many are paid for every message of the input, and which inputs the others wait "
       "for (their result is joined with a gating input, such as a checkout).</p>\n";
  s += "<table class=\"cost\">\n<tr><th>input</th><th class=\"count\">distributed points of "
       "order</th><th class=\"count\">paid per message</th><th>waits for</th><th>points of "
       "order</th></tr>\n";
  for (const auto& c : coord.costs()) {
    std::string links;
    for (const auto& name : c.points) {
      std::string html = "<code>" + html_escape(name) + "</code>", title;
      std::vector<std::string> target;
      for (const auto& p : points)
        if (p.from + " -> " + p.to == name) {
          html = "<code>" + point_html(a, p) + "</code>";
          target = per_view(views, [&](const Diagram& d) { return point_target(d, a, p); });
          title = point_title(a, p);
          break;
        }
      links += (links.empty() ? "" : ", ") + target_link(views, target, "cause", title, html);
    }
    s += "<tr class=\"cost-row\" data-input=\"" + html_escape(c.input) + "\"><td><code>" +
         html_escape(c.input) + "</code></td><td class=\"count distributed\">" +
         std::to_string(c.distributed_points) + "</td><td class=\"count per-message\">" +
         std::to_string(c.per_message) + "</td><td class=\"waits-for\">" +
         (c.gated_by.empty() ? "<span class=\"none\">nothing</span>" : names_list(c.gated_by)) +
         "</td><td>" + (links.empty() ? "<span class=\"none\">none</span>" : links) +
         "</td></tr>\n";
  }
  return s + "</table>\n";
}

/// JSON for a <script type="application/json">: "</" written "<\/" so that no string
/// from the program can end the script element.
std::string script_json(const nlohmann::ordered_json& j) {
  std::string text = j.dump();
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') out += '\\';
  }
  return out;
}

/// `svg_id` without the view's prefix (the page's script puts it back: the prefix is
/// most of an id, and the data names every element of every view).
std::string unprefixed(const std::string& svg_id, const std::string& prefix) {
  return svg_id.rfind(prefix, 0) == 0 ? svg_id.substr(prefix.size()) : svg_id;
}

/// What the page's script needs to know of one view: which collections each node of
/// its SVG shows, and the ends and rules of each edge.
nlohmann::ordered_json view_json(const Diagram& d, const std::string& name,
                                 const DiagramOptions& options) {
  using nlohmann::ordered_json;
  const std::string prefix = view_prefix(d);
  auto key = [&](const std::string& svg_id) { return unprefixed(svg_id, prefix); };
  ordered_json nodes = ordered_json::object();
  for (const auto& n : d.nodes) {
    if (n.role == NodeRole::Legend) continue;
    ordered_json members = ordered_json::array();
    const char* kind = "pseudo";
    if (n.role == NodeRole::Collection) {
      members.push_back(n.id);
      kind = "collection";
    } else if (n.role == NodeRole::Cluster || n.role == NodeRole::Module) {
      members = n.members;
      kind = n.role == NodeRole::Cluster ? "cluster" : "module";
    }
    nodes[key(n.svg_id)] = ordered_json{{"k", kind}, {"id", n.id}, {"c", members}};
  }
  std::map<std::string, std::string> svg_of;
  for (const auto& n : d.nodes) svg_of[n.id] = key(n.svg_id);
  ordered_json edges = ordered_json::object();
  for (const auto& e : d.edges)
    edges[key(e.svg_id)] = ordered_json{svg_of[e.from], svg_of[e.to], e.rules};
  ordered_json groups = ordered_json::object();
  for (const auto& g : d.groups)
    if (g.classes.find("temporal-cluster") != std::string::npos) groups[key(g.svg_id)] = g.id;
  return ordered_json{{"name", name},
                      {"prefix", prefix},
                      {"expanded", options.expanded},
                      {"expand", options.expand_clusters},
                      {"collapse", options.collapse_modules},
                      {"svg", d.svg_id},
                      {"nodes", nodes},
                      {"edges", edges},
                      {"groups", groups}};
}

/// The page's data about a program: its collections (kind, schema, module, rules
/// writing and reading each, points of order, cluster, label and grouped causes), its
/// rules quoted from the source, points of order and clusters, and every view.
std::string viewer_data(const Program& program, const ProgramAnalysis& a, const Views& views,
                        const std::vector<DiagramOptions>& view_options,
                        const std::map<std::string, std::string>& sources) {
  using nlohmann::ordered_json;
  const DependencyGraph& g = a.graph();
  const auto& points = a.points_of_order().points();
  const auto& clusters = a.clusters().clusters();
  ordered_json j;
  j["program"] = program.name;

  ordered_json vs = ordered_json::array();
  for (std::size_t i = 0; i < views.size(); ++i) {
    std::string name = "default";
    const DiagramOptions& o = view_options[i];
    if (i > 0 && o.expanded) name = "all clusters expanded";
    for (const auto& c : o.expand_clusters)
      if (const TemporalCluster* tc = a.clusters().find(c)) name = "expand " + tc->label;
    for (const auto& m : o.collapse_modules) name = "collapse module " + m;
    vs.push_back(view_json(views[i], name, o));
  }
  j["views"] = vs;

  ordered_json cl = ordered_json::array();
  for (const auto& c : clusters) {
    cl.push_back(ordered_json{{"id", c.id},
                              {"label", c.label},
                              {"members", c.member_names},
                              {"cycle", path_text(g, c.cycle)}});
  }
  j["clusters"] = cl;

  ordered_json rules = ordered_json::array();
  for (const auto& r : program.rules) {
    rules.push_back(ordered_json{{"id", r.id},
                                 {"lhs", r.lhs},
                                 {"op", to_string(r.op)},
                                 {"at", file_line(rule_point(r))},
                                 {"text", r.text},
                                 {"html", quote_rule(program, r, sources)}});
  }
  j["rules"] = rules;

  ordered_json ps = ordered_json::array();
  for (const auto& p : points) {
    ps.push_back(ordered_json{{"html", point_html(a, p)},
                              {"kind", to_string(p.kind)},
                              {"reason", with_cluster_labels(a.clusters(), p.reason)},
                              {"at", file_line(p.location)},
                              {"rule", p.rule},
                              {"cluster", p.cluster},
                              {"targets", per_view(views, [&](const Diagram& d) {
                                 return unprefixed(point_target(d, a, p), view_prefix(d));
                               })}});
  }
  j["points"] = ps;

  ordered_json cs = ordered_json::object();
  for (NodeId n = 0; n < g.node_count(); ++n) {
    const std::string& name = g.name(n);
    const Collection* c = program.find(name);
    ordered_json x;
    x["kind"] = c != nullptr ? (c->kind == CollectionKind::Lattice && !c->lattice.empty()
                                    ? c->lattice
                                    : std::string(to_string(c->kind)))
                             : std::string("undeclared");
    std::string schema;
    if (c != nullptr) {
      schema = "[" + join_names(c->keys) + "]";
      if (!c->values.empty()) schema += " => [" + join_names(c->values) + "]";
    }
    x["schema"] = schema;
    x["module"] = c != nullptr ? c->module : "";
    x["at"] = c != nullptr && c->location.known() ? file_line(c->location) : "";
    std::optional<std::size_t> in_cluster = a.clusters().cluster_of(n);
    x["cluster"] = in_cluster ? static_cast<int>(*in_cluster) : -1;
    std::set<std::string> out_names, in_names;
    std::set<int> writes, reads;
    for (EdgeId e : g.out_edges(n)) {
      out_names.insert(g.edge(e).to_name);
      reads.insert(g.edge(e).rule);
    }
    for (EdgeId e = 0; e < g.edge_count(); ++e)
      if (g.edge(e).to == n) {
        in_names.insert(g.edge(e).from_name);
        writes.insert(g.edge(e).rule);
      }
    for (const auto& r : program.rules)
      if (r.lhs == name) writes.insert(r.id);
    x["out"] = out_names;
    x["in"] = in_names;
    x["writes"] = writes;
    x["reads"] = reads;
    ordered_json pts = ordered_json::array();
    for (std::size_t i = 0; i < points.size(); ++i) {
      const PointOfOrder& p = points[i];
      bool self =
          p.kind == PointKind::ClusterSelf && in_cluster && p.cluster == clusters[*in_cluster].id;
      if (p.from == name || p.to == name || self) pts.push_back(i);
    }
    x["points"] = pts;
    if (const OutputLabel* o = a.labels().find(name)) {
      x["label"] = to_string(o->label);
      x["why"] = label_reason(a.labels(), *o);
      x["inputs"] = o->inputs;
    }
    cs[name] = x;
  }
  j["collections"] = cs;
  return script_json(j);
}

/// The compact key in a corner of the viewer. Rows with data-when show only when the
/// view draws such an element (a collapsed cluster, an expanded one, a collapsed module).
std::string key_html(bool labels) {
  auto row = [](const std::string& symbol, const std::string& text, const std::string& when = "") {
    return "<div class=\"key-row\"" + (when.empty() ? "" : " data-when=\"" + when + "\"") +
           "><svg width=\"28\" height=\"14\" viewBox=\"0 0 28 14\" aria-hidden=\"true\">" + symbol +
           "</svg><span>" + text + "</span></div>";
  };
  std::string arrow =
      "<path d=\"M2 7H22\" stroke=\"#000\" fill=\"none\"/><path d=\"M21 4L26 7L21 10Z\"/>";
  std::string k = "<details class=\"key\" open><summary>Key</summary><div class=\"key-grid\">";
  k += row("<rect x=\"3\" y=\"2\" width=\"22\" height=\"10\" fill=\"#fff\" stroke=\"#000\"/>",
           "table (persistent)");
  k += row("<ellipse cx=\"14\" cy=\"7\" rx=\"11\" ry=\"5\" fill=\"#fff\" stroke=\"#000\"/>",
           "scratch, interface, channel");
  k +=
      row("<polygon points=\"10,1 18,1 24,5 24,9 18,13 10,13 4,9 4,5\" fill=\"#fff\" "
          "stroke=\"red\" stroke-width=\"2\"/>",
          "temporal cluster (collapsed)", "collapsed-cluster");
  k +=
      row("<rect x=\"2\" y=\"1\" width=\"24\" height=\"12\" rx=\"3\" fill=\"none\" stroke=\"red\" "
          "stroke-width=\"2\"/>",
          "temporal cluster (expanded)", "expanded-cluster");
  k += row("<path d=\"M3 3H11L13 5H25V12H3Z\" fill=\"#fff\" stroke=\"#444\"/>",
           "module (collapsed)", "collapsed-module");
  k += row(arrow, "A &rarr; B: a rule reads A, writes B");
  k += row(arrow + "<text x=\"6\" y=\"6\" font-size=\"7\">+/-</text>", "temporal (&lt;+, &lt;-)");
  k +=
      row("<path d=\"M2 7H22\" stroke=\"#000\" stroke-dasharray=\"3 2\"/><path d=\"M21 4L26 7L21 "
          "10Z\"/>",
          "asynchronous (&lt;~)");
  k +=
      row("<path d=\"M2 7H17\" stroke=\"#000\"/><circle cx=\"20\" cy=\"7\" r=\"3\" fill=\"#fff\" "
          "stroke=\"#000\"/><path d=\"M23 4L27 7L23 10Z\"/>",
          "non-monotonic");
  k +=
      row("<path d=\"M2 7H22\" stroke=\"red\" stroke-width=\"2\"/><path d=\"M21 4L26 7L21 10Z\" "
          "fill=\"red\"/>",
          "point of order");
  k += row(
      "<polygon points=\"14,1 22,7 14,13 6,7\" fill=\"#fff\" stroke=\"blue\" stroke-width=\"2\"/>",
      "S source, T sink");
  k += row(
      "<polygon points=\"14,1 22,7 14,13 6,7\" fill=\"#fff\" stroke=\"red\" stroke-width=\"2\"/>",
      "?? underspecified", "underspecified");
  if (labels) {
    std::string fills;
    for (Label l : {Label::Confluent, Label::Async, Label::NonMonotonic, Label::Diffluent})
      fills += "<span class=\"swatch\" style=\"background:" + std::string(label_fill(l)) + "\">" +
               short_name(l) + "</span>";
    k += "<div class=\"key-row\"><span class=\"swatches\">" + fills +
         "</span><span>outputs: confluent, async, non-monotonic, diffluent</span></div>";
  }
  return k + "</div></details>";
}

/// The interactive diagram: a toolbar (search, zoom, hops, views), the views' SVGs on a
/// pannable, zoomable stage with the key in a corner, a details panel, and the data.
std::string viewer_html(const Program& program, const ProgramAnalysis& a, const Views& views,
                        const std::vector<std::string>& svgs,
                        const std::vector<DiagramOptions>& view_options, const std::string& anchor,
                        const std::map<std::string, std::string>& sources) {
  std::string s = "<div class=\"viewer\" id=\"" + html_escape(anchor) +
                  "--viewer\" data-program=\"" + html_escape(program.name) + "\">\n";
  s += "<div class=\"toolbar\" role=\"toolbar\">"
       "<input type=\"search\" class=\"search\" placeholder=\"Find a collection or rule\" "
       "aria-label=\"Find a collection or rule\" autocomplete=\"off\">"
       "<button type=\"button\" data-act=\"fit\" title=\"Fit to window\">Fit</button>"
       "<button type=\"button\" data-act=\"one\" title=\"Actual size\">1:1</button>"
       "<button type=\"button\" data-act=\"in\" title=\"Zoom in\">+</button>"
       "<button type=\"button\" data-act=\"out\" title=\"Zoom out\">&minus;</button>"
       "<label>hops <select class=\"depth\" aria-label=\"hops around the selection\">"
       "<option>1</option><option>2</option><option>3</option></select></label>"
       "<button type=\"button\" data-act=\"clear\" title=\"Clear the selection\">Show all</button>"
       "<button type=\"button\" data-act=\"full\" title=\"Fill the window (again to "
       "restore)\">Full window</button>"
       "<label>view <select class=\"view-select\" aria-label=\"view\"></select></label>"
       "<span class=\"zoom-level\" aria-live=\"polite\"></span>"
       "<div class=\"results\" hidden></div></div>\n";
  s += "<div class=\"viewer-body\"><div class=\"stage\" tabindex=\"0\" aria-label=\"diagram of " +
       html_escape(program.name) + "\"><div class=\"canvas\">\n";
  // The first view inline; the others packed, inflated by the script when the page loads.
  s += "<div class=\"view\" data-view=\"0\">\n" + svgs.front() + "\n</div>\n";
  for (std::size_t i = 1; i < svgs.size(); ++i)
    s += "<div class=\"view\" data-view=\"" + std::to_string(i) + "\" hidden data-packed=\"" +
         svgs[i] + "\"></div>\n";
  s += "</div>" + key_html(views.front().labels) + "</div>\n";
  s += "<aside class=\"panel\" aria-live=\"polite\"><p class=\"hint\">Click a collection, a "
       "cluster or a module, or search, to see its neighbourhood, rules, points of order and "
       "causes here.</p></aside></div>\n";
  s += "<script type=\"application/json\" class=\"calm-data\">" +
       viewer_data(program, a, views, view_options, sources) + "</script>\n";
  return s + "</div>\n";
}

std::string section_for(const Program& program, const ProgramAnalysis& a, const Views& views,
                        const std::vector<std::string>& svgs,
                        const std::vector<DiagramOptions>& view_options, const std::string& anchor,
                        const std::map<std::string, std::string>& sources) {
  const Diagram& d = views.front();
  const auto& points = a.points_of_order().points();
  const auto& clusters = a.clusters().clusters();
  const auto& ss = a.sources_sinks();
  std::vector<std::string> outputs;
  for (const auto& c : program.collections)
    if (c.kind == CollectionKind::Output) outputs.push_back(c.name);
  std::size_t user_collections = 0;
  for (const auto& c : program.collections)
    if (!c.builtin) ++user_collections;

  std::string s = "<section class=\"program\" id=\"" + html_escape(anchor) + "\">\n";
  s += "<h2>" + html_escape(program.name) + "</h2>\n";
  s += "<p class=\"meta\">modules: " + names_list(program.modules) + " &middot; " +
       location_text(program.location) + "</p>\n";

  s += "<table class=\"summary\">\n<tr><th>collections</th><td class=\"count\">" +
       std::to_string(user_collections) + "</td></tr>\n";
  s += "<tr><th>rules</th><td class=\"count\">" + std::to_string(program.rules.size()) +
       "</td></tr>\n";
  s += "<tr><th>points of order</th><td class=\"count\">" + std::to_string(points.size()) +
       "</td></tr>\n";
  s += "<tr><th>temporal clusters</th><td class=\"count\">" + std::to_string(clusters.size()) +
       "</td></tr>\n";
  s += "<tr><th>underspecified</th><td class=\"count\">" +
       std::to_string(ss.underspecified().size()) + "</td></tr>\n";
  s += "<tr><th>outputs</th><td>" + names_list(outputs) + "</td></tr>\n";
  std::string by_label;
  for (Label l : {Label::Diffluent, Label::NonMonotonic, Label::Async, Label::Confluent}) {
    int n = 0;
    for (const auto& o : a.labels().output_labels()) n += o.label == l ? 1 : 0;
    if (n > 0) by_label += (by_label.empty() ? "" : " ") + std::to_string(n) + "&nbsp;" + badge(l);
  }
  s += "<tr><th>output labels</th><td class=\"output-labels\">" +
       (by_label.empty() ? "<span class=\"none\">no outputs</span>" : by_label) + "</td></tr>\n";
  s += "<tr><th>guesses</th><td class=\"count\">" + std::to_string(a.taint().guesses().size()) +
       "</td></tr>\n";
  s += "<tr><th>sources</th><td>" + names_list(ss.sources()) + "</td></tr>\n";
  s += "<tr><th>sinks</th><td>" + names_list(ss.sinks()) + "</td></tr>\n</table>\n";

  // "KVSProtocol::kvput" names in the diagram and the lists: say what they are.
  std::string renamed;
  for (const auto& c : program.collections)
    if (auto text = overridden_interface_text(program, c.name))
      renamed += "<li><code>" + html_escape(c.name) + "</code>: " + html_escape(*text) +
                 " <span class=\"where\">" + location_text(c.location) + "</span></li>\n";
  if (!renamed.empty())
    s += "<p class=\"overrides\">Overridden interfaces (names with <code>::</code>):</p>\n"
         "<ul class=\"overrides\">\n" +
         renamed + "</ul>\n";

  s += "<h3>Dataflow</h3>\n" + viewer_html(program, a, views, svgs, view_options, anchor, sources);
  s += "<p class=\"legend-text\">Rectangles are tables, ovals scratches, interfaces and "
       "channels; a temporal cluster is a red octagon when collapsed and a red box around its "
       "members when expanded; a folder is a collapsed module; <em>+/-</em> marks a temporal edge "
       "(<code>&lt;+</code>, <code>&lt;-</code>), a dashed edge is asynchronous "
       "(<code>&lt;~</code>), a white circle marks a non-monotonic edge, red edges are points "
       "of order; S and T are sources and sinks, ?? underspecified dataflow (CIDR 2011, "
       "Figure 8)." +
       std::string(d.labels ? " Outputs are filled by consistency label: green confluent, blue "
                              "async, orange non-monotonic, purple diffluent."
                            : "") +
       " Hover for details; click a collection for its neighbourhood, rules and causes; "
       "double-click a cluster or module to expand or collapse it; wheel to zoom, drag to "
       "pan.</p>\n";

  s += labels_html(a, views);

  s += "<h3>Points of order (" + std::to_string(points.size()) + ")</h3>\n";
  if (points.empty()) {
    s += "<p class=\"none\">None: the program is monotone and needs no coordination.</p>\n";
  } else {
    s += "<p class=\"hint\">Click one to highlight it in the diagram.</p>\n<ol class=\"points\">\n";
    for (const auto& p : points) {
      s += "<li class=\"point\" tabindex=\"0\"" +
           target_attributes(
               views, per_view(views, [&](const Diagram& v) { return point_target(v, a, p); })) +
           ">";
      std::string edge = html_escape(p.from) + " &rarr; " + html_escape(p.to);
      if (p.kind == PointKind::ClusterSelf)
        if (const TemporalCluster* c = a.clusters().find(p.cluster))
          edge = html_escape(c->label) + " &#8635; (implicit self-edge)";
      s += "<span class=\"kind\">" + html_escape(to_string(p.kind)) + "</span> <code>" + edge +
           "</code> &mdash; " + html_escape(with_cluster_labels(a.clusters(), p.reason)) +
           " <span class=\"where\">" + location_text(p.location) + "</span>";
      if (const Rule* r = find_rule(program, p.rule)) s += quote_rule(program, *r, sources);
      s += "</li>\n";
    }
    s += "</ol>\n";
  }

  s += coordination_html(a, views);

  s += "<h3>Temporal clusters (" + std::to_string(clusters.size()) + ")</h3>\n";
  if (clusters.empty()) {
    s += "<p class=\"none\">None.</p>\n";
  } else {
    s += "<ul class=\"clusters\">\n";
    for (const auto& c : clusters) {
      auto target = per_view(views, [&](const Diagram& v) {
        for (const auto& n : v.nodes)
          if (n.id == c.id) return n.svg_id;
        for (const auto& g : v.groups)
          if (g.id == c.id) return g.svg_id;
        return std::string();
      });
      s += "<li class=\"point cluster-item\" tabindex=\"0\"" + target_attributes(views, target) +
           " data-cluster=\"" + html_escape(c.id) + "\"><strong class=\"cluster-label\">" +
           html_escape(c.label) + "</strong> (" + std::to_string(c.member_names.size()) +
           (c.member_names.size() == 1 ? " member" : " members") +
           "): " + names_list(c.member_names) + "<br>cycle: <code>" +
           html_escape(path_text(a.graph(), c.cycle)) + "</code>\n<ul>\n";
      for (EdgeId e : c.cycle) {
        const DependencyEdge& ge = a.graph().edge(e);
        const Rule* r = find_rule(program, ge.rule);
        s += "<li><code>" + html_escape(ge.from_name) + " &rarr; " + html_escape(ge.to_name) +
             "</code>";
        if (ge.temporal) s += " (temporal)";
        if (ge.nonmonotonic) s += " (non-monotonic)";
        if (r != nullptr)
          s += " <span class=\"where\">" + location_text(rule_point(*r)) + "</span>" +
               quote_rule(program, *r, sources);
        s += "</li>\n";
      }
      s += "</ul></li>\n";
    }
    s += "</ul>\n";
  }

  s += "<h3>Underspecified dataflow (" + std::to_string(ss.underspecified().size()) + ")</h3>\n";
  if (ss.underspecified().empty()) {
    s += "<p class=\"none\">None: every input reaches an output and every output is written.</p>\n";
  } else {
    s += "<ul>\n";
    for (const auto& u : ss.underspecified()) {
      auto target = per_view(views, [&](const Diagram& v) {
        const DiagramNode* n = v.node_for(u.collection);
        return n != nullptr ? n->svg_id : std::string();
      });
      const Collection* c = program.find(u.collection);
      s += "<li class=\"point\" tabindex=\"0\"" + target_attributes(views, target) + "><code>" +
           html_escape(u.collection) + "</code> (" + to_string(u.direction) + "): " +
           (u.direction == Direction::Input ? "no output interface is reachable from it"
                                            : "nothing writes it");
      if (c != nullptr && c->location.known())
        s += " <span class=\"where\">" + location_text(c->location) + "</span>";
      s += "</li>\n";
    }
    s += "</ul>\n";
  }
  return s + "</section>\n";
}

}  // namespace

HtmlReportResult build_html_report(const std::vector<Program>& programs,
                                   const std::map<std::string, std::string>& sources,
                                   const HtmlReportOptions& options) {
  HtmlReportResult result;
  GraphvizRenderer renderer;
  std::string body;
  std::string nav = "<nav><ul>\n";
  std::set<std::string> anchors;
  for (const auto& program : programs) {
    std::string anchor = svg_name(program.name);
    for (int i = 2; !anchors.insert(anchor).second; ++i)
      anchor = svg_name(program.name) + "_" + std::to_string(i);
    ProgramAnalysis analysis(program);
    // The views: the one asked for, then each cluster expanded alone, all clusters
    // expanded, each module collapsed alone; each laid out by Graphviz. Views past the
    // byte budget are left out (the default one never is).
    DiagramOptions base = options.diagram;
    base.edge_xlabels = true;
    std::vector<DiagramOptions> specs{base};
    const auto& clusters = analysis.clusters().clusters();
    if (!options.diagram.expanded) {
      for (const auto& c : clusters) {
        specs.push_back(base);
        specs.back().expand_clusters = {c.id};
      }
      if (clusters.size() > 1) {
        specs.push_back(base);
        specs.back().expanded = true;
      }
    }
    std::map<std::string, int> module_collections;
    for (const auto& c : program.collections)
      if (!c.builtin && !c.module.empty()) {
        std::optional<NodeId> n = analysis.graph().find(c.name);
        if (n && !analysis.clusters().cluster_of(*n)) ++module_collections[c.module];
      }
    if (module_collections.size() > 1)
      for (const auto& [module, count] : module_collections)
        if (count > 1) {
          specs.push_back(base);
          specs.back().collapse_modules = {module};
        }
    Views views;
    std::vector<std::string> svgs;
    std::vector<DiagramOptions> kept;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      DiagramOptions dopt = specs[i];
      dopt.id_prefix = anchor + "--" + (i == 0 ? "" : "v" + std::to_string(kept.size()) + "--");
      std::string error;
      std::optional<Diagram> d = build_diagram(analysis, dopt, error);
      if (!d) {
        result.error = program.name + ": " + error;
        return result;
      }
      RenderResult svg = renderer.render(*d, ImageFormat::Svg);
      if (!svg.ok) {
        result.error = program.name + ": " + svg.error;
        return result;
      }
      std::string element = svg_element(svg.data);
      if (i > 0) {
        element = pack_view(element);
        if (element.empty() || bytes + element.size() > kViewBytes) continue;
      }
      bytes += element.size();
      views.push_back(std::move(*d));
      svgs.push_back(std::move(element));
      kept.push_back(specs[i]);
    }
    nav += "<li><a href=\"#" + html_escape(anchor) + "\">" + html_escape(program.name) + "</a> (" +
           std::to_string(analysis.points_of_order().points().size()) + " points of order)</li>\n";
    body += section_for(program, analysis, views, svgs, kept, anchor, sources);
  }
  nav += "</ul></nav>\n";

  std::string files;
  for (const auto& f : options.files)
    files += (files.empty() ? "" : ", ") + ("<code>" + html_escape(f) + "</code>");

  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<title>" + html_escape(options.title) + "</title>\n<style>" + kStyle + label_css() +
          kViewerStyle + "</style>\n";
  html += "</head>\n<body>\n<header>\n<h1>" + html_escape(options.title) + "</h1>\n";
  html += "<p class=\"meta\">Points of order (CIDR 2011, section 4.4) in " +
          std::to_string(programs.size()) + (programs.size() == 1 ? " program" : " programs") +
          (files.empty() ? "" : " from " + files) + ".</p>\n</header>\n";
  html += nav + "<main>\n" + not_read_section(options.not_read, sources) + body + "</main>\n";
  html += "<footer><p>Generated by calm" +
          (options.tool_version.empty() ? "" : " " + html_escape(options.tool_version)) +
          ".</p></footer>\n";
  html += "<script>" + std::string(kViewerScript) + "</script>\n</body>\n</html>\n";
  result.ok = true;
  result.html = std::move(html);
  return result;
}

}  // namespace calm::viz
