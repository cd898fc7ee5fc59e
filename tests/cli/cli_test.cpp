// The calm executable as a user runs it: exit codes, output files, messages.

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

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
  auto c = calm::test::run_command("cd '" + std::string(CALM_SOURCE_DIR) + "' && '" + CALM_BINARY +
                                   "' " + args + " 2>&1");
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

TEST_CASE("bad input: a located diagnostic with a caret; --strict: exit 2, no output file") {
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
  Run strict = run_calm("report '" + bad + "' --strict -o '" + out.string() + "'");
  CHECK(strict.status == 2);
  CHECK(strict.out.find("bad.rb:7:16: error: unknown collection 'kvstat'; did you mean 'kvstate'? "
                        "[calm-unknown-collection]") != std::string::npos);
  CHECK(strict.out.find("    kvstate <= kvstat.map {|x| x}\n                 ^") !=
        std::string::npos);
  CHECK(strict.out.find("(--strict)") != std::string::npos);
  CHECK(!fs::exists(out));
  // By default the report is written, with the error in its diagnostics.
  Run r = run_calm("report '" + bad + "' -o '" + out.string() + "'");
  CHECK(r.status == 0);
  CHECK(r.out.find("bad.rb:7:16: error: unknown collection 'kvstat'") != std::string::npos);
  auto report = nlohmann::json::parse(std::ifstream(out));
  CHECK(report["diagnostics"][0]["check"] == "calm-unknown-collection");
  fs::remove_all(dir);
}

// A program with one declaration calm cannot read: every command goes on with the rest.
const char* kOneBadDeclaration = R"(class Follower
  include Bud
  state do
    table :log, [:idx] => [:entry]
    scratch :follower, follower.schema
    interface output, :out, [:idx] => [:entry]
  end
  bloom do
    out <= log
    follower <= log
  end
end
)";

TEST_CASE("one bad declaration: model, graph, html and report keep going and show it") {
  fs::path dir = temp_dir();
  std::string f = write_file(dir / "follower.rb", kOneBadDeclaration);
  const std::string err =
      "follower.rb:5:13: error: schema of 'follower' copied from a schema that refers back to "
      "itself; its columns are unknown [calm-unknown-collection]";

  Run model = run_calm("model '" + f + "'");
  CHECK(model.status == 0);
  CHECK(model.out.find("table log [idx] => [entry]") != std::string::npos);
  CHECK(model.out.find(err) != std::string::npos);  // on stderr
  CHECK(model.out.find("not read (1):\n  ") != std::string::npos);
  CHECK(model.out.find("follower.rb:5:13: schema of 'follower' copied from a schema that refers "
                       "back to itself; its columns are unknown [calm-unknown-collection]\n") !=
        std::string::npos);
  Run json = run_calm("model '" + f + "' --format json");
  auto doc = nlohmann::json::parse(json.out.substr(json.out.find("{\n  \"programs\"")));
  CHECK(doc["programs"][0]["name"] == "Follower");
  CHECK(doc["diagnostics"][0]["check"] == "calm-unknown-collection");
  // The model with its diagnostics still reads back as the JSON IR.
  std::string ir = write_file(dir / "follower.calm.json", doc.dump());
  CHECK(run_calm("model '" + ir + "'").status == 0);

  Run graph = run_calm("graph '" + f + "'");
  CHECK(graph.status == 0);
  CHECK(graph.out.find("\"pseudo:not-read\"") != std::string::npos);
  CHECK(graph.out.find("label=\"not read (1 part of the input; this diagram is incomplete):") !=
        std::string::npos);
  CHECK(graph.out.find("class=\"collection scratch unread\"") != std::string::npos);
  CHECK(graph.out.find("style=\"dashed\"") != std::string::npos);

  fs::path page = dir / "f.html";
  Run html = run_calm("html '" + f + "' -o '" + page.string() + "'");
  CHECK(html.status == 0);
  std::stringstream text;
  text << std::ifstream(page).rdbuf();
  CHECK(text.str().find("<section class=\"not-read\" id=\"not-read\">") != std::string::npos);
  CHECK(text.str().find("copied from a schema that refers back to itself") != std::string::npos);

  fs::path report = dir / "r.json";
  CHECK(run_calm("report '" + f + "' -o '" + report.string() + "'").status == 0);
  CHECK(fs::exists(report));

  // --strict: exit 2 on the error, for every command.
  for (const char* cmd : {"model", "graph", "report"})
    CHECK(run_calm(std::string(cmd) + " '" + f + "' --strict").status == 2);
  CHECK(run_calm("html '" + f + "' --strict -o '" + (dir / "s.html").string() + "'").status == 2);
  CHECK(!fs::exists(dir / "s.html"));
  // Nothing usable: exit 2 without --strict too.
  std::string none = write_file(dir / "none.rb", "class X\n  state do\n    table :t, 3\n  end\n");
  CHECK(run_calm("model '" + none + "'").status == 2);
  fs::remove_all(dir);
}

