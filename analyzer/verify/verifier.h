#pragma once

// `calm verify`: the evaluator checks the report. A Verifier runs a scenario under many
// delivery schedules (seeds, or every delay choice when the schedule space is small) and
// compares, per node and output, what came out. Outputs the report labels Confluent or
// Async must come out the same in every schedule (otherwise the analysis is unsound);
// for order-sensitive outputs (NonMonotonic, Diffluent) it looks for two schedules that
// disagree and explains the difference by the provenance of the differing facts, back
// to the point of order the report predicted.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analysis/label_analysis.h"
#include "eval/scenario.h"
#include "eval/simulation.h"

namespace calm {

struct VerifyOptions {
  size_t schedules = 200;  ///< random schedules (seeds first_seed, first_seed + 1, ...)
  uint64_t first_seed = 1;
  bool exhaustive = false;       ///< enumerate every delay choice (bounded by max_schedules)
  size_t max_schedules = 20000;  ///< bound for the exhaustive mode
  unsigned jobs = 1;             ///< parallel runs
  bool sequences = false;        ///< compare the contents at every timestep, not only what came out
  /// The network explored; nullopt: the scenario's when it gives one, else delays 1..3.
  std::optional<eval::NetworkModel> network;
  int64_t drain_steps = 50;  ///< extra timesteps so messages in flight arrive
  /// A random schedule that decides as an earlier one did takes its result instead of
  /// running (VerifyResult::distinct_schedules); false runs every schedule (for tests that
  /// hold the two to the same result).
  bool reuse_repeats = true;
  /// Called after each schedule with (done, total); for a progress bar.
  std::function<void(size_t, size_t)> progress;
};

/// What one (node, output) produced in one schedule: every fact it held (an output
/// interface) or sent (a channel, stdio) during the run, what it held at the end, and,
/// with `sequences`, its contents at every timestep.
struct Observation {
  std::set<eval::Tuple> facts;
  std::set<eval::Tuple> final;
  std::vector<std::set<eval::Tuple>> per_step;
  auto operator<=>(const Observation&) const = default;
};

/// One step of a fact's provenance.
struct ProvenanceStep {
  std::string node;
  std::string collection;
  eval::Tuple fact;
  std::string how;  ///< "rule", "input", "message", "deferred", "unknown"
  int rule = -1;
  SourceLocation location;
  int64_t step = 0;
  /// The points of order the report predicted on this rule's edges into `collection`.
  std::vector<std::string> points;
  int depth = 0;
};

struct Witness {
  uint64_t seed_a = 0, seed_b = 0;  ///< for the exhaustive mode: schedule numbers
  /// Exhaustive mode: the delay of each message in sending order (`calm run --delays`).
  std::vector<int64_t> choices_a, choices_b;
  std::vector<eval::Tuple> only_a, only_b;
  bool final_differs = false;  ///< the same facts came out; only_a/only_b are of the final contents
  std::optional<int64_t> first_step;       ///< with sequences: the first timestep that differs
  std::vector<ProvenanceStep> provenance;  ///< of the first differing fact, in schedule a or b
  bool provenance_from_a = true;
  bool reaches_point_of_order = false;
};

enum class Verdict {
  Held,        ///< a claim of determinism held in every schedule
  Unsound,     ///< a Confluent/Async output differed: a bug in calm
  Witnessed,   ///< an order-sensitive output differed: the prediction is confirmed
  NotObserved  ///< an order-sensitive output never differed within the budget
};
const char* to_string(Verdict v);

struct OutputVerdict {
  std::string node;
  std::string output;
  /// The label verified: the node program's own label, composed with the labels of the
  /// other nodes' outputs on the channels it reads (labels are per program; a node that
  /// receives order-sensitive content is itself order-sensitive).
  Label label = Label::Confluent;
  Label own_label = Label::Confluent;  ///< the report's label for this program alone
  Verdict verdict = Verdict::Held;
  size_t distinct = 1;  ///< distinct observations over the schedules that ran
  std::optional<Witness> witness;
};

struct VerifyResult {
  size_t schedules_run = 0;
  /// Schedules whose generator made different decisions (eval::Draw). A random schedule
  /// that decides as an earlier one did runs the same way, so it is not run again: it
  /// counts in schedules_run with that schedule's result.
  size_t distinct_schedules = 0;
  size_t schedules_failed = 0;        ///< a node's step failed (key conflict, limit, ...)
  std::vector<std::string> failures;  ///< the first few failures, with their seeds
  bool exhaustive = false;
  bool exhaustive_complete = false;  ///< every schedule was enumerated
  eval::NetworkModel network;
  std::vector<OutputVerdict> outputs;  ///< sorted by (node, output)
  bool sound() const;
};

/// Runs the exploration. `programs` must be loaded and checked against `scenario`.
/// Returns nullopt with diagnostics when the scenario cannot run at all.
std::optional<VerifyResult> verify(const eval::Scenario& scenario,
                                   const eval::ScenarioPrograms& programs,
                                   const VerifyOptions& options, Diagnostics& diags);

}  // namespace calm
