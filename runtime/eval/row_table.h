#pragma once

// A collection's stored tuples (CollectionState::rows in eval/node_state.h): rows in
// insertion order, as Bud's Ruby hashes keep them, each at a slot (its place in that
// order) of a flat row store (RowStore: a two-integer row is 24 bytes), with a flat
// open-addressing hash on the collection's key (every column, or the
// key columns) and hash indexes on other column lists for joins. No ordered set on the
// hot path: the sorted view is built only for a caller that asks for it (sorted()), and
// kept up to date from then on.
//
// A tuple that replaces another of the same key takes the slot of the one it replaces
// (remove(slot), then add(t, slot)), as a Ruby hash keeps a replaced key's place.
// Removing leaves a hole; compact() drops the holes once they are most of the order.
// Pointers to stored tuples (at()) stay valid until the row is removed or the table is
// compacted or cleared.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "eval/value.h"

namespace calm::eval {

/// An open-addressing hash table of 32-bit payloads (a slot, or an index's list) under a
/// 32-bit hash tag, with linear probing and tombstones. The caller compares the candidates
/// whose tag matches (the table knows nothing of tuples), so a payload costs 8 bytes.
class FlatHash {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  /// The payload under `tag` for which `same(payload)` holds, or kNone.
  template <typename Same>
  uint32_t find(uint32_t tag, Same same) const {
    if (e_.empty()) return kNone;
    size_t mask = e_.size() - 1;
    for (size_t i = tag & mask;; i = (i + 1) & mask) {
      uint64_t x = e_[i];
      uint32_t low = uint32_t(x);
      if (low == kEmpty) return kNone;
      if (low != kTomb && uint32_t(x >> 32) == tag && same(low - 1)) return low - 1;
    }
  }
  /// Adds `payload` under `tag` (the caller knows it is not there).
  void insert(uint32_t tag, uint32_t payload);
  /// Removes `payload` under `tag`; true when it was there.
  bool erase(uint32_t tag, uint32_t payload);
  void clear();
  /// Makes room for `n` payloads in all, so that adding them does not grow the table.
  void reserve(size_t n);
  size_t bytes() const { return e_.capacity() * sizeof(uint64_t); }
  /// Asks the processor to fetch the entries `find(tag, ...)` will read first.
  void prefetch(uint32_t tag) const {
    if (!e_.empty()) __builtin_prefetch(&e_[tag & (e_.size() - 1)]);
  }

 private:
  static constexpr uint32_t kEmpty = 0;
  static constexpr uint32_t kTomb = UINT32_MAX;
  void grow();
  /// Moves the entries to a table of `cap` (a power of two), dropping tombstones.
  void rehash(size_t cap);
  /// Each entry: the tag in the high 32 bits, payload + 1 in the low ones (0: empty,
  /// UINT32_MAX: a tombstone).
  std::vector<uint64_t> e_;
  size_t used_ = 0, tombs_ = 0;
};

/// A table's rows by slot, flat: each row is a Tuple header and `width` values in one
/// block of Tuple::row_bytes(width) bytes (Tuple::build_row), in chunks of 16, 32, 64...
/// rows, so that a two-column row takes 24 bytes instead of a Tuple's 40 and a row never
/// moves while the table grows (pointers to rows stay valid until the row is removed,
/// or the store compacted or cleared). A row with more values than `width` keeps them on
/// the heap. `width` is fixed by the first row stored, unless given before it (hint()).
class RowStore {
 public:
  RowStore() = default;
  RowStore(RowStore&& o) noexcept { swap(o); }
  RowStore& operator=(RowStore&& o) noexcept {
    RowStore t(std::move(o));
    swap(t);
    return *this;
  }
  RowStore(const RowStore&) = delete;
  RowStore& operator=(const RowStore&) = delete;
  ~RowStore();

