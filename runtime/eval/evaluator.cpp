#include "eval/evaluator.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "graph/dependency_graph.h"

namespace calm::eval {

namespace {

/// A rule's right-hand side as a collection: tuples and (when known) their columns.
struct Relation {
  Schema schema;
  std::vector<Tuple> tuples;
};

struct CollectionState {
  const Collection* decl = nullptr;
  Schema schema;                 ///< nullptr while an inferred schema is unknown
  std::vector<size_t> key_cols;  ///< empty: every column is a key
  bool inferred = false;
  TupleSet tuples;
  std::unordered_map<Tuple, Tuple, TupleHash> by_key;
  // Deferred effects for the next timestep, with the rule that produced them.
  std::vector<std::pair<Tuple, int>> pending_insert, pending_delete, pending_upsert;
};

Schema make_schema(std::vector<std::string> cols) {
  return std::make_shared<const std::vector<std::string>>(std::move(cols));
}

bool persistent(CollectionKind k) {
  return k == CollectionKind::Table || k == CollectionKind::Sync;
}

std::string strip_colon(const std::string& s) { return s.substr(s.rfind(':') + 1); }

}  // namespace

struct Node::State : CollectionAccess {
  const Program& program;
  NodeOptions options;
  std::map<std::string, CollectionState> colls;
  std::vector<std::vector<int>> strata;
  std::vector<int> deferred_rules;  ///< <+ <- <+- <~
  std::vector<int> bootstrap_rules;
  int64_t budtime = 0;
  bool failed = false;
  std::vector<Message> loopback;                      ///< `<~` to this node, delivered next step
  const Rule* rule = nullptr;                         ///< the rule being evaluated
  std::map<std::pair<int, int>, std::string> ref_at;  ///< (line, col) -> collection
  TupleSet empty;

  State(const Program& p, NodeOptions o) : program(p), options(std::move(o)) {}

  SourceLocation loc(const Expr& e) const { return {rule->location.file, e.line, e.column}; }
  Interpreter interp() const {
    return Interpreter(*this, rule->location.file, Value::string(options.address), budtime);
  }
  [[noreturn]] void unsupported(const Expr& e, const std::string& what) const {
    throw EvalError{"calm-eval-unsupported", "unsupported construct " + what, loc(e)};
  }
  [[noreturn]] void fail(const Expr& e, const std::string& what) const {
    throw EvalError{"calm-eval-error", what, loc(e)};
  }

  void set_rule(const Rule& r) {
    rule = &r;
    ref_at.clear();
    for (const auto& ref : r.refs)
      if (colls.count(ref.collection))
        ref_at[{ref.location.line, ref.location.column}] = ref.collection;
  }

  // CollectionAccess
  std::string collection_named(const Expr& e) const override {
    auto at = ref_at.find({e.line, e.column});
    if (e.type == "identifier") {
      if (at != ref_at.end() && (at->second == e.text || at->second.ends_with("." + e.text) ||
                                 at->second.ends_with("::" + e.text)))
        return at->second;
      return colls.count(e.text) ? e.text : "";
    }
    if (e.type == "call" && !e.child("arguments") && !e.child("block")) {
      const Expr* recv = e.child("receiver");
      const Expr* m = e.child("method");
      if (!recv || !m || recv->type != "identifier") return "";
      if (at != ref_at.end() && at->second.ends_with("." + m->text)) return at->second;
      std::string q = recv->text + "." + m->text;
      return colls.count(q) ? q : "";
    }
    return "";
  }
  const TupleSet& contents(const std::string& c) const override {
    auto it = colls.find(c);
    return it == colls.end() ? empty : it->second.tuples;
  }
  Schema schema(const std::string& c) const override {
    auto it = colls.find(c);
    return it == colls.end() ? nullptr : it->second.schema;
  }

  // ---------------------------------------------------------------------------
  // Inserting

  Tuple normalize(CollectionState& cs, Tuple t, const SourceLocation& where) const {
    if (cs.schema && !cs.inferred) {
      size_t n = cs.schema->size();
      if (t.size() > n)
        throw EvalError{"calm-eval-error",
                        "fact " + inspect(t) + " has more columns than '" + cs.decl->name + "' (" +
                            std::to_string(n) + ")",
                        where};
      t.resize(n);  // Bud pads missing columns with nil
    }
    return t;
  }

  Tuple key_of(const CollectionState& cs, const Tuple& t) const {
    if (cs.key_cols.empty()) return t;
    Tuple k;
    for (size_t i : cs.key_cols) k.push_back(i < t.size() ? t[i] : Value());
    return k;
  }

