// Every input a fuzzer (fuzz/) crashed on, replayed through the same path as its
// harness. Files in tests/robustness/fuzz_regressions/: `bud-*`, `ir-*`, `dedalus-*` and
// `syndicate-*` through their front end, the analyses and the report (fuzz_bud, fuzz_ir,
// ...: fuzz/fuzz_pipeline.h), `scenario-*` through parse_scenario (fuzz_scenario),
// `config-*` through parse_config (fuzz_config). See docs/robustness.md.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "base/limits.h"
#include "checks/check_run.h"
#include "checks/loader_findings.h"
#include "config/config.h"
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

// The pipeline of fuzz/fuzz_pipeline.h; every diagnostic must be valid UTF-8 (the JSON
// report's dump throws on invalid UTF-8: fuzz_ir found a JSON parse error quoting the
// first byte of a two-byte character).
static void replay_program(const std::string& prefix, const std::string& file,
                           const std::string& lang) {
  for (const fs::path& p : regressions(prefix)) {
    CAPTURE(p.string());
    calm::LoadOptions o;
    o.files = {file};
    o.memory_files[file] = read_bytes(p);
    o.lang = lang;
    calm::LoadResult load = calm::load_programs(o);
    for (const calm::Diagnostic& d : load.diagnostics.items()) {
      CAPTURE(d.message);
      CHECK(calm::invalid_utf8_at(d.message) == std::string::npos);
    }
    CHECK_NOTHROW({
      for (const calm::Program& prog : load.programs) {
        calm::ProgramAnalysis a(prog);
        (void)a.coordination();
      }
      (void)calm::build_report(load.programs, load.diagnostics, "test").dump(2);
      (void)calm::run_checks(load, {});
    });
  }
}

TEST_CASE("fuzz_bud regressions: front end, analyses and report survive") {
  replay_program("bud-", "fuzz.rb", "bud");
}

TEST_CASE("fuzz_ir regressions: the IR reader's messages stay valid UTF-8") {
  REQUIRE_FALSE(regressions("ir-").empty());
  replay_program("ir-", "fuzz.calm.json", "ir");
}

// Found by fuzz_config: NUL and bytes that are not UTF-8 inside a string of a
// configuration; the JSON parser's message quoted them.
TEST_CASE("fuzz_config regressions: parse_config gives valid UTF-8 messages") {
  REQUIRE_FALSE(regressions("config-").empty());
  for (const fs::path& p : regressions("config-")) {
    CAPTURE(p.string());
    calm::Config config;
    calm::Diagnostics diags;
    CHECK_NOTHROW((void)calm::parse_config(read_bytes(p), "dir/.calm.json", calm::all_check_ids(),
                                           config, diags));
    CHECK(diags.has_errors());
    for (const auto& d : diags.items()) {
      CAPTURE(d.message);
      CHECK(calm::invalid_utf8_at(d.message) == std::string::npos);
    }
  }
}

// Any diagnostic, whatever a reader put in it, reaches the JSON report and the findings
// (JSON, SARIF) as valid UTF-8.
TEST_CASE("diagnostics reach the report and the findings as valid UTF-8") {
  calm::LoadResult load;
  load.diagnostics.error("calm-parse-error", "last read: '\xde'", {"a\xff.rb", 1, 1});
  std::string report;
  REQUIRE_NOTHROW(report = calm::build_report({}, load.diagnostics, "test").dump());
  CHECK(report.find("last read: '\xEF\xBF\xBD'") != std::string::npos);
  CHECK(report.find("a\xEF\xBF\xBD.rb") != std::string::npos);
  auto findings = calm::findings_from_diagnostics(load.diagnostics.items());
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].message == "last read: '\xEF\xBF\xBD'");
  CHECK(findings[0].location.file == "a\xEF\xBF\xBD.rb");
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
