// The calm executable as a user runs it: exit codes, output files, messages.

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "report/schema_validator.h"
#include "support/run_command.h"

namespace fs = std::filesystem;

namespace {

struct Run {
  int status = -1;
  std::string out;  ///< stdout and stderr together
};

/// Runs calm with `args` (shell words) from the repository root.
Run run_calm(const std::string& args) {
  auto c = calm::test::run_command("cd '" + std::string(CALM_SOURCE_DIR) + "' && '" +
                                   CALM_BINARY + "' " + args + " 2>&1");
  return Run{c.status, std::move(c.out)};
}

fs::path temp_dir() {
  fs::path d = fs::temp_directory_path() / ("calm-cli-test-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

std::string write_file(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
  return p.string();
}

}  // namespace

TEST_CASE("calm with no arguments prints usage and exits 2") {
  Run r = run_calm("");
  CHECK(r.status == 2);
  CHECK(r.out.find("usage: calm <command>") != std::string::npos);
}

TEST_CASE("calm --version and help") {
  Run v = run_calm("--version");
  CHECK(v.status == 0);
  CHECK(v.out.rfind("calm ", 0) == 0);
  Run h = run_calm("help model");
  CHECK(h.status == 0);
  CHECK(h.out.find("usage: calm model FILES...") != std::string::npos);
  Run unknown = run_calm("modle x.rb");
  CHECK(unknown.status == 2);
  CHECK(unknown.out.find("did you mean 'model'?") != std::string::npos);
}

TEST_CASE("calm model prints located collections and rules") {
  Run r = run_calm("model samples/kvs/paper2011/kvs_2011.rb -m BasicKVS");
  CHECK(r.status == 0);
  CHECK(r.out.find("program BasicKVS") != std::string::npos);
  CHECK(r.out.find("table kvstate [key] => [value]") != std::string::npos);
  CHECK(r.out.find("view prev") != std::string::npos);
  Run j = run_calm("model samples/kvs/paper2011/kvs_2011.rb -m BasicKVS --format json");
  CHECK(j.status == 0);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["programs"][0]["name"] == "BasicKVS");
  CHECK(doc["programs"][0]["rules"].size() == 5);
}

TEST_CASE("bad input: a located diagnostic with a caret, exit 2, no output file") {
  fs::path dir = temp_dir();
  std::string bad = write_file(dir / "bad.rb", R"(class Bad
  include Bud
  state do
    table :kvstate
  end
  bloom do
    kvstate <= kvstat.map {|x| x}
  end
end
)");
  fs::path out = dir / "report.json";
  Run r = run_calm("report '" + bad + "' -o '" + out.string() + "'");
  CHECK(r.status == 2);
  CHECK(r.out.find("bad.rb:7:16: error: unknown collection 'kvstat'; did you mean 'kvstate'? "
                   "[calm-unknown-collection]") != std::string::npos);
  CHECK(r.out.find("    kvstate <= kvstat.map {|x| x}\n                 ^") != std::string::npos);
  CHECK(!fs::exists(out));
  fs::remove_all(dir);
}

TEST_CASE("bad options and missing files exit 2") {
  CHECK(run_calm("model").status == 2);
  CHECK(run_calm("model --frobnicate x.rb").status == 2);
  Run missing = run_calm("model /nonexistent/file.rb");
  CHECK(missing.status == 2);
  CHECK(missing.out.find("/nonexistent/file.rb: error: no such file") != std::string::npos);
  Run fmt = run_calm("model samples/reachability/reachability.rb --format yaml");
  CHECK(fmt.status == 2);
  fs::path nodir = fs::path("/nonexistent-dir") / "r.json";
  Run o = run_calm("report samples/reachability/reachability.rb -o " + nodir.string());
  CHECK(o.status == 2);
  CHECK(o.out.find("does not exist") != std::string::npos);
}

TEST_CASE("calm report writes a valid, byte-stable report even with no findings") {
  fs::path dir = temp_dir();
  fs::path a = dir / "a.json", b = dir / "b.json";
  Run r1 = run_calm("report samples/reachability/reachability.rb -o '" + a.string() + "'");
  Run r2 = run_calm("report samples/reachability/reachability.rb -o '" + b.string() + "'");
  CHECK(r1.status == 0);
  CHECK(r2.status == 0);
  std::stringstream sa, sb;
  sa << std::ifstream(a).rdbuf();
  sb << std::ifstream(b).rdbuf();
  CHECK(sa.str() == sb.str());
  auto report = nlohmann::json::parse(sa.str());
  std::ifstream schema_in(fs::path(CALM_SOURCE_DIR) / "docs" / "report.schema.json");
  calm::SchemaValidator validator(nlohmann::json::parse(schema_in));
  auto errors = validator.validate(report);
  CHECK(errors.empty());
  CHECK(report["programs"][0]["points_of_order"].empty());
  CHECK(!report["programs"][0]["edges"].empty());
  fs::remove_all(dir);
}

TEST_CASE("an unstratifiable program: the cycle is printed and calm exits 2") {
  fs::path dir = temp_dir();
  std::string f = write_file(dir / "strat.rb", R"(class Strat
  include Bud
  state do
    scratch :a
    scratch :b
    scratch :c
  end
  bloom do
    a <= c.notin(b)
    b <= a
  end
end
)");
  Run r = run_calm("report '" + f + "' -o '" + (dir / "r.json").string() + "'");
  CHECK(r.status == 2);
  CHECK(r.out.find("unstratifiable") != std::string::npos);
  CHECK(r.out.find("a -> b -> a") != std::string::npos);
  fs::remove_all(dir);
}
