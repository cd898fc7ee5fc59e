#pragma once

// The state of one evaluator node (eval/evaluator.h's Node::State), internal to
// calm_eval. Its member functions live in one file per job:
//   scans.cpp        naming collections in rule text, reading them (scans, blocks)
//   storage.cpp      storing facts: insertion order, keys, indexes, lattice values
//   joins.cpp        joins (`*`, pairs/lefts/rights/matches/combos/outer, 2011 join),
//                    notin
//   aggregation.cpp  group, argmin/argmax/argagg, Bud's aggregates
//   rules.cpp        a rule's right-hand side (eval_coll), applying rules (<=, <+, <-, <~)
//   timestep.cpp     the timestep driver: bootstrap, strata, semi-naive rounds, channels
//   evaluator.cpp    Node's public API: create (checks, strata), step, contents

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "eval/evaluator.h"
#include "eval/interpreter.h"
#include "eval/lattice.h"
#include "eval/projection.h"
#include "eval/row_table.h"
#include "eval/ruby_text.h"

namespace calm::eval {

namespace detail {

using Premises = std::vector<std::pair<std::string, Tuple>>;

struct CollectionState;

/// A rule's right-hand side as a collection: tuples and (when known) their columns.
struct Relation {
  Schema schema;
  std::vector<Tuple> tuples;
  /// With provenance: the body facts of each tuple (parallel to `tuples`).
  std::vector<Premises> why;
  /// Each tuple holds one plain block result (a rule merging into a lattice).
  bool raw = false;
  /// A join operand read in place: the whole contents of this collection (`tuples` and
  /// `why` stay empty), joined through the collection's maintained indexes.
  CollectionState* coll = nullptr;
  std::string coll_name;
  /// A join operand that is a delta read in place (semi-naive, no provenance): these
  /// stored rows of the collection `coll_name` (`tuples` and `why` stay empty).
  const std::vector<const Tuple*>* refs = nullptr;
};

/// A deferred effect for the next timestep, with the rule that produced it.
struct Pending {
  Tuple tuple;
  int rule = -1;
  int64_t budtime = 0;
  Premises why;
};

/// Columns `cols` of `t` into `k` (nil for a column past its end): a key to look up.
inline void pick_columns(const Tuple& t, const std::vector<size_t>& cols, Tuple& k) {
  k.clear();
  for (size_t c : cols) k.push_back(c < t.size() ? t[c] : Value());
}

inline Tuple columns(const Tuple& t, const std::vector<size_t>& cols) {
  Tuple k;
  k.reserve(cols.size());
  pick_columns(t, cols, k);
  return k;
}

/// `t`, or a tuple of nils with the columns of `schema` for the padding of an outer join.
inline Tuple padded(const Tuple* t, const Schema& schema) {
  return t ? *t : Tuple(schema ? schema->size() : 0);
}

/// Hashes and compares tuples through pointers.
struct TuplePtrHash {
  size_t operator()(const Tuple* t) const { return TupleHash()(*t); }
};
struct TuplePtrEq {
  bool operator()(const Tuple* a, const Tuple* b) const { return *a == *b; }
};

/// What a collection is, from its declaration alone (Node::plan works it out once).
struct CollectionLayout {
  const Collection* decl = nullptr;
  Schema schema;                 ///< nullptr while an inferred schema is unknown
  std::vector<size_t> key_cols;  ///< the key columns, when !all_key
  /// Every column is the key (no `=>` in the declaration). `[] => [:x]` is an empty key:
  /// the collection holds at most one tuple, as in Bud.
  bool all_key = true;
  bool inferred = false;
  std::string lattice;  ///< lattice type, "" for set collections
};

struct CollectionState : CollectionLayout {
  /// The stored tuples: insertion order, the key hash, join indexes (eval/row_table.h).
  RowTable rows;
  /// `<+` (and the insert half of `<+-`) for the next timestep, keyed like Bud's
  /// pending buffer (pending_key); `<-`; the facts whose key `<+-` deletes.
  std::vector<Pending> pending_insert, pending_delete, pending_upsert;
  std::unordered_map<Tuple, size_t, TupleHash> pending_key;
  /// `<~` of this timestep (channels, loopback, stdio), keyed like the collection: sent
  /// once each at the end of the timestep.
  std::vector<Pending> outbox;
  std::unordered_map<Tuple, size_t, TupleHash> outbox_key;
  std::map<Tuple, Derivation> why;  ///< provenance of each tuple
  // Lattice collections: the value (also kept as the one tuple [value]) and `<+` merges.
  Value value, pending_value;
  bool has_pending_value = false;
  int pending_rule = -1;
  /// Whether a deferred effect (`<+ <- <+-`, a lattice's `<+`) waits for the next timestep.
  bool has_pending() const {
    return has_pending_value || !pending_insert.empty() || !pending_delete.empty() ||
           !pending_upsert.empty();
  }
};

inline Schema make_schema(std::vector<std::string> cols) {
  return std::make_shared<const std::vector<std::string>>(std::move(cols));
}

inline bool persistent(CollectionKind k) {
  return k == CollectionKind::Table || k == CollectionKind::Sync || k == CollectionKind::Lattice;
}

inline std::string strip_colon(const std::string& s) { return s.substr(s.rfind(':') + 1); }

/// Whether Ruby's `a <=> b` gives an answer (not nil): equal values, two numbers, two
/// strings, two symbols, or two arrays (tuples) whose first differing elements are
/// comparable. Bud's min/max aggregates and `sort` raise on anything else.
inline bool ruby_comparable(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (Value::ruby_equal(a, b)) return true;
  if (a.is_numeric() && b.is_numeric()) return true;
  if (a.kind() != b.kind()) return false;
  if (a.kind() == K::String || a.kind() == K::Symbol || a.kind() == K::Lattice) return true;
  if (a.kind() != K::Array) return false;
  const auto& x = a.items();
  const auto& y = b.items();
  for (size_t i = 0; i < x.size() && i < y.size(); ++i)
    if (!Value::ruby_equal(x[i], y[i])) return ruby_comparable(x[i], y[i]);
  return true;
}

}  // namespace detail

using namespace detail;

struct NodePlan {
  const Program* program = nullptr;
  /// The options' instance variables, and nil for those rules read and no method assigns.
  std::map<std::string, Value> instance_variables;
  std::vector<CollectionLayout> colls;
  /// "rule at file:line:col" of each rule (by id): names the rule in key conflicts.
  std::vector<std::string> rule_labels;
  std::vector<std::vector<int>> strata;
  std::vector<int> deferred_rules, bootstrap_rules;
  std::set<std::string> in_rules;
  /// No rule, helper or constant reads the clock (budtime, bud_clock, Time) or calls
  /// rand: a timestep is a function of the collections, what is pending and the inputs.
  bool timeless = false;
  /// By rule id: a `<=` rule whose result is a function of the contents of its head and
  /// the collections it names (Rule::refs) alone: it names no clock, no rand, no helper
  /// method, no constant whose value reads one of those or a collection, and prints
  /// nothing (see Node::State::memo_for).
  std::vector<char> memoizable;
};

struct Node::State : CollectionAccess {
  const Program& program;
  NodeOptions options;
  std::shared_ptr<const NodePlan> plan;  ///< what the node was created from
  /// The collections by name, in name order (the timestep walks them so), and hashed by
  /// name for lookups (find_state): a rule names its collections every time it runs.
  std::map<std::string, CollectionState> colls;
  std::unordered_map<std::string_view, CollectionState*> coll_index;
  /// The collections in the order of Program::collections (Node::summary).
  std::vector<const CollectionState*> in_program_order;
  CollectionState* find_state(std::string_view name) const {
    auto it = coll_index.find(name);
    return it == coll_index.end() ? nullptr : it->second;
  }
  /// The collection `name` names (one the rule text resolved); an error if there is none.
  const CollectionState& known_state(const std::string& name) const {
    if (const CollectionState* cs = find_state(name)) return *cs;
    throw EvalError{"calm-eval-error", "unknown collection '" + name + "'", {}};
  }
  std::vector<std::vector<int>> strata;
  std::vector<int> deferred_rules;  ///< <+ <- <+- <~
  std::vector<int> bootstrap_rules;
  int64_t budtime = 0;
  bool failed = false;
  /// The last timestep had no input and nothing pending, and left every collection as it
  /// was, sent, printed and deferred nothing. In a timeless program (NodePlan::timeless)
  /// the next timestep without input would do the same again, so Node::step skips it.
  bool idle_fixpoint = false;
  size_t skipped_steps = 0;
  /// Whether a deferred effect or a loopback message waits for the next timestep.
  bool anything_pending() const;
  std::vector<std::pair<size_t, uint64_t>> summary_before;  ///< scratch for Node::step