  /// The values a row holds inline, before the first row is stored (1 to Tuple::kInline;
  /// a wider collection keeps its values on the heap, and its rows take 16 bytes).
  void hint(size_t columns);
  /// One past the last slot; slots below it are rows or holes.
  size_t end() const { return end_; }
  /// Rows stored (holes not counted).
  size_t live() const { return live_; }
  bool is_live(size_t slot) const { return live_flag_[slot]; }
  /// The row at `slot`, or nullptr for a hole.
  const Tuple* at(size_t slot) const { return live_flag_[slot] ? row(slot) : nullptr; }
  /// The row at `slot` (not a hole).
  const Tuple& operator[](size_t slot) const { return *row(slot); }
  /// Stores `t` at the end; returns its slot.
  size_t push(Tuple&& t) {
    const size_t slot = end_;
    const Place p = place_of(slot);
    std::byte* chunk = chunks_[p.chunk];
    if (!chunk) chunk = new_chunk(p.chunk, t.size());
    Tuple::build_row(chunk + p.index * stride_, width_, std::move(t));
    ++end_;
    ++live_;
    live_flag_.push_back(true);
    return slot;
  }
  /// Stores `t` at `slot`, a hole.
  void put(size_t slot, Tuple&& t);
  /// Destroys the row at `slot`, leaving a hole; holes at the end are dropped.
  void remove(size_t slot);
  /// Moves the rows down over the holes, in order.
  void compact();
  void clear();
  size_t bytes() const;

 private:
  static constexpr unsigned kFirstBits = 4;  ///< the first chunk holds 16 rows
  static constexpr size_t kChunks = 29;      ///< enough for 2^32 slots
  /// Where a slot is: chunk c holds the 16 << c slots from 16 * (2^c - 1).
  struct Place {
    unsigned chunk;
    size_t index;  ///< within the chunk
  };
  static Place place_of(size_t slot) {
    const size_t x = slot + (size_t(1) << kFirstBits);
    const unsigned c = unsigned(std::bit_width(x)) - kFirstBits - 1;
    return {c, x - (size_t(1) << (c + kFirstBits))};
  }
  Tuple* row(size_t slot) const {
    const Place p = place_of(slot);
    return reinterpret_cast<Tuple*>(chunks_[p.chunk] + p.index * stride_);
  }
  /// Allocates chunk `c`; the first one fixes the width (from hint(), else from the
  /// first row's `columns`).
  std::byte* new_chunk(unsigned c, size_t columns);
  void swap(RowStore& o) noexcept;
  void destroy_rows();
  void free_chunks(size_t from);

  uint32_t width_ = 0;  ///< 0 until hint() or the first row
  size_t stride_ = 0;
  size_t end_ = 0, live_ = 0;
  std::vector<bool> live_flag_;
  std::array<std::byte*, kChunks> chunks_{};
};

class RowTable {
 public:
  static constexpr size_t npos = SIZE_MAX;

  /// The key: `cols` when !all_key (an empty list: at most one row, as `[] => [:x]`),
  /// every column when all_key. `columns`: the collection's columns when known (0 when
  /// not), the values a row holds inline (RowStore::hint). Call before adding rows.
  void set_key(std::vector<size_t> cols, bool all_key, size_t columns = 0);

  /// Rows stored (holes not counted).
  size_t size() const { return rows_.live(); }
  bool empty() const { return rows_.live() == 0; }
  /// One past the last slot; slots below it are rows or holes.
  size_t end_slot() const { return rows_.end(); }
  size_t holes() const { return rows_.end() - rows_.live(); }
  /// The row at `slot`, or nullptr for a hole.
  const Tuple* at(size_t slot) const { return rows_.at(slot); }

  /// The slot of the stored row with the key of tuple `t`, or npos.
  size_t find(const Tuple& t) const { return find(t, key_hash_of(t)); }
  /// The same, given `h` = key_hash_of(t).
  size_t find(const Tuple& t, uint64_t h) const;
  /// The hash of `t`'s key, for find(t, h) and prefetch(h).
  uint64_t key_hash_of(const Tuple& t) const { return row_key_hash(t); }
  /// Starts fetching what find(t, h) reads first: a caller with many tuples to look up
  /// (a join's results) hashes a batch, prefetches, then finds, so that the cache misses
  /// of a large table overlap instead of coming one after the other.
  void prefetch(uint64_t h) const { keys_.prefetch(tag(h)); }
  /// The slot of the stored row, among those whose key hash is `h`, for which
  /// `same(row)` holds, or npos: find(t, h) for a caller that compares a key it has not
  /// built (every column is the key: all_key()).
  template <typename Same>
  size_t find_if(uint64_t h, Same same) const {
    uint32_t s = keys_.find(tag(h), [&](uint32_t slot) { return same(rows_[slot]); });
    return s == FlatHash::kNone ? npos : s;
  }
  /// Whether every column is the key.
  bool all_key() const { return all_key_; }
  /// The slot of the stored row whose key columns equal `key` (one value per key column;
  /// the whole tuple when every column is the key), or npos.
  size_t find_key(const Tuple& key) const;

