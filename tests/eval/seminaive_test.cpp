// Semi-naive evaluation computes exactly what the naive iteration computes: several
// programs (recursion through joins, three-way joins, negation and aggregation in later
// strata, membership tests, lattices, deferred effects) run both ways, step by step, and
// every collection is compared. Plus the fact limit.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

#include "support/node_fixture.h"

using namespace calm;
using namespace calm::eval;
using namespace calm::eval::testing;

namespace {

using Facts = std::vector<std::pair<std::string, Tuple>>;

/// Runs `source` naive and semi-naive on the same inputs, and semi-naive without rule
/// memos (a rule without a memo may store a join's results as the join finds them);
/// every collection must agree after every step. Returns the semi-naive run's last
/// contents of `shown`.
std::string both_ways(const std::string& source, const std::vector<Facts>& steps,
                      const std::string& shown) {
  NodeOptions naive;
  naive.seminaive = false;
  NodeOptions unkept;
  unkept.reuse_results = false;
  auto a = prepare(source, naive);
  auto b = prepare(source, NodeOptions{});
  auto c = prepare(source, unkept);
  REQUIRE(a->node);
  REQUIRE(b->node);
  REQUIRE(c->node);
  for (size_t i = 0; i < steps.size(); ++i) {
    auto ra = step(*a, steps[i]);
    auto rb = step(*b, steps[i]);
    auto rc = step(*c, steps[i]);
    REQUIRE(ra.ok);
    REQUIRE(rb.ok);
    REQUIRE(rc.ok);
    CHECK(ra.sent == rb.sent);
    CHECK(ra.sent == rc.sent);
    for (const auto& coll : a->loaded.programs[0].collections) {
      INFO("step " << i << ", collection " << coll.name);
      CHECK(show(a->node->contents(coll.name)) == show(b->node->contents(coll.name)));
      CHECK(show(a->node->contents(coll.name)) == show(c->node->contents(coll.name)));
    }
  }
  return show(b->node->contents(shown));
}

Tuple L(const char* a, const char* b) { return {S(a), S(b)}; }

}  // namespace

TEST_CASE("semi-naive = naive: transitive closure, both join orders") {
  std::string src =
      program("    table :link, [:from, :to]\n    table :path, [:from, :to]",
              "    path <= link\n"
              "    path <= (link * path).pairs(:to => :from) { |l, p| [l.from, p.to] }\n"
              "    path <= (path * path).pairs(:to => :from) { |p, q| [p.from, q.to] }");
  std::string out =
      both_ways(src,
                {{{"link", L("a", "b")}, {"link", L("b", "c")}, {"link", L("c", "d")}},
                 {{"link", L("d", "a")}},
                 {}},
                "path");
  // A cycle over four nodes: every pair, 16 paths.
  CHECK(out.size() > 0);
  CHECK(std::count(out.begin(), out.end(), ';') == 16);
}

TEST_CASE("a recursive join's results come in the nested loop's order") {
  // The sums of strings fold over `path` in its order, which is the order the join found
  // its results in: for each link in link's order, the paths it extends. (Bud 0.9.9 pushes
  // each new path through its join as it arrives, and sums "cabdbacaba" and "dbcedcedee"
  // for the chain alone: see "Iteration order" in docs/differences-from-bud.md.)
  std::string src = program(
      "    table :link, [:from, :to]\n    table :path, [:from, :to]\n"
      "    scratch :froms, [] => [:txt]\n    scratch :tos, [] => [:txt]",
      "    path <= link\n"
      "    path <= (link * path).pairs(:to => :from) { |l, p| [l.from, p.to] }\n"
      "    froms <= path.group([], sum(:from))\n    tos <= path.group([], sum(:to))");
  // Links that lead nowhere first: then the chain's paths are fewer than the links.
  Facts before = {{"link", L("p", "q")},
                  {"link", L("r", "s")},
                  {"link", L("t", "u")},
                  {"link", L("v", "w")},
                  {"link", L("x", "y")}};
  Facts links = {
      {"link", L("c", "d")}, {"link", L("a", "b")}, {"link", L("b", "c")}, {"link", L("d", "e")}};
  CHECK(both_ways(src, {links}, "froms") == "[\"cabdcababa\"];");
  CHECK(both_ways(src, {links}, "tos") == "[\"dbceecddee\"];");
  CHECK(both_ways(src, {before, links}, "froms") == "[\"prtvxcabdcababa\"];");
  CHECK(both_ways(src, {before, links}, "tos") == "[\"qsuwydbceecddee\"];");
}

