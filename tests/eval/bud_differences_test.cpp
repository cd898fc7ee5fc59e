// Where calm's evaluator deliberately differs from what the real Bud 0.9.9 does (found by the
// differential test, tests/differential/; listed in docs/differences-from-bud.md, "The
// evaluator against Bud"): each test pins calm's choice.

#include "support/node_fixture.h"

using namespace calm;
using namespace calm::eval;
using namespace calm::eval::testing;

TEST_CASE(
    "a scratch that rules write is empty at the next timestep even after facts from outside") {
  // Bud clears such a scratch only when one of the collections its rules read changed, so
  // facts inserted into it from outside (`cast_vote <+ [...]` before a tick) are still there
  // at later timesteps when nothing else changed. Bloom's scratches hold facts for one
  // timestep; calm keeps to that.
  auto r =
      prepare(program("    table :ballots, [:id]\n"
                      "    interface input, :cast_vote, [:id] => [:response]\n"
                      "    table :seen, [:id, :response]",
                      "    cast_vote <= ballots { |b| [b.id, 'auto'] if b.id > 100 }\n"
                      "    seen <= cast_vote"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"ballots", {I(1)}}}).ok);
  REQUIRE(step(*r, {{"cast_vote", {I(1), S("yes")}}}).ok);
  CHECK(show(r->node->contents("cast_vote")) == "[1, \"yes\"];");
  REQUIRE(step(*r).ok);
  CHECK(show(r->node->contents("cast_vote")).empty());
  CHECK(show(r->node->contents("seen")) == "[1, \"yes\"];");
}

TEST_CASE("a collection read inside a block is read whole at every timestep (Bud: no rescan)") {
  // RowValueTest: `t4 <= t1 { |t| t if t2.has_key? [t.k] }`. Bud re-evaluates the rule only
  // over t1's new tuples, so a key that reaches t2 after its t1 tuple never brings that
  // tuple into t4 (Bud's t4 depends on the order the facts came in). calm evaluates the rule
  // over all of t1 at every timestep: the answer the rule states.
  auto r =
      prepare(program("    table :t1, [:k] => [:v]\n    table :t2, [:k] => [:w]\n"
                      "    table :t4, [:k, :v]",
                      "    t4 <= t1 { |t| t if t2.has_key? [t.k] }"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"t1", {I(1), S("a")}}}).ok);
  CHECK(show(r->node->contents("t4")).empty());
  REQUIRE(step(*r, {{"t2", {I(1), S("z")}}}).ok);
  CHECK(show(r->node->contents("t4")) == "[1, \"a\"];");  // Bud: still empty
}

TEST_CASE("an lmax of strings fails as Bud's does: its bottom is -Infinity") {
  // Bud's lmax starts at -Infinity and merges with `i.reveal > @v`, so the first string
  // merged raises "comparison of String with -Infinity failed"; calm follows it (the
  // differential test against Bud found the difference; it was once a deliberate one).
  auto r = prepare(program("    table :t\n    lmax :m", "    m <= t { |t| t.val }"));
  REQUIRE(r->node);
  StepResult s = step(*r, {{"t", {I(1), S("b")}}});
  CHECK_FALSE(s.ok);
  REQUIRE(!s.diagnostics.empty());
  CHECK(s.diagnostics.items()[0].message.find("comparison of String with -Infinity failed") !=
        std::string::npos);
  // Numbers still merge, bottom included.
  auto n = prepare(program("    table :t\n    lmax :m", "    m <= t { |t| t.val }"));
  REQUIRE(step(*n, {{"t", {I(1), I(3)}}, {"t", {I(2), I(5)}}}).ok);
  CHECK(show(n->node->contents("m")) == "[<lmax: 5>];");
}
