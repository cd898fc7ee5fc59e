#pragma once

// The one table of Bud's operators and methods: what each is called on, how many
// arguments it takes, the reference context a collection read through it gets (and so
// whether the analyses call it monotone, and why), and which evaluator handler runs it.
// Every layer reads these rows: the Bud front end (reference_classifier, bud_reader),
// the dependency graph (lattice methods), the coordination analysis (key arguments),
// and the evaluator (eval_coll's dispatch, the interpreter's method lists, aggregates).
// To change how `group` behaves, start at its row in bud_operators.cpp: it says how the
// analyses see it and names the evaluator function that runs it.
// tests/model/bud_operators_test.cpp runs every row's example through the analysis and
// the evaluator and checks that they agree with the row.

#include <span>
#include <string_view>

#include "model/program.h"

namespace calm {

enum class OperatorKind {
  CollectionMethod,  ///< called on a collection expression: `link.group(...)`
  JoinMethod,        ///< called on a product `(a * b)`: `pairs`, `matches`, ...; and the
                     ///< 2011 `join [...]` forms (no receiver)
  Aggregate,         ///< an aggregate named in group/argagg: `count`, `sum(:x)`, ...
  LatticeMethod,     ///< called on a lattice: `m.gt(3)`, `s.size`
};

/// The evaluator code that runs a row (runtime/eval/).
enum class EvalHandler {
  Refused,        ///< the evaluator refuses it with calm-eval-unsupported (`why` says why)
  Map,            ///< scans.cpp map_block: map/pro/collect/flat_map/filter_map
  Select,         ///< scans.cpp map_block: select/filter/find_all (keep) and reject (drop)
  Columns,        ///< rules.cpp eval_columns: keys/values/payloads
  Rename,         ///< rules.cpp eval_rename
  Sort,           ///< rules.cpp eval_sort
  EachWithIndex,  ///< rules.cpp eval_each_with_index
  Join,           ///< joins.cpp eval_join: the methods of a product (`lefts`/`rights` of
                  ///< join rows, `(a * b).matches.lefts`: rules.cpp eval_join_side)
  Flatten,        ///< rules.cpp eval_flatten: concatenated join rows
  Join2011,       ///< joins.cpp eval_join_2011: `join [a, b], ...`, natjoin, leftjoin
  NotIn,          ///< joins.cpp eval_notin
  Group,          ///< aggregation.cpp eval_group
  ArgAgg,         ///< aggregation.cpp eval_argagg
  Reduce,         ///< rules.cpp eval_reduce
  Aggregate,      ///< aggregation.cpp aggregate: one aggregate function over a group
  InBlock,        ///< interpreter.cpp: Ruby inside a block (`coll.include?(x)`, `coll[k]`)
  Ruby,           ///< interpreter.cpp: the collection as a Ruby array, then Array's method
  Lattice,        ///< interpreter.cpp lattice_method / lattice.cpp
};

/// Which arguments name the columns that decide the result (for coordination advice).
enum class KeyArgs {
  None,
  FirstArray,   ///< group([:k], ...), argmin([:k], :v)
  SecondArray,  ///< argagg(:min, [:k], :v)
  HashPairs,    ///< notin(b, :x => :y), pairs(:x => :y): the left sides
};

struct BudOperator {
  std::string_view name;
  OperatorKind kind;
  int min_args = 0;
  int max_args = 0;  ///< -1: any number
  /// The context a collection read through it gets (collection and join methods): Scan
  /// for methods a collection flows through unchanged in monotonicity.
  RefContext context = RefContext::Scan;
  bool monotone = true;
  /// Lattice methods: the lattice types on which it is monotone (Bud's `morph` and
  /// `monotone` declarations), space-separated; never on a user-defined lattice.
  std::string_view monotone_on;
  EvalHandler handler = EvalHandler::Refused;
  KeyArgs keys = KeyArgs::None;
  std::string_view why;      ///< why it is (not) monotone; for Refused, why it is refused
  std::string_view example;  ///< a rule using it (tests/model/bud_operators_test.cpp)
  /// Lattice methods: the lattice types on which it is a plain (non-monotone) method,
  /// Bud's `def`; "*" for every built-in type. calm knows a lattice method on the types of
  /// monotone_on and plain_on; on any other type it is Bud's NoMethodError. The evaluator
  /// runs it where Bud 0.9.9 has it and refuses it (saying why) where only calm's
  /// analysis knows it (eval/methods.h).
  std::string_view plain_on;
};

/// Every row, in the order of bud_operators.cpp.
std::span<const BudOperator> bud_operators();

/// The row for `name` of this kind, or nullptr.
const BudOperator* find_bud_operator(std::string_view name, OperatorKind kind);

/// True when some row of this kind has the name.
inline bool is_bud_operator(std::string_view name, OperatorKind kind) {
  return find_bud_operator(name, kind) != nullptr;
}

/// Bud's built-in lattice types.
inline constexpr std::string_view kBuiltinLattices = "lmax lmin lbool lset lpset lbag lmap";

/// Whether a space-separated list of lattice types ("lmax lmin"; "*": every built-in
/// type) names `type`.
bool lattice_list_names(std::string_view list, std::string_view type);

/// True when `method` on a lattice of type `lattice` ("lmax", "lset", ...) is monotone.
bool is_monotone_lattice_method(std::string_view lattice, std::string_view method);

/// True when calm knows `method` on lattice type `lattice` (a row names the type in
/// monotone_on or plain_on; `inspect` and `to_s` are Object's and not rows).
bool lattice_has_method(std::string_view lattice, std::string_view method);

const char* to_string(EvalHandler h);

}  // namespace calm
