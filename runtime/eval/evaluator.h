#pragma once

// One Bud node: collections as sets of tuples, timesteps, stratified fixpoints of `<=`
// rules, and the deferred effects `<+ <- <+- <~` for the next timestep. A scheduler
// drives one or several nodes with Node::step and routes the messages they send.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "eval/interpreter.h"
#include "eval/value.h"
#include "model/program.h"

namespace calm::eval {

struct NodeOptions {
  /// This node's address: the value of `ip_port` and `@local_addr`.
  std::string address = "localhost:12345";
  /// Semi-naive evaluation inside a stratum (rules re-run on the new facts only). False
  /// runs the naive iteration (every rule on everything until nothing changes); both
  /// compute the same fixpoint.
  bool seminaive = true;
  /// Total facts the node may hold (tuples of every collection, plus the elements of
  /// lattice values). Exceeding it fails the step with `calm-eval-limit`.
  size_t max_facts = 5'000'000;
  /// Rounds of one stratum's fixpoint before the step fails with `calm-eval-limit` (a
  /// lattice that grows for ever, such as `m <= m + 1`, never adds facts).
  int64_t max_rounds = 100'000;
  /// Record how each fact got into its collection (see Node::derivation).
  bool provenance = false;
  /// Reuse what gives the same result again instead of computing it (docs/evaluator.md,
  /// "How it runs fast"): a rule's or a stratum's memo when what it reads is unchanged,
  /// and a timestep that would repeat the last one (skipped_steps). False computes
  /// everything every time; tests hold the two to the same runs.
  bool reuse_results = true;
  /// Values of instance variables the program reads (`@server` => "10.0.0.1:7000"),
  /// which a Bud program would set in its `initialize`. Keys include the `@`.
  std::map<std::string, Value> instance_variables;
  /// Seed of Ruby's `rand` in blocks and of `choose_rand`: a per-node splitmix64
  /// generator whose state starts at the seed XOR the FNV-1a hash (64 bits) of the
  /// address, so runs are reproducible; its numbers are not Ruby's (docs/evaluator.md).
  uint64_t random_seed = 0;
  /// Ruby's Time.now / Time.new in blocks: this many seconds since 1970-01-01 UTC plus the
  /// timestep number (a logical clock: reproducible, one second per timestep, whatever the
  /// simulated clock of periodics; the scenario clock's `epoch`). 1,000,000,000 is
  /// 2001-09-09 01:46:40 UTC.
  double time_epoch = 1e9;
  /// What the loader left out of the program and Bud would run (a rule naming a
  /// collection no module declares, which Bud raises on when it wires the rule at its
  /// first timestep; Ruby code writing collections in a bootstrap block): the node's first
  /// step fails with these errors (ScenarioPrograms::unrunnable makes them).
  std::vector<Diagnostic> unrunnable;
};

/// How a fact first got into a collection in its current life (provenance).
struct Derivation {
  enum Kind {
    Rule,      ///< derived by a `<=` rule (or a bootstrap rule) in timestep `budtime`
    Input,     ///< given as an input fact of timestep `budtime`
    Message,   ///< a message delivered to the node (a channel fact, or loopback `<~`)
    Deferred,  ///< inserted at the start of a timestep by `<+`/`<+-` of rule `rule`,
               ///< evaluated in timestep `budtime`
  };
  Kind kind = Input;
  int rule = -1;            ///< the rule's id, for Rule and Deferred
  SourceLocation location;  ///< the rule's location, for Rule and Deferred
  int64_t budtime = 0;      ///< when it was derived; a persisted fact keeps its origin
  /// The body facts the rule combined (scans, maps, joins, selections, notin's left
  /// side); empty for aggregates, lattice merges and Ruby expressions.
  std::vector<std::pair<std::string, Tuple>> premises;
};

const char* to_string(Derivation::Kind k);

/// A fact sent with `<~`: to `address` (the channel's location column) or to the
/// node itself (loopback), or written to stdio.
struct Message {
  std::string collection;
  Value address;  ///< nil for loopback and stdio
  Tuple tuple;
  auto operator<=>(const Message& o) const {
    if (collection != o.collection) return collection <=> o.collection;
    if (int c = Value::compare(address, o.address); c != 0) return c <=> 0;
    auto t = tuple <=> o.tuple;  // column by column, as Value::compare orders arrays
    return t < 0   ? std::strong_ordering::less
           : t > 0 ? std::strong_ordering::greater
                   : std::strong_ordering::equal;
  }
  bool operator==(const Message& o) const { return (*this <=> o) == 0; }
};

/// Facts that arrive at the start of a timestep: inputs, and channel messages
/// delivered to this node.
struct StepInput {
  std::vector<std::pair<std::string, Tuple>> facts;
};

struct StepResult {
  bool ok = true;
  int64_t budtime = 0;        ///< the timestep that ran
  std::vector<Message> sent;  ///< `<~` to channels and stdio, sorted
  /// What blocks wrote with `puts` and `print`, in the order written: once per
  /// evaluation of the block (see docs/evaluator.md).
  std::vector<std::string> printed;
  Diagnostics diagnostics;  ///< why the step failed (when !ok)
};

/// What Node::create works out from a program and its instance variables alone: the
/// checks, the strata, the rule lists, the collections' layouts. One plan serves every
/// node that runs the program with those instance variables (`calm verify` creates every
/// node of every schedule from one plan; ScenarioPrograms::plan keeps them).
struct NodePlan;

/// One node running a program with Bud's semantics. Not copyable.
class Node {
 public:
  /// The plan of `program` (which must outlive it) with `options.instance_variables`;
  /// nullptr, with located diagnostics, when the program is unstratifiable or uses
  /// something the evaluator does not support.
  static std::shared_ptr<const NodePlan> plan(const Program& program, const NodeOptions& options,
                                              Diagnostics& diags);
  /// A node from a plan; `options.instance_variables` is replaced by the plan's.
  static std::unique_ptr<Node> create(std::shared_ptr<const NodePlan> plan, NodeOptions options);
  /// A node from a plan, made from `spare` (a node of an earlier run, done with) when
  /// `spare` was made from the same plan: its collections are emptied and it starts over,
  /// as a new node would, but keeps what it worked out about the rules (their plans and
  /// compiled blocks) and its storage. `calm verify` runs hundreds of schedules so.
  static std::unique_ptr<Node> create(std::shared_ptr<const NodePlan> plan, NodeOptions options,
                                      std::unique_ptr<Node> spare);
  /// Prepares `program` (which must outlive the node). Returns nullptr, with located
  /// diagnostics, when the program is unstratifiable or uses something the evaluator
  /// does not support.
  static std::unique_ptr<Node> create(const Program& program, NodeOptions options,
                                      Diagnostics& diags);
  ~Node();

