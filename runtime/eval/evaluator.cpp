#include "eval/evaluator.h"

#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "eval/lattice.h"
#include "eval/projection.h"
#include "eval/ruby_text.h"
#include "graph/dependency_graph.h"

namespace calm::eval {

namespace {

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
};

/// A deferred effect for the next timestep, with the rule that produced it.
struct Pending {
  Tuple tuple;
  int rule = -1;
  int64_t budtime = 0;
  Premises why;
};

/// Columns `cols` of `t` into `k` (nil for a column past its end): a key to look up.
void pick_columns(const Tuple& t, const std::vector<size_t>& cols, Tuple& k) {
  k.clear();
  for (size_t c : cols) k.push_back(c < t.size() ? t[c] : Value());
}

Tuple columns(const Tuple& t, const std::vector<size_t>& cols) {
  Tuple k;
  k.reserve(cols.size());
  pick_columns(t, cols, k);
  return k;
}

/// `t`, or a tuple of nils with the columns of `schema` for the padding of an outer join.
Tuple padded(const Tuple* t, const Schema& schema) {
  return t ? *t : Tuple(schema ? schema->size() : 0);
}

/// A hash index of a collection's tuples on some columns, kept up to date as tuples are
/// inserted and erased (the pointers are the nodes of CollectionState::tuples).
struct TupleIndex {
  /// A stored tuple and its place in the collection's insertion order (its slot in
  /// CollectionState::order: join rows sort by it without looking the tuple up).
  struct Entry {
    const Tuple* tuple;
    int slot;
  };
  std::vector<size_t> cols;
  std::unordered_map<Tuple, std::vector<Entry>, TupleHash> map;

  /// Each list is in insertion order (the collection's order, CollectionState::order).
  void add(const Tuple* t, size_t slot) { map[columns(*t, cols)].push_back({t, int(slot)}); }
  void remove(const Tuple* t) {
    auto it = map.find(columns(*t, cols));
    if (it == map.end()) return;
    auto& v = it->second;
    std::erase_if(v, [t](const Entry& e) { return e.tuple == t; });
    if (v.empty()) map.erase(it);
  }
};

/// Hashes and compares tuples through pointers (the nodes of CollectionState::tuples).
struct TuplePtrHash {
  size_t operator()(const Tuple* t) const { return TupleHash()(*t); }
};
struct TuplePtrEq {
  bool operator()(const Tuple* a, const Tuple* b) const { return *a == *b; }
};

struct CollectionState {
  const Collection* decl = nullptr;
  Schema schema;                 ///< nullptr while an inferred schema is unknown
  std::vector<size_t> key_cols;  ///< the key columns, when !all_key
  /// Every column is the key (no `=>` in the declaration). `[] => [:x]` is an empty key:
  /// the collection holds at most one tuple, as in Bud.
  bool all_key = true;
  bool inferred = false;
  TupleSet tuples;
  /// The tuples again, hashed, for collections without key columns: most derived facts
  /// are already there, and a hash lookup rejects them faster than the ordered set.
  std::unordered_set<const Tuple*, TuplePtrHash, TuplePtrEq> members;
  /// Each stored tuple's place in `order`, by address (a cheap hash).
  std::unordered_map<const Tuple*, size_t> slot;
  /// The tuples in the order they were stored, as Bud's Ruby hashes keep them (a tuple
  /// that replaces another of the same key takes its place; nullptr: erased). Scans read
  /// this order, so an aggregate whose result depends on its input's order (a sum of
  /// strings, bool_and, accum, choose) folds in the order Bud does.
  std::vector<const Tuple*> order;
  size_t holes = 0;
  /// Key -> tuple, for collections with key columns (empty key_cols: the set itself).
  std::unordered_map<Tuple, Tuple, TupleHash> by_key;
  /// Join indexes on column lists, built on first use and maintained incrementally.
  std::vector<std::unique_ptr<TupleIndex>> indexes;
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
  std::string lattice;  ///< lattice type, "" for set collections
  Value value, pending_value;
  bool has_pending_value = false;
  int pending_rule = -1;
};

Schema make_schema(std::vector<std::string> cols) {
  return std::make_shared<const std::vector<std::string>>(std::move(cols));
}

bool persistent(CollectionKind k) {
  return k == CollectionKind::Table || k == CollectionKind::Sync || k == CollectionKind::Lattice;
}

std::string strip_colon(const std::string& s) { return s.substr(s.rfind(':') + 1); }

/// Whether Ruby's `a <=> b` gives an answer (not nil): equal values, two numbers, two
/// strings, two symbols, or two arrays (tuples) whose first differing elements are
/// comparable. Bud's min/max aggregates and `sort` raise on anything else.
bool ruby_comparable(const Value& a, const Value& b) {
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

}  // namespace

struct Node::State : CollectionAccess {
  const Program& program;
  NodeOptions options;
  std::map<std::string, CollectionState> colls;
  std::vector<std::vector<int>> strata;
  std::vector<int> deferred_rules;  ///< <+ <- <+- <~
  std::vector<int> bootstrap_rules;
  int64_t budtime = 0;
  bool failed = false;
  std::vector<Message> loopback;                      ///< `<~` to this node, delivered next step
  const Rule* rule = nullptr;                         ///< the rule being evaluated
  std::map<std::pair<int, int>, std::string> ref_at;  ///< (line, col) -> collection
  TupleSet empty;
  size_t total_facts = 0;  ///< tuples of every collection, elements of lattice values
  // Semi-naive evaluation: where the rule being evaluated scans collections (recorded on
  // its first evaluation in a stratum), and the one scan that reads a delta instead.
  std::vector<std::pair<const Expr*, std::string>>* recording = nullptr;
  const Expr* delta_site = nullptr;
  /// The collections the stratum being evaluated writes.
  std::set<std::string> stratum_heads;
  /// Collections some rule of the dataflow (not bootstrap) writes or reads.
  std::set<std::string> in_rules;
  const std::vector<Tuple>* delta_tuples = nullptr;
  /// The tuple insert() stored (a merge of lattice columns may differ), in the collection.
  const Tuple* last_inserted = nullptr;

  /// The node's address as a Ruby string (`ip_port`, `@local_addr`).
  Value address_value;
  /// What `puts`/`print` wrote during the current step (blocks write it while the
  /// evaluator reads collections through const accessors).
  mutable std::vector<std::string> printed;
  /// Blocks compiled to projections (or not), by block and the schemas they were
  /// compiled for.
  std::map<const Expr*, std::pair<std::vector<Schema>, std::optional<Projection>>> projections;

  State(const Program& p, NodeOptions o)
      : program(p), options(std::move(o)), address_value(Value::string(options.address)) {
    // FNV-1a of the address: the same in every build, so a harness can reproduce it.
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : options.address) h = (h ^ c) * 0x100000001b3ULL;
    random_state = options.random_seed ^ h;
  }

  /// `block` compiled for inputs with these schemas, or nullptr when the interpreter
  /// must run it.
  const Projection* projection(const Expr& block, const std::vector<Schema>& schemas) {
    auto it = projections.find(&block);
    if (it == projections.end() || it->second.first != schemas) {
      auto compiled = Projection::compile(
          block, schemas, [this](const Expr& e) { return !collection_named(e).empty(); });
      it = projections.insert_or_assign(&block, std::make_pair(schemas, std::move(compiled))).first;
    }
    return it->second.second ? &*it->second.second : nullptr;
  }

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

  void set_rule(const Rule& r) {
    rule = &r;
    ref_at.clear();
    named_cache.clear();
    for (const auto& ref : r.refs)
      if (colls.count(ref.collection))
        ref_at[{ref.location.line, ref.location.column}] = ref.collection;
  }

  // CollectionAccess
  /// collection_named's answers for the rule being evaluated (blocks ask per tuple).
  mutable std::unordered_map<const Expr*, std::string> named_cache;

  std::string collection_named(const Expr& e) const override {
    auto [it, fresh] = named_cache.try_emplace(&e);
    if (fresh) it->second = find_collection_named(e);
    return it->second;
  }

  /// `a.b.c` (identifiers joined by argument-less calls) as "a.b.c"; "" for anything else.
  static std::string dotted_name(const Expr& e) {
    if (e.type == "identifier") return e.text;
    if (e.type != "call" || e.child("arguments") || e.child("block")) return "";
    const Expr* recv = e.child("receiver");
    const Expr* m = e.child("method");
    if (!recv || !m) return "";
    std::string r = dotted_name(*recv);
    return r.empty() ? "" : r + "." + m->text;
  }

