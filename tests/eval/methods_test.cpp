// The evaluator's method rows (eval/methods.h) against the operator table
// (model/bud_operators.h) and against Ruby: a lattice method runs on exactly the types the
// table says it exists on; a Ruby value method is one Ruby's class has; and a call that no
// row takes is refused or is Bud's error, as the row says.

#include "eval/methods.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "eval/lattice.h"
#include "eval/ruby_text.h"
#include "model/bud_operators.h"
#include "support/no_collections.h"

using namespace calm;
using namespace calm::eval;
using namespace calm::eval::testing;

namespace {

std::vector<std::string> builtin_lattices() {
  std::vector<std::string> out;
  std::string_view all = kBuiltinLattices;
  while (!all.empty()) {
    size_t sp = all.find(' ');
    out.emplace_back(all.substr(0, sp));
    if (sp == std::string_view::npos) break;
    all.remove_prefix(sp + 1);
  }
  return out;
}

/// Runs `self.name(args)` through the interpreter; "ok <result>" or "<check>: <message>".
std::string call(const Value& self, const std::string& name, std::vector<Value> args = {}) {
  NoCollections none;
  Interpreter in(none, "t.rb", Value::string("host:1"), 1);
  Expr at;
  at.line = 3;
  at.column = 5;
  Scope scope;
  try {
    return "ok " + in.call_method(at, self, name, args, nullptr, scope).inspect();
  } catch (const EvalError& e) {
    return e.check.str() + ": " + e.message;
  }
}

}  // namespace

TEST_CASE("a lattice method the analysis knows on a type runs there, or is refused saying why") {
  std::vector<std::string> types = builtin_lattices();
  REQUIRE(types.size() == 7);
  for (const std::string& t : types) CHECK(is_lattice_type(t));  // the evaluator's own list
  int runs = 0, refused = 0;
  for (const BudOperator& op : bud_operators()) {
    if (op.kind != OperatorKind::LatticeMethod || op.name == "new") continue;
    CAPTURE(op.name);
    for (const std::string& t : types) {
      CAPTURE(t);
      if (runs_lattice_method(t, op.name)) {
        CHECK_MESSAGE(lattice_has_method(t, op.name),
                      "the evaluator runs a method calm's table "
                      "does not know on this type");
        CHECK(op.handler == EvalHandler::Lattice);
        ++runs;
        continue;
      }
      std::vector<Value> args(size_t(std::max(op.min_args, 0)), Value::integer(1));
      std::string out = call(lattice_bottom(t), std::string(op.name), args);
      bool no_types = op.monotone_on.empty() && op.plain_on.empty();
      if (lattice_has_method(t, op.name) || (op.handler == EvalHandler::Refused && no_types)) {
        CHECK_MESSAGE(out.starts_with("calm-eval-unsupported: "), out);
        CHECK(out.find(" of " + t + " (") != std::string::npos);
        ++refused;
      } else {
        CHECK_MESSAGE(out.starts_with("calm-eval-error: undefined method"), out);
      }
    }
  }
  CHECK(runs > 30);
  CHECK(refused > 5);
  // ... and the reverse: every evaluator row is a method the table has, on its types.
  for (const LatticeMethod& row : lattice_methods()) {
    CAPTURE(row.name);
    const BudOperator* op = find_bud_operator(row.name, OperatorKind::LatticeMethod);
    REQUIRE(op);
    CHECK(op->handler == EvalHandler::Lattice);
    for (const std::string& t : types)
      if (lattice_list_names(row.on, t)) CHECK_MESSAGE(lattice_has_method(t, row.name), t);
  }
}

TEST_CASE("every Ruby value method calm runs is one Ruby's class has") {
  static const std::pair<Value::Kind, const char*> kClasses[] = {
      {Value::Kind::Int, "Integer"},   {Value::Kind::Float, "Float"},
      {Value::Kind::String, "String"}, {Value::Kind::Symbol, "Symbol"},
      {Value::Kind::Time, "Time"},     {Value::Kind::Array, "Array"},
      {Value::Kind::Set, "Set"},       {Value::Kind::Hash, "Hash"}};
  for (const ValueMethod& row : value_methods()) {
    CAPTURE(row.name);
    CHECK(static_cast<bool>(row.run));
    CHECK((row.max_args < 0 || row.max_args >= row.min_args));
    if (row.on == ~0u) {
      CHECK(ruby_has_method("Object", std::string(row.name)));
      continue;
    }
    for (const auto& [kind, cls] : kClasses)
      if (row.on & kind_bit(kind)) {
        CAPTURE(cls);
        // Time's methods are not in the generated Ruby table; its rows are Time's own.
        if (std::string_view(cls) != "Time") CHECK(ruby_has_method(cls, std::string(row.name)));
      }
  }
}

