#pragma once

// Blocks that only rearrange their inputs, compiled once so that the evaluator builds
// their results without the interpreter: `{ |l, p| [l.from, p.to] }` over a join,
// `{ |t| [t.key, t.val, 1] }` or `{ |k, v| [v, k] }` over one collection, and blocks of
// one term such as `{ |m| m.payload }`, each optionally guarded by comparisons of two terms
// (`[x.from, z.from] if z.to == x.from`, `!=`, several joined by `and` or `&&`, one under
// `unless`). A term is a column of an input (by name or `[i]`), a whole input tuple, a
// literal, `budtime`, `ip_port` or `@local_addr`. Given the node's collections, a guard
// may also test membership (`unless members.include?([k.client])`) and a term may be a
// nested array, an element of a column's value (`c.payload[0]`) or a field of a tuple a
// column holds (`g.reqid`); decides() tells the rows those terms cannot answer. Any other
// block returns nullopt from Projection::compile and the interpreter runs it, so the two
// never disagree on what they both accept: a compiled block gives the tuple the
// interpreter would build.
//
// A block the interpreter must run may still start with such comparisons: `do |a, b| if
// a.session == b.session and a.n > b.n and f(a) ... end end` gives nil wherever one of its
// leading comparisons is false. Projection::compile_prefilter compiles those, so that the
// interpreter runs only for the rows that pass them (a cross product of the 2011 dialect's
// `join [a, a, b]` filtered by its block is mostly rows that fail the first comparison).

#include <functional>
#include <optional>
#include <vector>

#include "eval/interpreter.h"
#include "eval/value.h"
#include "model/program.h"

namespace calm::eval {

class Projection {
 public:
  /// Compiles `block` (a `block`/`do_block` node) for rows of `inputs.size()` tuples with
  /// these schemas (nullptr: columns unknown). One input is a scanned tuple, bound to a
  /// single parameter or spread over several; several inputs are a join row, one tuple
  /// per parameter. `names_collection` tells whether an expression names a collection
  /// (such an `x.y` is left to the interpreter). nullopt: not a plain projection.
  ///
  /// With `collections`, a guard may also test membership in a collection: `[...]
  /// unless members.include?([m.peer])` (the interpreter's include? on a collection: the
  /// tuple among its contents), read from `collections` when the block runs. A term may
  /// index a column's value (`c.payload[0]`): where that value is not an Array the
  /// compiled block cannot decide the row (decides()), and the caller runs the
  /// interpreter on it.
  static std::optional<Projection> compile(const Expr& block, const std::vector<Schema>& inputs,
                                           const std::function<bool(const Expr&)>& names_collection,
                                           const CollectionAccess* collections = nullptr);

  /// For a block compile() refuses: its result is nil unless the leading conjuncts of its
  /// condition hold (a body of one `if` without `else`, or `... if c`, whose condition is
  /// `c1 and c2 and ...`). Compiles the longest prefix of those conjuncts that compare two
  /// terms: `==` and `!=` (Ruby's ==, which never raises), and `<`, `<=`, `>`, `>=`,
  /// decided here only between two integers (other values are left to the interpreter,
  /// which may raise). Then accepts() is false only for rows the block answers with nil,
  /// and the caller runs the interpreter for the others; apply() and value() must not be
  /// called. nullopt: the block has no such prefix.
  static std::optional<Projection> compile_prefilter(
      const Expr& block, const std::vector<Schema>& inputs,
      const std::function<bool(const Expr&)>& names_collection);

  /// False when the block's guard (`... if a == b`) fails for this row: the block gives
  /// nil, and apply()/apply_into() must not be called. For a prefilter, false when one of
  /// its comparisons is false before any it cannot decide.
  bool accepts(const Tuple* const* row, int64_t budtime, const Value& address) const;

