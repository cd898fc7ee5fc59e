// Scenarios and the multi-node simulation: parsing with located errors, checking against
// the programs, seeded delivery (delays, loss, duplication), periodics, quiescence,
// expectations and byte-identical traces.

#include "eval/scenario.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "eval/scenario_json.h"
#include "eval/simulation.h"
#include "eval/trace.h"
#include "support/chat_program.h"
#include "support/temp_dir.h"
#include "verify/program_loading.h"

using namespace calm;
using namespace calm::eval;
using calm::test::TempDir;

namespace {

/// A sender that ships each `job` to the worker named in it, and a worker that counts
/// what it received.
constexpr const char* kPingProgram = R"(
module Ping
  state do
    interface input, :job, [:to, :id] => [:payload]
    channel :work, [:@to, :from, :id] => [:payload]
    table :done, [:id] => [:payload]
    table :seen_order, [:id, :at]
  end
  bloom do
    work <~ job { |j| [j.to, ip_port, j.id, j.payload] }
    done <= work { |w| [w.id, w.payload] }
    seen_order <= work { |w| [w.id, budtime] }
  end
end
)";

std::string node_json(const std::string& name, const std::string& file, const std::string& module) {
  return R"({"name": ")" + name + R"(", "program": {"files": [")" + file + R"("], "modules": [")" +
         module + R"("]}})";
}

struct Run {
  std::optional<Scenario> scenario;
  ScenarioPrograms programs;
  Diagnostics diags;
  std::unique_ptr<Simulation> sim;
  SimulationOutcome outcome;
  std::string trace;
};

/// Parses, loads, checks and runs a scenario; `run->sim` is null when any stage failed.
std::unique_ptr<Run> run_scenario(const TempDir& dir, const std::string& json,
                                  SimulationOptions options = {}) {
  auto r = std::make_unique<Run>();
  std::string path = dir.write("s.scenario.json", json);
  r->scenario = read_scenario(path, r->diags);
  if (!r->scenario || !r->programs.load(*r->scenario, load_with_front_ends, r->diags) ||
      !check_scenario(*r->scenario, r->programs, r->diags))
    return r;
  r->sim = Simulation::create(*r->scenario, r->programs, options, r->diags);
  if (!r->sim) return r;
  TraceRecorder trace(*r->scenario, r->programs);
  r->outcome = r->sim->run(&trace);
  r->trace = trace.finish(*r->sim, r->outcome).dump(1);
  return r;
}

std::string first_error(const Diagnostics& d) {
  for (const auto& x : d.sorted())
    if (x.severity == Severity::Error) return to_string(x.location) + ": " + x.message;
  return "";
}

std::string ping_scenario(const std::string& network, int jobs, int steps = 10) {
  std::string inputs;
  for (int i = 0; i < jobs; ++i)
    inputs += std::string(i ? ", " : "") + R"(["b", )" + std::to_string(i) + R"(, "p)" +
              std::to_string(i) + R"("])";
  return R"({"nodes": [)" + node_json("a", "ping.rb", "Ping") + ", " +
         node_json("b", "ping.rb", "Ping") + R"(], "steps": )" + std::to_string(steps) +
         (network.empty() ? "" : R"(, "network": )" + network) +
         R"(, "inputs": [{"node": "a", "facts": {"job": [)" + inputs + "]}}]}";
}

std::vector<int64_t> arrival_steps(const Simulation& sim) {
  std::vector<int64_t> at;
  for (const auto& t : sim.node(1).contents("seen_order")) at.push_back(t[1].as_int());
  return at;
}

}  // namespace