  /// The collection `e` names: `c`, or `alias.c` (`a1.a2.c`) of an import; with
  /// `with_block`, also `alias.c { |t| ... }` (the collection the block maps).
  std::string find_collection_named(const Expr& e, bool with_block = false) const {
    auto at = ref_at.find({e.line, e.column});
    if (e.type == "identifier") {
      if (at != ref_at.end() && (at->second == e.text || at->second.ends_with("." + e.text) ||
                                 at->second.ends_with("::" + e.text)))
        return at->second;
      return colls.count(e.text) ? e.text : "";
    }
    if (e.type == "call" && !e.child("arguments") && (!e.child("block") || with_block)) {
      const Expr* recv = e.child("receiver");
      const Expr* m = e.child("method");
      if (!recv || !m) return "";
      std::string r = dotted_name(*recv);
      if (r.empty()) return "";
      if (at != ref_at.end() && at->second.ends_with("." + m->text)) return at->second;
      std::string q = r + "." + m->text;
      return colls.count(q) ? q : "";
    }
    return "";
  }
  const TupleSet& contents(const std::string& c) const override {
    auto it = colls.find(c);
    return it == colls.end() ? empty : it->second.tuples;
  }
  Schema schema(const std::string& c) const override {
    auto it = colls.find(c);
    return it == colls.end() ? nullptr : it->second.schema;
  }
  std::vector<std::string> key_columns(const std::string& c) const override {
    auto it = colls.find(c);
    if (it == colls.end() || !it->second.schema) return {};
    if (it->second.all_key) return *it->second.schema;
    std::vector<std::string> out;
    for (size_t i : it->second.key_cols) out.push_back((*it->second.schema)[i]);
    return out;
  }
  const HelperMethod* helper(const std::string& name) const override {
    for (const auto& h : program.helpers)
      if (h.name == name) return &h;
    return nullptr;
  }
  const ModuleConstant* constant(const std::string& name) const override {
    for (const auto& c : program.constants)
      if (c.name == name) return &c;
    return nullptr;
  }
  const Value* instance_variable(const std::string& name) const override {
    auto it = options.instance_variables.find(name);
    return it == options.instance_variables.end() ? nullptr : &it->second;
  }
  /// splitmix64 state of `rand` (seeded from NodeOptions::random_seed and the address).
  mutable uint64_t random_state = 0;
  double now() const override { return options.time_epoch + double(budtime); }
  uint64_t random53() const override {
    uint64_t z = (random_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return z >> 11;
  }
  const Value* lattice_value(const std::string& c) const override {
    auto it = colls.find(c);
    return it == colls.end() || it->second.lattice.empty() ? nullptr : &it->second.value;
  }

  // ---------------------------------------------------------------------------
  // Inserting

  Tuple normalize(CollectionState& cs, Tuple t, const SourceLocation& where) const {
    if (cs.schema && !cs.inferred) {
      size_t n = cs.schema->size();
      if (t.size() > n)
        throw EvalError{"calm-eval-error",
                        "fact " + inspect(t) + " has more columns than '" + cs.decl->name + "' (" +
                            std::to_string(n) + ")",
                        where};
      t.resize(n);  // Bud pads missing columns with nil
    }
    return t;
  }

  Tuple key_of(const CollectionState& cs, const Tuple& t) const {
    return cs.all_key ? t : columns(t, cs.key_cols);
  }

  void count_facts(CollectionState& cs, int64_t delta, const SourceLocation& where) {
    total_facts = size_t(int64_t(total_facts) + delta);
    if (delta > 0 && total_facts > options.max_facts)
      throw EvalError{
          "calm-eval-limit",
          "the node holds more than " + std::to_string(options.max_facts) +
              " facts (NodeOptions::max_facts): '" + cs.decl->name + "' grew to " +
              std::to_string(cs.lattice.empty() ? cs.tuples.size() : lattice_size(cs.value)) +
              (cs.lattice.empty() ? " facts" : " elements"),
          where};
  }

  /// Two facts of `cs` with one key: Bud merges the lattice values in their non-key
  /// columns; any other difference is a key conflict (thrown).
  Tuple merge_same_key(const CollectionState& cs, const Tuple& old, const Tuple& t,
                       const SourceLocation& where, const std::string& by) const {
    Tuple merged = old;
    bool mergeable = merged.size() == t.size();
    for (size_t i = 0; mergeable && i < t.size(); ++i) {
      if (merged[i] == t[i]) continue;
      if (merged[i].is_lattice() && t[i].is_lattice() &&
          merged[i].lattice_type() == t[i].lattice_type()) {
        try {
          merged[i] = lattice_merge(merged[i], t[i]);
        } catch (const LatticeError& le) {
          throw EvalError{"calm-eval-error", le.message + " (" + by + ")", where};
        }
      } else {
        mergeable = false;
      }
    }
    if (!mergeable)
      throw EvalError{"calm-key-conflict",
                      "key conflict in '" + cs.decl->name + "': key " + inspect(key_of(cs, t)) +
                          " has " + inspect(old) + " and " + inspect(t) + " (" + by + ")",
                      where};
    return merged;
  }

  /// Adds `p` to a buffer of one timestep's facts for `cs` (pending `<+`, messages sent
  /// with `<~`, bootstrap inserts), keyed like the collection, as Bud's buffers are
  /// hashes by key: a fact already there is dropped, two facts with one key merge their
  /// lattice columns or raise the key conflict now, when the rule runs (as Bud does).
  /// True when `p` was added.
  bool buffer_add(const CollectionState& cs, std::vector<Pending>& buf,
                  std::unordered_map<Tuple, size_t, TupleHash>& by_key, Pending p,
                  const SourceLocation& where, const std::string& by) const {
    Tuple k = key_of(cs, p.tuple);
    auto it = by_key.find(k);
    if (it == by_key.end()) {
      by_key.emplace(std::move(k), buf.size());
      buf.push_back(std::move(p));
      return true;
    }
    Pending& old = buf[it->second];
    if (old.tuple == p.tuple) return false;
    old.tuple = merge_same_key(cs, old.tuple, p.tuple, where, by);
    return false;
  }

  /// Inserts now; true when the collection changed (a new tuple, or lattice columns of
  /// an existing key merged, as Bud does); the stored tuple is in last_inserted. Throws
  /// on a key conflict.
  bool insert(CollectionState& cs, Tuple t, const SourceLocation& where, const std::string& by,
              const Derivation* d = nullptr) {
    if (!cs.lattice.empty()) {
      Value v = t.size() == 1 ? t[0] : Value::array(t);
      return merge_value(cs, v, where, d);
    }
    t = normalize(cs, std::move(t), where);
    if (cs.all_key) {
      // Every column is the key: a tuple already there is this one.
      if (cs.members.count(&t)) return false;
      const Tuple* stored = place(cs, std::move(t));
      if (prov() && d) cs.why[*stored] = *d;
      last_inserted = stored;
      count_facts(cs, 1, where);
      return true;
    }
    Tuple k = key_of(cs, t);
    auto it = cs.by_key.find(k);
    if (it != cs.by_key.end()) {
      if (it->second == t) return false;
      Tuple merged = merge_same_key(cs, it->second, t, where, by);
      if (merged == it->second) return false;
      size_t at = SIZE_MAX;
      if (auto old = cs.tuples.find(it->second); old != cs.tuples.end()) at = unplace(cs, old);
      cs.why.erase(it->second);
      it->second = merged;
      const Tuple* stored = place(cs, merged, at);
      if (prov() && d) cs.why[merged] = *d;
      last_inserted = stored;
      return true;
    }
    cs.by_key.emplace(std::move(k), t);
    if (prov() && d) cs.why[t] = *d;
    const Tuple* stored = place(cs, std::move(t));
    last_inserted = stored;
    count_facts(cs, 1, where);
    return true;
  }

  /// Stores a new tuple: in the ordered set, the hashed members, the insertion order (at
  /// the end, or at `at`: the place of the tuple it replaces) and every join index.
  /// Returns where it is stored.
  static const Tuple* place(CollectionState& cs, Tuple t, size_t at = SIZE_MAX) {
    const Tuple* stored = &*cs.tuples.insert(std::move(t)).first;
    if (at < cs.order.size() && !cs.order[at]) {
      cs.order[at] = stored;
      --cs.holes;
    } else {
      at = cs.order.size();
      cs.order.push_back(stored);
    }
    if (cs.all_key) cs.members.insert(stored);
    cs.slot.emplace(stored, at);
    for (auto& ix : cs.indexes) ix->add(stored, at);
    return stored;
  }

  /// Removes the stored tuple at `it` from everything place() put it in; returns its
  /// place in the insertion order (left empty until compacted or refilled).
  static size_t unplace(CollectionState& cs, TupleSet::iterator it) {
    for (auto& ix : cs.indexes) ix->remove(&*it);
    size_t at = SIZE_MAX;
    if (auto m = cs.slot.find(&*it); m != cs.slot.end()) {
      at = m->second;
      cs.order[at] = nullptr;
      ++cs.holes;
      cs.slot.erase(m);
    }
    cs.members.erase(&*it);
    cs.tuples.erase(it);
    return at;
  }

  /// Drops the erased places of the insertion order once they are most of it.
  static void compact_order(CollectionState& cs) {
    if (cs.holes < 64 || cs.holes * 2 < cs.order.size()) return;
    size_t n = 0;
    for (const Tuple* t : cs.order)
      if (t) {
        cs.slot[t] = n;
        cs.order[n++] = t;
      }
    cs.order.resize(n);
    cs.holes = 0;
    cs.indexes.clear();  // their slots moved: rebuilt on their next use
  }

  void set_value(CollectionState& cs, Value v) {
    int64_t before = cs.tuples.empty() ? 0 : int64_t(lattice_size(cs.value));
    cs.value = std::move(v);
    cs.tuples.clear();
    cs.tuples.insert(Tuple{cs.value});
    cs.indexes.clear();
    total_facts = size_t(int64_t(total_facts) - before);
    count_facts(cs, int64_t(lattice_size(cs.value)), {});
  }

  /// Merges a value (wrapped like `Klass.new(v)` when plain) into a lattice collection;
  /// true when its value grew.
  bool merge_value(CollectionState& cs, const Value& v, const SourceLocation& where,
                   const Derivation* d) {
    if (v.is_nil()) return false;
    Value merged;
    try {
      merged = lattice_merge(cs.value, v);
    } catch (const LatticeError& le) {
      throw EvalError{"calm-eval-error", le.message + " (merging into '" + cs.decl->name + "')",
                      where};
    }
    if (merged == cs.value) return false;
    cs.why.clear();
    set_value(cs, std::move(merged));
    if (prov() && d) cs.why[Tuple{cs.value}] = *d;
    last_inserted = &*cs.tuples.begin();
    return true;
  }

  void erase(CollectionState& cs, const Tuple& t) {
    auto it = cs.tuples.find(t);
    if (it == cs.tuples.end()) return;
    if (!cs.all_key) cs.by_key.erase(key_of(cs, t));
    cs.why.erase(t);
    unplace(cs, it);
    compact_order(cs);
    --total_facts;
  }

  /// The tuple with the key of `t`, or nullptr.
  const Tuple* find_key(const CollectionState& cs, const Tuple& t) const {
    if (cs.all_key) {
      auto it = cs.tuples.find(t);
      return it == cs.tuples.end() ? nullptr : &*it;
    }
    auto it = cs.by_key.find(key_of(cs, t));
    return it == cs.by_key.end() ? nullptr : &it->second;
  }

  /// The index of `cs` on `cols`, built on first use.
  const TupleIndex& index_on(CollectionState& cs, const std::vector<size_t>& cols) {
    for (auto& ix : cs.indexes)
      if (ix->cols == cols) return *ix;
    auto ix = std::make_unique<TupleIndex>();
    ix->cols = cols;
    for (size_t i = 0; i < cs.order.size(); ++i)
      if (cs.order[i]) ix->add(cs.order[i], i);
    cs.indexes.push_back(std::move(ix));
    return *cs.indexes.back();
  }

  void clear(CollectionState& cs) {
    total_facts -= cs.tuples.size();
    cs.tuples.clear();
    cs.members.clear();
    cs.slot.clear();
    cs.order.clear();
    cs.holes = 0;
    cs.by_key.clear();
    for (auto& ix : cs.indexes) ix->map.clear();
    cs.why.clear();
  }

  CollectionState& state_of(const std::string& name, const SourceLocation& where) {
    auto it = colls.find(name);
    if (it == colls.end())
      throw EvalError{"calm-eval-error", "unknown collection '" + name + "'", where};
    return it->second;
  }

  // ---------------------------------------------------------------------------
  // Collection expressions

  /// Tuples of a block's results: nil/false dropped, arrays become tuples. With `raw`
  /// (a lattice target) any value but nil is kept as a one-value tuple.
  void add_result(const Expr& where, const Value& v, Relation& out, const Premises* why,
                  bool raw = false) const {
    if (raw) {
      if (v.is_nil()) return;
      out.raw = true;
      out.tuples.push_back({v});
    } else {
      if (!v.truthy()) return;
      if (!v.is_array()) fail(where, "the block returned " + v.inspect() + ", not an array");
      out.tuples.push_back(v.items());
    }
    if (prov()) out.why.push_back(why ? *why : Premises{});
  }

  const Premises* why_of(const Relation& r, size_t i) const {
    return i < r.why.size() ? &r.why[i] : nullptr;
  }

  /// A compiled block's result for one row, added as add_result adds the interpreter's.
  void add_projected(const Projection& p, const Tuple* const* row, const Expr& block, Relation& out,
                     const Premises* why, bool raw) const {
    if (!p.is_array() || raw) {
      add_result(block, p.value(row, budtime, address_value), out, why, raw);
      return;
    }
    out.tuples.push_back(p.apply(row, budtime, address_value));
    if (prov()) out.why.push_back(why ? *why : Premises{});
  }

  Relation map_block(const Relation& in, const Expr& block, const std::string& how,
                     bool raw = false) {
    Relation out;
    if (how == "map" || how == "pro" || how == "collect") {
      if (const Projection* proj = projection(block, {in.schema})) {
        for (size_t i = 0; i < in.tuples.size(); ++i) {
          const Tuple* row = &in.tuples[i];
          add_projected(*proj, &row, block, out, why_of(in, i), raw);
        }
        return out;
      }
    }
    Interpreter ip = interp();
    for (size_t i = 0; i < in.tuples.size(); ++i) {
      const Tuple& t = in.tuples[i];
      Value r = ip.call_block(block, {Value::array(t, in.schema)}, {});
      if (how == "flat_map") {
        if (!r.truthy()) continue;
        if (!r.is_array()) fail(block, "flat_map block returned " + r.inspect() + ", not an array");
        for (const auto& x : r.items()) add_result(block, x, out, why_of(in, i), raw);
      } else if (how == "select" || how == "reject") {
        if (r.truthy() == (how == "select")) {
          out.tuples.push_back(t);
          if (prov()) out.why.push_back(in.why.empty() ? Premises{} : in.why[i]);
        }
      } else {
        add_result(block, r, out, why_of(in, i), raw);
      }
    }
    if (how == "select" || how == "reject") out.schema = in.schema;
    return out;
  }

  const Expr* strip_parens(const Expr* e) const {
    while (e && e->type == "parenthesized_statements") {
      const Expr* inner = nullptr;
      for (const auto& c : e->children)
        if (c.type != "(" && c.type != ")") inner = inner ? nullptr : &c;
      if (!inner) return e;
      e = inner;
    }
    return e;
  }

  Relation scan(const std::string& name) const {
    const auto& cs = colls.at(name);
    if (!cs.lattice.empty()) return of_tuples(name, cs.schema, cs.tuples);
    Relation r{cs.schema, {}, {}, false};
    r.tuples.reserve(cs.order.size() - cs.holes);
    for (const Tuple* t : cs.order)
      if (t) r.tuples.push_back(*t);
    return stored_in(name, std::move(r));
  }

  template <typename Tuples>
  Relation of_tuples(const std::string& name, Schema schema, const Tuples& tuples) const {
    return stored_in(name, Relation{std::move(schema), {tuples.begin(), tuples.end()}, {}, false});
  }

  /// `r`, tuples of collection `name`, with provenance: each tuple is its own premise.
  Relation stored_in(const std::string& name, Relation r) const {
    if (prov())
      for (const auto& t : r.tuples) r.why.push_back({{name, t}});
    return r;
  }

  /// A scan of a collection named at `e`: recorded for semi-naive evaluation, and reading
  /// the delta when `e` is the scan being re-run on new facts.
  Relation scan_at(const Expr& e, const std::string& name) {
    if (recording) recording->push_back({&e, name});
    if (&e == delta_site) return of_tuples(name, colls.at(name).schema, *delta_tuples);
    return scan(name);
  }

  size_t column(const Relation& r, const std::string& col, const Expr& where,
                const std::string& what) const {
    if (!r.schema)
      fail(where, "cannot find column '" + col + "' of " + what + ": its columns are unknown");
    auto it = std::find(r.schema->begin(), r.schema->end(), col);
    if (it == r.schema->end()) fail(where, what + " has no column '" + col + "'");
    return size_t(it - r.schema->begin());
  }

  std::vector<const Expr*> args_of(const Expr& call) const {
    std::vector<const Expr*> out;
    if (const Expr* a = call.child("arguments"))
      for (const auto& c : a->children)
        if (c.type != "(" && c.type != ")" && c.type != ",") out.push_back(&c);
    return out;
  }

  /// A column reference in a join predicate: `:col`, or `coll.col` naming an operand.
  std::pair<int, std::string> join_column(const Expr& e, int default_operand,
                                          const std::vector<std::string>& written) const {
    if (e.type == "simple_symbol") return {default_operand, strip_colon(e.text)};
    if (e.type == "call" && e.child("receiver") && e.child("method") && !e.child("arguments")) {
      const Expr* recv = e.child("receiver");
      // A self-join (`(t1 * t1).pairs(t1.x => t1.y)`) names one collection twice: the
      // key is the first operand and the value the second, as in Bud.
      if (default_operand >= 0 && size_t(default_operand) < written.size() &&
          written[size_t(default_operand)] == recv->text)
        return {default_operand, e.child("method")->text};
      for (size_t i = 0; i < written.size(); ++i)
        if (written[i] == recv->text) return {int(i), e.child("method")->text};
    }
    unsupported(e, "join predicate '" + e.type + "' (use :col or collection.col)");
  }

  /// The one join operand with column `col` (Bud's find_attr_match); none or several
  /// fail, as they raise in Bud.
  int operand_with(const std::vector<Relation>& ops, const std::vector<std::string>& written,
                   const std::string& col, const Expr& where) const {
    int found = -1;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (!ops[i].schema)
        fail(where,
             "cannot find column '" + col + "': operand " + written[i] + " has unknown columns");
      if (std::find(ops[i].schema->begin(), ops[i].schema->end(), col) == ops[i].schema->end())
        continue;
      if (found >= 0)
        fail(where, "ambiguous attribute :" + col + " in both " + written[size_t(found)] + " and " +
                        written[i]);
      found = int(i);
    }
    if (found < 0) fail(where, "attribute :" + col + " not found in any operand of the join");
    return found;
  }