  /// Inserts now; true when the tuple is new. Throws on a key conflict.
  bool insert(CollectionState& cs, Tuple t, const SourceLocation& where, const std::string& by) {
    t = normalize(cs, std::move(t), where);
    Tuple k = key_of(cs, t);
    auto it = cs.by_key.find(k);
    if (it != cs.by_key.end()) {
      if (it->second == t) return false;
      throw EvalError{"calm-key-conflict",
                      "key conflict in '" + cs.decl->name + "': key " + inspect(k) + " has " +
                          inspect(it->second) + " and " + inspect(t) + " (" + by + ")",
                      where};
    }
    cs.by_key.emplace(k, t);
    cs.tuples.insert(std::move(t));
    return true;
  }

  void erase(CollectionState& cs, const Tuple& t) {
    if (cs.tuples.erase(t)) cs.by_key.erase(key_of(cs, t));
  }

  void clear(CollectionState& cs) {
    cs.tuples.clear();
    cs.by_key.clear();
  }

  CollectionState& state_of(const std::string& name, const SourceLocation& where) {
    auto it = colls.find(name);
    if (it == colls.end())
      throw EvalError{"calm-eval-error", "unknown collection '" + name + "'", where};
    return it->second;
  }

  // ---------------------------------------------------------------------------
  // Collection expressions

  /// Tuples of a block's results: nil/false dropped, arrays become tuples.
  void add_result(const Expr& where, const Value& v, std::vector<Tuple>& out) const {
    if (!v.truthy()) return;
    if (!v.is_array()) fail(where, "the block returned " + v.inspect() + ", not an array");
    out.push_back(v.items());
  }

  Relation map_block(const Relation& in, const Expr& block, const std::string& how) {
    Relation out;
    Interpreter ip = interp();
    for (const auto& t : in.tuples) {
      Value r = ip.call_block(block, {Value::array(t, in.schema)}, {});
      if (how == "flat_map") {
        if (!r.truthy()) continue;
        if (!r.is_array()) fail(block, "flat_map block returned " + r.inspect() + ", not an array");
        for (const auto& x : r.items()) add_result(block, x, out.tuples);
      } else if (how == "select" || how == "reject") {
        if (r.truthy() == (how == "select")) out.tuples.push_back(t);
      } else {
        add_result(block, r, out.tuples);
      }
    }
    if (how == "select" || how == "reject") out.schema = in.schema;
    return out;
  }

  const Expr* strip_parens(const Expr* e) const {
    while (e && e->type == "parenthesized_statements") {
      const Expr* inner = nullptr;
      for (const auto& c : e->children)
        if (c.type != "(" && c.type != ")") inner = inner ? nullptr : &c;
      if (!inner) return e;
      e = inner;
    }
    return e;
  }

  Relation scan(const std::string& name) const {
    const auto& cs = colls.at(name);
    return {cs.schema, {cs.tuples.begin(), cs.tuples.end()}};
  }

  size_t column(const Relation& r, const std::string& col, const Expr& where,
                const std::string& what) const {
    if (!r.schema)
      fail(where, "cannot find column '" + col + "' of " + what + ": its columns are unknown");
    auto it = std::find(r.schema->begin(), r.schema->end(), col);
    if (it == r.schema->end()) fail(where, what + " has no column '" + col + "'");
    return size_t(it - r.schema->begin());
  }

  std::vector<const Expr*> args_of(const Expr& call) const {
    std::vector<const Expr*> out;
    if (const Expr* a = call.child("arguments"))
      for (const auto& c : a->children)
        if (c.type != "(" && c.type != ")" && c.type != ",") out.push_back(&c);
    return out;
  }

  /// A column reference in a join predicate: `:col`, or `coll.col` naming an operand.
  std::pair<int, std::string> join_column(const Expr& e, int default_operand,
                                          const std::vector<std::string>& written) const {
    if (e.type == "simple_symbol") return {default_operand, strip_colon(e.text)};
    if (e.type == "call" && e.child("receiver") && e.child("method") && !e.child("arguments")) {
      const Expr* recv = e.child("receiver");
      for (size_t i = 0; i < written.size(); ++i)
        if (written[i] == recv->text) return {int(i), e.child("method")->text};
    }
    unsupported(e, "join predicate '" + e.type + "' (use :col or collection.col)");
  }

  struct Pred {
    int left_op;
    size_t left_col;
    int right_op;
    size_t right_col;
  };

