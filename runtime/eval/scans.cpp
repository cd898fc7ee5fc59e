// Naming collections in rule text and reading them: scans, blocks mapped over a
// collection, join operands and their columns.

#include "eval/node_state.h"

namespace calm::eval {

const Node::State::CompiledBlock& Node::State::compiled(const Expr& block,
                                                        const std::vector<Schema>& schemas) {
  auto it = projections.find(&block);
  if (it == projections.end() || it->second.schemas != schemas) {
    auto names = [this](const Expr& e) { return !collection_named(e).empty(); };
    CompiledBlock c{schemas, Projection::compile(block, schemas, names, this), std::nullopt};
    if (!c.whole) c.prefilter = Projection::compile_prefilter(block, schemas, names);
    if (c.whole) c.equalities = c.whole->column_equalities();
    if (c.prefilter) c.equalities = c.prefilter->column_equalities();
    it = projections.insert_or_assign(&block, std::move(c)).first;
  }
  return it->second;
}

void Node::State::set_rule(const Rule& r) {
  rule = &r;
  names = own_names(r);
  if (!names) {
    spare_names = RuleNames{};
    names = &spare_names;
  }
  if (names->ready) return;
  for (const auto& ref : r.refs)
    if (find_state(ref.collection))
      names->ref_at[{ref.location.line, ref.location.column}] = ref.collection;
  names->ready = true;
}

const std::string& Node::State::collection_named(const Expr& e) const {
  auto [it, fresh] = names->named.try_emplace(&e);
  if (fresh) it->second = find_collection_named(e);
  return it->second;
}

std::string Node::State::dotted_name(const Expr& e) {
  if (e.type == "identifier") return e.text;
  if (e.type != "call" || e.child("arguments") || e.child("block")) return "";
  const Expr* recv = e.child("receiver");
  const Expr* m = e.child("method");
  if (!recv || !m) return "";
  std::string r = dotted_name(*recv);
  return r.empty() ? "" : r + "." + m->text;
}

std::string Node::State::find_collection_named(const Expr& e, bool with_block) const {
  const auto& ref_at = names->ref_at;
  auto at = ref_at.find({e.line, e.column});
  if (e.type == "identifier") {
    if (at != ref_at.end() && (at->second == e.text || at->second.ends_with("." + e.text) ||
                               at->second.ends_with("::" + e.text)))
      return at->second;
    return find_state(e.text) ? e.text : "";
  }
  if (e.type == "call" && !e.child("arguments") && (!e.child("block") || with_block)) {
    const Expr* recv = e.child("receiver");
    const Expr* m = e.child("method");
    if (!recv || !m) return "";
    std::string r = dotted_name(*recv);
    if (r.empty()) return "";
    if (at != ref_at.end() && at->second.ends_with("." + m->text)) return at->second;
    std::string q = r + "." + m->text;
    return find_state(q) ? q : "";
  }
  return "";
}

const TupleSet& Node::State::contents(const std::string& c) const {
  const CollectionState* cs = find_state(c);
  return cs ? cs->rows.sorted() : empty;
}

Schema Node::State::schema(const std::string& c) const {
  const CollectionState* cs = find_state(c);
  return cs ? cs->schema : nullptr;
}

std::vector<std::string> Node::State::key_columns(const std::string& c) const {
  const CollectionState* cs = find_state(c);
  if (!cs || !cs->schema) return {};
  if (cs->all_key) return *cs->schema;
  std::vector<std::string> out;
  for (size_t i : cs->key_cols) out.push_back((*cs->schema)[i]);
  return out;
}

const HelperMethod* Node::State::helper(const std::string& name) const {
  for (const auto& h : program.helpers)
    if (h.name == name) return &h;
  return nullptr;
}

const ModuleConstant* Node::State::constant(const std::string& name) const {
  for (const auto& c : program.constants)
    if (c.name == name) return &c;
  return nullptr;
}

const Value* Node::State::instance_variable(const std::string& name) const {
  auto it = options.instance_variables.find(name);
  return it == options.instance_variables.end() ? nullptr : &it->second;
}

uint64_t Node::State::contents_key(const std::vector<std::string>& collections) const {
  uint64_t k = 0x452821e638d01377ULL;
  for (const auto& name : collections) {
    const CollectionState* c = find_state(name);
    if (!c) return 0;
    k = fmix64(k ^ (c->rows.sequence() + (c->schema ? 0x9e3779b97f4a7c15ULL : 0)));
  }
  return k | 1;  // never 0 ("not known")
}

uint64_t Node::State::random53() const {
  drew_random = true;
  return splitmix64_mix(random_state += kSplitmixGamma) >> 11;
}

const Value* Node::State::lattice_value(const std::string& c) const {
  const CollectionState* cs = find_state(c);
  return !cs || cs->lattice.empty() ? nullptr : &cs->value;
}

void Node::State::add_result(const Expr& where, const Value& v, Relation& out, const Premises* why,
                             bool raw) const {
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

void Node::State::add_projected(const Projection& p, const Tuple* const* row, const Expr& block,
                                Relation& out, const Premises* why, bool raw) const {
  if (!p.is_array() || raw) {
    add_result(block, p.value(row, budtime, address_value), out, why, raw);  // nil: dropped
    return;
  }
  if (!p.accepts(row, budtime, address_value)) return;  // the block gave nil
  out.tuples.push_back(p.apply(row, budtime, address_value));
  if (prov()) out.why.push_back(why ? *why : Premises{});
}

template <typename Row, typename Why>
Relation Node::State::map_rows(size_t n, Row row, Why why, const Schema& schema, const Expr& block,
                               std::string_view how, bool raw) {
  Relation out;
  if (how == "select" || how == "reject") out.schema = schema;
  if (n == 0) return out;  // the block runs for no tuple
  if (how == "map" || how == "pro" || how == "collect") {
    if (const Projection* proj = projection(block, {schema})) {
      std::optional<Interpreter> ip;  // for the rows the compiled block cannot decide
      for (size_t i = 0; i < n; ++i) {
        const Tuple* r = &row(i);
        if (proj->decides(&r, budtime, address_value)) {
          add_projected(*proj, &r, block, out, why(i), raw);
          continue;
        }
        if (!ip) ip.emplace(interp());
        add_result(block, ip->call_block(block, {Value::array(*r, schema)}, {}), out, why(i), raw);
      }
      return out;
    }
  }
  // A row the block's leading comparisons reject gives nil: nothing for map and its
  // kin, not selected by select; reject keeps it, so it runs the block for every row.
  const Projection* pre = how == "reject" ? nullptr : prefilter(block, {schema});
  Interpreter ip = interp();
  for (size_t i = 0; i < n; ++i) {
    const Tuple& t = row(i);
    if (pre) {
      const Tuple* r = &t;
      if (!pre->accepts(&r, budtime, address_value)) continue;
    }
    Value r = ip.call_block(block, {Value::array(t, schema)}, {});
    if (how == "filter_map") {
      if (r.truthy()) add_result(block, r, out, why(i), raw);
    } else if (how == "flat_map") {
      if (!r.truthy()) continue;
      if (!r.is_array()) fail(block, "flat_map block returned " + r.inspect() + ", not an array");
      for (const auto& x : r.items()) add_result(block, x, out, why(i), raw);
    } else if (how == "select" || how == "reject") {
      if (r.truthy() == (how == "select")) {
        out.tuples.push_back(t);
        if (prov()) {
          const Premises* w = why(i);
          out.why.push_back(w ? *w : Premises{});
        }
      }
    } else {
      add_result(block, r, out, why(i), raw);
    }
  }
  return out;
}

Relation Node::State::map_block(const Relation& in, const Expr& block, const std::string& how,
                                bool raw) {
  return map_rows(
      in.tuples.size(), [&](size_t i) -> const Tuple& { return in.tuples[i]; },
      [&](size_t i) { return why_of(in, i); }, in.schema, block, how, raw);
}

Relation Node::State::map_scan(const Expr& site, const std::string& name, const CollectionState& cs,
                               const Expr& block, const std::string& how, bool raw) {
  if (recording) recording->push_back({&site, &cs});
  // The rows by pointer: the delta this round, or everything stored. Nothing is stored
  // while the block runs (a rule's results are inserted after its right-hand side).
  std::vector<const Tuple*> all;
  const std::vector<const Tuple*>* rows = &site == delta_site ? delta_tuples : &all;
  if (rows == &all) {
    all.reserve(cs.rows.size());
    cs.rows.each([&](const Tuple& t, size_t) { all.push_back(&t); });
  }
  Premises premise;
  return map_rows(
      rows->size(), [&](size_t i) -> const Tuple& { return *(*rows)[i]; },
      [&](size_t i) -> const Premises* {
        if (!prov()) return nullptr;
        premise = {{name, *(*rows)[i]}};
        return &premise;
      },
      cs.schema, block, how, raw);
}

const Expr* Node::State::strip_parens(const Expr* e) const {
  while (e && e->type == "parenthesized_statements") {
    const Expr* inner = nullptr;
    for (const auto& c : e->children)
      if (c.type != "(" && c.type != ")") inner = inner ? nullptr : &c;
    if (!inner) return e;
    e = inner;
  }
  return e;
}

Relation Node::State::scan(const std::string& name) const {
  const auto& cs = known_state(name);
  Relation r{cs.schema, {}, {}, false};
  r.tuples.reserve(cs.rows.size());
  cs.rows.each([&](const Tuple& t, size_t) { r.tuples.push_back(t); });
  return stored_in(name, std::move(r));
}

Relation Node::State::stored_in(const std::string& name, Relation r) const {
  if (prov())
    for (const auto& t : r.tuples) r.why.push_back({{name, t}});
  return r;
}

Relation Node::State::scan_at(const Expr& e, const std::string& name, const CollectionState& cs) {
  if (recording) recording->push_back({&e, &cs});
  if (&e == delta_site) {
    Relation r{cs.schema, {}, {}, false};
    r.tuples.reserve(delta_tuples->size());
    for (const Tuple* t : *delta_tuples) r.tuples.push_back(*t);
    return stored_in(name, std::move(r));
  }
  return scan(name);
}

size_t Node::State::column(const Relation& r, const std::string& col, const Expr& where,
                           const std::string& what) const {
  if (!r.schema)
    fail(where, "cannot find column '" + col + "' of " + what + ": its columns are unknown");
  auto it = std::find(r.schema->begin(), r.schema->end(), col);
  if (it == r.schema->end()) fail(where, what + " has no column '" + col + "'");
  return size_t(it - r.schema->begin());
}

std::vector<const Expr*> Node::State::args_of(const Expr& call) const {
  std::vector<const Expr*> out;
  if (const Expr* a = call.child("arguments"))
    for (const auto& c : a->children)
      if (c.type != "(" && c.type != ")" && c.type != ",") out.push_back(&c);
  return out;
}

std::pair<int, std::string> Node::State::join_column(
    const Expr& e, int default_operand, const std::vector<std::string>& written) const {
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

int Node::State::operand_with(const std::vector<Relation>& ops,
                              const std::vector<std::string>& written, const std::string& col,
                              const Expr& where) const {
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

}  // namespace calm::eval
