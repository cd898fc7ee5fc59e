// Lattices in the evaluator: values (merge, construction, reveal), lattice collections
// merged with <= and <+, lattice methods, lattice values inside tuples (merged on a key),
// and the refusals. Results computed by hand.

#include "eval/lattice.h"

#include <doctest/doctest.h>

#include "model/bud_operators.h"
#include "support/node_fixture.h"

using namespace calm;
using namespace calm::eval;
using namespace calm::eval::testing;

TEST_CASE("lattice values: construction, merge, reveal, inspect") {
  Value m = lattice_from("lmax", I(5));
  CHECK(m.inspect() == "<lmax: 5>");
  CHECK(lattice_merge(m, I(3)).inspect() == "<lmax: 5>");
  CHECK(lattice_merge(m, I(9)).inspect() == "<lmax: 9>");
  CHECK(lattice_merge(lattice_bottom("lmax"), I(-4)).inspect() == "<lmax: -4>");
  CHECK(lattice_merge(lattice_from("lmin", I(5)), I(3)).inspect() == "<lmin: 3>");
  CHECK(lattice_reveal(lattice_bottom("lmin")).inspect() == "Infinity");
  CHECK(
      lattice_merge(lattice_from("lbool", Value::boolean(false)), Value::boolean(true)).inspect() ==
      "<lbool: true>");
  Value s = lattice_from("lset", Value::array({I(3), I(1), I(3)}));
  CHECK(s.inspect() == "<lset: [1, 3]>");
  CHECK(lattice_merge(s, Value::array({I(2)})).inspect() == "<lset: [1, 2, 3]>");
  CHECK(lattice_reveal(s).inspect() == "#<Set: {1, 3}>");
  Value bag = lattice_from("lbag", Value::hash({S("a"), S("b")}, {I(2), I(1)}));
  CHECK(lattice_merge(bag, Value::hash({S("a")}, {I(1)})).inspect() ==
        "<lbag: {\"a\"=>2, \"b\"=>1}>");
  CHECK(lattice_merge(bag, Value::hash({S("b")}, {I(4)})).inspect() ==
        "<lbag: {\"a\"=>2, \"b\"=>4}>");
  Value map = lattice_from("lmap", Value::hash({S("x")}, {lattice_from("lmax", I(1))}));
  Value map2 = lattice_merge(
      map, Value::hash({S("x"), S("y")}, {lattice_from("lmax", I(7)), lattice_from("lmax", I(2))}));
  CHECK(map2.inspect() == "<lmap: {\"x\"=><lmax: 7>, \"y\"=><lmax: 2>}>");
  CHECK(lattice_type_of_class("Bud::PositiveSetLattice") == "lpset");
  CHECK(lattice_type_of_class("Hash") == "");
}

TEST_CASE("lattice values: illegal inputs are errors, like Bud's reject_input") {
  auto message = [](const std::string& type, const Value& v) {
    try {
      lattice_from(type, v);
    } catch (const LatticeError& e) {
      return e.message;
    }
    return std::string("accepted");
  };
  CHECK(message("lmax", Value()) == "illegal input to lmax#initialize: nil");
  CHECK(message("lset", S("ab")) == "illegal input to lset#initialize: \"ab\"");
  CHECK(message("lpset", Value::array({I(-1)})) == "illegal input to lpset#initialize: [-1]");
  CHECK(message("lbool", I(1)) == "illegal input to lbool#initialize: 1");
  CHECK(message("lmap", Value::hash({S("k")}, {I(1)})) ==
        "illegal input to lmap#initialize: {\"k\"=>1}");
  CHECK(message("lbag", Value::hash({S("k")}, {I(0)})) ==
        "illegal input to lbag#initialize: {\"k\"=>0}");
  CHECK(message("lmax", lattice_from("lmin", I(1))) ==
        "illegal input to lmax#initialize: <lmin: 1>");
}

TEST_CASE("lattice methods: Bud's morphisms, monotone functions and the rest") {
  CHECK(is_monotone_lattice_method("lmax", "gt"));
  CHECK(is_monotone_lattice_method("lset", "size"));
  CHECK(is_monotone_lattice_method("lmap", "apply"));
  CHECK_FALSE(is_monotone_lattice_method("lmax", "lt_eq"));
  CHECK(lattice_has_method("lmax", "lt_eq"));
  CHECK_FALSE(is_monotone_lattice_method("lbool", "reveal"));
  CHECK(lattice_has_method("lbool", "reveal"));
  CHECK_FALSE(lattice_has_method("lset", "gt"));
  CHECK_FALSE(lattice_has_method("lmin", "gt"));  // Bud 0.9.9's lmin has lt and + only
}