  /// The last evaluation of a memoizable `<=` rule (NodePlan::memoizable) on whole
  /// collections: the facts its right-hand side gave, and the contents it read, as the
  /// sequences (RowTable::sequence) of its head and of every collection it names. When
  /// they are the same again, so is the result: apply_merge inserts the kept facts
  /// instead of evaluating the rule. Most rules of a protocol see the same contents from
  /// one timestep to the next (a scratch recomputed from an unchanged table, a join
  /// waiting on a channel). Kept only for results of at most kMemoFacts facts.
  /// What a rule's and a stratum's memo share: the collections read, the key (memo_key)
  /// of the kept result, and when a result is worth keeping.
  struct Memo {
    bool resolved = false;  ///< `inputs` found
    bool usable = false;    ///< every input found
    std::vector<const CollectionState*> inputs;
    bool valid = false;  ///< `key` and the result hold an evaluation
    uint64_t key = 0;
    uint64_t last_key = 0;  ///< of the last evaluation, kept or not
    size_t hits = 0;
    /// Whether the kept result is the one for key `k` (a hit, counted).
    bool serves(uint64_t k) {
      if (!valid || key != k) return false;
      ++hits;
      return true;
    }
    /// After a miss on `k`: forgets the kept result, and tells whether the new one is
    /// worth keeping (likely to be asked for again): the memo has served before, or `k`
    /// came twice in a row. A rule whose inputs change every time (a store taking writes)
    /// so costs a hash of its inputs' sequences, not a copy of its result.
    bool worth_keeping(uint64_t k) {
      valid = false;
      bool worth = hits > 0 || last_key == k;
      last_key = k;
      return worth;
    }
    /// The result now kept is the one for `k`.
    void keep(uint64_t k) {
      key = k;
      valid = true;
    }
  };
  struct RuleMemo : Memo {
    Relation out;               ///< the facts (a rule into a set collection)
    std::vector<Value> values;  ///< the values (a rule into a lattice)
    std::vector<std::pair<const Expr*, const CollectionState*>> sites;  ///< its recording
  };
  static constexpr size_t kMemoFacts = 256;
  std::vector<RuleMemo> memos;  ///< by rule id
  /// The memo of rule `r` when this evaluation may use one: a memoizable rule, on whole
  /// collections (no delta), without provenance; nullptr otherwise.
  RuleMemo* memo_for(const Rule& r);
  /// `eval()` (rule r's right-hand side), or what it gave last time when the memo of `r`
  /// holds it for the current contents; kept in the memo's `slot`. The result is the
  /// memo's own (a hit, or a new result it keeps) or else `scratch`, which the caller may
  /// take from: a hit copies nothing.
  template <typename T, typename F>
  const T& memoized(const Rule& r, T RuleMemo::*slot, F&& eval, T& scratch);
  /// A hash of the sequences (RowTable::sequence) of `inputs`, and of which of them know
  /// their schema.
  static uint64_t memo_key(const std::vector<const CollectionState*>& inputs);

