#include <doctest/doctest.h>

#include "analysis/sources_sinks_analysis.h"
#include "support/program_builder.h"

namespace calm {
namespace {

using testing::ProgramBuilder;
using testing::scan;

std::vector<std::string> describe(const std::vector<Underspecified>& us) {
  std::vector<std::string> out;
  for (const auto& u : us) out.push_back(u.collection + ":" + to_string(u.direction));
  return out;
}

TEST_CASE("the abstract KVS protocol is underspecified everywhere") {
  const Program p =
      ProgramBuilder("KVSProtocol").input("kvput").input("kvget").output("kvget_response").build();
  DependencyGraph g(p);
  SourcesSinksAnalysis a(p, g);
  CHECK(a.sources() == std::vector<std::string>{"kvget", "kvput"});
  CHECK(a.sinks() == std::vector<std::string>{"kvget_response"});
  CHECK(describe(a.underspecified()) ==
        std::vector<std::string>{"kvget:input", "kvget_response:output", "kvput:input"});
  CHECK(a.is_source("kvput"));
  CHECK_FALSE(a.is_source("kvget_response"));
  CHECK(a.is_sink("kvget_response"));
}

TEST_CASE("the single-node KVS completes the dataflow") {
  const Program p = testing::single_node_kvs();
  DependencyGraph g(p);
  SourcesSinksAnalysis a(p, g);
  CHECK(a.sources() == std::vector<std::string>{"kvget", "kvput"});
  CHECK(a.sinks() == std::vector<std::string>{"kvget_response"});
  CHECK(a.underspecified().empty());
}

TEST_CASE("written interfaces are not sources, read outputs are not sinks") {
  const Program p = ProgramBuilder("Wired")
                        .input("req")
                        .input("inner_in")
                        .output("inner_out")
                        .output("resp")
                        .collection("tick", CollectionKind::Periodic)
                        .channel("net_in")
                        .channel("net_out")
                        .builtin("stdio", CollectionKind::Terminal)
                        .table("log")
                        .rule("inner_in", RuleOp::Merge, {scan("req")})
                        .rule("inner_out", RuleOp::Merge, {scan("inner_in")})
                        .rule("resp", RuleOp::Merge, {scan("inner_out")})
                        .rule("net_out", RuleOp::Async, {scan("tick")})
                        .rule("log", RuleOp::Merge, {scan("net_in")})
                        .rule("stdio", RuleOp::Async, {scan("log")})
                        .build();
  DependencyGraph g(p);
  SourcesSinksAnalysis a(p, g);
  CHECK(a.sources() == std::vector<std::string>{"net_in", "req", "tick"});
  CHECK(a.sinks() == std::vector<std::string>{"resp"});
  CHECK(a.underspecified().empty());
}

TEST_CASE("an input whose dataflow dead-ends before any output is underspecified") {
  // Like ReplicatedKVS without a multicast: kvput only feeds mcast_send, which nothing
  // reads. Bud reports only inputs that nothing reads; calm follows the paper's "??".
  const Program p = ProgramBuilder("DeadEnd")
                        .input("kvput")
                        .input("mcast_send")
                        .input("unused")
                        .output("resp")
                        .table("state")
                        .rule("mcast_send", RuleOp::Merge, {scan("kvput")})
                        .rule("resp", RuleOp::Merge, {scan("state")})
                        .build();
  DependencyGraph g(p);
  SourcesSinksAnalysis a(p, g);
  CHECK(a.sources() == std::vector<std::string>{"kvput", "unused"});
  CHECK(describe(a.underspecified()) ==
        std::vector<std::string>{"kvput:input", "mcast_send:input", "unused:input"});
}

TEST_CASE("bootstrap rules neither write nor read") {
  const Program p = ProgramBuilder("Boot")
                        .input("in")
                        .output("out")
                        .rule("in", RuleOp::Merge, {}, "in <= [[1]]", /*bootstrap=*/true)
                        .rule("out", RuleOp::Merge, {}, "out <= [[1]]", /*bootstrap=*/true)
                        .build();
  DependencyGraph g(p);
  SourcesSinksAnalysis a(p, g);
  CHECK(a.sources() == std::vector<std::string>{"in"});
  CHECK(a.sinks() == std::vector<std::string>{"out"});
  CHECK(describe(a.underspecified()) == std::vector<std::string>{"in:input", "out:output"});
}

TEST_CASE("a rule with no references still writes its head") {
  const Program p =
      ProgramBuilder("Const").output("out").rule("out", RuleOp::Merge, {}, "out <= [[1]]").build();
  DependencyGraph g(p);
  SourcesSinksAnalysis a(p, g);
  CHECK(a.underspecified().empty());
  CHECK(a.sinks() == std::vector<std::string>{"out"});
}

}  // namespace
}  // namespace calm