  /// Runs one timestep: pending deferred effects and `input` arrive, `<=` rules run to
  /// fixpoint stratum by stratum, then `<+ <- <+- <~` are computed for the next step.
  /// After a failed step (key conflict, runtime error) the node refuses further steps.
  StepResult step(const StepInput& input);

  /// The contents of a collection at the end of the last step (empty set if unknown),
  /// sorted. The sorted view is built on the first call for a collection and then kept
  /// up to date as the collection changes: size() is cheaper when the count is enough.
  const TupleSet& contents(const std::string& collection) const;
  /// The number of tuples in a collection (0 if unknown).
  size_t size(const std::string& collection) const;
  /// An order-independent 64-bit hash of a collection's tuples (eval/row_table.h): equal
  /// contents give equal fingerprints; different contents differ but for a hash
  /// collision (about 2^-64 per comparison).
  uint64_t fingerprint(const std::string& collection) const;
  /// size() and fingerprint() of every collection, in the order of Program::collections
  /// (what a simulation compares after each step to see whether anything changed).
  void summary(std::vector<std::pair<size_t, uint64_t>>& out) const;
  /// The next timestep to run (0 before the first step).
  int64_t budtime() const;
  /// Rule ids of each stratum's `<=` rules, lowest stratum first.
  const std::vector<std::vector<int>>& strata() const;
  const std::string& address() const;
  /// How `t` got into `collection` (only with NodeOptions::provenance; nullopt when the
  /// fact is absent or provenance is off). A lattice collection's one fact is its value.
  std::optional<Derivation> derivation(const std::string& collection, const Tuple& t) const;
  /// The value of a lattice collection (nullopt when `collection` is not a lattice).
  std::optional<Value> lattice(const std::string& collection) const;
  /// Whether the program called `rand` since the node started: its run then depends on
  /// NodeOptions::random_seed.
  bool drew_random() const;
  /// Timesteps step() skipped because they would repeat the last one: a timestep
  /// without input or anything pending that changed, sent and printed nothing, in a
  /// program that reads no clock and calls no rand, leaves the node as it is again.
  /// Provenance (which dates each fact) turns this off.
  size_t skipped_steps() const;

  struct State;

 private:
  explicit Node(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace calm::eval
