// Ruby's methods of plain values that rule blocks call, one row each (eval/methods.h).
// A row names the method, the classes it applies to, its arity and how it takes a block;
// its function returns the result, or nullopt when the arguments' classes do not fit.
// The first row that fits a call runs. A method with no row is refused when Ruby's class
// has it and Ruby's NoMethodError otherwise (interpreter.cpp call_method).

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <unordered_map>

#include "eval/methods.h"
#include "eval/ruby_text.h"

namespace calm::eval {

namespace {

using K = Value::Kind;
using R = std::optional<Value>;
using C = const MethodCall&;
using B = BlockUse;

constexpr KindMask kInt = kind_bit(K::Int);
constexpr KindMask kFloat = kind_bit(K::Float);
constexpr KindMask kNumeric = kInt | kFloat;
constexpr KindMask kString = kind_bit(K::String);
constexpr KindMask kSymbol = kind_bit(K::Symbol);
constexpr KindMask kTime = kind_bit(K::Time);
constexpr KindMask kArray = kind_bit(K::Array);
constexpr KindMask kSet = kind_bit(K::Set);
constexpr KindMask kEnumerable = kArray | kSet;
constexpr KindMask kHash = kind_bit(K::Hash);
constexpr KindMask kAny = ~0u;

bool is_int(C c) { return c.self.kind() == K::Int; }

/// Rounds, truncates or converts a Float to an Integer the way Ruby does, or fails.
Value to_integer(C c, double f) {
  std::string why;
  if (auto i = float_to_int(f, why)) return Value::integer(*i);
  c.fail(why);
}

/// Same class as the receiver: a Set stays a Set.
Value like_self(C c, std::vector<Value> v) {
  return c.self.kind() == K::Set ? Value::set(std::move(v)) : Value::array(std::move(v));
}

/// An Array index, negative from the end; nullopt outside the array.
std::optional<size_t> array_index(C c, const Value& i) {
  int64_t k = i.as_int(), sz = int64_t(c.self.elements().size());
  if (k < 0) k += sz;
  if (k < 0 || k >= sz) return std::nullopt;
  return size_t(k);
}

/// Whether a Hash has the argument as a key.
bool has_key(C c) {
  const auto& keys = c.self.items();
  return std::find(keys.begin(), keys.end(), c.arg(0)) != keys.end();
}

/// A field of a Time's UTC breakdown plus `add` (Time#year is tm_year + 1900), or nullopt
/// outside the range utc_fields covers.
R time_field(C c, int std::tm::*field, int add = 0) {
  if (auto tm = utc_fields(c.self.as_time())) return Value::integer((*tm).*field + add);
  return std::nullopt;
}

// The bodies several rows share (Ruby's aliases: size/length, map/collect, ...).
R self(C c) { return c.self; }
R text_size(C c) { return Value::integer(int64_t(c.self.as_string().size())); }
R element_count(C c) { return Value::integer(int64_t(c.self.elements().size())); }
R hash_size(C c) { return Value::integer(int64_t(c.self.items().size())); }
R has_element(C c) {
  for (const auto& v : c.self.elements())
    if (Value::ruby_equal(v, c.arg(0))) return Value::boolean(true);
  return Value::boolean(false);
}
R hash_has_key(C c) { return Value::boolean(has_key(c)); }
R map_elements(C c) {
  std::vector<Value> out;
  for (const auto& v : c.self.elements()) out.push_back(c.call({v}));
  return Value::array(out);
}
R append_args(C c) {
  auto v = c.self.elements();
  v.insert(v.end(), c.args.begin(), c.args.end());
  return like_self(c, v);
}
/// The first n elements (Array#take, Array#first(n)).
R first_n(C c) {
  if (c.arg(0).kind() != K::Int) return std::nullopt;
  const auto& items = c.self.elements();
  size_t k = std::min(size_t(std::max<int64_t>(0, c.arg(0).as_int())), items.size());
  return Value::array({items.begin(), items.begin() + long(k)});
}
R microseconds(C c) {
  double s = c.self.as_time();
  return Value::integer(int64_t(std::llround((s - std::floor(s)) * 1e6)));
}

Value string_case(C c, int (*f)(int)) {
  std::string o = c.self.as_string();
  for (auto& ch : o) ch = char(f(static_cast<unsigned char>(ch)));
  return Value::string(o);
}

// clang-format off
const ValueMethod kValueMethods[] = {
  // ---- Every value (Object's) --------------------------------------------------------
  {"nil?", kAny, 0, 0, B::None, [](C c) -> R { return Value::boolean(c.self.is_nil()); }},
  {"to_s", kAny, 0, 0, B::None, [](C c) -> R { return Value::string(c.self.to_s()); }},
  {"inspect", kAny, 0, 0, B::None, [](C c) -> R { return Value::string(c.self.inspect()); }},
  {"dup", kAny, 0, 0, B::None, self},
  {"clone", kAny, 0, 0, B::None, self},
  {"freeze", kAny, 0, 0, B::None, self},
  {"==", kAny, 1, 1, B::None, [](C c) -> R { return c.op("==", c.self, c.arg(0)); }},
  {"!=", kAny, 1, 1, B::None, [](C c) -> R { return c.op("!=", c.self, c.arg(0)); }},
  {"eql?", kAny, 1, 1, B::None, [](C c) -> R { return c.op("eql?", c.self, c.arg(0)); }},
  {"hash", kAny, 0, 0, B::None,
   [](C c) -> R { return Value::integer(int64_t(c.self.hash_code() >> 1)); }},

  // ---- Integer and Float -------------------------------------------------------------
  {"to_i", kNumeric, 0, 0, B::None,
   [](C c) -> R { return is_int(c) ? c.self : to_integer(c, c.self.as_float()); }},
  {"to_f", kNumeric, 0, 0, B::None, [](C c) -> R { return Value::floating(c.self.as_float()); }},
  {"abs", kNumeric, 0, 0, B::None, [](C c) -> R {
     if (!is_int(c)) return Value::floating(std::fabs(c.self.as_float()));
     if (c.self.as_int() == INT64_MIN) c.fail(overflow_message(c.self.to_s() + ".abs"));
     return Value::integer(std::llabs(c.self.as_int()));
   }},
  {"zero?", kNumeric, 0, 0, B::None,
   [](C c) -> R { return Value::boolean(c.self.as_float() == 0); }},
  {"even?", kInt, 0, 0, B::None, [](C c) -> R { return Value::boolean(c.self.as_int() % 2 == 0); }},
  {"odd?", kInt, 0, 0, B::None, [](C c) -> R { return Value::boolean(c.self.as_int() % 2 != 0); }},
  {"succ", kInt, 0, 0, B::None, [](C c) -> R {
     int64_t out = 0;
     if (__builtin_add_overflow(c.self.as_int(), 1, &out))
       c.fail(overflow_message(c.self.to_s() + ".succ"));
     return Value::integer(out);
   }},
  {"pred", kInt, 0, 0, B::None, [](C c) -> R {
     int64_t out = 0;
     if (__builtin_sub_overflow(c.self.as_int(), 1, &out))
       c.fail(overflow_message(c.self.to_s() + ".pred"));
     return Value::integer(out);
   }},
  {"round", kNumeric, 0, 0, B::None,
   [](C c) -> R { return is_int(c) ? c.self : to_integer(c, std::round(c.self.as_float())); }},
  {"floor", kNumeric, 0, 0, B::None,
   [](C c) -> R { return is_int(c) ? c.self : to_integer(c, std::floor(c.self.as_float())); }},
  {"ceil", kNumeric, 0, 0, B::None,
   [](C c) -> R { return is_int(c) ? c.self : to_integer(c, std::ceil(c.self.as_float())); }},
  {"between?", kNumeric, 2, 2, B::None, [](C c) -> R {
     return Value::boolean(c.op(">=", c.self, c.arg(0)).truthy() &&
                           c.op("<=", c.self, c.arg(1)).truthy());
   }},

  // ---- String --------------------------------------------------------------------------
  {"size", kString | kSymbol, 0, 0, B::None, text_size},
  {"length", kString | kSymbol, 0, 0, B::None, text_size},
  {"empty?", kString, 0, 0, B::None,
   [](C c) -> R { return Value::boolean(c.self.as_string().empty()); }},
  {"to_sym", kString, 0, 0, B::None, [](C c) -> R { return Value::symbol(c.self.as_string()); }},
  {"to_i", kString, 0, 0, B::None, [](C c) -> R {
     const std::string& s = c.self.as_string();
     errno = 0;
     long long v = std::strtoll(s.c_str(), nullptr, 10);
     if (errno == ERANGE) c.fail(overflow_message("\"" + s + "\".to_i"));
     return Value::integer(v);
   }},
  {"to_f", kString, 0, 0, B::None,
   [](C c) -> R { return Value::floating(ruby_string_to_f(c.self.as_string())); }},
  {"upcase", kString, 0, -1, B::Ignored, [](C c) -> R { return string_case(c, std::toupper); }},
  {"downcase", kString, 0, -1, B::Ignored, [](C c) -> R { return string_case(c, std::tolower); }},
  {"strip", kString, 0, 0, B::None, [](C c) -> R {
     const std::string& s = c.self.as_string();
     size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
     return Value::string(b == std::string::npos ? "" : s.substr(b, e - b + 1));
   }},
  {"chomp", kString, 0, 0, B::None, [](C c) -> R {
     std::string o = c.self.as_string();
     if (!o.empty() && o.back() == '\n') o.pop_back();
     if (!o.empty() && o.back() == '\r') o.pop_back();
     return Value::string(o);
   }},
  {"reverse", kString, 0, 0, B::None, [](C c) -> R {
     const std::string& s = c.self.as_string();
     return Value::string(std::string(s.rbegin(), s.rend()));
   }},
  {"include?", kString, 1, 1, B::None, [](C c) -> R {
     if (c.arg(0).kind() != K::String) return std::nullopt;
     return Value::boolean(c.self.as_string().find(c.arg(0).as_string()) != std::string::npos);
   }},
  {"start_with?", kString, 1, 1, B::None, [](C c) -> R {
     if (c.arg(0).kind() != K::String) return std::nullopt;
     return Value::boolean(c.self.as_string().rfind(c.arg(0).as_string(), 0) == 0);
   }},
  {"end_with?", kString, 1, 1, B::None, [](C c) -> R {
     if (c.arg(0).kind() != K::String) return std::nullopt;
     const std::string &s = c.self.as_string(), &a = c.arg(0).as_string();
     return Value::boolean(s.size() >= a.size() &&
                           s.compare(s.size() - a.size(), a.size(), a) == 0);
   }},
  {"split", kString, 1, 1, B::None, [](C c) -> R {
     if (c.arg(0).kind() != K::String || c.arg(0).as_string().empty()) return std::nullopt;
     const std::string &s = c.self.as_string(), &a = c.arg(0).as_string();
     std::vector<Value> parts;
     size_t pos = 0;
     for (size_t f; (f = s.find(a, pos)) != std::string::npos; pos = f + a.size())
       parts.push_back(Value::string(s.substr(pos, f - pos)));
     parts.push_back(Value::string(s.substr(pos)));
     while (!parts.empty() && parts.back().as_string().empty()) parts.pop_back();
     return Value::array(parts);
   }},
  {"+", kString, 1, 1, B::Ignored, [](C c) -> R { return c.op("+", c.self, c.arg(0)); }},

  // ---- Time ----------------------------------------------------------------------------
  {"to_i", kTime, 0, 0, B::None,
   [](C c) -> R { return Value::integer(int64_t(std::floor(c.self.as_time()))); }},
  {"to_f", kTime, 0, 0, B::None, [](C c) -> R { return Value::floating(c.self.as_time()); }},
  {"utc", kTime, 0, 0, B::None, self},
  {"getutc", kTime, 0, 0, B::None, self},
  {"to_time", kTime, 0, 0, B::None, self},
  {"strftime", kTime, 1, 1, B::None, [](C c) -> R {
     if (c.arg(0).kind() != K::String) return std::nullopt;
     std::string error;
     auto text = ruby_strftime(c.self.as_time(), c.arg(0).as_string(), error);
     if (!text) c.unsupported("strftime directive " + error);
     return Value::string(*text);
   }},
  {"usec", kTime, 0, 0, B::None, microseconds},
  {"tv_usec", kTime, 0, 0, B::None, microseconds},
  {"year", kTime, 0, 0, B::None, [](C c) { return time_field(c, &std::tm::tm_year, 1900); }},
  {"month", kTime, 0, 0, B::None, [](C c) { return time_field(c, &std::tm::tm_mon, 1); }},
  {"mon", kTime, 0, 0, B::None, [](C c) { return time_field(c, &std::tm::tm_mon, 1); }},
  {"day", kTime, 0, 0, B::None, [](C c) { return time_field(c, &std::tm::tm_mday); }},
  {"mday", kTime, 0, 0, B::None, [](C c) { return time_field(c, &std::tm::tm_mday); }},
  {"hour", kTime, 0, 0, B::None, [](C c) { return time_field(c, &std::tm::tm_hour); }},
  {"min", kTime, 0, 0, B::None, [](C c) { return time_field(c, &std::tm::tm_min); }},
  {"sec", kTime, 0, 0, B::None, [](C c) { return time_field(c, &std::tm::tm_sec); }},
  {"wday", kTime, 0, 0, B::None, [](C c) { return time_field(c, &std::tm::tm_wday); }},
  {"yday", kTime, 0, 0, B::None, [](C c) { return time_field(c, &std::tm::tm_yday, 1); }},
  {"+", kTime, 1, 1, B::Ignored, [](C c) -> R { return c.op("+", c.self, c.arg(0)); }},
  {"-", kTime, 1, 1, B::Ignored, [](C c) -> R { return c.op("-", c.self, c.arg(0)); }},

  // ---- Symbol --------------------------------------------------------------------------
  {"to_sym", kSymbol, 0, 0, B::None, self},

  // ---- Array and Set (Enumerable) ------------------------------------------------------
  {"size", kEnumerable, 0, 0, B::None, element_count},
  {"length", kEnumerable, 0, 0, B::None, element_count},
  {"count", kEnumerable, 0, 0, B::Optional, [](C c) -> R {
     if (!c.block) return Value::integer(int64_t(c.self.elements().size()));
     int64_t n = 0;
     for (const auto& v : c.self.elements()) n += c.call({v}).truthy();
     return Value::integer(n);
   }},
  {"empty?", kEnumerable, 0, 0, B::None,
   [](C c) -> R { return Value::boolean(c.self.elements().empty()); }},
  {"include?", kEnumerable, 1, 1, B::None, has_element},
  {"member?", kEnumerable, 1, 1, B::None, has_element},
  {"to_a", kEnumerable, 0, 0, B::None, [](C c) -> R { return Value::array(c.self.elements()); }},
  {"first", kArray, 0, 0, B::None, [](C c) -> R {
     const auto& items = c.self.elements();
     return items.empty() ? Value() : items.front();
   }},
  {"last", kArray, 0, 0, B::None, [](C c) -> R {
     const auto& items = c.self.elements();
     return items.empty() ? Value() : items.back();
   }},
  {"at", kArray, 1, 1, B::Ignored, [](C c) -> R {
     if (c.arg(0).kind() != K::Int) return std::nullopt;
     auto i = array_index(c, c.arg(0));
     return i ? c.self.elements()[*i] : Value();
   }},
  {"fetch", kArray, 1, 2, B::None, [](C c) -> R {
     if (c.arg(0).kind() != K::Int) return std::nullopt;
     if (auto i = array_index(c, c.arg(0))) return c.self.elements()[*i];
     if (c.n() == 2) return c.arg(1);
     int64_t sz = int64_t(c.self.elements().size());
     c.fail("index " + c.arg(0).inspect() + " outside of array bounds: " + std::to_string(-sz) +
            "..." + std::to_string(sz));
   }},
  {"take", kArray, 1, 1, B::None, first_n},
  {"first", kArray, 1, 1, B::None, first_n},
  {"last", kArray, 1, 1, B::None, [](C c) -> R {
     if (c.arg(0).kind() != K::Int) return std::nullopt;
     const auto& items = c.self.elements();
     size_t k = std::min(size_t(std::max<int64_t>(0, c.arg(0).as_int())), items.size());
     return Value::array({items.end() - long(k), items.end()});
   }},
  {"drop", kArray, 1, 1, B::None, [](C c) -> R {
     if (c.arg(0).kind() != K::Int) return std::nullopt;
     const auto& items = c.self.elements();
     size_t k = std::min(size_t(std::max<int64_t>(0, c.arg(0).as_int())), items.size());
     return Value::array({items.begin() + long(k), items.end()});
   }},
  {"reverse", kArray, 0, 0, B::None, [](C c) -> R {
     const auto& items = c.self.elements();
     return Value::array({items.rbegin(), items.rend()});
   }},
  {"sort", kEnumerable, 0, 0, B::None, [](C c) -> R {
     auto v = c.self.elements();
     std::stable_sort(v.begin(), v.end(),
                      [&](const Value& a, const Value& b) { return c.op("<", a, b).truthy(); });
     return Value::array(v);
   }},
  {"uniq", kEnumerable, 0, 0, B::None, [](C c) -> R {
     std::vector<Value> u;
     for (const auto& v : c.self.elements())
       if (std::find(u.begin(), u.end(), v) == u.end()) u.push_back(v);
     return Value::array(u);
   }},
  {"compact", kEnumerable, 0, 0, B::None, [](C c) -> R {
     std::vector<Value> u;
     for (const auto& v : c.self.elements())
       if (!v.is_nil()) u.push_back(v);
     return like_self(c, u);
   }},
  {"flatten", kEnumerable, 0, 0, B::None, [](C c) -> R {
     std::vector<Value> u;
     std::function<void(const Value&)> add = [&](const Value& v) {
       if (v.is_array())
         for (const auto& x : v.items()) add(x);
       else
         u.push_back(v);
     };
     for (const auto& v : c.self.elements()) add(v);
     return Value::array(u);
   }},
  {"max", kEnumerable, 0, 0, B::None, [](C c) -> R {
     const auto& items = c.self.elements();
     if (items.empty()) return Value();
     Value best = items[0];
     for (const auto& v : items)
       if (c.op(">", v, best).truthy()) best = v;
     return best;
   }},
  {"min", kEnumerable, 0, 0, B::None, [](C c) -> R {
     const auto& items = c.self.elements();
     if (items.empty()) return Value();
     Value best = items[0];
     for (const auto& v : items)
       if (c.op("<", v, best).truthy()) best = v;
     return best;
   }},
  {"sum", kEnumerable, 0, 0, B::None, [](C c) -> R {
     Value s = Value::integer(0);
     for (const auto& v : c.self.elements()) s = c.op("+", s, v);
     return s;
   }},
  {"join", kEnumerable, 0, 1, B::None, [](C c) -> R {
     const auto& items = c.self.elements();
     std::string sep = c.n() ? c.arg(0).to_s() : "", out;
     for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i].to_s();
     return Value::string(out);
   }},
  {"push", kArray, 1, -1, B::None, append_args},
  {"<<", kEnumerable, 1, -1, B::None, append_args},
  {"concat", kArray, 1, 1, B::Ignored, [](C c) -> R {
     if (!c.arg(0).is_array()) return std::nullopt;
     return c.op("+", c.self, c.arg(0));
   }},
  {"index", kArray, 1, 1, B::None, [](C c) -> R {
     const auto& items = c.self.elements();
     for (size_t i = 0; i < items.size(); ++i)
       if (Value::ruby_equal(items[i], c.arg(0))) return Value::integer(int64_t(i));
     return Value();
   }},
  // Without a block, Ruby's enumerator of [element, index] pairs (for a following
  // `.map { |a, i| ... }`), as an array.
  {"each_with_index", kEnumerable, 0, 0, B::None, [](C c) -> R {
     const auto& items = c.self.elements();
     std::vector<Value> out;
     for (size_t i = 0; i < items.size(); ++i)
       out.push_back(Value::array({items[i], Value::integer(int64_t(i))}));
     return Value::array(out);
   }},
  {"values_at", kArray, 0, -1, B::None, [](C c) -> R {
     const auto& items = c.self.elements();
     std::vector<Value> out;
     for (const auto& a : c.args) {
       int64_t k = a.kind() == K::Int ? a.as_int() : -1;
       out.push_back(k >= 0 && size_t(k) < items.size() ? items[size_t(k)] : Value());
     }
     return Value::array(out);
   }},
  {"map", kEnumerable, 0, 0, B::Required, map_elements},
  {"collect", kEnumerable, 0, 0, B::Required, map_elements},
  {"select", kEnumerable, 0, 0, B::Required, [](C c) -> R {
     std::vector<Value> out;
     for (const auto& v : c.self.elements())
       if (c.call({v}).truthy()) out.push_back(v);
     return like_self(c, out);
   }},
  {"reject", kEnumerable, 0, 0, B::Required, [](C c) -> R {
     std::vector<Value> out;
     for (const auto& v : c.self.elements())
       if (!c.call({v}).truthy()) out.push_back(v);
     return like_self(c, out);
   }},
  {"any?", kEnumerable, 0, 0, B::Optional, [](C c) -> R {
     for (const auto& v : c.self.elements())
       if (c.block ? c.call({v}).truthy() : v.truthy()) return Value::boolean(true);
     return Value::boolean(false);
   }},
  {"all?", kEnumerable, 0, 0, B::Required, [](C c) -> R {
     for (const auto& v : c.self.elements())
       if (!c.call({v}).truthy()) return Value::boolean(false);
     return Value::boolean(true);
   }},

