#include "frontend/syndicate/syndicate_reader.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

namespace calm::syndicate {

namespace {

constexpr const char* kOpaque = "calm-syndicate-opaque";

/// A struct declared in the file (or by a driver calm knows).
struct StructDecl {
  std::vector<std::string> fields;
  bool message = false;   ///< message-struct
  bool declared = false;  ///< assertion-struct / message-struct (kind fixed by the declaration)
  bool builtin = false;   ///< provided by a Syndicate driver (the timer driver)
};

/// Racket functions that are pure and monotone in the sense calm needs (they do not hide
/// dataspace effects). Field reads inside some of them change the reference context
/// (see context_for).
const std::set<std::string>& known_functions() {
  static const std::set<std::string> fns = {"+",
                                            "-",
                                            "*",
                                            "/",
                                            "max",
                                            "min",
                                            "=",
                                            "<",
                                            ">",
                                            "<=",
                                            ">=",
                                            "abs",
                                            "add1",
                                            "sub1",
                                            "quotient",
                                            "remainder",
                                            "modulo",
                                            "equal?",
                                            "eq?",
                                            "eqv?",
                                            "not",
                                            "and",
                                            "or",
                                            "zero?",
                                            "positive?",
                                            "negative?",
                                            "even?",
                                            "odd?",
                                            "number?",
                                            "string?",
                                            "symbol?",
                                            "list",
                                            "list*",
                                            "cons",
                                            "car",
                                            "cdr",
                                            "first",
                                            "second",
                                            "third",
                                            "rest",
                                            "last",
                                            "length",
                                            "append",
                                            "reverse",
                                            "map",
                                            "filter",
                                            "foldl",
                                            "foldr",
                                            "member",
                                            "assoc",
                                            "null?",
                                            "empty?",
                                            "pair?",
                                            "list?",
                                            "vector",
                                            "vector-ref",
                                            "values",
                                            "void",
                                            "set",
                                            "seteq",
                                            "list->set",
                                            "set->list",
                                            "set-add",
                                            "set-remove",
                                            "set-member?",
                                            "set-count",
                                            "set-empty?",
                                            "set-union",
                                            "set-intersect",
                                            "set-subtract",
                                            "set-first",
                                            "in-set",
                                            "in-list",
                                            "in-hash",
                                            "in-hash-keys",
                                            "in-hash-values",
                                            "in-range",
                                            "hash",
                                            "hasheq",
                                            "make-hash",
                                            "hash-ref",
                                            "hash-set",
                                            "hash-remove",
                                            "hash-count",
                                            "hash-has-key?",
                                            "hash-keys",
                                            "hash-values",
                                            "hash-empty?",
                                            "hash-update",
                                            "hash->list",
                                            "string-append",
                                            "format",
                                            "number->string",
                                            "string->symbol",
                                            "symbol->string",
                                            "string=?",
                                            "string<?",
                                            "symbol<?",
                                            "sort",
                                            "apply",
                                            "printf",
                                            "displayln",
                                            "display",
                                            "writeln",
                                            "println",
                                            "eprintf",
                                            "log-info",
                                            "log-debug",
                                            "log-warning",
                                            "log-error",
                                            "current-inexact-milliseconds",
                                            "exact->inexact",
                                            "inexact->exact",
                                            "round",
                                            "floor",
                                            "ceiling",
                                            "sqrt",
                                            "expt",
                                            "identity",
                                            "const",
                                            "gensym",
                                            "error",
                                            "raise",
                                            "list-ref",
                                            "take",
                                            "drop",
                                            "for/list",
                                            "for/set",
                                            "for/hash",
                                            "for/sum",
                                            "for/fold",
                                            "for/first",
                                            "for/or",
                                            "for/and",
                                            "for",
                                            "for*",
                                            "for-each",
                                            "in-value",
                                            "current-output-port"};
  return fns;
}

/// Forms whose first arguments are bindings or syntax rather than calls.
const std::set<std::string>& binding_forms() {
  static const std::set<std::string> forms = {
      "let",     "let*",         "letrec",    "let-values", "let*-values", "lambda",  "λ",
      "define",  "match-define", "for",       "for*",       "for/list",    "for/set", "for/hash",
      "for/sum", "for/fold",     "for/first", "for/or",     "for/and",     "for-each"};
  return forms;
}

/// Side-effect-free output helpers: calls to them do nothing calm models.
bool is_logging(const std::string& f) {
  static const std::set<std::string> fns = {"printf",      "displayln", "display",  "writeln",
                                            "println",     "eprintf",   "log-info", "log-debug",
                                            "log-warning", "log-error", "void",     "log"};
  return fns.count(f) > 0;
}

/// A reference context with the Syndicate construct that decides it.
struct Ctx {
  RefContext context = RefContext::Scan;
  std::string method;
  bool negated = false;
};

/// How a field read inside a call to `fn` is used ("" fn: unchanged).
std::optional<Ctx> context_for(const std::string& fn) {
  if (fn == "not") return Ctx{RefContext::NotIn, "not", true};
  if (fn == "set-count" || fn == "hash-count" || fn == "length")
    return Ctx{RefContext::Group, fn, false};
  if (fn == "+" || fn == "for/sum") return Ctx{RefContext::Group, "sum", false};
  if (fn == "set-member?" || fn == "hash-has-key?" || fn == "hash-ref" || fn == "member" ||
      fn == "set-empty?" || fn == "hash-empty?" || fn == "null?" || fn == "empty?")
    return Ctx{RefContext::Membership, fn, false};
  return std::nullopt;
}

/// Positional arguments and `#:keyword value` pairs of a form, from index `from`.
struct Args {
  std::vector<const Sexp*> positional;
  std::map<std::string, const Sexp*> keywords;
};

Args split_args(const Sexp& form, size_t from) {
  Args a;
  for (size_t i = from; i < form.items.size(); ++i) {
    const Sexp& it = form.items[i];
    if (it.kind == Sexp::Kind::Keyword) {
      a.keywords[it.text] = i + 1 < form.items.size() ? &form.items[i + 1] : nullptr;
      ++i;
    } else {
      a.positional.push_back(&it);
    }
  }
  return a;
}

/// A name given as `'box`, `"box"` or `box`.
std::string literal_name(const Sexp* s) {
  if (!s) return "";
  if (s->kind == Sexp::Kind::String || s->kind == Sexp::Kind::Symbol) return s->text;
  if (s->is_form("quote") && s->items.size() == 2 && s->items[1].kind != Sexp::Kind::List)
    return s->items[1].text;
  return "";
}

/// The lexical situation of a form: which actor, which facet conditions, which fields.
struct Scope {
  std::string actor;                           ///< "" outside any actor
  std::vector<Reference> guards;               ///< refs every effect here depends on
  std::map<std::string, std::string> fields;   ///< field name -> collection
  std::map<std::string, const Sexp*> helpers;  ///< local function definitions
  int level = 0;                               ///< index into Translator::levels_
  bool relay = false;                          ///< a trigger crossed dataspaces
};

/// Turns the forms of one program (one dataspace) into a Program.
class Translator {
 public:
  Translator(const std::string& text, const std::map<std::string, StructDecl>& structs,
             const std::map<std::string, const Sexp*>& helpers, Diagnostics& diags)
      : text_(text), structs_(structs), helpers_(helpers), diags_(diags) {
    levels_.push_back("");
  }