TEST_CASE("scenario: syntax and shape errors are located at the JSON value") {
  TempDir dir("scenario-errors");
  dir.write("ping.rb", kPingProgram);
  struct Case {
    std::string json;
    std::string where;    ///< "line:col"
    std::string message;  ///< a part of the message
  };
  std::vector<Case> cases = {
      {"{\"nodes\": [\n  {\"name\": \"a\",, }]}", "2:16", "expected a string key"},
      {"[1, 2]", "1:1", "a scenario is a JSON object"},
      {R"({"nodes": [{"name": "a", "program": {"files": ["ping.rb"]}}], "steps": 2, "stpes": 3})",
       "1:84", "unknown key \"stpes\""},
      {R"({"nodes": [{"name": "a", "program": {"files": ["ping.rb"]}}]})", "1:1",
       "missing \"steps\""},
      {R"({"nodes": [{"name": "a", "program": {"files": ["ping.rb"]}}], "steps": -1})", "1:72",
       "expected an integer from 0"},
      {R"({"nodes": [{"name": "a", "program": {"files": []}}], "steps": 1})", "1:47",
       "at least one file"},
      {R"({"nodes": [{"name": "a", "program": {"files": ["ping.rb"]}}, {"name": "a", "program": {"files": ["ping.rb"]}}], "steps": 1})",
       "1:71", "duplicate node name"},
      {R"({"nodes": [{"name": "a", "program": {"files": ["ping.rb"]}}, {"name": "b", "program": {"files": ["ping.rb"]}}], "steps": 1, "inputs": [{"node": "c", "facts": {}}]})",
       "1:145", "unknown node \"c\" (nodes: a, b)"},
      {R"({"nodes": [{"name": "a", "program": {"files": ["ping.rb"]}}, {"name": "b", "program": {"files": ["ping.rb"]}}], "steps": 1, "inputs": [{"facts": {}}]})",
       "1:136", "name one with \"node\""},
      {R"({"nodes": [{"name": "a", "program": {"files": ["ping.rb"]}}], "steps": 1, "network": {"min_delay": 3, "max_delay": 2}})",
       "1:116", "max_delay is smaller than min_delay"},
      {R"({"nodes": [{"name": "a", "program": {"files": ["ping.rb"]}}], "steps": 1, "inputs": [{"facts": {"job": [{"x": 1}]}}]})",
       "1:105", "a fact is an array"},
      {R"({"nodes": [{"name": "a", "program": {"files": ["ping.rb"]}}], "steps": 1, "inputs": [{"facts": {"job": [[{"x": 1}]]}}]})",
       "1:105", "unsupported JSON value"},
      {std::string(1001, '[') + std::string(1001, ']'), "1:1001",
       "nested too deeply (more than 1000 levels)"},
      {"{\"nodes\": \"\\ud800\"}", "1:18", "unpaired surrogate"},
      {"{\"nodes\":\n  \"\xff\"}", "2:4", "UTF-8"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.json);
    Diagnostics diags;
    std::string path = dir.write("bad.scenario.json", c.json);
    auto s = read_scenario(path, diags);
    CHECK_FALSE(s);
    std::string err = first_error(diags);
    CAPTURE(err);
    CHECK(err.find(path + ":" + c.where + ": ") == 0);
    CHECK(err.find(c.message) != std::string::npos);
    for (const auto& d : diags.items()) CHECK(d.check == "calm-bad-scenario");
  }
}

TEST_CASE("scenario: parse_scenario refuses invalid UTF-8 at its position") {
  Diagnostics diags;
  CHECK_FALSE(parse_scenario("{\"nodes\": [\n \"a\xc3(\"]}", "s.json", diags));
  CHECK(first_error(diags) == "s.json:2:4: invalid JSON: the text is not valid UTF-8");
}

TEST_CASE("scenario: facts, records and expectations are checked against the programs") {
  TempDir dir("scenario-check");
  dir.write("ping.rb", kPingProgram);
  auto unknown =
      run_scenario(dir, R"({"nodes": [{"name": "a", "program": {"files": ["ping.rb"]}}], "steps": 1,
  "inputs": [{"facts": {"jbo": [["b", 1, "x"]]}}]})");
  CHECK_FALSE(unknown->sim);

  CHECK(first_error(unknown->diags)
            .find(":2:33: node 'a': program Ping has no collection 'jbo'; "
                  "did you mean 'job'?") != std::string::npos);
  auto arity =
      run_scenario(dir, R"({"nodes": [{"name": "a", "program": {"files": ["ping.rb"]}}], "steps": 1,
  "inputs": [{"facts": {"job": [["b", 1]]}}]})");
  CHECK_FALSE(arity->sim);
  CHECK(first_error(arity->diags)
            .find(":2:33: node 'a': a fact of 'job' has 2 columns; the collection has 3 [to, id "
                  "=> payload]: [\"b\", 1]") != std::string::npos);
  auto record = run_scenario(
      dir,
      R"({"nodes": [{"name": "a", "program": {"files": ["ping.rb"]}, "record": ["dnoe"]}], "steps": 1})");
  CHECK(first_error(record->diags).find("no collection 'dnoe'; did you mean 'done'?") !=
        std::string::npos);
  auto missing = run_scenario(
      dir, R"({"nodes": [{"name": "a", "program": {"files": ["nope.rb"]}}], "steps": 1})");
  CHECK_FALSE(missing->sim);
  CHECK(first_error(missing->diags).find("nope.rb") != std::string::npos);
  auto two = run_scenario(
      dir, R"({"nodes": [{"name": "a", "program": {"files": ["two.rb"]}}], "steps": 1})");
  (void)two;
  dir.write("two.rb",
            "module A\n  state do\n    table :x\n  end\nend\nmodule B\n  state do\n    table :y\n  "
            "end\nend\n");
  auto ambiguous = run_scenario(
      dir, R"({"nodes": [{"name": "a", "program": {"files": ["two.rb"]}}], "steps": 1})");
  CHECK(first_error(ambiguous->diags).find("the files define 2 programs (A, B)") !=
        std::string::npos);
}

