#include "eval/lattice.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <vector>

#include "eval/ruby_text.h"

namespace calm::eval {

namespace {

struct TypeInfo {
  const char* type;
  const char* klass;
};

/// Bud's built-in lattice types and their classes (lattice-lib.rb). Their methods are
/// the operator table's rows (model/bud_operators.cpp) and eval/lattice_methods.cpp.
const std::vector<TypeInfo>& types() {
  static const std::vector<TypeInfo> t = {
      {"lmax", "MaxLattice"}, {"lmin", "MinLattice"},          {"lbool", "BoolLattice"},
      {"lset", "SetLattice"}, {"lpset", "PositiveSetLattice"}, {"lbag", "BagLattice"},
      {"lmap", "MapLattice"},
  };
  return t;
}

const TypeInfo* info(const std::string& type) {
  for (const auto& t : types())
    if (type == t.type) return &t;
  return nullptr;
}

[[noreturn]] void reject(const std::string& type, const Value& v,
                         const std::string& method = "initialize") {
  throw LatticeError{"illegal input to " + type + "#" + method + ": " + v.inspect()};
}

bool is_comparable(const Value& v) { return v.is_numeric() || v.kind() == Value::Kind::String; }

/// `a < b` for lmax/lmin payloads (numbers by value, strings by bytes).
bool less(const Value& a, const Value& b) {
  if (a.is_numeric() && b.is_numeric()) return a.as_float() < b.as_float();
  if (a.kind() == Value::Kind::String && b.kind() == Value::Kind::String)
    return a.as_string() < b.as_string();
  throw LatticeError{"comparison of " + a.inspect() + " with " + b.inspect() + " failed"};
}

/// Sorted keys with their values, later entries merged into earlier ones with `join`.
template <typename Join>
Value keyed(const std::string& type, const std::vector<Value>& keys,
            const std::vector<Value>& values, Join join) {
  std::map<Value, Value> m;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto [it, fresh] = m.emplace(keys[i], values[i]);
    if (!fresh) it->second = join(it->second, values[i]);
  }
  std::vector<Value> k, v;
  for (auto& [key, val] : m) {
    k.push_back(key);
    v.push_back(val);
  }
  return Value::lattice(type, std::move(k), std::move(v));
}

}  // namespace

bool is_lattice_type(const std::string& type) { return info(type) != nullptr; }

std::string lattice_type_of_class(const std::string& class_name) {
  std::string c = class_name;
  if (c.rfind("Bud::", 0) == 0) c = c.substr(5);
  for (const auto& t : types())
    if (c == t.klass) return t.type;
  return "";
}

Value lattice_bottom(const std::string& type) {
  double inf = std::numeric_limits<double>::infinity();
  if (type == "lmax") return Value::lattice(type, {Value::floating(-inf)});
  if (type == "lmin") return Value::lattice(type, {Value::floating(inf)});
  return Value::lattice(type, {});
}

Value lattice_from(const std::string& type, const Value& v) {
  if (v.is_lattice()) {
    if (v.lattice_type() != type) reject(type, v);
    return v;
  }
  if (type == "lmax" || type == "lmin") {
    if (!is_comparable(v)) reject(type, v);
    return Value::lattice(type, {v});
  }
  if (type == "lbool") {
    if (v.kind() != Value::Kind::Bool) reject(type, v);
    return Value::lattice(type, {}, {}, v.as_bool());
  }
  if (type == "lset" || type == "lpset") {
    std::vector<Value> items;
    if (v.kind() == Value::Kind::Array || v.kind() == Value::Kind::Set) {
      items = v.items();
    } else if (v.kind() == Value::Kind::Hash) {  // a Hash enumerates [key, value] pairs
      for (size_t i = 0; i < v.items().size(); ++i)
        items.push_back(Value::array({v.items()[i], v.hash_values()[i]}));
    } else {
      reject(type, v);
    }
    for (const auto& x : items) {
      if (x.is_lattice()) reject(type, v);
      if (type == "lpset" && (!x.is_numeric() || x.as_float() < 0)) reject(type, v);
    }
    return Value::lattice(type, Value::set(std::move(items)).items());
  }
  if (type == "lbag") {
    if (v.kind() != Value::Kind::Hash) reject(type, v);
    for (size_t i = 0; i < v.items().size(); ++i) {
      const Value& mult = v.hash_values()[i];
      if (v.items()[i].is_lattice() || mult.kind() != Value::Kind::Int || mult.as_int() <= 0)
        reject(type, v);
    }
    return keyed(type, v.items(), v.hash_values(), [](const Value&, const Value& b) { return b; });
  }
  if (type == "lmap") {
    if (v.kind() != Value::Kind::Hash) reject(type, v);
    for (size_t i = 0; i < v.items().size(); ++i)
      if (v.items()[i].is_lattice() || !v.hash_values()[i].is_lattice()) reject(type, v);
    return keyed(type, v.items(), v.hash_values(), [](const Value&, const Value& b) { return b; });
  }
  throw LatticeError{"unknown lattice type '" + type + "'"};
}

Value lattice_merge(const Value& a, const Value& b0) {
  const std::string& type = a.lattice_type();
  Value b = lattice_from(type, b0);
  if (type == "lmax" || type == "lmin") {
    const Value& x = a.items()[0];
    const Value& y = b.items()[0];
    // Bud: `i.reveal > @v ? i : self` (lmin: `<`), with Ruby's comparison: numbers by
    // value (bottom is -/+Infinity), strings by bytes, and a string against a number
    // (bottom included: an lmax of strings starts at -Infinity) fails as in Ruby.
    if (x.is_numeric() != y.is_numeric() ||
        (!x.is_numeric() && (x.kind() != Value::Kind::String || y.kind() != Value::Kind::String)))
      throw LatticeError{"comparison of " + ruby_class_name(y) + " with " + x.inspect() +
                         " failed"};
    bool b_wins = type == "lmax" ? less(x, y) : less(y, x);
    return b_wins ? b : a;
  }
  if (type == "lbool") return Value::lattice(type, {}, {}, a.as_bool() || b.as_bool());
  if (type == "lset" || type == "lpset") {
    std::vector<Value> items = a.items();
    items.insert(items.end(), b.items().begin(), b.items().end());
    return Value::lattice(type, Value::set(std::move(items)).items());
  }
  std::vector<Value> keys = a.items(), values = a.hash_values();
  keys.insert(keys.end(), b.items().begin(), b.items().end());
  values.insert(values.end(), b.hash_values().begin(), b.hash_values().end());
  if (type == "lbag")  // multiset union: the larger multiplicity
    return keyed(type, keys, values,
                 [](const Value& x, const Value& y) { return x.as_int() >= y.as_int() ? x : y; });
  return keyed(type, keys, values,
               [](const Value& x, const Value& y) { return lattice_merge(x, y); });
}

Value lattice_reveal(const Value& v) {
  const std::string& type = v.lattice_type();
  if (type == "lmax" || type == "lmin") return v.items()[0];
  if (type == "lbool") return Value::boolean(v.as_bool());
  if (type == "lset" || type == "lpset") return Value::set(v.items());
  return Value::hash(v.items(), v.hash_values());
}

size_t lattice_size(const Value& v) {
  size_t n = v.items().size();
  for (const auto& x : v.hash_values())
    if (x.is_lattice()) n += lattice_size(x);
  return std::max<size_t>(n, 1);
}

}  // namespace calm::eval