  /// Whether the compiled block decides this row: false when a term indexes a value that
  /// is not an Array (a String, a Hash, nil: the interpreter's to answer, or to raise
  /// for), or reads a field of a value that is no tuple with that column (`g.reqid` of a
  /// join row's tuple). Always true without such terms (has_items()).
  bool decides(const Tuple* const* row, int64_t budtime, const Value& address) const;
  bool has_items() const { return has_items_; }
  /// Whether a guard reads a collection's contents (`members.include?([...])`).
  bool reads_collections() const;

  /// True when the block is an array literal: apply() gives its elements. Otherwise the
  /// block is one term and value() gives it (the caller decides what a non-array means).
  bool is_array() const { return array_; }

  /// The elements of an array block's result for one row: `row[k]` is input k's tuple
  /// (nullptr for the nil padding of an outer join). `budtime` and `address` answer
  /// those names.
  Tuple apply(const Tuple* const* row, int64_t budtime, const Value& address) const;
  /// apply() into `out`, reusing its storage.
  void apply_into(const Tuple* const* row, int64_t budtime, const Value& address, Tuple& out) const;
  /// The result of a block of one term (or of an array block, as an array).
  Value value(const Tuple* const* row, int64_t budtime, const Value& address) const;

  /// How many elements an array block's result has.
  size_t width() const { return terms_.size(); }

  /// A term that is a column of an input: input `input`'s column `column` (from the end
  /// when negative, as Ruby's t[-1]).
  struct ColumnPick {
    size_t input;
    int64_t column;
  };
  /// For an array block whose every element is a column of an input (`{ |l, p| [l.from,
  /// p.to] }`, guarded or not), its elements; empty for any other block. A caller may
  /// then hash and compare a row's result without building it (column_at gives each
  /// value; nil where it gives nullptr), once accepts() holds for the row where the block
  /// has guards.
  std::vector<ColumnPick> column_picks() const;
  bool has_guards() const { return !guards_.empty(); }
  /// Column `k` of input tuple `in` (counted from its end when negative), or nullptr past
  /// its end or for a missing input (an outer join's padding).
  static const Value* column_at(const Tuple* in, int64_t k) {
    const int64_t n = in ? int64_t(in->size()) : 0;
    if (k < 0) k += n;
    return k >= 0 && k < n ? &(*in)[size_t(k)] : nullptr;
  }

  /// A comparison `x.c == y.d` of columns of two different inputs that must hold for the
  /// block to give anything but nil: one among the block's leading comparisons, none of
  /// which can raise (== and != only, up to the first ordering). A join may take it as a
  /// predicate where Ruby's == and eql? agree on the columns' values.
  struct ColumnEquality {
    size_t left_input, left_column, right_input, right_column;
  };
  std::vector<ColumnEquality> column_equalities() const;

 private:
  struct Term {
    /// Array: an array literal of `parts`; Item: element `column` of the value of
    /// parts[0] (an Array, which decides() checks); Field: the column `name` of the
    /// value of parts[0] (a tuple with such a column, which decides() checks).
    enum Kind { Column, Whole, Constant, Budtime, Address, Array, Item, Field };
    Kind kind = Constant;
    size_t input = 0;
    int64_t column = 0;  ///< negative: from the end, as Ruby's t[-1]
    Value constant;
    std::vector<Term> parts;
    std::string name;
  };
  bool term_decides(const Term& t, const Tuple* const* row, int64_t budtime,
                    const Value& address) const;
  Value term(const Term& t, const Tuple* const* row, int64_t budtime, const Value& address) const;

  struct Guard {
    /// Member, NotMember: `left` (an Array term) is (is not) a tuple of `collection`.
    enum Op { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, Member, NotMember };
    Term left, right;
    Op op = Equal;
    std::string collection;
  };
  class Compiler;
  bool array_ = true;
  bool has_items_ = false;
  /// Every term is a column of an input (apply_into's fast path).
  bool only_columns_ = false;
  const CollectionAccess* collections_ = nullptr;
  /// Conjuncts, in the order Ruby evaluates them; all must hold.
  std::vector<Guard> guards_;
  std::vector<Term> terms_;
  std::vector<Schema> schemas_;
};

}  // namespace calm::eval
