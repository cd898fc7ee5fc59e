// Constructs the evaluator used to refuse and now runs, each with the result Bud 0.9.9
// gives for the same program (checked by running it in Bud), or, for `rand`, calm's
// documented choice.

#include <doctest/doctest.h>

#include "support/node_fixture.h"

using namespace calm;
using namespace calm::eval;
using namespace calm::eval::testing;

TEST_CASE("collections inside blocks: has_key?, and any other use as an Array of tuples") {
  auto r =
      prepare(program("    table :t1, [:k] => [:v]\n    table :t2, [:k] => [:w]\n"
                      "    scratch :t4, [:k, :v]\n    scratch :n, [:c, :fk]\n"
                      "    scratch :st, [:x]",
                      "    t4 <= t1 { |t| t if t2.has_key? [t.k] }\n"
                      "    n <= t1 { |t| [t2.to_a.length, t2.first.k] }\n"
                      "    st <= t1 { |t| [Set.new([t.k, t.k]).size] }"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"t1", {I(1), S("a")}},
                    {"t1", {I(2), S("b")}},
                    {"t2", {I(1), S("z")}},
                    {"t2", {I(3), S("y")}}})
              .ok);
  CHECK(show(r->node->contents("t4")) == "[1, \"a\"];");
  CHECK(show(r->node->contents("n")) == "[2, 1];");
  CHECK(show(r->node->contents("st")) == "[1];");
}

TEST_CASE("lset#group_count: an lmap from each group key to an lmax count") {
  auto r = prepare(program("    lset :s1\n    lmap :res", "    res <= s1.group_count([0])"));
  REQUIRE(r->node);
  // One input fact: the lset's value (Bud: `s1 <+ [['a', 1], ['a', 2], ['b', 3]]`).
  Value elems = Value::array(
      {Value::array({S("a"), I(1)}), Value::array({S("a"), I(2)}), Value::array({S("b"), I(3)})});
  REQUIRE(step(*r, {{"s1", {elems}}}).ok);
  CHECK(r->node->lattice("res")->inspect() == "<lmap: {[\"a\"]=><lmax: 2>, [\"b\"]=><lmax: 1>}>");
}

TEST_CASE("rand: a seeded per-node generator, the same numbers for the same seed") {
  std::string src = program("    scratch :in_, [:k]\n    scratch :r, [:k, :x, :f]",
                            "    r <= in_ { |t| [t.k, rand(100), rand] }");
  auto values = [&](uint64_t seed) {
    NodeOptions o;
    o.random_seed = seed;
    auto run = prepare(src, o);
    REQUIRE(run->node);
    REQUIRE(step(*run, {{"in_", {I(1)}}, {"in_", {I(2)}}}).ok);
    return show(run->node->contents("r"));
  };
  std::string a = values(7);
  CHECK(a == values(7));
  CHECK(a != values(8));
  auto run = prepare(src);
  REQUIRE(run->node);
  REQUIRE(step(*run, {{"in_", {I(1)}}}).ok);
  const Tuple& t = *run->node->contents("r").begin();
  CHECK(t[1].kind() == Value::Kind::Int);
  CHECK(t[1].as_int() >= 0);
  CHECK(t[1].as_int() < 100);
  CHECK(t[2].kind() == Value::Kind::Float);
  CHECK(t[2].as_float() >= 0.0);
  CHECK(t[2].as_float() < 1.0);
}

TEST_CASE("an instance variable no method assigns is nil, as in Ruby (Bud runs @addy so)") {
  auto r = prepare(program("    table :a, [:k]\n    scratch :o, [:k, :addy]",
                           "    o <= a { |x| [x.k, @addy] }"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"a", {I(1)}}}).ok);
  CHECK(show(r->node->contents("o")) == "[1, nil];");
}
