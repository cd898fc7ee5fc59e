// Output labels, guess taint, coordination advice and per-input cost, on small
// inline programs and on the samples.

#include <doctest/doctest.h>

#include <algorithm>

#include "analysis/program_analysis.h"
#include "support/load_helpers.h"

using namespace calm;
using calm::test::load_source;

namespace {

std::string label_of(const ProgramAnalysis& a, const std::string& output) {
  const OutputLabel* o = a.labels().find(output);
  return o ? short_name(o->label) : "none";
}

const InputCost* cost_of(const ProgramAnalysis& a, const std::string& input) {
  for (const auto& c : a.coordination().costs())
    if (c.input == input) return &c;
  return nullptr;
}

LoadResult load_sample(const std::string& file, const std::string& module) {
  LoadOptions o;
  o.files = {std::string(CALM_SOURCE_DIR) + "/samples/" + file};
  o.modules = {module};
  return load_programs(o);
}

}  // namespace

TEST_CASE("label lattice: join and sequencing") {
  CHECK(join(Label::Confluent, Label::Async) == Label::Async);
  CHECK(join(Label::Async, Label::NonMonotonic) == Label::Diffluent);
  CHECK(join(Label::NonMonotonic, Label::NonMonotonic) == Label::NonMonotonic);
  CHECK(then(Label::Async, Label::NonMonotonic) == Label::Diffluent);  // A followed by N
  CHECK(then(Label::NonMonotonic, Label::Async) == Label::NonMonotonic);
  CHECK(then(Label::Confluent, Label::Async) == Label::Async);
  CHECK(then(Label::Diffluent, Label::Confluent) == Label::Diffluent);
  CHECK(std::string(short_name(Label::Confluent)) == "Bot");
  CHECK(std::string(to_string(Label::Diffluent)) == "diffluent");
}

TEST_CASE("labels: confluent, async, non-monotonic, diffluent") {
  auto r = load_source(R"(
class P
  include Bud
  state do
    interface input, :req, [:k] => [:v]
    interface output, :mono, [:k] => [:v]
    interface output, :counted, [:k] => [:n]
    channel :msg, [:@to, :k] => [:v]
    channel :reply, [:@to, :k] => [:n]
    table :log, [:k] => [:v]
  end
  bloom do
    mono <= req
    counted <= req.group([:k], count)
    msg <~ req {|r| ["peer", r.k, r.v]}
    log <= msg.payloads
    reply <~ log.group([:k], count) {|g| ["back", g[0], g[1]]}
  end
end
)");
  REQUIRE(r.programs.size() == 1);
  ProgramAnalysis a(r.programs[0]);
  CHECK(label_of(a, "mono") == "Bot");
  CHECK(label_of(a, "counted") == "N");
  CHECK(label_of(a, "msg") == "A");
  // A message stream (async) aggregated at the receiver: A then N.
  CHECK(label_of(a, "reply") == "D");
  const OutputLabel* reply = a.labels().find("reply");
  REQUIRE(reply);
  CHECK(std::find(reply->inputs.begin(), reply->inputs.end(), "req") != reply->inputs.end());
  bool cites_group = false, cites_async = false;
  for (const auto& c : reply->causes) {
    cites_group |= c.kind == "point-of-order" && c.from == "log" && c.to == "reply";
    cites_async |= c.kind == "async" && c.from == "req" && c.to == "msg";
  }
  CHECK(cites_group);
  CHECK(cites_async);
}

TEST_CASE("labels: an unguarded race of two channels is diffluent; a table guards it") {
  auto r = load_source(R"(
class Race
  include Bud
  state do
    channel :a, [:@to, :k]
    channel :b, [:@to, :k]
    scratch :both, [:k]
    table :a_log, [:k]
    table :b_log, [:k]
    scratch :guarded, [:k]
    interface output, :out1, [:k]
    interface output, :out2, [:k]
  end
  bloom do
    both <= (a * b).pairs(:k => :k) {|x, y| [x.k]}
    out1 <= both
    a_log <= a.payloads
    b_log <= b.payloads
    guarded <= (a_log * b_log).pairs(:k => :k) {|x, y| [x.k]}
    out2 <= guarded
  end
end
)");
  ProgramAnalysis a(r.programs.at(0));
  CHECK(label_of(a, "out1") == "D");
  CHECK(label_of(a, "out2") == "A");
  const auto& racy = a.labels().racy();
  CHECK(std::find(racy.begin(), racy.end(), "both") != racy.end());
  CHECK(std::find(racy.begin(), racy.end(), "guarded") == racy.end());
}

