// Storing facts: insertion order (Bud's Ruby hashes), keys, indexes, lattice values,
// deferred buffers and the fact limit.

#include "eval/node_state.h"

namespace calm::eval {

void Node::State::normalize_in_place(const CollectionState& cs, Tuple& t,
                                     const SourceLocation& where) const {
  if (cs.schema && !cs.inferred) {
    size_t n = cs.schema->size();
    if (t.size() > n)
      throw EvalError{"calm-eval-error",
                      "fact " + inspect(t) + " has more columns than '" + cs.decl->name + "' (" +
                          std::to_string(n) + ")",
                      where};
    if (t.size() != n) t.resize(n);  // Bud pads missing columns with nil
  }
}

void Node::State::facts_over_limit(const CollectionState& cs, const SourceLocation& where) const {
  throw EvalError{"calm-eval-limit",
                  "the node holds more than " + std::to_string(options.max_facts) +
                      " facts (NodeOptions::max_facts): '" + cs.decl->name + "' grew to " +
                      std::to_string(cs.lattice.empty() ? cs.rows.size() : lattice_size(cs.value)) +
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
  normalize_in_place(cs, t, where);
  const uint64_t h = cs.rows.key_hash_of(t);  // a replacement has the same key
  size_t at = cs.rows.find(t, h);
  if (at == RowTable::npos) {
    add_new(cs, std::move(t), h, where, d);
    return true;
  }
  // Every column is the key: a tuple already there is this one.
  const Tuple& old = *cs.rows.at(at);
  if (cs.all_key || old == t) return false;
  Tuple merged = merge_same_key(cs, old, t, where, by);
  if (merged == old) return false;
  cs.why.erase(old);
  cs.rows.remove(at);
  const Tuple* stored = place(cs, std::move(merged), at, h);
  if (prov() && d) cs.why[*stored] = *d;
  last_inserted = stored;
  return true;
}

const Tuple* Node::State::add_new(CollectionState& cs, Tuple&& t, uint64_t h,
                                  const SourceLocation& where, const Derivation* d) {
  const Tuple* stored = place(cs, std::move(t), RowTable::npos, h);
  if (prov() && d) cs.why[*stored] = *d;
  last_inserted = stored;
  count_facts(cs, 1, where);
  return stored;
}

const Tuple* Node::State::place(CollectionState& cs, Tuple&& t, size_t at, uint64_t h) {
  return cs.rows.at(cs.rows.add(std::move(t), at, h));
}

void Node::State::set_value(CollectionState& cs, Value v) {
  int64_t before = cs.rows.empty() ? 0 : int64_t(lattice_size(cs.value));
  cs.value = std::move(v);
  cs.rows.clear();
  cs.rows.add(Tuple{cs.value});
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
  last_inserted = cs.rows.at(0);
  return true;
}

void Node::State::erase(CollectionState& cs, const Tuple& t) {
  size_t at = cs.rows.find(t);
  if (at == RowTable::npos || *cs.rows.at(at) != t) return;
  cs.why.erase(t);
  cs.rows.remove(at);
  cs.rows.compact();
  --total_facts;
}

const Tuple* Node::State::find_key(const CollectionState& cs, const Tuple& t) const {
  size_t at = cs.rows.find(t);
  return at == RowTable::npos ? nullptr : cs.rows.at(at);
}

void Node::State::clear(CollectionState& cs) {
  total_facts -= cs.rows.size();
  cs.rows.clear();
  cs.why.clear();
}

CollectionState& Node::State::state_of(const std::string& name, const SourceLocation& where) {
  CollectionState* cs = find_state(name);
  if (!cs) throw EvalError{"calm-eval-error", "unknown collection '" + name + "'", where};
  return *cs;
}

}  // namespace calm::eval
