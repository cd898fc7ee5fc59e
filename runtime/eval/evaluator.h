#pragma once

// One Bud node: collections as sets of tuples, timesteps, stratified fixpoints of `<=`
// rules, and the deferred effects `<+ <- <+- <~` for the next timestep. A scheduler
// drives one or several nodes with Node::step and routes the messages they send.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eval/interpreter.h"
#include "eval/value.h"
#include "model/diagnostic.h"
#include "model/program.h"

namespace calm::eval {

struct NodeOptions {
  /// This node's address: the value of `ip_port` and `@local_addr`.
  std::string address = "localhost:12345";
};

/// A fact sent with `<~`: to `address` (the channel's location column) or to the
/// node itself (loopback), or written to stdio.
struct Message {
  std::string collection;
  Value address;  ///< nil for loopback and stdio
  Tuple tuple;
  auto operator<=>(const Message& o) const {
    if (collection != o.collection) return collection <=> o.collection;
    if (int c = Value::compare(address, o.address); c != 0) return c <=> 0;
    return Value::compare(Value::array(tuple), Value::array(o.tuple)) <=> 0;
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
  Diagnostics diagnostics;    ///< why the step failed (when !ok)
};

/// One node running a program with Bud's semantics. Not copyable.
class Node {
 public:
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

  /// The contents of a collection at the end of the last step (empty set if unknown).
  const TupleSet& contents(const std::string& collection) const;
  /// The next timestep to run (0 before the first step).
  int64_t budtime() const;
  /// Rule ids of each stratum's `<=` rules, lowest stratum first.
  const std::vector<std::vector<int>>& strata() const;
  const std::string& address() const;

  struct State;

 private:
  explicit Node(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace calm::eval