  /// The same for a whole stratum whose rules are all memoizable: the rows each head got
  /// (in order) when every collection the stratum's rules read and write had these
  /// contents. On a hit, run_stratum adds them to the heads instead of running any round.
  /// A stratum that replaced or removed a row of a head (its sequence is then new) keeps
  /// no memo.
  struct StratumMemo : Memo {  // inputs: every head and named collection, once
    std::vector<CollectionState*> heads;
    std::vector<std::vector<Tuple>> added;  ///< by head: the rows it got, in order
    std::vector<Schema> schemas;            ///< by head: its schema after the stratum
  };
  std::vector<StratumMemo> stratum_memos;  ///< by stratum
  StratumMemo* stratum_memo(size_t index);
  void run_rounds(size_t index);
  std::vector<Message> loopback;  ///< `<~` to this node, delivered next step
  const Rule* rule = nullptr;     ///< the rule being evaluated
  TupleSet empty;
  size_t total_facts = 0;  ///< tuples of every collection, elements of lattice values
  // Semi-naive evaluation: where the rule being evaluated scans collections (recorded on
  // its first evaluation in a stratum), and the one scan that reads a delta instead.
  std::vector<std::pair<const Expr*, const CollectionState*>>* recording = nullptr;
  const Expr* delta_site = nullptr;
  /// The collections the stratum being evaluated writes (nullptr: none).
  const std::set<std::string>* stratum_heads = nullptr;
  /// What run_stratum needs of a stratum that does not change between timesteps: the
  /// collections its rules write, and which of its rules may run on deltas (by position).
  struct StratumPlan {
    std::set<std::string> heads;
    std::vector<char> seminaive;
  };
  std::vector<StratumPlan> stratum_plans;  ///< by index in `strata`, made on the first step
  /// Collections some rule of the dataflow (not bootstrap) writes or reads.
  std::set<std::string> in_rules;
  /// The facts the previous round stored, as pointers into their RowTable (stable within
  /// a stratum: rows are only added or replaced in place there).
  const std::vector<const Tuple*>* delta_tuples = nullptr;
  /// While a `<=` rule into a set collection (every column the key) runs without
  /// provenance: the collection and the rule's right-hand side. A join that is the whole
  /// right-hand side skips the results the collection already holds instead of building
  /// them: insert() would drop them.
  /// Where its schema is known, such a join with more new results than a memo keeps
  /// stores them in it itself, already hashed, instead of returning them for apply_merge
  /// to look up again (see eval_join). `merge_added` gets each stored tuple (apply_merge's
  /// `added`), `merge_inserted` counts them.
  CollectionState* merge_target = nullptr;
  const Expr* merge_rhs = nullptr;
  std::vector<const Tuple*>* merge_added = nullptr;
  size_t merge_inserted = 0;
  /// The tuple insert() stored (a merge of lattice columns may differ), in the collection.
  const Tuple* last_inserted = nullptr;

  /// The node's address as a Ruby string (`ip_port`, `@local_addr`).
  Value address_value;
  /// What `puts`/`print` wrote during the current step (blocks write it while the
  /// evaluator reads collections through const accessors).
  mutable std::vector<std::string> printed;
  /// A block compiled for the schemas of its inputs: a whole projection, or else the
  /// prefilter of its leading comparisons (Projection::compile_prefilter), or neither.
  struct CompiledBlock {
    std::vector<Schema> schemas;
    std::optional<Projection> whole, prefilter;
    /// The column equalities of whichever of the two there is.
    std::vector<Projection::ColumnEquality> equalities;
  };
  /// Blocks compiled (or not), by block.
  std::map<const Expr*, CompiledBlock> projections;

  State(const Program& p, NodeOptions o)
      : program(p), options(std::move(o)), address_value(Value::string(options.address)) {
    seed_random();
  }
  /// Seeds `rand` from the options' seed and the address.
  void seed_random() {
    // FNV-1a of the address: the same in every build, so a harness can reproduce it.
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : options.address) h = (h ^ c) * 0x100000001b3ULL;
    random_state = options.random_seed ^ h;
    drew_random = false;
  }

