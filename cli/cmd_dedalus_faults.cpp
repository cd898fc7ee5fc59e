// `calm run --eot N` and `calm verify --eot N`: running Molly-dialect Dedalus programs
// and injecting faults into them (docs/dedalus.md "Running", docs/verify.md "Fault
// injection").

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/dedalus_commands.h"
#include "cli/output.h"
#include "cli/scenario_support.h"
#include "frontend/dedalus/dedalus_loader.h"
#include "frontend/front_end.h"
#include "verify/fault_search.h"

namespace calm::cli {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep))
    if (!cur.empty()) out.push_back(cur);
  return out;
}

bool number(const Options& o, const char* name, int64_t lo, int64_t hi, int& out) {
  std::string text = extra_value(o, name, "");
  if (text.empty()) return true;
  int64_t v = 0;
  if (!parse_count(text, lo, hi, v)) {
    std::cerr << "calm: --" << name << " expects an integer from " << lo << " to " << hi
              << ", not '" << text << "'\n";
    return false;
  }
  out = int(v);
  return true;
}

struct Loaded {
  dedalus::MProgram program;
  LoadResult result;
};

std::optional<Loaded> load(const Options& o) {
  if (o.files.empty()) {
    std::cerr << "calm: --eot runs Dedalus files (Molly's dialect); give at least one\n";
    return std::nullopt;
  }
  LoadOptions lo;
  lo.files = o.files;
  Loaded l;
  for (const auto& f : o.files) {
    std::string text;
    if (!read_input_file(f, lo, l.result, text)) break;
    if (!dedalus::is_molly_dialect(text)) {
      l.result.diagnostics.error("calm-parse-error",
                                 "--eot runs Molly's dialect of Dedalus; this file uses the "
                                 "`.decl` extension (run it with --steps N or --scenario)",
                                 SourceLocation{f, 1, 1});
    }
  }
  std::optional<dedalus::MProgram> p;
  if (!l.result.diagnostics.has_errors())
    p = dedalus::load_molly(o.files, lo, l.result,
                            std::filesystem::path(o.files.front()).stem().string());
  if (!p || l.result.diagnostics.has_errors()) {
    print_diagnostics(l.result.diagnostics, l.result.sources);
    return std::nullopt;
  }
  l.program = std::move(*p);
  return l;
}

bool nodes_of(const Options& o, const dedalus::MProgram& p, std::vector<std::string>& nodes) {
  std::string text = extra_value(o, "nodes", "");
  nodes = text.empty() ? eval::default_nodes(p) : split(text, ',');
  if (nodes.empty()) {
    std::cerr << "calm: no nodes: the program writes no string constant in a first column; "
                 "give --nodes a,b,c\n";
    return false;
  }
  return true;
}

/// `--omit FROM:TO:T,...` and `--crash NODE:T,...`.
bool faults_of(const Options& o, eval::Faults& f) {
  for (const auto& item : split(extra_value(o, "omit", ""), ',')) {
    auto parts = split(item, ':');
    int64_t t = 0;
    if (parts.size() != 3 || !parse_count(parts[2], 1, 1000000, t)) {
      std::cerr << "calm: --omit expects FROM:TO:TIME[,...], not '" << item << "'\n";
      return false;
    }
    f.omissions.insert({parts[0], parts[1], int(t)});
  }
  for (const auto& item : split(extra_value(o, "crash", ""), ',')) {
    auto parts = split(item, ':');
    int64_t t = 0;
    if (parts.size() != 2 || !parse_count(parts[1], 1, 1000000, t)) {
      std::cerr << "calm: --crash expects NODE:TIME[,...], not '" << item << "'\n";
      return false;
    }
    f.crashes[parts[0]] = int(t);
  }
  return true;
}

std::string replay_command(const Options& o, const verify::FaultModel& m, const eval::Faults& f) {
  std::string cmd = "calm run --eot " + std::to_string(m.eot) + " --nodes ";
  for (size_t i = 0; i < m.nodes.size(); ++i) cmd += (i ? "," : "") + m.nodes[i];
  std::string om, cr;
  for (const auto& x : f.omissions)
    om += (om.empty() ? "" : ",") + x.from + ":" + x.to + ":" + std::to_string(x.time);
  for (const auto& [n, t] : f.crashes) cr += (cr.empty() ? "" : ",") + n + ":" + std::to_string(t);
  if (!om.empty()) cmd += " --omit " + om;
  if (!cr.empty()) cmd += " --crash " + cr;
  for (const auto& file : o.files) cmd += " " + file;
  return cmd;
}

std::string tuples(const std::string& pred, const std::vector<eval::DTuple>& ts) {
  std::string s;
  for (const auto& t : ts) s += (s.empty() ? "" : ", ") + eval::to_string(pred, t);
  return s.empty() ? "nothing" : s;
}

}  // namespace

bool wants_dedalus_faults(const Options& o) { return !extra_value(o, "eot", "").empty(); }

