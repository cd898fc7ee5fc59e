// The evaluator over every program of the real Bud corpus (../shared/corpus): each one
// is either prepared or refused with located diagnostics, and a prepared one runs its
// bootstrap timestep and two more without a crash (a failed step says why). Prints how
// many programs are refused and the most common reasons (docs/evaluator.md records
// them). Every prepared program also runs with the naive iteration, which must agree with
// semi-naive evaluation after every step. Skipped, saying so, when the corpus is absent.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "eval/evaluator.h"
#include "frontend/loader.h"

namespace fs = std::filesystem;
using namespace calm;
using namespace calm::eval;

namespace {

/// "unsupported construct method 'frob'" -> "method 'frob'"; constants and schema
/// placeholders are grouped.
std::string reason(const Diagnostic& d) {
  std::string m = d.message;
  const std::string prefix = "unsupported construct ";
  if (m.rfind(prefix, 0) == 0) m = m.substr(prefix.size());
  for (const char* group : {"constant", "schema placeholder", "instance variable"})
    if (m.rfind(group, 0) == 0) return d.check + ": " + group;
  if (auto q = m.find('\''); q != std::string::npos)
    if (auto q2 = m.find('\'', q + 1); q2 != std::string::npos) m = m.substr(0, q2 + 1);
  return d.check + ": " + m;
}

}  // namespace

TEST_CASE("corpus: the evaluator prepares or refuses every program, and runs without a crash") {
  const fs::path corpus = fs::path(CALM_SHARED_DIR) / "corpus";
  if (!fs::is_directory(corpus)) {
    MESSAGE("skipped the corpus evaluator run: " << corpus.string() << " is absent");
    return;
  }
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(corpus))
    if (e.is_regular_file() && e.path().extension() == ".rb") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  int programs = 0, prepared = 0, refused = 0, ran = 0, failed_steps = 0, differences = 0;
  std::map<std::string, int> reasons, step_reasons;
  std::map<std::string, std::string> step_example;  ///< reason -> one location
  for (const auto& f : files) {
    LoadOptions o;
    o.files = {f};
    LoadResult loaded = load_programs(o);
    for (const auto& p : loaded.programs) {
      ++programs;
      INFO("program " << p.name << " of " << f);
      Diagnostics diags;
      NodeOptions no;
      no.max_facts = 200'000;
      no.max_rounds = 10'000;
      auto node = Node::create(p, no, diags);
      if (!node) {
        ++refused;
        REQUIRE(diags.has_errors());
        std::set<std::string> seen;
        for (const auto& d : diags.items()) {
          CHECK(d.location.known());
          if (d.severity == Severity::Error && seen.insert(reason(d)).second) ++reasons[reason(d)];
        }
        continue;
      }
      ++prepared;
      // The same program with the naive iteration must agree after every step.
      NodeOptions naive_options = no;
      naive_options.seminaive = false;
      Diagnostics naive_diags;
      auto naive = Node::create(p, naive_options, naive_diags);
      REQUIRE(naive);
      for (int i = 0; i < 3; ++i) {
        StepResult res = node->step({});
        StepResult naive_res = naive->step({});
        CHECK(res.ok == naive_res.ok);
        CHECK(res.sent == naive_res.sent);
        if (res.ok && naive_res.ok) {
          for (const auto& c : p.collections)
            if (node->contents(c.name) != naive->contents(c.name)) {
              ++differences;
              FAIL_CHECK("semi-naive and naive differ on '" << c.name << "' at step " << i);
            }
        }
        if (!res.ok) {
          ++failed_steps;
          REQUIRE_FALSE(res.diagnostics.items().empty());
          const Diagnostic& d = res.diagnostics.items().front();
          ++step_reasons[reason(d)];
          step_example[reason(d)] = fs::relative(d.location.file, corpus).string() + ":" +
                                    std::to_string(d.location.line);
          break;
        }
        ++ran;
      }
    }
  }
  CHECK(programs > 100);
  CHECK(prepared + refused == programs);
  CHECK(prepared > 0);
  CHECK(differences == 0);
  std::vector<std::pair<int, std::string>> top;
  for (const auto& [r, n] : reasons) top.push_back({-n, r});
  std::sort(top.begin(), top.end());
  std::string text;
  for (size_t i = 0; i < top.size() && i < 25; ++i)
    text += "  " + std::to_string(-top[i].first) + "  " + top[i].second + "\n";
  std::string steps;
  for (const auto& [r, n] : step_reasons)
    steps += "  " + std::to_string(n) + "  " + r + " (e.g. " + step_example[r] + ")\n";
  MESSAGE("corpus evaluator run: " << programs << " programs, " << prepared << " prepared, "
                                   << refused << " refused; " << ran << " timesteps ran, "
                                   << failed_steps << " programs failed a step (no inputs)\n"
                                   << "programs refused, by reason (a program may count under "
                                      "several):\n"
                                   << text << "failed steps:\n"
                                   << steps);
}
