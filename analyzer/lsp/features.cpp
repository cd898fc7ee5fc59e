#include "lsp/features.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "analysis/cluster_labels.h"
#include "checks/suppressions.h"
#include "frontend/ruby/syntax_tree.h"

namespace calm::lsp {

using nlohmann::json;

namespace {

/// A place in the document as calm counts: 1-based line and byte column.
struct Spot {
  int line = 0;
  int column = 0;
};

json location_json(const std::string& path, const Range& r) {
  return {{"uri", path_to_uri(path)}, {"range", to_json(r)}};
}

/// The text of a file as the server sees it: the open document, else what an analysis
/// read. Texts are built once per call and kept in `cache`.
const Text* text_of(const std::string& path, const FeatureContext& ctx,
                    std::map<std::string, Text>& cache) {
  if (const Document* d = ctx.workspace.document(path)) return &d->text;
  if (auto it = cache.find(path); it != cache.end()) return &it->second;
  for (const Analysis* a : ctx.workspace.analyses_of(path))
    if (const std::string* s = a->source(path)) return &cache.emplace(path, Text(*s)).first->second;
  return nullptr;
}

json location_of(const SourceLocation& loc, const FeatureContext& ctx,
                 std::map<std::string, Text>& cache) {
  const Text* t = text_of(loc.file, ctx, cache);
  Range r = t ? t->token_range(loc, ctx.encoding)
              : Range{{std::max(0, loc.line - 1), std::max(0, loc.column - 1)},
                      {std::max(0, loc.line - 1), std::max(0, loc.column - 1)}};
  return location_json(loc.file, r);
}

int lsp_severity(Severity s) {
  switch (s) {
    case Severity::Error:
      return 1;
    case Severity::Warning:
      return 2;
    case Severity::Note:
      return 3;
  }
  return 3;
}

bool at(const SourceLocation& loc, const std::string& path, const Spot& s) {
  return loc.file == path && loc.line == s.line && loc.column == s.column;
}

/// A collection named under the cursor, in one program of one analysis.
struct CollectionHit {
  Workspace::View view;  ///< the analysis (and its view of the document)
  size_t program = 0;
  std::string name;
};

/// The last segment of a qualified name: "kvs.kvstate" -> "kvstate".
std::string last_segment(const std::string& s) {
  size_t dot = s.find_last_of(".:");
  return dot == std::string::npos ? s : s.substr(dot + 1);
}

/// Which collection `word` (starting at `start`) names, in each program that reads the
/// document: a reference of a rule there, a rule's head, a declaration there, or by name.
std::vector<CollectionHit> collections_at(const Document& doc, const std::string& word,
                                          const Spot& start, const Spot& last,
                                          const FeatureContext& ctx) {
  std::vector<CollectionHit> out;
  if (word.empty()) return out;
  for (const Workspace::View& view : ctx.workspace.views_of(doc.path)) {
    const Analysis* a = view.analysis;
    // The spots as lines of the analysis's text (the last good one while it does not
    // parse); a line edited since has no answer there.
    auto s_line = view.analysis_line(start.line), l_line = view.analysis_line(last.line);
    if (!s_line || !l_line) continue;
    Spot start_then{*s_line, start.column}, last_then{*l_line, last.column};
    for (size_t p = 0; p < a->load().programs.size(); ++p) {
      const Program& prog = a->load().programs[p];
      std::string found;
      for (const Rule& r : prog.rules) {
        if (r.location.file != doc.path) continue;
        if (at(r.location, doc.path, start_then) || at(r.location, doc.path, last_then))
          found = r.lhs;
        for (const Reference& ref : r.refs)
          if (at(ref.location, doc.path, start_then) || at(ref.location, doc.path, last_then))
            found = ref.collection;
        if (!found.empty()) break;
      }
      if (found.empty())
        for (const Collection& c : prog.collections)
          if (c.location.file == doc.path && c.location.line == start_then.line &&
              last_segment(c.name) == last_segment(word)) {
            found = c.name;
            break;
          }
      if (found.empty() && prog.find(word)) found = word;
      if (found.empty() && prog.find(last_segment(word))) {
        // `kvs.kvstate` written where no reference was recorded: only when unambiguous.
        if (word.find('.') == std::string::npos) found = last_segment(word);
      }
      if (!found.empty() && prog.find(found)) out.push_back({view, p, found});
    }
  }
  return out;
}

std::string schema_text(const Collection& c) {
  if (c.kind == CollectionKind::Lattice) return c.lattice;
  auto list = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s + "]";
  };
  if (c.keys.empty() && c.values.empty()) return c.schema_inferred ? "(schema from its rule)" : "";
  std::vector<std::string> keys = c.keys;
  for (auto& k : keys)
    if (!c.location_column.empty() && k == c.location_column) k = "@" + k;
  return list(keys) + (c.values.empty() ? "" : " => " + list(c.values));
}

std::string where(const SourceLocation& loc) {
  if (!loc.known()) return "";
  std::string f = loc.file;
  if (auto slash = f.rfind('/'); slash != std::string::npos) f = f.substr(slash + 1);
  return f + ":" + std::to_string(loc.line);
}

std::string program_heading(const Analysis& a, size_t p, size_t shown_programs) {
  if (shown_programs < 2) return "";
  return "**In program `" + a.load().programs[p].name + "`**\n\n";
}

std::string collection_hover(const CollectionHit& hit, size_t shown_programs) {
  const Analysis& a = *hit.view.analysis;
  const Program& prog = a.load().programs[hit.program];
  const ProgramAnalysis& pa = a.program(hit.program);
  const Collection* c = prog.find(hit.name);
  std::ostringstream md;
  md << program_heading(a, hit.program, shown_programs);
  md << "**" << hit.name << "**: " << to_string(c->kind);
  if (std::string s = schema_text(*c); !s.empty()) md << " `" << s << "`";
  if (!c->module.empty()) md << ", declared in `" << c->module << "`";
  if (c->builtin) md << " (built into Bud)";
  if (std::string w = where(c->location); !w.empty()) md << " (" << w << ")";
  md << "\n";
  if (auto why = overridden_interface_text(prog, hit.name)) md << "\n" << *why << "\n";

  const auto& clusters = pa.clusters();
  if (auto node = pa.graph().find(hit.name)) {
    if (auto ci = clusters.cluster_of(*node)) {
      const TemporalCluster& tc = clusters.clusters()[*ci];
      md << "\nIn temporal cluster **" << tc.label << "** (" << tc.member_names.size()
         << " collections): a cycle through a non-monotonic and a temporal step, a point of "
            "order as a whole (calm-temporal-cluster).\n";
    }
  }
  std::vector<const PointOfOrder*> touching;
  for (const auto& p : pa.points_of_order().points())
    if (p.from == hit.name || p.to == hit.name) touching.push_back(&p);
  if (!touching.empty()) {
    md << "\nPoints of order on its edges: " << touching.size() << "\n";
    size_t shown = 0;
    for (const PointOfOrder* p : touching) {
      if (++shown > 6) {
        md << "- and " << (touching.size() - 6) << " more\n";
        break;
      }
      md << "- `" << with_cluster_labels(clusters, p->from) << "` → `"
         << with_cluster_labels(clusters, p->to) << "` (" << where(p->location)
         << "): " << with_cluster_labels(clusters, p->reason) << "\n";
    }
  }
  const auto& labels = pa.labels();
  if (const OutputLabel* out = labels.find(hit.name)) {
    md << "\nOutput label: **" << to_string(out->label) << "** (" << short_name(out->label) << ")";
    if (out->label == Label::Confluent)
      md << ": its contents do not depend on the order messages arrive in";
    md << "\n";
    size_t shown = 0;
    for (const LabelCause& cause : out->causes) {
      if (++shown > 6) {
        md << "- and " << (out->causes.size() - 6) << " more causes\n";
        break;
      }
      md << "- " << cause.kind << ": `" << cause.from << "` → `" << cause.to << "`";
      if (std::string w = where(cause.location); !w.empty()) md << " (" << w << ")";
      md << "\n";
    }
  } else if (std::find(labels.inputs().begin(), labels.inputs().end(), hit.name) !=
             labels.inputs().end()) {
    std::vector<std::string> reached;
    for (const PathLabel& pl : labels.path_labels())
      if (pl.input == hit.name) reached.push_back("`" + pl.output + "` " + to_string(pl.label));
    md << "\nAn input of the program";
    if (!reached.empty()) {
      md << "; it reaches ";
      for (size_t i = 0; i < reached.size(); ++i) md << (i ? ", " : "") << reached[i];
    }
    md << "\n";
  }
  return md.str();
}

const char* op_effect(RuleOp op) {
  switch (op) {
    case RuleOp::Merge:
      return "merges into `%` in this timestep (instantaneous)";
    case RuleOp::Deferred:
      return "inserts into `%` at the next timestep";
    case RuleOp::Delete:
      return "deletes from `%` at the next timestep";
    case RuleOp::Async:
      return "sends into `%` asynchronously (delivered at a later timestep)";
    case RuleOp::Upsert:
    case RuleOp::DeleteInsert:
      return "replaces rows of `%` by key at the next timestep";
    case RuleOp::Append:
      return "adds to `%` once, before the first timestep";
  }
  return "";
}

std::string rule_hover(const Analysis& a, size_t p, const Rule& r, size_t shown_programs) {
  const ProgramAnalysis& pa = a.program(p);
  std::ostringstream md;
  md << program_heading(a, p, shown_programs);
  std::string effect = op_effect(r.op);
  if (auto pct = effect.find('%'); pct != std::string::npos) effect.replace(pct, 1, r.lhs);
  md << "**`" << to_string(r.op) << "`** " << effect << "\n\n";
  std::vector<PointOfOrder> points = pa.points_of_order().for_rule(r.id);
  if (points.empty()) {
    md << "Not a point of order: ";
    if (r.bootstrap)
      md << "a bootstrap rule runs once, before the first timestep.\n";
    else
      md << "every collection it reads is used monotonically and no temporal cluster is "
            "entered or left.\n";
    return md.str();
  }
  md << "**Point of order** (" << points.size() << (points.size() == 1 ? " edge" : " edges")
     << "):\n";
  for (const auto& pt : points)
    md << "- `" << with_cluster_labels(pa.clusters(), pt.from) << "` → `"
       << with_cluster_labels(pa.clusters(), pt.to)
       << "`: " << with_cluster_labels(pa.clusters(), pt.reason) << "\n";
  // What calm check says about it: whether coordination is needed, and any suppression.
  std::vector<const Finding*> about;
  for (const Finding& f : a.run().findings)
    if (f.program == a.load().programs[p].name &&
        (f.location == r.op_location || f.location == r.location))
      about.push_back(&f);
  if (!about.empty()) md << "\nFindings on this rule:\n";
  for (const Finding* f : about) {
    md << "- " << to_string(f->severity) << " `" << f->check << "`: " << f->message;
    if (f->suppression) {
      md << " *(suppressed: " << to_string(f->suppression->kind);
      if (f->suppression->location.known()) md << " at line " << f->suppression->location.line;
      if (!f->suppression->reason.empty()) md << ", \"" << f->suppression->reason << "\"";
      md << ")*";
    }
    md << "\n";
  }
  return md.str();
}

Spot spot_of(const Document& doc, size_t offset) {
  Position p = doc.text.position(offset, PositionEncoding::Utf8);
  return {p.line + 1, p.character + 1};
}

/// The word under `pos` and where it and its last segment start.
std::string word_under(const Document& doc, const Position& pos, const FeatureContext& ctx,
                       Spot& start, Spot& last) {
  size_t off = doc.text.offset(pos, ctx.encoding);
  size_t b = 0;
  std::string w = doc.text.word_at(off, &b);
  if (w.empty()) return w;
  start = spot_of(doc, b);
  last = spot_of(doc, b + w.size() - last_segment(w).size());
  return w;
}

}  // namespace