  /// Stores `t`, whose key no stored row has: at the end of the order, or at `slot` when
  /// that is a hole. Returns its slot.
  size_t add(Tuple&& t, size_t slot = npos) {
    uint64_t h = row_key_hash(t);
    return add(std::move(t), slot, h);
  }
  /// The same, given `h` = key_hash_of(t) (a caller that looked the key up has it).
  size_t add(Tuple&& t, size_t slot, uint64_t h);
  /// Makes room in the key hash for `n` rows in all (a caller about to add many).
  void reserve(size_t n) { keys_.reserve(n); }
  /// Removes the row at `slot` (a row, not a hole), leaving a hole.
  void remove(size_t slot);
  /// Drops the holes once they are most of the order (at least 64): rows keep their
  /// order and get new slots. True when it did.
  bool compact();
  void clear();

  /// Calls f(tuple, slot) for each row, in insertion order.
  template <typename F>
  void each(F f) const {
    for (size_t i = 0; i < rows_.end(); ++i)
      if (rows_.is_live(i)) f(rows_[i], i);
  }

  /// A hash index on a column list: the slots of the rows with each combination of
  /// values in those columns (nil past a row's end), in insertion order. Each combination
  /// is a group; a group's slots are a chain through the index's per-slot `next_` links,
  /// in slot order, so that adding a row allocates nothing but the table's own growth.
  class Index {
   public:
    /// The slots of one group, in slot order (a forward range of uint32_t).
    class Slots {
     public:
      class iterator {
       public:
        using value_type = uint32_t;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        iterator(const std::vector<uint32_t>* next, uint32_t at) : next_(next), at_(at) {}
        uint32_t operator*() const { return at_; }
        iterator& operator++() {
          at_ = (*next_)[at_];
          return *this;
        }
        iterator operator++(int) {
          iterator old = *this;
          ++*this;
          return old;
        }
        bool operator==(const iterator& o) const { return at_ == o.at_; }

       private:
        const std::vector<uint32_t>* next_ = nullptr;
        uint32_t at_ = FlatHash::kNone;
      };
      Slots() = default;
      Slots(const std::vector<uint32_t>* next, uint32_t first, uint32_t count)
          : next_(next), first_(first), count_(count) {}
      iterator begin() const { return {next_, first_}; }
      iterator end() const { return {next_, FlatHash::kNone}; }
      bool empty() const { return count_ == 0; }
      size_t size() const { return count_; }

     private:
      const std::vector<uint32_t>* next_ = nullptr;
      uint32_t first_ = FlatHash::kNone;
      uint32_t count_ = 0;
    };

    /// The slots of the rows whose columns equal `key` (one value per column), in
    /// insertion order (empty when there are none).
    Slots find(const Tuple& key) const { return find(key, key_hash(key)); }
    /// The same, given `h` = key_hash(key).
    Slots find(const Tuple& key, uint64_t h) const;
    /// The slots of the rows whose columns equal columns `cols` of `t` (as many as the
    /// index has; nil past t's end), given `h` = columns_hash(t, cols).
    Slots find_columns(const Tuple& t, const std::vector<size_t>& cols, uint64_t h) const;
    /// Starts fetching what find(key, h) reads first (see RowTable::prefetch).
    void prefetch(uint64_t h) const { hash_.prefetch(tag(h)); }

   private:
    friend class RowTable;
    const RowTable* table_ = nullptr;
    std::vector<size_t> cols_;
    FlatHash hash_;  ///< tag -> group
    struct Group {
      uint32_t head = FlatHash::kNone, tail = FlatHash::kNone, count = 0;
    };
    std::vector<Group> groups_;
    /// Each group's key (its rows' values in `cols_`): compared where a lookup would
    /// otherwise reach the group's first row through two more pointers.
    std::vector<Tuple> keys_;
    std::vector<uint32_t> free_groups_;
    /// By slot: the next slot of its group (kNone: the last).
    std::vector<uint32_t> next_;
    /// Rows added since the index was last asked for (index_on), and the table's size then.
    size_t adds_since_use_ = 0, size_at_use_ = 0;
    /// The group of the rows whose values are `t`'s in `cols` (as many as cols_; filed
    /// under `tag`, their hash's): the one add() put such a row in. kNone when there is
    /// none.
    uint32_t group_of(const Tuple& t, const std::vector<size_t>& cols, uint32_t tag) const;
    void add(const Tuple& t, uint32_t slot);
    void remove(const Tuple& t, uint32_t slot);
    void clear();
    size_t bytes() const;
  };
  /// The index on `cols`, built on first use and kept up to date. An index nobody asked
  /// for while more rows were added than the table held when it was last asked for (and
  /// at least 4096) is dropped
  /// and rebuilt when next asked for: keeping it would have cost more than rebuilding it
  /// (a recursive join probes one side's index only in its first round). References to
  /// an index are good until the next add().
  const Index& index_on(const std::vector<size_t>& cols);