  /// Joins the operands on the predicates with hash indexes: each result is one tuple
  /// per operand, in operand order.
  std::vector<std::vector<Value>> join(const std::vector<Relation>& ops,
                                       const std::vector<Pred>& preds) const {
    std::vector<std::vector<Value>> acc;
    for (const auto& t : ops[0].tuples) acc.push_back({Value::array(t, ops[0].schema)});
    for (size_t i = 1; i < ops.size(); ++i) {
      // Predicates linking operand i to an earlier one.
      std::vector<std::pair<size_t, std::pair<int, size_t>>> link;  // col of i, (op, col)
      for (const auto& p : preds) {
        if (p.right_op == int(i) && p.left_op < int(i))
          link.push_back({p.right_col, {p.left_op, p.left_col}});
        else if (p.left_op == int(i) && p.right_op < int(i))
          link.push_back({p.left_col, {p.right_op, p.right_col}});
      }
      std::unordered_map<Tuple, std::vector<const Tuple*>, TupleHash> index;
      for (const auto& t : ops[i].tuples) {
        Tuple k;
        for (const auto& l : link) k.push_back(l.first < t.size() ? t[l.first] : Value());
        index[k].push_back(&t);
      }
      std::vector<std::vector<Value>> next;
      for (const auto& partial : acc) {
        Tuple k;
        for (const auto& l : link) {
          const auto& items = partial[size_t(l.second.first)].items();
          k.push_back(l.second.second < items.size() ? items[l.second.second] : Value());
        }
        auto it = index.find(k);
        if (it == index.end()) continue;
        for (const Tuple* t : it->second) {
          auto row = partial;
          row.push_back(Value::array(*t, ops[i].schema));
          next.push_back(std::move(row));
        }
      }
      acc = std::move(next);
    }
    return acc;
  }

  Relation eval_join(const Expr& call, const std::string& m, const Expr& product) {
    // Flatten a * b * c into operands.
    std::vector<const Expr*> operands;
    std::function<void(const Expr*)> flatten = [&](const Expr* e) {
      e = strip_parens(e);
      const Expr* op = e->type == "binary" ? e->child("operator") : nullptr;
      if (op && op->text == "*") {
        flatten(e->child("left"));
        flatten(e->child("right"));
      } else {
        operands.push_back(e);
      }
    };
    flatten(&product);
    std::vector<Relation> ops;
    std::vector<std::string> written;
    for (const Expr* o : operands) {
      ops.push_back(eval_coll(*o));
      written.push_back(o->type == "identifier" ? o->text
                        : o->type == "call" && o->child("receiver") && o->child("method")
                            ? o->child("receiver")->text + "." + o->child("method")->text
                            : "");
    }
    std::vector<Pred> preds;
    auto add_pred = [&](int lo, const std::string& lc, int ro, const std::string& rc,
                        const Expr& where) {
      if (lo < 0 || ro < 0 || lo >= int(ops.size()) || ro >= int(ops.size()))
        unsupported(where, "join predicate naming no operand of the join");
      preds.push_back(
          {lo, column(ops[size_t(lo)], lc, where, "join operand " + written[size_t(lo)]), ro,
           column(ops[size_t(ro)], rc, where, "join operand " + written[size_t(ro)])});
    };
    if (m == "matches") {
      if (!args_of(call).empty()) unsupported(call, "matches with arguments");
      for (size_t i = 0; i < ops.size(); ++i)
        for (size_t j = i + 1; j < ops.size(); ++j) {
          if (!ops[i].schema || !ops[j].schema) fail(call, "matches needs known columns");
          for (const auto& c : *ops[i].schema)
            if (std::find(ops[j].schema->begin(), ops[j].schema->end(), c) != ops[j].schema->end())
              add_pred(int(i), c, int(j), c, call);
        }
    } else {
      for (const Expr* a : args_of(call)) {
        if (a->type != "pair") unsupported(*a, "join argument '" + a->type + "'");
        auto l = join_column(*a->child("key"), 0, written);
        auto r = join_column(*a->child("value"), 1, written);
        if (ops.size() > 2 && (a->child("key")->type == "simple_symbol" ||
                               a->child("value")->type == "simple_symbol"))
          unsupported(*a, "shorthand :col predicates in a join of more than two collections");
        add_pred(l.first, l.second, r.first, r.second, *a);
      }
    }
    auto rows = join(ops, preds);
    Relation out;
    const Expr* block = call.child("block");
    if (m == "lefts" || m == "rights") {
      size_t pick = m == "lefts" ? 0 : ops.size() - 1;
      out.schema = ops[pick].schema;
      for (const auto& r : rows) out.tuples.push_back(r[pick].items());
      if (block) {
        Relation mapped = map_block(out, *block, "map");
        return mapped;
      }
      return out;
    }
    if (block) {
      Interpreter ip = interp();
      for (const auto& r : rows)
        add_result(*block, ip.call_block(*block, {Value::array(r)}, {}), out.tuples);
      return out;
    }
    for (auto& r : rows) out.tuples.push_back(std::move(r));
    return out;
  }