TEST_CASE("lmax and lbool: merge the elements of a collection, persist across timesteps") {
  auto r = prepare(program("    scratch :in_t, [:v]\n    lmax :m\n    lbool :done",
                           "    m <= in_t { |t| t.v }\n    done <= m.gt(12)"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"in_t", {I(5)}}, {"in_t", {I(10)}}}).ok);
  CHECK(r->node->lattice("m")->inspect() == "<lmax: 10>");
  CHECK(r->node->lattice("done")->inspect() == "<lbool: false>");
  CHECK(show(r->node->contents("m")) == "[<lmax: 10>];");
  REQUIRE(step(*r, {{"in_t", {I(13)}}}).ok);
  CHECK(r->node->lattice("done")->inspect() == "<lbool: true>");
  REQUIRE(step(*r, {{"in_t", {I(2)}}}).ok);
  CHECK(r->node->lattice("m")->inspect() == "<lmax: 13>");
  CHECK_FALSE(r->node->lattice("in_t"));
}

TEST_CASE("quorum: lset size, lmax threshold, lbool when_true") {
  auto r = prepare(program(
      "    scratch :vote, [:voter]\n    scratch :announce, [:what]\n    lset :ballots\n"
      "    lmax :tally\n    lbool :reached",
      "    ballots <= vote { |v| [v.voter] }\n    tally <= ballots.size\n"
      "    reached <= tally.gt_eq(3)\n    announce <= reached.when_true { [[\"quorum\"]] }"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"vote", {S("a")}}, {"vote", {S("b")}}}).ok);
  CHECK(r->node->lattice("ballots")->inspect() == "<lset: [\"a\", \"b\"]>");
  CHECK(r->node->lattice("tally")->inspect() == "<lmax: 2>");
  CHECK(show(r->node->contents("announce")) == "");
  REQUIRE(step(*r, {{"vote", {S("c")}}, {"vote", {S("a")}}}).ok);
  CHECK(r->node->lattice("tally")->inspect() == "<lmax: 3>");
  CHECK(show(r->node->contents("announce")) == "[\"quorum\"];");
}

TEST_CASE("lattice values in tuples: Bud merges them when two facts share a key") {
  // Shortest paths: path costs are lmin values; best keeps one fact per (from, to) whose
  // cost merges every path's cost.
  auto r =
      prepare(program("    table :link, [:from, :to] => [:cost]\n"
                      "    table :path, [:from, :to, :nxt] => [:cost]\n"
                      "    table :best, [:from, :to] => [:cost]",
                      "    path <= link { |l| [l.from, l.to, l.to, Bud::MinLattice.new(l.cost)] }\n"
                      "    path <= (link * path).pairs(:to => :from) do |l, p|\n"
                      "      [l.from, p.to, l.to, p.cost + l.cost]\n    end\n"
                      "    best <= path { |p| [p.from, p.to, p.cost] }"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"link", {S("a"), S("b"), I(1)}},
                    {"link", {S("b"), S("c"), I(2)}},
                    {"link", {S("a"), S("c"), I(5)}}})
              .ok);
  CHECK(show(r->node->contents("path")) ==
        "[\"a\", \"b\", \"b\", <lmin: 1>];[\"a\", \"c\", \"b\", <lmin: 3>];"
        "[\"a\", \"c\", \"c\", <lmin: 5>];[\"b\", \"c\", \"c\", <lmin: 2>];");
  CHECK(show(r->node->contents("best")) ==
        "[\"a\", \"b\", <lmin: 1>];[\"a\", \"c\", <lmin: 3>];[\"b\", \"c\", <lmin: 2>];");
}

TEST_CASE("a lattice collection inside a tuple follows its growth (table key merge)") {
  auto r = prepare(program("    table :t, [:k] => [:val]\n    scratch :in_t, [:v]\n    lmax :m1",
                           "    t <= [[\"m1\", m1]]\n    m1 <= in_t { |t| t.v }"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"in_t", {I(4)}}}).ok);
  CHECK(show(r->node->contents("t")) == "[\"m1\", <lmax: 4>];");
  REQUIRE(step(*r, {{"in_t", {I(10)}}}).ok);
  CHECK(show(r->node->contents("t")) == "[\"m1\", <lmax: 10>];");
}

