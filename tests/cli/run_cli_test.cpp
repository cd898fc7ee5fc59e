// `calm run` as a user runs it: facts per timestep in, recorded contents out.

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/chat_program.h"
#include "support/run_command.h"

namespace fs = std::filesystem;

TEST_CASE("calm run: the transitive closure grows as links arrive") {
  fs::path dir = fs::temp_directory_path() / ("calm-run-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path facts = dir / "facts.json";
  std::ofstream(facts)
      << R"({"steps": [{"link": [["a", "b"], ["b", "c"]]}, {"link": [["c", "d"]]}]})";
  auto r = calm::test::run_command(
      "cd '" + std::string(CALM_SOURCE_DIR) + "' && '" + CALM_BINARY +
      "' run samples/reachability/reachability.rb -m Reachability --steps 2 --facts '" +
      facts.string() + "' --record path 2>&1");
  CHECK(r.status == 0);
  CHECK(r.out ==
        "timestep 0\n  path (3)\n    [\"a\", \"b\"]\n    [\"a\", \"c\"]\n    [\"b\", \"c\"]\n"
        "timestep 1\n  path (6)\n    [\"a\", \"b\"]\n    [\"a\", \"c\"]\n    [\"a\", \"d\"]\n"
        "    [\"b\", \"c\"]\n    [\"b\", \"d\"]\n    [\"c\", \"d\"]\n");
  auto bad =
      calm::test::run_command("cd '" + std::string(CALM_SOURCE_DIR) + "' && '" + CALM_BINARY +
                              "' run samples/reachability/reachability.rb -m Reachability "
                              "--steps 1 --facts /nonexistent.json 2>&1");
  CHECK(bad.status == 2);
  fs::remove_all(dir);
}

TEST_CASE("calm run: what blocks print with puts and print, a line at a time, and in the trace") {
  fs::path dir = fs::temp_directory_path() / ("calm-run-puts-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "p.rb") << R"(class P
  include Bud
  state do
    interface input, :msg, [:id]
    table :got, [:id]
  end
  bloom do
    got <= msg.map { |m| puts "saw #{m.id}" or [m.id] }
    got <= msg { |m| print "a", "b\nc" if m.id == 2 }
  end
end
)";
  std::ofstream(dir / "facts.json") << R"({"steps": [{"msg": [[1], [2]]}]})";
  auto r = calm::test::run_command("cd '" + dir.string() + "' && '" + CALM_BINARY +
                                   "' run p.rb --steps 1 --facts facts.json --trace t.json 2>&1");
  CHECK(r.status == 0);
  CHECK(r.out ==
        "timestep 0\n  got (2)\n    [1]\n    [2]\n  msg (2)\n    [1]\n    [2]\n"
        "  printed: saw 1\n  printed: saw 2\n  printed: ab\n  printed: c\n");
  std::ifstream trace(dir / "t.json");
  std::string text((std::istreambuf_iterator<char>(trace)), std::istreambuf_iterator<char>());
  CHECK(text.find(R"("printed": [)") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("calm run: --ivar gives the instance variables initialize would set") {
  fs::path dir = fs::temp_directory_path() / ("calm-run-ivar-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "chat.rb") << calm::eval::testing::kChatProgram;
  std::ofstream(dir / "say.json") << R"({"steps": [{"say": [["hi"]]}]})";
  const std::string run = "cd '" + dir.string() + "' && '" + CALM_BINARY + "' run chat.rb ";
  auto r = calm::test::run_command(run +
                                   "--steps 2 --facts say.json --address hub --record heard "
                                   "--ivar @server=hub --ivar '@nick=\"ann\"' 2>&1");
  CHECK(r.status == 0);
  CHECK(r.out ==
        "timestep 0\n  heard (0)\n  sent mcast to \"hub\": [\"hub\", \"ann\", \"hi\"] (arrives "
        "at 1)\ntimestep 1\n  heard (1)\n    [\"ann\", \"hi\"]\n");
  auto missing = calm::test::run_command(run + "--steps 1 --ivar @server=hub 2>&1");
  CHECK(missing.status == 2);
  CHECK(missing.out.find("chat.rb:9:34: error: unsupported construct instance variable '@nick'") !=
        std::string::npos);
  auto bad = calm::test::run_command(run + "--steps 1 --ivar nick=ann 2>&1");
  CHECK(bad.status == 2);
  CHECK(bad.out ==
        "calm: --ivar expects @name=VALUE (an instance variable and its value), not "
        "'nick=ann'\n");
  fs::remove_all(dir);
}