  /// 2011 dialect: join [a, b], [a.x, b.y], ...
  Relation eval_join_2011(const Expr& call) {
    auto args = args_of(call);
    if (args.empty() || args[0]->type != "array") unsupported(call, "join without [collections]");
    std::vector<Relation> ops;
    std::vector<std::string> written;
    for (const auto& c : args[0]->children) {
      if (c.type == "[" || c.type == "]" || c.type == ",") continue;
      ops.push_back(eval_coll(c));
      written.push_back(c.type == "identifier" ? c.text
                        : c.type == "call" && c.child("receiver") && c.child("method")
                            ? c.child("receiver")->text + "." + c.child("method")->text
                            : "");
    }
    std::vector<Pred> preds;
    for (size_t a = 1; a < args.size(); ++a) {
      if (args[a]->type != "array") unsupported(*args[a], "join argument '" + args[a]->type + "'");
      std::vector<std::pair<int, size_t>> cols;
      for (const auto& c : args[a]->children) {
        if (c.type == "[" || c.type == "]" || c.type == ",") continue;
        auto jc = join_column(c, -1, written);
        if (jc.first < 0) unsupported(c, "join column without its collection");
        cols.push_back(
            {jc.first, column(ops[size_t(jc.first)], jc.second, c, written[size_t(jc.first)])});
      }
      for (size_t k = 1; k < cols.size(); ++k)
        preds.push_back({cols[k - 1].first, cols[k - 1].second, cols[k].first, cols[k].second});
    }
    Relation out;
    for (auto& r : join(ops, preds)) out.tuples.push_back(std::move(r));
    return out;
  }

