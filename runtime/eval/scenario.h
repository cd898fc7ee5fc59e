#pragma once

// Scenarios: what the reference evaluator runs. A scenario names the simulated nodes
// (each with its program: files and modules, relative to the scenario file), the facts
// each node receives at each timestep, how long to run, what to record, the network
// (delays drawn from a seeded schedule, optional loss and duplication), the simulated
// clock that fires periodics, and optional expected contents. The JSON format is
// documented in docs/scenario.md and docs/scenario.schema.json.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "eval/interpreter.h"
#include "eval/value.h"

namespace calm::eval {

struct ScenarioProgram {
  std::vector<std::string> files;              ///< resolved against the scenario's directory
  std::vector<SourceLocation> file_locations;  ///< where the scenario names each file
  std::vector<std::string> modules;  ///< -m; empty: the file must define exactly one program
  std::vector<SourceLocation> module_locations;  ///< where the scenario names each module
  std::vector<std::string> include_dirs;
  std::string lang;  ///< "" picks by extension
  SourceLocation location;
};

struct ScenarioNode {
  std::string name;
  std::string address;  ///< ip_port / @local_addr; channel messages are routed by it
  ScenarioProgram program;
  std::vector<std::string> record;  ///< collections to print and trace
  bool record_given = false;        ///< false: record every collection
  /// Values of instance variables the program reads (`"@server": "10.0.0.1:7000"`),
  /// which a Bud program sets in its `initialize`.
  std::map<std::string, Value> instance_variables;
  SourceLocation location;
};

/// One fact inserted into `collection` of `node` at the start of timestep `step`.
struct ScenarioFact {
  size_t node = 0;  ///< index into Scenario::nodes
  int64_t step = 0;
  std::string collection;
  Tuple tuple;
  SourceLocation location;
};

struct NetworkModel {
  int64_t min_delay = 1;  ///< timesteps between a send and its delivery
  int64_t max_delay = 1;
  double loss = 0;       ///< probability that a message is dropped
  double duplicate = 0;  ///< probability that a message is delivered twice
};

struct ClockModel {
  double seconds_per_step = 1.0;  ///< simulated seconds per timestep (periodics)
  double jitter = 0;              ///< each step lasts seconds_per_step * (1 ± jitter)
  double epoch = 1e9;  ///< Time.now at timestep 0, seconds since 1970 (NodeOptions::time_epoch)
};

/// Contents a collection of a node must have after timestep `step` (the last one when
/// absent). `subset`: the listed facts must be present, others may be too. For a
/// lattice collection, `value` instead: the plain value its lattice type is made from
/// (`3` for an lmax, `["a", "b"]` for an lset), compared with the lattice's value.
struct ScenarioExpectation {
  size_t node = 0;
  std::string collection;
  std::optional<int64_t> step;
  bool subset = false;
  std::vector<Tuple> tuples;
  std::optional<Value> value;
  SourceLocation location;
  SourceLocation value_location;  ///< of `value`
};

struct Scenario {
  std::string path;  ///< the scenario file, as given
  std::vector<ScenarioNode> nodes;
  std::vector<ScenarioFact> facts;
  int64_t steps = 0;             ///< timesteps to run (with until_quiescent: the limit)
  bool until_quiescent = false;  ///< stop early once nothing changes and nothing is in flight
  uint64_t seed = 1;
  NetworkModel network;
  bool network_given = false;  ///< the scenario fixed the network (verify varies it otherwise)
  ClockModel clock;
  std::vector<ScenarioExpectation> expect;
  int64_t max_facts = 0;  ///< per node; 0: the evaluator's default

  int node_index(const std::string& name) const;
};

/// The largest number of timesteps a scenario may ask for.
inline constexpr int64_t kMaxScenarioSteps = 1'000'000;

/// Parses a scenario. Syntax and shape errors are located diagnostics with check
/// "calm-bad-scenario" (file:line:col of the offending JSON value). Collections and
/// arities are checked later, against the programs (Simulation::create).
std::optional<Scenario> parse_scenario(const std::string& text, const std::string& path,
                                       Diagnostics& diags);

/// Reads and parses a scenario file.
std::optional<Scenario> read_scenario(const std::string& path, Diagnostics& diags);

/// A one-node scenario from the command line (`calm run FILES -m M --steps N --facts F`).
Scenario single_node_scenario(const ScenarioProgram& program, const std::string& address,
                              int64_t steps);

}  // namespace calm::eval

namespace calm::eval {

/// `@name`: an `@`, then a letter or `_`, then letters, digits and `_` (what a scenario's
/// "instance_variables" and `--ivar` accept).
bool is_instance_variable_name(const std::string& name);

/// Adds the facts of a `--facts` file (`{"steps": [{"collection": [[...]]}, ...]}`: the
/// facts inserted at the start of each timestep) to node `node` of `scenario`.
bool add_facts_file(Scenario& scenario, size_t node, const std::string& path, Diagnostics& diags);

}  // namespace calm::eval