TEST_CASE("a join whose block only picks columns finds its results in the general join's order") {
  // A block of columns (`{ |x, y| [x.s, y.t] }`, guarded or not) is hashed and looked up
  // from the join's tuples (join_pairs); the same block ending in `.dup` goes to the
  // interpreter and the general join. Each sum of strings folds a result in its order:
  // both must agree, for each way join() takes two operands (the smaller second probing
  // the first's index, the first probing the second's, a computed operand grouped on the
  // fly, a delta), with two predicates and with guards.
  auto source = [](const std::string& dup) {
    return program(
        "    table :big, [:k, :s]\n    table :small, [:k, :t]\n"
        "    table :link, [:from, :to]\n    table :path, [:from, :to]\n"
        "    table :r1, [:a, :b]\n    table :r2, [:a, :b]\n    table :r3, [:a, :b]\n"
        "    table :r4, [:a, :b]\n    table :r5, [:a, :b]\n"
        "    scratch :c1, [] => [:x, :y]\n    scratch :c2, [] => [:x, :y]\n"
        "    scratch :c3, [] => [:x, :y]\n    scratch :c4, [] => [:x]\n"
        "    scratch :c5, [] => [:x, :y]\n    scratch :c6, [] => [:x, :y]",
        "    r1 <= (big * small).pairs(:k => :k) { |x, y| [x.s, y.t]" + dup + " }\n" +
            "    r2 <= (small * big).pairs(:k => :k) { |x, y| [y.s, x.t]" + dup + " }\n" +
            "    r3 <= (big * small.notin(big)).pairs(:k => :k) { |x, y| [x.s, y.t]" + dup +
            " }\n" + "    r4 <= (big * small).pairs(:k => :k, :s => :t) { |x, y| [y.t, x.k]" + dup +
            " }\n" + "    r5 <= (big * small).pairs(:k => :k) { |x, y| [x.s, y.t]" + dup +
            " if y.t != 'c' and x.s != 'f' }\n" + "    path <= link\n" +
            "    path <= (link * path).pairs(:to => :from) { |l, p| [l.from, p.to]" + dup + " }\n" +
            "    c1 <= r1.group([], sum(:a), sum(:b))\n    c2 <= r2.group([], sum(:a), sum(:b))\n"
            "    c3 <= r3.group([], sum(:a), sum(:b))\n    c4 <= r4.group([], sum(:a))\n"
            "    c5 <= path.group([], sum(:from), sum(:to))\n"
            "    c6 <= r5.group([], sum(:a), sum(:b))");
  };
  Facts facts = {
      {"big", {S("1"), S("a")}},   {"big", {S("2"), S("b")}},   {"big", {S("1"), S("c")}},
      {"big", {S("3"), S("d")}},   {"big", {S("2"), S("e")}},   {"big", {S("1"), S("f")}},
      {"small", {S("2"), S("x")}}, {"small", {S("1"), S("y")}}, {"small", {S("1"), S("c")}},
      {"small", {S("1"), S("z")}}, {"link", L("c", "d")},       {"link", L("a", "b")},
      {"link", L("b", "c")},       {"link", L("d", "e")},       {"link", L("e", "a")},
      {"link", L("b", "e")}};
  auto picked = prepare(source(""));
  auto general = prepare(source(".dup"));
  REQUIRE(picked->node);
  REQUIRE(general->node);
  REQUIRE(step(*picked, facts).ok);
  REQUIRE(step(*general, facts).ok);
  for (std::string c : {"c1", "c2", "c3", "c4", "c5", "c6"}) {
    INFO(c);
    CHECK(show(picked->node->contents(c)) == show(general->node->contents(c)));
  }
  // For each big row in order, the small rows it matches in order.
  CHECK(show(picked->node->contents("c1")) == "[\"aaabcccefff\", \"yczxyczxycz\"];");
  // The same rows, less those the guard turns away.
  CHECK(show(picked->node->contents("c6")) == "[\"aabcce\", \"yzxyzx\"];");
}

