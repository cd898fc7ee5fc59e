// Which files `calm check` reports on (checks/scope.h): globs, named files, the
// priority of command-line globs over the configuration's, and what is counted.

#include "checks/scope.h"

#include <doctest/doctest.h>

#include <filesystem>

namespace calm::test {
namespace {

TEST_CASE("glob_match: *, ?, ** and directories") {
  CHECK(glob_match("app/*.rb", "app/server.rb"));
  CHECK_FALSE(glob_match("app/*.rb", "app/lib/server.rb"));
  CHECK(glob_match("app/**/*.rb", "app/server.rb"));  // ** spans zero segments
  CHECK(glob_match("app/**/*.rb", "app/lib/deep/server.rb"));
  CHECK_FALSE(glob_match("app/**/*.rb", "vendor/app/server.rb"));
  CHECK(glob_match("**/roster.rb", "vendor/roster/roster.rb"));
  CHECK(glob_match("app/?.rb", "app/a.rb"));
  CHECK_FALSE(glob_match("app/?.rb", "app/ab.rb"));
  // A pattern without wildcards (a directory) covers what is below it.
  CHECK(glob_match("vendor", "vendor/roster/roster.rb"));
  CHECK(glob_match("vendor/", "vendor/roster/roster.rb"));
  CHECK_FALSE(glob_match("vendor", "vendors/x.rb"));
  CHECK(glob_match("vendor/**", "vendor/roster/roster.rb"));
  CHECK_FALSE(glob_match("*.rb", "app/server.rb"));
}

TEST_CASE("FileScope: named files, includes, excludes, and the command line first") {
  FileScope unrestricted;
  CHECK(unrestricted.unrestricted());
  CHECK(unrestricted.contains("anything.rb"));

  FileScope s;
  s.add_file("app/server.rb");
  CHECK(s.contains("app/server.rb"));
  CHECK(s.contains("./app/../app/server.rb"));  // normalized
  CHECK(s.contains(std::filesystem::absolute("app/server.rb").string()));
  CHECK(s.contains("app/protocol.rb"));  // next to a named file: the project's own
  CHECK_FALSE(s.contains("app/lib/helper.rb"));
  CHECK_FALSE(s.contains("vendor/roster/roster.rb"));
  CHECK(s.contains(""));                // findings about no file
  CHECK(s.contains("<command line>"));  // ... or about the command line

  // A configuration: its paths and excludes, relative to its directory.
  FileScope c;
  c.include("app/**/*.rb", "proj");
  c.exclude("vendor", "proj");
  CHECK(c.contains("proj/app/server.rb"));
  CHECK_FALSE(c.contains("proj/vendor/roster/roster.rb"));
  CHECK_FALSE(c.contains("app/server.rb"));  // not below proj
  // --include on the command line wins over the configuration's exclude ...
  c.include("proj/vendor/**", "", true);
  CHECK(c.contains("proj/vendor/roster/roster.rb"));
  // ... and --exclude over everything.
  c.exclude("proj/app/server.rb", "", true);
  CHECK_FALSE(c.contains("proj/app/server.rb"));
  CHECK(c.contains("proj/app/protocol.rb"));
}

TEST_CASE("apply_scope: findings outside are removed and counted per file") {
  CheckRun run;
  auto finding = [](const std::string& file, Severity s) {
    Finding f;
    f.check = "calm-point-of-order";
    f.severity = s;
    f.location = {file, 3, 1};
    return f;
  };
  run.findings = {finding("app/server.rb", Severity::Warning),
                  finding("vendor/lib.rb", Severity::Warning),
                  finding("vendor/lib.rb", Severity::Error),
                  finding("vendor/other.rb", Severity::Note), finding("", Severity::Error)};
  Finding suppressed = finding("vendor/other.rb", Severity::Warning);
  suppressed.suppression = Suppression{};
  run.findings.push_back(suppressed);
  FileScope s;
  s.add_file("app/server.rb");
  apply_scope(run, s);
  REQUIRE(run.findings.size() == 2);
  CHECK(run.findings[0].location.file == "app/server.rb");
  CHECK(run.findings[1].location.file.empty());
  CHECK(run.outside.findings == 3);  // the suppressed one is not counted
  CHECK(run.outside.errors == 1);
  CHECK(run.outside.by_file ==
        std::map<std::string, size_t>{{"vendor/lib.rb", 2}, {"vendor/other.rb", 1}});
}

}  // namespace
}  // namespace calm::test