TEST_CASE("lattice quorum: monotone, and a non-monotone version of it") {
  auto lattice = load_sample("quorum/lattice_quorum.rb", "LatticeQuorum");
  REQUIRE(lattice.programs.size() == 1);
  ProgramAnalysis la(lattice.programs[0]);
  CHECK(la.points_of_order().points().empty());
  for (const auto& o : la.labels().output_labels()) {
    INFO("output " << o.output);
    CHECK((o.label == Label::Confluent || o.label == Label::Async));
  }
  auto counting = load_sample("quorum/counting_quorum.rb", "CountingQuorum");
  ProgramAnalysis ca(counting.programs.at(0));
  bool worse = false;
  for (const auto& o : ca.labels().output_labels())
    worse |= o.label == Label::NonMonotonic || o.label == Label::Diffluent;
  CHECK(worse);
}

TEST_CASE("negating a lattice test is a point of order") {
  auto r = load_source(R"(
class L
  include Bud
  state do
    lset :seen
    lbool :fresh
    scratch :ping, [:v]
  end
  bloom do
    seen <= ping {|p| p.v}
    fresh <= ping {|p| !seen.contains?(p.v)}
  end
end
)");
  ProgramAnalysis a(r.programs.at(0));
  bool found = false;
  for (const auto& p : a.points_of_order().points())
    found |= p.from == "seen" && p.to == "fresh" &&
             p.reason.find("negation of a lattice test") != std::string::npos;
  CHECK(found);
}

TEST_CASE("guess taint: downstream of a point of order; memories cross the boundary") {
  auto r = load_sample("kvs/paper2011/kvs_2011.rb", "BasicKVS");
  ProgramAnalysis a(r.programs.at(0));
  const auto& t = a.taint();
  CHECK(t.is_guess("kvstate"));
  CHECK(t.is_guess("kvget_response"));
  CHECK(!t.is_guess("kvput"));
  CHECK(t.memories() == std::vector<std::string>{"kvget_response"});
}

TEST_CASE("coordination advice: local vs distributed, and the key to seal") {
  auto r = load_source(R"(
class C
  include Bud
  state do
    channel :vote, [:@to, :round, :voter]
    table :votes, [:round, :voter]
    scratch :tally, [:round] => [:n]
    interface input, :local_in, [:k] => [:v]
    interface output, :local_out, [:k] => [:n]
    channel :result, [:@to, :round] => [:n]
  end
  bloom do
    votes <= vote.payloads
    tally <= votes.group([:round], count(:voter))
    result <~ tally {|t| ["leader", t.round, t.n]}
    local_out <= local_in.group([:k], count)
  end
end
)");
  ProgramAnalysis a(r.programs.at(0));
  const auto& points = a.points_of_order().points();
  bool distributed = false, local = false;
  for (const auto& adv : a.coordination().advice()) {
    const PointOfOrder& p = points.at(adv.point);
    if (p.from == "votes" && p.to == "tally") {
      distributed = true;
      CHECK(adv.scope == "distributed");
      CHECK(adv.key == std::vector<std::string>{"round"});
      CHECK(adv.strategy == "seal-key");
    }
    if (p.from == "local_in" && p.to == "local_out") {
      local = true;
      CHECK(adv.scope == "local");
      CHECK(adv.strategy == "stratify-locally");
    }
  }
  CHECK(distributed);
  CHECK(local);
}

TEST_CASE("cart comparison: destructive pays per action, disorderly only at checkout") {
  for (auto [file, module] :
       {std::pair{"cart/destructive_cart.rb", "DestructiveCartServer"},
        std::pair{"cart/paper2011/destructive_cart_2011.rb", "DestructiveCartServer"}}) {
    INFO(file);
    auto r = load_sample(file, module);
    ProgramAnalysis a(r.programs.at(0));
    const InputCost* action = cost_of(a, "client_action");
    REQUIRE(action);
    CHECK(action->distributed_points == 7);
    // Every point but the checkout lookup is paid per shopping action.
    CHECK(action->per_message == 6);
    CHECK(action->gated_by == std::vector<std::string>{"checkout_msg"});
  }
  for (auto [file, module] :
       {std::pair{"cart/disorderly_cart.rb", "DisorderlyCartServer"},
        std::pair{"cart/paper2011/disorderly_cart_2011.rb", "ReplicatedDisorderlyCart"}}) {
    INFO(file);
    auto r = load_sample(file, module);
    ProgramAnalysis a(r.programs.at(0));
    const InputCost* action = cost_of(a, "client_action");
    const InputCost* checkout = cost_of(a, "client_checkout");
    REQUIRE(action);
    REQUIRE(checkout);
    CHECK(action->per_message == 0);  // shopping actions never wait
    CHECK(action->gated_by == std::vector<std::string>{"checkout_msg"});
    CHECK(checkout->per_message == 1);  // coordination once per checkout
  }
}
