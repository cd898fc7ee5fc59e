#include "cli/scenario_support.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/program_analysis.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "eval/scenario_json.h"
#include "verify/program_loading.h"

namespace calm::cli {

void print_diagnostics(const Diagnostics& diags, const std::map<std::string, std::string>& src,
                       std::ostream& err) {
  for (const auto& d : diags.sorted()) err << format_diagnostic(d, src);
}

bool parse_count(const std::string& text, int64_t lo, int64_t hi, int64_t& out) {
  try {
    size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used != text.size() || v < lo || v > hi) return false;
    out = v;
    return true;
  } catch (...) {
    return false;
  }
}

bool apply_network_options(const Options& o, eval::Scenario& sc, std::ostream& err) {
  std::string text = extra_value(o, "max-delay", "");
  if (text.empty()) return true;
  int64_t v = 0;
  if (!parse_count(text, 1, 1000, v)) {
    err << "calm: --max-delay expects a number of timesteps from 1 to 1000, not '" << text << "'\n";
    return false;
  }
  sc.network.max_delay = v;
  sc.network.min_delay = std::min(sc.network.min_delay, v);
  sc.network_given = true;
  return true;
}

bool apply_instance_variables(const Options& o, eval::Scenario& sc, std::ostream& err) {
  for (const auto& e : o.extra) {
    if (e.rfind("ivar=", 0) != 0) continue;
    const std::string arg = e.substr(5);
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    if (eq == std::string::npos || !eval::is_instance_variable_name(name)) {
      err << "calm: --ivar expects @name=VALUE (an instance variable and its value), not '" << arg
          << "'\n";
      return false;
    }
    // A JSON value (3, "ann", [1, 2], {"sym": "x"}) as in scenarios; anything else is a
    // string, so --ivar @server=127.0.0.1:12345 needs no quotes.
    const std::string text = arg.substr(eq + 1);
    eval::Value v = eval::Value::string(text);
    auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    std::string error;
    if (!j.is_discarded() && !eval::json_to_value(j, v, error)) {
      err << "calm: --ivar " << name << ": " << error << "\n";
      return false;
    }
    for (auto& n : sc.nodes) n.instance_variables[name] = v;
  }
  return true;
}

bool load_scenario_for_command(const Options& o, const char* usage, eval::Scenario& sc,
                               eval::ScenarioPrograms& programs, std::ostream& err) {
  Diagnostics diags;
  const std::string scenario_path = extra_value(o, "scenario", "");
  const std::string facts_path = extra_value(o, "facts", "");
  const std::string steps_text = extra_value(o, "steps", "");
  int64_t steps = -1;
  if (!steps_text.empty() && !parse_count(steps_text, 0, eval::kMaxScenarioSteps, steps)) {
    err << "calm: --steps expects a number of timesteps from 0 to " << eval::kMaxScenarioSteps
        << ", not '" << steps_text << "'\n";
    return false;
  }
  eval::ScenarioProgram cli_program;
  cli_program.files = o.files;
  cli_program.modules = o.modules;
  cli_program.include_dirs = o.include_dirs;
  cli_program.lang = o.lang;

  if (!scenario_path.empty()) {
    if (!facts_path.empty() || !extra_value(o, "address", "").empty()) {
      err << "calm: --facts and --address are for one-node runs without --scenario\n";
      return false;
    }
    auto parsed = eval::read_scenario(scenario_path, diags);
    if (!parsed) {
      print_diagnostics(diags, {}, err);
      return false;
    }
    sc = std::move(*parsed);
    if (!o.files.empty()) {
      if (sc.nodes.size() != 1) {
        err << "calm: " << scenario_path << " has " << sc.nodes.size()
            << " nodes; FILES on the command line replace the program of one-node "
               "scenarios only\n";
        return false;
      }
      sc.nodes[0].program = cli_program;
    }
  } else {
    if (o.files.empty()) {
      err << "calm: name a scenario (--scenario S.json) or the program FILES\n"
          << usage_hint(usage);
      return false;
    }
    sc = eval::single_node_scenario(cli_program, extra_value(o, "address", "localhost:12345"), 0);
    if (!facts_path.empty() && !eval::add_facts_file(sc, 0, facts_path, diags)) {
      print_diagnostics(diags, {}, err);
      return false;
    }
    if (steps < 0 && facts_path.empty()) {
      err << "calm: --steps N is required (or --facts)\n" << usage_hint(usage);
      return false;
    }
  }
  if (steps >= 0) sc.steps = steps;
  if (!apply_network_options(o, sc, err)) return false;
  if (!apply_instance_variables(o, sc, err)) return false;
  if (!programs.load(sc, load_with_front_ends, diags)) {
    // An unknown module named in the scenario: at the scenario's line, not the command's.
    for (const auto& n : sc.nodes)
      relocate_module_diagnostics(diags, n.program.modules, n.program.module_locations);
    std::map<std::string, std::string> sources = programs.sources();
    Diagnostics ignored;
    if (std::string text; !scenario_path.empty() && read_source_file(scenario_path, text, ignored))
      sources.emplace(scenario_path, text);
    print_diagnostics(diags, sources, err);
    return false;
  }
  // --record a,b: on every node whose program has them.
  if (std::string rec = extra_value(o, "record", ""); !rec.empty()) {
    std::stringstream ss(rec);
    for (auto& n : sc.nodes) {
      n.record.clear();
      n.record_given = true;
    }
    for (std::string name; std::getline(ss, name, ',');) {
      if (name.empty()) continue;
      bool found = false;
      for (size_t i = 0; i < sc.nodes.size(); ++i)
        if (programs.program(i).find(name)) {
          sc.nodes[i].record.push_back(name);
          found = true;
        }
      if (!found) {
        err << "calm: --record: no node's program has a collection '" << name << "'\n";
        return false;
      }
    }
  }
  // The analyzer's stratification check names the cycle; report it before the evaluator
  // refuses the program.
  for (size_t i = 0; i < programs.size(); ++i) {
    if (i > 0 && &programs.program(i) == &programs.program(i - 1)) continue;
    ProgramAnalysis analysis(programs.program(i));
    if (!analysis.stratification().stratifiable()) {
      print_diagnostics(diags, programs.sources(), err);
      print_diagnostics(analysis.stratification().diagnostics(), programs.sources(), err);
      return false;
    }
  }
  if (!eval::check_scenario(sc, programs, diags)) {
    print_diagnostics(diags, programs.sources(), err);
    return false;
  }
  print_diagnostics(diags, programs.sources(), err);  // warnings
  return true;
}

}  // namespace calm::cli