  /// `block` compiled for inputs with these schemas, or nullptr when the interpreter
  /// must run it.
  const Projection* projection(const Expr& block, const std::vector<Schema>& schemas) {
    const CompiledBlock& c = compiled(block, schemas);
    return c.whole ? &*c.whole : nullptr;
  }
  /// For a block the interpreter must run: the comparisons that make it nil for a row
  /// without running it (Projection::compile_prefilter), or nullptr.
  const Projection* prefilter(const Expr& block, const std::vector<Schema>& schemas) {
    const CompiledBlock& c = compiled(block, schemas);
    return c.prefilter ? &*c.prefilter : nullptr;
  }
  const CompiledBlock& compiled(const Expr& block, const std::vector<Schema>& schemas);

  bool prov() const { return options.provenance; }

  SourceLocation loc(const Expr& e) const { return {rule->location.file, e.line, e.column}; }
  Interpreter interp() const {
    return Interpreter(*this, rule->location.file, address_value, budtime, &printed);
  }
  [[noreturn]] void unsupported(const Expr& e, const std::string& what) const {
    throw EvalError{"calm-eval-unsupported", "unsupported construct " + what, loc(e)};
  }
  [[noreturn]] void fail(const Expr& e, const std::string& what) const {
    throw EvalError{"calm-eval-error", what, loc(e)};
  }

  void set_rule(const Rule& r);

  // CollectionAccess
  /// Per rule (by id): where its text names collections ((line, col) -> collection) and
  /// collection_named's answers, kept for the node's life (blocks ask per tuple, rules
  /// run every timestep).
  /// What eval_coll does with one node of a right-hand side, decided on its first
  /// evaluation (plan_coll) from the program alone, then followed every round, timestep
  /// and schedule without the dispatch's name lookups and string compares.
  struct CollPlan {
    enum class Kind : uint8_t {
      Ruby,           ///< eval_ruby(e)
      Scan,           ///< scan_at(e, coll)
      ProductPairs,   ///< eval_join(e, "pairs", e): a product on its own
      Join2011,       ///< eval_join_2011(e, m)
      LatticeBlock,   ///< a block over an lset's elements (coll)
      MapCollection,  ///< map_block(scan_at(*scan, coll), *block, "map")
      Join,           ///< eval_join(e, m, *inner)
      ProductMap,     ///< eval_join(e, "pairs", *inner)
      Join2011Map,    ///< eval_join_2011(*recv, m2, block)
      Flatten,        ///< eval_flatten(e, *recv, block)
      JoinSide,       ///< eval_join_side(e, m, *recv, block)
      MapSelect,      ///< map_block(eval_coll(*recv), *block, how)
      NotIn,          ///< eval_notin(e, eval_coll(*recv))
      Group,          ///< eval_group(e, eval_coll(*recv)), then the block
      Sort,           ///< eval_sort(e, *recv, block)
      EachWithIndex,  ///< eval_each_with_index(*recv, block)
      Rename,         ///< eval_rename(e, *recv, block)
      ArgAgg,         ///< eval_argagg(e, m, eval_coll(*recv)), then the block
      Reduce,         ///< eval_reduce(e, eval_coll(*recv))
      Columns,        ///< eval_columns(e, m, *recv, block)
      Unsupported,    ///< unsupported(e, text)
    };
    Kind kind = Kind::Ruby;
    const Expr* e = nullptr;  ///< the node, parentheses stripped
    const Expr* recv = nullptr;
    const Expr* block = nullptr;
    const Expr* inner = nullptr;  ///< the product of a join; the scanned node of MapCollection
    std::string m;                ///< the method (Join2011Map: the 2011 join's)
    std::string text;             ///< the collection; MapSelect: how; Unsupported: what
    /// Scan, MapCollection: the collection's state on this node (plans are per node).
    CollectionState* cs = nullptr;
  };
  /// A join predicate: column left_col of operand left_op equals column right_col of
  /// operand right_op.
  struct Pred {
    int left_op;
    size_t left_col;
    int right_op;
    size_t right_col;
  };
  struct RuleNames {
    bool ready = false;
    std::map<std::pair<int, int>, std::string> ref_at;
    std::unordered_map<const Expr*, std::string> named;
    std::unordered_map<const Expr*, CollPlan> plans;  ///< eval_coll's, by node
    /// Joins, groups and notins (by call) evaluated once in full: their arguments and the
    /// columns they name were checked, so from then on an empty input is answered at once.
    std::unordered_set<const Expr*> checked;
    /// A join (eval_join, eval_join_2011), by call: its operands' expressions, and the
    /// predicates its arguments name with the operands' schemas they were found for (found
    /// again only when one of those changes).
    struct JoinPlan {
      std::vector<const Expr*> operands;
      bool found = false;
      std::vector<Schema> schemas;
      std::vector<Pred> preds;
    };
    std::unordered_map<const Expr*, JoinPlan> joins;
    /// The state of the collection the rule writes (lhs_state), found on its first run.
    CollectionState* lhs = nullptr;
  };
  mutable std::vector<RuleNames> rule_names;
  /// The entry of `r` in rule_names, or nullptr for a rule from outside the program.
  RuleNames* own_names(const Rule& r) const {
    // Called for every rule run (lhs_state, memo_for, set_rule): kept here to be inlined.
    if (rule_names.empty()) rule_names.resize(program.rules.size());
    bool own = r.id >= 0 && size_t(r.id) < rule_names.size() && &program.rules[size_t(r.id)] == &r;
    return own ? &rule_names[size_t(r.id)] : nullptr;
  }
  /// The state of the collection rule `r` writes.
  CollectionState& lhs_state(const Rule& r) {
    RuleNames* n = own_names(r);
    if (n && n->lhs) return *n->lhs;
    return lhs_state_found(r, n);
  }
  /// lhs_state's first lookup (kept in `n`, the rule's entry, unless nullptr).
  CollectionState& lhs_state_found(const Rule& r, RuleNames* n);
  /// The entry of the rule being evaluated (a rule from outside the program: a spare).
  RuleNames* names = &spare_names;
  RuleNames spare_names;

