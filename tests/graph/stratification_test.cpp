#include "graph/stratification.h"

#include <doctest/doctest.h>

#include "graph/graph_paths.h"
#include "support/program_builder.h"

namespace calm {
namespace {

using testing::notin;
using testing::ProgramBuilder;
using testing::scan;

// a <= b; b <= c.notin(a): a negation inside one timestep.
Program notin_cycle(RuleOp back_op) {
  return ProgramBuilder("NotInCycle", "cycle.rb")
      .scratch("a")
      .scratch("b")
      .scratch("c")
      .rule("a", back_op, {scan("b")}, "a <= b")
      .rule("b", RuleOp::Merge, {scan("c"), notin("a")}, "b <= c.notin(a)")
      .build();
}

TEST_CASE("a notin cycle within a timestep is unstratifiable") {
  const Program p = notin_cycle(RuleOp::Merge);
  DependencyGraph g(p);
  Stratification check(p, g);
  REQUIRE_FALSE(check.stratifiable());
  REQUIRE(check.errors().size() == 1);
  const auto& err = check.errors()[0];
  CHECK(path_text(g, err.cycle) == "a -> b -> a");
  CHECK(err.members == std::vector<NodeId>{0, 1});
  CHECK(g.edge(err.nonmonotonic_edge).from_name == "a");

  const Diagnostic& d = err.diagnostic;
  CHECK(d.severity == Severity::Error);
  CHECK(d.check == "calm-unstratifiable");
  CHECK(d.message ==
        "unstratifiable cycle a -> b -> a: step a -> b is non-monotonic (negation (notin), "
        "cycle.rb:11) and no step is temporal or asynchronous");
  CHECK(d.location == SourceLocation{"cycle.rb", 11, 13});
  REQUIRE(d.notes.size() == 2);
  CHECK(d.notes[0].message == "a -> b via rule 1 (<=), non-monotonic: negation (notin)");
  CHECK(d.notes[0].location == SourceLocation{"cycle.rb", 11, 13});
  CHECK(d.notes[1].message == "b -> a via rule 0 (<=)");
  CHECK(d.notes[1].location == SourceLocation{"cycle.rb", 10, 13});

  Diagnostics all = check.diagnostics();
  CHECK(all.size() == 1);
  CHECK(all.has_errors());
}

TEST_CASE("a temporal or async step breaks the cycle") {
  for (RuleOp op : {RuleOp::Deferred, RuleOp::Async, RuleOp::Delete}) {
    CAPTURE(to_string(op));
    const Program p = notin_cycle(op);
    DependencyGraph g(p);
    CHECK(Stratification(p, g).stratifiable());
  }
}

TEST_CASE("a negation cycle of <= rules is reported even if its SCC has a temporal edge") {
  const Program p = ProgramBuilder("Mixed")
                        .table("a")
                        .table("b")
                        .table("c")
                        .rule("a", RuleOp::Merge, {scan("b")})
                        .rule("b", RuleOp::Merge, {notin("a")})
                        .rule("c", RuleOp::Deferred, {scan("b")})
                        .rule("a", RuleOp::Merge, {scan("c")})
                        .build();
  DependencyGraph g(p);
  Stratification check(p, g);
  REQUIRE(check.errors().size() == 1);
  CHECK(path_text(g, check.errors()[0].cycle) == "a -> b -> a");
}

TEST_CASE("monotone recursion is stratifiable") {
  const Program p = ProgramBuilder("Paths")
                        .table("link")
                        .table("path")
                        .rule("path", RuleOp::Merge, {scan("link")})
                        .rule("path", RuleOp::Merge, {testing::join("link"), testing::join("path")})
                        .build();
  DependencyGraph g(p);
  Stratification check(p, g);
  CHECK(check.stratifiable());
  CHECK(check.diagnostics().empty());
}

}  // namespace
}  // namespace calm