TEST_CASE("simulation: messages cross the network with seeded delays") {
  TempDir dir("scenario-network");
  dir.write("ping.rb", kPingProgram);
  SUBCASE("default network: everything arrives at the next timestep") {
    auto r = run_scenario(dir, ping_scenario("", 5));
    REQUIRE(r->sim);
    CHECK(r->outcome.ok);
    CHECK(r->outcome.messages_sent == 5);
    CHECK(arrival_steps(*r->sim) == std::vector<int64_t>{1, 1, 1, 1, 1});
    CHECK(r->sim->node(1).contents("done").size() == 5);
    CHECK(r->sim->node(0).contents("done").empty());
  }
  SUBCASE("delays from 1 to 4: the same seed gives the same schedule and trace") {
    std::string sc = ping_scenario(R"({"min_delay": 1, "max_delay": 4})", 20);
    SimulationOptions seven;
    seven.seed = 7;
    auto a = run_scenario(dir, sc, seven);
    auto b = run_scenario(dir, sc, seven);
    REQUIRE(a->sim);
    REQUIRE(b->sim);
    CHECK(a->trace == b->trace);
    auto steps = arrival_steps(*a->sim);
    CHECK(steps.size() == 20);
    CHECK(*std::min_element(steps.begin(), steps.end()) >= 1);
    CHECK(*std::max_element(steps.begin(), steps.end()) <= 4);
    CHECK(std::set<int64_t>(steps.begin(), steps.end()).size() > 1);  // reordered
    SimulationOptions eight;
    eight.seed = 8;
    auto c = run_scenario(dir, sc, eight);
    REQUIRE(c->sim);
    CHECK(arrival_steps(*c->sim) != steps);
    CHECK(c->trace != a->trace);
    CHECK(c->sim->node(1).contents("done") == a->sim->node(1).contents("done"));
  }
  SUBCASE("loss drops messages, duplication delivers copies") {
    auto lost = run_scenario(dir, ping_scenario(R"({"loss": 1})", 4));
    REQUIRE(lost->sim);
    CHECK(lost->outcome.messages_lost == 4);
    CHECK(lost->sim->node(1).contents("done").empty());
    CHECK(lost->trace.find("\"fate\": \"lost\"") != std::string::npos);
    auto dup =
        run_scenario(dir, ping_scenario(R"({"duplicate": 1, "min_delay": 1, "max_delay": 3})", 4));
    REQUIRE(dup->sim);
    CHECK(dup->outcome.messages_duplicated == 4);
    CHECK(dup->sim->node(1).contents("done").size() == 4);
    // A copy that arrives in another timestep is seen twice.
    CHECK(dup->sim->node(1).contents("seen_order").size() > 4);
  }
  SUBCASE("a message to an address no node has is dropped with a warning") {
    std::string sc = R"({"nodes": [)" + node_json("a", "ping.rb", "Ping") +
                     R"(], "steps": 3, "inputs": [{"facts": {"job": [["nowhere", 1, "x"]]}}]})";
    auto r = run_scenario(dir, sc);
    REQUIRE(r->sim);
    CHECK(r->outcome.ok);
    bool warned = false;
    for (const auto& d : r->outcome.diagnostics.items())
      warned |= d.check == "calm-eval-undeliverable" &&
                d.message.find("\"nowhere\"") != std::string::npos;
    CHECK(warned);
    CHECK(r->trace.find("\"fate\": \"undeliverable\"") != std::string::npos);
  }
}

