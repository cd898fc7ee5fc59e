#pragma once

// The evaluator of Molly-dialect Dedalus (docs/dedalus.md, "Running"): one global
// database with a time column, evaluated timestep by timestep from 1 to the end of time
// (EOT). At each timestep: the facts stamped with it, the `@next` heads derived one step
// earlier and the `@async` messages delivered now enter; the deductive rules run to a
// fixpoint, stratum by stratum (`notin` and aggregates read completed strata); then the
// `@next` and `@async` rules fire into the next timestep.
//
// A rule runs where its location is (the first column of its first body atom), and only
// if that is a node. An `@async` head is a message from there to the node its first
// column names, delivered one timestep later unless the fault model drops it: sent on a
// lost channel-time (an omission), or by a node that crashed at or before the send time.
// A crashed node keeps computing locally and keeps receiving (Molly's model: it can no
// longer send). Messages to oneself are never lost.
//
// Every tuple keeps its derivations (its provenance graph): the body tuples each rule
// firing used, the message that delivered it, the nodes a `notin crash(...)` needed
// alive, and the other `notin` atoms it needed false (the fault search follows those
// through Molly's negative support: verify/fault_search.h).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "base/diagnostic.h"
#include "model/dedalus_program.h"

namespace calm::eval {

using DValue = std::variant<long long, std::string>;
using DTuple = std::vector<DValue>;

std::string to_string(const DValue& v);
std::string to_string(const std::string& pred, const DTuple& t);

/// A channel at a send time: every message From -> To sent then. With `to` empty, a
/// lineage mark "From never crashes" (a `notin crash(_, From, _)` the tuple rests on).
struct ChannelTime {
  std::string from, to;
  int time = 0;
  auto operator<=>(const ChannelTime&) const = default;
};

struct Faults {
  std::set<ChannelTime> omissions;  ///< lost (from != to)
  std::map<std::string, int>
      crashes;  ///< node -> crash time (fail-stop: sends nothing from then on)
  auto operator<=>(const Faults&) const = default;
  bool empty() const { return omissions.empty() && crashes.empty(); }
  /// Whether a message on `c` is dropped.
  bool drops(const ChannelTime& c) const;
};

std::string to_string(const Faults& f);

struct RunSpec {
  int eot = 3;
  std::vector<std::string> nodes;
  Faults faults;
  size_t derivation_cap = 64;  ///< derivations kept per tuple
};

struct Premise {
  std::string pred;
  DTuple tuple;
  int time = 0;
  auto operator<=>(const Premise&) const = default;
};

/// One way a tuple was derived: the body tuples it used, the absent tuples it needed,
/// and the faults that could undo it directly (ids into DRun::channels): the message that delivered
/// it, and the nodes a `notin crash(_, N, _)` needed alive.
struct DDerivation {
  std::vector<Premise> premises;
  std::vector<int> leaves;
  /// The `notin` atoms the firing needed false (built-ins aside): the predicate and the
  /// time it was read at, the tuple left empty. Molly's negative support: the fault
  /// search takes every tuple that could lead to one of these as support too.
  std::vector<Premise> negatives;
  auto operator<=>(const DDerivation&) const = default;
};

struct DFact {
  int rule = -1;  ///< index into MProgram::rules of the first derivation; -1: built-in
  std::vector<DDerivation> derivations;  ///< every derivation (up to the cap), first found first
  int sent_at = 0;                       ///< for a delivered message: the send time
};

struct DMessage {
  std::string pred;
  DTuple tuple;
  ChannelTime channel;
  bool delivered = true;
};

struct DRun {
  int eot = 0;
  std::vector<std::map<std::string, std::map<DTuple, DFact>>> at;  ///< index: time (0 unused)
  std::vector<ChannelTime> channels;                               ///< lineage ids
  std::vector<DMessage> messages;                                  ///< every send, from != to
  bool truncated = false;  ///< some tuple had more derivations than the cap

  /// The tuples of `pred` at time `t` (empty when none).
  std::vector<DTuple> table(const std::string& pred, int t) const;
  const DFact* find(const std::string& pred, const DTuple& t, int time) const;
};

/// The nodes of a program: the string constants written in first columns of facts and
/// heads, sorted.
std::vector<std::string> default_nodes(const dedalus::MProgram& p);

/// Runs `p`. Nullopt, with a located diagnostic, when the deductive rules cannot be
/// stratified (a `notin` or aggregate inside a recursive cycle within one timestep).
std::optional<DRun> run_dedalus(const dedalus::MProgram& p, const RunSpec& spec,
                                Diagnostics& diags);

/// The derivation tree of a tuple, one line per premise, indented.
std::string explain(const dedalus::MProgram& p, const DRun& run, const std::string& pred,
                    const DTuple& t, int time, int max_lines = 40);

}  // namespace calm::eval