  const std::string& collection_named(const Expr& e) const override;

  /// `a.b.c` (identifiers joined by argument-less calls) as "a.b.c"; "" for anything else.
  static std::string dotted_name(const Expr& e);

  /// The collection `e` names: `c`, or `alias.c` (`a1.a2.c`) of an import; with
  /// `with_block`, also `alias.c { |t| ... }` (the collection the block maps).
  std::string find_collection_named(const Expr& e, bool with_block = false) const;
  const TupleSet& contents(const std::string& c) const override;
  Schema schema(const std::string& c) const override;
  std::vector<std::string> key_columns(const std::string& c) const override;
  const HelperMethod* helper(const std::string& name) const override;
  const ModuleConstant* constant(const std::string& name) const override;
  const Value* instance_variable(const std::string& name) const override;
  /// splitmix64 state of `rand` (seeded from NodeOptions::random_seed and the address).
  mutable uint64_t random_state = 0;
  /// Whether `rand` was called since the node started (the run then depends on its seed).
  mutable bool drew_random = false;
  double now() const override { return options.time_epoch + double(budtime); }
  uint64_t random53() const override;
  std::map<const Expr*, InvariantCall>* invariant_calls() const override {
    return &invariant_calls_;
  }
  uint64_t contents_key(const std::vector<std::string>& collections) const override;
  mutable std::map<const Expr*, InvariantCall> invariant_calls_;
  const Value* lattice_value(const std::string& c) const override;

  // ---------------------------------------------------------------------------
  // Inserting

  Tuple normalize(CollectionState& cs, Tuple t, const SourceLocation& where) const {
    normalize_in_place(cs, t, where);
    return t;
  }
  /// Pads `t` with nils to the collection's columns; more columns than it has are an error.
  void normalize_in_place(const CollectionState& cs, Tuple& t, const SourceLocation& where) const;

  Tuple key_of(const CollectionState& cs, const Tuple& t) const {
    return cs.all_key ? t : columns(t, cs.key_cols);
  }

  /// Counts facts added (removed: negative) against NodeOptions::max_facts.
  void count_facts(CollectionState& cs, int64_t delta, const SourceLocation& where) {
    total_facts = size_t(int64_t(total_facts) + delta);
    if (delta > 0 && total_facts > options.max_facts) facts_over_limit(cs, where);
  }
  /// Throws the calm-eval-limit error for a node over its fact limit.
  [[noreturn]] void facts_over_limit(const CollectionState& cs, const SourceLocation& where) const;

  /// Two facts of `cs` with one key: Bud merges the lattice values in their non-key
  /// columns; any other difference is a key conflict (thrown).
  Tuple merge_same_key(const CollectionState& cs, const Tuple& old, const Tuple& t,
                       const SourceLocation& where, const std::string& by) const;

  /// Adds `p` to a buffer of one timestep's facts for `cs` (pending `<+`, messages sent
  /// with `<~`, bootstrap inserts), keyed like the collection, as Bud's buffers are
  /// hashes by key: a fact already there is dropped, two facts with one key merge their
  /// lattice columns or raise the key conflict now, when the rule runs (as Bud does).
  /// True when `p` was added.
  bool buffer_add(const CollectionState& cs, std::vector<Pending>& buf,
                  std::unordered_map<Tuple, size_t, TupleHash>& by_key, Pending p,
                  const SourceLocation& where, const std::string& by) const;

  /// Whether insert(cs, t) would find `t` stored and change nothing: a set collection
  /// (every column the key) holding `t` as it is (no padding to the schema needed).
  bool holds(const CollectionState& cs, const Tuple& t) const {
    if (!cs.all_key || !cs.lattice.empty()) return false;
    if (cs.schema && !cs.inferred && t.size() != cs.schema->size()) return false;
    return cs.rows.find(t) != RowTable::npos;
  }
  /// Inserts now; true when the collection changed (a new tuple, or lattice columns of
  /// an existing key merged, as Bud does); the stored tuple is in last_inserted. Throws
  /// on a key conflict.
  bool insert(CollectionState& cs, Tuple t, const SourceLocation& where, const std::string& by,
              const Derivation* d = nullptr);

  /// Stores a new tuple in the collection's rows (at the end of the insertion order, or
  /// at `at`: the place of the tuple it replaces), given its key hash `h`
  /// (RowTable::key_hash_of). Returns where it is stored.
  static const Tuple* place(CollectionState& cs, Tuple&& t, size_t at, uint64_t h);
  /// Stores `t`, a normalized tuple whose key (hash `h`) `cs` lacks, as insert() does: with
  /// its derivation, as last_inserted, counted against the fact limit. Returns it, stored.
  const Tuple* add_new(CollectionState& cs, Tuple&& t, uint64_t h, const SourceLocation& where,
                       const Derivation* d);

  void set_value(CollectionState& cs, Value v);

  /// Merges a value (wrapped like `Klass.new(v)` when plain) into a lattice collection;
  /// true when its value grew.
  bool merge_value(CollectionState& cs, const Value& v, const SourceLocation& where,
                   const Derivation* d);

