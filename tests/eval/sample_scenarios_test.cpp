// Every sample's scenario (samples/**/<name>.scenario.json) runs, and every expectation
// it states holds; the scenarios follow docs/scenario.schema.json.

#include <doctest/doctest.h>

#include <filesystem>

#include "eval/scenario.h"
#include "eval/simulation.h"
#include "eval/trace.h"
#include "support/run_command.h"
#include "support/sample_files.h"
#include "verify/program_loading.h"

namespace fs = std::filesystem;
using namespace calm;
using namespace calm::eval;

TEST_CASE("samples: every scenario runs and its expectations hold") {
  auto scenarios = calm::test::sample_scenarios();
  CHECK(scenarios.size() >= 10);
  for (const auto& path : scenarios) {
    CAPTURE(path);
    Diagnostics diags;
    auto sc = read_scenario(path, diags);
    REQUIRE(sc);
    ScenarioPrograms programs;
    bool loaded =
        programs.load(*sc, load_with_front_ends, diags) && check_scenario(*sc, programs, diags);
    std::string errors;
    for (const auto& d : diags.sorted())
      if (d.severity == Severity::Error) errors += to_string(d.location) + ": " + d.message + "\n";
    CAPTURE(errors);
    REQUIRE(loaded);
    auto sim = Simulation::create(*sc, programs, {}, diags);
    for (const auto& d : diags.sorted())
      if (d.severity == Severity::Error) errors += to_string(d.location) + ": " + d.message + "\n";
    REQUIRE(sim);
    auto outcome = sim->run();
    for (const auto& d : outcome.diagnostics.sorted())
      errors += to_string(d.location) + ": " + d.message + "\n";
    CHECK(outcome.ok);
    CHECK(!sc->expect.empty());
    for (const auto& r : outcome.expectations) {
      std::string detail = "expectation " + std::to_string(r.index) + " of " +
                           sc->nodes[sc->expect[r.index].node].name + "." +
                           sc->expect[r.index].collection;
      for (const auto& t : r.missing) detail += "\n missing " + inspect(t);
      for (const auto& t : r.unexpected) detail += "\n unexpected " + inspect(t);
      CAPTURE(detail);
      CHECK(r.held);
    }
  }
}

TEST_CASE("samples: reusing results (memos, skipped timesteps) changes no run") {
  // Each scenario under three seeds, with NodeOptions::reuse_results and without: the
  // traces (every node's inputs, deliveries, contents and sends at every timestep) are
  // the same, byte for byte.
  size_t skipped = 0;
  for (const auto& path : calm::test::sample_scenarios()) {
    CAPTURE(path);
    Diagnostics diags;
    auto sc = read_scenario(path, diags);
    REQUIRE(sc);
    ScenarioPrograms programs;
    REQUIRE(
        (programs.load(*sc, load_with_front_ends, diags) && check_scenario(*sc, programs, diags)));
    for (uint64_t seed : {1, 2, 3}) {
      CAPTURE(seed);
      std::string traces[2];
      for (int reuse = 0; reuse < 2; ++reuse) {
        SimulationOptions so;
        so.seed = seed;
        so.drain_steps = 20;
        so.reuse_results = reuse == 1;
        auto sim = Simulation::create(*sc, programs, so, diags);
        REQUIRE(sim);
        TraceRecorder trace(*sc, programs);
        auto outcome = sim->run(&trace);
        traces[reuse] = trace.finish(*sim, outcome).dump(1);
        if (reuse)
          for (size_t i = 0; i < sim->node_count(); ++i) skipped += sim->node(i).skipped_steps();
      }
      CHECK(traces[0] == traces[1]);
    }
  }
  CHECK(skipped > 0);  // the idle timesteps of the drain were skipped, not run
}

TEST_CASE("samples: scenarios validate against docs/scenario.schema.json") {
  if (calm::test::run_command("python3 -c 'import jsonschema' 2>/dev/null").status != 0) {
    MESSAGE("skipped: python3-jsonschema is not installed (scripts/deps.sh installs it in CI)");
    return;
  }
  std::string files;
  for (const auto& p : calm::test::sample_scenarios()) files += " '" + p + "'";
  auto r = calm::test::run_command(
      "python3 -c 'import json, sys, jsonschema\n"
      "schema = json.load(open(sys.argv[1]))\n"
      "jsonschema.Draft202012Validator.check_schema(schema)\n"
      "v = jsonschema.Draft202012Validator(schema)\n"
      "bad = 0\n"
      "for f in sys.argv[2:]:\n"
      "    for e in v.iter_errors(json.load(open(f))):\n"
      "        bad += 1; print(f, list(e.path), e.message)\n"
      "print(\"invalid:\", bad)' '" +
      std::string(CALM_SOURCE_DIR) + "/docs/scenario.schema.json'" + files + " 2>&1");
  CAPTURE(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("invalid: 0") != std::string::npos);
}