TEST_CASE("simulation: a run's decisions, and which seeds make them") {
  TempDir dir("scenario-draws");
  dir.write("ping.rb", kPingProgram);
  std::string net = R"({"min_delay": 1, "max_delay": 3, "loss": 0.25, "duplicate": 0.25})";
  std::string sc = ping_scenario(net, 12);
  SimulationOptions seven;
  seven.seed = 7;
  auto a = run_scenario(dir, sc, seven);
  REQUIRE(a->sim);
  CHECK(a->sim->repeatable());
  const auto& draws = a->sim->draws();
  // Per message: a delay, a loss chance, a duplication chance, and a delay per copy.
  CHECK(draws.size() == 3 * 12 + a->outcome.messages_duplicated);
  size_t delays = 0, yes = 0;
  for (size_t k = 0; k < draws.size(); ++k) {
    // The k-th decision is what the generator seeded with 7 gives as its k-th draw.
    CHECK(draws[k].decide(7, k) == draws[k].value);
    if (draws[k].kind == Draw::Delay) {
      ++delays;
      CHECK((draws[k].value >= 1 && draws[k].value <= 3));
    } else {
      yes += size_t(draws[k].value);
    }
  }
  CHECK(delays == 12 + a->outcome.messages_duplicated);
  CHECK(yes == a->outcome.messages_lost + a->outcome.messages_duplicated);
  // Another seed decides otherwise somewhere.
  bool differs = false;
  for (size_t k = 0; k < draws.size(); ++k) differs |= draws[k].decide(8, k) != draws[k].value;
  CHECK(differs);

  SUBCASE("one delay to choose from is no decision") {
    auto one = run_scenario(dir, ping_scenario(R"({"min_delay": 2, "max_delay": 2})", 5));
    REQUIRE(one->sim);
    CHECK(one->sim->draws().empty());
    CHECK(one->sim->repeatable());
  }
  SUBCASE("clock jitter and rand make a run depend on its seed otherwise") {
    std::string jitter = R"({"nodes": [)" + node_json("a", "ping.rb", "Ping") +
                         R"(], "steps": 3, "clock": {"jitter": 0.1}})";
    auto j = run_scenario(dir, jitter);
    REQUIRE(j->sim);
    CHECK_FALSE(j->sim->repeatable());
    dir.write("dice.rb", R"(
module Dice
  state do
    interface input, :roll, [:id]
    table :rolled, [:id] => [:value]
  end
  bloom do
    rolled <= roll { |r| [r.id, rand(6)] }
  end
end
)");
    std::string dice = R"({"nodes": [)" + node_json("a", "dice.rb", "Dice") +
                       R"(], "steps": 2, "inputs": [{"facts": {"roll": [[1]]}}]})";
    auto d = run_scenario(dir, dice);
    REQUIRE(d->sim);
    CHECK(d->sim->draws().empty());
    CHECK_FALSE(d->sim->repeatable());
    std::string idle = R"({"nodes": [)" + node_json("a", "dice.rb", "Dice") + R"(], "steps": 2})";
    auto i = run_scenario(dir, idle);  // rand is in the program but never called
    REQUIRE(i->sim);
    CHECK(i->sim->repeatable());
  }
}

TEST_CASE("simulation: periodics fire on the simulated clock") {
  TempDir dir("scenario-periodic");
  dir.write("tick.rb", R"(
module Tick
  state do
    periodic :clock, 2
    table :ticks, [:n, :at]
  end
  bloom do
    ticks <= clock { |c| [c.ident, c.time] }
  end
end
)");
  auto r = run_scenario(dir, R"({"nodes": [{"name": "t", "program": {"files": ["tick.rb"]}}],
    "steps": 9, "clock": {"seconds_per_step": 1}})");
  REQUIRE(r->sim);
  const auto& ticks = r->sim->node(0).contents("ticks");
  // The clock reads 0, 1, ..., 8 at the start of the steps: firings at 2, 4, 6 and 8.
  REQUIRE(ticks.size() == 4);
  std::vector<double> at;
  for (const auto& t : ticks) at.push_back(t[1].as_float());
  CHECK(at == std::vector<double>{2, 4, 6, 8});
  auto fast = run_scenario(dir, R"({"nodes": [{"name": "t", "program": {"files": ["tick.rb"]}}],
    "steps": 9, "clock": {"seconds_per_step": 4}})");
  REQUIRE(fast->sim);
  CHECK(fast->sim->node(0).contents("ticks").size() == 8);  // at most once per step
  auto quiet = run_scenario(dir, R"({"nodes": [{"name": "t", "program": {"files": ["tick.rb"]}}],
    "steps": 20, "until_quiescent": true})");
  REQUIRE(quiet->sim);
  CHECK_FALSE(quiet->outcome.ok);
  CHECK(first_error(quiet->outcome.diagnostics)
            .find("did not quiesce within 20 timesteps "
                  "(periodics keep firing)") != std::string::npos);
}

