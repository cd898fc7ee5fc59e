#include <doctest/doctest.h>

#include "analysis/cluster_labels.h"
#include "analysis/temporal_cluster_analysis.h"
#include "graph/graph_paths.h"
#include "support/program_builder.h"

namespace calm {
namespace {

using testing::join;
using testing::notin;
using testing::ProgramBuilder;
using testing::scan;

TEST_CASE("the single-node KVS has one temporal cluster {kvstate, prev}") {
  const Program p = testing::single_node_kvs();
  DependencyGraph g(p);
  SccAnalysis sccs(g);
  TemporalClusterAnalysis clusters(sccs);
  REQUIRE(clusters.clusters().size() == 1);
  const auto& c = clusters.clusters()[0];
  CHECK(c.id == "cluster:kvstate,prev");
  CHECK(c.member_names == std::vector<std::string>{"kvstate", "prev"});
  CHECK(path_text(g, c.cycle) == "kvstate -> prev -> kvstate");
  CHECK(clusters.cluster_of(*g.find("prev")) == std::size_t{0});
  CHECK_FALSE(clusters.cluster_of(*g.find("kvput")).has_value());
  CHECK(clusters.find("cluster:kvstate,prev") == &c);
  CHECK(clusters.find("cluster:kvstate") == nullptr);
  CHECK(c.label == "{kvstate, prev}");
}

TEST_CASE("a cluster's label names the members its cycle passes, then +N more") {
  // Cycle first, in cycle order; then other members by name; "+N more" for the rest.
  CHECK(cluster_label({"a", "b", "c", "d", "e", "f"}, {"e", "b"}) == "{e, b, a, +3 more}");
  CHECK(cluster_label({"a", "b", "c", "d", "e", "f"}, {"f", "e", "d", "c", "b"}) ==
        "{f, e, d, +3 more}");
  // Four members: all shown ("+1 more" is no shorter than the name).
  CHECK(cluster_label({"a", "b", "c", "d"}, {"d", "a"}) == "{d, a, b, c}");
  CHECK(cluster_label({"x"}, {"x"}) == "{x}");
  // A cycle name that is not a member is ignored.
  CHECK(cluster_label({"a", "b"}, {"zz", "b"}) == "{b, a}");
}

TEST_CASE("a single self-edge that is both temporal and non-monotonic is a cluster") {
  const Program p = ProgramBuilder("Del")
                        .table("kvstate")
                        .input("kvdel")
                        .rule("kvstate", RuleOp::Delete, {join("kvstate"), join("kvdel")})
                        .build();
  DependencyGraph g(p);
  SccAnalysis sccs(g);
  TemporalClusterAnalysis clusters(sccs);
  REQUIRE(clusters.clusters().size() == 1);
  CHECK(clusters.clusters()[0].id == "cluster:kvstate");
  CHECK(path_text(g, clusters.clusters()[0].cycle) == "kvstate -> kvstate");
}

TEST_CASE("the cycle of a cluster visits a non-monotonic and a temporal edge") {
  // a -> b (<+), b -> c (notin), c -> a, and a shortcut b -> a that the cycle must not
  // take alone because it has neither property.
  const Program p = ProgramBuilder("Walk")
                        .table("a")
                        .table("b")
                        .table("c")
                        .rule("b", RuleOp::Deferred, {scan("a")})
                        .rule("c", RuleOp::Merge, {scan("a"), notin("b")})
                        .rule("a", RuleOp::Merge, {scan("c")})
                        .rule("a", RuleOp::Merge, {scan("b")})
                        .build();
  DependencyGraph g(p);
  SccAnalysis sccs(g);
  TemporalClusterAnalysis clusters(sccs);
  REQUIRE(clusters.clusters().size() == 1);
  CHECK(clusters.clusters()[0].id == "cluster:a,b,c");
  CHECK(path_text(g, clusters.clusters()[0].cycle) == "a -> b -> c -> a");
  CHECK(clusters.clusters()[0].label == "{a, b, c}");
  CHECK(with_cluster_labels(clusters, "enters temporal cluster cluster:a,b,c; non-monotonic") ==
        "enters temporal cluster {a, b, c}; non-monotonic");
  // Not an id that merely starts like one.
  CHECK(with_cluster_labels(clusters, "cluster:a,b,cd and cluster:a,b,c") ==
        "cluster:a,b,cd and {a, b, c}");
  // Followed by ", " (a point that leaves one cluster and enters another): still the id.
  CHECK(with_cluster_labels(clusters, "leaves temporal cluster cluster:a,b,c, enters x") ==
        "leaves temporal cluster {a, b, c}, enters x");
}

TEST_CASE("no cluster without a non-monotonic edge, or without a temporal edge") {
  SUBCASE("temporal but monotone") {
    const Program p = ProgramBuilder("Mono")
                          .table("a")
                          .table("b")
                          .rule("b", RuleOp::Deferred, {scan("a")})
                          .rule("a", RuleOp::Merge, {scan("b")})
                          .build();
    DependencyGraph g(p);
    SccAnalysis sccs(g);
    CHECK(TemporalClusterAnalysis(sccs).clusters().empty());
  }
  SUBCASE("non-monotonic through an async edge only: <~ is not temporal here") {
    const Program p =
        ProgramBuilder("Async")
            .table("a")
            .channel("ch")
            .rule("ch", RuleOp::Async, {scan("a")})
            .rule("a", RuleOp::Merge, {testing::ref("ch", RefContext::Group, "group")})
            .build();
    DependencyGraph g(p);
    SccAnalysis sccs(g);
    CHECK(TemporalClusterAnalysis(sccs).clusters().empty());
  }
  SUBCASE("temporal and non-monotonic edges in different SCCs") {
    const Program p = ProgramBuilder("Apart")
                          .table("a")
                          .table("b")
                          .table("c")
                          .rule("a", RuleOp::Deferred, {scan("a")})
                          .rule("b", RuleOp::Merge, {notin("a")})
                          .rule("c", RuleOp::Delete, {scan("b")})
                          .build();
    DependencyGraph g(p);
    SccAnalysis sccs(g);
    CHECK(TemporalClusterAnalysis(sccs).clusters().empty());
  }
}

TEST_CASE("clusters are sorted by id") {
  const Program p = ProgramBuilder("Two")
                        .table("z")
                        .table("b")
                        .rule("z", RuleOp::Delete, {scan("z")})
                        .rule("b", RuleOp::Delete, {scan("b")})
                        .build();
  DependencyGraph g(p);
  SccAnalysis sccs(g);
  TemporalClusterAnalysis clusters(sccs);
  REQUIRE(clusters.clusters().size() == 2);
  CHECK(clusters.clusters()[0].id == "cluster:b");
  CHECK(clusters.clusters()[1].id == "cluster:z");
  CHECK(cluster_id({"a", "b.c"}) == "cluster:a,b.c");
}

}  // namespace
}  // namespace calm
