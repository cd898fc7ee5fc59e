// A sample run of every subcommand under valgrind (memcheck): no memory error and
// no definite or indirect leak. tests/viz/graphviz.supp suppresses what the
// libraries under Graphviz keep (see that file). Skipped, saying so, when valgrind
// is absent and in sanitizer builds (valgrind cannot run them).

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

bool sanitizer_build() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return false;
}

std::string read_text(const fs::path& p) {
  std::stringstream s;
  s << std::ifstream(p).rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("every subcommand is valgrind-clean on a sample run") {
  if (sanitizer_build()) {
    std::cout << "robustness valgrind test skipped: sanitizer build\n";
    return;
  }
  if (std::system("valgrind --version > /dev/null 2>&1") != 0) {
    std::cout << "robustness valgrind test skipped: valgrind is not installed\n";
    return;
  }
  fs::path d = fs::temp_directory_path() / ("calm-valgrind-" + std::to_string(::getpid()));
  fs::create_directories(d);
  const std::string src = CALM_SOURCE_DIR;
  const std::string kvs = "samples/kvs/paper2011/kvs_2011.rb -m BasicKVS";
  std::ofstream(d / "facts.json") << R"({"steps": [{"kvput": [["c", "k1", 1, "v1"]]}, {}]})";
  struct Case {
    std::string args;
    int expected_status;
  };
  const std::vector<Case> cases = {
      {"model " + kvs + " --format json", 0},
      {"report " + kvs + " -o '" + (d / "old.json").string() + "'", 0},
      {"report samples/kvs/kvs.rb -m UpsertKVS -o '" + (d / "new.json").string() + "'", 0},
      {"graph " + kvs + " --legend -o '" + (d / "g.svg").string() + "'", 0},
      {"html samples/cart/destructive_cart.rb -o '" + (d / "c.html").string() + "'", 0},
      {"check samples/cart/disorderly_cart.rb --summary --format sarif", 1},
      {"diff '" + (d / "old.json").string() + "' '" + (d / "new.json").string() + "'", -1},
      {"run samples/kvs/kvs.rb -m BasicKVS --facts '" + (d / "facts.json").string() + "'", 0},
      {"report samples/nonexistent.rb -o '" + (d / "x.json").string() + "'", 2},
  };
  const std::string supp = src + "/tests/viz/graphviz.supp";
  for (const Case& c : cases) {
    CAPTURE(c.args);
    fs::path log = d / "valgrind.log";
    std::string cmd = "cd '" + src +
                      "' && timeout 600 valgrind --leak-check=full"
                      " --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
                      " --suppressions='" +
                      supp + "' '" + CALM_BINARY + "' " + c.args + " > '" + log.string() + "' 2>&1";
    int st = std::system(cmd.c_str());
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    std::string text = read_text(log);
    CHECK_MESSAGE(rc != 99, text);
    CHECK_MESSAGE(text.find("ERROR SUMMARY: 0 errors") != std::string::npos, text);
    if (c.expected_status >= 0) CHECK_MESSAGE(rc == c.expected_status, text);
  }
  fs::remove_all(d);
}
