#pragma once

// Several simulated Bud nodes exchanging channel messages. A Simulation runs a Scenario
// in global timesteps: at each step every node receives its scenario facts, the
// messages whose delivery time has come and its periodic ticks, then runs one Bud
// timestep. Each message sent with `<~` gets a delivery delay drawn from a seeded
// generator (and may be lost or duplicated), so one seed is one delivery schedule and
// the same seed always gives the same run.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "eval/evaluator.h"
#include "eval/scenario.h"

namespace calm::eval {

/// What a ProgramLoader gives back for one node's program: the programs its files
/// define (only those named by its modules when it names some), every diagnostic, and
/// the text of every file read (for quoting source lines).
struct LoadedPrograms {
  std::vector<Program> programs;
  Diagnostics diagnostics;
  std::map<std::string, std::string> sources;
};

/// Reads a node's program files. Loading programs is the caller's job (the front ends
/// sit beside the evaluator, not under it): verify/program_loading.h has the loader of
/// calm's front ends; tests may pass programs built in memory.
using ProgramLoader = std::function<LoadedPrograms(const ScenarioProgram&)>;

/// The programs of a scenario's nodes, loaded once per distinct program.
class ScenarioPrograms {
 public:
  ScenarioPrograms();
  /// Loads every node's program with `loader`. Front-end errors, a missing module, or a
  /// file that defines several programs without `modules` are located diagnostics.
  bool load(const Scenario& scenario, const ProgramLoader& loader, Diagnostics& diags);
  /// Uses `program` for every node (a one-node run from the command line).
  void use(const Program& program, size_t nodes);

  const Program& program(size_t node) const { return *programs_[node]; }
  /// Errors for what the loader left out of a node's program with a warning and Bud would
  /// run (NodeOptions::unrunnable): unknown collections, Ruby code in bootstrap blocks.
  const std::vector<Diagnostic>& unrunnable(size_t node) const;
  size_t size() const { return programs_.size(); }
  /// path -> text of every file read, for quoting source lines in diagnostics.
  const std::map<std::string, std::string>& sources() const { return sources_; }

  /// The plan of node `node`'s program with these options' instance variables
  /// (Node::plan), worked out once and shared by every later call with the same program
  /// and instance variables: every schedule of `calm verify` asks again. Safe to call
  /// from several threads.
  std::shared_ptr<const NodePlan> plan(size_t node, const NodeOptions& options,
                                       Diagnostics& diags) const;

