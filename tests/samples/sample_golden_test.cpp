// Golden report and diagram of every sample program: for each file under samples/
// (samples/dedalus excepted: its own tests cover it) and each module or class defined in
// it, `calm report FILE -m MODULE` and `calm graph FILE -m MODULE -o X.dot`, as run from
// the repository root, are compared with tests/golden/samples/<dir>/<stem>/<MODULE>.json
// and .dot. `CALM_UPDATE_GOLDEN=1` rewrites them (see tests/golden/README.md).

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "frontend/loader.h"
#include "report/json_report.h"
#include "report/schema_validator.h"
#include "viz/diagram.h"
#include "viz/dot_writer.h"

namespace calm::test {
namespace {

namespace fs = std::filesystem;

/// Run with the repository root as the working directory: paths in the outputs are
/// relative to it, so the golden files do not depend on the checkout's location.
class InRepositoryRoot {
 public:
  InRepositoryRoot() : saved_(fs::current_path()) { fs::current_path(CALM_SOURCE_DIR); }
  ~InRepositoryRoot() { fs::current_path(saved_); }
  InRepositoryRoot(const InRepositoryRoot&) = delete;
  InRepositoryRoot& operator=(const InRepositoryRoot&) = delete;

 private:
  fs::path saved_;
};

struct SampleProgram {
  std::string file;     ///< relative to the repository root: samples/kvs/kvs.rb
  std::string module;   ///< -m; empty for the programs a file defines without modules
  std::string program;  ///< the program's name
  fs::path golden;      ///< tests/golden/samples/kvs/kvs/BasicKVS, without extension
};

fs::path golden_root() { return fs::path(CALM_SOURCE_DIR) / "tests" / "golden" / "samples"; }

bool is_sample_file(const fs::path& p) { return p.extension() == ".rb" || p.extension() == ".rkt"; }

/// Every module and class of every sample file, sorted by file then module.
std::vector<SampleProgram> sample_programs() {
  InRepositoryRoot in_root;
  std::set<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator("samples")) {
    const std::string path = e.path().generic_string();
    if (path.rfind("samples/dedalus", 0) == 0 || !e.is_regular_file() || !is_sample_file(e.path()))
      continue;
    files.insert(path);
  }
  std::vector<SampleProgram> out;
  for (const auto& file : files) {
    LoadOptions o;
    o.files = {file};
    o.follow_requires = false;
    const LoadResult r = load_programs(o);
    REQUIRE_MESSAGE(!r.files.empty(), file);
    std::set<std::string> modules;
    for (const auto& m : r.files.front().modules) modules.insert(m.name);
    const fs::path rel = fs::path(file).lexically_relative("samples");
    const fs::path dir = golden_root() / rel.parent_path() / rel.stem();
    for (const auto& m : modules) out.push_back({file, m, m, dir / m});
    // Front ends without modules (Syndicate): the programs the file defines.
    if (modules.empty())
      for (const auto& p : r.programs) out.push_back({file, "", p.name, dir / p.name});
    CHECK_MESSAGE(!(modules.empty() && r.programs.empty()), file << " defines no program");
  }
  return out;
}

bool update_mode() {
  const char* v = std::getenv("CALM_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The first line where two texts differ, for the failure message.
std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream a(expected), b(actual);
  std::string la, lb;
  for (int n = 1;; ++n) {
    const bool ga = static_cast<bool>(std::getline(a, la));
    const bool gb = static_cast<bool>(std::getline(b, lb));
    if (!ga && !gb) return "(no difference)";
    if (!ga || !gb || la != lb)
      return "line " + std::to_string(n) + ":\n- " + (ga ? la : "(end)") + "\n+ " +
             (gb ? lb : "(end)");
  }
}

/// Compares `actual` with the golden file, or writes it in update mode.
void check_golden(const fs::path& path, const std::string& actual, const std::string& what) {
  if (update_mode()) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << actual;
    REQUIRE_MESSAGE(out.good(), "cannot write " << path.string());
    return;
  }
  if (!fs::exists(path)) {
    FAIL_CHECK(path.string() << " is missing; run the samples tests with CALM_UPDATE_GOLDEN=1");
    return;
  }
  const std::string expected = read_text(path);
  if (expected != actual)
    FAIL_CHECK(path.string() << " differs from " << what
                             << " (CALM_UPDATE_GOLDEN=1 rewrites it); first difference at "
                             << first_difference(expected, actual));
}

TEST_CASE("golden report and diagram of every sample program") {
  std::ifstream schema_in(std::string(CALM_SOURCE_DIR) + "/docs/report.schema.json");
  REQUIRE(schema_in.good());
  const SchemaValidator validator(nlohmann::json::parse(schema_in));

  const auto programs = sample_programs();
  CHECK(programs.size() >= 40);
  InRepositoryRoot in_root;
  for (const auto& s : programs) {
    const std::string what = s.file + (s.module.empty() ? "" : " -m " + s.module);
    CAPTURE(what);
    LoadOptions o;
    o.files = {s.file};
    if (!s.module.empty()) o.modules = {s.module};
    LoadResult r = load_programs(o);
    CHECK_MESSAGE(!r.diagnostics.has_errors(), what << " does not load cleanly");
    // Keep the one program of this case (a file without modules may define several).
    std::erase_if(r.programs, [&](const Program& p) { return p.name != s.program; });
    REQUIRE(r.programs.size() == 1);

    const nlohmann::ordered_json report = build_report(r.programs, r.diagnostics, "golden");
    for (const auto& error : validator.validate(report)) FAIL_CHECK(error);
    check_golden(s.golden.string() + ".json", report.dump(2) + "\n", "`calm report " + what + "`");

    const ProgramAnalysis analysis(r.programs.front());
    std::string error;
    const auto diagram = viz::build_diagram(analysis, viz::DiagramOptions{}, error);
    REQUIRE_MESSAGE(diagram.has_value(), error);
    check_golden(s.golden.string() + ".dot", viz::write_dot(*diagram),
                 "`calm graph " + what + " -o X.dot`");
  }
  if (update_mode()) MESSAGE("wrote the golden files of " << programs.size() << " programs");
}

TEST_CASE("every file under tests/golden/samples belongs to a sample program") {
  std::set<std::string> known;
  for (const auto& s : sample_programs()) {
    known.insert(s.golden.string() + ".json");
    known.insert(s.golden.string() + ".dot");
  }
  for (const auto& e : fs::recursive_directory_iterator(golden_root()))
    if (e.is_regular_file())
      CHECK_MESSAGE(known.count(e.path().string()) == 1, "stale golden file " << e.path().string());
}

}  // namespace
}  // namespace calm::test