  Relation eval_notin(const Expr& call, const Relation& left) {
    auto args = args_of(call);
    if (args.empty()) unsupported(call, "notin without a collection");
    std::string rname = collection_named(*strip_parens(args[0]));
    Relation right = rname.empty() ? eval_coll(*args[0]) : scan(rname);
    std::vector<std::pair<size_t, size_t>> cols;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i]->type != "pair") unsupported(*args[i], "notin argument '" + args[i]->type + "'");
      std::vector<std::string> written = {"", args[0]->text};
      auto l = join_column(*args[i]->child("key"), 0, {});
      auto r = join_column(*args[i]->child("value"), 1, written);
      cols.push_back({column(left, l.second, *args[i], "the notin receiver"),
                      column(right, r.second, *args[i], "the notin argument")});
    }
    const Expr* block = call.child("block");
    Relation out{left.schema, {}};
    std::unordered_map<Tuple, std::vector<const Tuple*>, TupleHash> index;
    for (const auto& t : right.tuples) {
      Tuple k;
      if (cols.empty() && !block) k = t;
      for (const auto& c : cols) k.push_back(c.second < t.size() ? t[c.second] : Value());
      index[k].push_back(&t);
    }
    Interpreter ip = interp();
    for (const auto& t : left.tuples) {
      Tuple k;
      if (cols.empty() && !block) k = t;
      for (const auto& c : cols) k.push_back(c.first < t.size() ? t[c.first] : Value());
      bool matched = false;
      if (auto it = index.find(k); it != index.end()) {
        if (!block) {
          matched = true;
        } else {
          for (const Tuple* r : it->second)
            if (ip.call_block(*block,
                              {Value::array(t, left.schema), Value::array(*r, right.schema)}, {})
                    .truthy()) {
              matched = true;
              break;
            }
        }
      }
      if (!matched) out.tuples.push_back(t);
    }
    return out;
  }

  std::vector<size_t> group_columns(const Expr& arg, const Relation& in) const {
    std::vector<size_t> cols;
    if (arg.type == "nil") return cols;
    if (arg.type != "array") unsupported(arg, "grouping columns '" + arg.type + "'");
    for (const auto& c : arg.children) {
      if (c.type == "[" || c.type == "]" || c.type == ",") continue;
      std::string name;
      if (c.type == "simple_symbol")
        name = strip_colon(c.text);
      else if (c.type == "call" && c.child("method") && !c.child("arguments"))
        name = c.child("method")->text;
      else
        unsupported(c, "grouping column '" + c.type + "'");
      cols.push_back(column(in, name, c, "the grouped collection"));
    }
    return cols;
  }

  Value aggregate(const Expr& where, const std::string& agg, const std::vector<Value>& vals) const {
    auto less = [](const Value& a, const Value& b) {
      if (a.is_numeric() && b.is_numeric()) return a.as_float() < b.as_float();
      return Value::compare(a, b) < 0;
    };
    if (agg == "count") return Value::integer(int64_t(vals.size()));
    if (agg == "sum" || agg == "avg") {
      Value s = vals[0];
      for (size_t i = 1; i < vals.size(); ++i) {
        const Value& v = vals[i];
        if (!s.is_numeric() || !v.is_numeric()) fail(where, agg + " of non-numeric " + v.inspect());
        s = s.kind() == Value::Kind::Int && v.kind() == Value::Kind::Int
                ? Value::integer(s.as_int() + v.as_int())
                : Value::floating(s.as_float() + v.as_float());
      }
      if (agg == "sum") return s;
      if (!s.is_numeric()) fail(where, "avg of non-numeric " + s.inspect());
      return Value::floating(s.as_float() / double(vals.size()));
    }
    if (agg == "min" || agg == "max" || agg == "choose") {
      Value best = vals[0];
      for (const auto& v : vals)
        if (agg == "max" ? less(best, v) : less(v, best)) best = v;
      return best;
    }
    if (agg == "bool_and" || agg == "bool_or") {
      bool acc = agg == "bool_and";
      for (const auto& v : vals)
        acc = agg == "bool_and" ? (acc && v.truthy()) : (acc || v.truthy());
      return Value::boolean(acc);
    }
    if (agg == "accum" || agg == "accum_pair") return Value::set(vals);
    unsupported(where, "aggregate '" + agg + "'");
  }

  Relation eval_group(const Expr& call, const Relation& in) {
    auto args = args_of(call);
    if (args.empty()) unsupported(call, "group without grouping columns");
    std::vector<size_t> keys = group_columns(*args[0], in);
    struct Agg {
      std::string name;
      std::vector<size_t> cols;
      const Expr* where;
    };
    std::vector<Agg> aggs;
    for (size_t i = 1; i < args.size(); ++i) {
      const Expr& a = *args[i];
      bool bare = a.type == "identifier";  // `count` without parentheses
      if (!bare && (a.type != "call" || a.child("receiver") || !a.child("method")))
        unsupported(a, "aggregate '" + a.type + "'");
      Agg g{bare ? a.text : a.child("method")->text, {}, &a};
      static const std::set<std::string> known = {"count",   "sum",   "avg",        "min",
                                                  "max",     "accum", "accum_pair", "bool_and",
                                                  "bool_or", "choose"};
      if (!known.count(g.name)) unsupported(a, "aggregate '" + g.name + "'");
      for (const Expr* c : args_of(a)) {
        std::string name;
        if (c->type == "simple_symbol")
          name = strip_colon(c->text);
        else if (c->type == "call" && c->child("method") && !c->child("arguments"))
          name = c->child("method")->text;
        else
          unsupported(*c, "aggregate argument '" + c->type + "'");
        g.cols.push_back(column(in, name, *c, "the grouped collection"));
      }
      if (g.name != "count" && g.cols.size() != (g.name == "accum_pair" ? 2u : 1u))
        unsupported(
            a, "aggregate '" + g.name + "' with " + std::to_string(g.cols.size()) + " columns");
      aggs.push_back(g);
    }
    std::map<Tuple, std::vector<const Tuple*>> groups;
    for (const auto& t : in.tuples) {
      Tuple k;
      for (size_t c : keys) k.push_back(t[c]);
      groups[k].push_back(&t);
    }
    Relation out;
    for (const auto& [k, members] : groups) {
      Tuple row = k;
      for (const auto& g : aggs) {
        std::vector<Value> vals;
        for (const Tuple* t : members) {
          if (g.cols.size() == 2)
            vals.push_back(Value::array({(*t)[g.cols[0]], (*t)[g.cols[1]]}));
          else if (g.cols.size() == 1)
            vals.push_back((*t)[g.cols[0]]);
          else
            vals.push_back(Value());
        }
        row.push_back(aggregate(*g.where, g.name, vals));
      }
      out.tuples.push_back(std::move(row));
    }
    return out;
  }

  Relation eval_argagg(const Expr& call, const std::string& m, const Relation& in) {
    auto args = args_of(call);
    std::string agg = m == "argmin" ? "min" : "max";
    size_t first = 0;
    if (m == "argagg") {
      if (args.empty() || args[0]->type != "simple_symbol")
        unsupported(call, "argagg without :agg");
      agg = strip_colon(args[0]->text);
      first = 1;
      if (agg != "min" && agg != "max") unsupported(*args[0], "argagg aggregate '" + agg + "'");
    }
    if (args.size() != first + 2 || args[first + 1]->type != "simple_symbol")
      unsupported(call, m + " arguments (expected [cols], :col)");
    std::vector<size_t> keys = group_columns(*args[first], in);
    size_t col = column(in, strip_colon(args[first + 1]->text), *args[first + 1], "the collection");
    std::map<Tuple, std::vector<const Tuple*>> groups;
    for (const auto& t : in.tuples) {
      Tuple k;
      for (size_t c : keys) k.push_back(t[c]);
      groups[k].push_back(&t);
    }
    Relation out{in.schema, {}};
    for (const auto& [k, members] : groups) {
      std::vector<Value> vals;
      for (const Tuple* t : members) vals.push_back((*t)[col]);
      Value best = aggregate(call, agg, vals);
      for (const Tuple* t : members)
        if (Value::ruby_equal((*t)[col], best)) out.tuples.push_back(*t);
    }
    return out;
  }

  Relation eval_coll(const Expr& e0) {
    const Expr& e = *strip_parens(&e0);
    if (std::string c = collection_named(e); !c.empty()) return scan(c);
    if (e.type == "call") {
      const Expr* recv = e.child("receiver");
      const Expr* block = e.child("block");
      std::string m = e.child("method") ? e.child("method")->text : "";
      if (!recv) {
        if (m == "join" && !block) return eval_join_2011(e);
        std::string c = e.child("method") ? collection_named(*e.child("method")) : "";
        if (!c.empty() && block && !e.child("arguments")) return map_block(scan(c), *block, "map");
      } else {
        const Expr* inner = strip_parens(recv);
        const Expr* op = inner->type == "binary" ? inner->child("operator") : nullptr;
        if (op && op->text == "*" &&
            (m == "pairs" || m == "lefts" || m == "rights" || m == "matches" || m == "combos"))
          return eval_join(e, m, *inner);
        if (recv->type == "call" && !recv->child("receiver") && recv->child("method") &&
            recv->child("method")->text == "join" && (m == "map" || m == "pro" || m == "collect") &&
            block)
          return map_block(eval_join_2011(*recv), *block, "map");
        if ((m == "map" || m == "pro" || m == "collect" || m == "flat_map" || m == "select" ||
             m == "reject") &&
            block && !e.child("arguments"))
          return map_block(eval_coll(*recv), *block, m);
        if (m == "notin") return eval_notin(e, eval_coll(*recv));
        if (m == "group" && !block) return eval_group(e, eval_coll(*recv));
        if ((m == "argmin" || m == "argmax" || m == "argagg") && !block)
          return eval_argagg(e, m, eval_coll(*recv));
        if ((m == "keys" || m == "values" || m == "payloads") && !e.child("arguments")) {
          std::string c = collection_named(*recv);
          if (c.empty()) unsupported(e, "'" + m + "' of a collection expression");
          Relation r = scan(c);
          const Collection& d = *colls.at(c).decl;
          Relation out;
          std::vector<std::string> names;
          std::vector<size_t> idx;
          const auto& all = *r.schema;
          for (size_t i = 0; i < all.size(); ++i) {
            bool is_key = i < d.keys.size();
            bool keep = m == "keys"     ? is_key
                        : m == "values" ? !is_key
                                        : all[i] != d.location_column;
            if (keep) {
              names.push_back(all[i]);
              idx.push_back(i);
            }
          }
          bool single_payload = m == "payloads" && all.size() <= 2 && idx.size() == 1 &&
                                (d.kind == CollectionKind::Channel);
          out.schema = single_payload ? nullptr : make_schema(names);
          for (const auto& t : r.tuples) {
            if (single_payload) {
              // Bud: a channel with one payload column yields that value as the fact.
              const Value& v = t[idx[0]];
              if (!v.is_array()) fail(e, "payload " + v.inspect() + " is not an array");
              out.tuples.push_back(v.items());
              continue;
            }
            Tuple p;
            for (size_t i : idx) p.push_back(t[i]);
            out.tuples.push_back(std::move(p));
          }
          if (block) return map_block(out, *block, "map");
          return out;
        }
      }
      if (is_collection_method(m) || (block && !recv))
        unsupported(e, "collection expression '" + m + "'");
    }
    // Anything else is Ruby that must produce an array of arrays.
    Interpreter ip = interp();
    Scope scope;
    Value v = ip.eval(e, scope);
    Relation out;
    if (v.is_nil()) return out;
    if (!v.is_array()) fail(e, "the right-hand side is " + v.inspect() + ", not a collection");
    for (const auto& item : v.items()) add_result(e, item, out.tuples);
    return out;
  }

  // ---------------------------------------------------------------------------
  // Timesteps

  std::string rule_label(const Rule& r) const { return "rule at " + to_string(r.location); }

  /// Evaluates a `<=` rule; true when the lhs grew.
  bool apply_merge(const Rule& r) {
    set_rule(r);
    Relation rel = eval_coll(r.rhs);
    CollectionState& cs = state_of(r.lhs, r.location);
    if (cs.inferred && !cs.schema && rel.schema) cs.schema = rel.schema;
    bool grew = false;
    for (auto& t : rel.tuples) grew |= insert(cs, std::move(t), r.location, rule_label(r));
    return grew;
  }

  void apply_deferred(const Rule& r, std::vector<Message>& sent) {
    set_rule(r);
    Relation rel = eval_coll(r.rhs);
    CollectionState& cs = state_of(r.lhs, r.location);
    for (auto& t : rel.tuples) {
      switch (r.op) {
        case RuleOp::Deferred:
          cs.pending_insert.push_back({normalize(cs, t, r.location), r.id});
          break;
        case RuleOp::Delete:
          cs.pending_delete.push_back({normalize(cs, t, r.location), r.id});
          break;
        case RuleOp::Upsert:
        case RuleOp::DeleteInsert:
          cs.pending_upsert.push_back({normalize(cs, t, r.location), r.id});
          break;
        case RuleOp::Async: {
          Tuple n = normalize(cs, t, r.location);
          const Collection& d = *cs.decl;
          if (d.kind == CollectionKind::Channel) {
            Value addr;
            if (!d.location_column.empty() && cs.schema) {
              auto it = std::find(cs.schema->begin(), cs.schema->end(), d.location_column);
              if (it != cs.schema->end()) addr = n[size_t(it - cs.schema->begin())];
            }
            sent.push_back({d.name, addr, n});
          } else if (d.kind == CollectionKind::Terminal) {
            sent.push_back({d.name, Value(), n});
          } else {
            loopback.push_back({d.name, Value(), n});
          }
          break;
        }
        default:
          throw EvalError{"calm-eval-unsupported",
                          std::string("unsupported construct operator '") + to_string(r.op) + "'",
                          r.op_location};
      }
    }
  }

  void run_stratum(const std::vector<int>& rules) {
    // Naive iteration: every rule again until nothing changes.
    for (bool changed = true; changed;) {
      changed = false;
      for (int id : rules) changed |= apply_merge(program.rules[size_t(id)]);
    }
  }

  void begin_step(const StepInput& input) {
    for (auto& [name, cs] : colls)
      if (!persistent(cs.decl->kind)) clear(cs);
    for (auto& [name, cs] : colls) {
      for (const auto& [t, id] : cs.pending_delete) erase(cs, t);
      for (const auto& [t, id] : cs.pending_upsert)
        if (auto it = cs.by_key.find(key_of(cs, t)); it != cs.by_key.end())
          erase(cs, Tuple(it->second));
      auto pend = std::move(cs.pending_insert);
      auto ups = std::move(cs.pending_upsert);
      cs.pending_insert.clear();
      cs.pending_delete.clear();
      cs.pending_upsert.clear();
      for (auto* list : {&ups, &pend})
        for (auto& [t, id] : *list) {
          const Rule& r = program.rules[size_t(id)];
          insert(cs, t, r.location,
                 rule_label(r) + ", applied at timestep " + std::to_string(budtime));
        }
    }
    auto delivered = std::move(loopback);
    loopback.clear();
    for (auto& msg : delivered) insert(state_of(msg.collection, {}), msg.tuple, {}, "loopback");
    for (const auto& [name, t] : input.facts) {
      auto it = colls.find(name);
      if (it == colls.end())
        throw EvalError{"calm-eval-error", "input fact for unknown collection '" + name + "'", {}};
      insert(it->second, t, {}, "input fact at timestep " + std::to_string(budtime));
    }
  }
};

