// `calm check` as CI runs it: exit codes, --fail-on, baseline and suppression round
// trips through files, configuration discovery.

#include "support/check_test_support.h"

namespace calm::test {
namespace {

// put and del arrive over channels, so the rule's point of order needs coordination
// between nodes: a calm-point-of-order warning (with interfaces it would be local).
const char* kProgram = R"RUBY(module Lint
  state do
    channel :put, [:@addr, :key]
    channel :del, [:@addr, :key]
    interface output, :got, [:key]
  end
  bloom do
    got <= put.notin(del)
  end
end
)RUBY";

TEST_CASE("exit codes: 0 clean, 1 findings, 2 usage or input errors") {
  CHECK(run_calm("check --no-config samples/delivery/delivery.rb -m BestEffortDelivery").status ==
        0);
  CHECK(run_calm("check --no-config samples/kvs/kvs.rb -m BasicKVS").status == 1);
  // Only notes (underspecified): below the default --fail-on warning.
  Run notes = run_calm("check --no-config samples/kvs/kvs.rb -m KVSProtocol");
  CHECK(notes.status == 0);
  CHECK(notes.out.find("0 warnings, 0 errors, 3 notes, 0 suppressed") != std::string::npos);
  CHECK(run_calm("check --no-config samples/kvs/kvs.rb -m KVSProtocol --fail-on note").status == 1);
  CHECK(run_calm("check --no-config samples/kvs/kvs.rb -m BasicKVS --fail-on error").status == 0);
  CHECK(run_calm("check --no-config samples/kvs/kvs.rb -m BasicKVS --disable "
                 "calm-point-of-order,calm-temporal-cluster")
            .status == 0);

  CHECK(run_calm("check --no-config").status == 2);
  CHECK(run_calm("check --no-config samples/kvs/kvs.rb --format xml").status == 2);
  CHECK(run_calm("check --no-config samples/kvs/kvs.rb --fail-on sometimes").status == 2);
  CHECK(run_calm("check --no-config samples/kvs/kvs.rb --color maybe").status == 2);
  Run typo = run_calm("check --no-config samples/kvs/kvs.rb --disable calm-pont-of-order");
  CHECK(typo.status == 2);
  CHECK(typo.err.find("did you mean 'calm-point-of-order'?") != std::string::npos);
  CHECK(run_calm("check --no-config no/such/file.rb").status == 2);
  CHECK(run_calm("check --no-config samples/kvs/kvs.rb -m NoSuchModule").status == 2);
  CHECK(run_calm("check --no-config samples/kvs/kvs.rb --baseline no/such/baseline.json").status ==
        2);
  Run help = run_calm("check --help");
  CHECK(help.status == 0);
  CHECK(help.out.find("usage: calm check") != std::string::npos);
}

TEST_CASE("a parse error is an input error: located, no findings, exit 2") {
  TempDir tmp("parse");
  write_file(tmp.path() / "broken.rb",
             "module Broken\n  state do\n    table :t, [:k\n  end\nend\n");
  Run r = run_calm("check --no-config broken.rb --format json", tmp.path().string());
  CHECK(r.status == 2);
  CHECK(r.out.empty());  // no findings computed from a file that did not parse
  CHECK(r.err.find("broken.rb:5:4: error: syntax error: unexpected end of file") !=
        std::string::npos);
  CHECK(r.err.find("calm-parse-error") != std::string::npos);
}

// These round trips are about calm-point-of-order; the output-label findings that the
// same rules cause are switched off to keep the counts about one check.
TEST_CASE("baseline round trip: rules moved down stay matched, new ones fail") {
  TempDir tmp("baseline");
  write_file(tmp.path() / "lint.rb", kProgram);
  std::string d = tmp.path().string();
  Run w = run_calm(
      "check --no-config --disable calm-output-label lint.rb --write-baseline base.json", d);
  CHECK(w.status == 0);
  auto base = nlohmann::json::parse(slurp(tmp.path() / "base.json"));
  CHECK(base["findings"].size() == 1);

  // Blank lines above the rule: its line changes, its fingerprint does not.
  std::string moved = kProgram;
  moved.replace(moved.find("  bloom do"), 10, "\n\n\n\n  bloom do");
  write_file(tmp.path() / "lint.rb", moved);
  Run again =
      run_calm("check --no-config --disable calm-output-label lint.rb --baseline base.json", d);
  CHECK(again.status == 0);
  CHECK(again.out.find("1 suppressed") != std::string::npos);

  std::string more = moved;
  more.replace(more.find("    got <= put.notin(del)"), 25,
               "    got <= put.notin(del)\n    got <= del.notin(put)");
  write_file(tmp.path() / "lint.rb", more);
  Run fails =
      run_calm("check --no-config --disable calm-output-label lint.rb --baseline base.json", d);
  CHECK(fails.status == 1);
  CHECK(fails.out.find("del.notin(put)") != std::string::npos);
  CHECK(fails.out.find("1 warning, 0 errors, 1 note (1 attached to findings), 1 suppressed") !=
        std::string::npos);

  Run sarif = run_calm(
      "check --no-config --disable calm-output-label lint.rb --baseline base.json --format sarif",
      d);
  auto log = nlohmann::json::parse(sarif.out);
  int external = 0;
  for (const auto& r : log["runs"][0]["results"])
    if (r.contains("suppressions")) external += r["suppressions"][0]["kind"] == "external";
  CHECK(external == 1);
}

TEST_CASE("suppression round trip through the CLI") {
  TempDir tmp("allow");
  std::string allowed = kProgram;
  allowed.replace(allowed.find("    got <= put.notin(del)"), 25,
                  "    # calm:allow calm-point-of-order -- del is sealed before put\n"
                  "    got <= put.notin(del)");
  write_file(tmp.path() / "lint.rb", allowed);
  Run r = run_calm("check --no-config --disable calm-output-label lint.rb", tmp.path().string());
  CHECK(r.status == 0);
  CHECK(r.out == "0 warnings, 0 errors, 0 notes, 1 suppressed\n");
  Run j = run_calm("check --no-config --disable calm-output-label lint.rb --format json",
                   tmp.path().string());
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["findings"][0]["suppression"]["reason"] == "del is sealed before put");