namespace {

/// to_diagnostic, with the texts of other files (for the notes' ranges) kept in `cache`
/// across the diagnostics of one document.
json diagnostic(const Finding& f, const Document& doc, const FeatureContext& ctx, bool with_program,
                std::map<std::string, Text>& cache) {
  json d;
  d["range"] = to_json(doc.text.token_range(f.location, ctx.encoding));
  d["severity"] = lsp_severity(f.severity);
  d["source"] = "calm";
  d["code"] = f.check;
  if (!ctx.docs_base.empty())
    d["codeDescription"] = {{"href", ctx.docs_base + "checks/" + f.check + ".md"}};
  std::string message = message_with_program(f, with_program);
  json related = json::array();
  for (const auto& n : f.notes) {
    if (n.location.known())
      related.push_back(
          {{"location", location_of(n.location, ctx, cache)}, {"message", n.message}});
    else
      message += "\n" + n.message;
  }
  d["message"] = message;
  if (!related.empty()) d["relatedInformation"] = related;
  if (!f.fingerprint.empty()) d["data"] = {{"fingerprint", f.fingerprint}};
  return d;
}

}  // namespace

json to_diagnostic(const Finding& f, const Document& doc, const FeatureContext& ctx,
                   bool with_program) {
  std::map<std::string, Text> cache;
  return diagnostic(f, doc, ctx, with_program, cache);
}

