// `calm run`: runs a scenario (one node or several simulated nodes exchanging channel
// messages) with the reference evaluator and prints what each node's recorded
// collections contain at each timestep.

#include <fstream>
#include <iostream>
#include <sstream>

#include "analysis/program_analysis.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/dedalus_commands.h"
#include "cli/output.h"
#include "cli/scenario_support.h"
#include "eval/scenario.h"
#include "eval/simulation.h"
#include "eval/trace.h"

namespace calm::cli {

namespace {

constexpr const char* kRunUsage =
    "usage: calm run --scenario S.json [--seed N] [--trace T.json] [--steps N]\n"
    "                [--max-delay N] [--delays D,...] [--ivar @name=VALUE]... [-o FILE]\n"
    "       calm run FILES... [-m MODULE]... --steps N [--facts F.json] [--record a,b]\n"
    "                [--address HOST:PORT] [--ivar @name=VALUE]... [--seed N]\n"
    "                [--trace T.json] [-o FILE]\n"
    "       calm run --eot N [--nodes a,b,c] [--omit FROM:TO:T,...] [--crash NODE:T,...]\n"
    "                FILE.ded... [-o FILE]\n"
    "\n"
    "With --eot, runs Dedalus in Molly's dialect (docs/dedalus.md, \"Running\") from time 1\n"
    "to N over the simulated nodes (default: the constants in location columns), @async\n"
    "messages arriving one step later unless --omit drops them or their sender crashed\n"
    "(--crash), and prints every relation at the end of time.\n"
    "\n"
    "Runs a Bloom program with the reference evaluator (docs/evaluator.md): one node, or\n"
    "the simulated nodes of a scenario (docs/scenario.md) exchanging channel messages over\n"
    "a network whose delivery delays, losses and duplicates are drawn from a seeded\n"
    "schedule. Prints, per timestep and node, the contents of the recorded collections,\n"
    "sorted, the messages sent with <~ with the step they arrive at, and what blocks\n"
    "printed with puts or print.\n"
    "\n"
    "  --scenario S.json  the nodes (programs relative to S.json), facts per timestep,\n"
    "                     steps, network, clock and expected contents\n"
    "  FILES -m MODULE    the program to run: with --scenario, replaces the program of a\n"
    "                     one-node scenario; without, runs one node\n"
    "  --seed N           the delivery schedule (default: the scenario's seed, or 1);\n"
    "                     the same seed always gives the same run\n"
    "  --trace T.json     writes every step as JSON: inputs, deliveries, contents, sends\n"
    "  --keep-partial     write --trace and -o of a run that failed too (the trace ends\n"
    "                     with the failed step, marked \"failed\"); by default a failed\n"
    "                     run replaces no file\n"
    "  --steps N          timesteps to run (overrides the scenario)\n"
    "  --facts F.json     one-node runs: {\"steps\": [{\"kvput\": [[\"c\", \"k1\", 1]]}, ...]},\n"
    "                     the facts inserted at the start of each timestep (JSON strings\n"
    "                     are Ruby strings; {\"sym\": \"x\"} is the symbol :x)\n"
    "  --record a,b       the collections to print, on every node that has them\n"
    "                     (default: the scenario's record lists, or everything)\n"
    "  --address A        one-node runs: the node's address (ip_port, @local_addr)\n"
    "  --ivar @name=V     an instance variable the program's initialize would set, on\n"
    "                     every node (V is JSON, or else a string: @server=10.0.0.1:7000)\n"
    "\n"
    "exit status: 0 ok (and every expectation of the scenario held), 1 an expectation\n"
    "failed, 2 usage or input error (bad scenario, unknown collection, wrong arity), an\n"
    "unsupported construct, an unstratifiable program, a failed timestep (key conflict,\n"
    "runtime error) or a limit (no quiescence, too many facts)\n";

/// Prints each node's step as text: the recorded collections, what it sent, then what
/// its blocks printed with puts/print.
class TextPrinter : public eval::SimulationObserver {
 public:
  TextPrinter(const eval::Scenario& sc, const eval::ScenarioPrograms& programs) : sc_(sc) {
    for (size_t i = 0; i < sc.nodes.size(); ++i)
      record_.push_back(eval::recorded_collections(sc.nodes[i], programs.program(i)));
  }
  void on_node_step(const eval::NodeStep& s) override {
    const bool many = sc_.nodes.size() > 1;
    if (s.step != last_step_) {
      out_ += "timestep " + std::to_string(s.step) + "\n";
      last_step_ = s.step;
    }
    std::string ind = many ? "    " : "  ";
    if (many) out_ += "  node " + sc_.nodes[s.node].name + "\n";
    if (s.result && !s.result->ok) return;
    for (const auto& name : record_[s.node]) {
      const auto& tuples = s.state->contents(name);
      out_ += ind + name + " (" + std::to_string(tuples.size()) + ")\n";
      for (const auto& t : tuples) out_ += ind + "  " + eval::inspect(t) + "\n";
    }
    for (const auto& d : s.sent) {
      out_ += ind + "sent " + d.message.collection + " to " + d.message.address.inspect() + ": " +
              eval::inspect(d.message.tuple);
      if (!d.to)
        out_ += " (undeliverable)";
      else if (d.lost)
        out_ += " (lost)";
      else
        out_ += std::string(" (") + (d.duplicate ? "duplicate, " : "") + "arrives at " +
                std::to_string(d.deliver_at) + ")";
      out_ += "\n";
    }
    for (const auto& m : s.result->sent)
      if (m.address.is_nil())
        out_ += ind + "sent " + m.collection + ": " + eval::inspect(m.tuple) + "\n";
    // What blocks wrote with puts/print, a line at a time.
    std::string text;
    for (const auto& chunk : s.result->printed) text += chunk;
    for (size_t at = 0; at < text.size();) {
      size_t nl = text.find('\n', at);
      out_ += ind + "printed: " + text.substr(at, nl == std::string::npos ? nl : nl - at) + "\n";
      at = nl == std::string::npos ? text.size() : nl + 1;
    }
  }
  const std::string& text() const { return out_; }

