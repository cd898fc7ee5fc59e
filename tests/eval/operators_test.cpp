// More operators, with hand-computed results: outer joins (nil padding), flatten,
// reduce/inject, the 2011 natjoin and leftjoin, schema methods, helper `def`s; and one
// test per construct these operators refuse.

#include <doctest/doctest.h>

#include "eval/interpreter.h"
#include "support/node_fixture.h"

using namespace calm;
using namespace calm::eval;
using namespace calm::eval::testing;

namespace {

const char* kAB = "    table :a, [:k] => [:v]\n    table :b, [:k] => [:w]\n";

std::vector<std::pair<std::string, Tuple>> ab_facts() {
  return {{"a", {I(1), S("p")}}, {"a", {I(2), S("q")}}, {"b", {I(1), S("z")}}};
}

}  // namespace

TEST_CASE("outer join: unmatched left tuples are padded with nils, like Bud") {
  auto r =
      prepare(program(std::string(kAB) + "    scratch :o, [:k, :v, :w]\n    scratch :o2, [:l, :r]",
                      "    o <= (a * b).outer(:k => :k) { |x, y| [x.k, x.v, y.w] }\n"
                      "    o2 <= (a * b).outer(:k => :k)"));
  REQUIRE(r->node);
  REQUIRE(step(*r, ab_facts()).ok);
  CHECK(show(r->node->contents("o")) == "[1, \"p\", \"z\"];[2, \"q\", nil];");
  CHECK(show(r->node->contents("o2")) == "[[1, \"p\"], [1, \"z\"]];[[2, \"q\"], [nil, nil]];");
}

TEST_CASE("flatten: a join's tuples concatenated, repeated columns renamed for group") {
  auto r = prepare(program(std::string(kAB) +
                               "    scratch :f, [:k1, :v, :k2, :w]\n    scratch :g, [:k, :n]\n"
                               "    scratch :all, [:k1, :v, :k2, :w]",
                           "    f <= (a * b).flatten(:k => :k)\n"
                           "    all <= (a * b).flatten\n"
                           "    g <= (a * b).matches.flatten.group([:k_1], count)"));
  REQUIRE(r->node);
  REQUIRE(step(*r, ab_facts()).ok);
  CHECK(show(r->node->contents("f")) == "[1, \"p\", 1, \"z\"];");
  CHECK(show(r->node->contents("all")) == "[1, \"p\", 1, \"z\"];[2, \"q\", 1, \"z\"];");
  CHECK(show(r->node->contents("g")) == "[1, 1];");
}

TEST_CASE("reduce and inject: Ruby's fold over the tuples, in sorted order") {
  auto r2 = prepare(program(std::string(kAB) + "    scratch :cnt, [:n]\n    scratch :vs, [:v]",
                            "    cnt <= a.reduce([[0]]) { |m, t| [[m[0][0] + 1]] }\n"
                            "    vs <= a.inject([]) { |m, t| m + [[t.v]] }"));
  REQUIRE(r2->node);
  CHECK(r2->node->strata().size() == 2);  // reduce reads all of a: a later stratum
  REQUIRE(step(*r2, ab_facts()).ok);
  CHECK(show(r2->node->contents("cnt")) == "[2];");
  CHECK(show(r2->node->contents("vs")) == "[\"p\"];[\"q\"];");
}

TEST_CASE("2011 dialect: natjoin on same-named columns, leftjoin with nil padding") {
  std::string src =
      "class T\n  include Bud\n  def state\n    table :r, ['k'], ['x']\n"
      "    table :s, ['k'], ['y']\n    scratch :nat, ['k', 'x', 'y']\n"
      "    scratch :lj, ['k', 'x', 'y']\n  end\n\n  declare\n  def rules\n"
      "    nat <= natjoin([r, s]).map { |a, b| [a.k, a.x, b.y] }\n"
      "    lj <= leftjoin([r, s], [r.k, s.k]).map { |a, b| [a.k, a.x, b.y] }\n  end\nend\n";
  auto r = prepare(src);
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"r", {I(1), S("x1")}}, {"r", {I(2), S("x2")}}, {"s", {I(1), S("y1")}}}).ok);
  CHECK(show(r->node->contents("nat")) == "[1, \"x1\", \"y1\"];");
  CHECK(show(r->node->contents("lj")) == "[1, \"x1\", \"y1\"];[2, \"x2\", nil];");
}

