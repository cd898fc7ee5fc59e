// Storing facts: insertion order (Bud's Ruby hashes), keys, indexes, lattice values,
// deferred buffers and the fact limit.

#include "eval/node_state.h"

namespace calm::eval {

Tuple Node::State::normalize(CollectionState& cs, Tuple t, const SourceLocation& where) const {
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

void Node::State::count_facts(CollectionState& cs, int64_t delta, const SourceLocation& where) {
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

Tuple Node::State::merge_same_key(const CollectionState& cs, const Tuple& old, const Tuple& t,
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

bool Node::State::buffer_add(const CollectionState& cs, std::vector<Pending>& buf,
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

bool Node::State::insert(CollectionState& cs, Tuple t, const SourceLocation& where,
                         const std::string& by, const Derivation* d) {
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

const Tuple* Node::State::place(CollectionState& cs, Tuple t, size_t at) {
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

size_t Node::State::unplace(CollectionState& cs, TupleSet::iterator it) {
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

void Node::State::compact_order(CollectionState& cs) {
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

void Node::State::set_value(CollectionState& cs, Value v) {
  int64_t before = cs.tuples.empty() ? 0 : int64_t(lattice_size(cs.value));
  cs.value = std::move(v);
  cs.tuples.clear();
  cs.tuples.insert(Tuple{cs.value});
  cs.indexes.clear();
  total_facts = size_t(int64_t(total_facts) - before);
  count_facts(cs, int64_t(lattice_size(cs.value)), {});
}

bool Node::State::merge_value(CollectionState& cs, const Value& v, const SourceLocation& where,
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

void Node::State::erase(CollectionState& cs, const Tuple& t) {
  auto it = cs.tuples.find(t);
  if (it == cs.tuples.end()) return;
  if (!cs.all_key) cs.by_key.erase(key_of(cs, t));
  cs.why.erase(t);
  unplace(cs, it);
  compact_order(cs);
  --total_facts;
}

const Tuple* Node::State::find_key(const CollectionState& cs, const Tuple& t) const {
  if (cs.all_key) {
    auto it = cs.tuples.find(t);
    return it == cs.tuples.end() ? nullptr : &*it;
  }
  auto it = cs.by_key.find(key_of(cs, t));
  return it == cs.by_key.end() ? nullptr : &it->second;
}

const TupleIndex& Node::State::index_on(CollectionState& cs, const std::vector<size_t>& cols) {
  for (auto& ix : cs.indexes)
    if (ix->cols == cols) return *ix;
  auto ix = std::make_unique<TupleIndex>();
  ix->cols = cols;
  for (size_t i = 0; i < cs.order.size(); ++i)
    if (cs.order[i]) ix->add(cs.order[i], i);
  cs.indexes.push_back(std::move(ix));
  return *cs.indexes.back();
}

void Node::State::clear(CollectionState& cs) {
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

CollectionState& Node::State::state_of(const std::string& name, const SourceLocation& where) {
  auto it = colls.find(name);
  if (it == colls.end())
    throw EvalError{"calm-eval-error", "unknown collection '" + name + "'", where};
  return it->second;
}

}  // namespace calm::eval