Node::Node(std::unique_ptr<State> state) : state_(std::move(state)) {}
Node::~Node() = default;

namespace {

/// Strata of the `<=` rules: an SCC order of the instantaneous dependency graph where a
/// non-monotonic edge goes to a later stratum. False when a non-monotonic edge lies on
/// an instantaneous cycle (unstratifiable).
bool stratify(const Program& program, const DependencyGraph& g, std::vector<int>& stratum_of,
              Diagnostics& diags) {
  size_t n = g.node_count();
  std::vector<std::vector<size_t>> adj(n);
  for (size_t e = 0; e < g.edge_count(); ++e) {
    const auto& ed = g.edge(e);
    if (!ed.temporal && !ed.async) adj[ed.from].push_back(ed.to);
  }
  // Tarjan's SCCs.
  std::vector<int> index(n, -1), low(n, 0), comp(n, -1);
  std::vector<size_t> stack;
  std::vector<bool> on(n, false);
  int counter = 0, ncomp = 0;
  std::function<void(size_t)> visit = [&](size_t v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on[v] = true;
    for (size_t w : adj[v]) {
      if (index[w] < 0) {
        visit(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on[w]) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] == index[v]) {
      for (;;) {
        size_t w = stack.back();
        stack.pop_back();
        on[w] = false;
        comp[w] = ncomp;
        if (w == v) break;
      }
      ++ncomp;
    }
  };
  for (size_t v = 0; v < n; ++v)
    if (index[v] < 0) visit(v);
  bool ok = true;
  for (size_t e = 0; e < g.edge_count(); ++e) {
    const auto& ed = g.edge(e);
    if (ed.temporal || ed.async || !ed.nonmonotonic || comp[ed.from] != comp[ed.to]) continue;
    const Rule& r = program.rules[size_t(ed.rule)];
    diags.error(
        "calm-unstratifiable",
        "'" + ed.to_name + "' depends on '" + ed.from_name + "' through " +
            (ed.reasons.empty() ? std::string("a non-monotonic operator") : ed.reasons[0].text) +
            " within one timestep, on a cycle of instantaneous rules: the program "
            "cannot be stratified",
        r.location);
    ok = false;
  }
  if (!ok) return false;
  stratum_of.assign(n, 0);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t e = 0; e < g.edge_count(); ++e) {
      const auto& ed = g.edge(e);
      if (ed.temporal || ed.async) continue;
      int want = stratum_of[ed.from] + (ed.nonmonotonic ? 1 : 0);
      if (stratum_of[ed.to] < want) {
        stratum_of[ed.to] = want;
        changed = true;
      }
    }
  }
  return true;
}

}  // namespace

