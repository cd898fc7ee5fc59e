#include "frontend/dedalus/dedalus_translator.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "base/text.h"
#include "frontend/bud/bud_reader.h"
#include "frontend/bud/composer.h"
#include "frontend/ruby/syntax_tree.h"

namespace calm::dedalus {

namespace {

const char* kModule = "DedalusProgram";

/// What the translation knows about one predicate.
struct Predicate {
  std::string kind;  ///< input, output, table, scratch, channel
  std::vector<std::string> keys, values;
  std::string location_column;
  SourceLocation location;
  bool declared = false;

  size_t arity() const { return keys.size() + values.size(); }
  std::string column(size_t i) const { return i < keys.size() ? keys[i] : values[i - keys.size()]; }
};

/// Names that would not survive as Bud collection or column names.
bool reserved(const std::string& name) {
  static const std::set<std::string> words = {
      "alias", "and",    "begin",     "break", "case",   "class", "def",     "defined",
      "do",    "else",   "elsif",     "end",   "ensure", "false", "for",     "if",
      "in",    "module", "next",      "nil",   "not",    "or",    "redo",    "rescue",
      "retry", "return", "self",      "super", "then",   "true",  "undef",   "unless",
      "until", "when",   "while",     "yield", "stdio",  "halt",  "ip_port", "budtime",
      "state", "bloom",  "bootstrap", "notin", "group",  "count", "now",     "async"};
  return words.count(name) > 0;
}

std::string lower(const std::string& s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string ruby_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '#':
        out += "\\#";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

std::string join(const std::vector<std::string>& v, const std::string& sep = ", ") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

/// A translation error: reported at its place, the statement is dropped.
struct Refusal {
  std::string message;
  SourceLocation location;
  DiagnosticId check = kParseError;
};

class Translator {
 public:
  Translator(const SyntaxTree& tree, Diagnostics& diags) : tree_(tree), diags_(diags) {}

  Translation run() {
    declare();
    infer();
    check_atoms();
    for (size_t i = 0; i < tree_.rules.size(); ++i) {
      try {
        translate(static_cast<int>(i), tree_.rules[i]);
      } catch (const Refusal& r) {
        diags_.error(r.check, r.message, r.location);
        failed_ = true;
      }
    }
    Translation t;
    t.ok = !failed_;
    if (!t.ok) return t;
    // One statement per line, so that each line maps back to its Dedalus element.
    auto line = [&](const std::string& s, int rule, SourceLocation decl) {
      t.ruby += s + "\n";
      t.rule_of_line.push_back(rule);
      t.declared_at.push_back(std::move(decl));
    };
    t.rule_of_line.push_back(-1);  // line 0 does not exist
    t.declared_at.push_back({});
    line(std::string("module ") + kModule, -1, {});
    line("  state do", -1, {});
    for (const std::string& name : order_) {
      const Predicate& p = preds_.at(name);
      std::string keys, values;
      for (const auto& k : p.keys) keys += (keys.empty() ? ":" : ", :") + at(p, k);
      for (const auto& v : p.values) values += (values.empty() ? ":" : ", :") + at(p, v);
      std::string schema = "[" + keys + "]" + (values.empty() ? "" : " => [" + values + "]");
      std::string decl = p.kind == "input" || p.kind == "output"
                             ? "interface " + p.kind + ", :" + name + ", " + schema
                             : p.kind + " :" + name + ", " + schema;
      line("    " + decl, -1, p.location);
    }
    line("  end", -1, {});
    line("  bloom do", -1, {});
    for (const auto& [rule, stmt] : statements_) line("    " + stmt, rule, {});
    line("  end", -1, {});
    if (!facts_.empty()) {
      line("  bootstrap do", -1, {});
      for (const auto& [rule, stmt] : facts_) line("    " + stmt, rule, {});
      line("  end", -1, {});
    }
    line("end", -1, {});
    return t;
  }

 private:
  static std::string at(const Predicate& p, const std::string& col) {
    return col == p.location_column ? "@" + col : col;
  }

  void error(const std::string& message, const SourceLocation& where,
             DiagnosticId check = kParseError) {
    diags_.error(check, message, where);
    failed_ = true;
  }

  // -------------------------------------------------------------------------
  // Predicates

  void declare() {
    for (const Declaration& d : tree_.declarations) {
      if (reserved(d.name)) {
        error("'" + d.name + "' is a reserved name in calm's Bud translation; rename the predicate",
              d.location);
        continue;
      }
      if (preds_.count(d.name)) {
        error("'" + d.name + "' is declared twice (first at " +
                  to_string(preds_.at(d.name).location) + ")",
              d.location);
        continue;
      }
      Predicate p;
      p.kind = d.kind;
      p.declared = true;
      p.location = d.location;
      std::set<std::string> seen;
      bool bad = false;
      for (const auto* cols : {&d.keys, &d.values})
        for (const Column& c : *cols) {
          if (!seen.insert(c.name).second) {
            error("column '" + c.name + "' appears twice in '" + d.name + "'", c.where);
            bad = true;
          }
          if (c.location) {
            if (d.kind != "channel") {
              error("only a channel has a location column ('@" + c.name + "')", c.where);
              bad = true;
            } else if (!p.location_column.empty()) {
              error("a channel has one location column", c.where);
              bad = true;
            }
            p.location_column = c.name;
          }
          (cols == &d.keys ? p.keys : p.values).push_back(c.name);
        }
      if (d.kind == "channel" && p.location_column.empty() && !bad) {
        error("channel '" + d.name + "' needs a location column, written '@name'", d.location);
        bad = true;
      }
      if (bad) continue;
      preds_[d.name] = std::move(p);
      order_.push_back(d.name);
    }
  }

  /// A persistence rule: `p(X..)@next :- p(X..)[, notin q(..)]...;` with distinct
  /// variables X.. (the notin literals are deletions).
  static bool is_persistence(const Rule& r) {
    if (r.fact || r.time != Time::Next || r.body.empty()) return false;
    const Literal& first = r.body.front();
    if (first.kind != Literal::Kind::Positive || first.atom.predicate != r.head.predicate ||
        first.atom.args.size() != r.head.args.size())
      return false;
    std::set<std::string> vars;
    for (size_t i = 0; i < r.head.args.size(); ++i) {
      const Term& h = r.head.args[i];
      const Term& b = first.atom.args[i];
      if (h.kind != Term::Kind::Variable || b.kind != Term::Kind::Variable || h.text != b.text ||
          !vars.insert(h.text).second)
        return false;
    }
    for (size_t i = 1; i < r.body.size(); ++i)
      if (r.body[i].kind != Literal::Kind::Negated) return false;
    return true;
  }

  /// Undeclared predicates written in a head: tables when persisted, else scratches,
  /// with columns named after the head's variables.
  void infer() {
    for (const Rule& r : tree_.rules) {
      const std::string& name = r.head.predicate;
      if (preds_.count(name) || reserved(name)) continue;
      Predicate p;
      p.kind = "scratch";
      p.location = r.head.location;
      for (const Rule& other : tree_.rules)
        if (other.head.predicate == name && is_persistence(other)) p.kind = "table";
      std::set<std::string> used;
      for (size_t i = 0; i < r.head.args.size(); ++i) {
        const Term& a = r.head.args[i];
        std::string col;
        if (a.kind == Term::Kind::Variable) col = lower(a.text);
        if (a.kind == Term::Kind::Aggregate)
          col = a.text + (a.args.empty() ? "" : "_" + lower(a.args.front().text));
        if (col.empty() || reserved(col) || used.count(col)) col = "c" + std::to_string(i);
        used.insert(col);
        p.keys.push_back(col);
      }
      preds_[name] = std::move(p);
      order_.push_back(name);
    }
  }

  /// Every atom names a known predicate with the right number of arguments.
  void check_atoms() {
    std::vector<std::string> names(order_.begin(), order_.end());
    auto check = [&](const Atom& a) {
      auto it = preds_.find(a.predicate);
      if (it == preds_.end()) {
        if (reserved(a.predicate)) {
          error("'" + a.predicate +
                    "' is a reserved name in calm's Bud translation; rename the predicate",
                a.location);
          return;
        }
        error("unknown predicate '" + a.predicate + "'" + did_you_mean(a.predicate, names) +
                  " (declare it with .decl, or derive it in a rule head)",
              a.location, "calm-unknown-collection");
        return;
      }
      if (a.args.size() != it->second.arity())
        error("'" + a.predicate + "' has " + std::to_string(it->second.arity()) + " column" +
                  (it->second.arity() == 1 ? "" : "s") + ", not " + std::to_string(a.args.size()),
              a.location);
    };
    for (const Rule& r : tree_.rules) {
      check(r.head);
      for (const Literal& l : r.body)
        if (l.kind == Literal::Kind::Positive || l.kind == Literal::Kind::Negated) check(l.atom);
    }
  }

  // -------------------------------------------------------------------------
  // Rules

  /// Where each variable's value comes from, as Ruby.
  using Bindings = std::map<std::string, std::string>;

  std::string expr(const Term& t, const Bindings& b) const {
    switch (t.kind) {
      case Term::Kind::Variable: {
        auto it = b.find(t.text);
        if (it == b.end())
          throw Refusal{"variable " + t.text + " is not bound by a positive predicate of the body",
                        t.location};
        return it->second;
      }
      case Term::Kind::Wildcard:
        throw Refusal{"'_' can only be an argument of a body predicate", t.location};
      case Term::Kind::Integer:
      case Term::Kind::Float:
        return t.text;
      case Term::Kind::String:
        return ruby_string(t.text);
      case Term::Kind::Builtin:
        return t.text;
      case Term::Kind::List: {
        std::vector<std::string> items;
        for (const Term& a : t.args) items.push_back(expr(a, b));
        return "[" + join(items) + "]";
      }
      case Term::Kind::Binary: {
        auto side = [&](const Term& s) {
          std::string e = expr(s, b);
          return s.kind == Term::Kind::Binary ? "(" + e + ")" : e;
        };
        return side(t.args[0]) + " " + t.text + " " + side(t.args[1]);
      }
      case Term::Kind::Aggregate:
        throw Refusal{"an aggregate can only be an argument of a rule head", t.location};
    }
    return "";
  }

  const Predicate& pred(const std::string& name) const { return preds_.at(name); }

  static const char* op_of(Time t) { return t == Time::Now ? "<=" : t == Time::Next ? "<+" : "<~"; }

  void check_head_kind(const Rule& r) const {
    const Predicate& h = pred(r.head.predicate);
    if (r.time == Time::Async && h.kind != "channel")
      throw Refusal{"only a channel can be written with @async ('" + r.head.predicate + "' is " +
                        h.kind + ")",
                    r.head.location};
    if (r.time != Time::Async && h.kind == "channel")
      throw Refusal{"channel '" + r.head.predicate + "' is written with @async", r.head.location};
  }

  void translate(int index, const Rule& r) {
    const std::string& head = r.head.predicate;
    // Unknown predicates and wrong arities are reported by check_atoms.
    auto known = [&](const Atom& a) {
      auto it = preds_.find(a.predicate);
      return it != preds_.end() && it->second.arity() == a.args.size();
    };
    if (!known(r.head)) return;
    for (const Literal& l : r.body)
      if ((l.kind == Literal::Kind::Positive || l.kind == Literal::Kind::Negated) && !known(l.atom))
        return;
    if (r.fact) return fact(index, r);
    if (is_persistence(r)) return persistence(index, r);
    check_head_kind(r);

    std::vector<const Atom*> positives, negated;
    std::vector<const Literal*> comparisons, extrema;
    for (const Literal& l : r.body) {
      switch (l.kind) {
        case Literal::Kind::Positive:
          positives.push_back(&l.atom);
          break;
        case Literal::Kind::Negated:
          negated.push_back(&l.atom);
          break;
        case Literal::Kind::Comparison:
          comparisons.push_back(&l);
          break;
        case Literal::Kind::Extremum:
          extrema.push_back(&l);
          break;
      }
    }
    if (positives.empty())
      throw Refusal{"the body needs a positive predicate (it is what the rule ranges over)",
                    r.arrow};
    bool aggregate = std::any_of(r.head.args.begin(), r.head.args.end(),
                                 [](const Term& t) { return t.kind == Term::Kind::Aggregate; });
    if (aggregate || !extrema.empty())
      return summary(index, r, *positives.front(), positives, negated, comparisons, extrema,
                     aggregate);
    if (!negated.empty() && positives.size() > 1)
      throw Refusal{
          "notin needs a body with one positive predicate; derive the join in a rule "
          "of its own first",
          negated.front()->location};

    // Bind variables to the columns of the positive predicates.
    const bool single = positives.size() == 1;
    Bindings b;
    std::map<std::string, std::pair<size_t, std::string>> bound_at;  // var -> (atom, column)
    std::vector<std::string> join_pairs, conditions;
    std::vector<std::pair<std::string, const Term*>> checks;  // "t1.col" == term
    for (size_t i = 0; i < positives.size(); ++i) {
      const Atom& a = *positives[i];
      const Predicate& p = pred(a.predicate);
      std::string param = "t" + std::to_string(i + 1);
      for (size_t k = 0; k < a.args.size(); ++k) {
        const Term& arg = a.args[k];
        std::string here = param + "." + p.column(k);
        if (arg.kind == Term::Kind::Wildcard) continue;
        if (arg.kind != Term::Kind::Variable) {
          checks.push_back({here, &arg});
          continue;
        }
        auto it = bound_at.find(arg.text);
        if (it == bound_at.end()) {
          bound_at[arg.text] = {i, p.column(k)};
          b[arg.text] = here;
        } else if (it->second.first == i) {
          conditions.push_back(here + " == " + b[arg.text]);
        } else if (positives.size() == 2) {
          join_pairs.push_back(":" + it->second.second + " => :" + p.column(k));
        } else {
          const Atom& first = *positives[it->second.first];
          join_pairs.push_back(first.predicate + "." + it->second.second + " => " + a.predicate +
                               "." + p.column(k));
        }
      }
    }
    if (positives.size() > 2) {
      std::set<std::string> names;
      for (const Atom* a : positives)
        if (!names.insert(a->predicate).second)
          throw Refusal{"a join of three or more predicates cannot use '" + a->predicate +
                            "' twice; split the rule",
                        a->location};
    }
    for (const auto& [col, term] : checks) conditions.push_back(col + " == " + expr(*term, b));
    // A comparison `V == expr` with V bound by nothing else defines V.
    for (const Literal* l : comparisons) {
      const Term& c = l->expression;
      const Term& lhs = c.args[0];
      if (c.text == "==" && lhs.kind == Term::Kind::Variable && !b.count(lhs.text)) {
        std::string e = expr(c.args[1], b);
        b[lhs.text] = c.args[1].kind == Term::Kind::Binary ? "(" + e + ")" : e;
        continue;
      }
      conditions.push_back(expr(c, b));
    }
    std::vector<std::string> notins;
    for (const Atom* n : negated) notins.push_back(notin(*n, *positives.front(), bound_at));

    std::vector<std::string> head_exprs;
    for (const Term& t : r.head.args) head_exprs.push_back(expr(t, b));

    std::string receiver;
    if (single) {
      receiver = positives.front()->predicate;
      for (const auto& n : notins) receiver += n;
    } else {
      std::vector<std::string> names;
      for (const Atom* a : positives) names.push_back(a->predicate);
      receiver = "(" + join(names, " * ") + ")." + (positives.size() == 2 ? "pairs" : "combos") +
                 (join_pairs.empty() ? "" : "(" + join(join_pairs) + ")");
    }
    // `p <= q` when the head is q's tuple as it is.
    bool identity =
        single && conditions.empty() && r.head.args.size() == positives.front()->args.size();
    // (No conditions means no variable repeats within the predicate.)
    for (size_t k = 0; identity && k < r.head.args.size(); ++k) {
      const Term& h = r.head.args[k];
      const Term& a = positives.front()->args[k];
      identity =
          h.kind == Term::Kind::Variable && a.kind == Term::Kind::Variable && h.text == a.text;
    }
    std::string rhs;
    if (identity) {
      rhs = receiver;
    } else {
      std::vector<std::string> params;
      for (size_t i = 0; i < positives.size(); ++i) params.push_back("t" + std::to_string(i + 1));
      std::string body = "[" + join(head_exprs) + "]";
      if (!conditions.empty()) body += " if " + join(conditions, " && ");
      const bool needs_map = single && !notins.empty();
      rhs = receiver + (needs_map ? ".map" : "") + " { |" + join(params) + "| " + body + " }";
    }
    statements_.push_back({index, head + " " + op_of(r.time) + " " + rhs});
  }

  /// `.notin(n, :a => :b)` for `notin n(...)` against the positive predicate `pos`.
  std::string notin(const Atom& n, const Atom& pos,
                    const std::map<std::string, std::pair<size_t, std::string>>& bound_at) const {
    const Predicate& np = pred(n.predicate);
    std::vector<std::string> pairs;
    for (size_t k = 0; k < n.args.size(); ++k) {
      const Term& arg = n.args[k];
      if (arg.kind == Term::Kind::Wildcard) continue;
      if (arg.kind != Term::Kind::Variable)
        throw Refusal{"notin arguments are variables of '" + pos.predicate +
                          "' or _; filter constants in an earlier rule",
                      arg.location};
      auto it = bound_at.find(arg.text);
      if (it == bound_at.end())
        throw Refusal{"variable " + arg.text + " in notin is not bound by '" + pos.predicate +
                          "'; write _ for a column that may be anything",
                      arg.location};
      pairs.push_back(":" + it->second.second + " => :" + np.column(k));
    }
    if (pairs.empty())
      throw Refusal{"notin shares no variable with '" + pos.predicate + "'", n.location};
    return ".notin(" + n.predicate + ", " + join(pairs) + ")";
  }

  /// Aggregates in the head (`c(S, count<R>) :- a(S, R);`) and argmin/argmax literals.
  void summary(int index, const Rule& r, const Atom& a, const std::vector<const Atom*>& positives,
               const std::vector<const Atom*>& negated,
               const std::vector<const Literal*>& comparisons,
               const std::vector<const Literal*>& extrema, bool aggregate) {
    const char* what = aggregate ? "an aggregate" : extrema.front()->function.c_str();
    SourceLocation where = aggregate ? r.head.location : extrema.front()->location;
    if (positives.size() != 1 || !negated.empty() || !comparisons.empty() ||
        extrema.size() + (aggregate ? 1 : 0) != 1)
      throw Refusal{std::string("a rule with ") + what +
                        " has one positive predicate and nothing else in its body; derive the "
                        "input in a rule of its own first",
                    where};
    const Predicate& p = pred(a.predicate);
    std::map<std::string, std::string> column_of;
    for (size_t k = 0; k < a.args.size(); ++k) {
      const Term& arg = a.args[k];
      if (arg.kind == Term::Kind::Wildcard) continue;
      if (arg.kind != Term::Kind::Variable || column_of.count(arg.text))
        throw Refusal{std::string("the body of a rule with ") + what +
                          " has distinct variables or _ as arguments; filter in an earlier rule",
                      arg.location};
      column_of[arg.text] = p.column(k);
    }
    auto column = [&](const Term& v) {
      if (v.kind != Term::Kind::Variable || !column_of.count(v.text))
        throw Refusal{"expected a variable of '" + a.predicate + "'", v.location};
      return ":" + column_of.at(v.text);
    };
    std::string rhs;
    if (aggregate) {
      std::vector<std::string> groups, aggs;
      for (const Term& t : r.head.args) {
        if (t.kind == Term::Kind::Aggregate) {
          std::vector<std::string> cols;
          for (const Term& v : t.args) cols.push_back(column(v));
          aggs.push_back(t.text + "(" + join(cols) + ")");
        } else if (!aggs.empty()) {
          throw Refusal{"the group variables come before the aggregates in the head", t.location};
        } else {
          groups.push_back(column(t));
        }
      }
      rhs = a.predicate + ".group(" + (groups.empty() ? "nil" : "[" + join(groups) + "]") + ", " +
            join(aggs) + ")";
    } else {
      const Literal& e = *extrema.front();
      bool identity = r.head.args.size() == a.args.size();
      for (size_t k = 0; identity && k < a.args.size(); ++k)
        identity = a.args[k].kind == Term::Kind::Variable &&
                   r.head.args[k].kind == Term::Kind::Variable &&
                   r.head.args[k].text == a.args[k].text;
      if (!identity)
        throw Refusal{e.function +
                          " keeps whole tuples: the head repeats the body predicate's "
                          "variables in order",
                      r.head.location};
      std::vector<std::string> groups;
      for (const Term& v : e.by) groups.push_back(column(v));
      rhs =
          a.predicate + "." + e.function + "([" + join(groups) + "], " + column(e.expression) + ")";
    }
    statements_.push_back({index, r.head.predicate + " " + op_of(r.time) + " " + rhs});
  }

  /// `p(X..)@next :- p(X..), notin q(..)...;`: tables persist in Bud; each notin is a
  /// deletion `p <- q` (or `p <- (p * q).lefts(...)` when q is matched on some columns).
  void persistence(int index, const Rule& r) {
    const std::string& name = r.head.predicate;
    const Predicate& p = pred(name);
    if (p.kind != "table")
      throw Refusal{"'" + name + "' is persisted (" + name + "(...)@next :- " + name +
                        "(...)) but declared " + p.kind + "; declare it table",
                    r.head.location};
    std::map<std::string, std::string> column_of;
    for (size_t k = 0; k < r.head.args.size(); ++k) column_of[r.head.args[k].text] = p.column(k);
    for (size_t i = 1; i < r.body.size(); ++i) {
      const Atom& n = r.body[i].atom;
      const Predicate& np = pred(n.predicate);
      bool whole = n.args.size() == r.head.args.size();
      std::vector<std::string> pairs;
      for (size_t k = 0; k < n.args.size(); ++k) {
        const Term& arg = n.args[k];
        if (arg.kind == Term::Kind::Wildcard) {
          whole = false;
          continue;
        }
        if (arg.kind != Term::Kind::Variable || !column_of.count(arg.text))
          throw Refusal{
              "a deletion (notin in a persistence rule) takes variables of '" + name + "' or _",
              arg.location};
        whole = whole && arg.text == r.head.args[k].text;
        pairs.push_back(":" + column_of.at(arg.text) + " => :" + np.column(k));
      }
      if (pairs.empty()) throw Refusal{"notin shares no variable with '" + name + "'", n.location};
      std::string rhs =
          whole ? n.predicate : "(" + name + " * " + n.predicate + ").lefts(" + join(pairs) + ")";
      statements_.push_back({index, name + " <- " + rhs});
    }
  }

  void fact(int index, const Rule& r) {
    if (r.time != Time::Now)
      throw Refusal{"a fact holds at the first timestep; drop the @" +
                        std::string(r.time == Time::Next ? "next" : "async"),
                    r.head.location};
    if (pred(r.head.predicate).kind == "channel")
      throw Refusal{"a fact cannot be a channel message", r.head.location};
    std::vector<std::string> values;
    Bindings none;
    for (const Term& t : r.head.args) {
      if (t.kind == Term::Kind::Variable)
        throw Refusal{"a fact is ground: variable " + t.text + " has no value (a rule needs ':-')",
                      t.location};
      values.push_back(expr(t, none));
    }
    facts_.push_back({index, r.head.predicate + " <= [[" + join(values) + "]]"});
  }

  const SyntaxTree& tree_;
  Diagnostics& diags_;
  std::map<std::string, Predicate> preds_;
  std::vector<std::string> order_;  ///< declared first, then inferred, in order of appearance
  std::vector<std::pair<int, std::string>> statements_, facts_;
  bool failed_ = false;
};

void relocate(Expr& e, const SourceLocation& at) {
  e.line = at.line;
  e.column = at.column;
  for (Expr& c : e.children) relocate(c, at);
}

}  // namespace

Translation translate_to_bud(const SyntaxTree& tree, Diagnostics& diags) {
  return Translator(tree, diags).run();
}

std::optional<Program> read_dedalus_program(const std::string& path, const std::string& text,
                                            const std::string& name, Diagnostics& diags) {
  Diagnostics local;
  SyntaxTree tree = parse_dedalus(path, text, local);
  if (local.has_errors()) {
    diags.append(local);
    return std::nullopt;
  }
  Translation t = translate_to_bud(tree, local);
  diags.append(local);
  if (!t.ok) return std::nullopt;

  // Read the translation with the Bud front end; map its locations back.
  ruby::SyntaxTree ruby_tree(path, t.ruby);
  bud::ReaderContext ctx;
  ctx.lattice_kinds = bud::builtin_lattice_kinds();
  bud::scan_names(ruby_tree, ctx);
  Diagnostics bud_diags;
  std::vector<SourceFile> files = {bud::read_bud_file(ruby_tree, ctx, bud_diags)};
  std::optional<Program> program = bud::Composer(files, bud_diags).compose({kModule});
  auto rule_at = [&](int line) -> const Rule* {
    if (line <= 0 || line >= static_cast<int>(t.rule_of_line.size())) return nullptr;
    int i = t.rule_of_line[line];
    return i < 0 ? nullptr : &tree.rules[i];
  };
  const SourceLocation file_start{path, 1, 1};
  for (Diagnostic d : bud_diags.items()) {
    const Rule* r = rule_at(d.location.line);
    d.message = "in the Bud translation of this statement: " + d.message;
    d.location = r ? r->location : file_start;
    d.notes.clear();
    diags.add(std::move(d));
  }
  if (!program || bud_diags.has_errors()) return std::nullopt;

  program->name = name;
  program->modules = {name};
  program->location = file_start;
  for (Collection& c : program->collections) {
    int line = c.location.line;
    c.location =
        line > 0 && line < static_cast<int>(t.declared_at.size()) && t.declared_at[line].known()
            ? t.declared_at[line]
            : SourceLocation{path, 0, 0};
    if (!c.builtin) c.module = name;
  }
  for (calm::Rule& rule : program->rules) {
    const Rule* r = rule_at(rule.location.line);
    if (!r) continue;
    rule.location = r->location;
    rule.op_location = r->arrow;
    rule.text = r->text;
    rule.module = name;
    relocate(rule.rhs, r->location);
    for (Reference& ref : rule.refs) {
      ref.location = r->head.location;
      for (const Literal& l : r->body)
        if ((l.kind == Literal::Kind::Positive || l.kind == Literal::Kind::Negated) &&
            l.atom.predicate == ref.collection) {
          ref.location = l.atom.location;
          break;
        }
    }
    std::sort(rule.refs.begin(), rule.refs.end());
  }
  return program;
}

}  // namespace calm::dedalus
