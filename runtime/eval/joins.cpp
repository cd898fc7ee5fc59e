// Joins: `(a * b)` with pairs/lefts/rights/matches/combos/outer/flatten, the 2011
// `join [...]` forms, and notin.

#include <array>
#include <span>

#include "eval/node_state.h"

namespace calm::eval {

namespace {

/// The brackets and commas of an array literal (`join [a, b]`).
bool list_punct(const Expr& c) {
  const std::string_view t = c.type;
  return t == "[" || t == "]" || t == ",";
}

/// An operand's tuples grouped on some of their columns, for a hash join: the groups in
/// the order of their first tuples, each its tuples' indexes in order, all in one array
/// (no allocation per group).
class TupleGroups {
 public:
  /// Groups tuples 0..n-1 (`tuple(j)`) on columns `cols`.
  template <typename TupleAt>
  TupleGroups(size_t n, const std::vector<size_t>& cols, TupleAt tuple) {
    std::vector<uint32_t> group(n);
    std::vector<uint32_t> count;
    // Room for a group per tuple, up to 4096 groups: beyond, the table grows with the
    // groups (most operands have far fewer groups than tuples; room for one per tuple of
    // a large delta took the 1M-edge closure from 44 to 49 bytes per path at its peak).
    index_.reserve(std::min<size_t>(n, 4096));
    for (size_t j = 0; j < n; ++j) {
      const uint32_t tag = RowTable::tag(RowTable::columns_hash(tuple(j), cols));
      uint32_t g = index_.find(tag, [&](uint32_t x) {
        return RowTable::same_columns(tuple(first_[x]), tuple(j), cols);
      });
      if (g == FlatHash::kNone) {
        g = uint32_t(first_.size());
        first_.push_back(uint32_t(j));
        count.push_back(0);
        index_.insert(tag, g);
      }
      group[j] = g;
      ++count[g];
    }
    start_.resize(first_.size() + 1);
    for (size_t g = 0; g < count.size(); ++g) start_[g + 1] = start_[g] + count[g];
    order_.resize(n);
    std::vector<uint32_t> at(start_.begin(), start_.end() - 1);
    for (size_t j = 0; j < n; ++j) order_[at[group[j]]++] = uint32_t(j);
  }
  /// The indexes of the tuples of the group filed under `tag` whose first tuple (its
  /// index) `same` accepts; empty when there is none.
  template <typename Same>
  std::span<const uint32_t> find(uint32_t tag, Same same) const {
    uint32_t g = index_.find(tag, [&](uint32_t x) { return same(first_[x]); });
    if (g == FlatHash::kNone) return {};
    return {order_.data() + start_[g], order_.data() + start_[g + 1]};
  }

