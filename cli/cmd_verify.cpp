// `calm verify`: runs a scenario under many delivery schedules and checks the report's
// output labels against what happened (analyzer/verify/verifier.h).

#include <unistd.h>

#include <atomic>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/dedalus_commands.h"
#include "cli/output.h"
#include "cli/scenario_support.h"
#include "eval/scenario_json.h"
#include "reporters/verify_reporter.h"
#include "verify/verifier.h"

namespace calm::cli {

namespace {

constexpr const char* kVerifyUsage =
    "usage: calm verify --scenario S.json... [--schedules N] [--seed S] [--exhaustive]\n"
    "                   [--max-schedules N] [--jobs J] [--sequences] [--max-delay N]\n"
    "                   [--ivar @name=VALUE]... [--format text|json] [-o FILE]\n"
    "\n"
    "Runs the scenario (docs/scenario.md) under many message delivery schedules and checks\n"
    "every output label of the report (docs/coordination.md) against what happened\n"
    "(docs/verify.md). An output the report calls confluent (or async) must produce the\n"
    "same facts in every schedule; if it does not, the analysis is unsound and verify says\n"
    "so, with both seeds and the differing facts. For an output the report calls\n"
    "order-sensitive (nonmonotonic, diffluent), verify looks for two schedules that\n"
    "disagree and shows the differing facts and their provenance back to the predicted\n"
    "point of order; not finding one is reported as \"not observed\", not as a proof.\n"
    "With several --scenario options the scenarios run side by side (each on its share of\n"
    "--jobs) and their reports print in the order given, then one summary line (JSON: an\n"
    "array of the reports); the exit status is the worst of theirs.\n"
    "\n"
    "  --schedules N      random schedules, seeds S, S+1, ... (default 200); a seed that\n"
    "                     decides every delay as an earlier one did is that schedule\n"
    "                     again and is not rerun (the summary counts the distinct ones)\n"
    "  --seed S           the first seed (default: the scenario's)\n"
    "  --exhaustive       enumerate every choice of message delay instead, up to\n"
    "                     --max-schedules (default 20000); says when the bound cut it short\n"
    "  --jobs J           parallel runs, or scenarios (default: the number of cores)\n"
    "  --sequences        compare the contents at every timestep, not only the facts that\n"
    "                     came out\n"
    "  --max-delay N      explore delays from 1 to N (default: the scenario's network, or\n"
    "                     1 to 3 when it has none); message loss is never injected\n"
    "  --format FMT       text (default) or json\n"
    "  --ivar @name=V     an instance variable the program's initialize would set, on\n"
    "                     every node (V is JSON, or else a string)\n"
    "  FILES -m MODULE    replaces the program of a one-node scenario\n"
    "\n"
    "\n"
    "       calm verify --eot N [--eff M] [--crashes K] [--nodes a,b,c] [--max-runs R]\n"
    "                   [--brute-force] [--no-negative-support] [--format text|json]\n"
    "                   FILE.ded...\n"
    "\n"
    "Fault injection for Dedalus in Molly's dialect (docs/verify.md): runs end at time N,\n"
    "messages sent before time M (default 3) may be lost, up to K nodes (default 0) may\n"
    "crash; `post` must hold wherever `pre` holds at the end of time. The search is\n"
    "lineage-driven (from the derivations of post); a counterexample lists the lost\n"
    "messages and crashes, the provenance of the missing post fact and a `calm run`\n"
    "command that replays it. Nodes default to the constants in location columns.\n"
    "A derivation that needed `notin q` also rests on the tuples that could lead to q\n"
    "(Molly's negative support); --no-negative-support follows positive lineage only\n"
    "(faster, finds less).\n"
    "\n"
    "exit status: 0 every claim held (no counterexample), 1 the analysis is unsound for\n"
    "some output (a counterexample), 2 usage or input error\n";

/// One scenario verified: its report (text, or one JSON document), and what it had to say
/// on stderr when that was kept for later (scenarios verified side by side print in
/// order).
struct ScenarioRun {
  int rc = kExitError;
  std::string report;
  nlohmann::json doc;
  std::string messages;
};

/// The options of one `calm verify` command that every scenario shares.
struct VerifySettings {
  VerifyOptions base;
  std::optional<uint64_t> seed;  ///< --seed; otherwise each scenario's own
  std::string format;
  bool progress = false;
};

/// Verifies the scenario `o` names; diagnostics (located errors, warnings) go to `err`.
ScenarioRun verify_scenario(const Options& o, const VerifySettings& settings, std::ostream& err) {
  ScenarioRun run;
  eval::Scenario sc;
  eval::ScenarioPrograms programs;
  if (!load_scenario_for_command(o, kVerifyUsage, sc, programs, err)) return run;
  VerifyOptions vo = settings.base;
  vo.first_seed = settings.seed.value_or(sc.seed);
  if (sc.network_given) vo.network = sc.network;
  if (vo.network) vo.network->loss = 0;
  if (settings.progress)
    vo.progress = [](size_t done, size_t total) {
      if (total == 0) {
        std::cerr << "\r" << done << " schedules" << std::flush;
        return;
      }
      int width = 30, filled = int(width * done / total);
      std::cerr << "\r[" << std::string(size_t(filled), '=')
                << std::string(size_t(width - filled), ' ') << "] " << done << "/" << total
                << std::flush;
    };
  Diagnostics diags;
  auto result = verify(sc, programs, vo, diags);
  if (settings.progress) std::cerr << "\r" << std::string(50, ' ') << "\r";
  if (!result) {
    print_diagnostics(diags, programs.sources(), err);
    return run;
  }
  if (settings.format == "json")
    run.doc = verify_json(sc.path, *result);
  else
    run.report = verify_text(sc.path, *result);
  run.rc = result->sound() ? kExitOk : kExitFindings;
  return run;
}

/// `o` with only scenario `path` among its --scenario options.
Options only_scenario(const Options& o, const std::string& path) {
  Options one = o;
  std::erase_if(one.extra, [](const std::string& e) { return e.rfind("scenario=", 0) == 0; });
  one.extra.push_back("scenario=" + path);
  return one;
}

int run_verify(const std::vector<std::string>& args) {
  Options o;
  std::vector<std::string> valued = {"--scenario", "--schedules", "--seed",  "--max-schedules",
                                     "--jobs",     "--max-delay", "--steps", "--ivar"};
  valued.insert(valued.end(), kDedalusVerifyValued.begin(), kDedalusVerifyValued.end());
  if (int rc =
          parse_or_usage(args, kVerifyUsage, o,
                         {"--exhaustive", "--sequences", "--brute-force", "--no-negative-support"},
                         valued, /*files_required=*/false);
      rc >= 0)
    return rc;
  if (wants_dedalus_faults(o)) return run_dedalus_verify(o);
  std::vector<std::string> scenarios;
  for (const auto& e : o.extra)
    if (e.rfind("scenario=", 0) == 0) scenarios.push_back(e.substr(9));
  if (scenarios.empty() || scenarios.back().empty()) {
    std::cerr << "calm: verify needs --scenario S.json\n" << usage_hint(kVerifyUsage);
    return kExitError;
  }
  if (scenarios.size() > 1 && !o.files.empty()) {
    std::cerr << "calm: FILES -m MODULE replace the program of one scenario; name one --scenario\n";
    return kExitError;
  }
  VerifySettings settings;
  settings.format = o.format.empty() ? "text" : o.format;
  if (settings.format != "text" && settings.format != "json") {
    std::cerr << "calm: --format must be text or json, not '" << settings.format << "'\n";
    return kExitError;
  }
  VerifyOptions& vo = settings.base;
  int64_t v = 0;
  auto number = [&](const char* name, int64_t lo, int64_t hi, auto& out) {
    std::string text = extra_value(o, name, "");
    if (text.empty()) return true;
    if (!parse_count(text, lo, hi, v)) {
      std::cerr << "calm: --" << name << " expects an integer from " << lo << " to " << hi
                << ", not '" << text << "'\n";
      return false;
    }
    out = static_cast<std::remove_reference_t<decltype(out)>>(v);
    return true;
  };
  unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  vo.jobs = hw;
  uint64_t seed = 0;
  if (!number("schedules", 1, 1000000, vo.schedules) ||
      !number("max-schedules", 1, 10000000, vo.max_schedules) || !number("jobs", 1, 256, vo.jobs) ||
      !number("seed", 0, INT64_MAX, seed))
    return kExitError;
  if (!extra_value(o, "seed", "").empty()) settings.seed = seed;
  vo.exhaustive = has_flag(o, "exhaustive");
  vo.sequences = has_flag(o, "sequences");

  // Several scenarios run side by side, each on its share of the --jobs threads (a
  // small scenario keeps one core busy at best), and print in the order given.
  std::vector<ScenarioRun> runs(scenarios.size());
  if (scenarios.size() == 1) {
    settings.progress = ::isatty(2) && !std::getenv("CI");
    runs[0] = verify_scenario(o, settings, std::cerr);
  } else {
    unsigned threads = std::min<unsigned>(vo.jobs, unsigned(scenarios.size()));
    vo.jobs = std::max(1u, vo.jobs / unsigned(scenarios.size()));
    std::atomic<size_t> next{0};
    auto worker = [&]() {
      for (size_t i = next++; i < scenarios.size(); i = next++) {
        std::ostringstream err;
        runs[i] = verify_scenario(only_scenario(o, scenarios[i]), settings, err);
        runs[i].messages = err.str();
      }
    };
    std::vector<std::thread> pool;
    for (unsigned j = 1; j < threads; ++j) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
  }

  int rc = kExitOk;
  std::string out;
  nlohmann::json docs = nlohmann::json::array();
  size_t sound = 0, unsound = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    std::cerr << runs[i].messages;
    if (runs[i].rc == kExitError) {
      rc = kExitError;
      continue;
    }
    if (runs[i].rc == kExitFindings && rc == kExitOk) rc = kExitFindings;
    ++(runs[i].rc == kExitOk ? sound : unsound);
    if (settings.format == "json")
      docs.push_back(std::move(runs[i].doc));
    else
      out += (out.empty() ? "" : "\n") + runs[i].report;
  }
  if (settings.format == "json")
    out = (runs.size() == 1 ? (docs.empty() ? std::string() : docs[0].dump(2)) : docs.dump(2));
  if (!out.empty() && settings.format == "json") out += "\n";
  if (runs.size() > 1 && settings.format == "text") {
    out += "\n" + std::to_string(runs.size()) + " scenarios: " + std::to_string(sound) +
           " sound, " + std::to_string(unsound) + " unsound";
    if (size_t failed = runs.size() - sound - unsound)
      out += ", " + std::to_string(failed) + " not verified (input errors above)";
    out += "\n";
  }
  if (out.empty()) return rc;
  std::string error;
  if (!write_output(o.output, out, error)) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  return rc;
}

}  // namespace

constinit const Command kVerifyCommand = {
    "verify", "check the report's labels by running a scenario under many schedules", kVerifyUsage,
    run_verify};

}  // namespace calm::cli
