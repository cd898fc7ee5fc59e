// `calm run` as a user runs it: facts per timestep in, recorded contents out.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "support/run_command.h"

namespace fs = std::filesystem;

TEST_CASE("calm run: the transitive closure grows as links arrive") {
  fs::path dir = fs::temp_directory_path() / ("calm-run-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path facts = dir / "facts.json";
  std::ofstream(facts) << R"({"steps": [{"link": [["a", "b"], ["b", "c"]]}, {"link": [["c", "d"]]}]})";
  auto r = calm::test::run_command(
      "cd '" + std::string(CALM_SOURCE_DIR) + "' && '" + CALM_BINARY +
      "' run samples/reachability/reachability.rb -m Reachability --steps 2 --facts '" +
      facts.string() + "' --record path 2>&1");
  CHECK(r.status == 0);
  CHECK(r.out ==
        "timestep 0\n  path (3)\n    [\"a\", \"b\"]\n    [\"a\", \"c\"]\n    [\"b\", \"c\"]\n"
        "timestep 1\n  path (6)\n    [\"a\", \"b\"]\n    [\"a\", \"c\"]\n    [\"a\", \"d\"]\n"
        "    [\"b\", \"c\"]\n    [\"b\", \"d\"]\n    [\"c\", \"d\"]\n");
  auto bad = calm::test::run_command("cd '" + std::string(CALM_SOURCE_DIR) + "' && '" +
                                     CALM_BINARY +
                                     "' run samples/reachability/reachability.rb -m Reachability "
                                     "--steps 1 --facts /nonexistent.json 2>&1");
  CHECK(bad.status == 2);
  fs::remove_all(dir);
}