int run_dedalus_run(const Options& o) {
  auto l = load(o);
  if (!l) return kExitError;
  eval::RunSpec spec;
  if (!number(o, "eot", 1, 1000, spec.eot) || !nodes_of(o, l->program, spec.nodes) ||
      !faults_of(o, spec.faults))
    return kExitError;
  Diagnostics diags;
  auto r = eval::run_dedalus(l->program, spec, diags);
  if (!r) {
    print_diagnostics(diags, l->result.sources);
    return kExitError;
  }
  std::ostringstream out;
  out << "nodes: ";
  for (size_t i = 0; i < spec.nodes.size(); ++i) out << (i ? ", " : "") << spec.nodes[i];
  out << "\nfaults: " << eval::to_string(spec.faults) << "\n";
  size_t sent = r->messages.size(), lost = 0;
  for (const auto& m : r->messages) lost += m.delivered ? 0 : 1;
  out << "messages: " << sent << " sent between nodes, " << lost << " lost\n";
  out << "at the end of time (" << spec.eot << "):\n";
  for (const auto& [pred, rel] : r->at[size_t(spec.eot)]) {
    if (pred == "clock") continue;
    for (const auto& [t, f] : rel) out << "  " << eval::to_string(pred, t) << "\n";
  }
  std::string error;
  if (!write_output(o.output, out.str(), error)) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  return kExitOk;
}

int run_dedalus_verify(const Options& o) {
  auto l = load(o);
  if (!l) return kExitError;
  verify::FaultModel m;
  int max_runs = int(m.max_runs);
  if (!number(o, "eot", 1, 1000, m.eot) || !number(o, "eff", 0, 1000, m.eff) ||
      !number(o, "crashes", 0, 1000, m.crashes) || !number(o, "max-runs", 1, 10000000, max_runs) ||
      !nodes_of(o, l->program, m.nodes))
    return kExitError;
  m.max_runs = size_t(max_runs);
  m.brute_force = has_flag(o, "brute-force");
  m.negative_support = !has_flag(o, "no-negative-support");
  if (m.crashes > int(m.nodes.size())) {
    std::cerr << "calm: --crashes " << m.crashes << " exceeds the " << m.nodes.size() << " nodes\n";
    return kExitError;
  }
  const std::string format = o.format.empty() ? "text" : o.format;
  if (format != "text" && format != "json") {
    std::cerr << "calm: --format must be text or json, not '" << format << "'\n";
    return kExitError;
  }
  Diagnostics diags;
  auto r = verify::search_faults(l->program, m, diags);
  if (!r) {
    print_diagnostics(diags, l->result.sources);
    return kExitError;
  }
  std::string text;
  if (format == "json") {
    nlohmann::json j;
    j["eot"] = m.eot;
    j["eff"] = m.eff;
    j["crashes"] = m.crashes;
    j["nodes"] = m.nodes;
    j["strategy"] = r->strategy;
    j["negative_support"] = m.negative_support;
    j["runs"] = r->runs;
    j["fault_space"] = r->fault_space;
    j["complete"] = r->complete;
    j["counterexample"] = r->counterexample;
    if (r->counterexample) {
      nlohmann::json f;
      f["omissions"] = nlohmann::json::array();
      for (const auto& x : r->faults.omissions)
        f["omissions"].push_back({{"from", x.from}, {"to", x.to}, {"time", x.time}});
      f["crashes"] = nlohmann::json::array();
      for (const auto& [n, t] : r->faults.crashes)
        f["crashes"].push_back({{"node", n}, {"time", t}});
      j["faults"] = f;
      nlohmann::json miss = nlohmann::json::array();
      for (const auto& t : r->missing) miss.push_back(eval::to_string("post", t));
      j["missing"] = miss;
      j["provenance"] = r->provenance;
      j["now_true"] = r->now_true;
      j["replay"] = replay_command(o, m, r->faults);
    }
    text = j.dump(2) + "\n";
  } else {
    std::ostringstream out;
    out << "calm verify: eot " << m.eot << ", eff " << m.eff << ", crashes " << m.crashes
        << ", nodes ";
    for (size_t i = 0; i < m.nodes.size(); ++i) out << (i ? "," : "") << m.nodes[i];
    out << "\ngood outcome (post at " << m.eot << " without faults): " << tuples("post", r->good)
        << "\n";
    if (r->counterexample) {
      out << "COUNTEREXAMPLE after " << r->runs << " runs (" << r->strategy
          << " search; fault space about " << r->fault_space << " runs)\n";
      out << "  faults: " << eval::to_string(r->faults) << "\n";
      out << "  missing: " << tuples("post", r->missing) << " (pre holds)\n";
      if (!r->now_true.empty()) {
        out << "  true in this run where its derivation needed false (notin):";
        for (const auto& t : r->now_true) out << " " << t;
        out << "\n";
      }
      out << "  how it was derived without faults:\n";
      std::istringstream prov(r->provenance);
      for (std::string line; std::getline(prov, line);) out << "    " << line << "\n";
      out << "  replay: " << replay_command(o, m, r->faults) << "\n";
    } else {
      out << "no counterexample in " << r->runs << " runs (" << r->strategy
          << " search; fault space about " << r->fault_space << " runs)";
      if (!r->complete) out << "; the search stopped at --max-runs " << m.max_runs;
      out << "\n";
    }
    text = out.str();
  }
  std::string error;
  if (!write_output(o.output, text, error)) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  return r->counterexample ? kExitFindings : kExitOk;
}

}  // namespace calm::cli