namespace {
std::string show_set(const TupleSet& s) {
  std::string out;
  for (const auto& t : s) out += inspect(t) + ";";
  return out;
}
}  // namespace

TEST_CASE("scenario: the clock's epoch sets Time.now; {\"time\": s} facts are Times") {
  TempDir dir("scenario-epoch");
  dir.write("stamp.rb", R"(
module Stamp
  state do
    table :at, [:t]
    table :given, [:t]
    scratch :later, [:yes]
  end
  bloom do
    at <= [[Time.now.to_i]]
    later <= given { |g| [g.t > Time.at(0)] }
  end
end
)");
  auto r = run_scenario(dir, R"({"nodes": [{"name": "s", "program": {"files": ["stamp.rb"]}}],
    "steps": 2, "clock": {"epoch": 100},
    "inputs": [{"step": 1, "facts": {"given": [[{"time": 5}]]}}]})");
  REQUIRE(r->sim);
  CHECK(show_set(r->sim->node(0).contents("at")) == "[100];[101];");
  CHECK(show_set(r->sim->node(0).contents("given")) == "[1970-01-01 00:00:05 UTC];");
  CHECK(show_set(r->sim->node(0).contents("later")) == "[true];");
  CHECK(value_to_json(Value::time(5)).dump() == R"({"time":5})");
  Value v;
  std::string error;
  CHECK_FALSE(json_to_value(nlohmann::json::parse(R"({"time": 1e300})"), v, error));
  CHECK(error.find("a time more than 10^15 seconds from 1970") == 0);
}

TEST_CASE("simulation: until_quiescent stops once nothing can change") {
  TempDir dir("scenario-quiet");
  dir.write("ping.rb", kPingProgram);
  std::string sc = ping_scenario(R"({"min_delay": 2, "max_delay": 2})", 3, 50);
  sc.insert(sc.size() - 1, R"(, "until_quiescent": true)");
  auto r = run_scenario(dir, sc);
  REQUIRE(r->sim);
  CHECK(r->outcome.ok);
  CHECK(r->outcome.quiesced);
  // Sent at 0, arriving at 2; at 3 the channel empties; 4 is the first step with no change.
  CHECK(r->outcome.steps_run == 5);
  CHECK(r->sim->node(1).contents("done").size() == 3);
}

TEST_CASE("simulation: expectations report missing and unexpected facts") {
  TempDir dir("scenario-expect");
  dir.write("ping.rb", kPingProgram);
  std::string sc = ping_scenario("", 2, 3);
  sc.insert(sc.size() - 1, R"(, "expect": [
    {"node": "b", "collection": "done", "contents": [[0, "p0"], [1, "p1"]]},
    {"node": "b", "collection": "done", "step": 0, "contents": []},
    {"node": "b", "collection": "done", "contents": [[0, "p0"], [5, "p5"]]},
    {"node": "b", "collection": "done", "subset": true, "contents": [[1, "p1"]]},
    {"node": "b", "collection": "done", "step": 9, "contents": []}])");
  auto r = run_scenario(dir, sc);
  REQUIRE(r->sim);
  REQUIRE(r->outcome.expectations.size() == 5);
  CHECK(r->outcome.expectations[0].held);
  CHECK(r->outcome.expectations[1].held);
  CHECK_FALSE(r->outcome.expectations[2].held);
  CHECK(r->outcome.expectations[2].missing ==
        std::vector<Tuple>{{Value::integer(5), Value::string("p5")}});
  CHECK(r->outcome.expectations[2].unexpected ==
        std::vector<Tuple>{{Value::integer(1), Value::string("p1")}});
  CHECK(r->outcome.expectations[3].held);
  CHECK_FALSE(r->outcome.expectations[4].held);  // step 9 never ran
}

