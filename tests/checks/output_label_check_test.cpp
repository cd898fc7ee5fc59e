// calm-output-label: diffluent outputs warn, non-monotonic ones are notes, with causes.

#include "checks/output_label_check.h"

#include <doctest/doctest.h>

#include "support/load_helpers.h"

using namespace calm;

TEST_CASE("calm-output-label: diffluent warns with its causes, non-monotonic is a note") {
  auto r = calm::test::load_source(R"(
class Tally
  include Bud
  state do
    channel :vote, [:@to, :round, :voter]
    table :votes, [:round, :voter]
    channel :result, [:@to, :round] => [:n]
    interface input, :local, [:k] => [:v]
    interface output, :local_count, [:k] => [:n]
    interface output, :echo, [:k] => [:v]
  end
  bloom do
    votes <= vote.payloads
    result <~ votes.group([:round], count(:voter)) {|g| ["leader", g[0], g[1]]}
    local_count <= local.group([:k], count)
    echo <= local
  end
end
)");
  REQUIRE(r.programs.size() == 1);
  ProgramAnalysis a(r.programs[0]);
  std::vector<Finding> out;
  OutputLabelCheck().check(a, out);
  REQUIRE(out.size() == 2);
  const Finding* result = nullptr;
  const Finding* local = nullptr;
  for (const auto& f : out) {
    if (f.message.find("output result ") == 0) result = &f;
    if (f.message.find("output local_count ") == 0) local = &f;
  }
  REQUIRE(result);
  REQUIRE(local);
  CHECK(result->severity == Severity::Warning);
  CHECK(result->message.find("is diffluent") != std::string::npos);
  CHECK(result->location.line == 7);
  REQUIRE(!result->notes.empty());
  CHECK(result->notes[0].message == "point of order votes -> result");
  CHECK(result->notes[0].location.line == 14);
  CHECK(local->severity == Severity::Note);
  CHECK(local->message.find("is non-monotonic") != std::string::npos);
  CHECK(result->fingerprint != local->fingerprint);
}