  Program run(const std::string& name, const SourceLocation& at,
              const std::vector<const Sexp*>& forms) {
    Scope top;
    for (const Sexp* f : forms) top_form(*f, top);
    add_timer_driver();
    Program p;
    p.name = name;
    p.location = at;
    p.modules = actors_;
    for (auto& [n, c] : collections_) p.collections.push_back(c);
    p.rules = std::move(rules_);
    return p;
  }

 private:
  // ---- collections -------------------------------------------------------------

  /// The collection of an assertion or message class at a dataspace level.
  std::string class_collection(const std::string& ctor, size_t arity, int level, bool message,
                               const SourceLocation& at) {
    std::string base = ctor;
    std::vector<std::string> cols;
    bool builtin = false;
    bool is_message = message;
    if (auto it = structs_.find(ctor); it != structs_.end() && it->second.fields.size() == arity) {
      cols = it->second.fields;
      builtin = it->second.builtin;
      if (it->second.declared || it->second.builtin) is_message = it->second.message;
    } else {
      base = ctor + "/" + std::to_string(arity);
      for (size_t i = 1; i <= arity; ++i) cols.push_back("f" + std::to_string(i));
    }
    std::string name = base + level_suffix(level);
    if (!collections_.count(name)) {
      Collection c;
      c.name = name;
      c.kind = is_message ? CollectionKind::Channel : CollectionKind::Scratch;
      if (is_message) {
        c.keys.push_back("dataspace");
        c.location_column = "dataspace";
      }
      c.keys.insert(c.keys.end(), cols.begin(), cols.end());
      c.builtin = builtin;
      c.location = at;
      c.module = level < 0 ? "outside" : levels_[static_cast<size_t>(level)];
      collections_.emplace(name, std::move(c));
    }
    return name;
  }

  std::string level_suffix(int level) const {
    if (level < 0) return "@outside";
    const std::string& n = levels_[static_cast<size_t>(level)];
    return n.empty() ? "" : "@" + n;
  }

  std::string declare_field(Scope& sc, const std::string& field, const SourceLocation& at) {
    std::string name = (sc.actor.empty() ? "toplevel" : sc.actor) + "." + field;
    if (!collections_.count(name)) {
      Collection c;
      c.name = name;
      c.kind = CollectionKind::Table;
      c.values = {"value"};
      c.module = sc.actor;
      c.location = at;
      collections_.emplace(name, std::move(c));
    }
    sc.fields[field] = name;
    return name;
  }

