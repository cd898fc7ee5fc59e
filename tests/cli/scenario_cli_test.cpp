// `calm run --scenario` as a user runs it: exit codes, located errors, expectations,
// and byte-identical traces per seed.

#include <doctest/doctest.h>

#include "support/run_command.h"
#include "support/temp_dir.h"

using calm::test::run_command;
using calm::test::slurp;
using calm::test::TempDir;

namespace {

constexpr const char* kProgram = R"(
module Relay
  state do
    interface input, :job, [:to, :id]
    channel :work, [:@to, :id]
    table :done, [:id]
  end
  bloom do
    work <~ job
    done <= work { |w| [w.id] }
  end
end
)";

std::string scenario(const std::string& extra) {
  return R"({"nodes": [{"name": "a", "program": {"files": ["relay.rb"]}},
                      {"name": "b", "program": {"files": ["relay.rb"]}}],
  "steps": 8, "network": {"min_delay": 1, "max_delay": 4},
  "inputs": [{"node": "a", "facts": {"job": [["b", 1], ["b", 2], ["b", 3], ["b", 4]]}}])" +
         extra + "}";
}

std::string calm_cmd(const std::string& args) {
  return "'" + std::string(CALM_BINARY) + "' " + args;
}

}  // namespace

TEST_CASE("calm run --scenario: expectations, traces, errors") {
  TempDir dir("scenario-cli");
  dir.write("relay.rb", kProgram);
  std::string ok = dir.write("ok.scenario.json", scenario(R"(,
  "expect": [{"node": "b", "collection": "done", "contents": [[1], [2], [3], [4]]}])"));
  auto r = run_command(calm_cmd("run --scenario '" + ok + "' 2>&1"));
  CAPTURE(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("  node b\n    done (4)\n") != std::string::npos);
  CHECK(r.out.find("sent work to \"b\": [\"b\", 1] (arrives at ") != std::string::npos);
  CHECK(r.out.find("expectations: 1 of 1 held") != std::string::npos);

  // The same seed gives the same trace, byte for byte; another seed another schedule.
  std::string t1 = (dir.path() / "t1.json").string(), t2 = (dir.path() / "t2.json").string(),
              t3 = (dir.path() / "t3.json").string();
  CHECK(
      run_command(calm_cmd("run --scenario '" + ok + "' --seed 5 --trace '" + t1 + "' >/dev/null"))
          .status == 0);
  CHECK(
      run_command(calm_cmd("run --scenario '" + ok + "' --seed 5 --trace '" + t2 + "' >/dev/null"))
          .status == 0);
  CHECK(
      run_command(calm_cmd("run --scenario '" + ok + "' --seed 6 --trace '" + t3 + "' >/dev/null"))
          .status == 0);
  CHECK(!slurp(t1).empty());
  CHECK(slurp(t1) == slurp(t2));
  CHECK(slurp(t1) != slurp(t3));
  CHECK(slurp(t1).find("\"format\": \"calm-trace/1\"") != std::string::npos);

  // A failed expectation: exit 1, located, naming the missing fact.
  std::string wrong = dir.write("wrong.scenario.json", scenario(R"(,
  "expect": [{"node": "b", "collection": "done", "contents": [[1], [5]]}])"));
  auto w = run_command(calm_cmd("run --scenario '" + wrong + "' 2>&1 >/dev/null"));
  CAPTURE(w.out);
  CHECK(w.status == 1);
  CHECK(w.out.find(wrong + ":5:14: error: expectation failed: node 'b', done at the end") !=
        std::string::npos);
  CHECK(w.out.find("missing    [5]") != std::string::npos);
  CHECK(w.out.find("unexpected [2]") != std::string::npos);

  // A bad scenario: exit 2, located, and no output file left behind.
  std::string bad = dir.write("bad.scenario.json", scenario(R"(,
  "inputs2": [])"));
  std::string out = (dir.path() / "out.txt").string();
  auto b = run_command(calm_cmd("run --scenario '" + bad + "' -o '" + out + "' 2>&1"));
  CHECK(b.status == 2);
  CHECK(b.out.find(bad + ":5:14: error: unknown key \"inputs2\"") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  std::string arity = dir.write("arity.scenario.json",
                                R"({"nodes": [{"name": "a", "program": {"files": ["relay.rb"]}}],
  "steps": 1, "inputs": [{"facts": {"job": [["b"]]}}]})");
  auto a = run_command(calm_cmd("run --scenario '" + arity + "' 2>&1"));
  CHECK(a.status == 2);
  CHECK(a.out.find(arity + ":2:45: error: node 'a': a fact of 'job' has 1 column;") !=
        std::string::npos);
  auto missing =
      run_command(calm_cmd("run --scenario '" + (dir.path() / "nope.json").string() + "' 2>&1"));
  CHECK(missing.status == 2);
  auto neither = run_command(calm_cmd("run 2>&1"));
  CHECK(neither.status == 2);
  CHECK(neither.out.find("name a scenario (--scenario S.json) or the program FILES") !=
        std::string::npos);

  // A key conflict at run time: exit 2, naming the node and the timestep.
  dir.write("kv.rb", R"(
module KV
  state do
    interface input, :put, [:k, :v]
    table :store, [:k] => [:v]
  end
  bloom do
    store <= put
  end
end
)");
  std::string conflict = dir.write("conflict.scenario.json",
                                   R"({"nodes": [{"name": "kv", "program": {"files": ["kv.rb"]}}],
  "steps": 2, "inputs": [{"step": 1, "facts": {"put": [["x", 1], ["x", 2]]}}]})");
  auto c = run_command(calm_cmd("run --scenario '" + conflict + "' 2>&1"));
  CAPTURE(c.out);
  CHECK(c.status == 2);
  CHECK(c.out.find("node 'kv', timestep 1: ") != std::string::npos);
  CHECK(c.out.find("key conflict") != std::string::npos);
}

TEST_CASE("calm verify with several scenarios: side by side, reported in order") {
  TempDir dir("verify-many");
  dir.write("relay.rb", kProgram);
  std::string one = dir.write("one.scenario.json", scenario(""));
  std::string two = dir.write("two.scenario.json", scenario(R"(, "seed": 9)"));
  std::string bad = dir.write("bad.scenario.json", R"({"nodes": 3})");
  auto single = [&](const std::string& s) {
    return run_command(calm_cmd("verify --schedules 20 --scenario '" + s + "'"));
  };
  auto a = single(one), b = single(two);
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);

  // Each report as verify prints it alone, in the order given, then one summary line.
  auto both = run_command(
      calm_cmd("verify --schedules 20 --jobs 2 --scenario '" + two + "' --scenario '" + one + "'"));
  CAPTURE(both.out);
  CHECK(both.status == 0);
  CHECK(both.out == b.out + "\n" + a.out + "\n2 scenarios: 2 sound, 0 unsound\n");

  // JSON: an array of the reports.
  auto json = run_command(calm_cmd("verify --schedules 20 --format json --scenario '" + one +
                                   "' --scenario '" + two + "'"));
  CHECK(json.status == 0);
  CHECK(json.out.rfind("[\n  {", 0) == 0);
  CHECK(json.out.find("\"scenario\": \"" + one) < json.out.find("\"scenario\": \"" + two));

  // A scenario that cannot run: its errors, the others still verified, exit 2.
  auto with_bad = run_command(
      calm_cmd("verify --schedules 20 --scenario '" + one + "' --scenario '" + bad + "' 2>&1"));
  CAPTURE(with_bad.out);
  CHECK(with_bad.status == 2);
  CHECK(with_bad.out.find(bad + ":1:1: error: missing \"steps\"") != std::string::npos);
  CHECK(with_bad.out.find(a.out) != std::string::npos);
  CHECK(with_bad.out.find("2 scenarios: 1 sound, 0 unsound, 1 not verified") != std::string::npos);

  // FILES -m replace the program of one scenario only.
  auto files = run_command(calm_cmd("verify --scenario '" + one + "' --scenario '" + two + "' '" +
                                    (dir.path() / "relay.rb").string() + "' -m Relay 2>&1"));
  CHECK(files.status == 2);
  CHECK(files.out.find("name one --scenario") != std::string::npos);
}