TEST_CASE("Module::name collections (overridden interfaces) are explained where shown") {
  const std::string why =
      "KVSProtocol::kvput is the kvput interface declared by KVSProtocol, which ReplicatedKVS "
      "redeclares (an override, CIDR 2011 section 3.4)";
  Run model = run_calm("model samples/kvs/paper2011/kvs_2011.rb -m ReplicatedKVS");
  CHECK(model.status == 0);
  CHECK(model.out.find("  overridden interfaces:\n    " + why) != std::string::npos);
  Run check = run_calm("check --no-config samples/kvs/paper2011/kvs_2011.rb -m ReplicatedKVS");
  CHECK(check.out.find("samples/kvs/paper2011/kvs_2011.rb:32:22: note: " + why) !=
        std::string::npos);
  // The diagram's tooltip and the HTML page say it too.
  Run dot = run_calm("graph --format dot samples/kvs/paper2011/kvs_2011.rb -m ReplicatedKVS");
  CHECK(dot.status == 0);
  CHECK(dot.out.find(why) != std::string::npos);
  fs::path page = temp_dir() / "overrides.html";
  CHECK(
      run_calm("html samples/kvs/paper2011/kvs_2011.rb -m ReplicatedKVS -o '" + page.string() + "'")
          .status == 0);
  std::stringstream html;
  html << std::ifstream(page).rdbuf();
  CHECK(html.str().find("<ul class=\"overrides\">\n<li><code>KVSProtocol::kvput</code>: " + why) !=
        std::string::npos);
  fs::remove(page);
}

TEST_CASE("unknown options: a did-you-mean and a one-line usage hint, not the whole help") {
  Run r = run_calm("graph samples/kvs/kvs.rb --expandd");
  CHECK(r.status == 2);
  CHECK(r.out ==
        "calm: unknown option '--expandd'; did you mean '--expanded'?\n"
        "usage: calm graph FILES... [-m MODULE]... [-I DIR]... -o OUT.svg|.dot|.png|.pdf ...\n"
        "(calm graph --help lists every option)\n");
  Run inc = run_calm("model samples/kvs/kvs.rb --include lib");
  CHECK(inc.out.find("did you mean '--include-dir'?") != std::string::npos);
  Run chk = run_calm("check --no-config samples/kvs/kvs.rb --fial-on error");
  CHECK(chk.status == 2);
  CHECK(chk.out.find("did you mean '--fail-on'?") != std::string::npos);
  CHECK(chk.out.find("(calm check --help lists every option)") != std::string::npos);
  CHECK(chk.out.find("Suppressions, in the Ruby source") == std::string::npos);
  // -I's long form.
  CHECK(run_calm("model samples/kvs/kvs.rb --include-dir samples -m BasicKVS").status == 0);
}

TEST_CASE("an unknown module in a scenario is reported where the scenario names it") {
  fs::path dir = temp_dir();
  fs::copy_file(fs::path(CALM_SOURCE_DIR) / "samples/register/lww_register.rb",
                dir / "lww_register.rb", fs::copy_options::overwrite_existing);
  std::string sc = write_file(dir / "s.json", R"({
  "nodes": [
    {"name": "a", "program": {"files": ["lww_register.rb"], "modules": ["LWWRegister"]}},
    {"name": "b", "program": {"files": ["lww_register.rb"], "modules": ["LWWRegistr"]}}
  ],
  "steps": 1
})");
  Run r = run_calm("run --scenario '" + sc + "'");
  CHECK(r.status == 2);
  CHECK(r.out.find("s.json:4:73: error: unknown module or class 'LWWRegistr'") !=
        std::string::npos);
  CHECK(r.out.find("<command line>") == std::string::npos);
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

