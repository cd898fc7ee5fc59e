// The soundness test: every sample scenario, verified under at least 200 schedules,
// gives no unsound output; the samples that are order-sensitive on purpose (the
// destructive cart, the last-writer-wins register, the counter read before every
// increment arrived) give a witness whose provenance reaches a predicted point of order.

#include <doctest/doctest.h>

#include <filesystem>
#include <thread>

#include "eval/scenario.h"
#include "eval/simulation.h"
#include "support/sample_files.h"
#include "verify/program_loading.h"
#include "verify/verifier.h"

namespace fs = std::filesystem;
using namespace calm;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kSchedules = 50;  // the sanitizer build runs the same code 10x slower
#else
constexpr size_t kSchedules = 200;
#endif

bool order_sensitive_on_purpose(const std::string& path) {
  std::string rel = fs::relative(path, fs::path(CALM_SOURCE_DIR) / "samples").string();
  return rel.rfind("cart/destructive", 0) == 0 || rel.rfind("register/", 0) == 0 ||
         rel.rfind("counter/", 0) == 0;
}

}  // namespace

TEST_CASE("soundness: no sample scenario shows an unsound label") {
  size_t witnessed_on_purpose = 0, on_purpose = 0;
  for (const auto& path : calm::test::sample_scenarios()) {
    CAPTURE(path);
    Diagnostics diags;
    auto sc = eval::read_scenario(path, diags);
    REQUIRE(sc);
    eval::ScenarioPrograms programs;
    REQUIRE(programs.load(*sc, load_with_front_ends, diags));
    REQUIRE(eval::check_scenario(*sc, programs, diags));
    VerifyOptions vo;
    vo.schedules = kSchedules;
    vo.first_seed = sc->seed;
    vo.jobs = std::max(1u, std::thread::hardware_concurrency());
    if (sc->network_given) vo.network = sc->network;
    auto r = verify(*sc, programs, vo, diags);
    REQUIRE(r);
    CHECK(r->schedules_failed < r->schedules_run);
    for (const auto& o : r->outputs) {
      std::string what =
          o.node + "." + o.output + " (" + short_name(o.label) + "): " + to_string(o.verdict);
      if (o.witness)
        what +=
            " seeds " + std::to_string(o.witness->seed_a) + "/" + std::to_string(o.witness->seed_b);
      CAPTURE(what);
      CHECK(o.verdict != Verdict::Unsound);
    }
    if (order_sensitive_on_purpose(path)) {
      ++on_purpose;
      bool reached = false;
      for (const auto& o : r->outputs)
        reached |=
            o.verdict == Verdict::Witnessed && o.witness && o.witness->reaches_point_of_order;
      CHECK_MESSAGE(reached, "no witness reaching a predicted point of order in " << path);
      witnessed_on_purpose += reached;
    }
  }
  CHECK(on_purpose >= 3);
  CHECK(witnessed_on_purpose == on_purpose);
}