TEST_CASE("2011 dialect: joins run again step after step, an operand empty in some steps") {
  // The join's predicates are found on its first run and kept; a step with an empty
  // operand answers at once; a later step with rows joins them with the same predicates.
  std::string src =
      "class T\n  include Bud\n  def state\n    scratch :r, ['k', 'x']\n"
      "    scratch :s, ['y', 'k']\n    scratch :j, ['k', 'x', 'y']\n"
      "    scratch :nat, ['k', 'x', 'y']\n  end\n\n  declare\n  def rules\n"
      "    j <= join([r, s], [r.k, s.k]).map { |a, b| [a.k, a.x, b.y] }\n"
      "    nat <= natjoin([r, s]).map { |a, b| [a.k, a.x, b.y] }\n  end\nend\n";
  auto r = prepare(src);
  REQUIRE(r->node);
  auto both = [&] { return show(r->node->contents("j")) + "|" + show(r->node->contents("nat")); };
  REQUIRE(step(*r, {{"r", {I(1), S("x1")}}}).ok);  // s empty
  CHECK(both() == "|");
  REQUIRE(step(*r, {{"r", {I(1), S("x1")}}, {"s", {S("y1"), I(1)}}, {"s", {S("y2"), I(2)}}}).ok);
  CHECK(both() == "[1, \"x1\", \"y1\"];|[1, \"x1\", \"y1\"];");
  REQUIRE(step(*r, {{"s", {S("y3"), I(3)}}}).ok);  // r empty
  CHECK(both() == "|");
  REQUIRE(step(*r, {{"r", {I(3), S("x3")}}, {"r", {I(2), S("x2")}}, {"s", {S("y3"), I(3)}}}).ok);
  CHECK(both() == "[3, \"x3\", \"y3\"];|[3, \"x3\", \"y3\"];");
}

TEST_CASE("schema methods inside blocks: cols, key_cols, val_cols, schema") {
  auto r = prepare(program(std::string(kAB) + "    scratch :sch, [:k, :c, :kc, :vc, :s]",
                           "    sch <= a { |t| [t.k, a.cols, a.key_cols, a.val_cols, a.schema] }"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"a", {I(1), S("p")}}}).ok);
  CHECK(show(r->node->contents("sch")) == "[1, [:k, :v], [:k], [:v], {[:k]=>[:v]}];");
}

TEST_CASE("helper defs of the module are interpreted with the same subset") {
  auto r = prepare(program("    table :a, [:k] => [:v]\n    scratch :d, [:x, :y]",
                           "    d <= a { |t| [double(t.k), tag] }",
                           "  def double(x)\n    y = x * 2\n    y\n  end\n\n"
                           "  def tag\n    \"t\"\n  end\n"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"a", {I(1), S("p")}}, {"a", {I(2), S("q")}}}).ok);
  CHECK(show(r->node->contents("d")) == "[2, \"t\"];[4, \"t\"];");
}

TEST_CASE("refused: every construct outside these operators gives a located diagnostic") {
  // Refused when the node is prepared, or else when the rule first runs.
  auto refused = [](const std::string& src) {
    auto r = prepare(src);
    if (!r->node) return first_diag(r->diags);
    auto res = step(*r);
    CHECK_FALSE(res.ok);
    return first_diag(res.diagnostics);
  };
  std::string three =
      "    table :a, [:k] => [:v]\n    table :b, [:k] => [:w]\n"
      "    table :c, [:k] => [:u]\n    scratch :o, [:x]";
  CHECK(refused(program(three, "    o <= (a * b * c).outer(a.k => b.k, b.k => c.k)")) ==
        "calm-eval-unsupported 10:10 unsupported construct outer join of 3 collections");
  CHECK(refused(program(std::string(kAB) + "    scratch :o, [:x]", "    o <= a.reduce(:+)")) ==
        "calm-eval-unsupported 9:10 unsupported construct reduce without a block or with a symbol");
  CHECK(refused(program("    table :a, [:k]\n    scratch :o, [:x]",
                        "    o <= a { |t| return [t.k] }")) ==
        "calm-eval-unsupported 8:18 unsupported construct 'return'");
  // In a helper method, `return` returns (chat's pretty_print).
  auto ret = prepare(
      program("    table :a, [:k]\n    scratch :o, [:x, :y]", "    o <= a { |t| [t.k, f(t.k)] }",
              "  def f(x)\n    return [x, 1] if x > 1\n    return x * 10, 2\n  end\n"));
  REQUIRE(ret->node);
  REQUIRE(step(*ret, {{"a", {I(1)}}, {"a", {I(2)}}}).ok);
  CHECK(show(ret->node->contents("o")) == "[1, [10, 2]];[2, [2, 1]];");
  CHECK(refused(program("    table :a, [:k]\n    scratch :o, [:x]",
                        "    o <= a { |t| [many(t.k)] }", "  def many(*xs)\n    xs\n  end\n")) ==
        "calm-eval-unsupported 10:12 unsupported construct parameter 'splat_parameter' of "
        "helper 'many'");
  std::string src2011 =
      "class T\n  include Bud\n  def state\n    table :r, ['k'], ['x']\n"
      "    table :s, ['k'], ['y']\n    scratch :o, ['k']\n  end\n\n  declare\n  def rules\n"
      "    o <= outerjoin([r, s], [r.k, s.k]).map { |a, b| [a.k] }\n  end\nend\n";
  CHECK(refused(src2011) ==
        "calm-eval-unsupported 11:10 unsupported construct 2011 outerjoin (use leftjoin)");
}

