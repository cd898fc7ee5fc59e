// `calm verify`: runs a scenario under many delivery schedules and checks the report's
// output labels against what happened (analyzer/verify/verifier.h).

#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/dedalus_commands.h"
#include "cli/output.h"
#include "cli/scenario_support.h"
#include "eval/scenario_json.h"
#include "verify/verifier.h"

namespace calm::cli {

namespace {

constexpr const char* kVerifyUsage =
    "usage: calm verify --scenario S.json [--schedules N] [--seed S] [--exhaustive]\n"
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
    "\n"
    "  --schedules N      random schedules, seeds S, S+1, ... (default 200)\n"
    "  --seed S           the first seed (default: the scenario's)\n"
    "  --exhaustive       enumerate every choice of message delay instead, up to\n"
    "                     --max-schedules (default 20000); says when the bound cut it short\n"
    "  --jobs J           parallel runs (default: the number of cores)\n"
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
    "                   [--brute-force] [--format text|json] FILE.ded...\n"
    "\n"
    "Fault injection for Dedalus in Molly's dialect (docs/verify.md): runs end at time N,\n"
    "messages sent before time M (default 3) may be lost, up to K nodes (default 0) may\n"
    "crash; `post` must hold wherever `pre` holds at the end of time. The search is\n"
    "lineage-driven (from the derivations of post); a counterexample lists the lost\n"
    "messages and crashes, the provenance of the missing post fact and a `calm run`\n"
    "command that replays it. Nodes default to the constants in location columns.\n"
    "\n"
    "exit status: 0 every claim held (no counterexample), 1 the analysis is unsound for\n"
    "some output (a counterexample), 2 usage or input error\n";

std::string facts_text(const std::vector<eval::Tuple>& ts, size_t limit = 6) {
  std::string out;
  for (size_t i = 0; i < ts.size() && i < limit; ++i) out += (i ? ", " : "") + eval::inspect(ts[i]);
  if (ts.size() > limit) out += ", ... (" + std::to_string(ts.size()) + " in all)";
  return out.empty() ? "nothing" : out;
}

std::string replay(const std::string& scenario, const VerifyResult& r, uint64_t seed,
                   const std::vector<int64_t>& choices) {
  std::string cmd = "calm run --scenario " + scenario;
  if (r.exhaustive) {
    std::string d;
    for (size_t i = 0; i < choices.size(); ++i) d += (i ? "," : "") + std::to_string(choices[i]);
    if (!d.empty()) cmd += " --delays " + d;
  } else {
    cmd += " --seed " + std::to_string(seed);
  }
  cmd += " --max-delay " + std::to_string(r.network.max_delay);
  return cmd;
}

std::string label_name(Label l) { return short_name(l); }

std::string text_report(const std::string& scenario, const VerifyResult& r) {
  std::ostringstream out;
  out << "calm verify " << scenario << ": " << r.schedules_run << " schedules";
  if (r.exhaustive)
    out << (r.exhaustive_complete ? " (every delay choice)"
                                  : " (exhaustive, cut short by the bound)");
  out << ", message delays " << r.network.min_delay << ".." << r.network.max_delay;
  if (r.network.duplicate > 0) out << ", duplication " << r.network.duplicate;
  out << "\n";
  if (r.schedules_failed) {
    out << r.schedules_failed << " schedules failed and are not compared:\n";
    for (const auto& f : r.failures) out << "  " << f << "\n";
  }
  size_t wn = 4, wo = 6;
  for (const auto& o : r.outputs) {
    wn = std::max(wn, o.node.size());
    wo = std::max(wo, o.output.size());
  }
  auto pad = [](std::string s, size_t w) {
    return s + std::string(w > s.size() ? w - s.size() : 0, ' ');
  };
  out << "\n" << pad("node", wn) << "  " << pad("output", wo) << "  label  distinct  result\n";
  bool composed = false;
  for (const auto& o : r.outputs)
    out << pad(o.node, wn) << "  " << pad(o.output, wo) << "  "
        << pad(o.own_label == o.label ? label_name(o.label)
                                      : label_name(o.own_label) + ">" + label_name(o.label),
               5)
        << "  " << pad(std::to_string(o.distinct), 8) << "  " << to_string(o.verdict) << "\n";
  for (const auto& o : r.outputs) composed |= o.own_label != o.label;
  if (composed)
    out << "(A>D: the program's own label, then the label with what the other nodes send it)\n";
  for (const auto& o : r.outputs) {
    if (!o.witness) continue;
    const Witness& w = *o.witness;
    out << "\n"
        << (o.verdict == Verdict::Unsound ? "UNSOUND: " : "witness: ") << o.node << "." << o.output
        << " (labelled " << label_name(o.label) << ") differs between "
        << (r.exhaustive ? "schedules " : "seeds ") << w.seed_a << " and " << w.seed_b << "\n";
    if (w.final_differs) out << "  the same facts came out, in another order; at the end:\n";
    out << "  only with " << w.seed_a << ": " << facts_text(w.only_a) << "\n";
    out << "  only with " << w.seed_b << ": " << facts_text(w.only_b) << "\n";
    if (w.first_step) out << "  first differs at timestep " << *w.first_step << "\n";
    if (!w.provenance.empty()) {
      out << "  provenance (" << (r.exhaustive ? "schedule " : "seed ")
          << (w.provenance_from_a ? w.seed_a : w.seed_b) << "):\n";
      for (const auto& p : w.provenance) {
        out << "    " << std::string(size_t(p.depth) * 2, ' ') << p.collection << " "
            << eval::inspect(p.fact) << " on " << p.node << ": ";
        if (p.how == "rule" || p.how == "deferred" || p.how == "sent")
          out << (p.how == "sent"       ? "sent by"
                  : p.how == "deferred" ? "deferred by"
                                        : "derived by")
              << " the rule at " << to_string(p.location) << " (timestep " << p.step << ")";
        else if (p.how == "input")
          out << "a scenario input (timestep " << p.step << ")";
        else if (p.how == "message")
          out << "a message received at timestep " << p.step;
        else
          out << "no recorded derivation";
        out << "\n";
        for (const auto& pt : p.points)
          out << "    " << std::string(size_t(p.depth) * 2, ' ') << "  point of order: " << pt
              << "\n";
      }
      out << "  "
          << (w.reaches_point_of_order ? "reaches a point of order the report predicted"
                                       : "reaches no point of order the report predicted")
          << "\n";
    }
    out << "  replay: " << replay(scenario, r, w.seed_a, w.choices_a) << "\n";
    out << "          " << replay(scenario, r, w.seed_b, w.choices_b) << "\n";
  }
  if (r.outputs.empty())
    out << "\nnothing to check: no program of the scenario has an output (an output interface,\n"
           "or a channel or stdio it writes); the labels are claims about outputs only\n";
  size_t unsound = 0, witnessed = 0, unobserved = 0, held = 0;
  for (const auto& o : r.outputs) {
    unsound += o.verdict == Verdict::Unsound;
    witnessed += o.verdict == Verdict::Witnessed;
    unobserved += o.verdict == Verdict::NotObserved;
    held += o.verdict == Verdict::Held;
  }
  out << "\n"
      << r.outputs.size() << " outputs: " << held << " held, " << witnessed
      << " order-sensitive and witnessed, " << unobserved << " order-sensitive but not observed in "
      << (r.schedules_run - r.schedules_failed) << " schedules, " << unsound << " unsound\n";
  if (unsound)
    out << "the analysis is UNSOUND for " << unsound
        << " output(s): this is a bug in calm; please report it with the scenario\n";
  return out.str();
}

nlohmann::json json_report(const std::string& scenario, const VerifyResult& r) {
  nlohmann::json j;
  j["format"] = "calm-verify/1";
  j["scenario"] = scenario;
  j["schedules"] = r.schedules_run;
  j["failed"] = r.schedules_failed;
  j["failures"] = r.failures;
  j["exhaustive"] = r.exhaustive;
  j["exhaustive_complete"] = r.exhaustive_complete;
  j["network"] = {{"min_delay", r.network.min_delay},
                  {"max_delay", r.network.max_delay},
                  {"duplicate", r.network.duplicate}};
  j["sound"] = r.sound();
  nlohmann::json outs = nlohmann::json::array();
  for (const auto& o : r.outputs) {
    nlohmann::json x;
    x["node"] = o.node;
    x["output"] = o.output;
    x["label"] = to_string(o.label);
    x["own_label"] = to_string(o.own_label);
    x["verdict"] = to_string(o.verdict);
    x["distinct"] = o.distinct;
    if (o.witness) {
      const Witness& w = *o.witness;
      nlohmann::json wj;
      wj["a"] = w.seed_a;
      wj["b"] = w.seed_b;
      wj["only_a"] = nlohmann::json::array();
      for (const auto& t : w.only_a) wj["only_a"].push_back(eval::tuple_to_json(t));
      wj["only_b"] = nlohmann::json::array();
      for (const auto& t : w.only_b) wj["only_b"].push_back(eval::tuple_to_json(t));
      if (w.first_step) wj["first_step"] = *w.first_step;
      wj["final_differs"] = w.final_differs;
      wj["reaches_point_of_order"] = w.reaches_point_of_order;
      nlohmann::json prov = nlohmann::json::array();
      for (const auto& p : w.provenance)
        prov.push_back({{"node", p.node},
                        {"collection", p.collection},
                        {"fact", eval::tuple_to_json(p.fact)},
                        {"how", p.how},
                        {"rule", p.rule},
                        {"location", to_string(p.location)},
                        {"step", p.step},
                        {"depth", p.depth},
                        {"points_of_order", p.points}});
      wj["provenance"] = prov;
      wj["replay"] = {replay(scenario, r, w.seed_a, w.choices_a),
                      replay(scenario, r, w.seed_b, w.choices_b)};
      x["witness"] = wj;
    }
    outs.push_back(x);
  }
  j["outputs"] = outs;
  return j;
}

int run_verify(const std::vector<std::string>& args) {
  Options o;
  std::vector<std::string> valued = {"--scenario", "--schedules", "--seed",  "--max-schedules",
                                     "--jobs",     "--max-delay", "--steps", "--ivar"};
  valued.insert(valued.end(), kDedalusVerifyValued.begin(), kDedalusVerifyValued.end());
  if (int rc =
          parse_or_usage(args, kVerifyUsage, o, {"--exhaustive", "--sequences", "--brute-force"},
                         valued, /*files_required=*/false);
      rc >= 0)
    return rc;
  if (wants_dedalus_faults(o)) return run_dedalus_verify(o);
  if (extra_value(o, "scenario", "").empty()) {
    std::cerr << "calm: verify needs --scenario S.json\n" << usage_hint(kVerifyUsage);
    return kExitError;
  }
  const std::string format = o.format.empty() ? "text" : o.format;
  if (format != "text" && format != "json") {
    std::cerr << "calm: --format must be text or json, not '" << format << "'\n";
    return kExitError;
  }
  VerifyOptions vo;
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
  eval::Scenario sc;
  eval::ScenarioPrograms programs;
  if (!number("schedules", 1, 1000000, vo.schedules) ||
      !number("max-schedules", 1, 10000000, vo.max_schedules) || !number("jobs", 1, 256, vo.jobs) ||
      !load_scenario_for_command(o, kVerifyUsage, sc, programs))
    return kExitError;
  vo.first_seed = sc.seed;
  if (!number("seed", 0, INT64_MAX, vo.first_seed)) return kExitError;
  vo.exhaustive = has_flag(o, "exhaustive");
  vo.sequences = has_flag(o, "sequences");
  if (sc.network_given) vo.network = sc.network;
  if (vo.network) vo.network->loss = 0;
  const bool tty = ::isatty(2) && !std::getenv("CI");
  if (tty)
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
  if (tty) std::cerr << "\r" << std::string(50, ' ') << "\r";
  if (!result) {
    print_diagnostics(diags, programs.sources());
    return kExitError;
  }
  std::string text = format == "json" ? json_report(sc.path, *result).dump(2) + "\n"
                                      : text_report(sc.path, *result);
  std::string error;
  if (!write_output(o.output, text, error)) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  return result->sound() ? kExitOk : kExitFindings;
}

}  // namespace

constinit const Command kVerifyCommand = {
    "verify", "check the report's labels by running a scenario under many schedules", kVerifyUsage,
    run_verify};

}  // namespace calm::cli