TEST_CASE("lattice calls: Bud's results, Bud's errors, and the table's refusals") {
  Value mx = lattice_from("lmax", Value::integer(5));
  Value mn = lattice_from("lmin", Value::integer(5));
  CHECK(call(mx, "gt", {Value::integer(3)}) == "ok <lbool: true>");
  CHECK(call(mx, "lt_eq", {Value::integer(3)}) == "ok <lbool: false>");
  CHECK(call(mn, "lt", {Value::integer(7)}) == "ok <lbool: true>");
  CHECK(call(mx, "+", {Value::integer(2)}) == "ok <lmax: 7>");
  CHECK(call(mx, "reveal") == "ok 5");
  // Bud 0.9.9's lmin has no gt, nor has calm's analysis: NoMethodError, as in Bud.
  CHECK(call(mn, "gt", {Value::integer(3)}) ==
        "calm-eval-error: undefined method 'gt' for lmin (Bud 0.9.9's lmin has no such method)");
  // lmin#lt_eq: calm's analysis calls it monotone (the 2011 notes); Bud has none: refused.
  CHECK(call(mn, "lt_eq", {Value::integer(3)}) ==
        "calm-eval-unsupported: unsupported construct lattice method 'lt_eq' of lmin (calm's "
        "analysis knows it; Bud 0.9.9's lmin does not define it)");
  // A row the table refuses: the refusal carries the row's why.
  std::string minus = call(mx, "-", {Value::integer(1)});
  CHECK(minus.starts_with("calm-eval-unsupported: "));
  CHECK(minus.find("Bud 0.9.9's lattices have no -") != std::string::npos);
  CHECK(
      call(lattice_from("lset", Value::set({})), "product", {lattice_from("lset", Value::set({}))})
          .starts_with("calm-eval-unsupported: "));
  // The wrong arguments for a method the type has.
  CHECK(call(mx, "gt") == "calm-eval-error: wrong arguments for lmax#gt (0 argument(s))");
  // lmap#apply runs a lattice method on every value.
  Value m = lattice_from("lmap", Value::hash({Value::string("a"), Value::string("b")},
                                             {lattice_from("lmax", Value::integer(1)),
                                              lattice_from("lmax", Value::integer(9))}));
  CHECK(call(m, "apply", {Value::symbol("gt"), Value::integer(4)}) ==
        "ok <lmap: {\"a\"=><lbool: false>, \"b\"=><lbool: true>}>");
}

TEST_CASE("value calls: the first row that fits runs; no row is a refusal or NoMethodError") {
  CHECK(call(Value::string("a,b"), "split", {Value::string(",")}) == "ok [\"a\", \"b\"]");
  CHECK(call(Value::integer(4), "even?") == "ok true");
  CHECK(call(Value::floating(2.5), "round") == "ok 3");
  CHECK(call(Value::array({Value::integer(1), Value::integer(2)}), "first", {Value::integer(1)}) ==
        "ok [1]");
  CHECK(call(Value::array({}), "fetch", {Value::integer(0)}) ==
        "calm-eval-error: index 0 outside of array bounds: 0...0");
  // A String argument that does not fit split's row: Ruby has split, calm runs only this form.
  CHECK(call(Value::string("a"), "split", {Value::integer(1)}).starts_with("calm-eval-error"));
  // Ruby's Integer has gcd, calm does not run it: refused.
  CHECK(call(Value::integer(4), "gcd", {Value::integer(2)}) ==
        "calm-eval-unsupported: unsupported construct method 'gcd'");
  // Integer has no upcase: Ruby's NoMethodError.
  CHECK(
      call(Value::integer(4), "upcase").starts_with("calm-eval-error: undefined method 'upcase'"));
}