TEST_CASE("semi-naive = naive: three-way join, notin and group in later strata") {
  std::string src = program(
      "    table :edge, [:a, :b]\n    scratch :tri, [:a, :b, :c]\n    scratch :reach, [:a, :b]\n"
      "    scratch :unreached, [:a, :b]\n    scratch :node, [:n]\n    scratch :deg, [:a, :n]",
      "    reach <= edge\n"
      "    reach <= (reach * edge).pairs(:b => :a) { |r, e| [r.a, e.b] }\n"
      "    tri <= (edge * edge * edge).combos { |x, y, z| [x.a, y.a, z.a] if "
      "x.b == y.a && y.b == z.a && z.b == x.a }\n"
      "    node <= edge { |e| [e.a] }\n    node <= edge { |e| [e.b] }\n"
      "    unreached <= (node * node).pairs { |x, y| [x.n, y.n] }.notin(reach)\n"
      "    deg <= reach.group([:a], count)");
  std::string out = both_ways(
      src,
      {{{"edge", L("1", "2")}, {"edge", L("2", "3")}, {"edge", L("3", "1")}, {"edge", L("3", "4")}},
       {{"edge", L("4", "5")}}},
      "deg");
  CHECK(out == "[\"1\", 5];[\"2\", 5];[\"3\", 5];[\"4\", 1];");
}

TEST_CASE("semi-naive = naive: membership tests in blocks, deferred effects, messages") {
  std::string src = program(
      "    table :item, [:k]\n    table :seen, [:k]\n    scratch :fresh, [:k]\n"
      "    scratch :chain, [:k]\n    loopback :again, [:k]",
      "    fresh <= item { |i| i unless seen.include?([i.k]) }\n    seen <+ fresh\n"
      "    chain <= fresh\n    chain <= chain { |c| [c.k + 1] if c.k < 5 }\n"
      "    again <~ chain { |c| [c.k * 10] if c.k == 5 }");
  std::string out = both_ways(src, {{{"item", {I(1)}}}, {{"item", {I(3)}}}, {}, {}}, "seen");
  CHECK(out == "[1];[3];");
}

TEST_CASE("semi-naive = naive: lattices and lattice values in tuples") {
  std::string src = program(
      "    table :link, [:from, :to] => [:cost]\n"
      "    table :path, [:from, :to, :nxt] => [:cost]\n"
      "    table :best, [:from, :to] => [:cost]\n    lmax :longest\n"
      "    lset :nodes",
      "    path <= link { |l| [l.from, l.to, l.to, Bud::MinLattice.new(l.cost)] }\n"
      "    path <= (link * path).pairs(:to => :from) do |l, p|\n"
      "      [l.from, p.to, l.to, p.cost + l.cost]\n    end\n"
      "    best <= path { |p| [p.from, p.to, p.cost] }\n"
      "    nodes <= link { |l| [l.from, l.to] }\n    longest <= nodes.size");
  auto link = [](const char* a, const char* b, int64_t c) { return Tuple{S(a), S(b), I(c)}; };
  std::string out = both_ways(src,
                              {{{"link", link("a", "b", 4)},
                                {"link", link("b", "c", 1)},
                                {"link", link("a", "c", 9)},
                                {"link", link("c", "d", 1)}},
                               {{"link", link("a", "d", 2)}}},
                              "best");
  CHECK(out ==
        "[\"a\", \"b\", <lmin: 4>];[\"a\", \"c\", <lmin: 5>];[\"a\", \"d\", <lmin: 2>];"
        "[\"b\", \"c\", <lmin: 1>];[\"b\", \"d\", <lmin: 2>];[\"c\", \"d\", <lmin: 1>];");
}

