// Golden outputs of `calm check` per format, run from the repository root so paths are
// repository-relative. `CALM_UPDATE_GOLDEN=1` rewrites tests/golden/check/. The tool
// version and the absolute %SRCROOT% are replaced by placeholders before comparing.

#include <cstdlib>

#include "support/check_test_support.h"

namespace calm::test {
namespace {

struct GoldenCheck {
  const char* golden;  ///< under tests/golden/check/
  const char* args;    ///< after `calm check --no-config`
  int status;          ///< expected exit status
};

constexpr GoldenCheck kGoldenChecks[] = {
    // The key-value store: the temporal cluster {kvstate, prev} and its borders (Fig. 10).
    {"basic_kvs.txt", "samples/kvs/kvs.rb -m BasicKVS", 1},
    {"basic_kvs.json", "samples/kvs/kvs.rb -m BasicKVS --format json", 1},
    {"basic_kvs.sarif", "samples/kvs/kvs.rb -m BasicKVS --format sarif", 1},
    {"basic_kvs.github", "samples/kvs/kvs.rb -m BasicKVS --format github", 1},
    // The destructive cart alone: one point of order, local (the module alone has no
    // channel), so a note; the "??" of its interfaces are in samples/kvs/kvs.rb, outside
    // the checked paths: one note counts them.
    {"destructive_cart.txt", "samples/cart/destructive_cart.rb -m DestructiveCart", 0},
    // The disorderly cart: points of order only where it counts (Fig. 16).
    {"disorderly_cart.txt", "samples/cart/disorderly_cart.rb -m DisorderlyCart", 1},
    {"disorderly_cart.sarif", "samples/cart/disorderly_cart.rb -m DisorderlyCart --format sarif",
     1},
    // Two-phase commit: the coordinator is `calm:coordinated`, the participant is not.
    {"twopc.txt", "samples/twopc/twopc.rb", 1},
    {"twopc.json", "samples/twopc/twopc.rb --format json", 1},
    {"twopc.sarif", "samples/twopc/twopc.rb --format sarif", 1},
    // A monotone program passes.
    {"best_effort_delivery.txt", "samples/delivery/delivery.rb -m BestEffortDelivery", 0},
};

bool update_mode() {
  const char* v = std::getenv("CALM_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

/// Machine- and release-independent JSON and SARIF.
std::string normalize(const std::string& name, const std::string& out) {
  bool sarif = name.ends_with(".sarif");
  if (!sarif && !name.ends_with(".json")) return out;
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(out);
  if (sarif) {
    auto& run = j["runs"][0];
    run["tool"]["driver"]["version"] = "golden";
    run["tool"]["driver"]["semanticVersion"] = "golden";
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///SRCROOT/";
  } else {
    j["tool"]["version"] = "golden";
  }
  return j.dump(2) + "\n";
}

TEST_CASE("golden outputs of calm check") {
  fs::path dir = fs::path(CALM_SOURCE_DIR) / "tests" / "golden" / "check";
  std::set<std::string> listed;
  for (const auto& g : kGoldenChecks) {
    listed.insert(g.golden);
    Run r = run_calm(std::string("check --no-config ") + g.args);
    INFO("calm check " << g.args << "\nstderr:\n" << r.err);
    CHECK(r.status == g.status);
    std::string got = normalize(g.golden, r.out);
    fs::path file = dir / g.golden;
    if (update_mode()) {
      write_file(file, got);
      continue;
    }
    REQUIRE_MESSAGE(fs::exists(file), "missing golden " << file << " (CALM_UPDATE_GOLDEN=1)");
    std::string want = slurp(file);
    CHECK_MESSAGE(got == want, "golden " << g.golden << " differs; got:\n" << got);
  }
  // Every golden file has a row.
  for (const auto& e : fs::directory_iterator(dir))
    CHECK_MESSAGE(listed.count(e.path().filename().string()),
                  "golden file without a case: " << e.path().filename());
}

}  // namespace
}  // namespace calm::test