std::unique_ptr<Node> Node::create(const Program& program, NodeOptions options,
                                   Diagnostics& diags) {
  auto st = std::make_unique<State>(program, std::move(options));
  size_t before = diags.size();
  for (const auto& c : program.collections) {
    CollectionState cs;
    cs.decl = &c;
    cs.inferred =
        c.schema_inferred || (c.keys.empty() && c.values.empty() &&
                              (c.kind == CollectionKind::Temp || c.kind == CollectionKind::View));
    if (!cs.inferred) {
      std::vector<std::string> cols = c.keys;
      cols.insert(cols.end(), c.values.begin(), c.values.end());
      for (const auto& col : cols)
        if (col.find('(') != std::string::npos)
          diags.error("calm-eval-unsupported",
                      "unsupported construct schema placeholder '" + col + "' in '" + c.name + "'",
                      c.location);
      cs.schema = make_schema(cols);
      if (!c.values.empty())
        for (size_t i = 0; i < c.keys.size(); ++i) cs.key_cols.push_back(i);
    }
    st->colls.emplace(c.name, std::move(cs));
  }
  for (const auto& r : program.rules) {
    check_supported(r.rhs, r.location.file, diags);
    auto it = st->colls.find(r.lhs);
    if (it == st->colls.end()) {
      diags.error("calm-eval-error", "rule writes to undeclared collection '" + r.lhs + "'",
                  r.location);
      continue;
    }
    std::vector<std::string> used = {r.lhs};
    for (const auto& ref : r.refs) used.push_back(ref.collection);
    for (const auto& name : used) {
      auto ci = st->colls.find(name);
      if (ci == st->colls.end()) {
        diags.error("calm-eval-error", "rule uses undeclared collection '" + name + "'",
                    r.location);
        continue;
      }
      CollectionKind k = ci->second.decl->kind;
      if (k == CollectionKind::Lattice || k == CollectionKind::Store ||
          k == CollectionKind::FileReader)
        diags.error("calm-eval-unsupported",
                    std::string("unsupported construct ") + to_string(k) + " collection '" + name +
                        "' (lattices, stores and file readers are not evaluated yet)",
                    r.location);
    }
    if (r.op == RuleOp::Append && !r.bootstrap)
      diags.error("calm-eval-unsupported", "unsupported construct operator '<<' outside bootstrap",
                  r.op_location);
  }
  DependencyGraph graph(program);
  std::vector<int> stratum_of;
  if (!stratify(program, graph, stratum_of, diags)) return nullptr;
  if (diags.size() != before) return nullptr;
  int top = 0;
  for (int s : stratum_of) top = std::max(top, s);
  st->strata.assign(size_t(top) + 1, {});
  for (const auto& r : program.rules) {
    if (r.bootstrap) {
      st->bootstrap_rules.push_back(r.id);
    } else if (r.op == RuleOp::Merge) {
      auto node = graph.find(r.lhs);
      st->strata[node ? size_t(stratum_of[*node]) : 0].push_back(r.id);
    } else {
      st->deferred_rules.push_back(r.id);
    }
  }
  return std::unique_ptr<Node>(new Node(std::move(st)));
}

