// The Verifier on small scenarios: a confluent program holds in every schedule, an
// order-sensitive one gets a witness whose provenance reaches the predicted point of
// order, an output the labels wrongly call deterministic is reported unsound (here: one
// that copies budtime, which the analysis does not model), the exhaustive mode counts
// every delay choice, and results do not depend on --jobs.

#include "verify/verifier.h"

#include <doctest/doctest.h>

#include "eval/scenario.h"
#include "eval/simulation.h"
#include "support/run_command.h"
#include "support/temp_dir.h"
#include "verify/program_loading.h"

using namespace calm;
using calm::test::TempDir;

namespace {

/// A client sends writes to a server over a channel; the server keeps the last write per
/// register (an upsert: order-sensitive), the set of every write (monotone), and the
/// timestep each write arrived at (budtime: time-dependent, not modelled by the labels).
constexpr const char* kRegister = R"(
module Client
  state do
    interface input, :write, [:server, :reg, :val]
    channel :write_chan, [:@server, :reg, :val]
  end
  bloom do
    write_chan <~ write
  end
end

module Server
  state do
    channel :write_chan, [:@server, :reg, :val]
    table :register, [:reg] => [:val]
    table :history, [:reg, :val]
    interface output, :current, [:reg] => [:val]
    interface output, :all_writes, [:reg, :val]
    interface output, :arrivals, [:val, :at]
  end
  bloom do
    register <+- write_chan { |w| [w.reg, w.val] }
    history <= write_chan { |w| [w.reg, w.val] }
    current <= register
    all_writes <= history
    arrivals <= write_chan { |w| [w.val, budtime] }
  end
end
)";

constexpr const char* kScenario = R"({
  "nodes": [
    {"name": "client", "address": "c:1", "program": {"files": ["reg.rb"], "modules": ["Client"]}},
    {"name": "server", "address": "s:1", "program": {"files": ["reg.rb"], "modules": ["Server"]}}
  ],
  "steps": 6,
  "network": {"min_delay": 1, "max_delay": 3},
  "inputs": [
    {"step": 0, "node": "client", "facts": {"write": [["s:1", "x", "first"]]}},
    {"step": 1, "node": "client", "facts": {"write": [["s:1", "x", "second"]]}}
  ]
})";

struct Fixture {
  TempDir dir{"verify"};
  std::optional<eval::Scenario> sc;
  eval::ScenarioPrograms programs;
  Diagnostics diags;
  explicit Fixture(const std::string& scenario = kScenario) {
    dir.write("reg.rb", kRegister);
    sc = eval::read_scenario(dir.write("s.scenario.json", scenario), diags);
    REQUIRE(sc);
    REQUIRE(programs.load(*sc, load_with_front_ends, diags));
    REQUIRE(eval::check_scenario(*sc, programs, diags));
  }
};

const OutputVerdict& find(const VerifyResult& r, const std::string& node, const std::string& out) {
  for (const auto& o : r.outputs)
    if (o.node == node && o.output == out) return o;
  FAIL("no output " << node << "." << out);
  return r.outputs.front();
}

/// The same verdict, distinct observations and witness (seeds and facts) per output.
void check_same_outputs(const VerifyResult& a, const VerifyResult& b) {
  REQUIRE(a.outputs.size() == b.outputs.size());
  for (size_t i = 0; i < a.outputs.size(); ++i) {
    CAPTURE(a.outputs[i].output);
    CHECK(a.outputs[i].verdict == b.outputs[i].verdict);
    CHECK(a.outputs[i].distinct == b.outputs[i].distinct);
    REQUIRE(a.outputs[i].witness.has_value() == b.outputs[i].witness.has_value());
    if (!a.outputs[i].witness) continue;
    CHECK(a.outputs[i].witness->seed_a == b.outputs[i].witness->seed_a);
    CHECK(a.outputs[i].witness->seed_b == b.outputs[i].witness->seed_b);
    CHECK(a.outputs[i].witness->only_a == b.outputs[i].witness->only_a);
    CHECK(a.outputs[i].witness->only_b == b.outputs[i].witness->only_b);
  }
}

/// `verify` of the fixture's scenario with each of two options.
std::pair<VerifyResult, VerifyResult> verify_both(Fixture& f, const VerifyOptions& x,
                                                  const VerifyOptions& y) {
  auto a = verify(*f.sc, f.programs, x, f.diags);
  auto b = verify(*f.sc, f.programs, y, f.diags);
  REQUIRE(a);
  REQUIRE(b);
  return {std::move(*a), std::move(*b)};
}

}  // namespace

