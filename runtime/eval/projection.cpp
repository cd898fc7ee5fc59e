#include "eval/projection.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "eval/interpreter.h"

namespace calm::eval {

namespace {

/// Parts of a node that carry a value (comments and punctuation skipped).
bool skipped(const Expr& e) { return is_punct(e) || e.type == "comment"; }

std::vector<const Expr*> parts(const Expr& e) {
  std::vector<const Expr*> out;
  for (const auto& c : e.children)
    if (!skipped(c)) out.push_back(&c);
  return out;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A literal the interpreter would evaluate to a constant, or nullopt.
std::optional<Value> literal(const Expr& e) {
  if (e.type == "integer" && all_digits(e.text)) {
    errno = 0;
    long long v = std::strtoll(e.text.c_str(), nullptr, 10);
    // Beyond 64 bits: left to the interpreter, which refuses it (never clamped).
    if (errno == ERANGE) return std::nullopt;
    return Value::integer(v);
  }
  if (e.type == "nil") return Value();
  if (e.type == "true") return Value::boolean(true);
  if (e.type == "false") return Value::boolean(false);
  if (e.type == "simple_symbol") return Value::symbol(e.text.substr(e.text.rfind(':') + 1));
  if (e.type == "string") {
    std::string s;
    for (const auto& c : e.children) {
      if (c.type == "\"") continue;
      if (c.type != "string_content") return std::nullopt;  // escapes, interpolation
      s += c.text;
    }
    return Value::string(std::move(s));
  }
  return std::nullopt;
}

}  // namespace

/// What compile() and compile_prefilter() share: the block's parameters, how each is
/// bound, and the terms and comparisons made of them.
class Projection::Compiler {
 public:
  Compiler(const Expr& block, const std::vector<Schema>& inputs,
           const std::function<bool(const Expr&)>& names_collection,
           const CollectionAccess* collections = nullptr)
      : inputs_(inputs), names_collection_(names_collection), collections_(collections) {
    bool ok = !inputs.empty();
    if (const Expr* ps = block.child("parameters"))
      for (const Expr* p : parts(*ps)) {
        if (p->type != "identifier") ok = false;  // destructuring, splats, defaults
        params_.push_back(p->text);
      }
    // One parameter over several inputs is the whole row: left to the interpreter.
    if (inputs.size() > 1 && params_.size() == 1) ok = false;
    const Expr* body = block.child("body");
    auto stmts = body ? parts(*body) : std::vector<const Expr*>{};
    if (stmts.size() != 1) ok = false;
    result_ = ok ? stmts[0] : nullptr;
  }

  /// The block's one statement, or nullptr when the block is not one the compiler reads.
  const Expr* result() const { return result_; }

  /// What each parameter is bound to, as call_block binds it: one input and one parameter
  /// is the tuple; one input and several parameters spread the tuple's columns; several
  /// inputs and several parameters give each parameter one input's tuple (nil past the
  /// last).
  std::optional<Term> binding(const std::string& name) const {
    auto it = std::find(params_.begin(), params_.end(), name);
    if (it == params_.end()) return std::nullopt;
    size_t i = size_t(it - params_.begin());
    Term t;
    if (inputs_.size() == 1 && params_.size() > 1) {
      t.kind = Term::Column;
      t.column = int64_t(i);
    } else if (i < inputs_.size()) {
      t.kind = Term::Whole;
      t.input = i;
    }
    return t;  // otherwise Constant nil
  }