  /// The class an assertion pattern or value denotes: "" (and a warning) when calm
  /// cannot tell. `level` is adjusted for inbound / outbound.
  std::string classify(const Sexp& p, const Scope& sc, bool message, bool& relay) {
    int level = sc.level;
    const Sexp* cur = &p;
    std::string prefix;
    while (cur->is_list() && cur->items.size() == 2 &&
           (cur->is_form("inbound") || cur->is_form("outbound"))) {
      --level;
      relay = true;
      cur = &cur->items[1];
    }
    if (cur->is_form("observe") && cur->items.size() == 2) {
      prefix = "observe:";
      cur = &cur->items[1];
    }
    std::string ctor = cur->head();
    if (!cur->is_list() || ctor.empty() || ctor == "quote" || ctor == "list" || ctor == "?" ||
        cur->is_symbol("_")) {
      opaque(*cur, "pattern or value '" + short_text(*cur) +
                       "' does not name an assertion class; its edges are not modelled");
      return "";
    }
    if (!structs_.count(ctor) && helper_body(ctor, sc)) {
      opaque(*cur, "the class of '" + short_text(*cur) +
                       "' is computed by a helper; its edges are not modelled");
      return "";
    }
    std::string c = class_collection(ctor, cur->items.size() - 1, level, message, cur->location);
    if (prefix.empty()) return c;
    // Interest: "observe:box-state" shares the class's level suffix.
    std::string name = prefix + c;
    if (!collections_.count(name)) {
      Collection col = collections_.at(c);
      col.name = name;
      col.kind = CollectionKind::Scratch;
      col.location_column.clear();
      col.builtin = false;
      collections_.emplace(name, std::move(col));
    }
    return name;
  }

  // ---- rules -------------------------------------------------------------------

  void emit(const std::string& head, RuleOp op, std::vector<Reference> refs, const Sexp& form,
            const Scope& sc, const std::string& what, const std::vector<std::string>& opaque_fns) {
    if (head.empty()) return;
    if (sc.relay && op == RuleOp::Merge) op = RuleOp::Deferred;
    std::vector<Reference> extra;
    for (const std::string& fn : opaque_fns)
      for (const Reference& r : refs) {
        Reference o = r;
        o.context = RefContext::UnknownMethod;
        o.method = fn;
        o.negated = false;
        extra.push_back(std::move(o));
      }
    refs.insert(refs.end(), extra.begin(), extra.end());
    // One reference per (collection, context, method, negated, in_block).
    std::sort(refs.begin(), refs.end(), [](const Reference& a, const Reference& b) {
      return std::tie(a.collection, a.context, a.method, a.negated, a.in_block, a.location) <
             std::tie(b.collection, b.context, b.method, b.negated, b.in_block, b.location);
    });
    refs.erase(
        std::unique(refs.begin(), refs.end(),
                    [](const Reference& a, const Reference& b) {
                      return std::tie(a.collection, a.context, a.method, a.negated, a.in_block) ==
                             std::tie(b.collection, b.context, b.method, b.negated, b.in_block);
                    }),
        refs.end());
    Rule r;
    r.id = static_cast<int>(rules_.size());
    r.lhs = head;
    r.op = op;
    r.rhs.type = "syndicate";
    r.rhs.text = what;
    r.rhs.line = form.location.line;
    r.rhs.column = form.location.column;
    r.text = source_of(form);
    r.module = sc.actor;
    r.location = form.location;
    r.op_location = form.location;
    r.refs = std::move(refs);
    rules_.push_back(std::move(r));
  }

  std::string source_of(const Sexp& s) const {
    if (s.end > s.begin && s.end <= text_.size()) return text_.substr(s.begin, s.end - s.begin);
    return to_text(s);
  }

  static std::string short_text(const Sexp& s) {
    std::string t = to_text(s);
    if (t.size() <= 60) return t;
    size_t cut = 57;  // on a character boundary: messages must stay valid UTF-8
    while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80) --cut;
    return t.substr(0, cut) + "...";
  }

  void opaque(const Sexp& at, const std::string& message) {
    diags_.warning(kOpaque, message, at.location);
  }

  static Reference ref(const std::string& collection, Ctx ctx, const SourceLocation& at) {
    Reference r;
    r.collection = collection;
    r.context = ctx.context;
    r.method = ctx.method;
    r.negated = ctx.negated;
    r.location = at;
    return r;
  }

  // ---- expressions -------------------------------------------------------------

  const Sexp* helper_body(const std::string& name, const Scope& sc) const {
    if (auto it = sc.helpers.find(name); it != sc.helpers.end()) return it->second;
    if (auto it = helpers_.find(name); it != helpers_.end()) return it->second;
    return nullptr;
  }

  bool is_struct_function(const std::string& f) const {
    for (const auto& [name, decl] : structs_)
      if (f == name + "?" || (f.rfind(name + "-", 0) == 0 &&
                              std::find(decl.fields.begin(), decl.fields.end(),
                                        f.substr(name.size() + 1)) != decl.fields.end()))
        return true;
    return false;
  }