TEST_CASE("bootstrap <<, group with a block, matches.lefts, argmin on coll.col, sort") {
  auto r = prepare(program(std::string(kAB) +
                               "    scratch :g, [:k, :n, :tag]\n    scratch :l, [:k, :v]\n"
                               "    scratch :m, [:k, :v]\n    scratch :srt, [:k, :v]",
                           "    g <= a.group([:k], count) { |t| t + [\"x\"] }\n"
                           "    l <= (a * b).matches.lefts\n"
                           "    m <= a.argmin([a.k], a.v)\n    srt <= a.sort",
                           "  bootstrap do\n    a << [1, \"p\"]\n    b << [1, \"z\"]\n  end\n"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"a", {I(2), S("q")}}}).ok);
  CHECK(show(r->node->contents("a")) == "[1, \"p\"];[2, \"q\"];");
  CHECK(show(r->node->contents("g")) == "[1, 1, \"x\"];[2, 1, \"x\"];");
  CHECK(show(r->node->contents("l")) == "[1, \"p\"];");
  CHECK(show(r->node->contents("m")) == "[1, \"p\"];[2, \"q\"];");
  CHECK(show(r->node->contents("srt")) == "[1, \"p\"];[2, \"q\"];");
}

TEST_CASE("lattices: a block over an lset maps its elements; imported lattices by name") {
  std::string src =
      "module Inner\n  state do\n    lmax :m1\n  end\nend\n\n"
      "class T\n  include Bud\n  import Inner => :x1\n  state do\n    lset :s1\n"
      "    lmax :m\n    scratch :t1, [:v, :w]\n  end\n  bootstrap do\n"
      "    s1 <= [1, 2]\n    x1.m1 <= 4\n  end\n  bloom do\n    t1 <= s1 { |v| [v, 5] }\n"
      "    m <= x1.m1 + 3\n  end\nend\n";
  auto r = prepare(src, {}, "t.rb", "T");
  REQUIRE(r->node);
  REQUIRE(step(*r).ok);
  CHECK(show(r->node->contents("t1")) == "[1, 5];[2, 5];");
  CHECK(r->node->lattice("m")->inspect() == "<lmax: 7>");
}

TEST_CASE("module constants, coll.map inside a block (2011 carts), Array#fetch") {
  auto r =
      prepare(program(std::string(kAB) + "    scratch :big, [:k]\n    scratch :m, [:k, :seen]\n"
                                         "    scratch :f, [:k, :x]",
                      "    big <= a { |t| [t.k] if t.k >= LIMIT }\n"
                      "    m <= a { |t| [t.k, b.map { |u| u.k }.include?(t.k)] }\n"
                      "    f <= a { |t| [t.k, [t.v, NAME].fetch(1)] }",
                      "  LIMIT = 2\n  NAME = \"n\"\n"));
  REQUIRE(r->node);
  REQUIRE(step(*r, ab_facts()).ok);
  CHECK(show(r->node->contents("big")) == "[2];");
  CHECK(show(r->node->contents("m")) == "[1, true];[2, false];");
  CHECK(show(r->node->contents("f")) == "[1, \"n\"];[2, \"n\"];");

  auto bad = prepare(program("    table :a, [:k]\n    scratch :o, [:k]",
                             "    o <= a { |t| [t.k] if t.k > MISSING }"));
  CHECK_FALSE(bad->node);
  CHECK(first_diag(bad->diags).find("constant 'MISSING'") != std::string::npos);
}