  std::string no_reason = kProgram;
  no_reason.replace(no_reason.find("    got <= put.notin(del)"), 25,
                    "    got <= put.notin(del)  # calm:allow calm-point-of-order");
  write_file(tmp.path() / "lint.rb", no_reason);
  Run bad = run_calm("check --no-config --disable calm-output-label lint.rb", tmp.path().string());
  CHECK(bad.status == 1);
  CHECK(bad.out.find("[calm-bad-suppression]") != std::string::npos);
  CHECK(bad.out.find("[calm-point-of-order]") != std::string::npos);
}

TEST_CASE("configuration: discovered from a subdirectory, overridden by options") {
  TempDir tmp("config");
  write_file(tmp.path() / "src" / "lint.rb", kProgram);
  write_file(tmp.path() / ".calm.json",
             "{\n  \"programs\": [{\"name\": \"lint\", \"files\": [\"src/lint.rb\"]}],\n"
             "  \"disabled_checks\": [\"calm-underspecified\"],\n  \"fail_on\": \"error\"\n}\n");
  fs::create_directories(tmp.path() / "sub" / "dir");
  std::string sub = (tmp.path() / "sub" / "dir").string();
  Run r = run_calm("check", sub);
  CHECK(r.status == 0);  // fail_on error
  CHECK(r.out.find("../../src/lint.rb:8:9: warning:") != std::string::npos);
  CHECK(run_calm("check --fail-on warning", sub).status == 1);
  // Files on the command line replace the configured programs.
  CHECK(run_calm("check " + (fs::path(CALM_SOURCE_DIR) / "samples/delivery/delivery.rb").string() +
                     " -m BestEffortDelivery --fail-on warning",
                 sub)
            .status == 0);
  CHECK(run_calm("check --no-config", sub).status == 2);

  write_file(tmp.path() / "bad.json", "{\n  \"programs\": [],\n  \"failon\": \"error\"\n}\n");
  Run bad = run_calm("check --config ../../bad.json", sub);
  CHECK(bad.status == 2);
  CHECK(bad.err.find("../../bad.json:3:3: error: unknown key 'failon'; did you mean 'fail_on'?") !=
        std::string::npos);
}

// tests/checks/project: a repository with its own code (app/) and a vendored library
// (vendor/roster) reached through -I, and a .calm.json scoping the check to app/.
std::string project_dir() { return std::string(CALM_SOURCE_DIR) + "/tests/checks/project"; }

TEST_CASE("findings scoped to the project's files; the library's summarized in one note") {
  Run r = run_calm("check", project_dir());
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(r.out.find("app/server.rb:24:13: warning: point of order: ballots -> ballots") !=
        std::string::npos);
  // No finding located in the library (its lines appear only as notes of app/ findings).
  CHECK(r.out.find("vendor/roster/roster.rb:38:12: warning:") == std::string::npos);
  CHECK(r.out.find("vendor/roster/roster.rb:26:12: note: non-monotonic rule") == std::string::npos);
  CHECK(r.out.find("calm: note: 3 findings in files outside the checked paths "
                   "(vendor/roster/roster.rb: 3); --include GLOB to see them\n") !=
        std::string::npos);
  // --include on the command line wins over the configuration's exclude.
  Run all = run_calm("check --include 'vendor/**'", project_dir());
  CHECK(all.out.find("vendor/roster/roster.rb:38:12: warning: point of order: ballots -> counts") !=
        std::string::npos);
  CHECK(all.out.find("outside the checked paths") == std::string::npos);
  // Files on the command line: they and the files next to them are checked (protocol.rb
  // is the project's own, beside server.rb), the library is not.
  Run one = run_calm("check --no-config app/server.rb -I vendor", project_dir());
  CHECK(one.out.find("app/protocol.rb:6:13: warning") != std::string::npos);
  CHECK(one.out.find("(vendor/roster/roster.rb: 3)") != std::string::npos);
  Run excl = run_calm("check --no-config app/server.rb -I vendor --exclude 'app/*'", project_dir());
  CHECK(excl.status == 0);
  // Library findings do not fail the check: only notes and in-scope findings count.
  Run lib = run_calm("check --disable calm-point-of-order,calm-temporal-cluster,calm-output-label",
                     project_dir());
  CHECK(lib.status == 0);
}

