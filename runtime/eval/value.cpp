#include "eval/value.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string_view>

namespace calm::eval {

const std::string& Value::empty_string() {
  static const std::string e;
  return e;
}
const std::vector<Value>& Value::empty_list() {
  static const std::vector<Value> e;
  return e;
}
const Schema& Value::empty_schema() {
  static const Schema e;
  return e;
}
void Value::release_heavy(Heavy* h) {
  if (h->refs.load(std::memory_order_acquire) == 1 ||
      h->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete h;
}

Value::Heavy& Value::own() {
  // Only the heavy kinds have a payload to change; their factories give them one.
  Heavy* h = heavy();
  if (!h) std::abort();
  if (h->refs.load(std::memory_order_acquire) > 1) {
    Heavy* copy = new Heavy(*h);
    release_heavy(h);
    w_ = reinterpret_cast<uint64_t>(copy);
    h = copy;
  }
  h->hash.store(0, std::memory_order_relaxed);  // the caller may change the payload
  return *h;
}

Value Value::boxed_value(Kind k) {
  Value v;
  Heavy* h = new Heavy();
  h->kind = k;
  v.w_ = reinterpret_cast<uint64_t>(h);
  return v;
}

Value Value::boolean(bool b) {
  Value v;
  v.w_ = b ? kTrueWord : kFalseWord;
  return v;
}
Value Value::integer(int64_t i) {
  constexpr int64_t kLow = -(int64_t(1) << 62), kHigh = (int64_t(1) << 62) - 1;
  if (i < kLow || i > kHigh) {
    Value v = boxed_value(Kind::Int);
    v.box()->number.i = i;
    return v;
  }
  Value v;
  v.w_ = (uint64_t(i) << 1) | 1;
  return v;
}
Value Value::floating(double f) {
  Value v = boxed_value(Kind::Float);
  v.box()->number.f = f;
  return v;
}
Value Value::string(std::string s) {
  // Equal strings made close together share one payload: the addresses and labels of a
  // scenario's facts, a protocol's messages. Then comparing two of them (sorting a step's
  // messages by address, a key lookup) stops at the payload's address, and making one
  // allocates nothing. A per-thread table of the last strings made, by hash: no lock,
  // and a payload is copied before it is changed (own()), so sharing is not visible.
  constexpr size_t kShared = 256, kLongest = 48;
  thread_local std::array<Value, kShared> recent;
  Value* slot = nullptr;
  if (s.size() <= kLongest) {
    slot = &recent[std::hash<std::string_view>()(s) & (kShared - 1)];
    if (!slot->is_nil() && slot->as_string() == s) return *slot;
  }
  Value v = boxed_value(Kind::String);
  v.own().s = std::move(s);
  if (slot) *slot = v;
  return v;
}
Value Value::symbol(std::string s) {
  Value v = boxed_value(Kind::Symbol);
  v.own().s = std::move(s);
  return v;
}
Value Value::array(std::vector<Value> items, Schema schema) {
  Value v = boxed_value(Kind::Array);
  Heavy& h = v.own();
  h.items = std::move(items);
  h.schema = std::move(schema);
  return v;
}
Value Value::hash(std::vector<Value> keys, std::vector<Value> values) {
  Value v = boxed_value(Kind::Hash);
  Heavy& h = v.own();
  for (size_t i = 0; i < keys.size() && i < values.size(); ++i) {
    auto it = std::find(h.items.begin(), h.items.end(), keys[i]);
    if (it != h.items.end()) {
      h.values[size_t(it - h.items.begin())] = values[i];
    } else {
      h.items.push_back(keys[i]);
      h.values.push_back(values[i]);
    }
  }
  return v;
}
Value Value::set(std::vector<Value> items) {
  Value v = boxed_value(Kind::Set);
  // values: the first occurrence of each element, in order (Ruby's Set iterates in
  // insertion order); items: the same sorted, so that equal sets compare and hash alike.
  std::vector<Value> sorted = items;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<Value> ordered;
  if (sorted.size() == items.size()) {
    ordered = std::move(items);
  } else {
    ordered.reserve(sorted.size());
    std::vector<bool> taken(sorted.size());
    for (auto& x : items) {
      size_t i = size_t(std::lower_bound(sorted.begin(), sorted.end(), x) - sorted.begin());
      if (!taken[i]) {
        taken[i] = true;
        ordered.push_back(std::move(x));
      }
    }
  }
  Heavy& h = v.own();
  h.items = std::move(sorted);
  h.values = std::move(ordered);
  return v;
}

Value Value::time(double seconds) {
  Value v = boxed_value(Kind::Time);
  v.box()->number.f = seconds;
  return v;
}

Value Value::lattice(std::string type, std::vector<Value> items, std::vector<Value> values,
                     bool flag) {
  Value v = boxed_value(Kind::Lattice);
  Heavy& h = v.own();
  h.s = std::move(type);
  h.items = std::move(items);
  h.values = std::move(values);
  h.flag = flag;
  return v;
}

namespace {

/// The position of a kind in the order of kinds; Int and Float share one (numbers).
int rank(Value::Kind k) {
  static constexpr int8_t kRank[] = {0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9};
  static_assert(int(Value::Kind::Lattice) == 9 && int(Value::Kind::Float) == 3 &&
                int(Value::Kind::Set) == 8 && int(Value::Kind::Time) == 10);
  return kRank[size_t(k)];
}

int compare_lists(const std::vector<Value>& a, const std::vector<Value>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i)
    if (int c = Value::compare(a[i], b[i]); c != 0) return c;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

/// compare_lists(a, b) == 0.
bool equal_lists(const std::vector<Value>& a, const std::vector<Value>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i])) return false;
  return true;
}