  void erase(CollectionState& cs, const Tuple& t);

  /// The tuple with the key of `t`, or nullptr.
  const Tuple* find_key(const CollectionState& cs, const Tuple& t) const;

  /// The index of `cs` on `cols`, built on first use.
  const RowTable::Index& index_on(CollectionState& cs, const std::vector<size_t>& cols) {
    return cs.rows.index_on(cols);
  }

  void clear(CollectionState& cs);

  CollectionState& state_of(const std::string& name, const SourceLocation& where);

  // ---------------------------------------------------------------------------
  // Collection expressions

  /// Tuples of a block's results: nil/false dropped, arrays become tuples. With `raw`
  /// (a lattice target) any value but nil is kept as a one-value tuple.
  void add_result(const Expr& where, const Value& v, Relation& out, const Premises* why,
                  bool raw = false) const;

  const Premises* why_of(const Relation& r, size_t i) const {
    return i < r.why.size() ? &r.why[i] : nullptr;
  }

  /// A compiled block's result for one row, added as add_result adds the interpreter's.
  void add_projected(const Projection& p, const Tuple* const* row, const Expr& block, Relation& out,
                     const Premises* why, bool raw) const;

  Relation map_block(const Relation& in, const Expr& block, const std::string& how,
                     bool raw = false);
  /// map_block over a scan of `name` at `site` (scan_at), reading the stored rows (or
  /// the delta) in place instead of a copy of them.
  Relation map_scan(const Expr& site, const std::string& name, const CollectionState& cs,
                    const Expr& block, const std::string& how, bool raw = false);
  /// The loop of map_block and map_scan: `n` rows, row(i) the i-th, why(i) its premises.
  template <typename Row, typename Why>
  Relation map_rows(size_t n, Row row, Why why, const Schema& schema, const Expr& block,
                    std::string_view how, bool raw);

  const Expr* strip_parens(const Expr* e) const;

  Relation scan(const std::string& name) const;

  /// `r`, tuples of collection `name`, with provenance: each tuple is its own premise.
  Relation stored_in(const std::string& name, Relation r) const;

  /// A scan of a collection named at `e`: recorded for semi-naive evaluation, and reading
  /// the delta when `e` is the scan being re-run on new facts.
  Relation scan_at(const Expr& e, const std::string& name, const CollectionState& cs);

  size_t column(const Relation& r, const std::string& col, const Expr& where,
                const std::string& what) const;

  std::vector<const Expr*> args_of(const Expr& call) const;

  /// A column reference in a join predicate: `:col`, or `coll.col` naming an operand.
  std::pair<int, std::string> join_column(const Expr& e, int default_operand,
                                          const std::vector<std::string>& written) const;

  /// The one join operand with column `col` (Bud's find_attr_match); none or several
  /// fail, as they raise in Bud.
  int operand_with(const std::vector<Relation>& ops, const std::vector<std::string>& written,
                   const std::string& col, const Expr& where) const;
  /// The predicates of a join with operands `ops`: those `plan` keeps when they were found
  /// for operands with the same schemas, else `find()`'s, which `plan` then keeps.
  static std::vector<Pred> join_preds(RuleNames::JoinPlan& plan, const std::vector<Relation>& ops,
                                      const std::function<std::vector<Pred>()>& find);

  /// Adds to `preds` the block's comparisons of columns of two operands that must hold
  /// for it to give anything (Projection::column_equalities), where every value in both
  /// columns is nil, a boolean, an integer, a string or a symbol: there Ruby's == is
  /// eql?, so the join's hash lookup finds exactly the rows the block would keep, in the
  /// order it would have made them. `(a * b).pairs { |x, y| [...] if x.k == y.k }` is
  /// then a hash join, not a cross product filtered row by row.
  void push_block_equalities(const Expr& block, const std::vector<Relation>& ops,
                             std::vector<Pred>& preds);

  /// The results of a join, `width` operands per row: each operand's tuple (nullptr for
  /// the nil padding of an outer join) and its index in the operand (-1 for padding; 0
  /// for an operand read in place, whose tuple pointer identifies it).
  struct JoinRows {
    size_t width = 0;
    std::vector<const Tuple*> at;
    std::vector<int> idx;
    size_t size() const { return width ? at.size() / width : 0; }
    const Tuple* const* row(size_t r) const { return at.data() + r * width; }
    const int* row_idx(size_t r) const { return idx.data() + r * width; }
    /// Appends row `r` of `from` (narrower by one) and then one more operand.
    void extend(const JoinRows& from, size_t r, const Tuple* t, int j) {
      at.insert(at.end(), from.row(r), from.row(r) + from.width);
      idx.insert(idx.end(), from.row_idx(r), from.row_idx(r) + from.width);
      at.push_back(t);
      idx.push_back(j);
    }
  };

  /// A join operand: a collection named at `o` is read in place (recorded as a scan for
  /// semi-naive evaluation); the delta scan and any other expression are evaluated.
  Relation operand_at(const Expr& o0);

  static size_t op_size(const Relation& r) {
    return r.coll ? r.coll->rows.size() : r.refs ? r.refs->size() : r.tuples.size();
  }

  /// Tuple `j` of an operand that is not read in place.
  static const Tuple& tuple_at(const Relation& r, size_t j) {
    return r.refs ? *(*r.refs)[j] : r.tuples[j];
  }

