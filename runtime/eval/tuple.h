#pragma once

// A fact: one Value per column, with the first kInline values stored in the tuple itself.
// Most facts of Bloom programs have few columns (a path is two integers, most protocol
// messages four or fewer), so a stored fact is one block of memory (its RowTable's deque entry)
// instead of a vector header and a separately allocated array: one cache miss to compare it, no
// malloc to make or copy it. Wider tuples keep their values on the heap, as a vector does.
//
// The interface is the part of std::vector<Value> the evaluator uses; a Tuple converts to
// and from std::vector<Value> (a Ruby array's items) by copying.

#include <algorithm>
#include <compare>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <new>
#include <utility>
#include <vector>

#include "eval/value.h"

namespace calm::eval {

class Tuple {
 public:
  /// Values held without a heap block. Four: a stored fact of up to four columns is one
  /// 40-byte block.
  static constexpr uint32_t kInline = 4;

  using value_type = Value;
  using size_type = size_t;
  using difference_type = std::ptrdiff_t;
  using reference = Value&;
  using const_reference = const Value&;
  using pointer = Value*;
  using const_pointer = const Value*;
  using iterator = Value*;
  using const_iterator = const Value*;

  Tuple() noexcept = default;
  explicit Tuple(size_t n) { resize(n); }
  Tuple(size_t n, const Value& v) { resize(n, v); }
  Tuple(std::initializer_list<Value> items) : Tuple(items.begin(), items.end()) {}
  template <std::input_iterator It>
  Tuple(It first, It last) {
    if constexpr (std::forward_iterator<It>) reserve(size_t(std::distance(first, last)));
    for (; first != last; ++first) emplace_back(*first);
  }
  Tuple(const std::vector<Value>& items) : Tuple(items.begin(), items.end()) {}  // NOLINT
  Tuple(const Tuple& o) : Tuple(o.begin(), o.end()) {}
  Tuple(Tuple&& o) noexcept { steal(o); }
  Tuple& operator=(const Tuple& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  Tuple& operator=(Tuple&& o) noexcept {
    if (this != &o) {
      destroy();
      steal(o);
    }
    return *this;
  }
  ~Tuple() { destroy(); }

  /// The values as a Ruby array's items.
  operator std::vector<Value>() const { return std::vector<Value>(begin(), end()); }  // NOLINT

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return cap_; }
  Value* data() { return on_heap() ? heap_ : inline_values(); }
  const Value* data() const { return on_heap() ? heap_ : inline_values(); }
  Value* begin() { return data(); }
  Value* end() { return data() + size_; }
  const Value* begin() const { return data(); }
  const Value* end() const { return data() + size_; }
  Value& operator[](size_t i) { return data()[i]; }
  const Value& operator[](size_t i) const { return data()[i]; }
  Value& front() { return data()[0]; }
  const Value& front() const { return data()[0]; }
  Value& back() { return data()[size_ - 1]; }
  const Value& back() const { return data()[size_ - 1]; }

  void reserve(size_t n) {
    if (n > cap_) regrow(n);
  }
  void resize(size_t n) { resize(n, Value()); }
  void resize(size_t n, const Value& v0) {
    if (n < size_) {
      truncate(n);
      return;
    }
    Value v(v0);  // `v0` may be one of our own values, moved by reserve()
    reserve(n);
    Value* d = data();
    for (size_t i = size_; i < n; ++i) new (d + i) Value(v);
    size_ = uint32_t(n);
  }
  void clear() { truncate(0); }
  void push_back(const Value& v) { emplace_back(v); }
  void push_back(Value&& v) { emplace_back(std::move(v)); }
  template <typename... A>
  Value& emplace_back(A&&... a) {
    if (size_ == cap_) {
      // The argument may be one of our own values: build it before moving them.
      Value v(std::forward<A>(a)...);
      regrow(size_t(cap_) * 2);
      return *new (data() + size_++) Value(std::move(v));
    }
    return *new (data() + size_++) Value(std::forward<A>(a)...);
  }
  void pop_back() { truncate(size_ - 1); }
  template <std::input_iterator It>
  void assign(It first, It last) {
    clear();
    if constexpr (std::forward_iterator<It>) reserve(size_t(std::distance(first, last)));
    for (; first != last; ++first) emplace_back(*first);
  }
  /// Inserts [first, last) before `pos` (values of another tuple or vector).
  template <std::forward_iterator It>
  Value* insert(const Value* pos, It first, It last) {
    size_t at = size_t(pos - data());
    Tuple out;
    out.reserve(size_ + size_t(std::distance(first, last)));
    for (size_t i = 0; i < at; ++i) out.emplace_back(std::move(data()[i]));
    for (; first != last; ++first) out.emplace_back(*first);
    for (size_t i = at; i < size_; ++i) out.emplace_back(std::move(data()[i]));
    *this = std::move(out);
    return data() + at;
  }
  Value* insert(const Value* pos, Value v) {
    size_t at = size_t(pos - data());
    emplace_back(std::move(v));
    std::rotate(data() + at, end() - 1, end());
    return data() + at;
  }
  Value* erase(const Value* first, const Value* last) {
    size_t a = size_t(first - data()), b = size_t(last - data());
    std::move(data() + b, end(), data() + a);
    truncate(size_ - (b - a));
    return data() + a;
  }
  Value* erase(const Value* pos) { return erase(pos, pos + 1); }
  void swap(Tuple& o) noexcept {
    Tuple t(std::move(o));
    o = std::move(*this);
    *this = std::move(t);
  }