  struct Pred {
    int left_op;
    size_t left_col;
    int right_op;
    size_t right_col;
  };

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
  Relation operand_at(const Expr& o0) {
    const Expr& o = *strip_parens(&o0);
    std::string c = collection_named(o);
    if (c.empty() || is_lattice(c) || &o == delta_site) return eval_coll(o);
    if (recording) recording->push_back({&o, c});
    auto& cs = colls.at(c);
    Relation r;
    r.schema = cs.schema;
    r.coll = &cs;
    r.coll_name = c;
    return r;
  }

  static size_t op_size(const Relation& r) {
    return r.coll ? r.coll->tuples.size() : r.tuples.size();
  }

  /// Calls f(tuple, index) for each tuple of an operand, in order.
  template <typename F>
  static void each_tuple(const Relation& r, F f) {
    if (r.coll) {  // the index: the tuple's slot in the insertion order
      const auto& order = r.coll->order;
      for (size_t i = 0; i < order.size(); ++i)
        if (order[i]) f(*order[i], int(i));
    } else {
      for (size_t j = 0; j < r.tuples.size(); ++j) f(r.tuples[j], int(j));
    }
  }

  /// Puts join rows in the order of the nested-loop join (operand 0 first; a collection
  /// read in place in its insertion order).
  static void sort_rows(JoinRows& rows) {
    // Each operand's index in a row is its tuple's index in the operand, or for a
    // collection read in place its slot in the insertion order (-1: outer padding).
    std::vector<size_t> order(rows.size());
    for (size_t r = 0; r < order.size(); ++r) order[r] = r;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return std::lexicographical_compare(rows.row_idx(a), rows.row_idx(a) + rows.width,
                                          rows.row_idx(b), rows.row_idx(b) + rows.width);
    });
    JoinRows sorted;
    sorted.width = rows.width;
    sorted.at.reserve(rows.at.size());
    sorted.idx.reserve(rows.idx.size());
    for (size_t r : order) {
      sorted.at.insert(sorted.at.end(), rows.row(r), rows.row(r) + rows.width);
      sorted.idx.insert(sorted.idx.end(), rows.row_idx(r), rows.row_idx(r) + rows.width);
    }
    rows = std::move(sorted);
  }

  /// Joins the operands on the predicates with hash indexes: each result is one tuple
  /// per operand, in operand order. `outer`: a row of the earlier operands that matches
  /// nothing in operand i is kept with a tuple of nils for it (Bud's left outer join).
  JoinRows join(const std::vector<Relation>& ops, const std::vector<Pred>& preds,
                bool outer = false) {
    auto links = [&](size_t i) {
      // Predicates linking operand i to an earlier one.
      std::vector<std::pair<size_t, std::pair<int, size_t>>> link;  // col of i, (op, col)
      for (const auto& p : preds) {
        if (p.right_op == int(i) && p.left_op < int(i))
          link.push_back({p.right_col, {p.left_op, p.left_col}});
        else if (p.left_op == int(i) && p.right_op < int(i))
          link.push_back({p.left_col, {p.right_op, p.right_col}});
      }
      return link;
    };
    // The columns of operand i that predicates link to earlier operands.
    auto own_columns = [](const auto& link) {
      std::vector<size_t> cols;
      for (const auto& l : link) cols.push_back(l.first);
      return cols;
    };
    Tuple k;  // the probe key, reused
    if (ops.size() == 2 && !outer && ops[0].coll && op_size(ops[1]) < op_size(ops[0])) {
      // A small right side against a collection read in place: probe the collection's
      // index with each right tuple instead of scanning the collection.
      auto link = links(1);
      if (!link.empty()) {
        std::vector<size_t> cols0, cols1 = own_columns(link);
        for (const auto& l : link) cols0.push_back(l.second.second);
        const TupleIndex& ix = index_on(*ops[0].coll, cols0);
        JoinRows rows;
        rows.width = 2;
        each_tuple(ops[1], [&](const Tuple& t, int j) {
          pick_columns(t, cols1, k);
          auto it = ix.map.find(k);
          if (it == ix.map.end()) return;
          for (const auto& [p, slot] : it->second) {
            rows.at.push_back(p);
            rows.idx.push_back(slot);
            rows.at.push_back(&t);
            rows.idx.push_back(j);
          }
        });
        sort_rows(rows);
        return rows;
      }
    }
    JoinRows acc;
    acc.width = 1;
    each_tuple(ops[0], [&](const Tuple& t, int j) {
      acc.at.push_back(&t);
      acc.idx.push_back(j);
    });
    for (size_t i = 1; i < ops.size(); ++i) {
      auto link = links(i);
      auto probe_key = [&](size_t r) {
        k.clear();
        for (const auto& l : link) {
          const Tuple* t = acc.row(r)[size_t(l.second.first)];
          k.push_back(t && l.second.second < t->size() ? (*t)[l.second.second] : Value());
        }
      };
      JoinRows next;
      next.width = i + 1;
      const std::vector<size_t> cols = own_columns(link);
      if (ops[i].coll) {
        const TupleIndex& ix = index_on(*ops[i].coll, cols);
        for (size_t r = 0; r < acc.size(); ++r) {
          probe_key(r);
          auto it = ix.map.find(k);
          if (it == ix.map.end()) {
            if (outer) next.extend(acc, r, nullptr, -1);
            continue;
          }
          for (const auto& [p, slot] : it->second) next.extend(acc, r, p, slot);
        }
      } else {
        std::unordered_map<Tuple, std::vector<size_t>, TupleHash> index;
        for (size_t j = 0; j < ops[i].tuples.size(); ++j) {
          pick_columns(ops[i].tuples[j], cols, k);
          index[k].push_back(j);
        }
        for (size_t r = 0; r < acc.size(); ++r) {
          probe_key(r);
          auto it = index.find(k);
          if (it == index.end()) {
            if (outer) next.extend(acc, r, nullptr, -1);
            continue;
          }
          for (size_t j : it->second) next.extend(acc, r, &ops[i].tuples[j], int(j));
        }
      }
      acc = std::move(next);
    }
    return acc;
  }

  /// An operand's tuple in a join row as a Ruby value: the tuple with its columns (nils
  /// for padding).
  static Value row_value(const std::vector<Relation>& ops, size_t k, const Tuple* t) {
    return Value::array(padded(t, ops[k].schema), ops[k].schema);
  }

  /// With provenance: the body facts of a join row.
  Premises row_why(const std::vector<Relation>& ops, const JoinRows& rows, size_t r) const {
    Premises p;
    if (!prov()) return p;
    for (size_t k = 0; k < rows.width; ++k) {
      const Tuple* t = rows.row(r)[k];
      int j = rows.row_idx(r)[k];
      if (ops[k].coll) {
        if (t) p.push_back({ops[k].coll_name, *t});
      } else if (j >= 0 && size_t(j) < ops[k].why.size()) {
        const auto& w = ops[k].why[size_t(j)];
        p.insert(p.end(), w.begin(), w.end());
      }
    }
    return p;
  }

  std::string written_name(const Expr& o) const {
    return o.type == "identifier" ? o.text
           : o.type == "call" && o.child("receiver") && o.child("method")
               ? o.child("receiver")->text + "." + o.child("method")->text
               : "";
  }

  /// Predicates joining every pair of operands on their columns of the same name
  /// (`matches`, 2011 `natjoin`).
  void natural_preds(const std::vector<Relation>& ops, const Expr& where,
                     std::vector<Pred>& preds) const {
    for (size_t i = 0; i < ops.size(); ++i)
      for (size_t j = i + 1; j < ops.size(); ++j) {
        if (!ops[i].schema || !ops[j].schema) fail(where, "a natural join needs known columns");
        for (size_t a = 0; a < ops[i].schema->size(); ++a) {
          auto it = std::find(ops[j].schema->begin(), ops[j].schema->end(), (*ops[i].schema)[a]);
          if (it != ops[j].schema->end())
            preds.push_back({int(i), a, int(j), size_t(it - ops[j].schema->begin())});
        }
      }
  }

  /// The rows of a join as the collection expression `m` makes of them: lefts/rights
  /// keep one operand, flatten concatenates the operands' tuples, a block maps each row,
  /// and otherwise a row is an array of tuples.
  Relation join_result(const std::vector<Relation>& ops, const JoinRows& rows, const std::string& m,
                       const Expr* block, bool raw) {
    Relation out;
    auto tuple_of = [&](size_t r, size_t k) { return padded(rows.row(r)[k], ops[k].schema); };
    if (m == "lefts" || m == "rights") {
      size_t pick = m == "lefts" ? 0 : ops.size() - 1;
      out.schema = ops[pick].schema;
      for (size_t r = 0; r < rows.size(); ++r) {
        out.tuples.push_back(tuple_of(r, pick));
        if (prov()) out.why.push_back(row_why(ops, rows, r));
      }
      return block ? map_block(out, *block, "map", raw) : out;
    }
    if (m == "flatten") {
      // Bud renames a repeated column name with a suffix: key, key_1, ...
      std::vector<std::string> cols;
      bool known = true;
      for (const auto& o : ops) {
        if (!o.schema) {
          known = false;
          break;
        }
        for (const auto& c : *o.schema) {
          std::string name = c;
          for (int n = 1; std::find(cols.begin(), cols.end(), name) != cols.end(); ++n)
            name = c + "_" + std::to_string(n);
          cols.push_back(name);
        }
      }
      if (known) out.schema = make_schema(cols);
      for (size_t r = 0; r < rows.size(); ++r) {
        Tuple t;
        for (size_t k = 0; k < rows.width; ++k) {
          Tuple part = tuple_of(r, k);
          t.insert(t.end(), part.begin(), part.end());
        }
        out.tuples.push_back(std::move(t));
        if (prov()) out.why.push_back(row_why(ops, rows, r));
      }
      return block ? map_block(out, *block, "map", raw) : out;
    }
    if (block) {
      std::vector<Schema> schemas;
      for (const auto& o : ops) schemas.push_back(o.schema);
      if (const Projection* proj = projection(*block, schemas)) {
        for (size_t r = 0; r < rows.size(); ++r) {
          Premises w = row_why(ops, rows, r);
          add_projected(*proj, rows.row(r), *block, out, &w, raw);
        }
        return out;
      }
      Interpreter ip = interp();
      for (size_t r = 0; r < rows.size(); ++r) {
        std::vector<Value> vals;
        for (size_t k = 0; k < rows.width; ++k) vals.push_back(row_value(ops, k, rows.row(r)[k]));
        Premises w = row_why(ops, rows, r);
        add_result(*block, ip.call_block(*block, {Value::array(std::move(vals))}, {}), out, &w,
                   raw);
      }
      return out;
    }
    for (size_t r = 0; r < rows.size(); ++r) {
      Tuple t;
      for (size_t k = 0; k < rows.width; ++k) t.push_back(row_value(ops, k, rows.row(r)[k]));
      out.tuples.push_back(std::move(t));
      if (prov()) out.why.push_back(row_why(ops, rows, r));
    }
    return out;
  }

  Relation eval_join(const Expr& call, const std::string& m, const Expr& product, bool raw) {
    // Flatten a * b * c into operands.
    std::vector<const Expr*> operands;
    std::function<void(const Expr*)> flatten = [&](const Expr* e) {
      e = strip_parens(e);
      const Expr* op = e->type == "binary" ? e->child("operator") : nullptr;
      if (op && op->text == "*") {
        flatten(e->child("left"));
        flatten(e->child("right"));
      } else {
        operands.push_back(e);
      }
    };
    flatten(&product);
    std::vector<Relation> ops;
    std::vector<std::string> written;
    for (const Expr* o : operands) {
      ops.push_back(operand_at(*o));
      written.push_back(written_name(*o));
    }
    if (m == "outer" && ops.size() != 2)
      unsupported(call, "outer join of " + std::to_string(ops.size()) + " collections");
    if (m == "outer") check_outer_right(call, *operands[1]);
    std::vector<Pred> preds;
    auto add_pred = [&](int lo, const std::string& lc, int ro, const std::string& rc,
                        const Expr& where) {
      if (lo < 0 || ro < 0 || lo >= int(ops.size()) || ro >= int(ops.size()))
        unsupported(where, "join predicate naming no operand of the join");
      preds.push_back(
          {lo, column(ops[size_t(lo)], lc, where, "join operand " + written[size_t(lo)]), ro,
           column(ops[size_t(ro)], rc, where, "join operand " + written[size_t(ro)])});
    };
    if (m == "matches") {
      if (!args_of(call).empty()) unsupported(call, "matches with arguments");
      natural_preds(ops, call, preds);
    } else {
      for (const Expr* a : args_of(call)) {
        // `pairs(r1.val => r2.key)`, or the same as an array: `pairs([r1.val, r2.key])`.
        std::vector<const Expr*> sides;
        if (a->type == "pair") {
          sides = {a->child("key"), a->child("value")};
        } else if (a->type == "array") {
          for (const auto& c : a->children)
            if (!is_punct(c)) sides.push_back(&c);
        }
        if (sides.size() != 2 || !sides[0] || !sides[1])
          unsupported(*a, "join argument '" + a->type + "'");
        auto l = join_column(*sides[0], 0, written);
        auto r = join_column(*sides[1], 1, written);
        if (ops.size() > 2) {
          // Bud: in a join of more than two, `:col` names the one operand that has it.
          if (sides[0]->type == "simple_symbol") l.first = operand_with(ops, written, l.second, *a);
          if (sides[1]->type == "simple_symbol") r.first = operand_with(ops, written, r.second, *a);
        }
        add_pred(l.first, l.second, r.first, r.second, *a);
      }
    }
    auto rows = join(ops, preds, m == "outer");
    return join_result(ops, rows, m, call.child("block"), raw);
  }

  /// Bud pads an outer join's unmatched left tuples once the stratum's fixpoint is done;
  /// a right side that grows during this stratum would need that deferral, which the
  /// evaluator does not do: refused rather than padded too early.
  void check_outer_right(const Expr& call, const Expr& right) const {
    std::string c = collection_named(*strip_parens(&right));
    if (!c.empty() && stratum_heads.count(c))
      unsupported(call, "outer join whose right side '" + c +
                            "' grows in the same stratum (Bud pads at the end of the stratum)");
  }

  /// 2011 dialect: join [a, b], [a.x, b.y], ...; leftjoin (nil padding); natjoin [a, b]
  /// (on the columns of the same name).
  Relation eval_join_2011(const Expr& call, const std::string& kind) {
    auto args = args_of(call);
    if (args.empty() || args[0]->type != "array")
      unsupported(call, kind + " without [collections]");
    std::vector<Relation> ops;
    std::vector<std::string> written;
    for (const auto& c : args[0]->children) {
      if (c.type == "[" || c.type == "]" || c.type == ",") continue;
      ops.push_back(operand_at(c));
      written.push_back(written_name(c));
    }
    if (kind == "leftjoin" && ops.size() != 2)
      unsupported(call, "leftjoin of " + std::to_string(ops.size()) + " collections");
    if (kind == "leftjoin") {
      const Expr* right = nullptr;
      for (const auto& c : args[0]->children)
        if (c.type != "[" && c.type != "]" && c.type != ",") right = &c;
      check_outer_right(call, *right);
    }
    std::vector<Pred> preds;
    if (kind == "natjoin") {
      if (args.size() > 1) unsupported(*args[1], "natjoin with join columns");
      natural_preds(ops, call, preds);
    }
    for (size_t a = 1; a < args.size(); ++a) {
      if (args[a]->type != "array") unsupported(*args[a], "join argument '" + args[a]->type + "'");
      std::vector<std::pair<int, size_t>> cols;
      for (const auto& c : args[a]->children) {
        if (c.type == "[" || c.type == "]" || c.type == ",") continue;
        auto jc = join_column(c, -1, written);
        if (jc.first < 0) unsupported(c, "join column without its collection");
        cols.push_back(
            {jc.first, column(ops[size_t(jc.first)], jc.second, c, written[size_t(jc.first)])});
      }
      for (size_t k = 1; k < cols.size(); ++k)
        preds.push_back({cols[k - 1].first, cols[k - 1].second, cols[k].first, cols[k].second});
    }
    return join_result(ops, join(ops, preds, kind == "leftjoin"), "pairs", nullptr, false);
  }

  Relation eval_notin(const Expr& call, const Relation& left) {
    auto args = args_of(call);
    if (args.empty()) unsupported(call, "notin without a collection");
    std::string rname = collection_named(*strip_parens(args[0]));
    Relation right = rname.empty() ? eval_coll(*args[0]) : scan(rname);
    std::vector<std::pair<size_t, size_t>> cols;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i]->type != "pair") unsupported(*args[i], "notin argument '" + args[i]->type + "'");
      std::vector<std::string> written = {"", args[0]->text};
      auto l = join_column(*args[i]->child("key"), 0, {});
      auto r = join_column(*args[i]->child("value"), 1, written);
      cols.push_back({column(left, l.second, *args[i], "the notin receiver"),
                      column(right, r.second, *args[i], "the notin argument")});
    }
    const Expr* block = call.child("block");
    Relation out{left.schema, {}, {}, false};
    std::unordered_map<Tuple, std::vector<const Tuple*>, TupleHash> index;
    for (const auto& t : right.tuples) {
      Tuple k;
      if (cols.empty() && !block) k = t;
      for (const auto& c : cols) k.push_back(c.second < t.size() ? t[c.second] : Value());
      index[k].push_back(&t);
    }
    Interpreter ip = interp();
    for (size_t li = 0; li < left.tuples.size(); ++li) {
      const Tuple& t = left.tuples[li];
      Tuple k;
      if (cols.empty() && !block) k = t;
      for (const auto& c : cols) k.push_back(c.first < t.size() ? t[c.first] : Value());
      bool matched = false;
      if (auto it = index.find(k); it != index.end()) {
        if (!block) {
          matched = true;
        } else {
          for (const Tuple* r : it->second)
            if (ip.call_block(*block,
                              {Value::array(t, left.schema), Value::array(*r, right.schema)}, {})
                    .truthy()) {
              matched = true;
              break;
            }
        }
      }
      if (!matched) {
        out.tuples.push_back(t);
        if (prov()) out.why.push_back(li < left.why.size() ? left.why[li] : Premises{});
      }
    }
    return out;
  }

  std::vector<size_t> group_columns(const Expr& arg, const Relation& in) const {
    std::vector<size_t> cols;
    if (arg.type == "nil") return cols;
    if (arg.type != "array") unsupported(arg, "grouping columns '" + arg.type + "'");
    for (const auto& c : arg.children) {
      if (c.type == "[" || c.type == "]" || c.type == ",") continue;
      std::string name;
      if (c.type == "simple_symbol")
        name = strip_colon(c.text);
      else if (c.type == "call" && c.child("method") && !c.child("arguments"))
        name = c.child("method")->text;
      else
        unsupported(c, "grouping column '" + c.type + "'");
      cols.push_back(column(in, name, c, "the grouped collection"));
    }
    return cols;
  }

  Value aggregate(const Expr& where, const std::string& agg, const std::vector<Value>& vals) const {
    auto less = [](const Value& a, const Value& b) {
      if (a.is_numeric() && b.is_numeric()) return a.as_float() < b.as_float();
      return Value::compare(a, b) < 0;
    };
    if (agg == "count") return Value::integer(int64_t(vals.size()));
    if (agg == "sum" || agg == "avg") {
      // Bud folds with Ruby's `+` (strings and arrays concatenate, in the group's input
      // order); avg is the sum's to_f divided by the count.
      Value s = vals[0];
      for (size_t i = 1; i < vals.size(); ++i) {
        const Value& v = vals[i];
        if (s.is_numeric() && v.is_numeric())
          s = s.kind() == Value::Kind::Int && v.kind() == Value::Kind::Int
                  ? Value::integer(s.as_int() + v.as_int())
                  : Value::floating(s.as_float() + v.as_float());
        else if (s.kind() == Value::Kind::String && v.kind() == Value::Kind::String)
          s = Value::string(s.as_string() + v.as_string());
        else if (s.is_array() && v.is_array()) {
          std::vector<Value> items = s.items();
          items.insert(items.end(), v.items().begin(), v.items().end());
          s = Value::array(std::move(items));
        } else
          fail(where, agg + ": undefined method '+' for " + s.inspect() + " with " + v.inspect());
      }
      if (agg == "sum") return s;
      double total = 0.0;  // nil.to_f
      if (s.is_numeric())
        total = s.as_float();
      else if (s.kind() == Value::Kind::String)
        total = ruby_string_to_f(s.as_string());
      else if (!s.is_nil())
        fail(where, "avg: undefined method 'to_f' for " + s.inspect());
      return Value::floating(total / double(vals.size()));
    }
    // Bud's Choose keeps the first value its group sees (in the input's order).
    if (agg == "choose") return vals[0];
    if (agg == "min" || agg == "max") {
      Value best = vals[0];
      for (const auto& v : vals) {
        // Bud's Min/Max compare with <=>, which is nil for a String and an Integer.
        if (!ruby_comparable(best, v))
          fail(where, agg + " of " + best.inspect() + " and " + v.inspect() + ": comparison of " +
                          ruby_class_name(best) + " with " + ruby_class_name(v) + " failed");
        if (agg == "max" ? less(best, v) : less(v, best)) best = v;
      }
      return best;
    }
    if (agg == "bool_and" || agg == "bool_or") {
      // Bud: the first value, replaced by a later `false` (bool_and) or `true` (bool_or).
      Value acc = vals[0];
      for (size_t i = 1; i < vals.size(); ++i)
        if (vals[i].kind() == Value::Kind::Bool && vals[i].as_bool() == (agg == "bool_or"))
          acc = vals[i];
      return acc;
    }
    if (agg == "accum" || agg == "accum_pair") return Value::set(vals);
    unsupported(where, "aggregate '" + agg + "'");
  }

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

  Relation eval_group(const Expr& call, const Relation& in) {
    auto args = args_of(call);
    if (args.empty()) unsupported(call, "group without grouping columns");
    std::vector<size_t> keys = group_columns(*args[0], in);
    struct Agg {
      std::string name;
      std::vector<size_t> cols;
      const Expr* where;
    };
    std::vector<Agg> aggs;
    for (size_t i = 1; i < args.size(); ++i) {
      const Expr& a = *args[i];
      bool bare = a.type == "identifier";  // `count` without parentheses
      if (!bare && (a.type != "call" || a.child("receiver") || !a.child("method")))
        unsupported(a, "aggregate '" + a.type + "'");
      Agg g{bare ? a.text : a.child("method")->text, {}, &a};
      static const std::set<std::string> known = {"count",   "sum",    "avg",        "min",
                                                  "max",     "accum",  "accum_pair", "bool_and",
                                                  "bool_or", "choose", "choose_rand"};
      if (!known.count(g.name)) unsupported(a, "aggregate '" + g.name + "'");
      for (const Expr* c : args_of(a)) {
        std::string name;
        if (c->type == "simple_symbol")
          name = strip_colon(c->text);
        else if (c->type == "call" && c->child("method") && !c->child("arguments"))
          name = c->child("method")->text;
        else
          unsupported(*c, "aggregate argument '" + c->type + "'");
        g.cols.push_back(column(in, name, *c, "the grouped collection"));
      }
      if (g.name != "count" && g.cols.size() != (g.name == "accum_pair" ? 2u : 1u))
        unsupported(
            a, "aggregate '" + g.name + "' with " + std::to_string(g.cols.size()) + " columns");
      aggs.push_back(g);
    }
    // Bud's group eliminates duplicate input tuples first (a projection or the lefts of
    // a join may repeat one): sum and count see each distinct tuple once. Groups are in
    // the order their first tuples came, as Bud's hash of groups keeps them.
    Groups groups;
    std::unordered_set<const Tuple*, TuplePtrHash, TuplePtrEq> seen;
    // choose_rand draws as Bud's reservoir sampling does, tuple by tuple in the input's
    // order: the n-th tuple of a group replaces the choice when rand(n) is 0.
    std::vector<std::vector<Value>> chosen;  // [group][aggregate]
    for (const auto& t : in.tuples) {
      if (!seen.insert(&t).second) continue;
      size_t gi = groups.add(t, keys);
      if (gi == chosen.size()) chosen.emplace_back(aggs.size());
      for (size_t a = 0; a < aggs.size(); ++a)
        if (aggs[a].name == "choose_rand" &&
            (groups.members[gi].size() == 1 || draw_first(groups.members[gi].size())))
          chosen[gi][a] = t[aggs[a].cols[0]];
    }
    Relation out;
    for (size_t gi = 0; gi < groups.keys.size(); ++gi) {
      const auto& members = groups.members[gi];
      Tuple row = groups.keys[gi];
      for (size_t a = 0; a < aggs.size(); ++a) {
        const Agg& g = aggs[a];
        if (g.name == "choose_rand") {
          row.push_back(chosen[gi][a]);
          continue;
        }
        std::vector<Value> vals;
        for (const Tuple* t : members) {
          if (g.cols.size() == 2)
            vals.push_back(Value::array({(*t)[g.cols[0]], (*t)[g.cols[1]]}));
          else if (g.cols.size() == 1)
            vals.push_back((*t)[g.cols[0]]);
          else
            vals.push_back(Value());
        }
        row.push_back(aggregate(*g.where, g.name, vals));
      }
      out.tuples.push_back(std::move(row));
    }
    return out;
  }

  Relation eval_argagg(const Expr& call, const std::string& m, const Relation& in) {
    auto args = args_of(call);
    std::string agg = m == "argmin" ? "min" : "max";
    size_t first = 0;
    if (m == "argagg") {
      if (args.empty() || args[0]->type != "simple_symbol")
        unsupported(call, "argagg without :agg");
      agg = strip_colon(args[0]->text);
      first = 1;
      // :choose picks one tuple per group, as group's choose does: the first;
      // :choose_rand one at random, drawn as group's choose_rand draws.
      if (agg != "min" && agg != "max" && agg != "choose" && agg != "choose_rand")
        unsupported(*args[0], "argagg aggregate '" + agg + "'");
    }
    const Expr* colx = args.size() == first + 2 ? args[first + 1] : nullptr;
    std::string colname =
        !colx                           ? ""
        : colx->type == "simple_symbol" ? strip_colon(colx->text)
        : colx->type == "call" && colx->child("method") && !colx->child("arguments")
            ? colx->child("method")->text  // path.cost
            : "";
    if (colname.empty()) unsupported(call, m + " arguments (expected [cols], :col)");
    std::vector<size_t> keys = group_columns(*args[first], in);
    size_t col = column(in, colname, *colx, "the collection");
    Groups groups;
    std::vector<const Tuple*> winner;  // choose_rand's, per group
    for (const auto& t : in.tuples) {
      size_t gi = groups.add(t, keys);
      if (gi == winner.size())
        winner.push_back(&t);
      else if (agg == "choose_rand" && draw_first(groups.members[gi].size()))
        winner[gi] = &t;
    }
    Relation out{in.schema, {}, {}, false};
    for (size_t gi = 0; gi < groups.keys.size(); ++gi) {
      if (agg == "choose" || agg == "choose_rand") {  // no ties: one tuple per group
        out.tuples.push_back(*winner[gi]);
        continue;
      }
      const auto& members = groups.members[gi];
      std::vector<Value> vals;
      for (const Tuple* t : members) vals.push_back((*t)[col]);
      Value best = aggregate(call, agg, vals);
      for (const Tuple* t : members)
        if (Value::ruby_equal((*t)[col], best)) out.tuples.push_back(*t);
    }
    return out;
  }

  bool is_lattice(const std::string& c) const {
    auto it = colls.find(c);
    return it != colls.end() && !it->second.lattice.empty();
  }

  /// True when an expression is built on a set-oriented collection (a scan, map, join,
  /// ... of a table, scratch, channel, ...): a lattice on the lhs merges each of its
  /// elements. Otherwise (a lattice, a lattice method, a constructor, a literal) it is one
  /// Ruby value.
  bool set_rooted(const Expr& e0) const {
    const Expr& e = *strip_parens(&e0);
    if (std::string c = collection_named(e); !c.empty()) return !is_lattice(c);
    if (e.type == "binary") {
      const Expr* op = e.child("operator");
      return op && op->text == "*" && e.child("left") && set_rooted(*e.child("left"));
    }
    if (e.type != "call") return false;
    const Expr* recv = e.child("receiver");
    std::string m = e.child("method") ? e.child("method")->text : "";
    if (!recv) {
      if (m == "join" || m == "natjoin" || m == "leftjoin" || m == "outerjoin") return true;
      std::string c = e.child("method") ? collection_named(*e.child("method")) : "";
      return !c.empty() && !is_lattice(c);
    }
    return set_rooted(*recv);
  }

  /// A Ruby value as a collection: a lattice is revealed, arrays and sets give their
  /// elements, a hash its [key, value] pairs.
  Relation value_relation(const Expr& e, Value v, bool raw) const {
    Relation out;
    if (v.is_lattice()) v = lattice_reveal(v);
    if (v.is_nil()) return out;
    std::vector<Value> items;
    if (v.kind() == Value::Kind::Array || v.kind() == Value::Kind::Set) {
      items = v.elements();
    } else if (v.kind() == Value::Kind::Hash) {
      for (size_t i = 0; i < v.items().size(); ++i)
        items.push_back(Value::array({v.items()[i], v.hash_values()[i]}));
    } else {
      fail(e, "the right-hand side is " + v.inspect() + ", not a collection");
    }
    for (const auto& item : items) add_result(e, item, out, nullptr, raw);
    return out;
  }

  Relation eval_ruby(const Expr& e, bool raw) {
    Interpreter ip = interp();
    Scope scope;
    return value_relation(e, ip.eval(e, scope), raw);
  }

  /// coll.reduce(init) { |memo, t| ... } (and inject): Ruby's fold over the tuples in
  /// sorted order; the result is the rule's collection.
  Relation eval_reduce(const Expr& e, const Relation& in, bool raw) {
    const Expr* block = e.child("block");
    auto args = args_of(e);
    if (!block || args.size() > 1) unsupported(e, "reduce without a block or with a symbol");
    Interpreter ip = interp();
    Scope scope;
    size_t first = 0;
    Value memo;
    if (args.size() == 1) {
      memo = ip.eval(*args[0], scope);
    } else if (!in.tuples.empty()) {
      memo = Value::array(in.tuples[0], in.schema);
      first = 1;
    }
    for (size_t i = first; i < in.tuples.size(); ++i)
      memo = ip.call_block(*block, {memo, Value::array(in.tuples[i], in.schema)}, {});
    return value_relation(e, memo, raw);
  }

  /// A rule's right-hand side as a collection. `raw`: the rule merges into a lattice, so
  /// a block's results are kept as plain values.
  Relation eval_coll(const Expr& e0, bool raw = false) {
    const Expr& e = *strip_parens(&e0);
    if (std::string c = collection_named(e); !c.empty()) {
      if (is_lattice(c)) return eval_ruby(e, raw);
      return scan_at(e, c);
    }
    // A product on its own, `(a * b)`: Bud's join object, whose rows are the pairs.
    if (const Expr* op = e.type == "binary" ? e.child("operator") : nullptr;
        op && op->text == "*" && set_rooted(e))
      return eval_join(e, "pairs", e, raw);
    if (e.type == "call") {
      const Expr* recv = e.child("receiver");
      const Expr* block = e.child("block");
      std::string m = e.child("method") ? e.child("method")->text : "";
      if (!recv) {
        if ((m == "join" || m == "natjoin" || m == "leftjoin") && !block)
          return eval_join_2011(e, m);
        if (m == "outerjoin") unsupported(e, "2011 outerjoin (use leftjoin)");
        std::string c = e.child("method") ? collection_named(*e.child("method")) : "";
        if (!c.empty() && block && !e.child("arguments")) {
          if (is_lattice(c)) {
            // `s { |x| ... }` on an lset maps its elements, like lset#pro then reveal.
            const Value& v = colls.at(c).value;
            if (v.lattice_type() != "lset" && v.lattice_type() != "lpset")
              unsupported(e, "a block applied to " + v.lattice_type() + " '" + c + "'");
            Relation out;
            Interpreter ip = interp();
            for (const auto& x : v.items())
              add_result(*block, ip.call_block(*block, {x}, {}), out, nullptr, raw);
            return out;
          }
          return map_block(scan_at(*e.child("method"), c), *block, "map", raw);
        }
      } else if (std::string q = block && !e.child("arguments") && recv->type == "identifier"
                                     ? find_collection_named(e, /*with_block=*/true)
                                     : std::string();
                 !q.empty() && !is_lattice(q)) {
        // `bed.pipe_out { |p| ... }`: a collection of an imported module, mapped.
        return map_block(scan_at(e, q), *block, "map", raw);
      } else if (!set_rooted(*recv)) {
        // Methods of lattice values, constructors, Ruby values.
        return eval_ruby(e, raw);
      } else {
        const Expr* inner = strip_parens(recv);
        const Expr* op = inner->type == "binary" ? inner->child("operator") : nullptr;
        if (op && op->text == "*" &&
            (m == "pairs" || m == "lefts" || m == "rights" || m == "matches" || m == "combos" ||
             m == "outer" || m == "flatten"))
          return eval_join(e, m, *inner, raw);
        // `(a * b).pro { |x, y| ... }` (also map, collect): the product's pairs, mapped.
        if (op && op->text == "*" && (m == "pro" || m == "map" || m == "collect") && block &&
            !e.child("arguments"))
          return eval_join(e, "pairs", *inner, raw);
        if (recv->type == "call" && !recv->child("receiver") && recv->child("method")) {
          std::string j = recv->child("method")->text;
          if ((j == "join" || j == "natjoin" || j == "leftjoin") &&
              (m == "map" || m == "pro" || m == "collect") && block)
            return map_block(eval_join_2011(*recv, j), *block, "map", raw);
        }
        if (m == "flatten" && !e.child("arguments")) {
          // (a * b).matches.flatten: concatenate each row's tuples.
          Relation rows = eval_coll(*recv);
          Relation out;
          for (size_t i = 0; i < rows.tuples.size(); ++i) {
            Tuple t;
            for (const auto& v : rows.tuples[i]) {
              if (!v.is_array())
                fail(e, "flatten of " + inspect(rows.tuples[i]) + ", not a join row");
              t.insert(t.end(), v.items().begin(), v.items().end());
            }
            out.tuples.push_back(std::move(t));
            if (prov()) out.why.push_back(i < rows.why.size() ? rows.why[i] : Premises{});
          }
          if (!rows.tuples.empty()) {
            std::vector<std::string> cols;
            for (const auto& v : rows.tuples[0]) {
              if (!v.schema()) {
                cols.clear();
                break;
              }
              for (const auto& c : *v.schema()) {
                std::string name = c;
                for (int n = 1; std::find(cols.begin(), cols.end(), name) != cols.end(); ++n)
                  name = c + "_" + std::to_string(n);
                cols.push_back(name);
              }
            }
            if (!cols.empty()) out.schema = make_schema(cols);
          }
          return block ? map_block(out, *block, "map", raw) : out;
        }
        if ((m == "map" || m == "pro" || m == "collect" || m == "flat_map" || m == "select" ||
             m == "reject") &&
            block && !e.child("arguments"))
          return map_block(eval_coll(*recv), *block, m, raw);
        if (m == "notin") return eval_notin(e, eval_coll(*recv));
        if (m == "group") {
          Relation g = eval_group(e, eval_coll(*recv));
          return block ? map_block(g, *block, "map", raw) : g;
        }
        if (m == "sort" && !e.child("arguments")) {
          // Sorted tuples: the order matters only to a following each_with_index.
          Relation rel = eval_coll(*recv);
          std::vector<size_t> order(rel.tuples.size());
          for (size_t i = 0; i < order.size(); ++i) order[i] = i;
          if (!block) {
            // Ruby's sort raises when two tuples do not compare (a String and an Integer
            // in the first column where they differ); in calm's order such a pair is
            // adjacent.
            std::stable_sort(order.begin(), order.end(),
                             [&](size_t x, size_t y) { return rel.tuples[x] < rel.tuples[y]; });
            for (size_t i = 1; i < order.size(); ++i) {
              Value a = Value::array(rel.tuples[order[i - 1]]);
              Value b = Value::array(rel.tuples[order[i]]);
              if (!ruby_comparable(a, b))
                fail(e, "sort: comparison of " + a.inspect() + " with " + b.inspect() + " failed");
            }
          } else {
            Interpreter ip = interp();
            std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
              Value c = ip.call_block(*block,
                                      {Value::array(rel.tuples[x], rel.schema),
                                       Value::array(rel.tuples[y], rel.schema)},
                                      {});
              if (c.kind() != Value::Kind::Int) fail(*block, "sort block returned " + c.inspect());
              return c.as_int() < 0;
            });
          }
          Relation out{rel.schema, {}, {}, false};
          for (size_t i : order) {
            out.tuples.push_back(rel.tuples[i]);
            if (prov()) out.why.push_back(i < rel.why.size() ? rel.why[i] : Premises{});
          }
          return out;
        }
        if (m == "each_with_index" && !e.child("arguments")) {
          // [tuple, index] in the order of the tuples: sorted by `sort`, and without it
          // the collection's order (the order its tuples were stored in, as in Bud).
          Relation rel = eval_coll(*recv);
          Relation out;
          for (size_t i = 0; i < rel.tuples.size(); ++i) {
            out.tuples.push_back(
                {Value::array(rel.tuples[i], rel.schema), Value::integer(int64_t(i))});
            if (prov()) out.why.push_back(i < rel.why.size() ? rel.why[i] : Premises{});
          }
          return block ? map_block(out, *block, "map", raw) : out;
        }
        if (m == "rename") {
          // rename(:name, [keys] => [values]) or rename(:name, [cols]) { |t| ... }: the
          // same tuples, new columns.
          auto args = args_of(e);
          std::vector<std::string> cols;
          for (size_t i = 1; i < args.size(); ++i) {
            if (args[i]->type != "pair" && args[i]->type != "array")
              unsupported(*args[i], "rename argument '" + args[i]->type + "'");
            std::vector<const Expr*> sides = {args[i]};
            if (args[i]->type == "pair") sides = {args[i]->child("key"), args[i]->child("value")};
            for (const Expr* side : sides) {
              if (!side || side->type != "array")
                unsupported(*args[i], "rename columns not in [...]");
              for (const auto& c : side->children) {
                if (c.type == "[" || c.type == "]" || c.type == ",") continue;
                if (c.type != "simple_symbol") unsupported(c, "rename column '" + c.type + "'");
                cols.push_back(strip_colon(c.text));
              }
            }
          }
          if (args.empty() || args[0]->type != "simple_symbol" || cols.empty())
            unsupported(e, "rename arguments (expected :name, [keys] => [values])");
          Relation rel = eval_coll(*recv);
          rel.schema = make_schema(cols);
          return block ? map_block(rel, *block, "map", raw) : rel;
        }
        if ((m == "lefts" || m == "rights") && !e.child("arguments")) {
          // (a * b).matches.lefts: one operand of each join row.
          Relation rows = eval_coll(*recv);
          Relation out;
          for (size_t i = 0; i < rows.tuples.size(); ++i) {
            const Tuple& row = rows.tuples[i];
            if (row.empty() || !row.front().is_array())
              fail(e, m + " of " + inspect(row) + ", not a join row");
            const Value& pick = m == "lefts" ? row.front() : row.back();
            if (i == 0) out.schema = pick.schema();
            out.tuples.push_back(pick.items());
            if (prov()) out.why.push_back(i < rows.why.size() ? rows.why[i] : Premises{});
          }
          return block ? map_block(out, *block, "map", raw) : out;
        }
        if (m == "argmin" || m == "argmax" || m == "argagg") {
          Relation best = eval_argagg(e, m, eval_coll(*recv));
          return block ? map_block(best, *block, "map", raw) : best;
        }
        if (m == "reduce" || m == "inject") return eval_reduce(e, eval_coll(*recv), raw);
        if ((m == "keys" || m == "values" || m == "payloads") && !e.child("arguments")) {
          std::string c = collection_named(*recv);
          if (c.empty()) unsupported(e, "'" + m + "' of a collection expression");
          Relation r = scan_at(*recv, c);
          const Collection& d = *colls.at(c).decl;
          Relation out;
          std::vector<std::string> names;
          std::vector<size_t> idx;
          const auto& all = *r.schema;
          for (size_t i = 0; i < all.size(); ++i) {
            bool is_key = i < d.keys.size();
            bool keep = m == "keys"     ? is_key
                        : m == "values" ? !is_key
                                        : all[i] != d.location_column;
            if (keep) {
              names.push_back(all[i]);
              idx.push_back(i);
            }
          }
          // Bud 0.9: a tuple of the payload columns, also when there is one (`[[5]]`).
          out.schema = make_schema(names);
          for (size_t ti = 0; ti < r.tuples.size(); ++ti) {
            const Tuple& t = r.tuples[ti];
            if (prov()) out.why.push_back(ti < r.why.size() ? r.why[ti] : Premises{});
            Tuple p;
            for (size_t i : idx) p.push_back(t[i]);
            out.tuples.push_back(std::move(p));
          }
          if (block) return map_block(out, *block, "map", raw);
          return out;
        }
      }
      if (is_collection_method(m) || (block && !recv))
        unsupported(e, "collection expression '" + m + "'");
    }
    // Anything else is Ruby that must produce an array of arrays.
    return eval_ruby(e, raw);
  }

  // ---------------------------------------------------------------------------
  // Timesteps

  std::string rule_label(const Rule& r) const { return "rule at " + to_string(r.location); }

  Derivation rule_derivation(const Rule& r, Derivation::Kind kind = Derivation::Rule) const {
    Derivation d;
    d.kind = kind;
    d.rule = r.id;
    d.location = r.location;
    d.budtime = budtime;
    return d;
  }

  /// The values a rule merges into a lattice: each element of a set-oriented rhs, or
  /// the one value of a lattice expression.
  std::vector<Value> lattice_inputs(const Rule& r) {
    std::vector<Value> out;
    if (set_rooted(r.rhs)) {
      Relation rel = eval_coll(r.rhs, true);
      for (auto& t : rel.tuples) out.push_back(rel.raw ? t[0] : Value::array(t));
    } else {
      Interpreter ip = interp();
      Scope scope;
      Value v = ip.eval(r.rhs, scope);
      if (!v.is_nil()) out.push_back(std::move(v));
    }
    return out;
  }

  /// Evaluates a `<=` rule; the tuples that changed the lhs go to `added` (when given).
  /// True when the lhs grew.
  bool apply_merge(const Rule& r, std::vector<Tuple>* added = nullptr) {
    set_rule(r);
    CollectionState& cs = state_of(r.lhs, r.location);
    Derivation d = rule_derivation(r);
    if (!cs.lattice.empty()) {
      bool grew = false;
      for (const auto& v : lattice_inputs(r)) grew |= merge_value(cs, v, r.location, &d);
      return grew;
    }
    Relation rel;
    if (r.op == RuleOp::Append) {
      // `coll << [1, 2]` inserts one tuple.
      Interpreter ip = interp();
      Scope scope;
      Value v = ip.eval(r.rhs, scope);
      if (!v.is_array()) fail(r.rhs, "<< of " + v.inspect() + ", not a tuple");
      rel.tuples.push_back(v.items());
      if (prov()) rel.why.push_back({});
    } else {
      rel = eval_coll(r.rhs);
    }
    if (cs.inferred && !cs.schema && rel.schema) cs.schema = rel.schema;
    bool grew = false;
    const std::string label = rule_label(r);
    for (size_t i = 0; i < rel.tuples.size(); ++i) {
      if (prov()) d.premises = i < rel.why.size() ? rel.why[i] : Premises{};
      if (insert(cs, std::move(rel.tuples[i]), r.location, label, &d)) {
        grew = true;
        if (added) added->push_back(*last_inserted);
      }
    }
    return grew;
  }

  void apply_deferred(const Rule& r) {
    set_rule(r);
    CollectionState& cs = state_of(r.lhs, r.location);
    if (!cs.lattice.empty()) {  // `<+` on a lattice: merged at the next timestep
      for (const auto& v : lattice_inputs(r)) {
        try {
          cs.pending_value = cs.has_pending_value ? lattice_merge(cs.pending_value, v)
                                                  : lattice_from(cs.lattice, v);
        } catch (const LatticeError& le) {
          throw EvalError{"calm-eval-error", le.message + " (merging into '" + r.lhs + "')",
                          r.location};
        }
        cs.has_pending_value = true;
        cs.pending_rule = r.id;
      }
      return;
    }
    Relation rel = eval_coll(r.rhs);
    const std::string label = rule_label(r);
    for (size_t i = 0; i < rel.tuples.size(); ++i) {
      const Tuple& t = rel.tuples[i];
      Pending p{normalize(cs, t, r.location), r.id, budtime,
                i < rel.why.size() ? rel.why[i] : Premises{}};
      switch (r.op) {
        case RuleOp::Deferred:
          buffer_add(cs, cs.pending_insert, cs.pending_key, std::move(p), r.location, label);
          break;
        case RuleOp::Delete:
          cs.pending_delete.push_back(std::move(p));
          break;
        case RuleOp::Upsert:
        case RuleOp::DeleteInsert:
          // Bud: delete the facts with this key, and `<+` this one.
          cs.pending_upsert.push_back(p);
          buffer_add(cs, cs.pending_insert, cs.pending_key, std::move(p), r.location, label);
          break;
        case RuleOp::Async:
          buffer_add(cs, cs.outbox, cs.outbox_key, std::move(p), r.location, label);
          break;
        default:
          throw EvalError{"calm-eval-unsupported",
                          std::string("unsupported construct operator '") + to_string(r.op) + "'",
                          r.op_location};
      }
    }
  }

  /// The bootstrap rules, as Bud runs them before timestep 0's fixpoint: `<<` inserts at
  /// once, `<=` into the collection's delta and `<+` into its pending buffer, each checked
  /// for key conflicts against its own buffer only. Then a collection with pending facts
  /// takes them instead of its delta (Table#bootstrap: `@delta = @pending`), and the delta
  /// replaces stored facts with the same key (`@storage.merge!(@delta)`): a bootstrap
  /// `<+` is visible at timestep 0, and replaces a `<<` fact with its key. Lattices merge
  /// `<=` and `<+` at once; `<- <+- <~` are deferred as in any rule.
  void run_bootstrap() {
    struct Buffers {
      std::vector<Pending> delta, pending;
      std::unordered_map<Tuple, size_t, TupleHash> delta_key, pending_key;
    };
    std::map<std::string, Buffers> boot;
    for (int id : bootstrap_rules) {
      const Rule& r = program.rules[size_t(id)];
      CollectionState& cs = state_of(r.lhs, r.location);
      bool buffered = cs.lattice.empty() && (r.op == RuleOp::Merge || r.op == RuleOp::Deferred) &&
                      cs.decl->kind != CollectionKind::Channel &&
                      cs.decl->kind != CollectionKind::Terminal;
      if (r.op == RuleOp::Append || (!cs.lattice.empty() && r.op == RuleOp::Deferred)) {
        apply_merge(r);
        continue;
      }
      if (!buffered) {
        if (r.op == RuleOp::Merge)
          apply_merge(r);
        else
          apply_deferred(r);
        continue;
      }
      set_rule(r);
      Relation rel = eval_coll(r.rhs);
      if (cs.inferred && !cs.schema && rel.schema) cs.schema = rel.schema;
      Buffers& b = boot[r.lhs];
      const std::string label = rule_label(r);
      for (size_t i = 0; i < rel.tuples.size(); ++i) {
        Pending p{normalize(cs, rel.tuples[i], r.location), r.id, budtime,
                  i < rel.why.size() ? rel.why[i] : Premises{}};
        if (r.op == RuleOp::Merge)
          buffer_add(cs, b.delta, b.delta_key, std::move(p), r.location, label);
        else
          buffer_add(cs, b.pending, b.pending_key, std::move(p), r.location, label);
      }
    }
    for (auto& [name, b] : boot) {
      CollectionState& cs = colls.at(name);
      for (auto& p : b.pending.empty() ? b.delta : b.pending) {
        const Rule& r = program.rules[size_t(p.rule)];
        if (!cs.all_key)
          if (const Tuple* old = find_key(cs, p.tuple); old && *old != p.tuple)
            erase(cs, Tuple(*old));
        Derivation d = rule_derivation(r);
        d.premises = std::move(p.why);
        insert(cs, p.tuple, r.location, rule_label(r), &d);
      }
    }
  }

  /// Whether MessagePack packs `v` (Bud's wire): nil, booleans, numbers, strings, symbols,
  /// and arrays and hashes of those. Anything else (a Set, a Time, a lattice, a tuple: a
  /// Struct) makes Bud Marshal the whole field, which keeps it as it is.
  static bool packable(const Value& v) {
    switch (v.kind()) {
      case Value::Kind::Array:
        if (v.schema()) return false;
        [[fallthrough]];
      case Value::Kind::Hash:
        for (const auto& x : v.items())
          if (!packable(x)) return false;
        for (const auto& x : v.hash_values())
          if (!packable(x)) return false;
        return true;
      case Value::Kind::Set:
      case Value::Kind::Lattice:
      case Value::Kind::Time:
        return false;
      default:
        return true;
    }
  }

  /// A packable value as MessagePack gives it back: symbols become strings.
  static Value unpacked(const Value& v) {
    switch (v.kind()) {
      case Value::Kind::Symbol:
        return Value::string(v.as_string());
      case Value::Kind::Array: {
        std::vector<Value> items;
        for (const auto& x : v.items()) items.push_back(unpacked(x));
        return Value::array(std::move(items));
      }
      case Value::Kind::Hash: {
        std::vector<Value> keys, values;
        for (const auto& x : v.items()) keys.push_back(unpacked(x));
        for (const auto& x : v.hash_values()) values.push_back(unpacked(x));
        return Value::hash(std::move(keys), std::move(values));
      }
      default:
        return v;
    }
  }

  /// A message's fields as the receiver gets them through Bud's wire (BudChannel#flush):
  /// each field MessagePack packs comes back with its symbols as strings; any other field
  /// is Marshal'd and comes back unchanged.
  static Tuple on_the_wire(Tuple t) {
    for (auto& f : t)
      if (packable(f)) f = unpacked(f);
    return t;
  }

  /// Sends what `<~` put in the outboxes this timestep (Bud's BudChannel#flush): to a
  /// channel's location column, to stdio, or to this node (loopback) at the next step. A
  /// location that is not a string is Bud's "illegal location specifier" error.
  void flush_outboxes(std::vector<Message>& sent) {
    for (auto& [name, cs] : colls) {
      if (cs.outbox.empty()) continue;
      auto box = std::move(cs.outbox);
      cs.outbox.clear();
      cs.outbox_key.clear();
      const Collection& d = *cs.decl;
      for (auto& p : box) {
        if (d.kind == CollectionKind::Channel) {
          Value addr;
          if (!d.location_column.empty() && cs.schema) {
            auto it = std::find(cs.schema->begin(), cs.schema->end(), d.location_column);
            if (it != cs.schema->end() && size_t(it - cs.schema->begin()) < p.tuple.size())
              addr = p.tuple[size_t(it - cs.schema->begin())];
          }
          if (!d.location_column.empty() && addr.kind() != Value::Kind::String)
            throw EvalError{"calm-eval-error",
                            "illegal location specifier in tuple " + inspect(p.tuple) +
                                " for channel '" + d.name + "': " + addr.inspect() +
                                " is not a \"host:port\" string",
                            program.rules[size_t(p.rule)].location};
          sent.push_back({d.name, addr, on_the_wire(std::move(p.tuple))});
        } else if (d.kind == CollectionKind::Terminal) {
          sent.push_back({d.name, Value(), std::move(p.tuple)});
        } else {
          loopback.push_back({d.name, Value(), on_the_wire(std::move(p.tuple))});
        }
      }
    }
  }

  /// Scan sites of each rule, recorded on its first evaluation (semi-naive).
  std::map<int, std::vector<std::pair<const Expr*, std::string>>> sites;

  /// True when a rule may be re-run on deltas only: it writes a set collection and reads
  /// the collections that change in this stratum only through scans and joins (a
  /// membership test in a block, an aggregate or a lattice needs the whole contents).
  bool seminaive_ok(const Rule& r, const std::set<std::string>& changing) const {
    if (is_lattice(r.lhs)) return false;
    for (const auto& ref : r.refs) {
      if (!changing.count(ref.collection)) continue;
      if (is_lattice(ref.collection) || ref.in_block ||
          (ref.context != RefContext::Scan && ref.context != RefContext::Join))
        return false;
    }
    return true;
  }

  [[noreturn]] void too_many_rounds(const std::vector<int>& rules,
                                    const std::set<std::string>& growing) const {
    std::string names;
    for (const auto& n : growing) names += (names.empty() ? "'" : ", '") + n + "'";
    const Rule& r = program.rules[size_t(rules.front())];
    for (int id : rules)
      if (growing.count(program.rules[size_t(id)].lhs)) {
        throw EvalError{"calm-eval-limit",
                        "no fixpoint after " + std::to_string(options.max_rounds) +
                            " rounds (NodeOptions::max_rounds): " + names + " still growing",
                        program.rules[size_t(id)].location};
      }
    throw EvalError{"calm-eval-limit",
                    "no fixpoint after " + std::to_string(options.max_rounds) + " rounds",
                    r.location};
  }

  void run_stratum(const std::vector<int>& rules) {
    if (rules.empty()) return;
    stratum_heads.clear();
    for (int id : rules) stratum_heads.insert(program.rules[size_t(id)].lhs);
    if (!options.seminaive) {
      // Naive iteration: every rule again until nothing changes.
      int64_t rounds = 0;
      for (bool changed = true; changed;) {
        if (++rounds > options.max_rounds) {
          std::set<std::string> growing;
          for (int id : rules) growing.insert(program.rules[size_t(id)].lhs);
          too_many_rounds(rules, growing);
        }
        changed = false;
        for (int id : rules) changed |= apply_merge(program.rules[size_t(id)]);
      }
      return;
    }
    // Semi-naive: a first round runs every rule on everything; later rounds re-run each
    // scan of a collection that grew on its delta (the new facts of the previous round),
    // the other scans reading everything. Rules that cannot run on deltas run whole.
    std::set<std::string> changing;
    for (int id : rules) changing.insert(program.rules[size_t(id)].lhs);
    std::map<std::string, std::vector<Tuple>> delta;
    std::set<std::string> grew;
    for (int id : rules) {
      const Rule& r = program.rules[size_t(id)];
      auto& rec = sites[id];
      rec.clear();
      recording = &rec;
      bool g = apply_merge(r, &delta[r.lhs]);
      recording = nullptr;
      if (g) grew.insert(r.lhs);
    }
    int64_t rounds = 1;
    while (!grew.empty()) {
      if (++rounds > options.max_rounds) too_many_rounds(rules, grew);
      std::map<std::string, std::vector<Tuple>> next;
      std::set<std::string> next_grew;
      for (int id : rules) {
        const Rule& r = program.rules[size_t(id)];
        if (!seminaive_ok(r, changing)) {
          if (apply_merge(r, &next[r.lhs])) next_grew.insert(r.lhs);
          continue;
        }
        for (const auto& [site, coll] : sites[id]) {
          auto d = delta.find(coll);
          if (d == delta.end() || d->second.empty()) continue;
          delta_site = site;
          delta_tuples = &d->second;
          bool g = apply_merge(r, &next[r.lhs]);
          delta_site = nullptr;
          delta_tuples = nullptr;
          if (g) next_grew.insert(r.lhs);
        }
      }
      delta = std::move(next);
      grew = std::move(next_grew);
    }
  }

  void begin_step(const StepInput& input) {
    for (auto& [name, cs] : colls)
      if (!persistent(cs.decl->kind)) clear(cs);
    for (auto& [name, cs] : colls) {
      if (cs.has_pending_value) {
        Derivation d =
            rule_derivation(program.rules[size_t(cs.pending_rule)], Derivation::Deferred);
        d.budtime = budtime - 1;
        merge_value(cs, cs.pending_value, program.rules[size_t(cs.pending_rule)].location, &d);
        cs.has_pending_value = false;
        cs.pending_value = Value();
      }
      for (const auto& p : cs.pending_delete) erase(cs, p.tuple);
      for (const auto& p : cs.pending_upsert)
        if (const Tuple* old = find_key(cs, p.tuple)) erase(cs, Tuple(*old));
      auto pend = std::move(cs.pending_insert);
      cs.pending_insert.clear();
      cs.pending_key.clear();
      cs.pending_delete.clear();
      cs.pending_upsert.clear();
      for (auto& p : pend) {
        const Rule& r = program.rules[size_t(p.rule)];
        Derivation d = rule_derivation(r, Derivation::Deferred);
        d.budtime = p.budtime;
        d.premises = std::move(p.why);
        insert(cs, p.tuple, r.location,
               rule_label(r) + ", applied at timestep " + std::to_string(budtime), &d);
      }
    }
    auto delivered = std::move(loopback);
    loopback.clear();
    Derivation msg;
    msg.kind = Derivation::Message;
    msg.budtime = budtime;
    for (auto& m : delivered) insert(state_of(m.collection, {}), m.tuple, {}, "loopback", &msg);
    // Input facts arrive as Bud's `coll <+ facts` from outside. Bud checks their keys
    // against the stored tuples when it ticks the table with the dataflow; a table that
    // no rule writes or reads is ticked apart, and there a fact replaces the stored
    // tuple with its key (docs/differences-from-bud.md). Two facts with one key in the
    // same timestep conflict in both.
    std::set<std::pair<std::string, Tuple>> replaced;
    for (const auto& [name, t] : input.facts) {
      auto it = colls.find(name);
      if (it == colls.end())
        throw EvalError{"calm-eval-error", "input fact for unknown collection '" + name + "'", {}};
      if (it->second.decl->kind == CollectionKind::Table && !it->second.all_key &&
          !in_rules.count(name))
        if (bool first = replaced.insert({name, key_of(it->second, t)}).second; first)
          if (const Tuple* old = find_key(it->second, t); old && *old != t)
            erase(it->second, Tuple(*old));
      Derivation in;
      in.kind = it->second.decl->kind == CollectionKind::Channel ? Derivation::Message
                                                                 : Derivation::Input;
      in.budtime = budtime;
      insert(it->second, t, {}, "input fact at timestep " + std::to_string(budtime), &in);
    }
  }
};

