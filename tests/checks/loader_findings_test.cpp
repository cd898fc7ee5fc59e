// calm-parse-error, calm-unknown-collection and the other loader diagnostics become
// findings with their own ids.

#include "checks/loader_findings.h"

#include "support/check_test_support.h"

namespace calm::test {
namespace {

const char* kUnknown = R"RUBY(
module Typo
  state do
    interface input, :put, [:key]
    interface output, :got, [:key]
  end
  bloom do
    got <= putt          # expect: calm-unknown-collection
  end
end
)RUBY";

TEST_CASE("calm-unknown-collection is an error finding at the name") {
  CheckOptions o;
  o.disabled = {"calm-underspecified", "calm-output-label"};
  check_inline(kUnknown, {}, o);
  CheckRun run = check_memory(kUnknown, {}, o);
  bool found = false;
  for (const auto& f : run.findings)
    if (f.check == "calm-unknown-collection") {
      found = true;
      CHECK(f.severity == Severity::Error);
      CHECK(f.program.empty());
      CHECK(f.fingerprint.size() == 16);
    }
  CHECK(found);
  CHECK(run.fails(Severity::Error));
}

TEST_CASE("calm-parse-error and a missing file are input errors") {
  LoadResult r = load_memory("module Broken\n  state do\n    table :t, [:k\n  end\nend\n");
  std::vector<Finding> fs = findings_from_diagnostics(r.diagnostics.sorted());
  bool parse_error = false;
  for (const auto& f : fs) parse_error = parse_error || f.check == "calm-parse-error";
  CHECK(parse_error);
  CHECK(r.programs.empty());  // nothing is read from a file that did not parse
  bool parse_input_error = false;
  for (const auto& d : r.diagnostics.sorted()) parse_input_error |= is_input_error(d);
  CHECK(parse_input_error);

  LoadOptions lo;
  lo.files = {"/nonexistent/calm/missing.rb"};
  LoadResult missing = load_programs(lo);
  bool input_error = false;
  for (const auto& d : missing.diagnostics.sorted()) input_error = input_error || is_input_error(d);
  CHECK(input_error);
}

}  // namespace
}  // namespace calm::test
