// A rule's right-hand side (eval_coll: the operator dispatch) and applying a rule:
// merges (<=) now, deferred effects (<+ <- <+- <~) at the end of the timestep.

#include "eval/node_state.h"
#include "model/bud_operators.h"

namespace calm::eval {

bool Node::State::is_lattice(const std::string& c) const {
  const CollectionState* cs = find_state(c);
  return cs && !cs->lattice.empty();
}

bool Node::State::set_rooted(const Expr& e0) const {
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

Relation Node::State::value_relation(const Expr& e, Value v, bool raw) const {
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

Relation Node::State::eval_ruby(const Expr& e, bool raw) {
  Interpreter ip = interp();
  Scope scope;
  return value_relation(e, ip.eval(e, scope), raw);
}

Relation Node::State::eval_reduce(const Expr& e, const Relation& in, bool raw) {
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

Node::State::CollPlan Node::State::plan_coll(const Expr& e0) const {
  using K = CollPlan::Kind;
  const Expr& e = *strip_parens(&e0);
  CollPlan p;
  p.e = &e;
  auto plan = [&](K k) {
    p.kind = k;
    return p;
  };
  if (std::string c = collection_named(e); !c.empty()) {
    if (is_lattice(c)) return plan(K::Ruby);
    p.text = c;
    return plan(K::Scan);
  }
  // A product on its own, `(a * b)`: Bud's join object, whose rows are the pairs.
  if (const Expr* op = e.type == "binary" ? e.child("operator") : nullptr;
      op && op->text == "*" && set_rooted(e))
    return plan(K::ProductPairs);
  if (e.type == "call") {
    const Expr* recv = e.child("receiver");
    const Expr* block = e.child("block");
    std::string m = e.child("method") ? e.child("method")->text : "";
    p.recv = recv;
    p.block = block;
    p.m = m;
    if (!recv) {
      if ((m == "join" || m == "natjoin" || m == "leftjoin") && !block) return plan(K::Join2011);
      if (m == "outerjoin") {
        p.text = "2011 outerjoin (use leftjoin)";
        return plan(K::Unsupported);
      }
      std::string c = e.child("method") ? collection_named(*e.child("method")) : "";
      if (!c.empty() && block && !e.child("arguments")) {
        p.text = c;
        if (is_lattice(c)) return plan(K::LatticeBlock);
        p.inner = e.child("method");
        return plan(K::MapCollection);
      }
    } else if (std::string q = block && !e.child("arguments") && recv->type == "identifier"
                                   ? find_collection_named(e, /*with_block=*/true)
                                   : std::string();
               !q.empty() && !is_lattice(q)) {
      // `bed.pipe_out { |p| ... }`: a collection of an imported module, mapped.
      p.text = q;
      p.inner = &e;
      return plan(K::MapCollection);
    } else if (!set_rooted(*recv)) {
      // Methods of lattice values, constructors, Ruby values.
      return plan(K::Ruby);
    } else {
      const Expr* inner = strip_parens(recv);
      const Expr* star = inner->type == "binary" ? inner->child("operator") : nullptr;
      bool product = star && star->text == "*";
      bool no_args = !e.child("arguments");
      p.inner = inner;
      // The operator table (model/bud_operators.h) names the handler of each method.
      const BudOperator* jop = find_bud_operator(m, OperatorKind::JoinMethod);
      const BudOperator* op = find_bud_operator(m, OperatorKind::CollectionMethod);
      if (product && jop &&
          (jop->handler == EvalHandler::Join || jop->handler == EvalHandler::Flatten))
        return plan(K::Join);
      // `(a * b).pro { |x, y| ... }` (also map, collect): the product's pairs, mapped.
      if (product && (m == "pro" || m == "map" || m == "collect") && block && no_args)
        return plan(K::ProductMap);
      if (recv->type == "call" && !recv->child("receiver") && recv->child("method")) {
        std::string j = recv->child("method")->text;
        const BudOperator* jj = find_bud_operator(j, OperatorKind::JoinMethod);
        if (jj && jj->handler == EvalHandler::Join2011 &&
            (m == "map" || m == "pro" || m == "collect") && block) {
          p.m = j;
          return plan(K::Join2011Map);
        }
      }
      if (jop && jop->handler == EvalHandler::Flatten && no_args) return plan(K::Flatten);
      if (jop && (m == "lefts" || m == "rights") && no_args) return plan(K::JoinSide);
      if (op) {
        switch (op->handler) {
          case EvalHandler::Map:
          case EvalHandler::Select:
            if (block && no_args) {
              p.text = op->handler == EvalHandler::Map ? m : m == "reject" ? "reject" : "select";
              return plan(K::MapSelect);
            }
            break;
          case EvalHandler::NotIn:
            return plan(K::NotIn);
          case EvalHandler::Group:
            return plan(K::Group);
          case EvalHandler::Sort:
            if (no_args) return plan(K::Sort);
            break;
          case EvalHandler::EachWithIndex:
            if (no_args) return plan(K::EachWithIndex);
            break;
          case EvalHandler::Rename:
            return plan(K::Rename);
          case EvalHandler::ArgAgg:
            return plan(K::ArgAgg);
          case EvalHandler::Reduce:
            return plan(K::Reduce);
          case EvalHandler::Columns:
            if (no_args) return plan(K::Columns);
            break;
          case EvalHandler::Refused:
            p.text = "collection method '" + m + "' (" + std::string(op->why) + ")";
            return plan(K::Unsupported);
          default:  // Ruby on the tuples (InBlock, Ruby): the interpreter's
            return plan(K::Ruby);
        }
      }
    }
    if (is_collection_method(m) || (block && !recv)) {
      p.text = "collection expression '" + m + "'";
      return plan(K::Unsupported);
    }
  }
  // Anything else is Ruby that must produce an array of arrays.
  return plan(K::Ruby);
}

const Node::State::CollPlan& Node::State::plan_of(const Expr& e0) {
  // A reference into the map stays valid while plans for other nodes are added.
  auto [it, fresh] = names->plans.try_emplace(&e0);
  if (fresh) {
    it->second = plan_coll(e0);
    if (it->second.kind == CollPlan::Kind::Scan || it->second.kind == CollPlan::Kind::MapCollection)
      it->second.cs = &state_of(it->second.text, loc(*it->second.e));
  }
  return it->second;
}

Relation Node::State::eval_coll(const Expr& e0, bool raw) {
  using K = CollPlan::Kind;
  const CollPlan& p = plan_of(e0);
  const Expr& e = *p.e;
  switch (p.kind) {
    case K::Ruby:
      return eval_ruby(e, raw);
    case K::Scan:
      return scan_at(e, p.text, *p.cs);
    case K::ProductPairs:
      return eval_join(e, "pairs", e, raw);
    case K::Join2011:
      return eval_join_2011(e, p.m);
    case K::LatticeBlock: {
      // `s { |x| ... }` on an lset maps its elements, like lset#pro then reveal.
      const Value& v = known_state(p.text).value;
      if (v.lattice_type() != "lset" && v.lattice_type() != "lpset")
        unsupported(e, "a block applied to " + v.lattice_type() + " '" + p.text + "'");
      Relation out;
      Interpreter ip = interp();
      for (const auto& x : v.items())
        add_result(*p.block, ip.call_block(*p.block, {x}, {}), out, nullptr, raw);
      return out;
    }
    case K::MapCollection:
      return map_scan(*p.inner, p.text, *p.cs, *p.block, "map", raw);
    case K::Join:
      return eval_join(e, p.m, *p.inner, raw);
    case K::ProductMap:
      return eval_join(e, "pairs", *p.inner, raw);
    case K::Join2011Map:
      return eval_join_2011(*p.recv, p.m, p.block, raw);
    case K::Flatten:
      return eval_flatten(e, *p.recv, p.block, raw);
    case K::JoinSide:
      return eval_join_side(e, p.m, *p.recv, p.block, raw);
    case K::MapSelect: {
      // A scan mapped or filtered reads the stored rows in place.
      const CollPlan& rp = plan_of(*p.recv);
      if (rp.kind == K::Scan) return map_scan(*rp.e, rp.text, *rp.cs, *p.block, p.text, raw);
      return map_block(eval_coll(*p.recv), *p.block, p.text, raw);
    }
    case K::NotIn:
      return eval_notin(e, eval_coll(*p.recv));
    case K::Group: {
      Relation g = eval_group(e, eval_coll(*p.recv));
      return p.block ? map_block(g, *p.block, "map", raw) : g;
    }
    case K::Sort:
      return eval_sort(e, *p.recv, p.block);
    case K::EachWithIndex:
      return eval_each_with_index(*p.recv, p.block, raw);
    case K::Rename:
      return eval_rename(e, *p.recv, p.block, raw);
    case K::ArgAgg: {
      Relation best = eval_argagg(e, p.m, eval_coll(*p.recv));
      return p.block ? map_block(best, *p.block, "map", raw) : best;
    }
    case K::Reduce:
      return eval_reduce(e, eval_coll(*p.recv), raw);
    case K::Columns:
      return eval_columns(e, p.m, *p.recv, p.block, raw);
    case K::Unsupported:
      unsupported(e, p.text);
  }
  return eval_ruby(e, raw);
}

Derivation Node::State::rule_derivation(const Rule& r, Derivation::Kind kind) const {
  Derivation d;
  d.kind = kind;
  d.rule = r.id;
  d.location = r.location;
  d.budtime = budtime;
  return d;
}

std::vector<Value> Node::State::lattice_inputs(const Rule& r) {
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

CollectionState& Node::State::lhs_state_found(const Rule& r, RuleNames* n) {
  if (!n) return state_of(r.lhs, r.location);
  n->lhs = &state_of(r.lhs, r.location);
  return *n->lhs;
}

namespace {

bool memo_fits(const Relation& rel) {
  return rel.tuples.size() <= Node::State::kMemoFacts && !rel.coll && !rel.refs;
}
bool memo_fits(const std::vector<Value>& values) {
  return values.size() <= Node::State::kMemoFacts;
}

}  // namespace

template <typename T, typename F>
const T& Node::State::memoized(const Rule& r, T RuleMemo::*slot, F&& eval, T& scratch) {
  RuleMemo* memo = memo_for(r);
  if (!memo) return scratch = eval();
  const uint64_t key = memo_key(memo->inputs);
  if (memo->serves(key)) {
    if (recording) *recording = memo->sites;  // the scans a semi-naive round re-runs
    return memo->*slot;                       // the same contents: the same result
  }
  const bool worth = memo->worth_keeping(key);
  merge_inserted = 0;  // not what an earlier rule's join stored
  scratch = eval();
  // merge_inserted: eval() stored facts itself (eval_join), so it gave only part.
  if (!worth || !memo_fits(scratch) || merge_inserted > 0) return scratch;
  memo->*slot = std::move(scratch);
  if (recording)
    memo->sites = *recording;
  else
    memo->sites.clear();
  memo->keep(key);
  return memo->*slot;
}

Node::State::RuleMemo* Node::State::memo_for(const Rule& r) {
  if (!options.reuse_results || prov() || delta_site || !plan ||
      size_t(r.id) >= plan->memoizable.size() || !plan->memoizable[size_t(r.id)] ||
      own_names(r) == nullptr)
    return nullptr;
  if (memos.size() < program.rules.size()) memos.resize(program.rules.size());
  RuleMemo& m = memos[size_t(r.id)];
  if (!m.resolved) {
    m.resolved = true;
    m.usable = true;
    m.inputs.push_back(&lhs_state(r));
    for (const auto& ref : r.refs) {
      const CollectionState* c = find_state(ref.collection);
      if (!c) m.usable = false;
      m.inputs.push_back(c);
    }
  }
  return m.usable ? &m : nullptr;
}

uint64_t Node::State::memo_key(const std::vector<const CollectionState*>& inputs) {
  uint64_t k = 0x243f6a8885a308d3ULL;
  for (const CollectionState* c : inputs) {
    k = fmix64(k ^ (c->rows.sequence() + (c->schema ? 0x9e3779b97f4a7c15ULL : 0)));
  }
  return k;
}

bool Node::State::apply_merge(const Rule& r, std::vector<const Tuple*>* added) {
  set_rule(r);
  CollectionState& cs = lhs_state(r);
  Derivation d;  // how each fact was derived: made only with provenance
  if (prov()) d = rule_derivation(r);
  if (!cs.lattice.empty()) {
    std::vector<Value> scratch;
    const std::vector<Value>& inputs = memoized(
        r, &RuleMemo::values, [&] { return lattice_inputs(r); }, scratch);
    if (inputs.size() > 2) {
      // Many inputs (a block over a collection, `best <= path { |p| {[p.from, p.to] =>
      // p.cost} }`) are merged with each other pairwise first, then into the collection
      // once: merging each into the growing value would copy that value once per input.
      // A lattice's merge is associative and commutative, so the value is the same. Where
      // that fails (an input Bud refuses, the fact limit), the inputs are merged one by
      // one as before, so the error is the one that merge reports.
      const Value before = cs.value;
      auto why_before = cs.why;
      try {
        std::vector<Value> level;
        for (const auto& v : inputs)
          if (!v.is_nil()) level.push_back(lattice_from(cs.lattice, v));
        while (level.size() > 1) {
          std::vector<Value> next;
          for (size_t i = 0; i + 1 < level.size(); i += 2)
            next.push_back(lattice_merge(level[i], level[i + 1]));
          if (level.size() % 2) next.push_back(std::move(level.back()));
          level = std::move(next);
        }
        return !level.empty() && merge_value(cs, level[0], r.location, &d);
      } catch (const LatticeError&) {
      } catch (const EvalError&) {
        if (!(cs.value == before)) set_value(cs, before);
        cs.why = std::move(why_before);
      }
    }
    bool grew = false;
    for (const auto& v : inputs) grew |= merge_value(cs, v, r.location, &d);
    return grew;
  }
  Relation scratch;  // the result, unless it is the memo's
  const Relation* result = &scratch;
  merge_inserted = 0;
  if (r.op == RuleOp::Append) {
    // `coll << [1, 2]` inserts one tuple.
    Interpreter ip = interp();
    Scope scope;
    Value v = ip.eval(r.rhs, scope);
    if (!v.is_array()) fail(r.rhs, "<< of " + v.inspect() + ", not a tuple");
    scratch.tuples.push_back(v.items());
    if (prov()) scratch.why.push_back({});
  } else {
    result = &memoized(
        r, &RuleMemo::out,
        [&] {
          if (cs.all_key && !cs.inferred && !prov()) {
            merge_target = &cs;
            merge_rhs = strip_parens(&r.rhs);
            merge_added = added;
          }
          auto done = [&] {
            merge_target = nullptr;
            merge_added = nullptr;
          };
          try {
            Relation out = eval_coll(r.rhs);
            done();
            return out;
          } catch (...) {
            done();
            throw;
          }
        },
        scratch);
  }
  const Relation& rel = *result;
  if (cs.inferred && !cs.schema && rel.schema) cs.schema = rel.schema;
  bool grew = merge_inserted > 0;
  const std::string& label = rule_label(r);
  for (size_t i = 0; i < rel.tuples.size(); ++i) {
    if (prov()) d.premises = i < rel.why.size() ? rel.why[i] : Premises{};
    // The memo's tuples are copied, and only those the collection lacks (a result kept for
    // unchanged inputs is mostly stored already).
    if (result != &scratch && holds(cs, rel.tuples[i])) continue;
    if (insert(cs, result == &scratch ? std::move(scratch.tuples[i]) : Tuple(rel.tuples[i]),
               r.location, label, &d)) {
      grew = true;
      if (added) added->push_back(last_inserted);
    }
  }
  return grew;
}

void Node::State::apply_deferred(const Rule& r) {
  set_rule(r);
  CollectionState& cs = lhs_state(r);
  if (!cs.lattice.empty()) {  // `<+` on a lattice: merged at the next timestep
    std::vector<Value> scratch;
    for (const auto& v : memoized(
             r, &RuleMemo::values, [&] { return lattice_inputs(r); }, scratch)) {
      try {
        cs.pending_value =
            cs.has_pending_value ? lattice_merge(cs.pending_value, v) : lattice_from(cs.lattice, v);
      } catch (const LatticeError& le) {
        throw EvalError{"calm-eval-error", le.message + " (merging into '" + r.lhs + "')",
                        r.location};
      }
      cs.has_pending_value = true;
      cs.pending_rule = r.id;
    }
    return;
  }
  Relation scratch;
  const Relation& rel = memoized(
      r, &RuleMemo::out, [&] { return eval_coll(r.rhs); }, scratch);
  const std::string& label = rule_label(r);
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

Relation Node::State::eval_flatten(const Expr& e, const Expr& recv, const Expr* block, bool raw) {
  // (a * b).matches.flatten: concatenate each row's tuples.
  Relation rows = eval_coll(recv);
  Relation out;
  for (size_t i = 0; i < rows.tuples.size(); ++i) {
    Tuple t;
    for (const auto& v : rows.tuples[i]) {
      if (!v.is_array()) fail(e, "flatten of " + inspect(rows.tuples[i]) + ", not a join row");
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

Relation Node::State::eval_sort(const Expr& e, const Expr& recv, const Expr* block) {
  // Sorted tuples: the order matters only to a following each_with_index.
  Relation rel = eval_coll(recv);
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
      Value c = ip.call_block(
          *block,
          {Value::array(rel.tuples[x], rel.schema), Value::array(rel.tuples[y], rel.schema)}, {});
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

Relation Node::State::eval_each_with_index(const Expr& recv, const Expr* block, bool raw) {
  // [tuple, index] in the order of the tuples: sorted by `sort`, and without it
  // the collection's order (the order its tuples were stored in, as in Bud).
  Relation rel = eval_coll(recv);
  Relation out;
  for (size_t i = 0; i < rel.tuples.size(); ++i) {
    out.tuples.push_back({Value::array(rel.tuples[i], rel.schema), Value::integer(int64_t(i))});
    if (prov()) out.why.push_back(i < rel.why.size() ? rel.why[i] : Premises{});
  }
  return block ? map_block(out, *block, "map", raw) : out;
}

Relation Node::State::eval_rename(const Expr& e, const Expr& recv, const Expr* block, bool raw) {
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
      if (!side || side->type != "array") unsupported(*args[i], "rename columns not in [...]");
      for (const auto& c : side->children) {
        if (c.type == "[" || c.type == "]" || c.type == ",") continue;
        if (c.type != "simple_symbol") unsupported(c, "rename column '" + c.type + "'");
        cols.push_back(strip_colon(c.text));
      }
    }
  }
  if (args.empty() || args[0]->type != "simple_symbol" || cols.empty())
    unsupported(e, "rename arguments (expected :name, [keys] => [values])");
  Relation rel = eval_coll(recv);
  rel.schema = make_schema(cols);
  return block ? map_block(rel, *block, "map", raw) : rel;
}

Relation Node::State::eval_join_side(const Expr& e, const std::string& m, const Expr& recv,
                                     const Expr* block, bool raw) {
  // (a * b).matches.lefts: one operand of each join row.
  Relation rows = eval_coll(recv);
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

Relation Node::State::eval_columns(const Expr& e, const std::string& m, const Expr& recv,
                                   const Expr* block, bool raw) {
  std::string c = collection_named(recv);
  if (c.empty()) unsupported(e, "'" + m + "' of a collection expression");
  const CollectionState& cs = known_state(c);
  Relation r = scan_at(recv, c, cs);
  const Collection& d = *cs.decl;
  Relation out;
  std::vector<std::string> names;
  std::vector<size_t> idx;
  const auto& all = *r.schema;
  for (size_t i = 0; i < all.size(); ++i) {
    bool is_key = i < d.keys.size();
    bool keep = m == "keys" ? is_key : m == "values" ? !is_key : all[i] != d.location_column;
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

}  // namespace calm::eval
