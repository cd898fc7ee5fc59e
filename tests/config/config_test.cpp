// .calm.json: parsing, errors located at the key, discovery by walking up.

#include "config/config.h"

#include "checks/check_registry.h"
#include "checks/loader_findings.h"
#include "support/check_test_support.h"

namespace calm::test {
namespace {

// Regression: keys were put in the JSON pointer unescaped, so an unknown key holding '/'
// or '~' was not found and its error had no line.
TEST_CASE("parse_config: an unknown key with '/' or '~' is located at the key") {
  Config c;
  Diagnostics d;
  CHECK_FALSE(
      parse_config("{\n  \"paths/x\": [],\n  \"programs\": [{\"files\": [\"a.rb\"], \"~m\": 1}]}",
                   ".calm.json", check_ids(), c, d));
  auto all = d.sorted();
  REQUIRE(all.size() == 2);
  CHECK(all[0].message.find("unknown key 'paths/x'") == 0);
  CHECK(all[0].location == SourceLocation{".calm.json", 2, 3});
  CHECK(all[1].message.find("unknown key '~m'") == 0);
  CHECK(all[1].location == SourceLocation{".calm.json", 3, 36});
}

TEST_CASE("parse_config: every key, paths relative to the file") {
  std::string text = R"({
  "programs": [{"name": "kvs", "files": ["samples/kvs/kvs.rb"], "modules": ["BasicKVS"]}],
  "include_dirs": ["lib"],
  "disabled_checks": ["calm-underspecified"],
  "fail_on": "error",
  "baseline": "ci/baseline.json"
})";
  Config c;
  Diagnostics d;
  REQUIRE(parse_config(text, "proj/.calm.json", check_ids(), c, d));
  REQUIRE(c.programs.size() == 1);
  CHECK(c.programs[0].name == "kvs");
  CHECK(c.programs[0].files == std::vector<std::string>{"proj/samples/kvs/kvs.rb"});
  CHECK(c.programs[0].modules == std::vector<std::string>{"BasicKVS"});
  CHECK(c.include_dirs == std::vector<std::string>{"proj/lib"});
  CHECK(c.disabled_checks == std::vector<std::string>{"calm-underspecified"});
  CHECK(c.fail_on == Severity::Error);
  CHECK(c.baseline == "proj/ci/baseline.json");
}

TEST_CASE("parse_config: unknown keys and bad values are located errors") {
  std::string text =
      "{\n  \"fial_on\": \"warning\",\n  \"programs\": [{\"files\": [\"a.rb\"], "
      "\"module\": [\"X\"]}],\n  \"disabled_checks\": [\"calm-pont-of-order\"],\n"
      "  \"fail_on\": \"sometimes\"\n}\n";
  Config c;
  Diagnostics d;
  CHECK_FALSE(parse_config(text, ".calm.json", check_ids(), c, d));
  auto all = d.sorted();
  REQUIRE(all.size() == 4);
  CHECK(all[0].message == "unknown key 'fial_on'; did you mean 'fail_on'?");
  CHECK(all[0].location == SourceLocation{".calm.json", 2, 3});
  CHECK(all[1].message == "unknown key 'module'; did you mean 'modules'?");
  CHECK(all[1].location.line == 3);
  CHECK(all[2].message ==
        "unknown check 'calm-pont-of-order'; did you mean 'calm-point-of-order'?");
  CHECK(all[2].location.line == 4);
  CHECK(all[3].location.line == 5);

  Diagnostics bad_json;
  CHECK_FALSE(parse_config("{\n  \"programs\": [,]\n}", ".calm.json", check_ids(), c, bad_json));
  REQUIRE(bad_json.size() == 1);
  CHECK(bad_json.sorted()[0].location.line == 2);
}

TEST_CASE("find_config walks up from the working directory") {
  TempDir tmp("find");
  fs::create_directories(tmp.path() / "a" / "b");
  CHECK_FALSE(find_config(tmp.path() / "a" / "b").has_value());
  write_file(tmp.path() / ".calm.json", "{}");
  auto found = find_config(tmp.path() / "a" / "b");
  REQUIRE(found);
  CHECK(fs::equivalent(*found, tmp.path() / ".calm.json"));
}

}  // namespace
}  // namespace calm::test

TEST_CASE("parse_config: the front ends' warnings that reach calm check can be disabled") {
  // calm-bootstrap-code and calm-syndicate-opaque are findings of `calm check`; they were
  // missing from the loader's ids, so disabling them was "unknown check".
  for (const char* id : {"calm-bootstrap-code", "calm-syndicate-opaque"}) {
    CAPTURE(id);
    calm::Config c;
    calm::Diagnostics d;
    CHECK(calm::parse_config(std::string("{\"disabled_checks\": [\"") + id + "\"]}", ".calm.json",
                             calm::all_check_ids(), c, d));
    CHECK(d.empty());
  }
}