Node::Node(std::unique_ptr<State> state) : state_(std::move(state)) {}
Node::~Node() = default;

namespace {

/// Strata of the `<=` rules: an SCC order of the instantaneous dependency graph where a
/// non-monotonic edge goes to a later stratum. False when a non-monotonic edge lies on
/// an instantaneous cycle (unstratifiable).
bool stratify(const Program& program, const DependencyGraph& g, std::vector<int>& stratum_of,
              Diagnostics& diags) {
  size_t n = g.node_count();
  std::vector<std::vector<size_t>> adj(n);
  for (size_t e = 0; e < g.edge_count(); ++e) {
    const auto& ed = g.edge(e);
    if (!ed.temporal && !ed.async) adj[ed.from].push_back(ed.to);
  }
  // Tarjan's SCCs.
  std::vector<int> index(n, -1), low(n, 0), comp(n, -1);
  std::vector<size_t> stack;
  std::vector<bool> on(n, false);
  int counter = 0, ncomp = 0;
  std::function<void(size_t)> visit = [&](size_t v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on[v] = true;
    for (size_t w : adj[v]) {
      if (index[w] < 0) {
        visit(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on[w]) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] == index[v]) {
      for (;;) {
        size_t w = stack.back();
        stack.pop_back();
        on[w] = false;
        comp[w] = ncomp;
        if (w == v) break;
      }
      ++ncomp;
    }
  };
  for (size_t v = 0; v < n; ++v)
    if (index[v] < 0) visit(v);
  bool ok = true;
  for (size_t e = 0; e < g.edge_count(); ++e) {
    const auto& ed = g.edge(e);
    if (ed.temporal || ed.async || !ed.nonmonotonic || comp[ed.from] != comp[ed.to]) continue;
    const Rule& r = program.rules[size_t(ed.rule)];
    diags.error(
        "calm-unstratifiable",
        "'" + ed.to_name + "' depends on '" + ed.from_name + "' through " +
            (ed.reasons.empty() ? std::string("a non-monotonic operator") : ed.reasons[0].text) +
            " within one timestep, on a cycle of instantaneous rules: the program "
            "cannot be stratified",
        r.location);
    ok = false;
  }
  if (!ok) return false;
  stratum_of.assign(n, 0);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t e = 0; e < g.edge_count(); ++e) {
      const auto& ed = g.edge(e);
      if (ed.temporal || ed.async) continue;
      int want = stratum_of[ed.from] + (ed.nonmonotonic ? 1 : 0);
      if (stratum_of[ed.to] < want) {
        stratum_of[ed.to] = want;
        changed = true;
      }
    }
  }
  return true;
}