int sign(int c) { return c < 0 ? -1 : c > 0 ? 1 : 0; }

/// An Int and a Float, or two Floats: by value, then an Int before an equal Float.
int compare_numbers(const Value& a, const Value& b) {
  double x = a.as_float(), y = b.as_float();
  if (x < y) return -1;
  if (x > y) return 1;
  if (a.kind() != b.kind()) return a.kind() == Value::Kind::Int ? -1 : 1;
  return 0;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

std::string format_float(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  // Shortest representation that reads back the same, like Ruby's Float#to_s.
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, f);
    if (std::strtod(buf, nullptr) == f) break;
  }
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

int Value::compare_general(const Value& a, const Value& b) {
  const Kind ka = a.kind(), kb = b.kind();
  if (ka != kb) {
    int ra = rank(ka), rb = rank(kb);
    if (ra != rb) return ra < rb ? -1 : 1;
    return compare_numbers(a, b);  // an Int and a Float
  }
  switch (ka) {
    case Kind::Nil:
      return 0;
    case Kind::Bool:
      return a.w_ == b.w_ ? 0 : (a.as_bool() ? 1 : -1);
    case Kind::Int: {
      int64_t x = a.as_int(), y = b.as_int();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Kind::Float:
      return compare_numbers(a, b);
    case Kind::Time: {
      double x = a.as_time(), y = b.as_time();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Kind::String:
    case Kind::Symbol:
      if (a.w_ == b.w_) return 0;
      return sign(a.as_string().compare(b.as_string()));
    case Kind::Array:
    case Kind::Set:
      if (a.w_ == b.w_) return 0;
      return compare_lists(a.items(), b.items());
    case Kind::Hash:
      if (a.w_ == b.w_) return 0;
      if (int c = compare_lists(a.items(), b.items()); c != 0) return c;
      return compare_lists(a.hash_values(), b.hash_values());
    case Kind::Lattice:
      if (a.w_ == b.w_) return 0;
      if (int c = a.as_string().compare(b.as_string()); c != 0) return sign(c);
      if (a.as_bool() != b.as_bool()) return a.as_bool() ? 1 : -1;
      if (int c = compare_lists(a.items(), b.items()); c != 0) return c;
      return compare_lists(a.hash_values(), b.hash_values());
  }
  return 0;
}

bool Value::equal_general(const Value& a, const Value& b) {
  const Kind k = a.kind();
  if (k != b.kind()) return false;  // different ranks, or an Int and a Float
  switch (k) {
    case Kind::Nil:
    case Kind::Bool:
      return a.w_ == b.w_;
    case Kind::Int:
      return a.as_int() == b.as_int();
    case Kind::Float:
    case Kind::Time: {
      double x = a.box()->number.f, y = b.box()->number.f;
      return !(x < y) && !(x > y);  // like compare: NaN is neither < nor >
    }
    case Kind::String:
    case Kind::Symbol:
      return a.w_ == b.w_ || a.as_string() == b.as_string();
    case Kind::Array:
    case Kind::Set:
      return a.w_ == b.w_ || equal_lists(a.items(), b.items());
    case Kind::Hash:
      return a.w_ == b.w_ ||
             (equal_lists(a.items(), b.items()) && equal_lists(a.hash_values(), b.hash_values()));
    case Kind::Lattice:
      if (a.as_bool() != b.as_bool()) return false;
      return a.w_ == b.w_ || (a.as_string() == b.as_string() && equal_lists(a.items(), b.items()) &&
                              equal_lists(a.hash_values(), b.hash_values()));
  }
  return true;
}

bool Value::ruby_equal(const Value& a, const Value& b) {
  if (a.w_ & b.w_ & 1) return a.w_ == b.w_;
  if (a.is_numeric() && b.is_numeric()) return a.as_float() == b.as_float();
  const Kind k = a.kind();
  if (k != b.kind()) return false;
  if (k == Kind::Array || k == Kind::Set || k == Kind::Hash) {
    if (a.items().size() != b.items().size() || a.hash_values().size() != b.hash_values().size())
      return false;
    for (size_t i = 0; i < a.items().size(); ++i)
      if (!ruby_equal(a.items()[i], b.items()[i])) return false;
    if (k == Kind::Set) return true;  // values: the same elements in insertion order
    for (size_t i = 0; i < a.hash_values().size(); ++i)
      if (!ruby_equal(a.hash_values()[i], b.hash_values()[i])) return false;
    return true;
  }
  return compare(a, b) == 0;
}

size_t Value::hash_general() const {
  size_t h = 0;
  // MurmurHash3's finalizer after each part: an array's hash feeds fingerprints and the
  // contents' sequences that rule memos compare (eval/row_table.h), so two arrays of small
  // integers must not collide (boost's hash_combine made [0, 7, 2] and [0, 8, 59] equal).
  auto mix = [&h](uint64_t x) { h = size_t(fmix64((h ^ x) + 0x9e3779b97f4a7c15ULL)); };
  const Kind k = kind();
  mix(uint64_t(k) + 1);
  switch (k) {
    case Kind::Nil:
      break;
    case Kind::Bool:
      mix(as_bool());
      break;
    case Kind::Int:
      return int_hash(as_int());  // hash_code's own, for an Int reaching here
    case Kind::Float:
    case Kind::Time:
      mix(std::hash<double>()(box()->number.f));
      break;
    case Kind::String:
    case Kind::Symbol: {
      if (size_t cached = box()->hash.load(std::memory_order_relaxed)) return cached;
      mix(std::hash<std::string>()(as_string()));
      if (h == 0) h = 1;  // 0 means "not computed"
      box()->hash.store(h, std::memory_order_relaxed);
      return h;
    }
    case Kind::Lattice:
      mix(std::hash<std::string>()(as_string()));
      mix(as_bool());
      [[fallthrough]];
    case Kind::Array:
    case Kind::Set:
    case Kind::Hash:
      for (const auto& v : items()) mix(v.hash_code());
      if (k != Kind::Set)  // a Set's values are its items in insertion order
        for (const auto& v : hash_values()) mix(v.hash_code());
      break;
  }
  return h;
}

std::string Value::inspect() const {
  switch (kind()) {
    case Kind::Nil:
      return "nil";
    case Kind::Bool:
      return as_bool() ? "true" : "false";
    case Kind::Int:
      return std::to_string(as_int());
    case Kind::Float:
      return format_float(as_float());
    case Kind::Time:
      return ruby_time_text(as_time(), true);
    case Kind::String:
      return quote(as_string());
    case Kind::Symbol:
      return ":" + as_string();
    case Kind::Array: {
      std::string out = "[";
      for (size_t i = 0; i < items().size(); ++i) out += (i ? ", " : "") + items()[i].inspect();
      return out + "]";
    }
    case Kind::Hash: {
      std::string out = "{";
      for (size_t i = 0; i < items().size(); ++i)
        out += (i ? ", " : "") + items()[i].inspect() + "=>" + hash_values()[i].inspect();
      return out + "}";
    }
    case Kind::Set: {
      std::string out = "#<Set: {";
      for (size_t i = 0; i < elements().size(); ++i)
        out += (i ? ", " : "") + elements()[i].inspect();
      return out + "}>";
    }
    case Kind::Lattice: {
      std::string out = "<" + as_string() + ": ";
      if (as_string() == "lbool") return out + (as_bool() ? "true>" : "false>");
      if (as_string() == "lmax" || as_string() == "lmin")
        return out + (items().empty() ? std::string("nil") : items()[0].inspect()) + ">";
      if (as_string() == "lset" || as_string() == "lpset")
        return out + Value::array(items()).inspect() + ">";
      return out + Value::hash(items(), hash_values()).inspect() + ">";
    }
  }
  return "nil";
}

std::optional<std::tm> utc_fields(double seconds) {
  if (!Value::time_in_range(seconds)) return std::nullopt;
  std::time_t t = std::time_t(std::floor(seconds));
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return std::nullopt;
  return tm;
}

std::string ruby_time_text(double seconds, bool fraction) {
  double whole = std::floor(seconds);
  auto fields = utc_fields(seconds);
  if (!fields) return "#<Time: " + format_float(seconds) + ">";
  const std::tm& tm = *fields;
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::string out = buf;
  if (fraction && seconds != whole) {
    // Ruby prints the fraction's digits without trailing zeros (microseconds here).
    char f[16];
    std::snprintf(f, sizeof f, "%06lld", (long long)std::llround((seconds - whole) * 1e6));
    std::string digits = f;
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    if (!digits.empty()) out += "." + digits.substr(0, 6);
  }
  return out + " UTC";
}

std::string Value::to_s() const {
  switch (kind()) {
    case Kind::Nil:
      return "";
    case Kind::Time:
      return ruby_time_text(as_time(), false);
    case Kind::String:
    case Kind::Symbol:
      return as_string();
    default:
      return inspect();
  }
}

size_t TupleHash::operator()(const Tuple& t) const {
  size_t h = t.size();
  for (const auto& v : t) h ^= v.hash_code() + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

std::string inspect(const Tuple& t) { return Value::array(t).inspect(); }

}  // namespace calm::eval