TEST_CASE("paths relative to the working directory or --root, in every format") {
  std::string from_above = "check --config tests/checks/project/.calm.json";
  Run text = run_calm(from_above);
  CHECK(text.out.find("tests/checks/project/app/server.rb:24:13: warning:") != std::string::npos);
  Run root = run_calm(from_above + " --root tests/checks/project");
  CHECK(root.out.find("\napp/server.rb:24:13: warning:") != std::string::npos);
  auto j = nlohmann::json::parse(
      run_calm(from_above + " --root tests/checks/project --format json").out);
  for (const auto& f : j["findings"])
    CHECK(f["location"]["file"].get<std::string>().rfind("app/", 0) == 0);
  Run gh = run_calm(from_above + " --root tests/checks/project --format github");
  CHECK(gh.out.find("::warning file=app/server.rb,line=24,col=13,") != std::string::npos);
  CHECK(gh.out.find("::notice title=calm::3 findings in files outside") != std::string::npos);
  auto sarif = nlohmann::json::parse(
      run_calm(from_above + " --root tests/checks/project --format sarif").out);
  const auto& run = sarif["runs"][0];
  CHECK(run["originalUriBaseIds"]["%SRCROOT%"]["uri"].get<std::string>().find(
            "/tests/checks/project/") != std::string::npos);
  for (const auto& res : run["results"]) {
    const auto& a = res["locations"][0]["physicalLocation"]["artifactLocation"];
    CHECK(a["uriBaseId"] == "%SRCROOT%");
    CHECK(a["uri"].get<std::string>().rfind("app/", 0) == 0);
  }
  CHECK(run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
            .get<std::string>()
            .find("3 findings in files outside the checked paths") == 0);
}

TEST_CASE("--strict: any error in the input exits 2; an unknown module in .calm.json is located") {
  TempDir tmp("strict");
  std::string typo = kProgram;
  typo.replace(typo.find("got <= put.notin(del)"), 21, "gott <= put.notin(del)");
  write_file(tmp.path() / "typo.rb", typo);
  write_file(tmp.path() / "lint.rb", kProgram);
  // By default an unknown collection is an error finding (exit 1) and the rest is checked.
  Run loose = run_calm("check --no-config typo.rb", tmp.path().string());
  CHECK(loose.status == 1);
  CHECK(loose.out.find("error: unknown collection 'gott'") != std::string::npos);
  Run strict = run_calm("check --no-config typo.rb --strict", tmp.path().string());
  CHECK(strict.status == 2);
  CHECK(strict.err.find("calm: stopping on the errors above (--strict)") != std::string::npos);
  CHECK(run_calm("check --no-config lint.rb --strict", tmp.path().string()).status == 1);

  write_file(
      tmp.path() / ".calm.json",
      "{\n  \"programs\": [{\"files\": [\"lint.rb\"], \"modules\": [\"Lint\", \"Lnt\"]}]\n}\n");
  Run bad = run_calm("check", tmp.path().string());
  CHECK(bad.status == 2);
  CHECK(bad.err.find(".calm.json:2:59: error: unknown module or class 'Lnt'") != std::string::npos);
  CHECK(bad.err.find("<command line>") == std::string::npos);
}

TEST_CASE("--color always colours the text; the default on a pipe does not") {
  Run plain = run_calm("check --no-config samples/kvs/kvs.rb -m BasicKVS");
  CHECK(plain.out.find("\x1b[") == std::string::npos);
  Run colored = run_calm("check --no-config samples/kvs/kvs.rb -m BasicKVS --color always");
  CHECK(colored.out.find("\x1b[1;35mwarning:") != std::string::npos);
}

TEST_CASE("-o writes the output file; the summary goes to stderr for machine formats") {
  TempDir tmp("out");
  std::string out = (tmp.path() / "calm.sarif").string();
  Run r =
      run_calm("check --no-config samples/kvs/kvs.rb -m BasicKVS --format sarif -o '" + out + "'");
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("1 warning, ") != std::string::npos);
  auto log = nlohmann::json::parse(slurp(out));
  CHECK(log["version"] == "2.1.0");
}

}  // namespace
}  // namespace calm::test