TEST_CASE("verify: claims held, witnessed, and unsound") {
  Fixture f;
  VerifyOptions vo;
  vo.schedules = 60;
  vo.jobs = 2;
  auto r = verify(*f.sc, f.programs, vo, f.diags);
  REQUIRE(r);
  CHECK(r->schedules_run == 60);
  CHECK(r->schedules_failed >= 0);

  const auto& all = find(*r, "server", "all_writes");
  CHECK(all.label == Label::Async);
  CHECK(all.verdict == Verdict::Held);
  CHECK(all.distinct == 1);

  // "first" (sent at 0) arrives at 1..3, "second" (sent at 1) at 2..4: "second" can
  // overtake "first" (first at 3, second at 2), so the final register differs; when
  // both arrive in one timestep the upsert is a key conflict (a failed schedule).
  const auto& cur = find(*r, "server", "current");
  CHECK((cur.label == Label::NonMonotonic || cur.label == Label::Diffluent));
  CHECK(cur.verdict == Verdict::Witnessed);
  REQUIRE(cur.witness);
  CHECK(cur.witness->reaches_point_of_order);
  bool upsert_point = false;
  for (const auto& p : cur.witness->provenance)
    for (const auto& pt : p.points) upsert_point |= pt.find("write_chan -> register") == 0;
  CHECK(upsert_point);

  // budtime makes the contents depend on arrival time; the label claims they do not.
  const auto& arr = find(*r, "server", "arrivals");
  CHECK(arr.verdict == Verdict::Unsound);
  CHECK_FALSE(r->sound());
}

TEST_CASE("verify: the same result with one job or several") {
  Fixture f;
  VerifyOptions one;
  one.schedules = 40;
  one.jobs = 1;
  VerifyOptions two = one;
  two.jobs = 2;
  auto [a, b] = verify_both(f, one, two);
  check_same_outputs(a, b);
}

TEST_CASE("verify: a schedule that decides as an earlier one did takes its result") {
  Fixture f;
  VerifyOptions reuse;
  reuse.schedules = 60;
  reuse.jobs = 2;
  VerifyOptions every = reuse;
  every.reuse_repeats = false;
  auto [a, b] = verify_both(f, reuse, every);
  // Two messages with three delays each: nine schedules, all among 60 seeds.
  CHECK(a.schedules_run == 60);
  CHECK(a.distinct_schedules == 9);
  CHECK(b.distinct_schedules == 9);
  CHECK(a.schedules_failed == b.schedules_failed);
  CHECK(a.schedules_failed > 0);  // the delays that make both writes arrive together
  CHECK(a.failures == b.failures);
  check_same_outputs(a, b);
  // No message at all: one schedule, however many seeds.
  std::string quiet = kScenario;
  quiet = quiet.substr(0, quiet.find(R"(  "inputs")")) + R"(  "inputs": []
})";
  Fixture g(quiet);
  auto q = verify(*g.sc, g.programs, reuse, g.diags);
  REQUIRE(q);
  CHECK(q->schedules_run == 60);
  CHECK(q->distinct_schedules == 1);
}

TEST_CASE("verify: the exhaustive mode enumerates every delay choice") {
  Fixture f;
  VerifyOptions vo;
  vo.exhaustive = true;
  auto r = verify(*f.sc, f.programs, vo, f.diags);
  REQUIRE(r);
  // Two messages, three delays each.
  CHECK(r->schedules_run == 9);
  CHECK(r->exhaustive_complete);
  // Delays (2, 1) and (3, 2) make both writes arrive together: a key conflict.
  CHECK(r->schedules_failed == 2);
  CHECK(find(*r, "server", "current").verdict == Verdict::Witnessed);
  VerifyOptions bounded = vo;
  bounded.max_schedules = 4;
  auto cut = verify(*f.sc, f.programs, bounded, f.diags);
  REQUIRE(cut);
  CHECK(cut->schedules_run == 4);
  CHECK_FALSE(cut->exhaustive_complete);
}

TEST_CASE("calm verify: exit codes, the table, and replaying a witness") {
  Fixture f;
  std::string scenario = (f.dir.path() / "s.scenario.json").string();
  auto r = calm::test::run_command(std::string("'") + CALM_BINARY + "' verify --scenario '" +
                                   scenario + "' --schedules 30 2>&1");
  CAPTURE(r.out);
  CHECK(r.status == 1);  // arrivals is unsound
  CHECK(r.out.find("UNSOUND: server.arrivals") != std::string::npos);
  CHECK(r.out.find("witness: server.current") != std::string::npos);
  CHECK(r.out.find("point of order: write_chan -> register") != std::string::npos);
  auto at = r.out.find("replay: calm run --scenario ");
  REQUIRE(at != std::string::npos);
  std::string cmd = r.out.substr(at + 8, r.out.find('\n', at) - at - 8);
  auto replayed = calm::test::run_command("'" + std::string(CALM_BINARY) + "'" + cmd.substr(4) +
                                          " --record current 2>&1");
  CHECK(replayed.status == 0);
  CHECK(replayed.out.find("current (1)") != std::string::npos);

  auto json = calm::test::run_command(std::string("'") + CALM_BINARY + "' verify --scenario '" +
                                      scenario + "' --schedules 10 --format json");
  CHECK(json.out.find("\"format\": \"calm-verify/1\"") != std::string::npos);
  CHECK(json.out.find("\"sound\": false") != std::string::npos);

  auto bad = calm::test::run_command(std::string("'") + CALM_BINARY +
                                     "' verify --scenario /nonexistent.json 2>&1");
  CHECK(bad.status == 2);
  auto usage = calm::test::run_command(std::string("'") + CALM_BINARY + "' verify 2>&1");
  CHECK(usage.status == 2);
  auto zero = calm::test::run_command(std::string("'") + CALM_BINARY + "' verify --scenario '" +
                                      scenario + "' --schedules 0 2>&1");
  CHECK(zero.status == 2);
}
