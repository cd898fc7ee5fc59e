// Suppression markers: `# calm:allow CHECK -- reason` and `# calm:coordinated -- reason`,
// and the findings about the markers themselves (calm-bad-suppression,
// calm-unused-suppression).

#include "checks/suppressions.h"

#include "support/check_test_support.h"

namespace calm::test {
namespace {

TEST_CASE("parse_marker_line reads markers only from comments") {
  auto m = parse_marker_line("  kv <- x  # calm:allow calm-point-of-order -- sealed per key");
  REQUIRE(m);
  CHECK(m->kind == "allow");
  CHECK(m->checks == "calm-point-of-order");
  CHECK(m->has_separator);
  CHECK(m->reason == "sealed per key");
  CHECK(m->column == 12);
  auto c = parse_marker_line("# calm:coordinated -- hand-verified");
  REQUIRE(c);
  CHECK(c->kind == "coordinated");
  CHECK(c->reason == "hand-verified");
  auto no_reason = parse_marker_line("# calm:allow calm-point-of-order");
  REQUIRE(no_reason);
  CHECK_FALSE(no_reason->has_separator);
  CHECK_FALSE(parse_marker_line("x = \"#{calm:allow}\""));
  CHECK_FALSE(parse_marker_line("# just a comment calm:allow x -- y"));
  CHECK_FALSE(parse_marker_line("# calm:allowed x -- y"));
}

const char* kAllow = R"RUBY(
module Allow
  state do
    channel :put, [:@addr, :key] => [:val]
    channel :del, [:@addr, :key]
    interface output, :got, [:key] => [:val]
    scratch :live, [:key] => [:val]
    scratch :cnt, [] => [:n]
    scratch :last, [] => [:n]
    scratch :other, [:key] => [:val]
  end

  bloom do
    live <= put.notin(del, :key => :key)  # calm:allow calm-point-of-order -- del is sealed per key
    # calm:allow calm-point-of-order -- counted after the barrier
    cnt <= live.group([], count)
    last <= cnt.argmax([], :n)  # calm:allow calm-point-of-order  # expect: calm-point-of-order, calm-bad-suppression
    # calm:allow calm-pont-of-order -- typo  # expect: calm-bad-suppression
    other <= put.notin(live)    # expect: calm-point-of-order
    got <= put                  # calm:allow calm-point-of-order -- nothing to allow  # expect: calm-unused-suppression
  end
end
)RUBY";

TEST_CASE("calm:allow on the line or the line above, with a reason") {
  CheckOptions o;
  o.disabled = {"calm-underspecified", "calm-output-label"};
  check_inline(kAllow, {}, o);
  CheckRun run = check_memory(kAllow, {}, o);
  CHECK(run.suppressed() == 2);
  for (const auto& f : run.findings) {
    if (!f.suppression) continue;
    CHECK(f.suppression->kind == SuppressionKind::Inline);
    CHECK_FALSE(f.suppression->reason.empty());
  }
  bool typo_hint = false;
  for (const auto& f : run.findings)
    typo_hint =
        typo_hint || f.message.find("did you mean 'calm-point-of-order'?") != std::string::npos;
  CHECK(typo_hint);
}

TEST_CASE("calm:allow does not change the finding's fingerprint") {
  std::string plain = R"RUBY(
module A
  state do
    interface input, :put, [:key]
    interface output, :got, [:key]
    scratch :seen, [:key]
  end
  bloom do
    got <= put.notin(seen)
  end
end
)RUBY";
  std::string allowed = plain;
  allowed.replace(allowed.find("got <= put.notin(seen)"), 22,
                  "got <= put.notin(seen)  # calm:allow calm-point-of-order -- ok");
  CheckRun a = check_memory(plain);
  CheckRun b = check_memory(allowed);
  REQUIRE(a.findings.size() == b.findings.size());
  for (size_t i = 0; i < a.findings.size(); ++i)
    CHECK(a.findings[i].fingerprint == b.findings[i].fingerprint);
}

const char* kCoordinated = R"RUBY(
module Votes
  state do
    channel :vote, [:@peer]
    interface output, :tally, [] => [:n]
  end
end

# The coordinator is the coordination: verified by hand.
# calm:coordinated -- hand-verified vote counting
module Coordinator
  include Votes
  bloom do
    tally <= vote.group([], count)
  end
end

module Participant
  include Votes
  state do
    table :vetoed, [:peer]
    scratch :mine, [:peer]
  end
  bloom do
    mine <= vote.notin(vetoed)    # expect: calm-local-point-of-order
  end
end

module Inner
  # calm:coordinated -- marker at the top of the body
  include Votes
  bloom do
    tally <= vote.group([], count)
  end
end

# calm:coordinated -- nothing to coordinate   # expect: calm-unused-suppression
module Quiet
  include Votes
  bloom do
    tally <= vote { |v| [1] }
  end
end

module Loose
  include Votes
  # calm:coordinated -- not next to a module   # expect: calm-bad-suppression
  bloom do
    tally <= vote { |v| [2] }
  end
end
)RUBY";

TEST_CASE("calm:coordinated suppresses the findings about a module's code") {
  CheckOptions o;
  o.disabled = {"calm-underspecified", "calm-output-label"};
  check_inline(kCoordinated, {}, o);
  CheckRun run = check_memory(kCoordinated, {}, o);
  size_t coordinated = 0;
  for (const auto& f : run.findings)
    if (f.suppression && f.suppression->kind == SuppressionKind::Coordinated) {
      ++coordinated;
      CHECK((f.program == "Coordinator" || f.program == "Inner"));
    }
  CHECK(coordinated == 2);
}

TEST_CASE("the twopc sample: the coordinator is suppressed, the participant is not") {
  LoadOptions lo;
  lo.files = {std::string(CALM_SOURCE_DIR) + "/samples/twopc/twopc.rb"};
  // About the points of order; the outputs' labels involve the participant too.
  CheckOptions o;
  o.disabled = {"calm-output-label"};
  CheckRun run = run_checks(load_programs(lo), o);
  size_t shown = 0;
  for (const auto& f : run.findings) {
    if (f.suppression) {
      CHECK(f.suppression->kind == SuppressionKind::Coordinated);
      CHECK(f.suppression->reason == "hand-verified 2PC coordination");
    } else {
      ++shown;
      CHECK(f.message.find("vetoed -> my_vote") != std::string::npos);
    }
  }
  CHECK(shown == 1);
  CHECK(run.suppressed() >= 5);
}

}  // namespace
}  // namespace calm::test
