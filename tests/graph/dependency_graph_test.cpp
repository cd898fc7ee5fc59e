#include "graph/dependency_graph.h"

#include <doctest/doctest.h>

#include "graph/graph_paths.h"
#include "model/bud_operators.h"
#include "support/program_builder.h"

namespace calm {
namespace {

using testing::join;
using testing::notin;
using testing::ProgramBuilder;
using testing::ref;
using testing::scan;

std::vector<std::string> edge_names(const DependencyGraph& g) {
  std::vector<std::string> out;
  for (const auto& e : g.edges())
    out.push_back(e.from_name + "->" + e.to_name + "#" + std::to_string(e.rule));
  return out;
}

std::vector<std::string> reason_texts(const DependencyEdge& e) {
  std::vector<std::string> out;
  for (const auto& r : e.reasons) out.push_back(r.text);
  return out;
}

TEST_CASE("dependency graph of the single-node KVS") {
  const Program p = testing::single_node_kvs();
  DependencyGraph g(p);

  REQUIRE(g.node_count() == 5);
  CHECK(g.name(0) == "kvget");
  CHECK(g.name(4) == "prev");
  CHECK(g.find("kvstate") == NodeId{3});
  CHECK_FALSE(g.find("nope").has_value());

  CHECK(edge_names(g) == std::vector<std::string>{"kvget->kvget_response#3", "kvput->kvstate#0",
                                                  "kvput->prev#1", "kvstate->kvget_response#3",
                                                  "kvstate->prev#1", "prev->kvstate#2"});

  const auto& put = g.edge(1);
  CHECK(put.op == RuleOp::Deferred);
  CHECK(put.temporal);
  CHECK_FALSE(put.async);
  CHECK_FALSE(put.nonmonotonic);

  const auto& del = g.edge(5);
  CHECK(del.temporal);
  CHECK(del.nonmonotonic);
  REQUIRE(del.reasons.size() == 1);
  CHECK(del.reasons[0].kind == NonmonotonicKind::Deletion);
  CHECK(del.reasons[0].text == "deletion (<-)");

  CHECK(g.out_edges(*g.find("kvstate")) == std::vector<EdgeId>{3, 4});
  CHECK(g.in_edges(*g.find("kvstate")) == std::vector<EdgeId>{1, 5});
  CHECK(g.in_edges(*g.find("kvput")).empty());
}

TEST_CASE("non-monotonic reasons per reference context") {
  const Program p =
      ProgramBuilder("Reasons")
          .table("a")
          .table("out")
          .table("s")
          .lattice("m", "lmax")
          .lattice("set", "lset")
          .rule("out", RuleOp::Merge, {ref("a", RefContext::Group, "group")})                // 0
          .rule("out", RuleOp::Merge, {ref("a", RefContext::ArgAgg, "argmax")})              // 1
          .rule("out", RuleOp::Merge, {ref("a", RefContext::Reduce, "")})                    // 2
          .rule("out", RuleOp::Merge, {notin("a")})                                          // 3
          .rule("out", RuleOp::Merge, {ref("a", RefContext::Membership, "include?")})        // 4
          .rule("out", RuleOp::Merge, {ref("a", RefContext::Membership, "include?", true)})  // 5
          .rule("out", RuleOp::Merge, {ref("m", RefContext::LatticeMethod, "gt")})           // 6
          .rule("out", RuleOp::Merge, {ref("m", RefContext::LatticeMethod, "reveal")})       // 7
          .rule("out", RuleOp::Merge, {ref("set", RefContext::LatticeMethod, "size")})       // 8
          .rule("out", RuleOp::Merge, {ref("a", RefContext::UnknownMethod, "frob")})         // 9
          .rule("out", RuleOp::Merge, {ref("a", RefContext::Schema, "cols")})                // 10
          .rule("out", RuleOp::Upsert, {scan("s")})                                          // 11
          .rule("out", RuleOp::DeleteInsert, {scan("s")})                                    // 12
          .rule("out", RuleOp::Async, {scan("s")})                                           // 13
          .rule("out", RuleOp::Merge, {ref("s", RefContext::Join, "outer")})                 // 14
          .rule("out", RuleOp::Merge, {ref("s", RefContext::Join, "pairs")})                 // 15
          .build();
  DependencyGraph g(p);
  auto edge_of_rule = [&](int rule) -> const DependencyEdge& {
    for (const auto& e : g.edges())
      if (e.rule == rule) return e;
    FAIL("no edge for rule " << rule);
    return g.edges().front();
  };
  CHECK(reason_texts(edge_of_rule(0)) == std::vector<std::string>{"aggregation (group)"});
  CHECK(edge_of_rule(0).reasons[0].kind == NonmonotonicKind::Aggregation);
  CHECK(reason_texts(edge_of_rule(1)) == std::vector<std::string>{"aggregation (argmax)"});
  CHECK(reason_texts(edge_of_rule(2)) == std::vector<std::string>{"aggregation (reduce)"});
  CHECK(reason_texts(edge_of_rule(3)) == std::vector<std::string>{"negation (notin)"});
  CHECK(reason_texts(edge_of_rule(4)) == std::vector<std::string>{"membership test (include?)"});
  CHECK(edge_of_rule(4).reasons[0].kind == NonmonotonicKind::Negation);
  CHECK(reason_texts(edge_of_rule(5)) ==
        std::vector<std::string>{"negated membership test (include?)"});
  CHECK_FALSE(edge_of_rule(6).nonmonotonic);
  CHECK(reason_texts(edge_of_rule(7)) ==
        std::vector<std::string>{"non-monotone lattice method (reveal)"});
  CHECK(edge_of_rule(7).reasons[0].kind == NonmonotonicKind::LatticeMethod);
  CHECK_FALSE(edge_of_rule(8).nonmonotonic);
  CHECK(reason_texts(edge_of_rule(9)) ==
        std::vector<std::string>{"unknown method (frob), assumed non-monotone"});
  CHECK_FALSE(edge_of_rule(10).nonmonotonic);
  CHECK(reason_texts(edge_of_rule(11)) == std::vector<std::string>{"upsert (<+-)"});
  CHECK(edge_of_rule(11).temporal);
  CHECK(reason_texts(edge_of_rule(12)) == std::vector<std::string>{"upsert (<-+)"});
  CHECK(edge_of_rule(13).async);
  CHECK_FALSE(edge_of_rule(13).temporal);
  CHECK_FALSE(edge_of_rule(13).nonmonotonic);
  CHECK(reason_texts(edge_of_rule(14)) == std::vector<std::string>{"negation (outer join)"});
  CHECK_FALSE(edge_of_rule(15).nonmonotonic);
}

TEST_CASE("monotone lattice methods") {
  CHECK(is_monotone_lattice_method("lmax", "gt_eq"));
  CHECK(is_monotone_lattice_method("lmin", "lt"));
  CHECK_FALSE(is_monotone_lattice_method("lmin", "gt"));
  CHECK(is_monotone_lattice_method("lpset", "eqjoin"));
  CHECK(is_monotone_lattice_method("lbag", "multiplicity"));
  CHECK(is_monotone_lattice_method("lbool", "when_true"));
  CHECK(is_monotone_lattice_method("lmap", "key_set"));
  CHECK(is_monotone_lattice_method("lmap", "merge"));
  CHECK(is_monotone_lattice_method("lmap", "apply_morph"));
  CHECK(is_monotone_lattice_method("lmap", "to_collection"));
  CHECK(is_monotone_lattice_method("lpset", "pos_sum"));
  CHECK_FALSE(is_monotone_lattice_method("lset", "pos_sum"));
  CHECK(is_monotone_lattice_method("lset", "group_count"));
  CHECK_FALSE(is_monotone_lattice_method("lmap", "reveal"));
  CHECK_FALSE(is_monotone_lattice_method("lcustom", "merge"));
  CHECK_FALSE(is_monotone_lattice_method("", "size"));
}

TEST_CASE("references of one rule to one collection merge into one edge") {
  const Program p = ProgramBuilder("Merge")
                        .table("a")
                        .table("b")
                        .rule("b", RuleOp::Merge, {join("a"), notin("a")})
                        .rule("b", RuleOp::Delete, {scan("a"), notin("a")})
                        .build();
  DependencyGraph g(p);
  REQUIRE(g.edge_count() == 2);
  CHECK(g.edge(0).refs.size() == 2);
  CHECK(reason_texts(g.edge(0)) == std::vector<std::string>{"negation (notin)"});
  CHECK(reason_texts(g.edge(1)) == std::vector<std::string>{"negation (notin)", "deletion (<-)"});
}

TEST_CASE("bootstrap rules make no edges and built-ins are nodes only when used") {
  const Program p = ProgramBuilder("Boot")
                        .table("t")
                        .table("u")
                        .builtin("stdio", CollectionKind::Terminal)
                        .builtin("localtick", CollectionKind::Scratch)
                        .rule("t", RuleOp::Merge, {scan("u")}, "t <= u", /*bootstrap=*/true)
                        .rule("stdio", RuleOp::Async, {scan("t")})
                        .build();
  DependencyGraph g(p);
  CHECK(g.node_count() == 3);  // stdio, t, u
  CHECK(g.find("stdio").has_value());
  CHECK_FALSE(g.find("localtick").has_value());
  CHECK(edge_names(g) == std::vector<std::string>{"t->stdio#1"});
}

TEST_CASE("undeclared names still get a node") {
  const Program p =
      ProgramBuilder("Undeclared").table("t").rule("t", RuleOp::Merge, {scan("ghost")}).build();
  DependencyGraph g(p);
  REQUIRE(g.find("ghost").has_value());
  CHECK_FALSE(g.node(*g.find("ghost")).declared);
  CHECK(g.node(*g.find("t")).declared);
}

TEST_CASE("shortest paths and closed walks") {
  const Program p = ProgramBuilder("Paths")
                        .table("a")
                        .table("b")
                        .table("c")
                        .rule("b", RuleOp::Merge, {scan("a")})
                        .rule("c", RuleOp::Merge, {scan("b")})
                        .rule("a", RuleOp::Merge, {scan("c")})
                        .rule("c", RuleOp::Merge, {scan("a")})
                        .build();
  DependencyGraph g(p);
  auto all = [](EdgeId) { return true; };
  auto path = shortest_path(g, 0, 2, all);
  REQUIRE(path.has_value());
  CHECK(path_text(g, *path) == "a -> c");
  REQUIRE(g.edge(0).to_name == "b");
  auto walk = closed_walk(g, 0, {EdgeId{0}}, all);
  REQUIRE(walk.has_value());
  CHECK(path_text(g, *walk) == "a -> b -> c -> a");
  auto none = shortest_path(g, 0, 2, [](EdgeId) { return false; });
  CHECK_FALSE(none.has_value());
  CHECK(shortest_path(g, 1, 1, all)->empty());
}

}  // namespace
}  // namespace calm
