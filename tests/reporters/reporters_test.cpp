// The reporters as pure functions: text, JSON (against its schema), SARIF, GitHub.

#include "report/schema_validator.h"
#include "reporters/common.h"
#include "reporters/github_reporter.h"
#include "reporters/json_reporter.h"
#include "reporters/sarif_reporter.h"
#include "reporters/text_reporter.h"
#include "support/check_test_support.h"

namespace calm::test {
namespace {

Finding sample_finding() {
  Finding f;
  f.check = "calm-point-of-order";
  f.severity = Severity::Warning;
  f.message = "non-monotonic rule: prev -> kvstate (deletion (<-)); coordinate";
  f.location = {"src/kvs.rb", 3, 13};
  f.notes = {{"prev is read here", {"src/kvs.rb", 3, 14}}};
  f.program = "BasicKVS";
  f.fingerprint = "0123456789abcdef";
  return f;
}

TEST_CASE("github: workflow-command escaping of data and properties") {
  CHECK(escape_github_data("100% done\r\nnext") == "100%25 done%0D%0Anext");
  CHECK(escape_github_data("a: b, c") == "a: b, c");
  CHECK(escape_github_property("a: b, c%\n") == "a%3A b%2C c%25%0A");
  Finding f = sample_finding();
  f.location.file = "dir,with:odd/kvs.rb";
  CHECK(github_annotation(f, "", false) ==
        "::warning file=dir%2Cwith%3Aodd/kvs.rb,line=3,col=13,title=calm-point-of-order::"
        "non-monotonic rule: prev -> kvstate (deletion (<-)); coordinate"
        "%0Anote: src/kvs.rb:3: prev is read here\n");
  f.severity = Severity::Note;
  f.notes.clear();
  CHECK(github_annotation(f, "", true).rfind("::notice ", 0) == 0);
  CHECK(github_annotation(f, "", true).find("(program BasicKVS)") != std::string::npos);
}

TEST_CASE("text: gcc-style line, source line, caret, notes, summary") {
  CheckRun run;
  run.findings = {sample_finding()};
  std::map<std::string, std::string> sources = {
      {"src/kvs.rb", "module A\n  bloom do\n    kvstate <- prev\n  end\nend\n"}};
  std::string out = text_report(run, sources, {});
  CHECK(out ==
        "src/kvs.rb:3:13: warning: non-monotonic rule: prev -> kvstate (deletion (<-)); "
        "coordinate [calm-point-of-order]\n"
        "      kvstate <- prev\n"
        "              ^\n"
        "src/kvs.rb:3:14: note: prev is read here\n"
        "1 warning, 0 errors, 1 note (1 attached to findings), 0 suppressed\n");
  TextOptions color;
  color.color = true;
  std::string colored = text_report(run, sources, color);
  CHECK(colored.find("\x1b[1;35mwarning:\x1b[0m") != std::string::npos);
  run.findings[0].suppression = Suppression{SuppressionKind::Baseline, "", {}};
  CHECK(text_report(run, sources, {}) == "0 warnings, 0 errors, 0 notes, 1 suppressed\n");
}

TEST_CASE("text: repeated notes are printed once and referred to; every note is counted") {
  // Four outputs with the same causes: the causes once, then one line per repeat.
  CheckRun run;
  for (int i = 0; i < 3; ++i) {
    Finding f = sample_finding();
    f.check = "calm-output-label";
    f.message = "output o" + std::to_string(i) + " is diffluent";
    f.location = {"src/kvs.rb", 10 + i, 3};
    f.notes = {{"point of order a -> b", {"src/kvs.rb", 3, 13}},
               {"point of order c -> d", {"src/kvs.rb", 4, 13}}};
    if (i == 2) f.notes.push_back({"asynchronous edge e -> f (<~)", {"src/kvs.rb", 5, 2}});
    run.findings.push_back(f);
  }
  Finding note = sample_finding();
  note.severity = Severity::Note;
  note.notes.clear();
  note.location = {"src/kvs.rb", 20, 1};
  run.findings.push_back(note);
  std::string out = text_report(run, {}, {});
  CHECK(out ==
        "src/kvs.rb:10:3: warning: output o0 is diffluent [calm-output-label]\n"
        "src/kvs.rb:3:13: note: point of order a -> b\n"
        "src/kvs.rb:4:13: note: point of order c -> d\n"
        "src/kvs.rb:11:3: warning: output o1 is diffluent [calm-output-label]\n"
        "src/kvs.rb:11:3: note: 2 notes as for the finding at src/kvs.rb:10:3 above\n"
        "src/kvs.rb:12:3: warning: output o2 is diffluent [calm-output-label]\n"
        "src/kvs.rb:5:2: note: asynchronous edge e -> f (<~)\n"
        "src/kvs.rb:12:3: note: 2 notes as for the finding at src/kvs.rb:10:3 above\n"
        "src/kvs.rb:20:1: note: non-monotonic rule: prev -> kvstate (deletion (<-)); coordinate "
        "[calm-point-of-order]\n"
        "3 warnings, 0 errors, 6 notes (5 attached to findings), 0 suppressed\n");
  // JSON keeps every note of every finding (the data), and counts them.
  nlohmann::ordered_json j = findings_json(run, "test");
  CHECK(j["findings"][1]["notes"].size() == 2);
  CHECK(j["summary"]["attached_notes"] == 7);
  CHECK(j["summary"]["notes"] == 1);
}

TEST_CASE("findings outside the checked paths: one note in every format") {
  CheckRun run;
  run.findings = {sample_finding()};
  run.outside.findings = 14;
  run.outside.errors = 1;
  run.outside.by_file = {
      {"vendor/a.rb", 9}, {"vendor/b.rb", 2}, {"vendor/c.rb", 2}, {"vendor/d.rb", 1}};
  std::string line = out_of_scope_text(run.outside, "");
  CHECK(line ==
        "14 findings (1 error) in files outside the checked paths (vendor/a.rb: 9, vendor/b.rb: 2, "
        "vendor/c.rb: 2, and 1 more file); --include GLOB to see them");
  CHECK(out_of_scope_text(OutOfScope{}, "").empty());
  std::string text = text_report(run, {}, {});
  CHECK(text.find("calm: note: " + line + "\n1 warning,") != std::string::npos);
  CHECK(github_report(run, "", false).find("::notice title=calm::" + line + "\n") !=
        std::string::npos);
  nlohmann::ordered_json j = findings_json(run, "test");
  CHECK(j["summary"]["outside_checked_paths"] == 14);
  CHECK(j["summary"]["outside_files"]["vendor/a.rb"] == 9);
  SchemaValidator v(
      nlohmann::json::parse(slurp(std::string(CALM_SOURCE_DIR) + "/docs/findings.schema.json")));
  CHECK(v.validate(j).empty());
  nlohmann::ordered_json sarif = sarif_log(run, SarifOptions{"test", ""});
  const auto& n = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
  CHECK(n["level"] == "note");
  CHECK(n["message"]["text"] == line);
  CHECK(sarif["runs"][0]["invocations"][0]["executionSuccessful"] == true);
}

TEST_CASE("display_path: relative to the root in every format") {
  namespace fs = std::filesystem;
  std::string cwd = fs::current_path().generic_string();
  CHECK(display_path("./src/../src/kvs.rb", "") == "src/kvs.rb");
  CHECK(display_path(cwd + "/src/kvs.rb", "") == "src/kvs.rb");
  CHECK(display_path("src/kvs.rb", "src") == "kvs.rb");
  CHECK(display_path("../lib/x.rb", "") == "../lib/x.rb");  // given relative: kept so
  CHECK(display_path("/nonexistent-root/lib/x.rb", "") == "/nonexistent-root/lib/x.rb");
  CHECK(display_path("<command line>", "") == "<command line>");
  CHECK(display_path("", "") == "");
  Finding f = sample_finding();
  f.location.file = cwd + "/src/kvs.rb";
  CHECK(finding_json(f)["location"]["file"] == "src/kvs.rb");
  TextOptions to;
  to.root = "src";
  CheckRun run;
  run.findings = {f};
  CHECK(text_report(run, {}, to).rfind("kvs.rb:3:13: warning:", 0) == 0);
}

TEST_CASE("json: findings validate against docs/findings.schema.json") {
  SchemaValidator v(
      nlohmann::json::parse(slurp(std::string(CALM_SOURCE_DIR) + "/docs/findings.schema.json")));
  CHECK(v.unsupported_keywords().empty());
  CheckRun run;
  run.findings = {sample_finding(), sample_finding()};
  run.findings[1].suppression = Suppression{SuppressionKind::Inline, "ok", {"src/kvs.rb", 2, 5}};
  nlohmann::ordered_json j = findings_json(run, "test");
  auto errors = v.validate(j);
  INFO(j.dump(2));
  CHECK(errors.empty());
  CHECK(j["summary"]["warnings"] == 1);
  CHECK(j["summary"]["suppressed"] == 1);
  CHECK(j["findings"][1]["suppression"]["kind"] == "inline");
}

TEST_CASE("sarif: createRule, createPhysicalLocation, createResult") {
  CHECK(rule_name("calm-point-of-order") == "PointOfOrder");
  nlohmann::ordered_json rule = createRule(check_table().front());
  CHECK(rule["id"] == "calm-point-of-order");
  CHECK(rule["defaultConfiguration"]["level"] == "warning");
  CHECK_FALSE(rule.contains("helpUri"));
  CHECK(rule["help"]["markdown"].get<std::string>().find("docs/checks/calm-point-of-order.md") !=
        std::string::npos);

  SarifOptions o{"1.2.3", ""};
  auto loc = createPhysicalLocation({"src/my kvs.rb", 3, 11}, o);
  CHECK(loc["artifactLocation"]["uri"] == "src/my%20kvs.rb");
  CHECK(loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%");
  CHECK(loc["region"]["startLine"] == 3);
  CHECK(loc["region"]["startColumn"] == 11);
  auto outside = createPhysicalLocation({"/elsewhere/x.rb", 0, 0}, o);
  CHECK(outside["artifactLocation"]["uri"] == "file:///elsewhere/x.rb");
  CHECK_FALSE(outside.contains("region"));

  Finding f = sample_finding();
  auto r = createResult(f, 0, o);
  CHECK(r["ruleId"] == "calm-point-of-order");
  CHECK(r["ruleIndex"] == 0);
  CHECK(r["level"] == "warning");
  CHECK(r["partialFingerprints"][kSarifFingerprintKey] == "0123456789abcdef");
  CHECK(r["relatedLocations"][0]["message"]["text"] == "prev is read here");
  CHECK_FALSE(r.contains("suppressions"));
  f.suppression = Suppression{SuppressionKind::Baseline, "", {}};
  CHECK(createResult(f, 0, o)["suppressions"][0]["kind"] == "external");

  CheckRun run;
  run.findings = {f};
  run.findings[0].check = "calm-bad-declaration";  // a loader id not in the table
  auto log = sarif_log(run, o);
  CHECK(log["$schema"] == kSarifSchemaUri);
  CHECK(log["version"] == "2.1.0");
  auto& driver = log["runs"][0]["tool"]["driver"];
  CHECK(driver["rules"].size() == check_table().size() + 1);
  CHECK(log["runs"][0]["results"][0]["ruleIndex"] == int(check_table().size()));
  // The loader's id gets its rule from the registry: summary, page, default level.
  const auto& adhoc = driver["rules"].back();
  CHECK(adhoc["id"] == "calm-bad-declaration");
  CHECK(adhoc["shortDescription"]["text"] == find_diagnostic_id("calm-bad-declaration")->summary);
  CHECK(adhoc["help"]["text"].get<std::string>().find("docs/checks/calm-bad-declaration.md") !=
        std::string::npos);
  CHECK(adhoc["defaultConfiguration"]["level"] == "error");
  CHECK(log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].get<std::string>().back() == '/');
}

TEST_CASE("repository_relative") {
  CHECK(repository_relative("a/b.rb", "") == "a/b.rb");
  CHECK(repository_relative("a/b.rb", "a") == "b.rb");
  CHECK(repository_relative("./a/../c.rb", "") == "c.rb");
  CHECK_FALSE(repository_relative("../x.rb", "").has_value());
}

}  // namespace
}  // namespace calm::test
