// Behaviours the differential test against the real Bud (tests/differential/) found where
// calm's evaluator differed, and which calm now shares with Bud 0.9.9.

#include "support/node_fixture.h"

using namespace calm;
using namespace calm::eval;
using namespace calm::eval::testing;

TEST_CASE(
    "min, max, argmin and argmax over values Ruby cannot compare fail the timestep, as in Bud") {
  // Bud's Min/Max aggregates compare with <=>, which is nil for a String and an Integer:
  // Bud raises (undefined method '>' for nil). calm used to pick by its own total order.
  auto r =
      prepare(program("    table :t, [:k, :v]\n    scratch :lo, [:k, :v]\n"
                      "    scratch :best, [:k, :v]",
                      "    lo <= t.group([:k], min(:v))\n"
                      "    best <= t.argmax([:k], :v)"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"t", {S("a"), I(1)}}, {"t", {S("a"), I(3)}}, {"t", {S("b"), S("x")}}}).ok);
  CHECK(show(r->node->contents("lo")) == "[\"a\", 1];[\"b\", \"x\"];");
  CHECK(show(r->node->contents("best")) == "[\"a\", 3];[\"b\", \"x\"];");
  StepResult res = r->node->step({{{"t", {S("a"), S("y")}}}});
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics).find("comparison of Integer with String failed") !=
        std::string::npos);
}

TEST_CASE("sort over tuples Ruby cannot compare fails the timestep, as in Bud") {
  auto r = prepare(program("    table :req, [:id]\n    scratch :numbered, [:n, :id]",
                           "    numbered <= req.sort.each_with_index.map { |a, i| [i, a.id] }"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"req", {S("b")}}, {"req", {S("a")}}}).ok);
  CHECK(show(r->node->contents("numbered")) == "[0, \"a\"];[1, \"b\"];");
  StepResult res = r->node->step({{{"req", {I(7)}}}});
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics).find("sort: comparison of") != std::string::npos);
}