json document_diagnostics(const Document& doc, const FeatureContext& ctx) {
  std::vector<Finding> findings = ctx.workspace.findings_for(doc.path);
  std::set<std::string> programs;
  for (const auto& f : findings)
    if (!f.program.empty()) programs.insert(f.program);
  json out = json::array();
  std::map<std::string, Text> cache;
  for (const auto& f : findings) out.push_back(diagnostic(f, doc, ctx, programs.size() > 1, cache));
  return out;
}

json hover(const Document& doc, const Position& pos, const FeatureContext& ctx) {
  auto [line, column] = doc.text.line_column(pos, ctx.encoding);
  // A rule operator under the cursor.
  std::vector<std::string> parts;
  Range range{pos, pos};
  const auto views = ctx.workspace.views_of(doc.path);
  size_t programs = 0;
  for (const Workspace::View& view : views) programs += view.analysis->load().programs.size();
  for (const Workspace::View& view : views) {
    const Analysis* a = view.analysis;
    auto then = view.analysis_line(line);
    if (!then) continue;
    for (size_t p = 0; p < a->load().programs.size(); ++p)
      for (const Rule& r : a->load().programs[p].rules) {
        const SourceLocation& o = r.op_location;
        int len = static_cast<int>(std::string(to_string(r.op)).size());
        if (o.file == doc.path && o.line == *then && column >= o.column &&
            column < o.column + len) {
          parts.push_back(rule_hover(*a, p, r, programs));
          SourceLocation now = o;
          now.line = line;
          range = doc.text.token_range(now, ctx.encoding);
        }
      }
  }
  if (parts.empty()) {
    Spot start, last;
    std::string w = word_under(doc, pos, ctx, start, last);
    auto hits = collections_at(doc, w, start, last, ctx);
    for (const auto& h : hits) parts.push_back(collection_hover(h, hits.size()));
    if (!hits.empty()) {
      size_t b = doc.text.offset(Position{start.line - 1, 0}, PositionEncoding::Utf8) +
                 static_cast<size_t>(start.column - 1);
      range = {doc.text.position(b, ctx.encoding), doc.text.position(b + w.size(), ctx.encoding)};
    }
  }
  if (parts.empty()) return nullptr;
  // One program's answer when several roots agree (the same program loaded twice).
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  std::string md;
  for (const auto& part : parts) md += (md.empty() ? "" : "\n---\n\n") + part;
  return {{"contents", {{"kind", "markdown"}, {"value", md}}}, {"range", to_json(range)}};
}