 private:
  FlatHash index_;               ///< tag -> group
  std::vector<uint32_t> first_;  ///< by group: its first tuple
  std::vector<uint32_t> start_;  ///< by group: where its tuples start in order_
  std::vector<uint32_t> order_;  ///< the tuples, group by group
};

}  // namespace

Relation Node::State::operand_at(const Expr& o0) {
  // A collection that is no lattice is planned as a scan.
  const CollPlan& p = plan_of(o0);
  const Expr& o = *p.e;
  if (p.kind != CollPlan::Kind::Scan) return eval_coll(o);
  const std::string& c = p.text;
  if (&o == delta_site && !prov()) {
    // The delta, read in place: the join takes the stored rows, nothing is copied.
    Relation r;
    r.schema = p.cs->schema;
    r.coll_name = c;
    r.refs = delta_tuples;
    return r;
  }
  if (&o == delta_site) return eval_coll(o);
  if (recording) recording->push_back({&o, p.cs});
  Relation r;
  r.schema = p.cs->schema;
  r.coll = p.cs;
  r.coll_name = c;
  return r;
}

Node::State::JoinRows Node::State::join(const std::vector<Relation>& ops,
                                        const std::vector<Pred>& preds, bool outer,
                                        const EmitRow* emit) {
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
  // (Probing with a relation larger than the collection would take 8 bytes per match for
  // the sort: 4 more bytes per path at the peak of the 1M-edge closure, for 1-2% fewer
  // instructions. The larger relation is hashed below instead.)
  if (ops.size() == 2 && !outer && ops[0].coll && op_size(ops[1]) < op_size(ops[0])) {
    // A small right side against a collection read in place: probe the collection's
    // index with each right tuple instead of scanning the collection.
    auto link = links(1);
    if (!link.empty()) {
      std::vector<size_t> cols0, cols1 = own_columns(link);
      for (const auto& l : link) cols0.push_back(l.second.second);
      const RowTable& table = ops[0].coll->rows;
      const RowTable::Index& ix = index_on(*ops[0].coll, cols0);
      // Each match as (slot, right index) in one word: sorted, these are the rows in the
      // order of the nested-loop join (the collection's insertion order first), sorted at
      // 8 bytes per match; a row takes 24 only when the caller keeps the rows.
      std::vector<uint64_t> matches;
      each_tuple(ops[1], [&](const Tuple& t, int j) {
        pick_columns(t, cols1, k);
        for (uint32_t slot : ix.find(k)) matches.push_back(uint64_t(slot) << 32 | uint32_t(j));
      });
      std::sort(matches.begin(), matches.end());
      const Tuple* row[2];
      JoinRows rows;
      rows.width = 2;
      if (!emit) {
        rows.at.reserve(2 * matches.size());
        rows.idx.reserve(2 * matches.size());
      }
      for (uint64_t m : matches) {
        uint32_t slot = uint32_t(m >> 32), j = uint32_t(m);
        row[0] = table.at(slot);
        row[1] = ops[1].coll ? ops[1].coll->rows.at(j) : &tuple_at(ops[1], j);
        if (emit) {  // an inner join with `emit`: each row goes out as it is made
          (*emit)(row);
          continue;
        }
        rows.at.insert(rows.at.end(), row, row + 2);
        rows.idx.push_back(int(slot));
        rows.idx.push_back(int(j));
      }
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
    // The last operand of an inner join with `emit`: each row goes out as it is made.
    const bool stream = emit && !outer && i + 1 == ops.size();
    std::vector<const Tuple*> row(stream ? i + 1 : 0);
    auto add = [&](size_t r, const Tuple* t, int j) {
      if (!stream) return next.extend(acc, r, t, j);
      std::copy(acc.row(r), acc.row(r) + i, row.begin());
      row[i] = t;
      (*emit)(row.data());
    };
    const std::vector<size_t> cols = own_columns(link);
    if (ops[i].coll) {
      const RowTable& table = ops[i].coll->rows;
      const RowTable::Index& ix = index_on(*ops[i].coll, cols);
      // The rows probe the index in batches: each key's hash slot is prefetched when
      // the key is made, and looked up once the batch is made, so that the cache misses
      // of a large index overlap.
      constexpr size_t kBatch = 16;
      std::array<Tuple, kBatch> keys;
      std::array<uint64_t, kBatch> hashes{};
      for (size_t r0 = 0; r0 < acc.size(); r0 += kBatch) {
        size_t n = std::min(kBatch, acc.size() - r0);
        for (size_t j = 0; j < n; ++j) {
          probe_key(r0 + j);
          keys[j].swap(k);
          hashes[j] = RowTable::key_hash(keys[j]);
          ix.prefetch(hashes[j]);
        }
        for (size_t j = 0; j < n; ++j) {
          size_t r = r0 + j;
          const RowTable::Index::Slots slots = ix.find(keys[j], hashes[j]);
          if (slots.empty()) {
            if (outer) next.extend(acc, r, nullptr, -1);
            continue;
          }
          for (uint32_t slot : slots) add(r, table.at(slot), int(slot));
        }
      }
    } else {
      // The operand's tuples grouped on the join columns, each group its tuples in order.
      const Relation& op = ops[i];
      auto tuple = [&](size_t j) -> const Tuple& { return tuple_at(op, j); };
      const TupleGroups groups(op_size(op), cols, tuple);
      for (size_t r = 0; r < acc.size(); ++r) {
        probe_key(r);
        auto group = groups.find(RowTable::tag(RowTable::key_hash(k)), [&](uint32_t first) {
          return RowTable::columns_equal(tuple(first), cols, k);
        });
        if (group.empty()) {
          if (outer) next.extend(acc, r, nullptr, -1);
          continue;
        }
        for (uint32_t j : group) add(r, &tuple(j), int(j));
      }
    }
    acc = std::move(next);
  }
  return acc;
}

template <typename F>
bool Node::State::join_pairs(const Relation& a, const Relation& b, const std::vector<Pred>& preds,
                             F&& f) {
  // The linked columns, in the order join() takes them (so that both ask for the same
  // indexes).
  std::vector<size_t> cols_a, cols_b;
  for (const Pred& p : preds) {
    if (p.right_op == 1 && p.left_op == 0) {
      cols_b.push_back(p.right_col);
      cols_a.push_back(p.left_col);
    } else if (p.left_op == 1 && p.right_op == 0) {
      cols_b.push_back(p.left_col);
      cols_a.push_back(p.right_col);
    }
  }
  if (cols_a.empty()) return false;
  auto b_at = [&](uint32_t j) -> const Tuple& {
    return b.coll ? *b.coll->rows.at(j) : tuple_at(b, j);
  };
  if (a.coll && op_size(b) < op_size(a)) {
    // As join(): the smaller b probes a's index; the matches, sorted as (slot, index in
    // b), come in the nested loop's order.
    const RowTable& table = a.coll->rows;
    const RowTable::Index& ix = index_on(*a.coll, cols_a);
    std::vector<uint64_t> matches;
    each_tuple(b, [&](const Tuple& t, int j) {
      for (uint32_t slot : ix.find_columns(t, cols_b, RowTable::columns_hash(t, cols_b)))
        matches.push_back(uint64_t(slot) << 32 | uint32_t(j));
    });
    std::sort(matches.begin(), matches.end());
    for (uint64_t m : matches) f(*table.at(uint32_t(m >> 32)), b_at(uint32_t(m)));
    return true;
  }
  if (b.coll) {
    // Each of a's tuples probes b's index, in batches whose hash slots are prefetched
    // (as join()).
    const RowTable& table = b.coll->rows;
    const RowTable::Index& ix = index_on(*b.coll, cols_b);
    constexpr size_t kBatch = 16;
    std::array<const Tuple*, kBatch> probes{};
    std::array<uint64_t, kBatch> hashes{};
    size_t n = 0;
    auto flush = [&] {
      for (size_t i = 0; i < n; ++i)
        for (uint32_t slot : ix.find_columns(*probes[i], cols_a, hashes[i]))
          f(*probes[i], *table.at(slot));
      n = 0;
    };
    each_tuple(a, [&](const Tuple& t, int) {
      probes[n] = &t;
      hashes[n] = RowTable::columns_hash(t, cols_a);
      ix.prefetch(hashes[n]);
      if (++n == kBatch) flush();
    });
    flush();
    return true;
  }
  const TupleGroups groups(op_size(b), cols_b,
                           [&](size_t j) -> const Tuple& { return tuple_at(b, j); });
  each_tuple(a, [&](const Tuple& t, int) {
    auto group = groups.find(RowTable::tag(RowTable::columns_hash(t, cols_a)), [&](uint32_t first) {
      return RowTable::same_columns(t, cols_a, tuple_at(b, first), cols_b);
    });
    for (uint32_t j : group) f(t, tuple_at(b, j));
  });
  return true;
}

Premises Node::State::row_why(const std::vector<Relation>& ops, const JoinRows& rows,
                              size_t r) const {
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

std::string Node::State::written_name(const Expr& o) const {
  const std::string_view t = o.type;  // compares the length before the characters
  return t == "identifier" ? o.text
         : t == "call" && o.child("receiver") && o.child("method")
             ? o.child("receiver")->text + "." + o.child("method")->text
             : "";
}

void Node::State::natural_preds(const std::vector<Relation>& ops, const Expr& where,
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

Relation Node::State::join_result(const std::vector<Relation>& ops, const JoinRows& rows,
                                  const std::string& method, const Expr* block, bool raw) {
  const std::string_view m = method;  // compares the length before the characters
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
    // A block with a term that indexes a value (has_items) may need the interpreter for
    // some rows: it runs the interpreter for all of them here.
    if (const Projection* proj = projection(*block, schemas_of(ops)); proj && !proj->has_items()) {
      for (size_t r = 0; r < rows.size(); ++r) {
        Premises w = row_why(ops, rows, r);
        add_projected(*proj, rows.row(r), *block, out, &w, raw);
      }
      return out;
    }
    const Projection* pre = prefilter(*block, schemas_of(ops));
    Interpreter ip = interp();
    for (size_t r = 0; r < rows.size(); ++r) {
      if (pre && !pre->accepts(rows.row(r), budtime, address_value)) continue;  // nil
      std::vector<Value> vals;
      for (size_t k = 0; k < rows.width; ++k) vals.push_back(row_value(ops, k, rows.row(r)[k]));
      Premises w = row_why(ops, rows, r);
      add_result(*block, ip.call_block(*block, {Value::array(std::move(vals))}, {}), out, &w, raw);
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

void Node::State::push_block_equalities(const Expr& block, const std::vector<Relation>& ops,
                                        std::vector<Pred>& preds) {
  // A small cross product is cheaper filtered row by row than hashed (the rows are the
  // same either way, in the same order).
  constexpr size_t kHashJoinFrom = 1024;  // rows of the cross product
  size_t product = 1;
  for (const Relation& o : ops) {
    product *= op_size(o);
    if (product == 0 || product >= kHashJoinFrom) break;
  }
  if (product < kHashJoinFrom) return;
  const CompiledBlock& c = compiled(block, schemas_of(ops));
  if (c.equalities.empty()) return;
  auto plain_values = [&](size_t op, size_t col) {
    bool plain = true;
    each_tuple(ops[op], [&](const Tuple& t, int) {
      if (!plain || col >= t.size()) return;
      switch (t[col].kind()) {
        case Value::Kind::Nil:
        case Value::Kind::Bool:
        case Value::Kind::Int:
        case Value::Kind::String:
        case Value::Kind::Symbol:
          return;
        default:  // 1 == 1.0 and [1] == [1.0], but neither is eql?
          plain = false;
      }
    });
    return plain;
  };
  for (const auto& e : c.equalities)
    if (e.left_input < ops.size() && e.right_input < ops.size() &&
        plain_values(e.left_input, e.left_column) && plain_values(e.right_input, e.right_column))
      preds.push_back({int(e.left_input), e.left_column, int(e.right_input), e.right_column});
}

Relation Node::State::eval_join(const Expr& call, const std::string& method, const Expr& product,
                                bool raw) {
  const std::string_view m = method;  // compares the length before the characters
  // The operands of a * b * c, found on the first run.
  RuleNames::JoinPlan& plan = names->joins[&call];
  if (plan.operands.empty()) {
    std::vector<const Expr*> stack = {&product};
    while (!stack.empty()) {
      const Expr* e = strip_parens(stack.back());
      stack.pop_back();
      const Expr* op = std::string_view(e->type) == "binary" ? e->child("operator") : nullptr;
      if (op && std::string_view(op->text) == "*") {
        stack.push_back(e->child("right"));  // the left one first
        stack.push_back(e->child("left"));
      } else {
        plan.operands.push_back(e);
      }
    }
  }
  const std::vector<const Expr*>& operands = plan.operands;
  std::vector<Relation> ops;
  ops.reserve(operands.size());
  for (const Expr* o : operands) ops.push_back(operand_at(*o));
  // An inner join with an empty operand has no rows. Once the join has been checked in
  // full (its predicates name columns its operands have), it answers so at once: most
  // joins of a protocol wait on a channel that is empty in most timesteps. (lefts,
  // rights and flatten give their result a schema even when it is empty.)
  const bool plain = m != "outer" && m != "lefts" && m != "rights" && m != "flatten";
  if (plain && names->checked.count(&call))
    for (const Relation& o : ops)
      if (op_size(o) == 0) return Relation{};
  if (m == "outer" && ops.size() != 2)
    unsupported(call, "outer join of " + std::to_string(ops.size()) + " collections");
  if (m == "outer") check_outer_right(call, *operands[1]);
  std::vector<Pred> preds = join_preds(plan, ops, [&] {
    std::vector<Pred> preds;
    std::vector<std::string> written;
    for (const Expr* o : operands) written.push_back(written_name(*o));
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
    return preds;
  });
  if (plain) names->checked.insert(&call);
  const RowTable* known = merge_target && &call == merge_rhs ? &merge_target->rows : nullptr;
  const Expr* block = call.child("block");
  if (block && (m == "pairs" || m == "combos" || m == "matches"))
    push_block_equalities(*block, ops, preds);
  if (known && block && !raw && !prov() && m != "lefts" && m != "rights" && m != "flatten") {
    // A `<=` rule into a set collection whose block only rearranges columns: each join
    // row is projected and checked against the target as the join makes it, so the rows
    // (most of them known results, in a recursive rule) are never stored.
    const Projection* proj = projection(*block, schemas_of(ops));
    if (proj && proj->is_array() && !proj->has_items()) {
      Relation out;
      // Where nothing reads the collection while the join runs (no operand is the
      // collection, no guard reads one) and the block gives its columns, new results
      // beyond the first kMemoFacts (more than a rule memo keeps) are stored as they are
      // found, with the hash their lookup made: insert() would hash them, look them up
      // and normalize them again. The first ones are stored then, before any later one,
      // so rows are stored in the order apply_merge would store them; the operands'
      // stored rows do not move (a table only grows at its end). merge_inserted > 0 tells
      // apply_merge (and its memo) that the result returned is not the whole result.
      CollectionState* into = merge_target;
      if (!into->schema || proj->reads_collections() || proj->width() != into->schema->size())
        into = nullptr;
      for (const Relation& o : ops)
        if (o.coll && o.coll == into) into = nullptr;
      bool storing = false;
      auto store = [&](Tuple&& t, uint64_t h) {
        const Tuple* stored = add_new(*into, std::move(t), h, rule->location, nullptr);
        ++merge_inserted;
        if (merge_added) merge_added->push_back(stored);
      };
      // A result the target does not hold: returned, or stored once more than a memo
      // keeps were found.
      auto fresh = [&](Tuple&& t, uint64_t h) {
        if (storing) {
          store(std::move(t), h);
          return;
        }
        out.tuples.push_back(std::move(t));
        if (into && out.tuples.size() > kMemoFacts) {
          storing = true;
          for (Tuple& r : out.tuples)  // a result found twice is stored once
            if (uint64_t rh = known->key_hash_of(r); known->find(r, rh) == RowTable::npos)
              store(std::move(r), rh);
          out.tuples.clear();
        }
      };
      // Results are looked up in batches: each one's hash slot is prefetched when it is
      // made, and looked up once the batch is full, so that the cache misses of a large
      // target overlap.
      constexpr size_t kBatch = 16;
      const std::vector<Projection::ColumnPick> picks = proj->column_picks();
      if (!picks.empty() && picks.size() <= Tuple::kInline && ops.size() == 2 && m != "outer" &&
          known->all_key()) {
        // The block picks columns (`{ |l, p| [l.from, p.to] }`, maybe behind a guard that
        // compares terms: `... if x.k != y.k`): each result is hashed and looked up from
        // its values where they lie in the join's two tuples, and built only when it is
        // new. Those tuples stay put while the head grows: a collection's rows never move
        // (an operand may be the head's own delta), and a computed operand's are its own.
        const size_t n = picks.size();
        struct Result {
          std::array<const Value*, Tuple::kInline> v;
          uint64_t h;
        };
        static const Value nil;
        std::array<Result, kBatch> results;
        size_t pending = 0;
        auto flush = [&] {
          for (size_t i = 0; i < pending; ++i) {
            const Result& r = results[i];
            auto same = [&](const Tuple& stored) {
              if (stored.size() != n) return false;
              for (size_t c = 0; c < n; ++c)
                if (!(stored[c] == *r.v[c])) return false;
              return true;
            };
            if (known->find_if(r.h, same) != RowTable::npos) continue;
            Tuple t;
            for (size_t c = 0; c < n; ++c) t.push_back(*r.v[c]);
            fresh(std::move(t), r.h);
          }
          pending = 0;
        };
        const bool guarded = proj->has_guards();
        bool linked = join_pairs(ops[0], ops[1], preds, [&](const Tuple& a, const Tuple& b) {
          const Tuple* row[2] = {&a, &b};
          if (guarded && !proj->accepts(row, budtime, address_value)) return;
          Result& r = results[pending];
          r.h = RowTable::hash_start(n);
          for (size_t c = 0; c < n; ++c) {
            const Value* v = Projection::column_at(row[picks[c].input], picks[c].column);
            r.v[c] = v ? v : &nil;
            r.h = RowTable::hash_step(r.h, *r.v[c]);
          }
          known->prefetch(r.h);
          if (++pending == kBatch) flush();
        });
        if (linked) {
          flush();
          return out;
        }
      }
      // Any other block: each result is projected into a reused tuple of the batch (most
      // results of a recursive rule are known already).
      std::array<Tuple, kBatch> batch;
      std::array<uint64_t, kBatch> hashes{};
      size_t pending = 0;
      auto flush = [&] {
        for (size_t i = 0; i < pending; ++i)
          if (known->find(batch[i], hashes[i]) == RowTable::npos) fresh(Tuple(batch[i]), hashes[i]);
        pending = 0;
      };
      EmitRow emit = [&](const Tuple* const* row) {
        if (!proj->accepts(row, budtime, address_value)) return;
        Tuple& t = batch[pending];
        proj->apply_into(row, budtime, address_value, t);
        hashes[pending] = known->key_hash_of(t);
        known->prefetch(hashes[pending]);
        if (++pending == kBatch) flush();
      };
      JoinRows rows = join(ops, preds, m == "outer", &emit);
      for (size_t r = 0; r < rows.size(); ++r) emit(rows.row(r));
      flush();
      return out;
    }
  }
  return join_result(ops, join(ops, preds, m == "outer"), method, block, raw);
}

void Node::State::check_outer_right(const Expr& call, const Expr& right) const {
  std::string c = collection_named(*strip_parens(&right));
  if (!c.empty() && stratum_heads && stratum_heads->count(c))
    unsupported(call, "outer join whose right side '" + c +
                          "' grows in the same stratum (Bud pads at the end of the stratum)");
}

std::vector<Node::State::Pred> Node::State::join_preds(
    RuleNames::JoinPlan& plan, const std::vector<Relation>& ops,
    const std::function<std::vector<Pred>()>& find) {
  auto same_schemas = [&] {
    if (plan.schemas.size() != ops.size()) return false;
    for (size_t i = 0; i < ops.size(); ++i) {
      const Schema &a = plan.schemas[i], &b = ops[i].schema;
      if (a != b && !(a && b && *a == *b)) return false;
    }
    return true;
  };
  if (plan.found && same_schemas()) return plan.preds;
  std::vector<Pred> preds = find();
  plan.schemas.clear();
  for (const Relation& o : ops) plan.schemas.push_back(o.schema);
  plan.preds = preds;
  plan.found = true;
  return preds;
}

Relation Node::State::eval_join_2011(const Expr& call, const std::string& join_kind,
                                     const Expr* block, bool raw) {
  const std::string_view kind = join_kind;  // compares the length before the characters
  RuleNames::JoinPlan& plan = names->joins[&call];
  std::vector<const Expr*> args;  // found only when the predicates are
  if (plan.operands.empty()) {
    args = args_of(call);
    if (args.empty() || args[0]->type != "array")
      unsupported(call, join_kind + " without [collections]");
    for (const auto& c : args[0]->children)
      if (!list_punct(c)) plan.operands.push_back(&c);
  }
  const std::vector<const Expr*>& operands = plan.operands;
  std::vector<Relation> ops;
  ops.reserve(operands.size());
  for (const Expr* c : operands) ops.push_back(operand_at(*c));
  // As in eval_join: an inner join with an empty operand has no rows, which it answers at
  // once once it has been checked in full (a 2011 protocol's joins wait on channels that
  // are empty in most timesteps).
  const bool inner = kind != "leftjoin";
  if (inner && names->checked.count(&call))
    for (const Relation& o : ops)
      if (op_size(o) == 0) return Relation{};
  if (kind == "leftjoin" && ops.size() != 2)
    unsupported(call, "leftjoin of " + std::to_string(ops.size()) + " collections");
  if (kind == "leftjoin") check_outer_right(call, *operands.back());
  std::vector<Pred> preds = join_preds(plan, ops, [&] {
    std::vector<Pred> preds;
    if (args.empty()) args = args_of(call);
    std::vector<std::string> written;
    for (const Expr* c : operands) written.push_back(written_name(*c));
    if (kind == "natjoin") {
      if (args.size() > 1) unsupported(*args[1], "natjoin with join columns");
      natural_preds(ops, call, preds);
    }
    for (size_t a = 1; a < args.size(); ++a) {
      if (args[a]->type != "array") unsupported(*args[a], "join argument '" + args[a]->type + "'");
      std::vector<std::pair<int, size_t>> cols;
      for (const auto& c : args[a]->children) {
        if (list_punct(c)) continue;
        auto jc = join_column(c, -1, written);
        if (jc.first < 0) unsupported(c, "join column without its collection");
        cols.push_back(
            {jc.first, column(ops[size_t(jc.first)], jc.second, c, written[size_t(jc.first)])});
      }
      for (size_t k = 1; k < cols.size(); ++k)
        preds.push_back({cols[k - 1].first, cols[k - 1].second, cols[k].first, cols[k].second});
    }
    return preds;
  });
  if (inner) names->checked.insert(&call);
  // `join([a, b]).map { |x, y| ... }` is `(a * b).pairs { |x, y| ... }`: the block gets
  // each row's tuples, and runs compiled or behind its prefilter.
  if (block && kind != "leftjoin") push_block_equalities(*block, ops, preds);
  return join_result(ops, join(ops, preds, kind == "leftjoin"), "pairs", block, raw);
}

Relation Node::State::eval_notin(const Expr& call, const Relation& left) {
  auto args = args_of(call);
  if (args.empty()) unsupported(call, "notin without a collection");
  std::string rname = collection_named(*strip_parens(args[0]));
  // Nothing left of an empty receiver (once the arguments were checked). A collection
  // argument is read in place, not copied.
  if (left.tuples.empty() && !rname.empty() && names->checked.count(&call))
    return Relation{left.schema, {}, {}, false};
  const CollectionState* rcs = rname.empty() ? nullptr : &known_state(rname);
  Relation right = rcs ? Relation{rcs->schema, {}, {}, false} : eval_coll(*args[0]);
  std::vector<std::pair<size_t, size_t>> cols;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i]->type != "pair") unsupported(*args[i], "notin argument '" + args[i]->type + "'");
    std::vector<std::string> written = {"", args[0]->text};
    auto l = join_column(*args[i]->child("key"), 0, {});
    auto r = join_column(*args[i]->child("value"), 1, written);
    cols.push_back({column(left, l.second, *args[i], "the notin receiver"),
                    column(right, r.second, *args[i], "the notin argument")});
  }
  names->checked.insert(&call);
  const Expr* block = call.child("block");
  Relation out{left.schema, {}, {}, false};
  std::unordered_map<Tuple, std::vector<const Tuple*>, TupleHash> index;
  auto index_right = [&](const Tuple& t) {
    Tuple k;
    if (cols.empty() && !block) k = t;
    for (const auto& c : cols) k.push_back(c.second < t.size() ? t[c.second] : Value());
    index[k].push_back(&t);
  };
  if (rcs)
    rcs->rows.each([&](const Tuple& t, size_t) { index_right(t); });
  else
    for (const auto& t : right.tuples) index_right(t);
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
          if (ip.call_block(*block, {Value::array(t, left.schema), Value::array(*r, right.schema)},
                            {})
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

}  // namespace calm::eval
