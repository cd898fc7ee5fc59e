#pragma once

// A JSON trace of a simulation: per timestep and node, the facts that arrived (scenario
// inputs, periodic ticks, delivered messages with sender and send step), the recorded
// collections' contents, and the messages sent with their fates. Keys are sorted and
// values deterministic, so one seed gives a byte-identical trace.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/simulation.h"

namespace calm::eval {

/// The collections a node's output shows: its `record` list, or every non-builtin
/// collection of its program in declaration order.
std::vector<std::string> recorded_collections(const ScenarioNode& node, const Program& program);

class TraceRecorder : public SimulationObserver {
 public:
  TraceRecorder(const Scenario& scenario, const ScenarioPrograms& programs);
  void on_node_step(const NodeStep& step) override;
  /// The whole trace; `outcome` adds the run's end (steps, quiescence, expectations).
  nlohmann::json finish(const Simulation& sim, const SimulationOutcome& outcome) const;

 private:
  const Scenario& scenario_;
  std::vector<std::vector<std::string>> record_;
  nlohmann::json steps_ = nlohmann::json::array();
};

}  // namespace calm::eval
