// calm-temporal-cluster: one warning per cluster, with the cycle as notes.

#include "checks/temporal_cluster_check.h"

#include "support/check_test_support.h"

namespace calm::test {
namespace {

CheckOptions clusters_only() {
  CheckOptions o;
  o = only_checks({"calm-temporal-cluster"});
  return o;
}

const char* kKvs = R"RUBY(
module Kvs
  state do
    interface input, :kvput, [:key] => [:value]
    interface output, :kvget_response, [:key] => [:value]
    table :kvstate, [:key] => [:value]
    scratch :prev, [:key] => [:value]
  end

  bloom do
    kvstate <+ kvput { |p| [p.key, p.value] }
    prev <= (kvstate * kvput).lefts(:key => :key)
    kvstate <- prev                                    # expect: calm-temporal-cluster
    kvget_response <= kvstate
  end
end
)RUBY";

// A cycle of instantaneous, monotone rules is no temporal cluster.
const char* kMonotoneCycle = R"RUBY(
module Reach
  state do
    interface input, :link, [:from, :to]
    interface output, :path, [:from, :to]
    table :reach, [:from, :to]
  end

  bloom do
    reach <= link
    reach <= (reach * link).pairs(:to => :from) { |r, l| [r.from, l.to] }
    path <= reach
  end
end
)RUBY";

TEST_CASE("calm-temporal-cluster: one finding per cluster") {
  check_inline(kKvs, {}, clusters_only());
  check_inline(kMonotoneCycle, {}, clusters_only());
}

TEST_CASE("calm-temporal-cluster: the cycle as notes, one per step") {
  CheckRun run = check_memory(kKvs, {}, clusters_only());
  REQUIRE(run.findings.size() == 1);
  const Finding& f = run.findings[0];
  CHECK(f.message.rfind("temporal cluster {kvstate, prev}: ", 0) == 0);
  CHECK(f.location == SourceLocation{"test.rb", 13, 13});
  REQUIRE(f.notes.size() == 3);
  CHECK(f.notes[0].message == "cycle kvstate -> prev -> kvstate");
  CHECK(f.notes[0].location == SourceLocation{"test.rb", 12, 10});
  CHECK(f.notes[1].message == "step kvstate -> prev (<=)");
  CHECK(f.notes[1].location == SourceLocation{"test.rb", 12, 10});
  CHECK(f.notes[2].message == "step prev -> kvstate (<-, temporal, non-monotonic: deletion (<-))");
  CHECK(f.notes[2].location == SourceLocation{"test.rb", 13, 13});
}

}  // namespace
}  // namespace calm::test