TEST_CASE("lmap: from hashes, key_set, size, key?, at, apply, filter, to_collection") {
  auto r = prepare(
      program("    scratch :kv, [:k, :v]\n    scratch :out, [:k, :v]\n    lmap :m\n    lset :ks\n"
              "    lset :big\n    lmax :n\n    lmax :a\n    lmax :z\n    lbool :has_a",
              "    m <= kv { |t| {t.k => Bud::MaxLattice.new(t.v)} }\n    ks <= m.key_set\n"
              "    n <= m.size\n    has_a <= m.key?(\"a\")\n    a <= m.at(\"a\", Bud::MaxLattice)\n"
              "    z <= m.at(\"zz\", Bud::MaxLattice)\n    big <= m.apply(:gt, 4).filter.key_set\n"
              "    out <= m.to_collection { |k, v| [k, v.reveal] }"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"kv", {S("a"), I(1)}}, {"kv", {S("b"), I(5)}}, {"kv", {S("a"), I(3)}}}).ok);
  CHECK(r->node->lattice("m")->inspect() == "<lmap: {\"a\"=><lmax: 3>, \"b\"=><lmax: 5>}>");
  CHECK(r->node->lattice("ks")->inspect() == "<lset: [\"a\", \"b\"]>");
  CHECK(r->node->lattice("n")->inspect() == "<lmax: 2>");
  CHECK(r->node->lattice("has_a")->inspect() == "<lbool: true>");
  CHECK(r->node->lattice("a")->inspect() == "<lmax: 3>");
  CHECK(r->node->lattice("z")->inspect() == "<lmax: -Infinity>");
  CHECK(r->node->lattice("big")->inspect() == "<lset: [\"b\"]>");
  CHECK(show(r->node->contents("out")) == "[\"a\", 3];[\"b\", 5];");
}

TEST_CASE("lset: bootstrap literal, eqjoin with a block, pro, contains?, intersect") {
  auto r = prepare(program(
      "    lset :link\n    lset :path\n    lset :firsts\n    lset :common\n    lbool :has_ad",
      "    path <= link\n"
      "    path <= path.eqjoin(link, {1 => 0}) { |p, l| [p[0], l[1], p[2] + l[2]] }\n"
      "    firsts <= path.pro { |p| p[0] }\n    has_ad <= path.contains?([\"a\", \"d\", 3])\n"
      "    common <= path.intersect(link)",
      "  bootstrap do\n    link <= [[\"a\", \"b\", 1], [\"b\", \"c\", 1], [\"c\", \"d\", 1]]\n  "
      "end\n"));
  REQUIRE(r->node);
  REQUIRE(step(*r).ok);
  CHECK(r->node->lattice("path")->inspect() ==
        "<lset: [[\"a\", \"b\", 1], [\"a\", \"c\", 2], [\"a\", \"d\", 3], [\"b\", \"c\", 1], "
        "[\"b\", \"d\", 2], [\"c\", \"d\", 1]]>");
  CHECK(r->node->lattice("firsts")->inspect() == "<lset: [\"a\", \"b\", \"c\"]>");
  CHECK(r->node->lattice("has_ad")->inspect() == "<lbool: true>");
  CHECK(r->node->lattice("common")->inspect() ==
        "<lset: [[\"a\", \"b\", 1], [\"b\", \"c\", 1], [\"c\", \"d\", 1]]>");
}

TEST_CASE("lpset pos_sum, lbag multiplicity/size/contains?, lmin and lmax arithmetic") {
  auto r = prepare(program(
      "    scratch :in_t, [:v]\n    lpset :ps\n    lmax :sum\n    lbag :bag\n    lmax :ma\n"
      "    lmax :bsize\n    lbool :has_x\n    lmin :lo\n    lmin :lo2\n    lmax :hi",
      "    ps <= in_t { |t| [t.v] }\n    sum <= ps.pos_sum\n"
      "    bag <= in_t { |t| {\"x\" => t.v} }\n    ma <= bag.multiplicity(\"x\")\n"
      "    bsize <= bag.size\n    has_x <= bag.contains?(\"x\")\n    lo <= in_t { |t| t.v }\n"
      "    lo2 <= lo + 10\n    hi <= sum.min_of(4)"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"in_t", {I(2)}}, {"in_t", {I(3)}}}).ok);
  CHECK(r->node->lattice("sum")->inspect() == "<lmax: 5>");
  CHECK(r->node->lattice("bag")->inspect() == "<lbag: {\"x\"=>3}>");
  CHECK(r->node->lattice("ma")->inspect() == "<lmax: 3>");
  CHECK(r->node->lattice("bsize")->inspect() == "<lmax: 3>");
  CHECK(r->node->lattice("has_x")->inspect() == "<lbool: true>");
  CHECK(r->node->lattice("lo")->inspect() == "<lmin: 2>");
  CHECK(r->node->lattice("lo2")->inspect() == "<lmin: 12>");
  CHECK(r->node->lattice("hi")->inspect() == "<lmax: 4>");
}

TEST_CASE("<+ on a lattice merges at the next timestep; reveal runs in a later stratum") {
  auto r = prepare(program("    scratch :in_t, [:v]\n    scratch :seen, [:v]\n    lmax :m",
                           "    m <+ in_t { |t| t.v }\n    seen <= [[m.reveal]]"));
  REQUIRE(r->node);
  CHECK(r->node->strata().size() == 2);  // reveal is not monotone
  REQUIRE(step(*r, {{"in_t", {I(7)}}}).ok);
  CHECK(r->node->lattice("m")->inspect() == "<lmax: -Infinity>");
  REQUIRE(step(*r).ok);
  CHECK(r->node->lattice("m")->inspect() == "<lmax: 7>");
  CHECK(show(r->node->contents("seen")) == "[7];");
}

