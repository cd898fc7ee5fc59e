#pragma once

// Ruby values for the reference evaluator: nil, booleans, integers, floats, strings,
// symbols, arrays (tuples are arrays), hashes, sets, Bud lattice values and times (UTC
// seconds since the epoch, Ruby's Time), with Ruby-like equality, a total order (for
// deterministic output) and Ruby `inspect` text. A Value is one word (see Value::w_):
// integers of 63 bits, nil and the booleans are held in it, everything else behind a
// shared payload.

#include <atomic>
#include <compare>
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace calm::eval {

/// MurmurHash3's 64-bit finalizer: every bit of the result depends on every bit of `h`.
/// Value::hash_code of an integer is nearly the integer, so the hashes built from several
/// parts (an array's, a tuple's key, a collection's fingerprint and sequence) mix each
/// part with this.
inline uint64_t fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

/// splitmix64: its state advances by kSplitmixGamma per draw, and each draw is
/// splitmix64_mix of the new state (the simulation's schedules, the nodes' `rand`).
inline constexpr uint64_t kSplitmixGamma = 0x9e3779b97f4a7c15ULL;
inline uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Column names of a collection. Shared by every tuple of the collection, so that a
/// tuple bound to a block parameter answers `t.col` like a Bud tuple (a Ruby Struct).
using Schema = std::shared_ptr<const std::vector<std::string>>;

class Value {
 public:
  enum class Kind : uint8_t {
    Nil,
    Bool,
    Int,
    Float,
    String,
    Symbol,
    Array,
    Hash,
    Set,
    Lattice,
    Time
  };

  Value() = default;
  Value(const Value& o) : w_(o.w_) {
    if (o.boxed()) o.box()->refs.fetch_add(1, std::memory_order_relaxed);
  }
  Value(Value&& o) noexcept : w_(o.w_) { o.w_ = kNilWord; }
  Value& operator=(const Value& o) {
    if (this != &o) {
      if (o.boxed()) o.box()->refs.fetch_add(1, std::memory_order_relaxed);
      release();
      w_ = o.w_;
    }
    return *this;
  }
  Value& operator=(Value&& o) noexcept {
    if (this != &o) {
      release();
      w_ = o.w_;
      o.w_ = kNilWord;
    }
    return *this;
  }
  ~Value() { release(); }
  static Value nil() { return {}; }
  static Value boolean(bool b);
  static Value integer(int64_t i);
  static Value floating(double f);
  static Value string(std::string s);
  static Value symbol(std::string s);  ///< without the leading ':'
  static Value array(std::vector<Value> items, Schema schema = nullptr);
  /// A hash with its entries in insertion order; later duplicate keys replace earlier ones.
  static Value hash(std::vector<Value> keys, std::vector<Value> values);
  /// A set: items sorted and unique.
  static Value set(std::vector<Value> items);
  /// A lattice value of a Bud lattice type ("lmax", "lset", ...; see eval/lattice.h).
  /// lmax/lmin hold one item, lbool a flag, lset/lpset sorted unique items, lbag and
  /// lmap sorted keys (items) with their multiplicities / lattice values.
  static Value lattice(std::string type, std::vector<Value> items, std::vector<Value> values = {},
                       bool flag = false);
  /// A Ruby Time, in UTC: seconds since 1970-01-01 00:00:00 UTC; callers keep it within
  /// kMaxTimeSeconds (time_in_range).
  static Value time(double seconds);
  /// The times calm handles: within 10^15 seconds (about 31 million years) of 1970.
  static constexpr double kMaxTimeSeconds = 1e15;
  static bool time_in_range(double s) { return s >= -kMaxTimeSeconds && s <= kMaxTimeSeconds; }

  Kind kind() const {
    if (w_ & 1) return Kind::Int;
    if (w_ & 2) return Kind::Bool;
    if (w_ == kNilWord) return Kind::Nil;
    return box()->kind;
  }
  bool is_nil() const { return w_ == kNilWord; }
  bool is_array() const { return boxed() && box()->kind == Kind::Array; }
  bool is_numeric() const {
    Kind k = kind();
    return k == Kind::Int || k == Kind::Float;
  }
  bool is_lattice() const { return boxed() && box()->kind == Kind::Lattice; }
  /// The lattice type name of a lattice value ("lmax", ...).
  const std::string& lattice_type() const { return heavy() ? box()->s : empty_string(); }
  /// Ruby truthiness: everything but nil and false.
  bool truthy() const { return w_ != kNilWord && w_ != kFalseWord; }

  /// The flag of a Bool or a lattice value; false for every other kind.
  bool as_bool() const {
    return w_ == kTrueWord || (boxed() && box()->kind == Kind::Lattice && box()->flag);
  }
  /// The integer of an Int; 0 for every other kind.
  int64_t as_int() const {
    if (w_ & 1) return int64_t(w_) >> 1;
    return boxed() && box()->kind == Kind::Int ? box()->number.i : 0;
  }
  /// The number of an Int or a Float; 0 for every other kind.
  double as_float() const {
    if (w_ & 1) return double(int64_t(w_) >> 1);
    if (!boxed()) return 0.0;
    Kind k = box()->kind;
    return k == Kind::Int ? double(box()->number.i) : k == Kind::Float ? box()->number.f : 0.0;
  }
  /// The seconds since the epoch of a Time; 0 for every other kind.
  double as_time() const { return boxed() && box()->kind == Kind::Time ? box()->number.f : 0.0; }
  const std::string& as_string() const {  ///< String and Symbol
    return heavy() ? box()->s : empty_string();
  }
  /// Array and Set items; hash keys.
  const std::vector<Value>& items() const { return heavy() ? box()->items : empty_list(); }
  std::vector<Value>& mutable_items() { return own().items; }
  const std::vector<Value>& hash_values() const { return heavy() ? box()->values : empty_list(); }
  /// A Set's elements in the order they were added (Ruby's Set keeps it; `items()` holds
  /// them sorted, for comparing and hashing); any other kind's `items()`.
  const std::vector<Value>& elements() const {
    return boxed() && box()->kind == Kind::Set ? box()->values : items();
  }
  /// The column names of a tuple, or nullptr.
  const Schema& schema() const { return heavy() ? box()->schema : empty_schema(); }
  void set_schema(Schema s) { own().schema = std::move(s); }

  /// Ruby `inspect`: nil, true, 1, 1.5, "s", :sym, [1, "a"], {:a=>1}, #<Set: {1}>, and
  /// Bud's lattice inspect: <lmax: 5>, <lset: [1, 2]>.
  std::string inspect() const;
  /// Ruby `to_s`: strings and symbols without quotes, nil as "".
  std::string to_s() const;

  /// Ruby `eql?`: what Set and Hash use, so 1 and 1.0 differ. The schema is ignored.
  /// Exactly `compare(a, b) == 0`, answered without ordering where that is cheaper.
  friend bool operator==(const Value& a, const Value& b) {
    if (a.w_ & b.w_ & 1) return a.w_ == b.w_;  // two integers of 63 bits
    return equal_general(a, b);
  }
  friend bool operator<(const Value& a, const Value& b) { return compare(a, b) < 0; }
  /// The order of `compare`. With it, comparing tuples (std::vector<Value>, e.g. in a
  /// std::set<Tuple>) compares each pair of columns once instead of twice (a < b, b < a).
  friend std::weak_ordering operator<=>(const Value& a, const Value& b) {
    int c = compare(a, b);
    return c < 0   ? std::weak_ordering::less
           : c > 0 ? std::weak_ordering::greater
                   : std::weak_ordering::equivalent;
  }
  /// A total order: by kind (nil < false/true < numbers < strings < symbols < arrays <
  /// hashes < sets < lattices < times), numbers by value (an Int before an equal Float), then
  /// contents. -1, 0 or 1.
  static int compare(const Value& a, const Value& b) {
    if (a.w_ & b.w_ & 1) {  // 2x+1 orders as x does
      int64_t x = int64_t(a.w_), y = int64_t(b.w_);
      return (x > y) - (x < y);
    }
    return compare_general(a, b);
  }
  /// Ruby `==`: like eql? but 1 == 1.0.
  static bool ruby_equal(const Value& a, const Value& b);
  /// Consistent with ==: equal values hash alike.
  size_t hash_code() const {
    if (w_ & 1) return int_hash(int64_t(w_) >> 1);
    return hash_general();
  }
  /// Whether both are the same payload (not only equal): copies of one value, or equal
  /// strings made close together on one thread (Value::string shares them).
  bool shares_payload(const Value& o) const { return boxed() && w_ == o.w_; }

 private:
  /// The payload of every value that is not nil, a boolean or an integer of 63 bits:
  /// shared between copies (a copy is a reference count, atomic: runs on several threads
  /// share values of the scenario), copied before a change (mutable_items, set_schema)
  /// when shared.
  struct Heavy {
    std::atomic<uint32_t> refs{1};
    Kind kind = Kind::Nil;
    bool flag = false;  ///< a lattice value's flag (lbool)
    /// A string's or symbol's hash_code once computed (0: not yet): facts are hashed on
    /// every lookup, and their strings are shared by many copies. Threads sharing the
    /// payload may store it at once: they store the same number.
    mutable std::atomic<size_t> hash{0};
    union {
      int64_t i;  ///< an Int beyond 63 bits
      double f;   ///< a Float, a Time
    } number{0};
    std::string s;              ///< string, symbol; a lattice's type
    std::vector<Value> items;   ///< array/set items, hash keys
    std::vector<Value> values;  ///< hash values; a set's items in insertion order
    Schema schema;
    Heavy() = default;
    Heavy(const Heavy& o)
        : kind(o.kind),
          flag(o.flag),
          number(o.number),
          s(o.s),
          items(o.items),
          values(o.values),
          schema(o.schema) {}
  };
  /// The word: an integer x of 63 bits is 2x+1; nil, false and true are the constants
  /// below (bit 1 set, bit 0 clear for the booleans); anything else points to its
  /// Heavy (aligned, so its low bits are 0). A Value is one word: a fact of four columns
  /// fits in a Tuple without a heap block, and comparing two integers compares two words.
  static constexpr uint64_t kNilWord = 0, kFalseWord = 2, kTrueWord = 6;
  bool boxed() const { return (w_ & 3) == 0 && w_ != kNilWord; }
  Heavy* box() const { return reinterpret_cast<Heavy*>(w_); }
  /// The payload of strings, symbols, arrays, hashes, sets and lattices, or nullptr.
  Heavy* heavy() const { return boxed() && heavy_kind(box()->kind) ? box() : nullptr; }
  static bool heavy_kind(Kind k) { return k >= Kind::String && k <= Kind::Lattice; }
  /// A value of kind `k` with a fresh payload.
  static Value boxed_value(Kind k);
  void release() {
    if (boxed()) release_heavy(box());
  }
  /// Drops one reference to `h`: the only owner deletes it without an atomic update (no
  /// other thread can reach a payload nobody else holds).
  static void release_heavy(Heavy* h);
  static const std::string& empty_string();
  static const std::vector<Value>& empty_list();
  static const Schema& empty_schema();
  Heavy& own();

  /// hash_code of an Int (inline: facts are mostly integers; hash_general defers to it).
  static size_t int_hash(int64_t i) {
    size_t h = std::hash<int>()(int(Kind::Int));
    h ^= std::hash<int64_t>()(i) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
  }
  static int compare_general(const Value& a, const Value& b);
  static bool equal_general(const Value& a, const Value& b);
  size_t hash_general() const;

  uint64_t w_ = kNilWord;
};

static_assert(sizeof(Value) == 8, "a Value is one word");

struct ValueHash {
  size_t operator()(const Value& v) const { return v.hash_code(); }
};

/// The UTC calendar fields of a time (seconds since 1970), or nullopt outside
/// Value::time_in_range.
std::optional<std::tm> utc_fields(double seconds);

/// Ruby's Time#inspect (`fraction`: "2001-09-09 01:46:40.5 UTC") or Time#to_s (no
/// fraction) of a UTC time.
std::string ruby_time_text(double seconds, bool fraction);

}  // namespace calm::eval

// A fact (class Tuple), one Value per column: everything that handles values handles them.
#include "eval/tuple.h"