  /// For RowTable's row storage (RowStore, eval/row_table.h): builds in `block`, which
  /// holds row_bytes(width) bytes aligned for a Value, a tuple with `t`'s values, and
  /// leaves `t` empty. The values are inline when they are at most `width` (1 to kInline),
  /// else on the heap. Such a row has a shorter inline area than a Tuple: it is read
  /// through const references, relocated by copying its row_bytes(width) bytes and
  /// destroyed with ~Tuple(), never assigned, swapped or moved from.
  static Tuple* build_row(void* block, uint32_t width, Tuple&& t) {
    auto* r = ::new (block) Tuple;  // no parentheses: nothing past the block is zeroed
    const uint32_t n = t.size_;
    if (n <= width) {
      r->cap_ = width;
      // At most kInline values: word by word (a Value is relocated by copying its word),
      // where a memcpy of n words would be a call.
      const Value* from = t.data();
      for (uint32_t i = 0; i < n; ++i)
        std::memcpy(static_cast<void*>(r->inline_ + i * sizeof(Value)), from + i, sizeof(Value));
      t.forget_values();
    } else if (t.on_heap()) {
      r->cap_ = t.cap_;
      r->heap_ = t.heap_;
      t.cap_ = kInline;  // the block is the row's now
    } else {
      // More values than the row holds inline, fewer than a heap block marks (cap_ >
      // kInline): a heap block of kInline + 1.
      r->cap_ = kInline + 1;
      r->heap_ = static_cast<Value*>(::operator new(r->cap_ * sizeof(Value)));
      std::memcpy(static_cast<void*>(r->heap_), t.data(), n * sizeof(Value));
    }
    r->size_ = n;
    t.size_ = 0;
    return r;
  }
  /// The bytes of a row built by build_row with `width` values inline.
  static constexpr size_t row_bytes(uint32_t width) { return 8 + size_t(width) * sizeof(Value); }

  friend bool operator==(const Tuple& a, const Tuple& b) {
    if (a.size_ != b.size_) return false;
    const Value *x = a.data(), *y = b.data();
    for (uint32_t i = 0; i < a.size_; ++i)
      if (!(x[i] == y[i])) return false;
    return true;
  }
  /// Lexicographic in Value::compare, a shorter prefix first (as std::vector's).
  friend std::weak_ordering operator<=>(const Tuple& a, const Tuple& b) {
    const Value *x = a.data(), *y = b.data();
    uint32_t n = std::min(a.size_, b.size_);
    for (uint32_t i = 0; i < n; ++i)
      if (int c = Value::compare(x[i], y[i]))
        return c < 0 ? std::weak_ordering::less : std::weak_ordering::greater;
    return a.size_ <=> b.size_;
  }

 private:
  bool on_heap() const { return cap_ > kInline; }
  Value* inline_values() { return std::launder(reinterpret_cast<Value*>(inline_)); }
  const Value* inline_values() const {
    return std::launder(reinterpret_cast<const Value*>(inline_));
  }
  /// Drops the values without destroying them (their bytes were copied elsewhere).
  void forget_values() {
    if (on_heap()) ::operator delete(heap_);
    size_ = 0;
    cap_ = kInline;
  }
  void truncate(size_t n) {
    Value* d = data();
    for (size_t i = n; i < size_; ++i) d[i].~Value();
    size_ = uint32_t(n);
  }
  /// Moves the values to a heap block of `n` (more than kInline): a Value is its kind
  /// and one word, so moving it is copying its bytes.
  void regrow(size_t n) {
    n = std::max<size_t>(n, 4);
    auto* fresh = static_cast<Value*>(::operator new(n * sizeof(Value)));
    if (size_) std::memcpy(static_cast<void*>(fresh), data(), size_ * sizeof(Value));
    if (on_heap()) ::operator delete(heap_);
    heap_ = fresh;
    cap_ = uint32_t(n);
  }
  void destroy() {
    truncate(0);
    if (on_heap()) ::operator delete(heap_);
    cap_ = kInline;
  }
  /// Takes `o`'s values, leaving it empty (this one holds none).
  void steal(Tuple& o) noexcept {
    size_ = o.size_;
    cap_ = o.cap_;
    // The whole inline area, used or not: a fixed-size copy the compiler makes in a few
    // moves, where copying size_ values was a call to memcpy.
    if (o.on_heap())
      heap_ = o.heap_;
    else
      std::memcpy(static_cast<void*>(inline_), o.inline_, sizeof(inline_));
    o.size_ = 0;
    o.cap_ = kInline;
  }

  uint32_t size_ = 0;
  uint32_t cap_ = kInline;
  union {
    alignas(Value) unsigned char inline_[kInline * sizeof(Value)];
    Value* heap_;
  };
};

static_assert(sizeof(Tuple) == 8 + Tuple::kInline * sizeof(Value));

struct TupleHash {
  size_t operator()(const Tuple& t) const;
};

/// "[1, \"a\"]"
std::string inspect(const Tuple& t);

}  // namespace calm::eval