  std::optional<Term> term(const Expr* x) const {
    if (auto v = literal(*x)) {
      Term t;
      t.constant = std::move(*v);
      return t;
    }
    if (x->type == "array" && collections_) {  // `[ip_port, k.key]`: an Array of terms
      Term t;
      t.kind = Term::Array;
      for (const Expr* p : parts(*x)) {
        auto part = term(p);  // a pair or a splat is no term
        if (!part) return std::nullopt;
        t.parts.push_back(std::move(*part));
      }
      return t;
    }
    if (x->type == "identifier") {
      if (auto b = binding(x->text)) return b;
      if (x->text == "budtime" || x->text == "ip_port") {
        Term t;
        t.kind = x->text == "budtime" ? Term::Budtime : Term::Address;
        return t;
      }
      return std::nullopt;
    }
    if (x->type == "instance_variable") {
      Term t;
      if (x->text == "@local_addr" || x->text == "@ip_port")
        t.kind = Term::Address;
      else if (x->text == "@budtime")
        t.kind = Term::Budtime;
      else
        return std::nullopt;
      return t;
    }
    // `t.col` and `t[i]` on a parameter bound to a whole tuple.
    const Expr* obj = x->type == "call" ? x->child("receiver") : x->child("object");
    if (!obj) return std::nullopt;
    std::optional<Term> b = obj->type == "identifier" ? binding(obj->text) : std::optional<Term>{};
    const bool on_whole_tuple = b && b->kind == Term::Whole;
    if (x->type == "element_reference" && collections_ && !on_whole_tuple) {
      // `c.payload[0]`: an element of a term's value, decided where that is an Array.
      auto base = term(obj);
      auto k = index_of(*x);
      if (!base || !k || base->kind == Term::Whole) return std::nullopt;
      Term t;
      t.kind = Term::Item;
      t.column = *k;
      t.parts.push_back(std::move(*base));
      return t;
    }
    if (x->type == "call" && collections_ && !on_whole_tuple) {
      // `g.reqid` where g is a column holding a tuple (a join row kept in a collection):
      // decided where the value is a tuple with that column.
      const Expr* m = x->child("method");
      const Expr* op = x->child("operator");
      if (!m || m->type != "identifier" || x->child("arguments") || x->child("block") ||
          (op && op->text != ".") || names_collection_(*x))
        return std::nullopt;
      auto base = term(obj);
      if (!base || base->kind == Term::Whole) return std::nullopt;
      Term t;
      t.kind = Term::Field;
      t.name = m->text;
      t.parts.push_back(std::move(*base));
      return t;
    }
    if (!on_whole_tuple) return std::nullopt;
    Term t;
    t.kind = Term::Column;
    t.input = b->input;
    if (x->type == "call") {
      const Expr* m = x->child("method");
      const Expr* op = x->child("operator");
      const Schema& s = inputs_[b->input];
      if (!m || m->type != "identifier" || x->child("arguments") || x->child("block") ||
          (op && op->text != ".") || !s || names_collection_(*x))
        return std::nullopt;
      auto col = std::find(s->begin(), s->end(), m->text);
      if (col == s->end()) return std::nullopt;  // a method, not a column
      t.column = int64_t(col - s->begin());
    } else if (x->type == "element_reference") {
      auto k = index_of(*x);
      if (!k) return std::nullopt;
      t.column = *k;
    } else {
      return std::nullopt;
    }
    return t;
  }

  /// The index of `x[i]`, a non-negative integer literal.
  static std::optional<int64_t> index_of(const Expr& x) {
    std::vector<const Expr*> idx;
    for (const auto& c : x.children)
      if (c.field != "object" && !skipped(c)) idx.push_back(&c);
    if (idx.size() != 1 || idx[0]->type != "integer" || !all_digits(idx[0]->text) ||
        idx[0]->text.size() > 18)
      return std::nullopt;
    return std::strtoll(idx[0]->text.c_str(), nullptr, 10);
  }

  /// `coll.include?([t1, t2])` on a collection that is no lattice and that no parameter
  /// shadows, the tuple an array of terms: the interpreter's membership test.
  std::optional<Guard> membership(const Expr* cond) const {
    if (!collections_ || !cond || cond->type != "call") return std::nullopt;
    const Expr* recv = cond->child("receiver");
    const Expr* m = cond->child("method");
    const Expr* op = cond->child("operator");
    if (!recv || !m || m->text != "include?" || cond->child("block") || (op && op->text != ".") ||
        recv->type != "identifier" || binding(recv->text))
      return std::nullopt;
    const std::string& coll = collections_->collection_named(*recv);
    if (coll.empty() || collections_->lattice_value(coll)) return std::nullopt;
    const Expr* args = cond->child("arguments");
    std::vector<const Expr*> a = args ? parts(*args) : std::vector<const Expr*>{};
    if (a.size() != 1 || a[0]->type != "array") return std::nullopt;
    auto probe = term(a[0]);
    if (!probe || probe->kind != Term::Array) return std::nullopt;
    Guard g;
    g.op = Guard::Member;
    g.left = std::move(*probe);
    g.collection = coll;
    return g;
  }

