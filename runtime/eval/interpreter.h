#pragma once

// The Ruby subset of rule blocks, evaluated on the program model's Expr trees:
// literals, string interpolation, arrays, hashes, block parameters, tuple fields by
// column name, arithmetic, comparisons, boolean operators, if/unless/case, modifiers,
// ternaries, local assignment and common String/Array/Integer/Hash methods.
// Anything else is refused with a located "calm-eval-unsupported" diagnostic.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "eval/value.h"
#include "model/program.h"

namespace calm::eval {

/// A failed evaluation. Thrown inside the evaluator and turned into a Diagnostic at the
/// Node boundary: it never leaves the library.
struct EvalError {
  DiagnosticId check;  ///< "calm-eval-unsupported", "calm-eval-error", "calm-key-conflict"
  std::string message;
  SourceLocation location;
};

/// The contents of a collection: a set of tuples, in sorted order.
using TupleSet = std::set<Tuple>;

/// A call on a collection with a block that reads nothing but collections, its own
/// blocks' parameters, literals, `budtime` and `ip_port`: `action_cnt.map { |d| [d.a, d.b]
/// if d.c == 'D' }` inside a block run for every row of a join. Its value depends only on
/// the contents of those collections and the timestep, so it is kept with them
/// (CollectionAccess::contents_key) and evaluated again only when they change.
struct InvariantCall {
  bool analysed = false;
  bool invariant = false;
  std::vector<std::string> collections;  ///< the collections it reads
  /// Every name it reads from outside its blocks: a scope that binds one (a local
  /// shadowing a collection) evaluates the call afresh.
  std::vector<std::string> names;
  bool known = false;  ///< `value` is its value for contents `key`
  uint64_t key = 0;
  Value value;
};

/// What block code may see of the evaluator's collections (`x.include?([...])`, ...).
class CollectionAccess {
 public:
  virtual ~CollectionAccess() = default;
  /// The collection a node names (an identifier, or `alias.name` for an imported
  /// module), or "" when it names none.
  virtual const std::string& collection_named(const Expr& e) const = 0;
  virtual const TupleSet& contents(const std::string& collection) const = 0;
  virtual Schema schema(const std::string& collection) const = 0;
  /// The current value of a lattice collection, or nullptr when `collection` is not one.
  virtual const Value* lattice_value(const std::string& collection) const {
    (void)collection;
    return nullptr;
  }
  /// The key columns of a collection (`coll.key_cols`); all columns when it has no values.
  virtual std::vector<std::string> key_columns(const std::string& collection) const {
    Schema s = schema(collection);
    return s ? *s : std::vector<std::string>{};
  }
  /// A helper method (`def`) of the program the rules may call, or nullptr.
  virtual const HelperMethod* helper(const std::string& name) const {
    (void)name;
    return nullptr;
  }
  /// A constant of the program's modules (`QUORUM_SIZE = 3`), or nullptr.
  virtual const ModuleConstant* constant(const std::string& name) const {
    (void)name;
    return nullptr;
  }
  /// The value of an instance variable the node was given (`@server`, set by the
  /// program's `initialize` in Bud), or nullptr.
  virtual const Value* instance_variable(const std::string& name) const {
    (void)name;
    return nullptr;
  }
  /// Where invariant calls are kept from one evaluation to the next (nullptr: within
  /// one Interpreter only), and a key of the contents of `collections` that changes
  /// whenever one of them does (0: not known, the call is evaluated every time).
  virtual std::map<const Expr*, InvariantCall>* invariant_calls() const { return nullptr; }
  virtual uint64_t contents_key(const std::vector<std::string>& collections) const {
    (void)collections;
    return 0;
  }
  /// The next 53 random bits of the node's generator (`rand`; see NodeOptions::random_seed).
  virtual uint64_t random53() const { return 0; }
  /// The node's logical time for Ruby's Time.now / Time.new (NodeOptions::time_epoch plus
  /// the timestep number, in seconds).
  virtual double now() const { return 0.0; }
};

/// Ruby's Kernel#rand(n) from 53 random bits: an Integer in [0, |n|) (a Float n
/// truncated), or a Float in [0, 1) when |n| < 1 or n is nil. The integer is
/// floor(bits * |n| / 2^53), so a harness can reproduce it exactly.
Value ruby_rand(uint64_t bits53, const Value& n);

/// Local variables of a block (parameters and assignments): a handful, so a flat list
/// searched by name (cheaper to build for every block call than a map).
class Scope {
 public:
  using Entry = std::pair<std::string, Value>;
  using iterator = std::vector<Entry>::iterator;
  using const_iterator = std::vector<Entry>::const_iterator;

  iterator find(std::string_view name) {
    return std::find_if(vars_.begin(), vars_.end(),
                        [&](const Entry& e) { return e.first == name; });
  }
  const_iterator find(std::string_view name) const {
    return std::find_if(vars_.begin(), vars_.end(),
                        [&](const Entry& e) { return e.first == name; });
  }
  iterator end() { return vars_.end(); }
  const_iterator end() const { return vars_.end(); }
  size_t count(std::string_view name) const { return find(name) == end() ? 0 : 1; }
  size_t size() const { return vars_.size(); }
  void reserve(size_t n) { vars_.reserve(n); }
  /// The variable `name`, added as nil when absent.
  Value& operator[](std::string_view name) {
    if (auto it = find(name); it != end()) return it->second;
    return vars_.emplace_back(std::string(name), Value()).second;
  }

