// calm-unstratifiable: an error per instantaneous cycle through a non-monotonic edge.

#include "checks/unstratifiable_check.h"

#include "support/check_test_support.h"

namespace calm::test {
namespace {

const char* kCycle = R"RUBY(
module Cycle
  state do
    interface input, :put, [:key]
    interface output, :got, [:key]
    scratch :a, [:key]
    scratch :b, [:key]
  end

  bloom do
    a <= put.notin(b, :key => :key)     # expect: calm-unstratifiable
    b <= a
    got <= b
  end
end
)RUBY";

TEST_CASE("calm-unstratifiable: a negation inside a same-timestep cycle") {
  CheckOptions o;
  o = only_checks({"calm-unstratifiable"});
  check_inline(kCycle, {}, o);
  CheckRun run = check_memory(kCycle, {}, o);
  REQUIRE(run.findings.size() == 1);
  CHECK(run.findings[0].severity == Severity::Error);
  CHECK(run.findings[0].message.find("unstratifiable cycle") != std::string::npos);
  CHECK(run.findings[0].notes.size() == 2);
  CHECK(run.fails(Severity::Error));
}

}  // namespace
}  // namespace calm::test
