#pragma once

// Fault injection for Molly-dialect Dedalus programs (docs/verify.md, "Fault
// injection"): Molly's failure model and invariant, and its lineage-driven search.
//
// Model (`--eot N --eff M --crashes K`): runs end at time N; any message between two
// different nodes sent before time M may be lost; up to K nodes may crash (fail-stop:
// from their crash time on they send nothing). Invariant (Molly's convention): every
// `post` tuple of the failure-free run at EOT must hold at EOT in a faulty run, unless
// the same tuple is not in that run's `pre` either.
//
// Search: the failure-free run gives, for every `post` tuple, the alternative sets of
// messages its derivations rest on (eval::Lineage). A fault set can falsify the tuple
// only if it drops a message of every alternative: the candidates are the minimal
// hitting sets (each message dropped by an omission, if sent before M, or by crashing its
// sender at or before its send time, within K crashes). Each candidate is run; a run
// that still satisfies the invariant may have derived `post` differently (retries), so
// its lineage yields new candidates that extend its faults. The search stops at the
// first violation or when no candidate is left. Brute force (every fault set) is the
// fallback when the lineage was truncated and the space is small.
//
// Negative support (Molly's, to any depth): a derivation that needed `notin q` at time T
// also rests on every tuple of a predicate q depends on, stored before T (or at T when
// every chain of rules to q is same-timestep): losing any of them might make q true and
// so undo the derivation. Those tuples' own derivations, negative support included, are
// followed in turn.

#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "eval/dedalus_engine.h"
#include "frontend/dedalus/molly_dialect.h"

namespace calm::verify {

struct FaultModel {
  int eot = 6;
  int eff = 3;
  int crashes = 0;
  std::vector<std::string> nodes;
  size_t max_runs = 5000;
  bool brute_force = false;      ///< enumerate every fault set instead (small spaces only)
  bool negative_support = true;  ///< follow `notin` atoms (Molly's possible causes)
};

struct FaultSearchResult {
  bool counterexample = false;
  bool complete = true;    ///< false: max_runs cut the search short
  std::string strategy;    ///< "lineage" or "brute force"
  size_t runs = 0;         ///< runs made, the failure-free one included
  double fault_space = 0;  ///< Molly's gross estimate of the number of fault sets
  eval::Faults faults;     ///< the counterexample's faults
  /// The `post` tuples the counterexample misses (with `pre` holding).
  std::vector<eval::DTuple> missing;
  std::string provenance;  ///< how the first missing tuple was derived without faults
  /// Tuples of the predicates that the first missing tuple's derivations needed absent
  /// (`notin`), present at that time in the counterexample ("disagree(\"t1\")@7"): why a
  /// derivation that needed no lost message is gone.
  std::vector<std::string> now_true;
  std::vector<eval::DTuple> good;  ///< `post` at EOT without faults
  eval::DRun failure_free;
  std::optional<eval::DRun> failing;
};

/// Molly's gross estimate of the fault space (FailureSpec.grossEstimate).
double fault_space_size(const FaultModel& m);

/// Nullopt, with diagnostics, when the program cannot run or has no `post`.
std::optional<FaultSearchResult> search_faults(const dedalus::MProgram& p, const FaultModel& m,
                                               Diagnostics& diags);

}  // namespace calm::verify
