// calm-point-of-order: one warning per rule with a point of order that needs
// communication, at its operator; calm-local-point-of-order: a note for the ones the
// coordination analysis finds local. The programs below carry their expected findings
// inline (`# expect: CHECK`); their inputs are channels (from other nodes) unless the test
// is about local points of order.

#include "checks/point_of_order_check.h"

#include "support/check_test_support.h"

namespace calm::test {
namespace {

CheckOptions only(const std::string& id) { return only_checks({id}); }

const char* kStore = R"RUBY(
require 'bud'

module Store
  state do
    channel :put, [:@addr, :key] => [:val]
    channel :del, [:@addr, :key]
    interface output, :got, [:key] => [:val]
    table :kv, [:key] => [:val]
    scratch :cnt, [] => [:n]
    scratch :live, [:key] => [:val]
    scratch :copy, [:key] => [:val]
  end

  bloom do
    kv <= put                               # expect: calm-point-of-order
    kv <- (kv * del).lefts(:key => :key)    # expect: calm-point-of-order
    cnt <= kv.group([], count)              # expect: calm-point-of-order
    live <= kv.notin(del, :key => :key)     # expect: calm-point-of-order
    copy <= live
    got <= copy
  end
end
)RUBY";

const char* kUpsert = R"RUBY(
module Upsert
  state do
    channel :put, [:@addr, :key] => [:val]
    interface output, :got, [:key] => [:val]
    table :kv, [:key] => [:val]
  end

  bloom do
    kv <+- put { |p| [p.key, p.val] }      # expect: calm-point-of-order
    got <= kv
  end
end
)RUBY";

// Monotone: joins, projections, merges and async sends have no point of order.
const char* kMonotone = R"RUBY(
module Monotone
  state do
    interface input, :a, [:x]
    interface input, :b, [:x]
    interface output, :out, [:x]
    channel :chan, [:@to, :x]
    table :seen, [:x]
  end

  bloom do
    seen <= (a * b).pairs(:x => :x) { |l, r| [l.x] }
    chan <~ seen { |s| ["peer:1", s.x] }
    out <= chan { |c| [c.x] }
  end
end
)RUBY";

// Limitation: a method calm does not know is assumed non-monotone, like Bud does; a
// monotone helper still gets a finding (docs/checks/calm-point-of-order.md).
const char* kUnknownMethod = R"RUBY(
module Unknown
  state do
    channel :a, [:@addr, :x]
    interface output, :out, [:x]
  end

  bloom do
    out <= a.my_helper                      # expect: calm-point-of-order
  end
end
)RUBY";

// The same store fed by input interfaces: every input is complete on this node within a
// timestep, so the coordination analysis calls each point of order local (stratify-locally):
// notes of calm-local-point-of-order, no calm-point-of-order warning.
const char* kLocalStore = R"RUBY(
module LocalStore
  state do
    interface input, :put, [:key] => [:val]
    interface input, :del, [:key]
    interface output, :got, [:key] => [:val]
    table :kv, [:key] => [:val]
    scratch :cnt, [] => [:n]
  end

  bloom do
    kv <= put                               # expect: calm-local-point-of-order
    kv <- (kv * del).lefts(:key => :key)    # expect: calm-local-point-of-order
    cnt <= kv.group([], count)              # expect: calm-local-point-of-order
    got <= kv                               # expect: calm-local-point-of-order
  end
end
)RUBY";

TEST_CASE("calm-local-point-of-order: local points of order are notes resolved by stratification") {
  check_inline(kLocalStore, {}, only_checks({PointOfOrderCheck::kId, LocalPointOfOrderCheck::kId}));
  CheckRun run = check_memory(kLocalStore, {}, only(LocalPointOfOrderCheck::kId));
  REQUIRE(run.findings.size() == 4);
  for (const auto& f : run.findings) {
    CHECK(f.check == "calm-local-point-of-order");
    CHECK(f.severity == Severity::Note);
    CHECK(f.message.find("coordinate") == std::string::npos);
  }
  // The aggregate: resolved by stratification.
  CHECK(run.findings[2].message ==
        "point of order: kv -> cnt (leaves temporal cluster {kv}; non-monotonic: aggregation "
        "(group)); {kv} feeds its state back across timesteps through kv -> kv (deletion (<-)), "
        "so its contents depend on the order its inputs arrive in; resolvable without "
        "communication: every input is complete on this node within a timestep (the order that "
        "matters is the order this node receives its inputs in)");
  CHECK_FALSE(run.fails(Severity::Warning));
  // Disabled: nothing; the distributed check reports nothing either.
  CHECK(check_memory(kLocalStore, {}, only(PointOfOrderCheck::kId)).findings.empty());
  // An old `# calm:allow calm-point-of-order` comment covers the local note too.
  std::string allowed = kLocalStore;
  allowed.replace(allowed.find("# expect: calm-local-point-of-order"), 35,
                  "# calm:allow calm-point-of-order -- reviewed");
  CheckRun a = check_memory(allowed, {}, only(LocalPointOfOrderCheck::kId));
  CHECK(a.suppressed() == 2);  // a trailing marker covers its line and the next
}