  /// The field reads of an expression (as references in context `ctx`), and the opaque
  /// functions it calls (appended to `opaque_fns`).
  void reads(const Sexp& e, const Scope& sc, Ctx ctx, std::vector<Reference>& out,
             std::vector<std::string>& opaque_fns) {
    if (!e.is_list() || e.items.empty()) return;
    const std::string h = e.head();
    if (h == "quote" || h == "syntax") return;
    if (h.empty()) {
      for (const Sexp& it : e.items) reads(it, sc, ctx, out, opaque_fns);
      return;
    }
    if (auto f = sc.fields.find(h); f != sc.fields.end()) {
      if (e.items.size() == 1) out.push_back(ref(f->second, ctx, e.location));
      for (size_t i = 1; i < e.items.size(); ++i) reads(e.items[i], sc, ctx, out, opaque_fns);
      return;
    }
    Ctx inner = ctx;
    if (auto c = context_for(h); c && ctx.context == RefContext::Scan) inner = *c;
    if (h == "if" || h == "when" || h == "unless" || h == "cond" || h == "case" || h == "match" ||
        h == "begin" || h == "quasiquote" || h == "unquote" || h == "observe" || h == "inbound" ||
        h == "outbound" || binding_forms().count(h) || known_functions().count(h) ||
        structs_.count(h) || is_struct_function(h) || h == "else") {
      for (size_t i = 1; i < e.items.size(); ++i) reads(e.items[i], sc, inner, out, opaque_fns);
      return;
    }
    if (const Sexp* body = helper_body(h, sc)) {
      for (size_t i = 1; i < e.items.size(); ++i) reads(e.items[i], sc, ctx, out, opaque_fns);
      inline_reads(h, *body, sc, ctx, out, opaque_fns);
      return;
    }
    // A call to a local variable bound by a pattern or a parameter: unknown code.
    if (!opaque_seen_.count({e.location.line, e.location.column})) {
      opaque_seen_.insert({e.location.line, e.location.column});
      opaque(e, "call to '" + h +
                    "' is not modelled (not a known Racket function, field, struct or "
                    "same-file helper); the edges of this effect are treated as opaque");
    }
    opaque_fns.push_back("opaque " + h);
    for (size_t i = 1; i < e.items.size(); ++i) reads(e.items[i], sc, ctx, out, opaque_fns);
  }

  /// Inlines a same-file helper's body (the `define` form). Top-level helpers cannot read
  /// fields, so their result (the opaque calls they make) is memoized.
  void inline_reads(const std::string& name, const Sexp& def, const Scope& sc, Ctx ctx,
                    std::vector<Reference>& out, std::vector<std::string>& opaque_fns) {
    const bool top = !sc.helpers.count(name);
    if (top) {
      if (auto m = helper_memo_.find(name); m != helper_memo_.end()) {
        opaque_fns.insert(opaque_fns.end(), m->second.begin(), m->second.end());
        return;
      }
    }
    if (inlining_.count(name)) return;  // recursion: the body is being summarized already
    inlining_.insert(name);
    std::vector<std::string> found;
    for (size_t i = 2; i < def.items.size(); ++i) reads(def.items[i], sc, ctx, out, found);
    inlining_.erase(name);
    if (top) helper_memo_[name] = found;
    opaque_fns.insert(opaque_fns.end(), found.begin(), found.end());
  }

  std::vector<Reference> reads_of(const Sexp* e, const Scope& sc, Ctx ctx,
                                  std::vector<std::string>& opaque_fns) {
    std::vector<Reference> out;
    if (e) reads(*e, sc, ctx, out, opaque_fns);
    return out;
  }

  static void append(std::vector<Reference>& to, const std::vector<Reference>& from) {
    to.insert(to.end(), from.begin(), from.end());
  }

  /// The same references with another context (keeping collection and location).
  static std::vector<Reference> recontext(std::vector<Reference> refs, Ctx ctx) {
    for (auto& r : refs) {
      r.context = ctx.context;
      r.method = ctx.method;
      r.negated = ctx.negated;
    }
    return refs;
  }

  // ---- events ------------------------------------------------------------------

  /// An event `(asserted P)`, `(retracted P)` or `(message P)`.
  struct Event {
    std::string collection;
    std::string kind;  ///< "asserted", "retracted", "message"
    bool relay = false;
    const Sexp* pattern = nullptr;
  };

  std::optional<Event> event_of(const Sexp* e, const Scope& sc) {
    if (!e || !e->is_list() || e->items.size() != 2 ||
        !(e->is_form("asserted") || e->is_form("retracted") || e->is_form("message"))) {
      if (e) opaque(*e, "event '" + short_text(*e) + "' is not modelled");
      return std::nullopt;
    }
    Event ev;
    ev.kind = e->head();
    ev.pattern = &e->items[1];
    ev.collection = classify(e->items[1], sc, ev.kind == "message", ev.relay);
    if (ev.collection.empty()) return std::nullopt;
    return ev;
  }

  /// The reference a handler's effects take from its trigger.
  Reference trigger_ref(const Event& ev, const std::string& construct) {
    if (ev.kind == "retracted")
      return ref(ev.collection, {RefContext::NotIn, "on-retracted", false}, ev.pattern->location);
    return ref(ev.collection, {RefContext::Scan, construct + "-" + ev.kind, false},
               ev.pattern->location);
  }

  // ---- facets ------------------------------------------------------------------