json definition(const Document& doc, const Position& pos, const FeatureContext& ctx) {
  Spot start, last;
  std::string w = word_under(doc, pos, ctx, start, last);
  if (w.empty()) return nullptr;
  std::map<std::string, Text> cache;
  std::set<std::string> seen;
  json out = json::array();
  auto add = [&](const SourceLocation& loc) {
    if (!loc.known() || loc.file.empty() || !seen.insert(to_string(loc)).second) return;
    out.push_back(location_of(loc, ctx, cache));
  };
  // A place in the document itself is where it is now (the view's lines may be older).
  auto add_from = [&](const Workspace::View& view, SourceLocation loc) {
    if (loc.file == doc.path) {
      auto now = view.now_line(loc.line);
      if (!now) return;
      loc.line = *now;
    }
    add(loc);
  };
  for (const auto& h : collections_at(doc, w, start, last, ctx))
    add_from(h.view, h.view.analysis->load().programs[h.program].find(h.name)->location);
  if (out.empty())  // a module or class: `include Foo`, `import Foo => :f`
    for (const Workspace::View& view : ctx.workspace.views_of(doc.path))
      for (const SourceFile& f : view.analysis->load().files)
        for (const ModuleDef& m : f.modules)
          if (m.name == w || last_segment(m.name) == w) add_from(view, m.location);
  if (out.empty()) return nullptr;
  return out.size() == 1 ? out[0] : out;
}

