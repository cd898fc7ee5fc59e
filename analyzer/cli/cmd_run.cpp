// `calm run FILES... -m MODULE --steps N [--facts F.json] [--record a,b]`: runs one node
// of a program with the reference evaluator and prints the recorded collections.

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/program_analysis.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "eval/evaluator.h"

namespace calm::cli {

namespace {

constexpr const char* kRunUsage =
    "usage: calm run FILES... [-m MODULE]... --steps N [--facts F.json] [--record a,b]\n"
    "                [--address HOST:PORT] [-o FILE]\n"
    "\n"
    "Runs the program on one node with the reference evaluator (docs/evaluator.md) for N\n"
    "timesteps and prints, per timestep, the contents of the recorded collections (every\n"
    "collection by default), sorted, and the messages sent with <~.\n"
    "\n"
    "  --facts F.json   {\"steps\": [{\"kvput\": [[\"c\", \"k1\", 1, \"v1\"]]}, ...]}: the facts\n"
    "                   inserted at the start of each timestep (JSON strings are Ruby\n"
    "                   strings; {\"sym\": \"x\"} is the symbol :x)\n"
    "  --record a,b     the collections to print\n"
    "  --address A      this node's address (ip_port, @local_addr)\n"
    "\n"
    "Messages sent to this node's own address (and loopback) arrive at the next timestep.\n"
    "\n"
    "exit status: 0 ok, 2 usage or input error, an unsupported construct, an\n"
    "unstratifiable program, or a failed timestep (key conflict, runtime error)\n";

bool json_to_value(const nlohmann::json& j, eval::Value& out, std::string& error) {
  using eval::Value;
  if (j.is_null()) {
    out = Value();
  } else if (j.is_boolean()) {
    out = Value::boolean(j.get<bool>());
  } else if (j.is_number_integer()) {
    out = Value::integer(j.get<int64_t>());
  } else if (j.is_number()) {
    out = Value::floating(j.get<double>());
  } else if (j.is_string()) {
    out = Value::string(j.get<std::string>());
  } else if (j.is_array()) {
    std::vector<Value> items;
    for (const auto& x : j) {
      Value v;
      if (!json_to_value(x, v, error)) return false;
      items.push_back(v);
    }
    out = Value::array(items);
  } else if (j.is_object() && j.size() == 1 && j.contains("sym") && j["sym"].is_string()) {
    out = Value::symbol(j["sym"].get<std::string>());
  } else {
    error = "unsupported JSON value " + j.dump() + " (use {\"sym\": \"x\"} for a symbol)";
    return false;
  }
  return true;
}

bool read_facts(const std::string& path, std::vector<eval::StepInput>& steps, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot read the file";
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("steps") || !j["steps"].is_array()) {
    error = path + ": expected {\"steps\": [{\"collection\": [[...], ...]}, ...]}";
    return false;
  }
  for (const auto& step : j["steps"]) {
    if (!step.is_object()) {
      error = path + ": each step must be an object";
      return false;
    }
    eval::StepInput input;
    for (const auto& [name, facts] : step.items()) {
      if (!facts.is_array()) {
        error = path + ": facts of '" + name + "' must be an array of arrays";
        return false;
      }
      for (const auto& f : facts) {
        eval::Value v;
        if (!f.is_array() || !json_to_value(f, v, error)) {
          if (error.empty()) error = "fact " + f.dump() + " is not an array";
          error = path + ": " + error;
          return false;
        }
        input.facts.push_back({name, v.items()});
      }
    }
    steps.push_back(std::move(input));
  }
  return true;
}

int run_run(const std::vector<std::string>& args) {
  Options o;
  if (int rc =
          parse_or_usage(args, kRunUsage, o, {}, {"--steps", "--facts", "--record", "--address"});
      rc >= 0)
    return rc;
  std::string steps_text = extra_value(o, "steps", "");
  int steps = -1;
  try {
    steps = steps_text.empty() ? -1 : std::stoi(steps_text);
  } catch (...) {
    steps = -1;
  }
  std::vector<eval::StepInput> inputs;
  std::string error;
  if (std::string facts = extra_value(o, "facts", "");
      !facts.empty() && !read_facts(facts, inputs, error)) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  if (steps < 0) steps = int(inputs.size());
  if (steps_text.empty() && inputs.empty()) {
    std::cerr << "calm: --steps N is required (or --facts)\n\n" << kRunUsage;
    return kExitError;
  }
  LoadResult r;
  if (!load_for_command(o, r)) return kExitError;
  if (r.programs.size() != 1) {
    std::cerr << "calm: calm run needs exactly one program; found " << r.programs.size()
              << " (name one with -m MODULE)\n";
    return kExitError;
  }
  const Program& program = r.programs[0];
  ProgramAnalysis analysis(program);
  if (!analysis.stratification().stratifiable()) {
    for (const auto& d : analysis.stratification().diagnostics().sorted())
      std::cerr << format_diagnostic(d, r.sources);
    return kExitError;
  }
  Diagnostics diags;
  eval::NodeOptions options;
  options.address = extra_value(o, "address", options.address);
  auto node = eval::Node::create(program, options, diags);
  for (const auto& d : diags.sorted()) std::cerr << format_diagnostic(d, r.sources);
  if (!node) return kExitError;

  std::vector<std::string> record;
  if (std::string rec = extra_value(o, "record", ""); !rec.empty()) {
    std::stringstream ss(rec);
    for (std::string name; std::getline(ss, name, ',');) {
      if (!program.find(name)) {
        std::cerr << "calm: --record: no collection '" << name << "' in " << program.name << "\n";
        return kExitError;
      }
      record.push_back(name);
    }
  } else {
    for (const auto& c : program.collections)
      if (!c.builtin) record.push_back(c.name);
  }

  std::string out;
  std::vector<eval::Message> self_messages;
  for (int i = 0; i < steps; ++i) {
    eval::StepInput input = size_t(i) < inputs.size() ? inputs[size_t(i)] : eval::StepInput{};
    for (const auto& m : self_messages) input.facts.push_back({m.collection, m.tuple});
    self_messages.clear();
    eval::StepResult res = node->step(input);
    out += "timestep " + std::to_string(res.budtime) + "\n";
    if (!res.ok) {
      std::cout << out;
      for (const auto& d : res.diagnostics.sorted()) std::cerr << format_diagnostic(d, r.sources);
      return kExitError;
    }
    for (const auto& name : record) {
      const auto& tuples = node->contents(name);
      out += "  " + name + " (" + std::to_string(tuples.size()) + ")\n";
      for (const auto& t : tuples) out += "    " + eval::inspect(t) + "\n";
    }
    for (const auto& m : res.sent) {
      out += "  sent " + m.collection + " to " + m.address.inspect() + ": " +
             eval::inspect(m.tuple) + "\n";
      if (m.address.kind() == eval::Value::Kind::String && m.address.as_string() == options.address)
        self_messages.push_back(m);
    }
  }
  if (!write_output(o.output, out, error)) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

constinit const Command kRunCommand = {
    "run", "run a program on one node with the reference evaluator", kRunUsage, run_run};

}  // namespace calm::cli