  /// The body of a facet (spawn, react, during, until): declarations first (fields,
  /// queries, stop conditions that govern the whole facet), then endpoints and actions.
  void facet_body(const Sexp& form, size_t from, Scope sc) {
    // Pass 1: fields, local helpers and the facet's stop conditions.
    for (size_t i = from; i < form.items.size(); ++i) {
      const Sexp& s = form.items[i];
      const std::string h = s.head();
      if (h == "field") {
        for (size_t k = 1; k < s.items.size(); ++k)
          if (s.items[k].is_list() && !s.items[k].items.empty())
            declare_field(sc, s.items[k].items[0].text, s.items[k].location);
      } else if (h.rfind("define/query-", 0) == 0 && s.items.size() > 1) {
        declare_field(sc, s.items[1].text, s.location);
      } else if (h == "define" && s.items.size() > 2 && s.items[1].is_list() &&
                 !s.items[1].items.empty()) {
        sc.helpers[s.items[1].items[0].text] = &s;
      } else if (h == "stop-when" && s.items.size() > 1) {
        if (auto ev = event_of(&s.items[1], sc)) {
          if (ev->kind == "retracted")
            sc.guards.push_back(
                ref(ev->collection, {RefContext::Scan, "stop-when-retracted", false}, s.location));
          else
            sc.guards.push_back(
                ref(ev->collection, {RefContext::NotIn, "stop-when", false}, s.location));
          sc.relay = sc.relay || ev->relay;
        }
      } else if (h == "stop-when-true" && s.items.size() > 1) {
        std::vector<std::string> fns;
        append(sc.guards,
               reads_of(&s.items[1], sc, {RefContext::NotIn, "stop-when-true", false}, fns));
      }
    }
    // Pass 2.
    for (size_t i = from; i < form.items.size(); ++i) facet_stmt(form.items[i], sc);
  }

  void facet_stmt(const Sexp& s, const Scope& sc) {
    const std::string h = s.head();
    if (h == "field" || h == "define" || h == "define-values") return;
    if (h == "assert") {
      Args a = split_args(s, 1);
      if (a.positional.empty()) return;
      bool relay = false;
      std::string head = classify(*a.positional[0], sc, false, relay);
      std::vector<std::string> fns;
      std::vector<Reference> refs = sc.guards;
      append(refs, reads_of(a.positional[0], sc, {}, fns));
      if (a.keywords.count("when")) append(refs, reads_of(a.keywords["when"], sc, {}, fns));
      Scope rs = sc;
      rs.relay = sc.relay || relay;
      emit(head, RuleOp::Merge, refs, s, rs, "assert", fns);
      return;
    }
    if (h == "on" || h == "stop-when") {
      Args a = split_args(s, 1);
      if (a.positional.empty()) return;
      auto ev = event_of(a.positional[0], sc);
      if (!ev) return;
      Scope hs = sc;
      hs.relay = sc.relay || ev->relay;
      hs.guards.push_back(trigger_ref(*ev, h == "on" ? "on" : "stop-when"));
      for (size_t i = 1; i < a.positional.size(); ++i) action(*a.positional[i], hs);
      return;
    }
    if (h == "stop-when-true") {
      Scope hs = sc;
      std::vector<std::string> fns;
      if (s.items.size() > 1)
        append(hs.guards,
               reads_of(&s.items[1], sc, {RefContext::Scan, "stop-when-true", false}, fns));
      for (size_t i = 2; i < s.items.size(); ++i) action(s.items[i], hs);
      return;
    }
    if (h == "during" || h == "during/spawn") {
      if (s.items.size() < 2) return;
      bool relay = false;
      std::string cls = classify(s.items[1], sc, false, relay);
      if (cls.empty()) return;
      Scope fs = sc;
      fs.relay = sc.relay || relay;
      fs.guards.push_back(ref(cls, {RefContext::Scan, h, false}, s.items[1].location));
      if (h == "during/spawn") {
        spawn_actor(s, 2, fs, "");
      } else {
        facet_body(s, 2, fs);
      }
      return;
    }
    if (h == "on-start") {
      for (size_t i = 1; i < s.items.size(); ++i) action(s.items[i], sc);
      return;
    }
    if (h == "on-stop") {
      // Runs when the facet ends: when what keeps it alive is retracted.
      Scope hs = sc;
      for (auto& g : hs.guards)
        if (g.context == RefContext::Scan) {
          g.context = RefContext::NotIn;
          g.method = "on-stop";
        }
      for (size_t i = 1; i < s.items.size(); ++i) action(s.items[i], hs);
      return;
    }
    if (h.rfind("define/query-", 0) == 0) {
      query(s, sc);
      return;
    }
    action(s, sc);
  }

  /// define/query-set|hash|count|value: a field maintained from assertions.
  void query(const Sexp& s, const Scope& sc) {
    const std::string h = s.head();
    Args a = split_args(s, 1);
    if (a.positional.size() < 2) {
      opaque(s, "malformed '" + h + "'");
      return;
    }
    auto f = sc.fields.find(a.positional[0]->text);
    if (f == sc.fields.end()) return;
    const Sexp* pattern =
        h == "define/query-value" && a.positional.size() > 2 ? a.positional[2] : a.positional[1];
    Ctx ctx{RefContext::Scan, "query-set", false};
    if (h == "define/query-hash")
      ctx = {RefContext::Scan, "query-hash", false};
    else if (h == "define/query-count")
      ctx = {RefContext::Group, "query-count", false};
    else if (h == "define/query-value")
      ctx = {RefContext::NotIn, "query-value", false};
    else if (h != "define/query-set") {
      opaque(s, "'" + h + "' is not modelled");
      return;
    }
    bool relay = false;
    std::string cls = classify(*pattern, sc, false, relay);
    if (cls.empty()) return;
    Scope qs = sc;
    qs.relay = sc.relay || relay;
    std::vector<Reference> refs = sc.guards;
    refs.push_back(ref(cls, ctx, pattern->location));
    emit(f->second, RuleOp::Merge, refs, s, qs, h, {});
    // #:on-add / #:on-remove run like handlers of asserted / retracted.
    for (const auto& [kw, body] : a.keywords) {
      if (!body || (kw != "on-add" && kw != "on-remove")) continue;
      Scope hs = qs;
      hs.guards.push_back(kw == "on-add"
                              ? ref(cls, {RefContext::Scan, "on-add", false}, body->location)
                              : ref(cls, {RefContext::NotIn, "on-remove", false}, body->location));
      action(*body, hs);
    }
  }