 private:
  const eval::Scenario& sc_;
  std::vector<std::vector<std::string>> record_;
  std::string out_;
  int64_t last_step_ = -1;
};

int run_run(const std::vector<std::string>& args) {
  Options o;
  std::vector<std::string> valued = {"--steps", "--facts", "--record",    "--address", "--scenario",
                                     "--seed",  "--trace", "--max-delay", "--delays",  "--ivar"};
  valued.insert(valued.end(), kDedalusRunValued.begin(), kDedalusRunValued.end());
  if (int rc = parse_or_usage(args, kRunUsage, o, {"--keep-partial"}, valued,
                              /*files_required=*/false);
      rc >= 0)
    return rc;
  if (wants_dedalus_faults(o)) return run_dedalus_run(o);
  const std::string seed_text = extra_value(o, "seed", "");
  eval::SimulationOptions sim_options;
  if (!seed_text.empty()) {
    int64_t seed = 0;
    if (!parse_count(seed_text, 0, INT64_MAX, seed)) {
      std::cerr << "calm: --seed expects a non-negative integer, not '" << seed_text << "'\n";
      return kExitError;
    }
    sim_options.seed = uint64_t(seed);
  }
  if (std::string delays = extra_value(o, "delays", ""); !delays.empty()) {
    std::vector<int64_t> choices;
    std::stringstream ss(delays);
    for (std::string item; std::getline(ss, item, ',');) {
      int64_t d = 0;
      if (!parse_count(item, 1, 1000, d)) {
        std::cerr << "calm: --delays expects comma-separated delays from 1 to 1000, not '" << delays
                  << "'\n";
        return kExitError;
      }
      choices.push_back(d);
    }
    sim_options.choose_delay = [choices, k = size_t(0)](int64_t lo, int64_t) mutable {
      return k < choices.size() ? choices[k++] : lo;
    };
  }
  eval::Scenario sc;
  eval::ScenarioPrograms programs;
  if (!load_scenario_for_command(o, kRunUsage, sc, programs)) return kExitError;
  Diagnostics diags;
  auto sim = eval::Simulation::create(sc, programs, sim_options, diags);
  print_diagnostics(diags, programs.sources());
  if (!sim) return kExitError;
  diags = Diagnostics();

  TextPrinter printer(sc, programs);
  std::optional<eval::TraceRecorder> tracer;
  const std::string trace_path = extra_value(o, "trace", "");
  if (!trace_path.empty()) tracer.emplace(sc, programs);
  struct Both : eval::SimulationObserver {
    std::vector<eval::SimulationObserver*> to;
    void on_node_step(const eval::NodeStep& s) override {
      for (auto* o : to) o->on_node_step(s);
    }
  } both;
  both.to.push_back(&printer);
  if (tracer) both.to.push_back(&*tracer);
  eval::SimulationOutcome outcome = sim->run(&both);

  std::string error;
  // A failed run (an evaluation error or limit) replaces no file: its output is
  // partial, so -o FILE and --trace FILE stay as they were (without -o, the partial
  // text is printed as usual, followed by the error).
  const bool to_file = !o.output.empty() && o.output != "-";
  const bool keep_partial = has_flag(o, "keep-partial");
  if (!outcome.ok && !keep_partial) {
    if (tracer && !trace_path.empty() && trace_path != "-")
      std::cerr << "calm: " << trace_path << ": not written (the run failed)\n";
    if (to_file) std::cerr << "calm: " << o.output << ": not written (the run failed)\n";
  }
  if (tracer && (outcome.ok || keep_partial) &&
      !write_output(trace_path, tracer->finish(*sim, outcome).dump(1) + "\n", error)) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  std::string text = printer.text();
  int failed = 0;
  for (const auto& r : outcome.expectations) {
    if (r.held) continue;
    ++failed;
    const auto& x = sc.expect[r.index];
    std::string msg =
        "expectation failed: node '" + sc.nodes[x.node].name + "', " + x.collection +
        (x.step ? " after timestep " + std::to_string(*x.step) : std::string(" at the end"));
    if (x.step && *x.step >= outcome.steps_run)
      msg += ": the run stopped after " + std::to_string(outcome.steps_run) + " timesteps";
    for (const auto& t : r.missing) msg += "\n  missing    " + eval::inspect(t);
    for (const auto& t : r.unexpected) msg += "\n  unexpected " + eval::inspect(t);
    diags.error("calm-expectation-failed", msg, x.location);
  }
  if (!sc.expect.empty() && outcome.ok)
    text += "expectations: " + std::to_string(sc.expect.size() - size_t(failed)) + " of " +
            std::to_string(sc.expect.size()) + " held\n";
  if ((outcome.ok || !to_file || keep_partial) && !write_output(o.output, text, error)) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  Diagnostics late;
  late.append(outcome.diagnostics);
  for (const auto& d : diags.items())
    if (d.check == "calm-expectation-failed") late.add(d);
  print_diagnostics(late, programs.sources());
  if (!outcome.ok) return kExitError;
  return failed ? kExitFindings : kExitOk;
}

}  // namespace

constinit const Command kRunCommand = {
    "run", "run a program or a scenario with the reference evaluator", kRunUsage, run_run};

}  // namespace calm::cli