TEST_CASE("calm-point-of-order: non-monotonic rules and cluster borders") {
  check_inline(kStore, {}, only(PointOfOrderCheck::kId));
  check_inline(kUpsert, {}, only(PointOfOrderCheck::kId));
  check_inline(kMonotone, {}, only(PointOfOrderCheck::kId));
  check_inline(kUnknownMethod, {}, only(PointOfOrderCheck::kId));
}

TEST_CASE("calm-point-of-order: message, location and notes") {
  CheckRun run = check_memory(kStore, {}, only(PointOfOrderCheck::kId));
  REQUIRE(run.findings.size() == 4);
  const Finding& cnt = run.findings[2];
  CHECK(cnt.check == "calm-point-of-order");
  CHECK(cnt.severity == Severity::Warning);
  CHECK(cnt.program == "Store");
  CHECK(cnt.location == SourceLocation{"test.rb", 18, 9});  // the operator
  CHECK(cnt.message ==
        "point of order: kv -> cnt (leaves temporal cluster {kv}; non-monotonic: aggregation "
        "(group)); {kv} feeds its state back across timesteps through kv -> kv (deletion (<-)), "
        "so its contents depend on the order its inputs arrive in; its inputs arrive from other "
        "nodes: coordinate them (ordered delivery or a barrier (e.g. consensus) before this "
        "rule), or make the rule monotone");
  REQUIRE(cnt.notes.size() == 1);
  CHECK(cnt.notes[0].message == "kv is read here: aggregation (group)");
  CHECK(cnt.notes[0].location == SourceLocation{"test.rb", 18, 12});

  CheckRun up = check_memory(kUpsert, {}, only(PointOfOrderCheck::kId));
  REQUIRE(up.findings.size() == 1);
  CHECK(up.findings[0].message ==
        "non-monotonic rule: put -> kv (upsert (<+-)); its inputs arrive from other nodes: "
        "coordinate them (ordered delivery or a barrier (e.g. consensus) before this rule), or "
        "make the rule monotone");
  // A key to seal on, when the operator has one (here the notin's key).
  const Finding& live = run.findings[3];
  CHECK(live.message ==
        "point of order: del -> live (non-monotonic: negation (notin)), kv -> live (leaves "
        "temporal cluster {kv}); {kv} feeds its state back across timesteps through kv -> kv "
        "(deletion (<-)), so its contents depend on the order its inputs arrive in; its inputs "
        "arrive from other nodes: coordinate them (seal del on [key], kv on [key] (punctuate "
        "when no more input for a key can arrive) before this rule), or make the rule monotone");
}

TEST_CASE("calm-point-of-order: fingerprints ignore lines, comments and spacing") {
  std::string moved = std::string("\n\n\n") + kUpsert;
  std::string respaced = kUpsert;
  respaced.replace(respaced.find("kv <+- put"), 10, "kv   <+-   put");
  CheckRun a = check_memory(kUpsert, {}, only(PointOfOrderCheck::kId));
  CheckRun b = check_memory(moved, {}, only(PointOfOrderCheck::kId));
  CheckRun c = check_memory(respaced, {}, only(PointOfOrderCheck::kId));
  REQUIRE(a.findings.size() == 1);
  REQUIRE(b.findings.size() == 1);
  REQUIRE(c.findings.size() == 1);
  CHECK(a.findings[0].location.line + 3 == b.findings[0].location.line);
  CHECK(a.findings[0].fingerprint == b.findings[0].fingerprint);
  CHECK(a.findings[0].fingerprint == c.findings[0].fingerprint);
  CHECK(a.findings[0].fingerprint.size() == 16);
  std::string changed = kUpsert;
  changed.replace(changed.find("[p.key, p.val]"), 14, "[p.key, p.key]");
  CheckRun d = check_memory(changed, {}, only(PointOfOrderCheck::kId));
  REQUIRE(d.findings.size() == 1);
  CHECK(d.findings[0].fingerprint != a.findings[0].fingerprint);
}

}  // namespace
}  // namespace calm::test