/// Instance variables `e` reads (`@name`), and those it assigns (`@name = ...`).
void instance_variables_in(const Expr& e, std::set<std::string>& read,
                           std::set<std::string>& assigned) {
  if (e.type == "instance_variable") read.insert(e.text);
  if (e.type == "assignment" || e.type == "operator_assignment")
    if (const Expr* left = e.child("left"); left && left->type == "instance_variable")
      assigned.insert(left->text);
  for (const auto& c : e.children) instance_variables_in(c, read, assigned);
}

/// An instance variable that rules read but no method of the program assigns is nil in
/// Ruby (Bud runs such programs: `@addy` in the kvs and cart protocols); it gets nil
/// unless the options give it a value. One that a method (`initialize`, ...) assigns
/// still needs a value from the options, since the evaluator does not run methods.
void default_unassigned_instance_variables(const Program& program,
                                           std::map<std::string, Value>& values) {
  std::set<std::string> read, assigned, unused;
  for (const auto& r : program.rules) instance_variables_in(r.rhs, read, unused);
  for (const auto& h : program.helpers) instance_variables_in(h.def, read, assigned);
  for (const auto& c : program.constants) instance_variables_in(c.value, read, assigned);
  for (const auto& name : read)
    if (!assigned.count(name) && name != "@local_addr" && name != "@ip_port" && name != "@budtime")
      values.try_emplace(name, Value());
}

}  // namespace

