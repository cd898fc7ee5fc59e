// Golden tests: the JSON report of the paper's case studies, byte for byte. See
// tests/golden/README.md; `CALM_UPDATE_GOLDEN=1` rewrites the golden files.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/loader.h"
#include "report/json_report.h"
#include "report/schema_validator.h"

namespace calm::test {
namespace {

namespace fs = std::filesystem;

/// The tool version written into golden reports, so that a release does not change them.
constexpr const char* kGoldenToolVersion = "golden";

/// One golden report: `calm report FILE -m MODULE`, run from the repository root.
struct GoldenCase {
  const char* golden;  ///< file name under tests/golden/
  const char* file;    ///< relative to the repository root
  const char* module;
};

constexpr GoldenCase kGoldenCases[] = {
    // Abstract KVS protocol: no rules, every interface is "??" (Fig. 4, Fig. 9).
    {"kvs_protocol.json", "samples/kvs/kvs.rb", "KVSProtocol"},
    {"kvs_protocol_2011.json", "samples/kvs/paper2011/kvs_2011.rb", "KVSProtocol"},
    // Single-node KVS: the temporal cluster {kvstate, prev} (Fig. 5, Fig. 10).
    {"basic_kvs.json", "samples/kvs/kvs.rb", "BasicKVS"},
    {"basic_kvs_2011.json", "samples/kvs/paper2011/kvs_2011.rb", "BasicKVS"},
    // Destructive cart, complete program (Fig. 13, Fig. 15).
    {"destructive_cart_server.json", "samples/cart/destructive_cart.rb", "DestructiveCartServer"},
    {"destructive_cart_server_2011.json", "samples/cart/paper2011/destructive_cart_2011.rb",
     "DestructiveCartServer"},
    // Disorderly cart, complete program (Fig. 14, 16, 17, 20).
    {"disorderly_cart_server.json", "samples/cart/disorderly_cart.rb", "DisorderlyCartServer"},
    {"replicated_disorderly_cart_2011.json", "samples/cart/paper2011/disorderly_cart_2011.rb",
     "ReplicatedDisorderlyCart"},
};

std::string golden_dir() { return std::string(CALM_SOURCE_DIR) + "/tests/golden"; }

bool update_mode() {
  const char* v = std::getenv("CALM_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

/// Runs a block with the repository root as the working directory, so that the paths in
/// the report are relative to it (and the golden files machine-independent).
class InSourceDir {
 public:
  InSourceDir() : saved_(fs::current_path()) { fs::current_path(CALM_SOURCE_DIR); }
  ~InSourceDir() { fs::current_path(saved_); }
  InSourceDir(const InSourceDir&) = delete;
  InSourceDir& operator=(const InSourceDir&) = delete;

 private:
  fs::path saved_;
};

nlohmann::ordered_json report_for(const GoldenCase& c) {
  InSourceDir in_source;
  LoadOptions options;
  options.files = {c.file};
  options.modules = {c.module};
  const LoadResult r = load_programs(options);
  return build_report(r.programs, r.diagnostics, kGoldenToolVersion);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// A unified-style hunk around the differing lines: the common prefix and suffix are cut,
/// three lines of context are kept, and at most `max_lines` lines of each side are shown.
std::string diff_text(const std::string& expected, const std::string& actual,
                      std::size_t max_lines = 20) {
  const auto a = lines_of(expected);
  const auto b = lines_of(actual);
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;
  const std::size_t context = 3;
  const std::size_t from = prefix > context ? prefix - context : 0;
  std::ostringstream out;
  out << "--- golden\n+++ actual\n@@ -" << from + 1 << " +" << from + 1 << " @@\n";
  for (std::size_t i = from; i < prefix; ++i) out << " " << a[i] << "\n";
  auto side = [&](const std::vector<std::string>& lines, char mark) {
    const std::size_t end = lines.size() - suffix;
    for (std::size_t i = prefix; i < end && i < prefix + max_lines; ++i)
      out << mark << lines[i] << "\n";
    if (end > prefix + max_lines) out << mark << "... (" << end - prefix - max_lines << " more)\n";
  };
  side(a, '-');
  side(b, '+');
  for (std::size_t i = a.size() - suffix; i < a.size() && i < a.size() - suffix + context; ++i)
    out << " " << a[i] << "\n";
  return out.str();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_CASE("golden reports of the paper's case studies") {
  std::ifstream schema_in(std::string(CALM_SOURCE_DIR) + "/docs/report.schema.json");
  REQUIRE(schema_in.good());
  const SchemaValidator validator(nlohmann::json::parse(schema_in));

  for (const auto& c : kGoldenCases) {
    const std::string golden = c.golden, file = c.file, module = c.module;
    CAPTURE(golden);
    const nlohmann::ordered_json report = report_for(c);
    REQUIRE(report["programs"].size() == 1);
    CHECK(report["programs"][0]["name"] == module);
    for (const auto& error : validator.validate(report)) FAIL_CHECK(golden << ": " << error);

    const std::string actual = report.dump(2) + "\n";
    const std::string path = golden_dir() + "/" + golden;
    if (update_mode()) {
      std::ofstream out(path, std::ios::binary);
      out << actual;
      REQUIRE_MESSAGE(out.good(), "cannot write " << path);
      MESSAGE("wrote " << path);
      continue;
    }
    if (!fs::exists(path)) {
      FAIL_CHECK(path << " is missing; run with CALM_UPDATE_GOLDEN=1 to create it");
      continue;
    }
    const std::string expected = read_text(path);
    if (expected != actual)
      FAIL_CHECK(golden << " differs from the report of `calm report " << file << " -m " << module
                        << "` (CALM_UPDATE_GOLDEN=1 rewrites it):\n"
                        << diff_text(expected, actual));
  }
}

TEST_CASE("every golden file belongs to a golden case") {
  std::set<std::string> known;
  for (const auto& c : kGoldenCases) known.insert(c.golden);
  for (const auto& entry : fs::directory_iterator(golden_dir()))
    if (entry.path().extension() == ".json")
      CHECK_MESSAGE(known.count(entry.path().filename().string()) == 1,
                    "stale golden file " << entry.path().string());
}

TEST_CASE("golden reports use paths relative to the repository root") {
  const fs::path before = fs::current_path();
  const nlohmann::ordered_json report = report_for(kGoldenCases[2]);
  const auto& location = report["programs"][0]["rules"][0]["location"];
  CHECK(location["file"] == "samples/kvs/kvs.rb");
  CHECK(fs::current_path() == before);  // the working directory is restored
}

TEST_CASE("the golden diff shows the first differing lines with context") {
  CHECK(diff_text("a\nb\nc\nd\ne\nf\n", "a\nb\nc\nX\ne\nf\n") ==
        "--- golden\n+++ actual\n@@ -1 +1 @@\n a\n b\n c\n-d\n+X\n e\n f\n");
  CHECK(diff_text("1\n2\n3\n4\n5\n", "1\n2\n3\n4\n5\n6\n") ==
        "--- golden\n+++ actual\n@@ -3 +3 @@\n 3\n 4\n 5\n+6\n");
}

}  // namespace
}  // namespace calm::test
