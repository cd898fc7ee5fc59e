#include <doctest/doctest.h>

#include "analysis/points_of_order_analysis.h"
#include "support/program_builder.h"

namespace calm {
namespace {

using testing::join;
using testing::notin;
using testing::ProgramBuilder;
using testing::scan;

std::string describe(const PointOfOrder& p) {
  return p.from + " -> " + p.to + " #" + std::to_string(p.rule) + " " + to_string(p.kind) + ": " +
         p.reason + " @" + to_string(p.location);
}

std::vector<std::string> describe_all(const PointsOfOrderAnalysis& a) {
  std::vector<std::string> out;
  for (const auto& p : a.points()) out.push_back(describe(p));
  return out;
}

TEST_CASE("points of order of the single-node KVS") {
  const Program p = testing::single_node_kvs();
  DependencyGraph g(p);
  SccAnalysis sccs(g);
  TemporalClusterAnalysis clusters(sccs);
  PointsOfOrderAnalysis points(p, g, clusters);
  CHECK(describe_all(points) ==
        std::vector<std::string>{
            "cluster:kvstate,prev -> cluster:kvstate,prev #2 cluster-self: temporal cluster: "
            "cycle kvstate -> prev -> kvstate @kvs.rb:12:13",
            "kvput -> kvstate #0 cluster-entry: enters temporal cluster cluster:kvstate,prev "
            "@kvs.rb:10:13",
            "kvput -> prev #1 cluster-entry: enters temporal cluster cluster:kvstate,prev "
            "@kvs.rb:11:13",
            "kvstate -> kvget_response #3 cluster-exit: leaves temporal cluster "
            "cluster:kvstate,prev @kvs.rb:13:13",
            "prev -> kvstate #2 nonmonotonic: non-monotonic: deletion (<-) @kvs.rb:12:13",
        });
  CHECK(points.points()[0].cluster == "cluster:kvstate,prev");
  CHECK_FALSE(points.points()[0].edge.has_value());
  CHECK(points.points()[4].cluster.empty());
  // kvget -> kvget_response (edge 0) and kvstate -> prev (edge 4) are not points.
  CHECK_FALSE(points.is_point_of_order(0));
  CHECK_FALSE(points.is_point_of_order(4));
  CHECK(points.is_point_of_order(1));
  CHECK(points.for_rule(2).size() == 2);
}

TEST_CASE("monotone reachability has no points of order") {
  const Program p = ProgramBuilder("Reach")
                        .input("link_in")
                        .table("link")
                        .table("path")
                        .output("path_out")
                        .rule("link", RuleOp::Merge, {scan("link_in")})
                        .rule("path", RuleOp::Merge, {scan("link")})
                        .rule("path", RuleOp::Merge, {join("link"), join("path")})
                        .rule("path_out", RuleOp::Merge, {scan("path")})
                        .build();
  DependencyGraph g(p);
  SccAnalysis sccs(g);
  TemporalClusterAnalysis clusters(sccs);
  PointsOfOrderAnalysis points(p, g, clusters);
  CHECK(clusters.clusters().empty());
  CHECK(points.points().empty());
}

TEST_CASE("a non-monotonic edge entering a cluster is one cluster-entry point") {
  const Program p = ProgramBuilder("Both")
                        .table("s")
                        .input("in")
                        .rule("s", RuleOp::Delete, {scan("s")})
                        .rule("s", RuleOp::Merge, {notin("in")})
                        .build();
  DependencyGraph g(p);
  SccAnalysis sccs(g);
  TemporalClusterAnalysis clusters(sccs);
  PointsOfOrderAnalysis points(p, g, clusters);
  CHECK(describe_all(points) ==
        std::vector<std::string>{
            "cluster:s -> cluster:s #0 cluster-self: temporal cluster: cycle s -> s "
            "@test.rb:10:13",
            "in -> s #1 cluster-entry: enters temporal cluster cluster:s; non-monotonic: "
            "negation (notin) @test.rb:11:13",
            "s -> s #0 nonmonotonic: non-monotonic: deletion (<-) @test.rb:10:13",
        });
}

TEST_CASE("an edge from one cluster to another leaves one and enters the other") {
  const Program p = ProgramBuilder("Chain")
                        .table("a")
                        .table("b")
                        .rule("a", RuleOp::Delete, {scan("a")})
                        .rule("b", RuleOp::Delete, {scan("b")})
                        .rule("b", RuleOp::Merge, {scan("a")})
                        .build();
  DependencyGraph g(p);
  SccAnalysis sccs(g);
  TemporalClusterAnalysis clusters(sccs);
  PointsOfOrderAnalysis points(p, g, clusters);
  auto rule2 = points.for_rule(2);
  REQUIRE(rule2.size() == 1);
  CHECK(rule2[0].kind == PointKind::ClusterEntry);
  CHECK(rule2[0].reason ==
        "leaves temporal cluster cluster:a and enters temporal cluster cluster:b");
}

TEST_CASE("points fall back to the rule location when the operator's is unknown") {
  Program p =
      ProgramBuilder("Loc").table("a").table("b").rule("b", RuleOp::Merge, {notin("a")}).build();
  p.rules[0].op_location = {};
  DependencyGraph g(p);
  SccAnalysis sccs(g);
  TemporalClusterAnalysis clusters(sccs);
  PointsOfOrderAnalysis points(p, g, clusters);
  REQUIRE(points.points().size() == 1);
  CHECK(points.points()[0].location == SourceLocation{"test.rb", 10, 5});
}

}  // namespace
}  // namespace calm
