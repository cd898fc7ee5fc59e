// calm-underspecified: a note per interface whose dataflow the program leaves open.

#include "checks/underspecified_check.h"

#include "support/check_test_support.h"

namespace calm::test {
namespace {

const char* kProtocol = R"RUBY(
module Protocol
  state do
    interface input, :req, [:id]         # expect: calm-underspecified
    interface output, :resp, [:id]       # expect: calm-underspecified
    interface input, :other, [:id]
    interface output, :echo, [:id]
  end

  bloom do
    echo <= other
  end
end
)RUBY";

TEST_CASE("calm-underspecified: at the interface declarations") {
  CheckOptions o;
  o = only_checks({"calm-underspecified"});
  check_inline(kProtocol, {}, o);
  CheckRun run = check_memory(kProtocol, {}, o);
  REQUIRE(run.findings.size() == 2);
  CHECK(run.findings[0].severity == Severity::Note);
  CHECK(run.findings[0].message ==
        "underspecified input interface req: no output interface is reachable from it");
  CHECK(run.findings[1].message == "underspecified output interface resp: no rule writes it");
  CHECK_FALSE(run.fails(Severity::Warning));
  CHECK(run.fails(Severity::Note));
}

}  // namespace
}  // namespace calm::test
