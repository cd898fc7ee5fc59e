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

std::optional<Projection> Projection::compile(
    const Expr& block, const std::vector<Schema>& inputs,
    const std::function<bool(const Expr&)>& names_collection) {
  if (inputs.empty()) return std::nullopt;
  std::vector<std::string> params;
  if (const Expr* ps = block.child("parameters"))
    for (const Expr* p : parts(*ps)) {
      if (p->type != "identifier") return std::nullopt;  // destructuring, splats, defaults
      params.push_back(p->text);
    }
  const Expr* body = block.child("body");
  if (!body) return std::nullopt;
  auto stmts = parts(*body);
  if (stmts.size() != 1) return std::nullopt;

  // What each parameter is bound to, as call_block binds it: one input and one parameter
  // is the tuple; one input and several parameters spread the tuple's columns; several
  // inputs and several parameters give each parameter one input's tuple (nil past the
  // last). One parameter over several inputs is the whole row: left to the interpreter.
  if (inputs.size() > 1 && params.size() == 1) return std::nullopt;
  auto binding = [&](const std::string& name) -> std::optional<Term> {
    auto it = std::find(params.begin(), params.end(), name);
    if (it == params.end()) return std::nullopt;
    size_t i = size_t(it - params.begin());
    Term t;
    if (inputs.size() == 1 && params.size() > 1) {
      t.kind = Term::Column;
      t.column = int64_t(i);
    } else if (i < inputs.size()) {
      t.kind = Term::Whole;
      t.input = i;
    }
    return t;  // otherwise Constant nil
  };

  Projection p;
  p.schemas_ = inputs;
  auto compile_term = [&](const Expr* x) -> std::optional<Term> {
    if (auto v = literal(*x)) {
      Term t;
      t.constant = std::move(*v);
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
    if (!obj || obj->type != "identifier") return std::nullopt;
    auto b = binding(obj->text);
    if (!b || b->kind != Term::Whole) return std::nullopt;
    Term t;
    t.kind = Term::Column;
    t.input = b->input;
    if (x->type == "call") {
      const Expr* m = x->child("method");
      const Expr* op = x->child("operator");
      const Schema& s = inputs[b->input];
      if (!m || m->type != "identifier" || x->child("arguments") || x->child("block") ||
          (op && op->text != ".") || !s || names_collection(*x))
        return std::nullopt;
      auto col = std::find(s->begin(), s->end(), m->text);
      if (col == s->end()) return std::nullopt;  // a method, not a column
      t.column = int64_t(col - s->begin());
    } else if (x->type == "element_reference") {
      std::vector<const Expr*> idx;
      for (const auto& c : x->children)
        if (c.field != "object" && !skipped(c)) idx.push_back(&c);
      if (idx.size() != 1 || idx[0]->type != "integer" || !all_digits(idx[0]->text))
        return std::nullopt;
      t.column = std::strtoll(idx[0]->text.c_str(), nullptr, 10);
    } else {
      return std::nullopt;
    }
    return t;
  };

  const Expr* result = stmts[0];
  if (result->type == "if_modifier" || result->type == "unless_modifier") {
    // `[...] if a == b` (or `!=`, or `unless`): a guard comparing two terms with Ruby's
    // `==`; when it fails the block gives nil, which every caller drops. A whole tuple in
    // the comparison (a Struct in Bud) is left to the interpreter.
    const Expr* cond = result->child("condition");
    const Expr* op = cond && cond->type == "binary" ? cond->child("operator") : nullptr;
    if (!op || (op->text != "==" && op->text != "!=")) return std::nullopt;
    auto l = compile_term(cond->child("left"));
    auto r = compile_term(cond->child("right"));
    if (!l || !r || l->kind == Term::Whole || r->kind == Term::Whole) return std::nullopt;
    Guard g;
    g.left = std::move(*l);
    g.right = std::move(*r);
    g.equal = (op->text == "==") != (result->type == "unless_modifier");
    p.guard_ = std::move(g);
    result = result->child("body");
    if (!result) return std::nullopt;
  }
  p.array_ = result->type == "array";
  for (const Expr* x : p.array_ ? parts(*result) : std::vector<const Expr*>{result}) {
    auto t = compile_term(x);
    if (!t) return std::nullopt;
    p.terms_.push_back(std::move(*t));
  }
  return p;
}

Value Projection::term(const Term& t, const Tuple* const* row, int64_t budtime,
                       const Value& address) const {
  switch (t.kind) {
    case Term::Column: {
      const Tuple* in = row[t.input];
      int64_t n = in ? int64_t(in->size()) : 0;
      int64_t k = t.column < 0 ? t.column + n : t.column;
      return k >= 0 && k < n ? (*in)[size_t(k)] : Value();
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
  }
  return Value();
}

Tuple Projection::apply(const Tuple* const* row, int64_t budtime, const Value& address) const {
  Tuple out;
  out.reserve(terms_.size());
  for (const auto& t : terms_) out.push_back(term(t, row, budtime, address));
  return out;
}

void Projection::apply_into(const Tuple* const* row, int64_t budtime, const Value& address,
                            Tuple& out) const {
  out.resize(terms_.size());
  for (size_t i = 0; i < terms_.size(); ++i) out[i] = term(terms_[i], row, budtime, address);
}

bool Projection::accepts(const Tuple* const* row, int64_t budtime, const Value& address) const {
  if (!guard_) return true;
  bool eq = Value::ruby_equal(term(guard_->left, row, budtime, address),
                              term(guard_->right, row, budtime, address));
  return eq == guard_->equal;
}

Value Projection::value(const Tuple* const* row, int64_t budtime, const Value& address) const {
  if (!accepts(row, budtime, address)) return Value();
  if (array_) return Value::array(apply(row, budtime, address));
  return term(terms_[0], row, budtime, address);
}

}  // namespace calm::eval