 private:
  struct PlanCache;
  std::shared_ptr<PlanCache> plans_;
  std::vector<std::unique_ptr<LoadedPrograms>> loads_;
  std::vector<const Program*> programs_;
  std::map<const Program*, std::vector<Diagnostic>> unrunnable_;
  std::map<std::string, std::string> sources_;
};

/// Checks a scenario against its programs: facts, records and expectations must name
/// collections of their node's program, with the right number of columns.
bool check_scenario(const Scenario& scenario, const ScenarioPrograms& programs, Diagnostics& diags);

struct SimulationOptions {
  std::optional<uint64_t> seed;         ///< overrides the scenario's seed
  std::optional<NetworkModel> network;  ///< overrides the scenario's network
  std::optional<ClockModel> clock;      ///< overrides the scenario's clock
  bool provenance = false;              ///< nodes record how each fact was derived
  bool reuse_results = true;            ///< NodeOptions::reuse_results of every node
  /// Chooses each message's delay in [lo, hi] instead of the seeded generator (exhaustive
  /// exploration enumerates these choices).
  std::function<int64_t(int64_t lo, int64_t hi)> choose_delay;
  /// After the scenario's steps, keep running up to this many more timesteps until
  /// quiescent (so every message in flight arrives); not quiescing is then not an error.
  int64_t drain_steps = 0;
};

/// A message in the network: sent by `from` at `sent_at`, delivered to `to` at
/// `deliver_at` (or lost).
struct Delivery {
  uint64_t id = 0;  ///< order of sending; a duplicate shares its original's id
  size_t from = 0;
  std::optional<size_t> to;  ///< nullopt: no node has the address (undeliverable)
  int64_t sent_at = 0;
  int64_t deliver_at = 0;
  bool lost = false;
  bool duplicate = false;
  Message message;
};

/// What happened at one node in one timestep, for observers.
struct NodeStep {
  size_t node = 0;
  int64_t step = 0;
  std::vector<std::pair<std::string, Tuple>> inputs;  ///< scenario facts and periodic ticks
  std::vector<Delivery> received;
  std::vector<Delivery> sent;  ///< with their fates (delivery step, lost, undeliverable)
  const StepResult* result = nullptr;
  const Node* state = nullptr;  ///< contents at the end of the step
};

/// Receives every node's step as it completes (the CLI prints it, a trace records it).
class SimulationObserver {
 public:
  virtual ~SimulationObserver() = default;
  virtual void on_node_step(const NodeStep& step) = 0;
};

struct ExpectationResult {
  size_t index = 0;  ///< into Scenario::expect
  bool held = true;
  std::vector<Tuple> missing;     ///< expected, absent
  std::vector<Tuple> unexpected;  ///< present, not expected (unless subset)
};

struct SimulationOutcome {
  bool ok = true;  ///< false: a node's step failed or a limit was hit
  int64_t steps_run = 0;
  bool quiesced = false;    ///< stopped because nothing could change any more
  Diagnostics diagnostics;  ///< errors (failed step, limits) and warnings (undeliverable)
  std::vector<ExpectationResult> expectations;
  size_t messages_sent = 0;
  size_t messages_lost = 0;
  size_t messages_duplicated = 0;
};

/// One decision of a simulation's seeded generator (SimulationOptions::seed): the delay of
/// a message in [lo, hi], or whether an event of probability `p` happened (a message lost
/// or duplicated). A run is a function of its decisions (Simulation::repeatable), so any
/// seed that makes the same decisions runs the same way: `calm verify` runs each distinct
/// schedule once.
struct Draw {
  enum Kind : uint8_t { Delay, Chance };
  Kind kind = Delay;
  int64_t lo = 0, hi = 0;  ///< Delay: the range
  double p = 0;            ///< Chance: the probability
  int64_t value = 0;       ///< the delay, or 1 when the event happened (0 when not)
  /// The value the generator seeded with `seed` gives when its `k`-th draw (from 0) is
  /// asked as this one.
  int64_t decide(uint64_t seed, size_t k) const;
  bool same_question(const Draw& o) const {
    return kind == o.kind && lo == o.lo && hi == o.hi && p == o.p;
  }
};

class Simulation {
 public:
  /// Creates the nodes. Returns nullptr with located diagnostics when a program is
  /// refused (unsupported construct, unstratifiable).
  static std::unique_ptr<Simulation> create(const Scenario& scenario,
                                            const ScenarioPrograms& programs,
                                            SimulationOptions options, Diagnostics& diags);
  /// The same, reusing the nodes of `spare` (an earlier simulation of the same scenario
  /// and programs, done with) where they were made from the same plans (Node::create).
  static std::unique_ptr<Simulation> create(const Scenario& scenario,
                                            const ScenarioPrograms& programs,
                                            SimulationOptions options, Diagnostics& diags,
                                            std::unique_ptr<Simulation> spare);
  ~Simulation();

  /// Runs to the scenario's end (its steps, or quiescence), then checks expectations.
  SimulationOutcome run(SimulationObserver* observer = nullptr);

  size_t node_count() const;
  const Node& node(size_t i) const;
  uint64_t seed() const;
  const NetworkModel& network() const;
  /// The decisions of the seeded generator in run(), in the order made. A delay range of
  /// one value is no decision (it draws nothing).
  const std::vector<Draw>& draws() const;
  /// Whether run() depended on its seed through draws() alone: no clock jitter, no
  /// SimulationOptions::choose_delay, no program that called `rand`. Then every seed whose
  /// first draws().size() draws decide the same values (Draw::decide) runs the same way.
  bool repeatable() const;

  struct State;

 private:
  explicit Simulation(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace calm::eval