  void spawn_actor(const Sexp& s, size_t from, const Scope& parent, const std::string& fallback) {
    Args a = split_args(s, from);
    std::string name = literal_name(a.keywords.count("name") ? a.keywords["name"] : nullptr);
    if (name.empty()) name = fallback.empty() ? "spawn" + std::to_string(++spawn_count_) : fallback;
    std::string unique = name;
    for (int n = 2; std::find(actors_.begin(), actors_.end(), unique) != actors_.end(); ++n)
      unique = name + "-" + std::to_string(n);
    actors_.push_back(unique);
    Scope sc = parent;
    sc.actor = unique;
    sc.fields.clear();
    // Skip `#:name x` and other keyword arguments, keep the body.
    Sexp body;
    body.kind = Sexp::Kind::List;
    for (size_t i = from; i < s.items.size(); ++i) {
      if (s.items[i].kind == Sexp::Kind::Keyword) {
        ++i;
        continue;
      }
      body.items.push_back(s.items[i]);
    }
    bodies_.push_back(std::make_unique<Sexp>(std::move(body)));
    facet_body(*bodies_.back(), 0, sc);
  }

  /// A nested dataspace: its actors talk at a new level; inbound / outbound relay.
  void nested_dataspace(const Sexp& s, size_t from, const Scope& parent) {
    Args a = split_args(s, from);
    std::string name = literal_name(a.keywords.count("name") ? a.keywords["name"] : nullptr);
    if (name.empty()) name = "ds" + std::to_string(levels_.size());
    levels_.push_back(name);
    Scope sc = parent;
    sc.level = static_cast<int>(levels_.size()) - 1;
    sc.actor.clear();
    sc.fields.clear();
    for (const Sexp* f : a.positional) top_form(*f, sc);
  }

  // ---- actions -----------------------------------------------------------------

