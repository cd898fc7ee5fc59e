// Aggregation: group and Bud's aggregates (count, sum, min, max, avg, accum,
// bool_and/or, choose, choose_rand), argmin/argmax/argagg.

#include "eval/node_state.h"
#include "model/bud_operators.h"

namespace calm::eval {

std::vector<size_t> Node::State::group_columns(const Expr& arg, const Relation& in) const {
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

Value Node::State::aggregate(const Expr& where, const std::string& agg,
                             const std::vector<Value>& vals) const {
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

Relation Node::State::eval_group(const Expr& call, const Relation& in) {
  // No groups of an empty input (once the arguments were checked).
  if (in.tuples.empty() && names->checked.count(&call)) return Relation{};
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
    // Bud's aggregates: the operator table's rows (model/bud_operators.h).
    const BudOperator* row = find_bud_operator(g.name, OperatorKind::Aggregate);
    if (!row || row->handler != EvalHandler::Aggregate)
      unsupported(a, "aggregate '" + g.name + "'");
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
      unsupported(a,
                  "aggregate '" + g.name + "' with " + std::to_string(g.cols.size()) + " columns");
    aggs.push_back(g);
  }
  names->checked.insert(&call);
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

Relation Node::State::eval_argagg(const Expr& call, const std::string& m, const Relation& in) {
  auto args = args_of(call);
  std::string agg = m == "argmin" ? "min" : "max";
  size_t first = 0;
  if (m == "argagg") {
    if (args.empty() || args[0]->type != "simple_symbol") unsupported(call, "argagg without :agg");
    agg = strip_colon(args[0]->text);
    first = 1;
    // :choose picks one tuple per group, as group's choose does: the first;
    // :choose_rand one at random, drawn as group's choose_rand draws.
    if (agg != "min" && agg != "max" && agg != "choose" && agg != "choose_rand")
      unsupported(*args[0], "argagg aggregate '" + agg + "'");
  }
  const Expr* colx = args.size() == first + 2 ? args[first + 1] : nullptr;
  std::string colname = !colx                           ? ""
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

}  // namespace calm::eval