TEST_CASE("simulation: a lattice's value is expected with \"value\"") {
  TempDir dir("scenario-lattice");
  dir.write("votes.rb", R"(
module Votes
  state do
    interface input, :vote, [:who]
    table :plain, [:who]
    lset :voters
    lmax :count
    lbool :enough
  end
  bloom do
    voters <= vote { |v| [v.who] }
    count <= voters.size
    enough <= count.gt_eq(2)
    plain <= vote
  end
end
)");
  auto scenario = [](const std::string& expect) {
    return R"({"nodes": [{"name": "n", "program": {"files": ["votes.rb"]}}], "steps": 3,
  "inputs": [{"step": 0, "facts": {"vote": [["ann"]]}}, {"step": 1, "facts": {"vote": [["bo"]]}}],
  "expect": [)" +
           expect + "]}";
  };
  auto r = run_scenario(dir, scenario(R"({"collection": "voters", "step": 0, "value": ["ann"]},
    {"collection": "count", "step": 0, "value": 1},
    {"collection": "enough", "step": 0, "value": false},
    {"collection": "voters", "value": ["bo", "ann"]},
    {"collection": "count", "value": 2},
    {"collection": "enough", "value": true},
    {"collection": "count", "value": 3})"));
  REQUIRE(r->sim);
  REQUIRE(r->outcome.expectations.size() == 7);
  for (size_t i = 0; i < 6; ++i) {
    CAPTURE(i);
    CHECK(r->outcome.expectations[i].held);
  }
  CHECK_FALSE(r->outcome.expectations[6].held);
  REQUIRE(r->outcome.expectations[6].missing.size() == 1);
  CHECK(inspect(r->outcome.expectations[6].missing[0]) == "[<lmax: 3>]");
  CHECK(inspect(r->outcome.expectations[6].unexpected.at(0)) == "[<lmax: 2>]");

  // Located refusals: "value" of a set collection, a value its lattice type refuses,
  // and "contents" with "value".
  auto table = run_scenario(dir, scenario(R"({"collection": "plain", "value": 1})"));
  CHECK_FALSE(table->sim);
  CHECK(first_error(table->diags)
            .find(":3:47: node 'n': \"value\" is for lattice collections; 'plain' is a table: "
                  "use \"contents\"") != std::string::npos);
  auto bad = run_scenario(dir, scenario(R"({"collection": "enough", "value": [1]})"));
  CHECK_FALSE(bad->sim);
  CHECK(first_error(bad->diags).find(":3:48: node 'n': \"value\" of 'enough' (lbool): ") !=
        std::string::npos);
  auto both =
      run_scenario(dir, scenario(R"({"collection": "count", "value": 1, "contents": [[1]]})"));
  CHECK_FALSE(both->sim);
  CHECK(first_error(both->diags).find("either \"contents\" (and \"subset\") or \"value\"") !=
        std::string::npos);
}

TEST_CASE("scenario: instance variables a program's initialize would set, per node") {
  TempDir dir("scenario-ivars");
  dir.write("chat.rb", calm::eval::testing::kChatProgram);
  auto scenario = [](const std::string& alice, const std::string& hub) {
    return R"({"nodes": [
  {"name": "alice", "program": {"files": ["chat.rb"]}, "instance_variables": )" +
           alice + R"(},
  {"name": "hub", "program": {"files": ["chat.rb"]}, "instance_variables": )" +
           hub + R"(}],
  "steps": 3, "inputs": [{"step": 0, "node": "alice", "facts": {"say": [["hi"]]}}],
  "expect": [{"node": "hub", "collection": "heard", "contents": [["alice", "hi"]]}]})";
  };
  auto r = run_scenario(dir, scenario(R"({"@server": "hub", "@nick": "alice"})",
                                      R"({"@server": "hub", "@nick": "hub"})"));
  REQUIRE(r->sim);
  REQUIRE(r->outcome.expectations.size() == 1);
  CHECK(r->outcome.expectations[0].held);

  auto missing = run_scenario(
      dir, scenario(R"({"@server": "hub", "@nick": "alice"})", R"({"@server": "hub"})"));
  CHECK_FALSE(missing->sim);
  CHECK(first_error(missing->diags)
            .find("chat.rb:9:34: node 'hub': unsupported construct instance variable '@nick'") !=
        std::string::npos);
  auto name = run_scenario(dir, scenario(R"({"server": "hub"})", R"({})"));
  CHECK(first_error(name->diags)
            .find(":2:89: \"server\" is not an instance variable name (write \"@name\")") !=
        std::string::npos);
  auto shape = run_scenario(dir, scenario(R"(["@server"])", R"({})"));
  CHECK(first_error(shape->diags)
            .find(":2:78: expected {\"@name\": value, ...}: the values of instance variables") !=
        std::string::npos);
}
