// Where calm's evaluator deliberately differs from what the real Bud 0.9.9 does (found by the
// differential test, tests/differential/; listed in docs/differences-from-bud.md, "The
// evaluator against Bud"): each test pins calm's choice.

#include "eval/node_fixture.h"

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

TEST_CASE("argagg(:choose) picks the first tuple stored in each group, as Bud does") {
  // Bud's :choose keeps the first tuple of its storage's iteration order, which depends on
  // when each fact arrived; calm's collections keep that order too.
  auto r =
      prepare(program("    table :items, [:item, :priority]\n"
                      "    scratch :peek, [:item, :priority]",
                      "    peek <= items.argagg(:choose, [:priority], :item)"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"items", {I(3), I(2)}}}).ok);
  REQUIRE(step(*r, {{"items", {I(0), I(2)}}}).ok);
  CHECK(show(r->node->contents("peek")) == "[3, 2];");  // stored first
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