  /// The operands' schemas, in order (what a compiled block is compiled for).
  static std::vector<Schema> schemas_of(const std::vector<Relation>& ops) {
    std::vector<Schema> out;
    for (const auto& o : ops) out.push_back(o.schema);
    return out;
  }

  /// Calls f(tuple, index) for each tuple of an operand, in order.
  template <typename F>
  static void each_tuple(const Relation& r, F f) {
    if (r.coll) {  // the index: the tuple's slot in the insertion order
      r.coll->rows.each([&](const Tuple& t, size_t slot) { f(t, int(slot)); });
    } else {
      for (size_t j = 0; j < op_size(r); ++j) f(tuple_at(r, j), int(j));
    }
  }

  /// Joins the operands on the predicates with hash indexes: each result is one tuple
  /// per operand, in operand order. `outer`: a row of the earlier operands that matches
  /// nothing in operand i is kept with a tuple of nils for it (Bud's left outer join).
  /// With `emit` (an inner join), the rows of the general nested-loop order go to it as
  /// they are made instead of into the result, which then holds only the rows a probe of
  /// the first operand's index made (those are sorted into that order first).
  using EmitRow = std::function<void(const Tuple* const* row)>;
  JoinRows join(const std::vector<Relation>& ops, const std::vector<Pred>& preds,
                bool outer = false, const EmitRow* emit = nullptr);

  /// The inner join of two operands on the predicates that link them, without building
  /// its rows: f(a, b) for each pair of tuples, in the order join() makes them. False
  /// (and no call) when no predicate links the two (a cross product, join()'s).
  template <typename F>
  bool join_pairs(const Relation& a, const Relation& b, const std::vector<Pred>& preds, F&& f);

  /// An operand's tuple in a join row as a Ruby value: the tuple with its columns (nils
  /// for padding).
  static Value row_value(const std::vector<Relation>& ops, size_t k, const Tuple* t) {
    return Value::array(padded(t, ops[k].schema), ops[k].schema);
  }

  /// With provenance: the body facts of a join row.
  Premises row_why(const std::vector<Relation>& ops, const JoinRows& rows, size_t r) const;

  std::string written_name(const Expr& o) const;

  /// Predicates joining every pair of operands on their columns of the same name
  /// (`matches`, 2011 `natjoin`).
  void natural_preds(const std::vector<Relation>& ops, const Expr& where,
                     std::vector<Pred>& preds) const;

  /// The rows of a join as the collection expression `m` makes of them: lefts/rights
  /// keep one operand, flatten concatenates the operands' tuples, a block maps each row,
  /// and otherwise a row is an array of tuples.
  Relation join_result(const std::vector<Relation>& ops, const JoinRows& rows, const std::string& m,
                       const Expr* block, bool raw);

  Relation eval_join(const Expr& call, const std::string& m, const Expr& product, bool raw);

  /// Bud pads an outer join's unmatched left tuples once the stratum's fixpoint is done;
  /// a right side that grows during this stratum would need that deferral, which the
  /// evaluator does not do: refused rather than padded too early.
  void check_outer_right(const Expr& call, const Expr& right) const;

  /// 2011 dialect: join [a, b], [a.x, b.y], ...; leftjoin (nil padding); natjoin [a, b]
  /// (on the columns of the same name). With `block`, `join([...]).map(&block)`: the rows
  /// mapped as a block over `(a * b).pairs` maps them.
  Relation eval_join_2011(const Expr& call, const std::string& kind, const Expr* block = nullptr,
                          bool raw = false);

  Relation eval_notin(const Expr& call, const Relation& left);

  std::vector<size_t> group_columns(const Expr& arg, const Relation& in) const;

  Value aggregate(const Expr& where, const std::string& agg, const std::vector<Value>& vals) const;

  /// Tuples grouped on key columns, the groups in the order of their first tuples.
  struct Groups {
    std::vector<Tuple> keys;
    std::vector<std::vector<const Tuple*>> members;
    std::unordered_map<Tuple, size_t, TupleHash> at;
    /// Adds `t` to its group; returns the group's number.
    size_t add(const Tuple& t, const std::vector<size_t>& cols) {
      Tuple k = columns(t, cols);
      auto [it, fresh] = at.try_emplace(k, keys.size());
      if (fresh) {
        keys.push_back(std::move(k));
        members.emplace_back();
      }
      members[it->second].push_back(&t);
      return it->second;
    }
  };

  /// Bud's ChooseOneRand step for the n-th tuple of a group (n >= 2): rand(n) < 1.
  bool draw_first(size_t n) const {
    return ruby_rand(random53(), Value::integer(int64_t(n))).as_int() < 1;
  }

  Relation eval_group(const Expr& call, const Relation& in);

  Relation eval_argagg(const Expr& call, const std::string& m, const Relation& in);

  bool is_lattice(const std::string& c) const;

  /// True when an expression is built on a set-oriented collection (a scan, map, join,
  /// ... of a table, scratch, channel, ...): a lattice on the lhs merges each of its
  /// elements. Otherwise (a lattice, a lattice method, a constructor, a literal) it is one
  /// Ruby value.
  bool set_rooted(const Expr& e0) const;

  /// A Ruby value as a collection: a lattice is revealed, arrays and sets give their
  /// elements, a hash its [key, value] pairs.
  Relation value_relation(const Expr& e, Value v, bool raw) const;

  Relation eval_ruby(const Expr& e, bool raw);