TEST_CASE("lattice errors: an illegal input fails the step at the rule") {
  auto r = prepare(program("    scratch :in_t, [:v]\n    lset :s", "    s <= in_t { |t| t.v }"));
  REQUIRE(r->node);
  auto res = step(*r, {{"in_t", {S("x")}}});
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics) ==
        "calm-eval-error 8:5 illegal input to lset#initialize: \"x\" (merging into 's')");
  auto r2 = prepare(program("    lmap :m\n    lmax :v", "    v <= m.at(\"k\")"));
  REQUIRE(r2->node);
  auto res2 = step(*r2);
  CHECK_FALSE(res2.ok);
  CHECK(first_diag(res2.diagnostics) ==
        "calm-eval-error 8:10 missing key for lmap#at(\"k\") but no bottom type given");
}

TEST_CASE("a lattice that grows for ever hits max_rounds, not a hang") {
  NodeOptions o;
  o.max_rounds = 50;
  auto r =
      prepare(program("    lmax :m", "    m <= m + 1", "  bootstrap do\n    m <= 0\n  end\n"), o);
  REQUIRE(r->node);
  auto res = step(*r);
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics) ==
        "calm-eval-limit 7:5 no fixpoint after 50 rounds (NodeOptions::max_rounds): 'm' still "
        "growing");
}

TEST_CASE("lattice refusals: unknown methods, operators Bud refuses, user lattices") {
  auto r = prepare(program("    lmax :m\n    lmax :n", "    n <= m.gt(1)\n    m <- [[1]]"));
  CHECK_FALSE(r->node);
  auto ds = r->diags.sorted();
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].message ==
        "unsupported construct operator '<-' on lattice 'm' (Bud merges into lattices with <= "
        "and <+)");
  CHECK(to_string(ds[0].location) == "t.rb:9:7");
  // A method no lattice has: Bud's NoMethodError when it runs.
  auto r1 = prepare(program("    lmax :m\n    lmax :n", "    n <= m.frob(1)"));
  REQUIRE(r1->node);
  auto res1 = step(*r1);
  CHECK_FALSE(res1.ok);
  CHECK(first_diag(res1.diagnostics) ==
        "calm-eval-error 8:10 undefined method 'frob' for lmax (Bud 0.9.9's lmax has no such "
        "method)");
  // A method another lattice type has: the same error (Bud's lmax has no key_set).
  auto r2 = prepare(program("    lmax :m\n    lmax :n", "    n <= m.key_set"));
  REQUIRE(r2->node);
  auto res = step(*r2);
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics) ==
        "calm-eval-error 8:10 undefined method 'key_set' for lmax (Bud 0.9.9's lmax has no "
        "such method)");
}

TEST_CASE(
    "many inputs merged into a lattice at once give the value and the errors of merging "
    "them one by one") {
  // Many inputs are merged with each other pairwise first (rules.cpp, apply_merge).
  auto r = prepare(program("    scratch :in_t, [:k, :v]\n    lmap :m\n    lmax :hi\n    lset :s",
                           "    m <= in_t { |t| {t.k => Bud::MaxLattice.new(t.v)} }\n"
                           "    hi <= in_t { |t| t.v }\n"
                           "    s <= in_t { |t| [t.k] }"));
  REQUIRE(r->node);
  std::vector<std::pair<std::string, Tuple>> facts;
  for (int i = 0; i < 9; ++i) facts.push_back({"in_t", {S(i % 2 ? "a" : "b"), I(i * 7 % 10)}});
  auto res = step(*r, facts);
  CHECK(res.ok);
  CHECK(show(r->node->contents("m")) == "[<lmap: {\"a\"=><lmax: 9>, \"b\"=><lmax: 8>}>];");
  CHECK(show(r->node->contents("hi")) == "[<lmax: 9>];");
  CHECK(show(r->node->contents("s")) == "[<lset: [\"a\", \"b\"]>];");

  // An input Bud refuses among many: the error of merging them one by one, and the
  // collection as the inputs before it left it.
  auto bad =
      prepare(program("    scratch :in_t, [:v]\n    lmax :hi", "    hi <= in_t { |t| t.v }"));
  REQUIRE(bad->node);
  auto res2 =
      step(*bad, {{"in_t", {I(3)}}, {"in_t", {I(5)}}, {"in_t", {S("x")}}, {"in_t", {I(4)}}});
  CHECK_FALSE(res2.ok);
  CHECK(first_diag(res2.diagnostics) ==
        "calm-eval-error 8:5 comparison of String with 5 failed (merging into 'hi')");
}