std::unique_ptr<Node> Node::create(const Program& program, NodeOptions options,
                                   Diagnostics& diags) {
  default_unassigned_instance_variables(program, options.instance_variables);
  auto st = std::make_unique<State>(program, std::move(options));
  size_t before = diags.size();
  for (const auto& c : program.collections) {
    CollectionState cs;
    cs.decl = &c;
    cs.inferred =
        c.schema_inferred || (c.keys.empty() && c.values.empty() &&
                              (c.kind == CollectionKind::Temp || c.kind == CollectionKind::View));
    if (!cs.inferred) {
      std::vector<std::string> cols = c.keys;
      cols.insert(cols.end(), c.values.begin(), c.values.end());
      for (const auto& col : cols)
        if (col.find('(') != std::string::npos)
          diags.error("calm-eval-unsupported",
                      "unsupported construct schema placeholder '" + col + "' in '" + c.name + "'",
                      c.location);
      cs.schema = make_schema(cols);
      cs.all_key = c.values.empty();
      if (!cs.all_key)
        for (size_t i = 0; i < c.keys.size(); ++i) cs.key_cols.push_back(i);
    }
    if (c.kind == CollectionKind::Lattice && is_lattice_type(c.lattice)) {
      cs.lattice = c.lattice;
      cs.schema = make_schema({"val"});
    }
    auto& placed = st->colls.emplace(c.name, std::move(cs)).first->second;
    if (!placed.lattice.empty()) st->set_value(placed, lattice_bottom(placed.lattice));
  }
  std::set<std::string> collection_names;
  for (const auto& c : program.collections) collection_names.insert(c.name);
  for (const auto& r : program.rules) {
    if (!r.bootstrap) {  // bootstrap rules run once, before the dataflow
      st->in_rules.insert(r.lhs);
      for (const auto& ref : r.refs) st->in_rules.insert(ref.collection);
    }
    if (r.rhs.type.empty()) {
      diags.error("calm-eval-unsupported",
                  "this rule has no expression to run (a JSON program IR carries the "
                  "dependencies only); the evaluator runs Bud and Dedalus programs",
                  r.location);
      continue;
    }
    check_supported(r.rhs, r.location.file, diags, program.helpers, program.constants,
                    st->options.instance_variables, collection_names);
    auto it = st->colls.find(r.lhs);
    if (it == st->colls.end()) {
      diags.error("calm-eval-error", "rule writes to undeclared collection '" + r.lhs + "'",
                  r.location);
      continue;
    }
    std::vector<std::string> used = {r.lhs};
    for (const auto& ref : r.refs) used.push_back(ref.collection);
    for (const auto& name : used) {
      auto ci = st->colls.find(name);
      if (ci == st->colls.end()) {
        diags.error("calm-eval-error", "rule uses undeclared collection '" + name + "'",
                    r.location);
        continue;
      }
      CollectionKind k = ci->second.decl->kind;
      if (k == CollectionKind::Store || k == CollectionKind::FileReader)
        diags.error("calm-eval-unsupported",
                    std::string("unsupported construct ") + to_string(k) + " collection '" + name +
                        "' (stores and file readers are not evaluated)",
                    r.location);
      if (k == CollectionKind::Lattice && ci->second.lattice.empty())
        diags.error("calm-eval-unsupported",
                    "unsupported construct user-defined lattice type '" + ci->second.decl->lattice +
                        "' of '" + name + "'",
                    r.location);
    }
    if (!it->second.lattice.empty() && r.op != RuleOp::Merge && r.op != RuleOp::Deferred &&
        r.op != RuleOp::Append)
      diags.error("calm-eval-unsupported",
                  std::string("unsupported construct operator '") + to_string(r.op) +
                      "' on lattice '" + r.lhs + "' (Bud merges into lattices with <= and <+)",
                  r.op_location);
    if (r.op == RuleOp::Append && !r.bootstrap)
      diags.error("calm-eval-unsupported", "unsupported construct operator '<<' outside bootstrap",
                  r.op_location);
  }
  DependencyGraph graph(program);
  std::vector<int> stratum_of;
  if (!stratify(program, graph, stratum_of, diags)) return nullptr;
  if (diags.size() != before) return nullptr;
  int top = 0;
  for (int s : stratum_of) top = std::max(top, s);
  st->strata.assign(size_t(top) + 1, {});
  for (const auto& r : program.rules) {
    if (r.bootstrap) {
      st->bootstrap_rules.push_back(r.id);
    } else if (r.op == RuleOp::Merge) {
      auto node = graph.find(r.lhs);
      st->strata[node ? size_t(stratum_of[*node]) : 0].push_back(r.id);
    } else {
      st->deferred_rules.push_back(r.id);
    }
  }
  return std::unique_ptr<Node>(new Node(std::move(st)));
}