 private:
  std::vector<Entry> vars_;
};

/// The largest single value the evaluator builds (bytes of a string or symbol,
/// elements of an array, hash or set): beyond it a step fails with calm-eval-limit,
/// as `max_facts` bounds the facts of a node (docs/evaluator.md).
inline constexpr size_t kMaxValueSize = size_t(1) << 22;

class Interpreter {
 public:
  /// `file` locates errors; `local_addr` answers `@local_addr` and `ip_port`;
  /// `budtime` is the current timestep. What `puts` and `print` write is appended to
  /// `output` (dropped when it is null).
  Interpreter(const CollectionAccess& collections, std::string file, Value local_addr,
              int64_t budtime, std::vector<std::string>* output = nullptr);

  /// Evaluates an expression. Throws EvalError.
  Value eval(const Expr& e, Scope& scope) const;
  /// Calls a `block`/`do_block` node. With several parameters and one array argument,
  /// the array is spread over the parameters (Ruby block semantics). Throws EvalError.
  Value call_block(const Expr& block, const std::vector<Value>& args, const Scope& outer) const;

  SourceLocation locate(const Expr& e) const { return {file_, e.line, e.column}; }
  [[noreturn]] void unsupported(const Expr& e, const std::string& what) const;
  [[noreturn]] void fail(const Expr& e, const std::string& message) const;
  /// Refuses (calm-eval-limit, located at `e`) a value larger than kMaxValueSize.
  void check_size(const Expr& e, size_t size, const char* what) const;
  void check_size(const Expr& e, const Value& v) const;
  /// `recv.m(args) { block }` on a value: a tuple's field, or a row of eval/methods.h
  /// (Ruby's methods, a lattice's); otherwise refused or Ruby's NoMethodError.
  Value call_method(const Expr& e, const Value& recv, const std::string& m,
                    const std::vector<Value>& args, const Expr* block, Scope& scope) const;
  /// Ruby's binary operator `op` (arithmetic, comparison, equality) on two values.
  Value arith(const Expr& e, const std::string& op, const Value& a, const Value& b) const;

 private:
  Value eval_call(const Expr& e, Scope& scope) const;
  Value eval_binary(const Expr& e, Scope& scope) const;
  Value eval_sequence(const Expr& e, Scope& scope) const;
  /// A collection used as a value inside a block: an Array of its tuples (with their
  /// columns), in sorted order.
  Value collection_value(const std::string& coll) const;
  /// Ruby's `fmt % args` (Kernel#format); a bad format or argument fails at `e`.
  Value format(const Expr& e, const std::string& fmt, const std::vector<Value>& args) const;
  void bind(const Expr& param, const Value& v, Scope& scope) const;
  Value call_helper(const Expr& at, const HelperMethod& h, const std::vector<Value>& args) const;
  /// A Time `seconds` after 1970; a located error (`what`: time out of range) outside
  /// Value::time_in_range.
  Value time_at(const Expr& e, const std::string& what, double seconds) const;

  /// The analysis of `e` (a `call` with a receiver and a block), made on first use.
  InvariantCall& invariant_of(const Expr& e) const;
  /// Whether `x` reads only what an InvariantCall may read, with `params` the parameters
  /// of the blocks around it inside the call; the names it reads from outside go to `x`.
  bool reads_only_collections(const Expr& x, std::vector<std::string>& params,
                              InvariantCall& call) const;
  Value eval_call_now(const Expr& e, Scope& scope) const;
  /// Analyses and values of invariant calls, when no CollectionAccess keeps them.
  mutable std::map<const Expr*, InvariantCall> own_invariants_;

  const CollectionAccess& collections_;
  std::string file_;
  Value local_addr_;
  int64_t budtime_;
  std::vector<std::string>* output_;
  int depth_ = 0;  ///< helper calls in progress (recursion guard)
};

/// Punctuation and keywords of the syntax tree that carry no value (`,`, `(`, `|`,
/// `do`, `end`, an operator token, ...): skipped when reading a node's parts.
bool is_punct(const Expr& e);

/// Collection-level methods the evaluator implements on a rule's right-hand side.
bool is_collection_method(const std::string& method);

/// `Bud::MaxLattice` written as a scope resolution: the lattice type ("lmax"), or "".
std::string lattice_class_type(const Expr& e);

/// Checks statically that every node of a right-hand side is in the supported subset;
/// adds one "calm-eval-unsupported" error per unsupported construct. A call of one of
/// `helpers` is accepted and the helper's body checked (once) the same way, and so is a
/// constant of `constants` and its value. Instance variables other than Bud's own
/// (`@local_addr`, `@ip_port`, `@budtime`) must be among `instance_variables`. Returns
/// true when there is none. `alias.c { |t| ... }` is accepted when "alias.c" is the end
/// of one of `collections` (a collection of an imported module, mapped).
bool check_supported(const Expr& rhs, const std::string& file, Diagnostics& diags,
                     const std::vector<HelperMethod>& helpers = {},
                     const std::vector<ModuleConstant>& constants = {},
                     const std::map<std::string, Value>& instance_variables = {},
                     const std::set<std::string>& collections = {});

}  // namespace calm::eval