TEST_CASE("module constants named by rules are evaluated; unknown ones are refused") {
  std::string src =
      "module Consts\n  LIMIT = 2\n  NAMES = [\"a\", \"b\"]\nend\n\nclass T\n  include Bud\n"
      "  include Consts\n  SCALE = LIMIT * 10\n  state do\n    table :a, [:k]\n"
      "    scratch :o, [:k, :s, :n]\n  end\n  bloom do\n"
      "    o <= a { |t| [t.k, SCALE, NAMES.size] if t.k < LIMIT }\n  end\nend\n";
  auto r = prepare(src, {}, "t.rb", "T");
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"a", {I(1)}}, {"a", {I(3)}}}).ok);
  CHECK(show(r->node->contents("o")) == "[1, 20, 2];");
  auto bad =
      prepare(program("    table :a, [:k]\n    scratch :o, [:k]", "    o <= a { |t| [NOPE] }"));
  CHECK_FALSE(bad->node);
  CHECK(first_diag(bad->diags) ==
        "calm-eval-unsupported 8:19 unsupported construct constant 'NOPE'");
}

TEST_CASE("refused when the rule runs: 2011 joins out of reach, eqjoin on names, lattice blocks") {
  auto at_step = [](const std::string& src, const std::string& module = "") {
    auto r = prepare(src, {}, "t.rb", module);
    REQUIRE(r->node);
    auto res = step(*r);
    CHECK_FALSE(res.ok);
    return first_diag(res.diagnostics);
  };
  std::string head2011 =
      "class T\n  include Bud\n  def state\n    table :r, ['k'], ['x']\n"
      "    table :s, ['k'], ['y']\n    table :u, ['k'], ['z']\n    scratch :o, ['k']\n  end\n\n"
      "  declare\n  def rules\n";
  CHECK(
      at_step(
          head2011 +
          "    o <= leftjoin([r, s, u], [r.k, s.k, u.k]).map { |a, b, c| [a.k] }\n  end\nend\n") ==
      "calm-eval-unsupported 12:10 unsupported construct leftjoin of 3 collections");
  CHECK(at_step(head2011 +
                "    o <= natjoin([r, s], [r.k, s.k]).map { |a, b| [a.k] }\n  end\nend\n") ==
        "calm-eval-unsupported 12:26 unsupported construct natjoin with join columns");
  CHECK(at_step(program("    lset :a\n    lset :b\n    lset :c",
                        "    c <= a.eqjoin(b, {:x => :y}) { |p, q| p }",
                        "  bootstrap do\n    a <= [[1]]\n    b <= [[1]]\n  end\n")) ==
        "calm-eval-unsupported 9:10 unsupported construct eqjoin predicates on field names (use "
        "column indexes)");
  CHECK(at_step(program("    lmax :m\n    scratch :o, [:v]", "    o <= m { |v| [v] }")) ==
        "calm-eval-unsupported 8:10 unsupported construct a block applied to lmax 'm'");
}

TEST_CASE("refused: user-defined lattice types") {
  std::string src =
      "class MyLat < Bud::Lattice\n  wrapper_name :lfoo\n  def merge(i)\n    self\n  end\nend\n\n"
      "class T\n  include Bud\n  state do\n    lfoo :x\n    scratch :s, [:v]\n  end\n"
      "  bloom do\n    x <= s { |t| t.v }\n  end\nend\n";
  auto r = prepare(src, {}, "t.rb", "T");
  CHECK_FALSE(r->node);
  CHECK(first_diag(r->diags) ==
        "calm-eval-unsupported 15:5 unsupported construct user-defined lattice type 'lfoo' of 'x'");
}