namespace {

/// Where the syntax node starting at a location ends, from a parse of the document.
class Spans {
 public:
  explicit Spans(const Document& doc) {
    ruby::SyntaxTree tree(doc.path, doc.text.str());
    std::vector<ruby::Node> todo{tree.root()};
    while (!todo.empty()) {
      ruby::Node n = todo.back();
      todo.pop_back();
      auto start = reinterpret_cast<const char*>(n.text().data()) - tree.text().data();
      size_t end = static_cast<size_t>(start) + n.text().size();
      auto key = std::make_pair(n.line(), n.column());
      // A block's body starts where its first statement does: it is not that statement.
      bool body = n.is("body_statement") || n.is("block_body");
      if (n.parent() && !body) {
        auto& e = ends_[key];
        e = std::max(e, end);
      }
      for (auto& c : n.children()) todo.push_back(c);
    }
  }
  /// The range from `loc` to the end of the largest node starting there (else its line).
  Range range(const SourceLocation& loc, const Document& doc, PositionEncoding enc) const {
    Position s = doc.text.position(loc, enc);
    auto it = ends_.find({loc.line, loc.column});
    if (it != ends_.end()) return {s, doc.text.position(it->second, enc)};
    return {s, doc.text.line_end(s.line, enc)};
  }
  /// The statement around `loc` (a declaration's name): from the first non-blank of its
  /// line to the end of the node starting there, at least to the end of the line.
  Range statement(const SourceLocation& loc, const Document& doc, PositionEncoding enc) const {
    if (!loc.known()) return range(loc, doc, enc);
    std::string_view line = doc.text.line(loc.line - 1);
    size_t indent = line.find_first_not_of(" \t");
    if (indent == std::string_view::npos) indent = 0;
    SourceLocation first{loc.file, loc.line, static_cast<int>(indent) + 1};
    Range r = range(first, doc, enc);
    r.end = std::max(r.end, doc.text.line_end(loc.line - 1, enc));
    return r;
  }

 private:
  std::map<std::pair<int, int>, size_t> ends_;
};

int collection_symbol_kind(CollectionKind k) {
  switch (k) {
    case CollectionKind::Channel:
    case CollectionKind::Loopback:
      return 24;  // Event
    case CollectionKind::Input:
    case CollectionKind::Output:
      return 11;  // Interface
    case CollectionKind::Lattice:
      return 13;  // Variable
    case CollectionKind::Periodic:
      return 24;
    default:
      return 8;  // Field
  }
}

std::string one_line(const std::string& text, size_t max) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() > max) out = out.substr(0, max - 3) + "...";
  return out;
}

json symbol(std::string name, int kind, std::string detail, Range range, Range selection) {
  json s = {{"name", std::move(name)},
            {"kind", kind},
            {"range", to_json(range)},
            {"selectionRange", to_json(selection)}};
  if (!detail.empty()) s["detail"] = std::move(detail);
  return s;
}

/// Widens `outer` to contain `inner` (a parent's range must contain its children's).
void cover(Range& outer, const Range& inner) {
  outer.start = std::min(outer.start, inner.start);
  outer.end = std::max(outer.end, inner.end);
}

}  // namespace