StepResult Node::step(const StepInput& input) {
  State& s = *state_;
  StepResult out;
  out.budtime = s.budtime;
  if (s.failed) {
    out.ok = false;
    out.diagnostics.error("calm-eval-error", "the node stopped after a failed timestep", {});
    return out;
  }
  try {
    s.begin_step(input);
    if (s.budtime == 0)
      for (int id : s.bootstrap_rules) {
        const Rule& r = s.program.rules[size_t(id)];
        if (r.op == RuleOp::Merge || r.op == RuleOp::Append)
          s.apply_merge(r);
        else
          s.apply_deferred(r, out.sent);
      }
    for (const auto& stratum : s.strata) s.run_stratum(stratum);
    for (int id : s.deferred_rules) s.apply_deferred(s.program.rules[size_t(id)], out.sent);
  } catch (const EvalError& e) {
    out.ok = false;
    s.failed = true;
    out.diagnostics.error(e.check, e.message, e.location);
  }
  std::sort(out.sent.begin(), out.sent.end());
  s.budtime++;
  return out;
}

const TupleSet& Node::contents(const std::string& collection) const {
  return state_->contents(collection);
}
int64_t Node::budtime() const { return state_->budtime; }
const std::vector<std::vector<int>>& Node::strata() const { return state_->strata; }
const std::string& Node::address() const { return state_->options.address; }

}  // namespace calm::eval
