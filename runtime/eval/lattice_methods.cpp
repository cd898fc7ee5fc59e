// The methods of Bud's built-in lattices, one row each (eval/methods.h), as Bud 0.9.9's
// lattice-lib.rb defines them. Which types calm knows a method on, and whether it is
// monotone, is the operator table's row (model/bud_operators.cpp); a row here runs it on
// the types where Bud 0.9.9 has it, and nowhere else (tests/eval/methods_test.cpp).

#include <algorithm>
#include <iterator>
#include <map>
#include <unordered_map>

#include "eval/lattice.h"
#include "eval/methods.h"
#include "model/bud_operators.h"

namespace calm::eval {

namespace {

using C = const MethodCall&;
using B = BlockUse;

Value lbool(bool b) { return Value::lattice("lbool", {}, {}, b); }
Value lmax(Value v) { return Value::lattice("lmax", {std::move(v)}); }

const std::string& type_of(C c) { return c.self.lattice_type(); }

[[noreturn]] void illegal_input(C c, const Value& v) {
  c.fail("illegal input to " + type_of(c) + "#" + c.name + ": " + v.inspect());
}

/// The argument, which must be a lattice of the receiver's type.
const Value& same_type(C c) {
  if (!c.arg(0).is_lattice() || c.arg(0).lattice_type() != type_of(c)) illegal_input(c, c.arg(0));
  return c.arg(0);
}

/// lmax/lmin compared with a plain value: an lbool.
Value compare(C c, const char* op) { return lbool(c.op(op, c.self.items()[0], c.arg(0)).truthy()); }

/// The multiplicity of `k` in an lbag.
int64_t multiplicity(const Value& bag, const Value& k) {
  for (size_t i = 0; i < bag.items().size(); ++i)
    if (bag.items()[i] == k) return bag.hash_values()[i].as_int();
  return 0;
}

/// lmap: the value at key `k`, or nullptr.
const Value* map_at(const Value& map, const Value& k) {
  for (size_t i = 0; i < map.items().size(); ++i)
    if (map.items()[i] == k) return &map.hash_values()[i];
  return nullptr;
}

Value bag_combine(C c, bool sum) {
  const Value& other = same_type(c);
  const Value& r = c.self;
  std::vector<Value> keys, vals;
  for (size_t i = 0; i < r.items().size(); ++i) {
    const Value& k = r.items()[i];
    int64_t a = r.hash_values()[i].as_int(), b = multiplicity(other, k);
    if (!sum && b == 0) continue;
    keys.push_back(k);
    vals.push_back(Value::integer(sum ? a + b : std::min(a, b)));
  }
  if (sum)
    for (size_t j = 0; j < other.items().size(); ++j)
      if (multiplicity(r, other.items()[j]) == 0) {
        keys.push_back(other.items()[j]);
        vals.push_back(other.hash_values()[j]);
      }
  return lattice_from(type_of(c), Value::hash(keys, vals));
}

/// An lmap with `f` applied to each value (apply, apply_morph).
Value map_apply(C c) {
  if (c.arg(0).kind() != Value::Kind::Symbol) c.fail(c.name + " needs a method name symbol");
  const std::string& method = c.arg(0).as_string();
  std::vector<Value> rest(c.args.begin() + 1, c.args.end());
  std::vector<Value> out;
  for (const auto& v : c.self.hash_values()) {
    MethodCall inner{c.in, c.at, v, method, rest, nullptr, c.scope};
    Value res = run_lattice_method(inner);
    if (!res.is_lattice())
      c.fail(c.name + "(:" + method + ") returned " + res.inspect() + ", not a lattice value");
    out.push_back(res);
  }
  return Value::lattice(type_of(c), c.self.items(), out);
}

Value eqjoin(C c) {
  const Value& other = c.arg(0);
  if (!other.is_lattice() || (other.lattice_type() != "lset" && other.lattice_type() != "lpset"))
    illegal_input(c, other);
  std::vector<std::pair<int64_t, int64_t>> preds;
  if (c.n() == 2) {
    const Value& h = c.arg(1);
    if (h.kind() != Value::Kind::Hash) c.fail(c.name + " predicates must be a hash");
    for (size_t i = 0; i < h.items().size(); ++i) {
      if (h.items()[i].kind() != Value::Kind::Int || h.hash_values()[i].kind() != Value::Kind::Int)
        c.unsupported("eqjoin predicates on field names (use column indexes)");
      preds.push_back({h.items()[i].as_int(), h.hash_values()[i].as_int()});
    }
  }
  auto field = [](const Value& t, int64_t i) {
    return t.is_array() && i >= 0 && size_t(i) < t.items().size() ? t.items()[size_t(i)] : Value();
  };
  std::vector<Value> out;
  for (const auto& a : c.self.items())
    for (const auto& b : other.items()) {
      bool match = true;
      for (const auto& [l, r] : preds) match = match && field(a, l) == field(b, r);
      if (!match) continue;
      if (!c.block) {
        out.push_back(Value::array({a, b}));
      } else if (Value v = c.call({a, b}); !v.is_nil()) {
        out.push_back(v);
      }
    }
  return lattice_from("lset", Value::set(out));
}

/// An lmap from each group key (the element's columns at the given indexes) to an lmax
/// count of the elements in the group.
Value group_count(C c) {
  if (!c.arg(0).is_array()) c.fail("group_count needs an array of column indexes");
  std::map<Value, int64_t> counts;
  for (const auto& x : c.self.items()) {
    if (!x.is_array()) c.fail("group_count only works if lset elements are type Array");
    std::vector<Value> key;
    for (const auto& ix : c.arg(0).items()) {
      if (ix.kind() != Value::Kind::Int || ix.as_int() < 0 ||
          size_t(ix.as_int()) >= x.items().size())
        c.fail("lset element in group_count does not have column index " + ix.inspect());
      key.push_back(x.items()[size_t(ix.as_int())]);
    }
    ++counts[Value::array(std::move(key))];
  }
  std::vector<Value> keys, vals;
  for (const auto& [k, n] : counts) {
    keys.push_back(k);
    vals.push_back(lmax(Value::integer(n)));
  }
  return lattice_from("lmap", Value::hash(keys, vals));
}

// clang-format off
const LatticeMethod kLatticeMethods[] = {
  // ---- Every lattice ---------------------------------------------------------------------
  {"reveal", "*", 0, 0, B::None, [](C c) { return lattice_reveal(c.self); }},
  {"merge", "*", 1, 1, B::None, [](C c) { return lattice_merge(c.self, c.arg(0)); }},

  // ---- lmax, lmin --------------------------------------------------------------------------
  {"gt", "lmax", 1, 1, B::None, [](C c) { return compare(c, ">"); }},
  {"gt_eq", "lmax", 1, 1, B::None, [](C c) { return compare(c, ">="); }},
  {"lt", "lmin", 1, 1, B::None, [](C c) { return compare(c, "<"); }},
  {"lt_eq", "lmax", 1, 1, B::None, [](C c) { return compare(c, "<="); }},
  {"+", "lmax lmin", 1, 1, B::None, [](C c) {
     if (!c.arg(0).is_numeric()) illegal_input(c, c.arg(0));
     return Value::lattice(type_of(c), {c.op("+", c.self.items()[0], c.arg(0))});
   }},
  {"min_of", "lmax", 1, 1, B::None, [](C c) {
     if (!c.arg(0).is_numeric()) illegal_input(c, c.arg(0));
     return c.op("<", c.arg(0), c.self.items()[0]).truthy() ? Value::lattice("lmax", {c.arg(0)})
                                                            : c.self;
   }},

  // ---- lbool -------------------------------------------------------------------------------
  {"when_true", "lbool", 0, 0, B::Required,
   [](C c) { return c.self.as_bool() ? c.call({}) : Value(); }},

  // ---- lset, lpset -------------------------------------------------------------------------
  {"contains?", "lset lpset", 1, 1, B::None, [](C c) {
     const auto& items = c.self.items();
     return lbool(std::find(items.begin(), items.end(), c.arg(0)) != items.end());
   }},
  // lset/lpset: the elements; lmap: the keys (lbag's counts multiplicities, below).
  {"size", "lset lpset lmap", 0, 0, B::None,
   [](C c) { return lmax(Value::integer(int64_t(c.self.items().size()))); }},
  {"group_count", "lset lpset", 1, 1, B::None, group_count},
  {"pos_sum", "lpset", 0, 0, B::None, [](C c) {
     Value sum = Value::integer(0);
     for (const auto& x : c.self.items()) sum = c.op("+", sum, x);
     return lmax(sum);
   }},
  {"intersect", "lset lpset", 1, 1, B::None, [](C c) {
     const Value& other = same_type(c);
     std::vector<Value> out;
     std::set_intersection(c.self.items().begin(), c.self.items().end(), other.items().begin(),
                           other.items().end(), std::back_inserter(out));
     return Value::lattice(type_of(c), out);
   }},
  {"pro", "lset lpset", 0, 0, B::Required, [](C c) {
     std::vector<Value> out;
     for (const auto& x : c.self.items())
       if (Value v = c.call({x}); !v.is_nil()) out.push_back(v);
     return lattice_from("lset", Value::set(out));
   }},
  {"eqjoin", "lset lpset", 1, 2, B::Optional, eqjoin},

  // ---- lbag --------------------------------------------------------------------------------
  {"multiplicity", "lbag", 1, 1, B::None,
   [](C c) { return lmax(Value::integer(multiplicity(c.self, c.arg(0)))); }},
  {"contains?", "lbag", 1, 1, B::None,
   [](C c) { return lbool(multiplicity(c.self, c.arg(0)) > 0); }},
  {"size", "lbag", 0, 0, B::None, [](C c) {
     int64_t total = 0;
     for (const auto& v : c.self.hash_values()) total += v.as_int();
     return lmax(Value::integer(total));
   }},
  {"+", "lbag", 1, 1, B::None, [](C c) { return bag_combine(c, true); }},
  {"intersect", "lbag", 1, 1, B::None, [](C c) { return bag_combine(c, false); }},

  // ---- lmap --------------------------------------------------------------------------------
  {"at", "lmap", 1, 2, B::None, [](C c) {
     if (const Value* v = map_at(c.self, c.arg(0))) return *v;
     if (c.n() == 2 && c.arg(1).is_lattice()) return c.arg(1);
     c.fail("missing key for lmap#at(" + c.arg(0).inspect() + ") but no bottom type given");
   }},
  {"key?", "lmap", 1, 1, B::None, [](C c) { return lbool(map_at(c.self, c.arg(0)) != nullptr); }},
  {"key_set", "lmap", 0, 0, B::None, [](C c) { return Value::lattice("lset", c.self.items()); }},
  {"filter", "lmap", 0, 0, B::None, [](C c) {
     const auto& keys = c.self.items();
     const auto& vals = c.self.hash_values();
     std::vector<Value> k2, v2;
     for (size_t i = 0; i < keys.size(); ++i) {
       if (!vals[i].is_lattice() || vals[i].lattice_type() != "lbool")
         c.fail("filter invoked on non-boolean map value: " + vals[i].inspect());
       if (vals[i].as_bool()) {
         k2.push_back(keys[i]);
         v2.push_back(vals[i]);
       }
     }
     return Value::lattice(type_of(c), k2, v2);
   }},
  {"apply", "lmap", 1, -1, B::None, map_apply},
  {"apply_morph", "lmap", 1, -1, B::None, map_apply},
  {"intersect", "lmap", 1, 1, B::None, [](C c) {
     const Value& other = same_type(c);
     std::vector<Value> k2, v2;
     for (size_t j = 0; j < other.items().size(); ++j)
       if (const Value* v = map_at(c.self, other.items()[j])) {
         k2.push_back(other.items()[j]);
         v2.push_back(lattice_merge(*v, other.hash_values()[j]));
       }
     return lattice_from(type_of(c), Value::hash(k2, v2));
   }},
  {"to_collection", "lmap", 0, 0, B::Optional, [](C c) {
     const auto& keys = c.self.items();
     const auto& vals = c.self.hash_values();
     std::vector<Value> out;
     for (size_t i = 0; i < keys.size(); ++i)
       out.push_back(c.block ? c.call({keys[i], vals[i]}) : Value::array({keys[i], vals[i]}));
     return Value::array(out);
   }},
  {"lt_eq", "lmap", 1, 1, B::None, [](C c) {
     const Value& other = same_type(c);
     const auto& keys = c.self.items();
     for (size_t i = 0; i < keys.size(); ++i) {
       const Value* theirs = map_at(other, keys[i]);
       if (!theirs || !(lattice_merge(c.self.hash_values()[i], *theirs) == *theirs))
         return lbool(false);
     }
     return lbool(true);
   }},
};
// clang-format on

const std::unordered_map<std::string_view, std::vector<const LatticeMethod*>>& rows_by_name() {
  static const auto index = [] {
    std::unordered_map<std::string_view, std::vector<const LatticeMethod*>> m;
    for (const LatticeMethod& row : kLatticeMethods) m[row.name].push_back(&row);
    return m;
  }();
  return index;
}

}  // namespace

std::span<const LatticeMethod> lattice_methods() { return kLatticeMethods; }

bool runs_lattice_method(std::string_view type, std::string_view method) {
  auto it = rows_by_name().find(method);
  if (it == rows_by_name().end()) return false;
  for (const LatticeMethod* row : it->second)
    if (lattice_list_names(row->on, type)) return true;
  return false;
}

Value run_lattice_method(const MethodCall& c) {
  const std::string& type = type_of(c);
  if (!is_lattice_type(type)) c.unsupported("the lattice type " + type);
  bool named = false;
  try {
    if (auto it = rows_by_name().find(c.name); it != rows_by_name().end())
      for (const LatticeMethod* row : it->second) {
        if (!lattice_list_names(row->on, type)) continue;
        named = true;
        if (fits_call(row->min_args, row->max_args, row->block, c)) return row->run(c);
      }
  } catch (const LatticeError& le) {
    c.fail(le.message);
  }
  if (named)
    c.fail("wrong arguments for " + type + "#" + c.name + " (" + std::to_string(c.n()) +
           " argument(s)" + (c.block ? ", with a block" : "") + ")");
  // A method of the operator table the evaluator does not run, on a type the row names
  // (or a row that names none): refused, with the row's why.
  const BudOperator* op = find_bud_operator(c.name, OperatorKind::LatticeMethod);
  if (op && op->handler == EvalHandler::Refused &&
      (lattice_has_method(type, c.name) || (op->monotone_on.empty() && op->plain_on.empty())))
    c.unsupported("lattice method '" + c.name + "' of " + type + " (" + std::string(op->why) + ")");
  // One that calm's analysis knows on this type and Bud 0.9.9 does not define: refused.
  if (lattice_has_method(type, c.name))
    c.unsupported("lattice method '" + c.name + "' of " + type + " (calm's analysis knows it; " +
                  "Bud 0.9.9's " + type + " does not define it)");
  // Bud's NoMethodError.
  c.fail("undefined method '" + c.name + "' for " + type + " (Bud 0.9.9's " + type +
         " has no such method)");
}

}  // namespace calm::eval