TEST_CASE("refused: a 2011 leftjoin whose right side grows in the same stratum") {
  // (`.outer` puts its right side in an earlier stratum: the graph treats it as a negation.)
  std::string src =
      "class T\n  include Bud\n  def state\n    table :r, ['k']\n    table :s, ['k']\n"
      "    scratch :o, ['k', 'm']\n  end\n\n  declare\n  def rules\n"
      "    s <= r.map { |t| [t.k] if t.k > 1 }\n"
      "    o <= leftjoin([r, s], [r.k, s.k]).map { |a, b| [a.k, b.k] }\n  end\nend\n";
  auto r = prepare(src);
  REQUIRE(r->node);
  auto res = step(*r, {{"r", {I(1)}}});
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics) ==
        "calm-eval-unsupported 12:10 unsupported construct outer join whose right side 's' "
        "grows in the same stratum (Bud pads at the end of the stratum)");
}

TEST_CASE("Bud's instance variables @budtime and @ip_port; others given to the node or refused") {
  NodeOptions o;
  o.address = "10.0.0.1:7";
  auto r = prepare(program("    table :a, [:k]\n    scratch :o, [:k, :t, :addr]",
                           "    o <= a { |x| [x.k, @budtime, @ip_port] }"),
                   o);
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"a", {I(1)}}}).ok);
  REQUIRE(step(*r).ok);
  CHECK(show(r->node->contents("o")) == "[1, 1, \"10.0.0.1:7\"];");
  // Assigned by a method (initialize), so its value must be given.
  auto bad =
      prepare(program("    table :a, [:k]\n    scratch :o, [:k]", "    o <= a { |x| [@nick] }",
                      "  def initialize(n)\n    @nick = n\n  end\n"));
  CHECK_FALSE(bad->node);
  CHECK(first_diag(bad->diags) ==
        "calm-eval-unsupported 8:19 unsupported construct instance variable '@nick' (Bud "
        "programs set it in initialize; give its value with --ivar @nick=VALUE or in the "
        "scenario node's "
        "\"instance_variables\")");
  // What the program's initialize would have set, given to the node.
  NodeOptions given;
  given.instance_variables["@nick"] = S("ann");
  auto good = prepare(
      program("    table :a, [:k]\n    scratch :o, [:k, :n]", "    o <= a { |x| [x.k, @nick] }"),
      given);
  REQUIRE(good->node);
  REQUIRE(step(*good, {{"a", {I(1)}}}).ok);
  CHECK(show(good->node->contents("o")) == "[1, \"ann\"];");
}

TEST_CASE("sort with a comparator, each_with_index after sort, rename") {
  auto r = prepare(
      program("    table :a, [:k] => [:v]\n    scratch :idx, [:i, :t]\n    scratch :byv, [:i, :k]\n"
              "    scratch :ren, [:x, :y]\n    scratch :bad, [:t, :i]",
              "    idx <= a.sort.each_with_index.map { |t, i| [i, t] }\n"
              "    byv <= a.sort { |x, y| y.v <=> x.v }.each_with_index { |t, i| [i, t.k] }\n"
              "    ren <= a.rename(:r2, [:x] => [:y]) { |t| [t.y, t.x] if t.x > 1 }\n"
              "    bad <= a.rename(:r3, [:p, :q]).group([:q], count)"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"a", {I(1), S("b")}}, {"a", {I(2), S("a")}}, {"a", {I(3), S("c")}}}).ok);
  CHECK(show(r->node->contents("idx")) == "[0, [1, \"b\"]];[1, [2, \"a\"]];[2, [3, \"c\"]];");
  CHECK(show(r->node->contents("byv")) == "[0, 3];[1, 1];[2, 2];");
  CHECK(show(r->node->contents("ren")) == "[\"a\", 2];[\"c\", 3];");
  CHECK(show(r->node->contents("bad")) == "[\"a\", 1];[\"b\", 1];[\"c\", 1];");
  auto unsorted = prepare(
      program("    table :a, [:k]\n    scratch :o, [:t, :i]", "    o <= a.each_with_index"));
  REQUIRE(unsorted->node);
  // Without sort: the collection's order (Bud's test: one tuple, index 0).
  REQUIRE(step(*unsorted, {{"a", {I(14)}}}).ok);
  CHECK(show(unsorted->node->contents("o")) == "[[14], 0];");
}

