// The timestep driver: bootstrap rules, strata of <= rules to a fixpoint (semi-naive
// where it is exact), channels out through Bud's wire, the next step's inputs.

#include "eval/node_state.h"

namespace calm::eval {

void Node::State::run_bootstrap() {
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
    const std::string& label = rule_label(r);
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

bool Node::State::packable(const Value& v) {
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

Value Node::State::unpacked(const Value& v) {
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

Tuple Node::State::on_the_wire(Tuple t) {
  for (auto& f : t)
    if (packable(f)) f = unpacked(f);
  return t;
}

void Node::State::flush_outboxes(std::vector<Message>& sent) {
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

bool Node::State::seminaive_ok(const Rule& r, const std::set<std::string>& changing) const {
  if (is_lattice(r.lhs)) return false;
  for (const auto& ref : r.refs) {
    if (!changing.count(ref.collection)) continue;
    if (is_lattice(ref.collection) || ref.in_block ||
        (ref.context != RefContext::Scan && ref.context != RefContext::Join))
      return false;
  }
  return true;
}

[[noreturn]] void Node::State::too_many_rounds(const std::vector<int>& rules,
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

void Node::State::run_stratum(size_t index) {
  const std::vector<int>& rules = strata[index];
  if (rules.empty()) return;
  // The strata are the node's for its life: their heads and semi-naive flags are found
  // once, for all of them.
  if (stratum_plans.size() != strata.size()) {
    stratum_plans.assign(strata.size(), StratumPlan{});
    for (size_t k = 0; k < strata.size(); ++k) {
      StratumPlan& p = stratum_plans[k];
      for (int id : strata[k]) p.heads.insert(program.rules[size_t(id)].lhs);
      for (int id : strata[k])
        p.seminaive.push_back(seminaive_ok(program.rules[size_t(id)], p.heads));
    }
  }
  StratumMemo* memo = stratum_memo(index);
  if (!memo) return run_rounds(index);
  const uint64_t key = memo_key(memo->inputs);
  if (memo->serves(key)) {
    // The same contents as when the memo was made: the heads get the same rows again.
    const Rule& first = program.rules[size_t(rules.front())];
    set_rule(first);
    const std::string& label = rule_label(first);
    for (size_t h = 0; h < memo->heads.size(); ++h) {
      CollectionState& cs = *memo->heads[h];
      for (const Tuple& t : memo->added[h]) insert(cs, t, first.location, label, nullptr);
      if (cs.inferred && !cs.schema) cs.schema = memo->schemas[h];
    }
    return;
  }
  if (!memo->worth_keeping(key)) return run_rounds(index);
  std::vector<size_t>& ends = memo_ends;
  std::vector<uint64_t>& sequences = memo_sequences;
  ends.clear();
  sequences.clear();
  for (const CollectionState* h : memo->heads) {
    ends.push_back(h->rows.end_slot());
    sequences.push_back(h->rows.sequence());
  }
  run_rounds(index);
  // Keep what each head got, when it only got rows at its end (its sequence says so).
  size_t facts = 0;
  for (size_t h = 0; h < memo->heads.size(); ++h) {
    const RowTable& rows = memo->heads[h]->rows;
    facts += rows.end_slot() - std::min(ends[h], rows.end_slot());
    uint64_t seq = sequences[h];
    for (size_t slot = ends[h]; slot < rows.end_slot() && facts <= kMemoFacts; ++slot)
      if (const Tuple* t = rows.at(slot)) seq = RowTable::next_sequence(seq, *t);
    if (facts > kMemoFacts || seq != rows.sequence()) return;
  }
  for (size_t h = 0; h < memo->heads.size(); ++h) {
    const RowTable& rows = memo->heads[h]->rows;
    memo->added[h].clear();
    for (size_t slot = ends[h]; slot < rows.end_slot(); ++slot)
      if (const Tuple* t = rows.at(slot)) memo->added[h].push_back(*t);
    memo->schemas[h] = memo->heads[h]->schema;
  }
  memo->keep(key);
}

Node::State::StratumMemo* Node::State::stratum_memo(size_t index) {
  if (!options.reuse_results || prov() || !plan) return nullptr;
  if (stratum_memos.size() != strata.size()) stratum_memos.assign(strata.size(), StratumMemo{});
  StratumMemo& m = stratum_memos[index];
  if (!m.resolved) {
    m.resolved = true;
    m.usable = true;
    for (int id : strata[index]) {
      const Rule& r = program.rules[size_t(id)];
      RuleMemo* rm = size_t(id) < plan->memoizable.size() && plan->memoizable[size_t(id)]
                         ? memo_for(r)
                         : nullptr;
      if (!rm || !lhs_state(r).lattice.empty()) {
        m.usable = false;
        break;
      }
      for (const CollectionState* c : rm->inputs)
        if (std::find(m.inputs.begin(), m.inputs.end(), c) == m.inputs.end()) m.inputs.push_back(c);
      CollectionState* head = &lhs_state(r);
      if (std::find(m.heads.begin(), m.heads.end(), head) == m.heads.end()) m.heads.push_back(head);
    }
    m.added.resize(m.heads.size());
    m.schemas.resize(m.heads.size());
  }
  return m.usable ? &m : nullptr;
}

void Node::State::run_rounds(size_t index) {
  const std::vector<int>& rules = strata[index];
  const StratumPlan& plan = stratum_plans[index];
  stratum_heads = &plan.heads;
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
  // A round's deltas (round_delta, round_next) and the collections that grew (a lattice
  // grows without a delta).
  using Grew = std::vector<const CollectionState*>;
  auto delta_of = [](Deltas& ds, const CollectionState* cs) -> std::vector<const Tuple*>& {
    for (auto& [c, d] : ds)
      if (c == cs) return d;
    return ds.emplace_back(cs, std::vector<const Tuple*>{}).second;
  };
  auto empty_all = [](Deltas& ds) {
    // A large delta's storage is given back (the peak of a large fixpoint is what it
    // holds at once); a small one keeps it for the next round.
    for (auto& [c, d] : ds)
      if (d.capacity() > 4096)
        std::vector<const Tuple*>().swap(d);
      else
        d.clear();
  };
  auto note = [](Grew& g, const CollectionState* cs) {
    if (std::find(g.begin(), g.end(), cs) == g.end()) g.push_back(cs);
  };
  if (sites.size() < program.rules.size()) sites.resize(program.rules.size());
  Deltas& delta = round_delta;
  Deltas& next = round_next;
  empty_all(delta);
  Grew grew;
  for (int id : rules) {
    const Rule& r = program.rules[size_t(id)];
    auto& rec = sites[size_t(id)];
    rec.clear();
    recording = &rec;
    CollectionState& head = lhs_state(r);
    bool g = apply_merge(r, &delta_of(delta, &head));
    recording = nullptr;
    if (g) note(grew, &head);
  }
  int64_t rounds = 1;
  while (!grew.empty()) {
    if (++rounds > options.max_rounds) {
      std::set<std::string> growing;
      for (const CollectionState* c : grew) growing.insert(c->decl->name);
      too_many_rounds(rules, growing);
    }
    empty_all(next);
    Grew next_grew;
    for (size_t k = 0; k < rules.size(); ++k) {
      int id = rules[k];
      const Rule& r = program.rules[size_t(id)];
      CollectionState& head = lhs_state(r);
      if (!plan.seminaive[k]) {
        if (apply_merge(r, &delta_of(next, &head))) note(next_grew, &head);
        continue;
      }
      for (const auto& [site, coll] : sites[size_t(id)]) {
        const std::vector<const Tuple*>* d = nullptr;
        for (const auto& [c, facts] : delta)
          if (c == coll) d = &facts;
        if (!d || d->empty()) continue;
        delta_site = site;
        delta_tuples = d;
        bool g = apply_merge(r, &delta_of(next, &head));
        delta_site = nullptr;
        delta_tuples = nullptr;
        if (g) note(next_grew, &head);
      }
    }
    delta.swap(next);
    grew = std::move(next_grew);
  }
}

void Node::State::begin_step(const StepInput& input) {
  for (auto& [name, cs] : colls)
    if (!persistent(cs.decl->kind)) clear(cs);
  for (auto& [name, cs] : colls) {
    if (!cs.has_pending()) continue;  // nothing deferred to it (most, most timesteps)
    if (cs.has_pending_value) {
      Derivation d = rule_derivation(program.rules[size_t(cs.pending_rule)], Derivation::Deferred);
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
    std::string by;  // names the rule in a key conflict: made once per run of its facts
    int by_rule = -1;
    for (auto& p : pend) {
      const Rule& r = program.rules[size_t(p.rule)];
      Derivation d;
      if (prov()) {
        d = rule_derivation(r, Derivation::Deferred);
        d.budtime = p.budtime;
        d.premises = std::move(p.why);
      }
      if (p.rule != by_rule) {
        by = rule_label(r) + ", applied at timestep " + std::to_string(budtime);
        by_rule = p.rule;
      }
      insert(cs, p.tuple, r.location, by, &d);
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
  const std::string by =
      input.facts.empty() ? std::string() : "input fact at timestep " + std::to_string(budtime);
  // Input facts mostly come in runs of one collection: the collection is found once per
  // run, and its key hash made large enough for the run (a graph's edges, say) at once.
  CollectionState* cs = nullptr;
  const std::string* cs_name = nullptr;
  Derivation in;
  in.budtime = budtime;
  for (size_t i = 0; i < input.facts.size(); ++i) {
    const auto& [name, t] = input.facts[i];
    if (!cs_name || *cs_name != name) {
      cs = find_state(name);
      if (!cs)
        throw EvalError{"calm-eval-error", "input fact for unknown collection '" + name + "'", {}};
      cs_name = &name;
      in.kind = cs->decl->kind == CollectionKind::Channel ? Derivation::Message : Derivation::Input;
      size_t run = 1;
      while (i + run < input.facts.size() && input.facts[i + run].first == name) ++run;
      if (run >= 64 && cs->lattice.empty()) cs->rows.reserve(cs->rows.size() + run);
    }
    if (cs->decl->kind == CollectionKind::Table && !cs->all_key && !in_rules.count(name))
      if (bool first = replaced.insert({name, key_of(*cs, t)}).second; first)
        if (const Tuple* old = find_key(*cs, t); old && *old != t) erase(*cs, Tuple(*old));
    insert(*cs, t, {}, by, &in);
  }
}

}  // namespace calm::eval