TEST_CASE("max_facts: a collection that grows past the limit fails the step, named") {
  NodeOptions o;
  o.max_facts = 20;
  auto r = prepare(program("    table :n, [:v]", "    n <= n { |x| [x.v + 1] }",
                           "  bootstrap do\n    n <= [[0]]\n  end\n"),
                   o);
  REQUIRE(r->node);
  auto res = step(*r);
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics) ==
        "calm-eval-limit 7:5 the node holds more than 20 facts (NodeOptions::max_facts): 'n' "
        "grew to 21 facts");
  // Same with the naive iteration.
  o.seminaive = false;
  auto r2 = prepare(program("    table :n, [:v]", "    n <= n { |x| [x.v + 1] }",
                            "  bootstrap do\n    n <= [[0]]\n  end\n"),
                    o);
  REQUIRE(r2->node);
  CHECK(first_diag(step(*r2).diagnostics).starts_with("calm-eval-limit 7:5"));
}

TEST_CASE("semi-naive is faster than naive on a long chain, with the same result") {
  std::string src =
      program("    table :link, [:from, :to]\n    table :path, [:from, :to]",
              "    path <= link\n"
              "    path <= (link * path).pairs(:to => :from) { |l, p| [l.from, p.to] }");
  Facts chain;
  const int n = 60;
  for (int i = 0; i < n; ++i) chain.push_back({"link", {I(i), I(i + 1)}});
  auto timed = [&](bool seminaive, double& ms) {
    NodeOptions o;
    o.seminaive = seminaive;
    auto r = prepare(src, o);
    REQUIRE(r->node);
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(step(*r, chain).ok);
    ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return show(r->node->contents("path"));
  };
  double naive_ms = 0, semi_ms = 0;
  std::string naive = timed(false, naive_ms);
  std::string semi = timed(true, semi_ms);
  CHECK(naive == semi);
  CHECK(std::count(semi.begin(), semi.end(), ';') == n * (n + 1) / 2);
  MESSAGE("transitive closure of a " << n << "-link chain (" << n * (n + 1) / 2 << " paths): naive "
                                     << naive_ms << " ms, semi-naive " << semi_ms << " ms");
}

// A join that is a rule's whole right-hand side stores its new results, beyond the first
// 256 (more than a rule memo keeps), as it finds them (eval_join, merge_into), except
// where that could change what the join reads or stores.
TEST_CASE("a join storing results as it finds them: short blocks, its own head, the limit") {
  auto chain = [](int n) {
    Facts f;
    for (int i = 0; i < n; ++i) f.push_back({"link", {I(i), I(i + 1)}});
    return f;
  };
  SUBCASE("a block giving fewer columns than the head has: padded with nil, as insert() does") {
    std::string src = program("    table :link, [:from, :to]\n    table :hop, [:from, :via]",
                              "    hop <= (link * link).pairs(:to => :from) { |x, y| [x.from] }");
    std::string out = both_ways(src, {chain(300)}, "hop");
    CHECK(std::count(out.begin(), out.end(), ';') == 299);
    CHECK(out.starts_with("[0, nil];[1, nil];"));
  }
  SUBCASE("the head is an operand of its own join, in either place") {
    std::string src =
        program("    table :link, [:from, :to]\n    table :path, [:from, :to]",
                "    path <= link\n"
                "    path <= (path * link).pairs(:to => :from) { |p, l| [p.from, l.to] }\n"
                "    path <= (link * path).pairs(:to => :from) { |l, p| [l.from, p.to] }");
    Facts cycle = chain(29);
    cycle.push_back({"link", {I(29), I(0)}});
    std::string out = both_ways(src, {cycle}, "path");
    CHECK(std::count(out.begin(), out.end(), ';') == 900);
  }
  SUBCASE("the fact limit counts what the join stores, and names the rule") {
    NodeOptions o;
    o.max_facts = 1169;
    auto r = prepare(program("    table :link, [:from, :to]\n    table :path, [:from, :to]",
                             "    path <= link\n"
                             "    path <= (link * path).pairs(:to => :from) { |l, p| [l.from, "
                             "p.to] }"),
                     o);
    REQUIRE(r->node);
    auto res = step(*r, chain(300));
    CHECK_FALSE(res.ok);
    // 300 links; the first round stores 599 paths; the second round's join finds 298 new
    // ones, stores them from the 257th on, and the 270th is one fact too many (line 9).
    CHECK(first_diag(res.diagnostics) ==
          "calm-eval-limit 9:5 the node holds more than 1169 facts (NodeOptions::max_facts): "
          "'path' grew to 870 facts");
  }
}