json document_symbols(const Document& doc, const FeatureContext& ctx) {
  const SourceFile* file = nullptr;
  Workspace::View view;
  for (const Workspace::View& v : ctx.workspace.views_of(doc.path))
    for (const SourceFile& f : v.analysis->load().files)
      if (f.path == doc.path) file = &f, view = v;
  json out = json::array();
  if (!file) return out;
  // While the file does not parse, the outline is the last good one, moved to the lines
  // it is on now; what stood on an edited line is left out.
  auto now = [&](SourceLocation loc) -> std::optional<SourceLocation> {
    if (!loc.known()) return loc;
    auto line = view.now_line(loc.line);
    if (!line) return std::nullopt;
    loc.line = *line;
    return loc;
  };
  Spans spans(doc);
  auto enc = ctx.encoding;
  for (const ModuleDef& m : file->modules) {
    auto mloc = now(m.location);
    if (m.location.file != doc.path || !mloc) continue;
    json children = json::array();
    Range mrange = spans.range(*mloc, doc, enc);
    for (const Collection& c : m.state) {
      auto cloc = now(c.location);
      if (!cloc) continue;
      Range r = spans.statement(*cloc, doc, enc);
      cover(mrange, r);
      children.push_back(symbol(
          c.name, collection_symbol_kind(c.kind),
          std::string(to_string(c.kind)) + (schema_text(c).empty() ? "" : " " + schema_text(c)), r,
          doc.text.token_range(*cloc, enc)));
    }
    for (const RawBlock& b : m.blocks) {
      auto bloc = now(b.location);
      if (!bloc) continue;
      Range brange = spans.range(*bloc, doc, enc);
      json rules = json::array();
      for (const RawRule& rr : b.rules) {
        const Rule& r = rr.rule;
        auto rloc = now(r.location);
        auto oloc = now(r.op_location.known() ? r.op_location : r.location);
        if (!rloc || !oloc) continue;
        Range rrange = spans.range(*rloc, doc, enc);
        cover(brange, rrange);
        rules.push_back(symbol(one_line(r.text, 80), 25, to_string(r.op), rrange,
                               doc.text.token_range(*oloc, enc)));
      }
      for (const Collection& t : b.temps) {
        auto tloc = now(t.location);
        if (!tloc) continue;
        Range r = spans.statement(*tloc, doc, enc);
        cover(brange, r);
        rules.push_back(symbol(t.name, 8, "temp", r, doc.text.token_range(*tloc, enc)));
      }
      cover(mrange, brange);
      std::string name = b.bootstrap ? "bootstrap" : "bloom";
      if (!b.name.empty()) name += " :" + b.name;
      json bs = symbol(name, 6, std::to_string(b.rules.size()) + " rules", brange,
                       doc.text.token_range(*bloc, enc));
      bs["children"] = rules;
      children.push_back(bs);
    }
    json ms = symbol(m.name, m.is_class ? 5 : 2, m.is_class ? "class" : "module", mrange,
                     doc.text.token_range(*mloc, enc));
    ms["children"] = children;
    out.push_back(ms);
  }
  return out;
}

namespace {

std::string indentation(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && (line[n] == ' ' || line[n] == '\t')) ++n;
  return std::string(line.substr(0, n));
}

json text_edit(const Range& r, const std::string& text) {
  return {{"range", to_json(r)}, {"newText", text}};
}

json insert_line_edit(const Document& doc, int line1, const std::string& text) {
  Position p{line1 - 1, 0};
  return text_edit({p, p}, indentation(doc.text.line(line1 - 1)) + text + "\n");
}

/// The quick fix that allows `f` with a `# calm:allow` comment above its statement.
std::optional<json> allow_action(const Document& doc, const Finding& f, const json& diagnostic,
                                 PositionEncoding enc) {
  SourceLocation target =
      f.statement.known() && f.statement.file == doc.path ? f.statement : f.location;
  if (!target.known() || target.file != doc.path) return std::nullopt;
  json edit;
  std::string above = target.line >= 2 ? std::string(doc.text.line(target.line - 2)) : "";
  auto marker = parse_marker_line(above);
  std::string_view trimmed = above;
  trimmed.remove_prefix(std::min(trimmed.size(), indentation(above).size()));
  if (marker && marker->kind == "allow" && !trimmed.empty() && trimmed.front() == '#') {
    // A marker comment alone on the line above: add the check to its list.
    std::vector<std::string> ids = marker_check_ids(marker->checks);
    if (std::find(ids.begin(), ids.end(), f.check) != ids.end()) return std::nullopt;
    std::string checks;
    for (const auto& id : ids) checks += id + ", ";
    std::string line = indentation(above) + "# calm:allow " + checks + f.check + " -- " +
                       (marker->reason.empty() ? "TODO: why this is safe" : marker->reason);
    Position b{target.line - 2, 0};
    edit = text_edit({b, doc.text.line_end(target.line - 2, enc)}, line);
  } else {
    edit = insert_line_edit(doc, target.line,
                            "# calm:allow " + f.check + " -- TODO: why this is safe");
  }
  json action = {{"title", "Allow " + f.check + " here (# calm:allow)"},
                 {"kind", "quickfix"},
                 {"diagnostics", json::array({diagnostic})},
                 {"edit", {{"changes", {{doc.uri, json::array({edit})}}}}}};
  return action;
}

