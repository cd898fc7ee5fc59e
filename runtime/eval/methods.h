#pragma once

// The methods block code may call on a value, as rows: Ruby's methods of plain values
// (Integer, String, Array, Hash, Time, ...; value_methods.cpp) and the methods of Bud's
// built-in lattices (lattice_methods.cpp). The interpreter's call_method finds the row
// and runs it; nothing else in the evaluator names a value method.
//
// The lattice rows are the evaluator's side of the operator table's LatticeMethod rows
// (model/bud_operators.h): a lattice method runs only on types its operator row names
// (monotone_on, plain_on), and on a type the row names but the evaluator does not run it
// (Bud 0.9.9 lacks it, or the row is Refused) it is refused with the reason.
// tests/eval/methods_test.cpp checks both directions.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eval/interpreter.h"
#include "eval/value.h"

namespace calm::eval {

/// The classes of value a row applies to: bits of Value::Kind.
using KindMask = unsigned;
constexpr KindMask kind_bit(Value::Kind k) { return 1u << unsigned(k); }

/// How a row takes a block.
enum class BlockUse {
  None,      ///< a call with a block does not match the row
  Required,  ///< a call without one does not
  Ignored,   ///< either; the block is not called (as Ruby ignores a block it does not yield to)
  Optional,  ///< either; the row calls it when given (`count { ... }`)
};

/// One call of a method on a value: what a row's function sees.
struct MethodCall {
  const Interpreter& in;
  const Expr& at;  ///< the call, for locations
  const Value& self;
  const std::string& name;
  const std::vector<Value>& args;
  const Expr* block;  ///< or nullptr
  Scope& scope;

  size_t n() const { return args.size(); }
  const Value& arg(size_t i) const { return args[i]; }
  Value call(const std::vector<Value>& block_args) const {
    return in.call_block(*block, block_args, scope);
  }
  [[noreturn]] void fail(const std::string& message) const { in.fail(at, message); }
  [[noreturn]] void unsupported(const std::string& what) const { in.unsupported(at, what); }
  Value op(const std::string& o, const Value& a, const Value& b) const {
    return in.arith(at, o, a, b);
  }
};

/// Whether a call's arguments and block fit a row's arity (`max_args` -1: any) and BlockUse.
bool fits_call(int min_args, int max_args, BlockUse block, const MethodCall& c);

/// A method of Ruby's plain values.
struct ValueMethod {
  std::string_view name;
  KindMask on;
  int min_args = 0;
  int max_args = 0;  ///< -1: any number
  BlockUse block = BlockUse::None;
  /// The result, or nullopt when the arguments' classes do not fit this row (then the
  /// call is Ruby's NoMethodError or a refusal, as for a method with no row).
  std::optional<Value> (*run)(const MethodCall&) = nullptr;
};

/// Every row, in the order of value_methods.cpp (the first that fits a call runs).
std::span<const ValueMethod> value_methods();
/// Whether some row has this name (a method calm runs on some class of value).
bool is_value_method(std::string_view name);
/// Runs the first row of `c.name` that fits `c`, or returns nullopt.
std::optional<Value> run_value_method(const MethodCall& c);

/// A method of Bud's built-in lattices.
struct LatticeMethod {
  std::string_view name;
  /// The lattice types it runs on, space-separated ("lmax lmin"); "*" for every built-in
  /// type (lattice_list_names, model/bud_operators.h).
  std::string_view on;
  int min_args = 0;
  int max_args = 0;  ///< -1: any number
  BlockUse block = BlockUse::None;
  Value (*run)(const MethodCall&) = nullptr;
};

/// Every row, in the order of lattice_methods.cpp.
std::span<const LatticeMethod> lattice_methods();
/// Whether a row of `method` runs on lattice `type`.
bool runs_lattice_method(std::string_view type, std::string_view method);
/// A method called on a lattice value (`c.self`): its row, or Bud's error (a method the
/// type does not have: NoMethodError; the wrong arguments: ArgumentError), or a refusal
/// (a method of the operator table that the evaluator does not run). Throws EvalError.
Value run_lattice_method(const MethodCall& c);

}  // namespace calm::eval