  /// An action run by a handler (or at facet start); `sc.guards` holds what it depends on.
  void action(const Sexp& s, const Scope& sc) {
    if (!s.is_list() || s.items.empty()) return;
    const std::string h = s.head();
    if (h.empty()) {
      for (const Sexp& it : s.items) action(it, sc);
      return;
    }
    if (h == "send!" || h == "assert!" || h == "retract!") {
      if (s.items.size() < 2) return;
      bool relay = false;
      std::string head = classify(s.items[1], sc, h == "send!", relay);
      std::vector<std::string> fns;
      std::vector<Reference> refs = sc.guards;
      append(refs, reads_of(&s.items[1], sc, {}, fns));
      Scope rs = sc;
      rs.relay = sc.relay || relay;
      RuleOp op = h == "send!"      ? RuleOp::Deferred
                  : h == "retract!" ? RuleOp::Delete
                                    : RuleOp::Merge;
      emit(head, op, refs, s, rs, h, fns);
      return;
    }
    if (auto f = sc.fields.find(h); f != sc.fields.end()) {
      if (s.items.size() != 2) return;  // a read as a statement
      std::vector<std::string> fns;
      std::vector<Reference> refs = sc.guards;
      append(refs, reads_of(&s.items[1], sc, {}, fns));
      emit(f->second, is_lattice_merge(h, s.items[1]) ? RuleOp::Deferred : RuleOp::Upsert, refs, s,
           sc, is_lattice_merge(h, s.items[1]) ? "field merge" : "field write", fns);
      return;
    }
    if (h == "when" || h == "unless") {
      if (s.items.size() < 2) return;
      Scope bs = sc;
      std::vector<std::string> fns;
      Ctx ctx = h == "unless" ? Ctx{RefContext::NotIn, "unless", true} : Ctx{};
      append(bs.guards, reads_of(&s.items[1], sc, ctx, fns));
      for (size_t i = 2; i < s.items.size(); ++i) action(s.items[i], bs);
      return;
    }
    if (h == "if") {
      if (s.items.size() < 3) return;
      std::vector<std::string> fns;
      auto test = reads_of(&s.items[1], sc, {}, fns);
      Scope then_scope = sc, else_scope = sc;
      append(then_scope.guards, test);
      append(else_scope.guards, recontext(test, {RefContext::NotIn, "else", true}));
      action(s.items[2], then_scope);
      if (s.items.size() > 3) action(s.items[3], else_scope);
      return;
    }
    if (h == "cond") {
      std::vector<Reference> earlier;
      for (size_t i = 1; i < s.items.size(); ++i) {
        const Sexp& clause = s.items[i];
        if (!clause.is_list() || clause.items.empty()) continue;
        std::vector<std::string> fns;
        auto test = reads_of(&clause.items[0], sc, {}, fns);
        Scope cs = sc;
        append(cs.guards, recontext(earlier, {RefContext::NotIn, "else", true}));
        append(cs.guards, test);
        for (size_t k = 1; k < clause.items.size(); ++k) action(clause.items[k], cs);
        append(earlier, test);
      }
      return;
    }
    if (h == "let" || h == "let*" || h == "letrec") {
      size_t b = 1;
      if (s.items.size() > 1 && s.items[1].kind == Sexp::Kind::Symbol) ++b;  // named let
      if (s.items.size() <= b) return;
      Scope bs = sc;
      std::vector<std::string> fns;
      for (const Sexp& binding : s.items[b].items)
        if (binding.is_list() && binding.items.size() == 2) {
          append(bs.guards, reads_of(&binding.items[1], sc, {}, fns));
          action(binding.items[1], sc);
        }
      for (size_t i = b + 1; i < s.items.size(); ++i) action(s.items[i], bs);
      return;
    }
    if (h == "begin") {
      for (size_t i = 1; i < s.items.size(); ++i) action(s.items[i], sc);
      return;
    }
    if (h == "react") {
      facet_body(s, 1, sc);
      return;
    }
    if (h == "until") {
      if (s.items.size() < 2) return;
      Sexp facet;
      facet.kind = Sexp::Kind::List;
      Sexp stop;
      stop.kind = Sexp::Kind::List;
      stop.location = s.location;
      Sexp head;
      head.text = "stop-when";
      stop.items = {head, s.items[1]};
      facet.items.push_back(stop);
      for (size_t i = 2; i < s.items.size(); ++i) facet.items.push_back(s.items[i]);
      bodies_.push_back(std::make_unique<Sexp>(std::move(facet)));
      facet_body(*bodies_.back(), 0, sc);
      return;
    }
    if (h == "spawn" || h == "spawn*" || h == "dataspace") {
      top_form(s, sc);
      return;
    }
    if (h == "stop-current-facet" || h == "stop-facet") {
      opaque(s, "'" + h +
                    "' is not modelled: the facet's end does not retract anything in "
                    "calm's graph (use stop-when)");
      return;
    }
    if (is_logging(h) || h == "quote") return;
    if (known_functions().count(h) || structs_.count(h) || is_struct_function(h) ||
        binding_forms().count(h)) {
      for (size_t i = 1; i < s.items.size(); ++i) action(s.items[i], sc);
      return;
    }
    if (const Sexp* def = helper_body(h, sc)) {
      if (inlining_.count(h)) return;
      inlining_.insert(h);
      Scope bs = sc;
      std::vector<std::string> fns;
      for (size_t i = 1; i < s.items.size(); ++i)
        append(bs.guards, reads_of(&s.items[i], sc, {}, fns));
      for (size_t i = 2; i < def->items.size(); ++i) action(def->items[i], bs);
      inlining_.erase(h);
      return;
    }
    if (facet_forms().count(h)) {
      facet_stmt(s, sc);
      return;
    }
    opaque(s, "form '" + h + "' is not modelled; its effects (if any) are missing from the graph");
  }

  static const std::set<std::string>& facet_forms() {
    static const std::set<std::string> forms = {"assert",
                                                "on",
                                                "during",
                                                "during/spawn",
                                                "stop-when",
                                                "stop-when-true",
                                                "on-start",
                                                "on-stop",
                                                "field",
                                                "define/query-set",
                                                "define/query-hash",
                                                "define/query-count",
                                                "define/query-value"};
    return forms;
  }

  /// `(f (max (f) x))`, `(f (min x (f)))`, `(f (set-add (f) x))`, `(f (set-union (f) s))`:
  /// the new value is the join of the old one and something else.
  static bool is_lattice_merge(const std::string& field, const Sexp& v) {
    static const std::set<std::string> joins = {"max", "min", "set-add", "set-union"};
    if (!v.is_list() || !joins.count(v.head())) return false;
    for (size_t i = 1; i < v.items.size(); ++i)
      if (v.items[i].is_list() && v.items[i].items.size() == 1 &&
          v.items[i].items[0].is_symbol(field))
        return true;
    return false;
  }

  // ---- top level ---------------------------------------------------------------

  void top_form(const Sexp& s, const Scope& sc) {
    const std::string h = s.head();
    if (h == "spawn" || h == "spawn*" || h == "actor") {
      spawn_actor(s, 1, sc, "");
    } else if (h == "dataspace") {
      nested_dataspace(s, 1, sc);
    } else if (h == "assertion-struct" || h == "message-struct" || h == "struct" || h == "define" ||
               h == "require" || h == "provide" || h == "module+" || h == "module" ||
               h == "define-values" || h == "define-syntax" || h == "define-syntax-rule" ||
               h == "define-logger" || h == "quote") {
      // Declarations (collected beforehand) and module plumbing.
    } else if (!s.is_list()) {
      // A bare atom at the top level does nothing.
    } else if (facet_forms().count(h) || h == "send!") {
      // Facet forms at the top of a dataspace run in an implicit actor.
      Scope a = sc;
      if (a.actor.empty()) a.actor = "toplevel";
      facet_stmt(s, a);
    } else {
      opaque(s, "top-level form '" + (h.empty() ? short_text(s) : h) + "' is not modelled");
    }
  }