/// The quick fix of calm-unused-suppression: remove the marker (its line, when the
/// comment is alone on it; else the comment).
std::optional<json> remove_marker_action(const Document& doc, const Finding& f,
                                         const json& diagnostic, PositionEncoding enc) {
  if (!f.location.known() || f.location.file != doc.path) return std::nullopt;
  int l0 = f.location.line - 1;
  std::string_view line = doc.text.line(l0);
  size_t hash = static_cast<size_t>(std::max(0, f.location.column - 1));
  if (hash >= line.size() || line[hash] != '#') return std::nullopt;
  size_t code_end = hash;
  while (code_end > 0 && (line[code_end - 1] == ' ' || line[code_end - 1] == '\t')) --code_end;
  Range r;
  if (code_end == 0) {  // alone on its line: the whole line goes
    r = {{l0, 0}, {l0 + 1, 0}};
  } else {
    size_t base = doc.text.offset({l0, 0}, PositionEncoding::Utf8);
    r = {doc.text.position(base + code_end, enc), doc.text.position(base + line.size(), enc)};
  }
  return json{{"title", "Remove the unused suppression marker"},
              {"kind", "quickfix"},
              {"diagnostics", json::array({diagnostic})},
              {"edit", {{"changes", {{doc.uri, json::array({text_edit(r, "")})}}}}}};
}

}  // namespace

json code_actions(const Document& doc, const Range& range, const FeatureContext& ctx) {
  json out = json::array();
  const int64_t first = int64_t(range.start.line) + 1, last = int64_t(range.end.line) + 1;
  std::set<std::string> offered;
  std::map<std::string, Text> cache;
  for (const Finding& f : ctx.workspace.findings_for(doc.path)) {
    if (f.location.line < first || f.location.line > last) continue;
    if (f.check == "calm-parse-error" || f.check == "calm-io-error") continue;
    json diagnostic = to_diagnostic(f, doc, ctx);
    if (f.check == "calm-unused-suppression") {
      // The fix is to remove the marker, not to allow it.
      if (auto a = remove_marker_action(doc, f, diagnostic, ctx.encoding)) out.push_back(*a);
      continue;
    }
    // A marker calm cannot use is fixed by completing it (its reason, its check ids).
    if (f.check == "calm-bad-suppression") continue;
    if (auto a = allow_action(doc, f, diagnostic, ctx.encoding)) {
      std::string title = (*a)["title"];
      if (offered.insert(title + to_string(f.statement)).second) out.push_back(*a);
    }
    // Mark the modules the finding is about as coordinated.
    if (f.modules.empty()) continue;
    json changes = json::object();
    std::vector<std::string> names;
    for (const std::string& mod : f.modules) {
      std::optional<SourceLocation> def;
      for (const Workspace::View& view : ctx.workspace.views_of(doc.path))
        for (const SourceFile& sf : view.analysis->load().files)
          for (const ModuleDef& m : sf.modules)
            if (m.name == mod && m.location.known()) {
              def = m.location;  // in this document: where its line is now
              if (def->file == doc.path) {
                auto line = view.now_line(def->line);
                if (line)
                  def->line = *line;
                else
                  def.reset();
              }
            }
      const Text* t = def ? text_of(def->file, ctx, cache) : nullptr;
      if (!t) {
        names.clear();
        break;
      }
      std::string uri = def->file == doc.path ? doc.uri : path_to_uri(def->file);
      Position p{def->line - 1, 0};
      std::string line = indentation(t->line(def->line - 1)) + "# calm:coordinated -- TODO: how " +
                         mod + " coordinates\n";
      if (!changes.contains(uri)) changes[uri] = json::array();
      changes[uri].push_back(text_edit({p, p}, line));
      names.push_back(mod);
    }
    if (names.empty()) continue;
    std::string list;
    for (size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
    std::string title = "Mark " + std::string(names.size() == 1 ? "module " : "modules ") + list +
                        " as coordinated (# calm:coordinated)";
    if (!offered.insert(title).second) continue;
    out.push_back({{"title", title},
                   {"kind", "quickfix"},
                   {"diagnostics", json::array({diagnostic})},
                   {"edit", {{"changes", changes}}}});
  }
  return out;
}

}  // namespace calm::lsp