  // ---- Hash ----------------------------------------------------------------------------
  {"size", kHash, 0, 0, B::None, hash_size},
  {"length", kHash, 0, 0, B::None, hash_size},
  {"empty?", kHash, 0, 0, B::None, [](C c) -> R { return Value::boolean(c.self.items().empty()); }},
  {"keys", kHash, 0, 0, B::None, [](C c) -> R { return Value::array(c.self.items()); }},
  {"values", kHash, 0, 0, B::None, [](C c) -> R { return Value::array(c.self.hash_values()); }},
  {"key?", kHash, 1, 1, B::Ignored, hash_has_key},
  {"has_key?", kHash, 1, 1, B::Ignored, hash_has_key},
  {"include?", kHash, 1, 1, B::Ignored, hash_has_key},
  {"member?", kHash, 1, 1, B::Ignored, hash_has_key},
  {"fetch", kHash, 1, 2, B::Ignored, [](C c) -> R {
     const auto& keys = c.self.items();
     for (size_t k = 0; k < keys.size(); ++k)
       if (keys[k] == c.arg(0)) return c.self.hash_values()[k];
     if (c.n() == 2) return c.arg(1);
     c.fail("key not found: " + c.arg(0).inspect());
   }},
  {"to_a", kHash, 0, 0, B::None, [](C c) -> R {
     std::vector<Value> out;
     for (size_t k = 0; k < c.self.items().size(); ++k)
       out.push_back(Value::array({c.self.items()[k], c.self.hash_values()[k]}));
     return Value::array(out);
   }},
  {"merge", kHash, 1, 1, B::Ignored, [](C c) -> R {
     if (c.arg(0).kind() != K::Hash) return std::nullopt;
     auto keys = c.self.items(), vals = c.self.hash_values();
     keys.insert(keys.end(), c.arg(0).items().begin(), c.arg(0).items().end());
     vals.insert(vals.end(), c.arg(0).hash_values().begin(), c.arg(0).hash_values().end());
     return Value::hash(keys, vals);
   }},
};
// clang-format on

/// The rows of each name, in table order.
const std::unordered_map<std::string_view, std::vector<const ValueMethod*>>& rows_by_name() {
  static const auto index = [] {
    std::unordered_map<std::string_view, std::vector<const ValueMethod*>> m;
    for (const ValueMethod& row : kValueMethods) m[row.name].push_back(&row);
    return m;
  }();
  return index;
}

}  // namespace

bool fits_call(int min_args, int max_args, BlockUse block, const MethodCall& c) {
  int n = int(c.n());
  if (n < min_args || (max_args >= 0 && n > max_args)) return false;
  if (block == BlockUse::None && c.block) return false;
  if (block == BlockUse::Required && !c.block) return false;
  return true;
}

std::span<const ValueMethod> value_methods() { return kValueMethods; }

bool is_value_method(std::string_view name) { return rows_by_name().count(name) != 0; }

std::optional<Value> run_value_method(const MethodCall& c) {
  auto it = rows_by_name().find(c.name);
  if (it == rows_by_name().end()) return std::nullopt;
  for (const ValueMethod* row : it->second)
    if ((row->on & kind_bit(c.self.kind())) &&
        fits_call(row->min_args, row->max_args, row->block, c))
      if (std::optional<Value> v = row->run(c)) return v;
  return std::nullopt;
}

}  // namespace calm::eval
