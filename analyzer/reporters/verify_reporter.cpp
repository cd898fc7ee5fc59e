#include "reporters/verify_reporter.h"

#include <sstream>

#include "eval/scenario_json.h"

namespace calm {

namespace {

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

}  // namespace

std::string verify_text(const std::string& scenario, const VerifyResult& r) {
  std::ostringstream out;
  out << "calm verify " << scenario << ": " << r.schedules_run << " schedules";
  if (!r.exhaustive && r.distinct_schedules < r.schedules_run)
    out << " (" << r.distinct_schedules << " distinct)";
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

nlohmann::json verify_json(const std::string& scenario, const VerifyResult& r) {
  nlohmann::json j;
  j["format"] = "calm-verify/1";
  j["scenario"] = scenario;
  j["schedules"] = r.schedules_run;
  j["distinct_schedules"] = r.distinct_schedules;
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

}  // namespace calm