  /// The timer driver (syndicate/drivers/timer) answers set-timer with timer-expired.
  void add_timer_driver() {
    auto set = collections_.find("set-timer");
    auto expired = collections_.find("timer-expired");
    if (set == collections_.end() || expired == collections_.end()) return;
    Rule r;
    r.id = static_cast<int>(rules_.size());
    r.lhs = expired->first;
    r.op = RuleOp::Deferred;
    r.rhs.type = "syndicate";
    r.rhs.text = "timer driver";
    r.text = "timer driver: (set-timer label msecs kind) -> (timer-expired label now)";
    r.module = "timer-driver";
    r.location = set->second.location;
    r.op_location = set->second.location;
    r.refs.push_back(ref(set->first, {RefContext::Scan, "timer-driver", false}, r.location));
    rules_.push_back(std::move(r));
  }

  const std::string& text_;
  const std::map<std::string, StructDecl>& structs_;
  const std::map<std::string, const Sexp*>& helpers_;
  Diagnostics& diags_;
  std::map<std::string, Collection> collections_;
  std::vector<Rule> rules_;
  std::vector<std::string> actors_;
  std::vector<std::string> levels_;  ///< level -> dataspace name ("" for the program's own)
  std::vector<std::unique_ptr<Sexp>> bodies_;
  std::map<std::string, std::vector<std::string>> helper_memo_;
  std::set<std::string> inlining_;
  std::set<std::pair<int, int>> opaque_seen_;
  int spawn_count_ = 0;
};

}  // namespace

bool is_syndicate_file(const std::string& path, const std::string& lang) {
  if (lang == "syndicate") return true;
  if (!lang.empty()) return false;
  return std::filesystem::path(path).extension() == ".rkt";
}

std::vector<Program> translate_syndicate(const std::string& path, const std::string& text,
                                         const std::vector<Sexp>& forms, Diagnostics& diags) {
  // Declarations shared by every program of the file.
  std::map<std::string, StructDecl> structs;
  structs["set-timer"] = {{"label", "msecs", "kind"}, true, true, true};
  structs["timer-expired"] = {{"label", "msecs"}, true, true, true};
  std::map<std::string, const Sexp*> helpers;
  for (const Sexp& f : forms) {
    const std::string h = f.head();
    if ((h == "assertion-struct" || h == "message-struct" || h == "struct") && f.items.size() > 2 &&
        f.items[1].kind == Sexp::Kind::Symbol && f.items[2].is_list()) {
      StructDecl d;
      for (const Sexp& field : f.items[2].items)
        d.fields.push_back(field.is_list() && !field.items.empty() ? field.items[0].text
                                                                   : field.text);
      d.message = h == "message-struct";
      d.declared = h != "struct";
      structs[f.items[1].text] = d;
    } else if (h == "define" && f.items.size() > 2 && f.items[1].is_list() &&
               !f.items[1].items.empty()) {
      helpers[f.items[1].items[0].text] = &f;
    }
  }

  const std::string stem = std::filesystem::path(path).stem().string();
  std::vector<const Sexp*> dataspaces, rest;
  for (const Sexp& f : forms) (f.is_form("dataspace") ? dataspaces : rest).push_back(&f);
  const bool rest_has_actors = std::any_of(rest.begin(), rest.end(), [](const Sexp* f) {
    const std::string h = f->head();
    return h == "spawn" || h == "spawn*" || h == "actor" || h == "assert" || h == "on" ||
           h == "during";
  });

  std::vector<Program> out;
  if (dataspaces.empty() || rest_has_actors) {
    Translator t(text, structs, helpers, diags);
    out.push_back(t.run(stem, {path, 1, 1}, rest));
  }
  for (size_t i = 0; i < dataspaces.size(); ++i) {
    const Sexp& ds = *dataspaces[i];
    Args a = split_args(ds, 1);
    std::string name = literal_name(a.keywords.count("name") ? a.keywords["name"] : nullptr);
    if (name.empty())
      name =
          dataspaces.size() == 1 && !rest_has_actors ? stem : stem + ".ds" + std::to_string(i + 1);
    std::vector<const Sexp*> body = a.positional;
    for (const Sexp* r : rest) body.push_back(r);  // declarations; actors only when alone
    Translator t(text, structs, helpers, diags);
    out.push_back(t.run(name, ds.location, rest_has_actors ? a.positional : body));
  }
  return out;
}

std::vector<Program> read_syndicate_programs(const std::string& path, const std::string& text,
                                             Diagnostics& diags) {
  Diagnostics parse;
  std::vector<Sexp> forms = read_sexps(path, text, parse);
  const bool failed = parse.has_errors();
  diags.append(parse);
  if (failed) return {};
  return translate_syndicate(path, text, forms, diags);
}

}  // namespace calm::syndicate