  /// coll.reduce(init) { |memo, t| ... } (and inject): Ruby's fold over the tuples in
  /// sorted order; the result is the rule's collection.
  Relation eval_reduce(const Expr& e, const Relation& in, bool raw);

  /// A rule's right-hand side as a collection. `raw`: the rule merges into a lattice, so
  /// a block's results are kept as plain values.
  Relation eval_coll(const Expr& e0, bool raw = false);
  /// The operator dispatch of eval_coll for `e0`, as a plan (CollPlan).
  CollPlan plan_coll(const Expr& e0) const;
  /// The plan of `e0`, made on first use.
  const CollPlan& plan_of(const Expr& e0);
  // The handlers of rules.cpp that the operator table names (model/bud_operators.h).
  Relation eval_flatten(const Expr& e, const Expr& recv, const Expr* block, bool raw);
  Relation eval_sort(const Expr& e, const Expr& recv, const Expr* block);
  Relation eval_each_with_index(const Expr& recv, const Expr* block, bool raw);
  Relation eval_rename(const Expr& e, const Expr& recv, const Expr* block, bool raw);
  Relation eval_join_side(const Expr& e, const std::string& m, const Expr& recv, const Expr* block,
                          bool raw);
  Relation eval_columns(const Expr& e, const std::string& m, const Expr& recv, const Expr* block,
                        bool raw);

  // ---------------------------------------------------------------------------
  // Timesteps

  /// "rule at file:line:col" (the plan's, made once per rule).
  const std::string& rule_label(const Rule& r) const {
    if (r.id >= 0 && size_t(r.id) < plan->rule_labels.size() && &program.rules[size_t(r.id)] == &r)
      return plan->rule_labels[size_t(r.id)];
    other_label = "rule at " + to_string(r.location);  // a rule from elsewhere
    return other_label;
  }
  mutable std::string other_label;

  Derivation rule_derivation(const Rule& r, Derivation::Kind kind = Derivation::Rule) const;

  /// The values a rule merges into a lattice: each element of a set-oriented rhs, or
  /// the one value of a lattice expression.
  std::vector<Value> lattice_inputs(const Rule& r);

  /// Evaluates a `<=` rule; the tuples that changed the lhs go to `added` (when given).
  /// True when the lhs grew.
  bool apply_merge(const Rule& r, std::vector<const Tuple*>* added = nullptr);

  void apply_deferred(const Rule& r);

  /// The bootstrap rules, as Bud runs them before timestep 0's fixpoint: `<<` inserts at
  /// once, `<=` into the collection's delta and `<+` into its pending buffer, each checked
  /// for key conflicts against its own buffer only. Then a collection with pending facts
  /// takes them instead of its delta (Table#bootstrap: `@delta = @pending`), and the delta
  /// replaces stored facts with the same key (`@storage.merge!(@delta)`): a bootstrap
  /// `<+` is visible at timestep 0, and replaces a `<<` fact with its key. Lattices merge
  /// `<=` and `<+` at once; `<- <+- <~` are deferred as in any rule.
  void run_bootstrap();

  /// Whether MessagePack packs `v` (Bud's wire): nil, booleans, numbers, strings, symbols,
  /// and arrays and hashes of those. Anything else (a Set, a Time, a lattice, a tuple: a
  /// Struct) makes Bud Marshal the whole field, which keeps it as it is.
  static bool packable(const Value& v);

  /// A packable value as MessagePack gives it back: symbols become strings.
  static Value unpacked(const Value& v);

  /// A message's fields as the receiver gets them through Bud's wire (BudChannel#flush):
  /// each field MessagePack packs comes back with its symbols as strings; any other field
  /// is Marshal'd and comes back unchanged.
  static Tuple on_the_wire(Tuple t);

  /// Sends what `<~` put in the outboxes this timestep (Bud's BudChannel#flush): to a
  /// channel's location column, to stdio, or to this node (loopback) at the next step. A
  /// location that is not a string is Bud's "illegal location specifier" error.
  void flush_outboxes(std::vector<Message>& sent);

  /// A semi-naive round's deltas by collection: a stratum writes few collections, so a
  /// short list searched by pointer (no names hashed or compared, no map nodes per round).
  using Deltas = std::vector<std::pair<const CollectionState*, std::vector<const Tuple*>>>;
  /// run_rounds' deltas (the round's, the next round's), kept from one call to the next
  /// emptied but with their storage: most strata run in most timesteps.
  Deltas round_delta, round_next;
  /// run_stratum's record of where each head of a stratum it may memoize ended, and its
  /// sequence, before the stratum ran (kept for their storage, as above).
  std::vector<size_t> memo_ends;
  std::vector<uint64_t> memo_sequences;

  /// Scan sites of each rule, recorded on its first evaluation (semi-naive).
  std::vector<std::vector<std::pair<const Expr*, const CollectionState*>>> sites;

  /// True when a rule may be re-run on deltas only: it writes a set collection and reads
  /// the collections that change in this stratum only through scans and joins (a
  /// membership test in a block, an aggregate or a lattice needs the whole contents).
  bool seminaive_ok(const Rule& r, const std::set<std::string>& changing) const;

  [[noreturn]] void too_many_rounds(const std::vector<int>& rules,
                                    const std::set<std::string>& growing) const;

  void run_stratum(size_t index);  ///< strata[index]

  void begin_step(const StepInput& input);
};

}  // namespace calm::eval
