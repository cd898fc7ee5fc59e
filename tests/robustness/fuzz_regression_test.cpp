// Every input a fuzzer (fuzz/) crashed on, replayed through the same path as its
// harness. Files in tests/robustness/fuzz_regressions/: `bud-*` through the Ruby front
// end, the analyses and the report (fuzz_bud), `scenario-*` through parse_scenario
// (fuzz_scenario). See docs/robustness.md.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "checks/check_run.h"
#include "eval/scenario.h"
#include "frontend/loader.h"
#include "report/json_report.h"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> regressions(const std::string& prefix) {
  std::vector<fs::path> out;
  for (const auto& e :
       fs::directory_iterator(fs::path(CALM_SOURCE_DIR) / "tests/robustness/fuzz_regressions"))
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("fuzz_bud regressions: front end, analyses and report survive") {
  for (const fs::path& p : regressions("bud-")) {
    CAPTURE(p.string());
    calm::LoadOptions o;
    o.files = {"fuzz.rb"};
    o.memory_files["fuzz.rb"] = read_bytes(p);
    o.lang = "bud";
    CHECK_NOTHROW({
      calm::LoadResult load = calm::load_programs(o);
      for (const calm::Program& prog : load.programs) {
        calm::ProgramAnalysis a(prog);
        (void)a.coordination();
      }
      (void)calm::build_report(load.programs, load.diagnostics, "test").dump(2);
      (void)calm::run_checks(load, {});
    });
  }
}

// Found by fuzz_scenario: a scenario whose text holds invalid UTF-8 inside a value that
// parse_scenario quotes makes nlohmann::json::dump throw type_error 316 out of
// eval::json_to_value (runtime/eval/scenario_json.cpp). `calm run --scenario` is safe
// (read_scenario refuses invalid UTF-8 first); the library entry point is not. Marked
// parse_scenario now refuses invalid UTF-8 with a located error.
TEST_CASE("fuzz_scenario regressions: parse_scenario never throws") {
  for (const fs::path& p : regressions("scenario-")) {
    CAPTURE(p.string());
    calm::Diagnostics diags;
    CHECK_NOTHROW((void)calm::eval::parse_scenario(read_bytes(p), p.string(), diags));
  }
}