TEST_CASE("argagg: :min, :max, :choose (the first stored, as group's choose), with a block") {
  auto r =
      prepare(program("    table :a, [:g, :i] => [:v]\n    scratch :lo, [:g, :i] => [:v]\n"
                      "    scratch :pick, [:g, :i] => [:v]\n    scratch :bumped, [:g, :v]",
                      "    lo <= a.argagg(:min, [:g], :v)\n"
                      "    pick <= a.argagg(:choose, [], :v)\n"
                      "    bumped <= a.argagg(:max, [:g], :v) do |t|\n      [t[0], t[2] + 1]\n"
                      "    end"));
  REQUIRE(r->node);
  REQUIRE(
      step(*r,
           {{"a", {S("x"), I(1), I(5)}}, {"a", {S("x"), I(2), I(3)}}, {"a", {S("y"), I(1), I(7)}}})
          .ok);
  CHECK(show(r->node->contents("lo")) == "[\"x\", 2, 3];[\"y\", 1, 7];");
  CHECK(show(r->node->contents("pick")) == "[\"x\", 1, 5];");
  CHECK(show(r->node->contents("bumped")) == "[\"x\", 6];[\"y\", 8];");
  auto rand = prepare(program("    table :a, [:g, :v]\n    scratch :p, [:g, :v]",
                              "    p <= a.argagg(:choose_rand, [:g], :v)"));
  REQUIRE(rand->node);
  // Bud's reservoir sampling, with the node's generator (seed 0, localhost:12345): the
  // 2nd tuple replaces the choice (rand(2) = 0), the 3rd does not (rand(3) = 1). The
  // differential harness (tests/differential/bud_side.rb, CalmRand) draws the same.
  REQUIRE(step(*rand, {{"a", {S("x"), I(1)}}, {"a", {S("x"), I(2)}}, {"a", {S("x"), I(3)}}}).ok);
  CHECK(show(rand->node->contents("p")) == "[\"x\", 2];");
}

TEST_CASE("rand: the node's splitmix64 draws, as the differential harness reproduces them") {
  auto r = prepare(
      program("    table :t, [:k]\n    scratch :r, [:k, :n]", "    r <= t {|x| [x.k, rand(100)]}"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"t", {I(1)}}}).ok);
  CHECK(show(r->node->contents("r")) == "[1, 46];");
  CHECK(ruby_rand(uint64_t(1) << 52, I(10)).as_int() == 5);   // floor(2^52 * 10 / 2^53)
  CHECK(ruby_rand(uint64_t(1) << 52, I(-10)).as_int() == 5);  // Kernel#rand: |n|
  CHECK(ruby_rand(uint64_t(1) << 52, Value::floating(2.9)).as_int() == 1);  // to_i
  CHECK(ruby_rand(uint64_t(1) << 52, Value()).as_float() == 0.5);           // a Float
}

TEST_CASE("group's order-dependent aggregates fold in the order the facts were stored") {
  auto r =
      prepare(program("    table :t, [:k] => [:v]\n    scratch :s, [:total]\n"
                      "    scratch :b, [:first_truthy]\n    scratch :c, [:v]",
                      "    s <= t.group([], sum(:v))\n    b <= t.group([], bool_or(:v))\n"
                      "    c <= t.group([], choose(:v))"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"t", {I(2), S("b")}}, {"t", {I(1), S("a")}}}).ok);
  CHECK(show(r->node->contents("s")) == "[\"ba\"];");  // Ruby's "b" + "a", as Bud
  CHECK(show(r->node->contents("b")) == "[\"b\"];");
  CHECK(show(r->node->contents("c")) == "[\"b\"];");
  REQUIRE(step(*r, {{"t", {I(0), S("c")}}}).ok);
  CHECK(show(r->node->contents("s")) == "[\"bac\"];");  // a later fact comes last
}

TEST_CASE("input facts: runs of several collections, and one for a collection the program lacks") {
  auto r = prepare(program("    table :a, [:x]\n    table :b, [:x, :y]", ""));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"a", {I(1)}}, {"b", {I(2), I(3)}}, {"b", {I(4)}}, {"a", {I(5)}}}).ok);
  CHECK(show(r->node->contents("a")) == "[1];[5];");
  CHECK(show(r->node->contents("b")) == "[2, 3];[4, nil];");  // padded with nil, as Bud
  StepResult res = r->node->step({{{"a", {I(6)}}, {"nope", {I(7)}}}});
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics) ==
        "calm-eval-error 0:0 input fact for unknown collection 'nope'");
}
