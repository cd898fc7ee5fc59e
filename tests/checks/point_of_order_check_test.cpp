// calm-point-of-order: one warning per rule with a point of order, at its operator.
// The programs below carry their expected findings inline (`# expect: CHECK`).

#include "checks/point_of_order_check.h"

#include "check_test_support.h"

namespace calm::test {
namespace {

CheckOptions only(const std::string& id) { return only_checks({id}); }

const char* kStore = R"RUBY(
require 'bud'

module Store
  state do
    interface input, :put, [:key] => [:val]
    interface input, :del, [:key]
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
    interface input, :put, [:key] => [:val]
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
    interface input, :a, [:x]
    interface output, :out, [:x]
  end

  bloom do
    out <= a.my_helper                      # expect: calm-point-of-order
  end
end
)RUBY";

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
        "(group)); coordinate its inputs or make it monotone");
  REQUIRE(cnt.notes.size() == 1);
  CHECK(cnt.notes[0].message == "kv is read here: aggregation (group)");
  CHECK(cnt.notes[0].location == SourceLocation{"test.rb", 18, 12});

  CheckRun up = check_memory(kUpsert, {}, only(PointOfOrderCheck::kId));
  REQUIRE(up.findings.size() == 1);
  CHECK(up.findings[0].message ==
        "non-monotonic rule: put -> kv (upsert (<+-)); coordinate its inputs or make it monotone");
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
