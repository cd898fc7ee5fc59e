// The SARIF output checked by Microsoft's official validator (`Sarif.Multitool
// validate`, npm package @microsoft/sarif-multitool-linux). It is a self-contained
// .NET executable; scripts/deps.sh installs it under .tools/ when CALM_TEST_TOOLS=1.
// Looked up at $CALM_SARIF_MULTITOOL, then .tools/ and build/_tools/ in the source
// tree; when it is absent the test is skipped with a message saying so.

#include <cstdlib>

#include "support/check_test_support.h"

namespace calm::test {
namespace {

constexpr const char* kPackagePath =
    "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool";

std::string find_multitool() {
  if (const char* env = std::getenv("CALM_SARIF_MULTITOOL"); env && *env) return env;
  for (const char* dir : {".tools", "build/_tools"}) {
    fs::path p = fs::path(CALM_SOURCE_DIR) / dir / kPackagePath;
    if (fs::exists(p)) return p.string();
  }
  return "";
}

TEST_CASE("SARIF passes the official validator with no errors or warnings") {
  std::string tool = find_multitool();
  if (tool.empty()) {
    MESSAGE(
        "skipped: Sarif.Multitool not found (set CALM_SARIF_MULTITOOL, or run "
        "CALM_TEST_TOOLS=1 scripts/deps.sh to install it under .tools/)");
    return;
  }
  fs::permissions(tool, fs::perms::owner_exec, fs::perm_options::add);
  TempDir tmp("sarif");
  struct Case {
    const char* name;
    const char* args;
  } cases[] = {
      {"kvs", "samples/kvs/kvs.rb"},
      {"twopc", "samples/twopc/twopc.rb"},
      {"carts", "samples/cart/destructive_cart.rb samples/cart/disorderly_cart.rb"},
      // A repository layout: paths relative to --root, the library's findings left out
      // and counted in the run's toolExecutionNotifications.
      {"project",
       "tests/checks/project/app/server.rb -I tests/checks/project/vendor --root "
       "tests/checks/project"},
  };
  for (const auto& c : cases) {
    fs::path sarif = tmp.path() / (std::string(c.name) + ".sarif");
    fs::path result = tmp.path() / (std::string(c.name) + ".validation.sarif");
    Run r = run_calm(std::string("check --no-config ") + c.args + " --format sarif -o '" +
                     sarif.string() + "'");
    REQUIRE(r.status <= 1);
    // The validator exits 0 even when the file is invalid: read its own SARIF log.
    std::string cmd = "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 '" + tool + "' validate '" +
                      sarif.string() + "' --log ForceOverwrite -o '" + result.string() + "' > '" +
                      (tmp.path() / "validator.out").string() + "' 2>&1";
    int rc = std::system(cmd.c_str());
    INFO("validator output:\n" << slurp(tmp.path() / "validator.out"));
    REQUIRE(rc == 0);
    auto log = nlohmann::json::parse(slurp(result));
    std::string problems;
    for (const auto& run : log["runs"])
      for (const auto& res : run["results"])
        problems += res.value("level", std::string("warning")) + " " + res.value("ruleId", "") +
                    ": " + res["message"].dump() + "\n";
    CHECK_MESSAGE(problems.empty(), c.name << ":\n" << problems);
  }
}

}  // namespace
}  // namespace calm::test