  /// `a OP b` of two terms, neither a whole tuple (a Struct in Bud). `ordered`: the
  /// orderings are accepted too.
  std::optional<Guard> comparison(const Expr* cond, bool ordered) const {
    const Expr* op = cond && cond->type == "binary" ? cond->child("operator") : nullptr;
    if (!op) return std::nullopt;
    static const std::pair<const char*, Guard::Op> kOps[] = {
        {"==", Guard::Equal},     {"!=", Guard::NotEqual}, {"<", Guard::Less},
        {"<=", Guard::LessEqual}, {">", Guard::Greater},   {">=", Guard::GreaterEqual}};
    const auto* it = std::find_if(std::begin(kOps), std::end(kOps),
                                  [&](const auto& o) { return op->text == o.first; });
    if (it == std::end(kOps) ||
        (!ordered && it->second != Guard::Equal && it->second != Guard::NotEqual))
      return std::nullopt;
    auto l = term(cond->child("left"));
    auto r = term(cond->child("right"));
    if (!l || !r || l->kind == Term::Whole || r->kind == Term::Whole) return std::nullopt;
    Guard g;
    g.left = std::move(*l);
    g.right = std::move(*r);
    g.op = it->second;
    return g;
  }

 private:
  const std::vector<Schema>& inputs_;
  const std::function<bool(const Expr&)>& names_collection_;
  const CollectionAccess* collections_;
  std::vector<std::string> params_;
  const Expr* result_ = nullptr;
};

namespace {

/// `c1 and c2 && c3` as its conjuncts, in evaluation order.
void conjuncts(const Expr* cond, std::vector<const Expr*>& out) {
  const Expr* op = cond->type == "binary" ? cond->child("operator") : nullptr;
  if (op && (op->text == "and" || op->text == "&&") && cond->child("left") &&
      cond->child("right")) {
    conjuncts(cond->child("left"), out);
    conjuncts(cond->child("right"), out);
    return;
  }
  out.push_back(cond);
}

/// The condition of a block's one statement when the block gives nil wherever it is
/// false (`x if c`, `if c ... end` without else), and the statement's value otherwise.
std::pair<const Expr*, const Expr*> nil_unless(const Expr* stmt) {
  if (stmt->type == "if_modifier") return {stmt->child("condition"), stmt->child("body")};
  if (stmt->type == "if" && !stmt->child("alternative"))
    return {stmt->child("condition"), stmt->child("consequence")};
  return {nullptr, nullptr};
}

/// Whether a term indexes a value or reads a field of one (an Item or a Field, in it or
/// in its parts).
bool has_item(const auto& t) {
  using T = std::decay_t<decltype(t)>;
  if (t.kind == T::Item || t.kind == T::Field) return true;
  for (const auto& p : t.parts)
    if (has_item(p)) return true;
  return false;
}

/// The column of `v` that the interpreter reads for the field `name` (a tuple's first
/// column of that name), or nullopt when `v` is no tuple with such a column.
std::optional<size_t> field_column(const Value& v, const std::string& name) {
  if (!v.is_array() || !v.schema()) return std::nullopt;
  const auto& cols = *v.schema();
  auto it = std::find(cols.begin(), cols.end(), name);
  if (it == cols.end()) return std::nullopt;
  return size_t(it - cols.begin());
}

/// The one statement of `then` (an if's or unless's consequence), or nullptr.
const Expr* only_statement(const Expr* then) {
  if (!then) return nullptr;
  auto ps = parts(*then);
  return ps.size() == 1 ? ps[0] : nullptr;
}

}  // namespace

std::optional<Projection> Projection::compile(
    const Expr& block, const std::vector<Schema>& inputs,
    const std::function<bool(const Expr&)>& names_collection, const CollectionAccess* collections) {
  Compiler c(block, inputs, names_collection, collections);
  const Expr* result = c.result();
  if (!result) return std::nullopt;
  Projection p;
  p.schemas_ = inputs;
  p.collections_ = collections;
  const std::string_view rt = result->type;
  const bool unless_form =
      rt == "unless_modifier" || (rt == "unless" && !result->child("alternative"));
  const bool if_form = rt == "if_modifier" || (rt == "if" && !result->child("alternative"));
  if (unless_form) {
    // `[...] unless a == b`: one comparison or membership test (a conjunction under unless
    // is a disjunction).
    const Expr* cond = result->child("condition");
    if (auto m = c.membership(cond)) {
      m->op = Guard::NotMember;
      p.guards_.push_back(std::move(*m));
    } else {
      auto g = c.comparison(cond, false);
      if (!g) return std::nullopt;
      g->op = g->op == Guard::Equal ? Guard::NotEqual : Guard::Equal;
      p.guards_.push_back(std::move(*g));
    }
  } else if (if_form) {
    // `[...] if a == b and c != d`: comparisons with Ruby's `==` and membership tests;
    // when one fails the block gives nil, which every caller drops.
    std::vector<const Expr*> cs;
    conjuncts(result->child("condition"), cs);
    for (const Expr* x : cs) {
      auto g = c.membership(x);
      if (!g) g = c.comparison(x, false);
      if (!g) return std::nullopt;
      p.guards_.push_back(std::move(*g));
    }
  }
  if (unless_form || if_form)
    result = rt == "unless" || rt == "if" ? only_statement(result->child("consequence"))
                                          : result->child("body");
  if (!result) return std::nullopt;
  p.array_ = result->type == "array";
  for (const Expr* x : p.array_ ? parts(*result) : std::vector<const Expr*>{result}) {
    auto t = c.term(x);
    if (!t) return std::nullopt;
    p.terms_.push_back(std::move(*t));
  }
  for (const Term& t : p.terms_) p.has_items_ |= has_item(t);
  for (const Guard& g : p.guards_) p.has_items_ |= has_item(g.left) || has_item(g.right);
  p.only_columns_ = std::all_of(p.terms_.begin(), p.terms_.end(),
                                [](const Term& t) { return t.kind == Term::Column; });
  return p;
}

std::optional<Projection> Projection::compile_prefilter(
    const Expr& block, const std::vector<Schema>& inputs,
    const std::function<bool(const Expr&)>& names_collection) {
  Compiler c(block, inputs, names_collection);
  if (!c.result()) return std::nullopt;
  auto [cond, value] = nil_unless(c.result());
  if (!cond || !value) return std::nullopt;
  std::vector<const Expr*> cs;
  conjuncts(cond, cs);
  Projection p;
  p.schemas_ = inputs;
  for (const Expr* x : cs) {
    auto g = c.comparison(x, true);
    if (!g) break;
    p.guards_.push_back(std::move(*g));
  }
  if (p.guards_.empty()) return std::nullopt;
  return p;
}

Value Projection::term(const Term& t, const Tuple* const* row, int64_t budtime,
                       const Value& address) const {
  switch (t.kind) {
    case Term::Column: {
      const Value* v = column_at(row[t.input], t.column);
      return v ? *v : Value();
    }
    case Term::Whole: {
      const Schema& s = schemas_[t.input];
      const Tuple* in = row[t.input];
      return Value::array(in ? *in : Tuple(s ? s->size() : 0), s);
    }
    case Term::Constant:
      return t.constant;
    case Term::Budtime:
      return Value::integer(budtime);
    case Term::Address:
      return address;
    case Term::Array: {
      std::vector<Value> items;
      items.reserve(t.parts.size());
      for (const Term& x : t.parts) items.push_back(term(x, row, budtime, address));
      return Value::array(std::move(items));
    }
    case Term::Item: {
      Value v = term(t.parts[0], row, budtime, address);  // an Array: decides() said so
      int64_t n = int64_t(v.items().size());
      int64_t k = t.column < 0 ? t.column + n : t.column;
      return k >= 0 && k < n ? v.items()[size_t(k)] : Value();
    }
    case Term::Field: {
      Value v = term(t.parts[0], row, budtime, address);
      size_t i = *field_column(v, t.name);  // decides() found it
      return i < v.items().size() ? v.items()[i] : Value();
    }
  }
  return Value();
}

bool Projection::term_decides(const Term& t, const Tuple* const* row, int64_t budtime,
                              const Value& address) const {
  for (const Term& x : t.parts)
    if (!term_decides(x, row, budtime, address)) return false;
  if (t.kind == Term::Item) return term(t.parts[0], row, budtime, address).is_array();
  return t.kind != Term::Field ||
         field_column(term(t.parts[0], row, budtime, address), t.name).has_value();
}

bool Projection::decides(const Tuple* const* row, int64_t budtime, const Value& address) const {
  if (!has_items_) return true;
  for (const Guard& g : guards_)
    if (!term_decides(g.left, row, budtime, address) ||
        !term_decides(g.right, row, budtime, address))
      return false;
  for (const Term& t : terms_)
    if (!term_decides(t, row, budtime, address)) return false;
  return true;
}

Tuple Projection::apply(const Tuple* const* row, int64_t budtime, const Value& address) const {
  Tuple out;
  apply_into(row, budtime, address, out);
  return out;
}

void Projection::apply_into(const Tuple* const* row, int64_t budtime, const Value& address,
                            Tuple& out) const {
  out.resize(terms_.size());
  if (only_columns_) {  // the common block, `[l.from, p.to]`: columns copied as they are
    for (size_t i = 0; i < terms_.size(); ++i) {
      const Value* v = column_at(row[terms_[i].input], terms_[i].column);
      out[i] = v ? *v : Value();
    }
    return;
  }
  for (size_t i = 0; i < terms_.size(); ++i) out[i] = term(terms_[i], row, budtime, address);
}

std::vector<Projection::ColumnPick> Projection::column_picks() const {
  std::vector<ColumnPick> out;
  if (!array_ || !only_columns_ || has_items_) return out;
  for (const Term& t : terms_) out.push_back({t.input, t.column});
  return out;
}

bool Projection::accepts(const Tuple* const* row, int64_t budtime, const Value& address) const {
  for (const Guard& g : guards_) {
    if (g.op == Guard::Member || g.op == Guard::NotMember) {
      // The interpreter's `coll.include?([...])`: the tuple among the contents.
      Tuple probe;
      probe.reserve(g.left.parts.size());
      for (const Term& x : g.left.parts) probe.push_back(term(x, row, budtime, address));
      bool in = collections_->contents(g.collection).count(probe) > 0;
      if (in != (g.op == Guard::Member)) return false;
      continue;
    }
    Value a = term(g.left, row, budtime, address), b = term(g.right, row, budtime, address);
    bool holds;
    switch (g.op) {
      case Guard::Equal:
      case Guard::NotEqual:
        holds = Value::ruby_equal(a, b) == (g.op == Guard::Equal);
        break;
      default: {
        // Only compile_prefilter makes these. Integers are compared here; anything else
        // (a Float, or values Ruby cannot compare and raises for) is the interpreter's.
        if (a.kind() != Value::Kind::Int || b.kind() != Value::Kind::Int) return true;
        int64_t x = a.as_int(), y = b.as_int();
        holds = g.op == Guard::Less        ? x < y
                : g.op == Guard::LessEqual ? x <= y
                : g.op == Guard::Greater   ? x > y
                                           : x >= y;
      }
    }
    if (!holds) return false;
  }
  return true;
}

bool Projection::reads_collections() const {
  return std::any_of(guards_.begin(), guards_.end(), [](const Guard& g) {
    return g.op == Guard::Member || g.op == Guard::NotMember;
  });
}

std::vector<Projection::ColumnEquality> Projection::column_equalities() const {
  std::vector<ColumnEquality> out;
  for (const Guard& g : guards_) {
    if (g.op != Guard::Equal && g.op != Guard::NotEqual) break;  // an ordering may raise
    if (g.op == Guard::Equal && g.left.kind == Term::Column && g.right.kind == Term::Column &&
        g.left.input != g.right.input && g.left.column >= 0 && g.right.column >= 0)
      out.push_back({g.left.input, size_t(g.left.column), g.right.input, size_t(g.right.column)});
  }
  return out;
}

Value Projection::value(const Tuple* const* row, int64_t budtime, const Value& address) const {
  if (!accepts(row, budtime, address)) return Value();
  if (array_) return Value::array(apply(row, budtime, address));
  return term(terms_[0], row, budtime, address);
}

}  // namespace calm::eval