StepResult Node::step(const StepInput& input) {
  State& s = *state_;
  StepResult out;
  out.budtime = s.budtime;
  if (s.failed) {
    out.ok = false;
    out.diagnostics.error("calm-eval-error", "the node stopped after a failed timestep", {});
    return out;
  }
  if (s.budtime == 0 && !s.options.unrunnable.empty()) {
    out.ok = false;
    s.failed = true;
    for (const auto& d : s.options.unrunnable) out.diagnostics.add(d);
    s.budtime++;
    return out;
  }
  try {
    s.begin_step(input);
    s.stratum_heads.clear();
    if (s.budtime == 0) s.run_bootstrap();
    for (const auto& stratum : s.strata) s.run_stratum(stratum);
    s.stratum_heads.clear();
    for (int id : s.deferred_rules) s.apply_deferred(s.program.rules[size_t(id)]);
    s.flush_outboxes(out.sent);
  } catch (const EvalError& e) {
    out.ok = false;
    s.failed = true;
    out.diagnostics.error(e.check, e.message, e.location);
  }
  std::sort(out.sent.begin(), out.sent.end());
  out.printed = std::move(s.printed);
  s.printed.clear();
  s.budtime++;
  return out;
}

const TupleSet& Node::contents(const std::string& collection) const {
  return state_->contents(collection);
}
int64_t Node::budtime() const { return state_->budtime; }
const std::vector<std::vector<int>>& Node::strata() const { return state_->strata; }
const std::string& Node::address() const { return state_->options.address; }

std::optional<Derivation> Node::derivation(const std::string& collection, const Tuple& t) const {
  auto it = state_->colls.find(collection);
  if (it == state_->colls.end()) return std::nullopt;
  auto w = it->second.why.find(t);
  if (w == it->second.why.end()) return std::nullopt;
  return w->second;
}

std::optional<Value> Node::lattice(const std::string& collection) const {
  auto it = state_->colls.find(collection);
  if (it == state_->colls.end() || it->second.lattice.empty()) return std::nullopt;
  return it->second.value;
}

const char* to_string(Derivation::Kind k) {
  switch (k) {
    case Derivation::Rule:
      return "rule";
    case Derivation::Input:
      return "input";
    case Derivation::Message:
      return "message";
    case Derivation::Deferred:
      return "deferred";
  }
  return "rule";
}

}  // namespace calm::eval
