#include "graph/scc_analysis.h"

#include <doctest/doctest.h>

#include "support/program_builder.h"

namespace calm {
namespace {

using testing::ProgramBuilder;
using testing::scan;

TEST_CASE("SCCs of the single-node KVS") {
  const Program p = testing::single_node_kvs();
  DependencyGraph g(p);
  SccAnalysis sccs(g);
  // kvget, kvget_response, kvput, {kvstate, prev}: numbered by smallest member.
  REQUIRE(sccs.scc_count() == 4);
  CHECK(sccs.scc_of(*g.find("kvget")) == 0);
  CHECK(sccs.scc_of(*g.find("kvstate")) == 3);
  CHECK(sccs.scc_of(*g.find("prev")) == 3);
  CHECK(sccs.members(3) == std::vector<NodeId>{3, 4});
  CHECK(sccs.is_recursive(3));
  CHECK_FALSE(sccs.is_recursive(0));
  CHECK(sccs.internal_edges(3) == std::vector<EdgeId>{4, 5});
  CHECK(sccs.is_internal(4));
  CHECK_FALSE(sccs.is_internal(1));
}

TEST_CASE("a self-edge makes a singleton SCC recursive") {
  const Program p = ProgramBuilder("Self")
                        .table("t")
                        .table("u")
                        .rule("t", RuleOp::Merge, {scan("t")})
                        .rule("u", RuleOp::Merge, {scan("t")})
                        .build();
  DependencyGraph g(p);
  SccAnalysis sccs(g);
  REQUIRE(sccs.scc_count() == 2);
  CHECK(sccs.is_recursive(sccs.scc_of(*g.find("t"))));
  CHECK_FALSE(sccs.is_recursive(sccs.scc_of(*g.find("u"))));
}

TEST_CASE("an edge filter gives the SCCs of a subgraph") {
  const Program p = ProgramBuilder("Filter")
                        .table("a")
                        .table("b")
                        .rule("b", RuleOp::Merge, {scan("a")})
                        .rule("a", RuleOp::Deferred, {scan("b")})
                        .build();
  DependencyGraph g(p);
  SccAnalysis all(g);
  CHECK(all.scc_count() == 1);
  SccAnalysis instant(g, [&](EdgeId e) { return !g.edge(e).temporal; });
  CHECK(instant.scc_count() == 2);
  CHECK(instant.internal_edges(0).empty());
  CHECK_FALSE(instant.is_internal(0));
}

TEST_CASE("an empty program has no SCCs") {
  const Program p = ProgramBuilder("Empty").build();
  DependencyGraph g(p);
  SccAnalysis sccs(g);
  CHECK(sccs.scc_count() == 0);
}

}  // namespace
}  // namespace calm
