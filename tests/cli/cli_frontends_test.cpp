// The calm executable on Dedalus and IR input: every command that reads programs
// (model, report, graph, html, check) works on .ded and .calm.json files, --lang picks
// the front end, bad input is a located error with exit status 2.

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "support/dedalus_support.h"
#include "support/run_command.h"

namespace calm::test {
namespace {

namespace fs = std::filesystem;

/// Runs calm from the source directory, stderr merged into the output.
CommandResult calm(const std::string& args) {
  return run_command("cd '" + source_dir() + "' && '" + std::string(CALM_BINARY) + "' " + args +
                     " 2>&1");
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("calm-fe-" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST_CASE("calm check, report, graph, html and model read Dedalus files") {
  TempDir tmp;
  auto check = calm("check samples/dedalus/basic_kvs.ded");
  CHECK(check.status == 1);  // the temporal cluster
  // One node: the deletion is resolved by stratification (calm-local-point-of-order).
  CHECK(check.out.find("samples/dedalus/basic_kvs.ded:17:20: note: non-monotonic rule: prev "
                       "-> kvstate") != std::string::npos);
  CHECK(check.out.find("kvstate(K, V)@next :- kvstate(K, V), notin prev(K, V);") !=
        std::string::npos);
  CHECK(calm("check samples/dedalus/reachability.ded").status == 0);

  auto report = calm("report samples/dedalus/shortest_paths.ded -o '" + (tmp / "r.json") + "'");
  CHECK(report.status == 0);
  auto doc = nlohmann::json::parse(read_text(tmp / "r.json"));
  CHECK(doc["programs"][0]["name"] == "shortest_paths");
  CHECK(doc["programs"][0]["points_of_order"].size() == 2);

  CHECK(calm("graph samples/dedalus/disorderly_cart.ded -o '" + (tmp / "g.dot") + "'").status == 0);
  CHECK(read_text(tmp / "g.dot").find("action_cnt") != std::string::npos);
  CHECK(calm("html samples/dedalus/disorderly_cart.ded -o '" + (tmp / "c.html") + "'").status == 0);
  CHECK(read_text(tmp / "c.html").find("kept(S, I, N) :- added(S, I, N)") != std::string::npos);

  auto model = calm("model samples/dedalus/basic_kvs.ded");
  CHECK(model.status == 0);
  CHECK(model.out.find("table kvstate [key] => [value]") != std::string::npos);
}

TEST_CASE("calm model --format json output is IR input, and prints back the same bytes") {
  TempDir tmp;
  for (const std::string sample : {"samples/dedalus/basic_kvs.ded", "samples/kvs/kvs.rb",
                                   "samples/syndicate/box_and_client.rkt"}) {
    CAPTURE(sample);
    const std::string ir = tmp / "model.calm.json";
    REQUIRE(calm("model " + sample + " --format json -o '" + ir + "'").status == 0);
    auto again = calm("model '" + ir + "' --format json");
    CHECK(again.status == 0);
    CHECK(again.out == read_text(ir));
  }
  const std::string ir = tmp / "kvs.calm.json";
  REQUIRE(calm("model samples/dedalus/basic_kvs.ded --format json -o '" + ir + "'").status == 0);
  auto check = calm("check '" + ir + "'");
  CHECK(check.status == 1);
  CHECK(check.out.find("samples/dedalus/basic_kvs.ded:17:20: note: non-monotonic rule: prev "
                       "-> kvstate") != std::string::npos);
  // The IR points at the .ded file, which is there to quote.
  CHECK(check.out.find("kvstate(K, V)@next :- kvstate(K, V), notin prev(K, V);") !=
        std::string::npos);
  CHECK(calm("graph '" + ir + "' -o '" + (tmp / "g.svg") + "'").status == 0);
  // --lang ir reads any file name.
  fs::copy_file(ir, tmp / "model.json");
  CHECK(calm("model --lang ir '" + (tmp / "model.json") + "'").status == 0);
}

/// The scenario `sample` (under samples/) with every node whose program is a module of
/// `twins` running that Dedalus file instead, written to `out`.
void substitute_twins(const std::string& sample, const std::map<std::string, std::string>& twins,
                      const std::string& out) {
  const fs::path scenario = fs::path(samples_dir()) / sample;
  auto doc = nlohmann::json::parse(read_text(scenario.string()));
  int replaced = 0;
  for (auto& node : doc["nodes"]) {
    auto& program = node["program"];
    const std::string module = program["modules"][0];
    if (twins.count(module)) {
      program = {{"files", {samples_dir() + "/dedalus/" + twins.at(module)}}};
      ++replaced;
    } else {
      for (auto& f : program["files"]) f = (scenario.parent_path() / f.get<std::string>()).string();
    }
  }
  CHECK(replaced == static_cast<int>(doc["nodes"].size()));
  write(out, doc.dump(1));
}

TEST_CASE("calm run: the samples' scenarios give the same runs on the Dedalus twins") {
  TempDir tmp;
  // One-node scenarios: FILES on the command line replace the program.
  for (const auto& [scenario, ded] : std::vector<std::pair<std::string, std::string>>{
           {"kvs/basic_kvs", "basic_kvs"}, {"reachability/reachability", "reachability"}}) {
    CAPTURE(scenario);
    const std::string run = "run --scenario samples/" + scenario + ".scenario.json";
    auto bud = calm(run);
    auto twin = calm(run + " samples/dedalus/" + ded + ".ded");
    CHECK(bud.status == 0);
    CHECK(twin.status == 0);
    CHECK(twin.out == bud.out);
    CHECK(twin.out.find("expectations: ") != std::string::npos);
  }
  // The two-node shortest-paths scenario, both nodes replaced by their twins.
  const std::string sp = tmp / "sp.scenario.json";
  substitute_twins("shortest_paths/aggregate_shortest_paths.scenario.json",
                   {{"AggregateShortestPaths", "shortest_paths.ded"},
                    {"IterativeShortestPaths", "iterative_shortest_paths.ded"}},
                   sp);
  auto bud = calm("run --scenario samples/shortest_paths/aggregate_shortest_paths.scenario.json");
  auto twin = calm("run --scenario '" + sp + "'");
  CHECK(bud.status == 0);
  CHECK(twin.status == 0);
  CHECK(twin.out == bud.out);
  CHECK(twin.out.find("expectations: 9 of 9 held") != std::string::npos);
}

TEST_CASE("bad Dedalus and IR input: located error with a caret, exit 2") {
  TempDir tmp;
  write(tmp / "bad.ded", ".decl input a(x);\np(X) :- a(X), b(X);\n");
  auto r = calm("report '" + (tmp / "bad.ded") + "' -o '" + (tmp / "r.json") + "'");
  CHECK(r.status == 2);
  CHECK(r.out.find("bad.ded:2:15: error: unknown predicate 'b'; did you mean 'a'?") !=
        std::string::npos);
  CHECK(!fs::exists(tmp / "r.json"));
  // calm check reports input errors as findings (exit 1), like every other error it finds.
  auto lint = calm("check '" + (tmp / "bad.ded") + "'");
  CHECK(lint.status == 1);
  CHECK(lint.out.find("[calm-unknown-collection]") != std::string::npos);
  CHECK(r.out.find("  p(X) :- a(X), b(X);\n                ^") != std::string::npos);
  write(tmp / "bad.calm.json", "{\"programs\": [{\"name\": 1, \"collections\": []}]}");
  auto j = calm("report '" + (tmp / "bad.calm.json") + "'");
  CHECK(j.status == 2);
  CHECK(j.out.find("bad.calm.json:1:16: error: 'name' must be a string [calm-parse-error]") !=
        std::string::npos);
  auto lang = calm("model --lang datalog samples/dedalus/basic_kvs.ded");
  CHECK(lang.status == 2);
  CHECK(lang.out.find("unknown language 'datalog' (bud, syndicate, dedalus or ir)") !=
        std::string::npos);
}

}  // namespace
}  // namespace calm::test