TEST_CASE("an unstratifiable program: the cycle is printed; the report is written (--strict: 2)") {
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
  CHECK(r.status == 0);
  CHECK(fs::exists(dir / "r.json"));
  CHECK(run_calm("report '" + f + "' --strict -o '" + (dir / "s.json").string() + "'").status == 2);
  CHECK(r.out.find("unstratifiable") != std::string::npos);
  CHECK(r.out.find("a -> b -> a") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a gem require is quiet unless --verbose; it is named when collections are unknown") {
  fs::path d = temp_dir();
  std::string ok = write_file(d / "gem_ok.rb",
                              "require 'bud'\nrequire 'uuid'\n\nclass P\n  include Bud\n"
                              "  state do\n    table :a, [:x]\n    table :b, [:x]\n  end\n"
                              "  bloom do\n    b <= a\n  end\nend\n");
  for (const char* cmd : {"check", "model", "graph --format dot"}) {
    Run quiet = run_calm(std::string(cmd) + " '" + ok + "'");
    INFO(cmd << "\n" << quiet.out);
    CHECK(quiet.status == 0);
    CHECK(quiet.out.find("uuid") == std::string::npos);
    Run verbose = run_calm(std::string(cmd) + " --verbose '" + ok + "'");
    CHECK(verbose.status == 0);
    CHECK(verbose.out.find(":2:1: note: cannot find 'uuid'") != std::string::npos);
    CHECK(verbose.out.find("[calm-unresolved-require]") != std::string::npos);
  }
  Run tally = run_calm("check '" + ok + "'");
  CHECK(tally.out.find("0 notes") != std::string::npos);
  // A missing file next to the program is a warning and stays shown.
  std::string local = write_file(d / "gem_local.rb",
                                 "require './missing_part'\n\nclass P\n  include Bud\n"
                                 "  state do\n    table :a, [:x]\n  end\nend\n");
  Run missing = run_calm("check '" + local + "'");
  CHECK(missing.out.find("cannot find 'missing_part' next to this file") != std::string::npos);
  // When a collection is unknown, the hidden gem is named as the possible cause.
  std::string unknown = write_file(d / "gem_unknown.rb",
                                   "require 'uuid'\n\nclass P\n  include Bud\n"
                                   "  state do\n    table :c, [:x]\n  end\n"
                                   "  bloom do\n    c <= uuid_things\n  end\nend\n");
  Run hint = run_calm("check '" + unknown + "'");
  CHECK(hint.status == 1);
  CHECK(hint.out.find("unknown collection 'uuid_things'") != std::string::npos);
  CHECK(hint.out.find("1 require calm could not find ('uuid') may declare the unknown "
                      "collections") != std::string::npos);
  fs::remove_all(d);
}

TEST_CASE("calm run: a failed run replaces no file; --keep-partial writes its trace and output") {
  fs::path d = temp_dir() / "keep-partial";
  fs::create_directories(d);
  std::string prog = write_file(d / "kc.rb",
                                "class KC\n  include Bud\n  state do\n    table :t, [:k] => [:v]\n"
                                "  end\nend\n");
  std::string facts =
      write_file(d / "f.json", "{\"steps\":[{\"t\":[[1,1]]},{\"t\":[[1,1],[1,2]]}]}");
  std::string trace = (d / "t.json").string(), out = (d / "o.txt").string();
  std::string run = "run '" + prog + "' --steps 2 --facts '" + facts + "' --trace '" + trace +
                    "' -o '" + out + "'";
  Run plain = run_calm(run);
  CHECK(plain.status == 2);
  CHECK(plain.out.find("key conflict in 't'") != std::string::npos);
  CHECK(!fs::exists(trace));
  CHECK(!fs::exists(out));
  Run partial = run_calm(run + " --keep-partial");
  CHECK(partial.status == 2);
  REQUIRE(fs::exists(trace));
  std::ifstream in(trace);
  nlohmann::json t = nlohmann::json::parse(in);
  REQUIRE(t["steps"].size() == 2);
  CHECK(t["steps"][0].value("failed", false) == false);
  CHECK(t["steps"][1]["failed"] == true);
  std::stringstream text;
  text << std::ifstream(out).rdbuf();
  CHECK(text.str().find("timestep 0\n  t (1)\n    [1, 1]") == 0);
  fs::remove_all(d);
}

TEST_CASE("calm run: a rule naming a collection no module declares fails the first timestep") {
  // A module may leave a name to the module it is mixed into, so the loader only warns;
  // Bud raises when it wires such a rule at its first tick, and so does `calm run`.
  fs::path d = temp_dir() / "unresolved";
  fs::create_directories(d);
  std::string prog = write_file(d / "hb.rb",
                                "module HB\n  state do\n    interface input, :payld, [:v]\n"
                                "  end\n  bootstrap do\n    payload <= [['foo']]\n  end\nend\n");
  Run r = run_calm("run '" + prog + "' -m HB --steps 2");
  INFO(r.out);
  CHECK(r.status == 2);
  CHECK(r.out.find("hb.rb:6:5: warning: unknown collection 'payload'; did you mean 'payld'?") !=
        std::string::npos);
  CHECK(r.out.find("hb.rb:6:5: error: node 'node', timestep 0: unknown collection 'payload'; did "
                   "you mean 'payld'?: no module declares it, and Bud raises when it wires the "
                   "rule at the first timestep [calm-unknown-collection]") != std::string::npos);
  fs::remove_all(d);
}
