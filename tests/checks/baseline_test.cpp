// Baselines: fingerprints of accepted findings, matched by fingerprint, not by line.

#include "checks/baseline.h"

#include "support/check_test_support.h"

namespace calm::test {
namespace {

const char* kProgram = R"RUBY(
module B
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

TEST_CASE("a baseline round trip hides the accepted findings, even moved") {
  CheckRun first = check_memory(kProgram);
  REQUIRE_FALSE(first.findings.empty());
  std::string text = baseline_text(first.findings);
  std::set<std::string> fps;
  std::string error;
  REQUIRE(parse_baseline(text, fps, error));
  CHECK(fps.size() == first.findings.size());

  // Move the rule down with blank lines: still matched.
  std::string moved = kProgram;
  moved.replace(moved.find("  bloom do"), 10, "\n\n\n  bloom do");
  CheckOptions o;
  o.baseline = fps;
  CheckRun second = check_memory(moved, {}, o);
  CHECK(second.suppressed() == second.findings.size());
  CHECK_FALSE(second.fails(Severity::Note));
  for (const auto& f : second.findings) CHECK(f.suppression->kind == SuppressionKind::Baseline);

  // A new point of order is not in the baseline.
  std::string added = moved;
  added.replace(added.find("    got <= put.notin(del)"), 25,
                "    got <= put.notin(del)\n    got <= del.notin(put)");
  CheckRun third = check_memory(added, {}, o);
  CHECK(third.count(Severity::Warning) == 1);
  CHECK(third.fails(Severity::Warning));
}

TEST_CASE("baseline files: sorted, versioned, validated") {
  Finding a, b;
  a.fingerprint = "bbbb000000000000";
  a.check = "calm-point-of-order";
  b.fingerprint = "aaaa000000000000";
  b.check = "calm-temporal-cluster";
  std::string text = baseline_text({a, b});
  CHECK(text.find("aaaa") < text.find("bbbb"));
  CHECK(text.find("\"calm_baseline\": 1") != std::string::npos);
  std::set<std::string> fps;
  std::string error;
  CHECK_FALSE(parse_baseline("{", fps, error));
  CHECK(error == "not valid JSON");
  CHECK_FALSE(parse_baseline("{\"findings\": []}", fps, error));
  CHECK_FALSE(parse_baseline("{\"calm_baseline\": 2, \"findings\": []}", fps, error));
  CHECK_FALSE(parse_baseline("{\"calm_baseline\": 1, \"findings\": [{}]}", fps, error));
  CHECK(parse_baseline("{\"calm_baseline\": 1, \"findings\": []}", fps, error));
}

}  // namespace
}  // namespace calm::test