  /// The rows in the total order of Value::compare (for output, snapshots and Ruby's
  /// membership tests): built on the first call, then maintained.
  const std::set<Tuple>& sorted() const;

  /// Order-independent: the same for two tables holding the same rows.
  uint64_t fingerprint() const { return fingerprint_; }
  /// Order-dependent: a hash of the rows added since the table was last cleared, in
  /// order, while rows were only added at the end; once a row is removed or takes a
  /// hole's slot, a value no other table state had (a fresh stamp). So two equal
  /// sequences mean the same rows in the same order (but for a 64-bit collision), and a
  /// scratch filled again with the same rows in the same order gets the same sequence.
  uint64_t sequence() const { return sequence_; }
  /// The sequence of a table whose sequence was `seq` once `t` is added at its end.
  static uint64_t next_sequence(uint64_t seq, const Tuple& t) {
    return next_sequence_of(seq, fmix64(key_hash(t)));
  }

  /// Bytes held (rows, their values, the hashes, the indexes), for benchmarks.
  size_t bytes() const;

  /// The hash of columns `cols` of `t` (nil past its end); the same as key_hash of those
  /// values as a key.
  static uint64_t columns_hash(const Tuple& t, const std::vector<size_t>& cols);
  static uint64_t key_hash(const Tuple& key) {
    uint64_t h = hash_start(key.size());
    for (const Value& v : key) h = hash_step(h, v);
    return h;
  }
  /// key_hash a value at a time, for a caller that hashes a key it has not built: the
  /// key_hash of values v1...vn is hash_step(...hash_step(hash_start(n), v1)..., vn).
  static uint64_t hash_start(size_t n) { return 0x9e3779b97f4a7c15ULL ^ n; }
  static uint64_t hash_step(uint64_t h, const Value& v) {
    return fmix64(h ^ v.hash_code()) + 0x632be59bd9b4e019ULL;
  }
  static bool columns_equal(const Tuple& t, const std::vector<size_t>& cols, const Tuple& key);
  /// Whether `a` and `b` agree on columns `cols` (nil past a tuple's end).
  static bool same_columns(const Tuple& a, const Tuple& b, const std::vector<size_t>& cols);
  /// Whether columns `cols_a` of `a` equal columns `cols_b` of `b`, one by one (as many
  /// of each; nil past a tuple's end).
  static bool same_columns(const Tuple& a, const std::vector<size_t>& cols_a, const Tuple& b,
                           const std::vector<size_t>& cols_b);
  /// The 32-bit tag a FlatHash files a 64-bit hash under.
  static uint32_t tag(uint64_t h) { return uint32_t(h ^ (h >> 32)); }

 private:
  uint64_t row_key_hash(const Tuple& t) const {
    return all_key_ ? key_hash(t) : columns_hash(t, key_cols_);
  }
  bool same_key(const Tuple& stored, const Tuple& t) const;
  void rebuild_hashes();

  std::vector<size_t> key_cols_;
  bool all_key_ = true;
  RowStore rows_;
  FlatHash keys_;
  std::vector<std::unique_ptr<Index>> indexes_;
  mutable std::unique_ptr<std::set<Tuple>> sorted_;
  uint64_t fingerprint_ = 0;
  static constexpr uint64_t kEmptySequence = 0x6a09e667f3bcc909ULL;
  /// The sequence after `seq` once a row whose hash, mixed (fmix64), is `mixed` is added.
  static uint64_t next_sequence_of(uint64_t seq, uint64_t mixed);
  uint64_t sequence_ = kEmptySequence;
};

}  // namespace calm::eval
