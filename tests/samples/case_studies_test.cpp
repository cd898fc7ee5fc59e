// The claims of the CIDR 2011 paper about its case studies (Section 4 and 5), checked
// directly on the samples that implement them, in both dialects.

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "support/sample_support.h"

namespace calm::test {
namespace {

/// "from -> to" of every point of order but cluster-self, sorted, without duplicates.
std::vector<std::string> point_edges(const ProgramAnalysis& a) {
  std::vector<std::string> out;
  for (const auto& p : a.points_of_order().points())
    if (p.kind != PointKind::ClusterSelf) out.push_back(p.from + " -> " + p.to);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> underspecified(const ProgramAnalysis& a) {
  std::vector<std::string> out;
  for (const auto& u : a.sources_sinks().underspecified())
    out.push_back(u.collection + " " + to_string(u.direction));
  return out;
}

std::vector<std::vector<std::string>> clusters(const ProgramAnalysis& a) {
  std::vector<std::vector<std::string>> out;
  for (const auto& c : a.clusters().clusters()) out.push_back(c.member_names);
  return out;
}

/// True when no edge of the path (every rule between consecutive nodes) is a point of order.
bool path_is_free_of_points_of_order(const ProgramAnalysis& a,
                                     const std::vector<std::string>& nodes) {
  const auto edges = path_edges(a.graph(), nodes);
  REQUIRE_MESSAGE(edges.has_value(), "not a path of the graph");
  return std::none_of(edges->begin(), edges->end(),
                      [&](EdgeId e) { return a.points_of_order().is_point_of_order(e); });
}

TEST_CASE("the abstract KVS protocol is underspecified on every interface (Fig. 9)") {
  for (const std::string file : {"kvs/kvs.rb", "kvs/paper2011/kvs_2011.rb"}) {
    CAPTURE(file);
    const AnalyzedSample sample(file, "KVSProtocol");
    const ProgramAnalysis& a = sample.analysis();
    CHECK(a.program().rules.empty());
    CHECK(underspecified(a) ==
          std::vector<std::string>{"kvget input", "kvget_response output", "kvput input"});
    CHECK(a.points_of_order().points().empty());
  }
}

TEST_CASE("the single-node KVS is one temporal cluster {kvstate, prev} (Fig. 10)") {
  for (const std::string file : {"kvs/paper2011/kvs_2011.rb", "kvs/kvs.rb"}) {
    CAPTURE(file);
    const AnalyzedSample sample(file, "BasicKVS");
    const ProgramAnalysis& a = sample.analysis();
    CHECK(clusters(a) == std::vector<std::vector<std::string>>{{"kvstate", "prev"}});
    // A put reaches the store, and the answer of a get, only through a point of order.
    CHECK(every_path_crosses_point_of_order(a, "kvput", "kvstate"));
    CHECK(every_path_crosses_point_of_order(a, "kvput", "kvget_response"));
    CHECK(point_edges(a) == std::vector<std::string>{"kvput -> kvstate", "kvput -> prev",
                                                     "kvstate -> getj", "prev -> kvstate"});
    CHECK(underspecified(a).empty());
  }
}

TEST_CASE("the destructive cart orders every client action (Fig. 15)") {
  struct Case {
    const char* file;
    const char* store;  // the stored cart state
  };
  for (const Case c : {Case{"cart/destructive_cart.rb", "kvs.kvstate"},
                       Case{"cart/paper2011/destructive_cart_2011.rb", "kvstate"}}) {
    const std::string file = c.file;
    CAPTURE(file);
    const AnalyzedSample sample(c.file, "DestructiveCartServer");
    const ProgramAnalysis& a = sample.analysis();
    CHECK(every_path_crosses_point_of_order(a, "action_msg", c.store));
    CHECK(every_path_crosses_point_of_order(a, "client_action", c.store));
    // The client's own step is monotone: the order problem is the server's.
    CHECK(path_is_free_of_points_of_order(a, {"client_action", "action_msg"}));
    // One cluster holds the store, the cart update and the multicast.
    REQUIRE(a.clusters().clusters().size() == 1);
    const auto& members = a.clusters().clusters()[0].member_names;
    for (const std::string m : {"kvput", "kvget_response", "old_state", "send_mcast", c.store})
      CHECK_MESSAGE(std::count(members.begin(), members.end(), m) == 1, m);
    CHECK(points_between(a, "action_msg", "kvput").size() == 1);
    CHECK(points_between(a, "action_msg", "old_state").size() == 1);
    CHECK(underspecified(a).empty());
  }
}

TEST_CASE("the disorderly cart orders only at checkout (Fig. 17, 20)") {
  struct Case {
    const char* file;
    const char* module;
    const char* summary;  // the point of order between the count and the status
  };
  for (const Case c : {Case{"cart/disorderly_cart.rb", "DisorderlyCartServer", "deleted -> kept"},
                       Case{"cart/paper2011/disorderly_cart_2011.rb", "ReplicatedDisorderlyCart",
                            "action_cnt -> status"}}) {
    const std::string file = c.file;
    CAPTURE(file);
    const AnalyzedSample sample(c.file, c.module);
    const ProgramAnalysis& a = sample.analysis();
    // Shopping, and replicating the actions, crosses no point of order.
    CHECK(path_is_free_of_points_of_order(a, {"client_action", "action_msg", "cart_action"}));
    CHECK(path_is_free_of_points_of_order(
        a, {"action_msg", "send_mcast", "pipe_in", "pipe_chan", "cart_action"}));
    CHECK(!every_path_crosses_point_of_order(a, "client_action", "cart_action"));
    // Checkout: the count, the status, and the accumulation into the response.
    std::vector<std::string> expected{"cart_action -> action_cnt", c.summary,
                                      "status -> response_msg"};
    std::sort(expected.begin(), expected.end());
    CHECK(point_edges(a) == expected);
    for (const auto& p : a.points_of_order().points()) CHECK(p.kind == PointKind::Nonmonotonic);
    CHECK(a.clusters().clusters().empty());
    CHECK(underspecified(a).empty());
  }
}

TEST_CASE("the monotone lessons have no point of order") {
  struct Case {
    const char* file;
    const char* module;
  };
  for (const Case c : {
           Case{"delivery/delivery.rb", "BestEffortDelivery"},
           Case{"delivery/paper2011/delivery_2011.rb", "BestEffortDelivery"},
           Case{"delivery/multicast.rb", "BestEffortMulticast"},
           Case{"delivery/paper2011/multicast_2011.rb", "BestEffortMulticast"},
           Case{"cart/cart_protocol.rb", "CartProtocol"},
           Case{"quorum/lattice_quorum.rb", "LatticeQuorum"},
           Case{"reachability/reachability.rb", "Reachability"},
           Case{"shortest_paths/lattice_shortest_paths.rb", "LatticeShortestPaths"},
       }) {
    const std::string module = c.module;
    CAPTURE(module);
    const std::string file = c.file;
    CAPTURE(file);
    const AnalyzedSample sample(c.file, c.module);
    const ProgramAnalysis& a = sample.analysis();
    CHECK(point_edges(a).empty());
    CHECK(a.clusters().clusters().empty());
  }
}

}  // namespace
}  // namespace calm::test
