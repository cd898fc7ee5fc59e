#include "eval/row_table.h"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace calm::eval {

namespace {

const Value kNil{};

inline const Value& column_or_nil(const Tuple& t, size_t c) { return c < t.size() ? t[c] : kNil; }

uint32_t tag_of(uint64_t h) { return RowTable::tag(h); }

/// A sequence no table had before (RowTable::sequence): a stamp from a process-wide
/// counter, mixed.
uint64_t fresh_sequence() {
  static std::atomic<uint64_t> stamps{0};
  return fmix64(++stamps ^ 0xbb67ae8584caa73bULL);
}

}  // namespace

// ---------------------------------------------------------------------------
// FlatHash

void FlatHash::insert(uint32_t tag, uint32_t payload) {
  // Grown past 80% full (to at most half full): at 70% the 1M-edge closure's 6.6M paths
  // took a table of 16M entries (20 bytes per path, 30 while it doubled), at 80% one of
  // 8M, with no time lost that stood out of the noise.
  if ((used_ + tombs_ + 1) * 10 > e_.size() * 8) grow();
  size_t mask = e_.size() - 1;
  for (size_t i = tag & mask;; i = (i + 1) & mask) {
    uint32_t low = uint32_t(e_[i]);
    if (low == kEmpty || low == kTomb) {
      if (low == kTomb) --tombs_;
      e_[i] = (uint64_t(tag) << 32) | (payload + 1);
      ++used_;
      return;
    }
  }
}

bool FlatHash::erase(uint32_t tag, uint32_t payload) {
  if (e_.empty()) return false;
  size_t mask = e_.size() - 1;
  uint64_t want = (uint64_t(tag) << 32) | (payload + 1);
  for (size_t i = tag & mask;; i = (i + 1) & mask) {
    uint32_t low = uint32_t(e_[i]);
    if (low == kEmpty) return false;
    if (e_[i] == want) {
      e_[i] = kTomb;
      --used_;
      ++tombs_;
      return true;
    }
  }
}

void FlatHash::clear() {
  // A small table (a scratch collection emptied every timestep) keeps its storage.
  if (e_.size() <= 1024)
    std::fill(e_.begin(), e_.end(), 0);
  else
    std::vector<uint64_t>().swap(e_);
  used_ = tombs_ = 0;
}

void FlatHash::grow() {
  // Double when the live entries need it; otherwise rehash at the same size to drop the
  // tombstones.
  size_t cap = e_.empty() ? 16 : e_.size();
  while ((used_ + 1) * 10 > cap * 5) cap *= 2;
  rehash(cap);
}

void FlatHash::reserve(size_t n) {
  size_t cap = 16;
  while (n * 10 > cap * 5) cap *= 2;
  if (cap > e_.size()) rehash(cap);
}

void FlatHash::rehash(size_t cap) {
  std::vector<uint64_t> old(cap, 0);
  old.swap(e_);
  size_t mask = cap - 1;
  for (uint64_t x : old) {
    uint32_t low = uint32_t(x);
    if (low == kEmpty || low == kTomb) continue;
    size_t i = uint32_t(x >> 32) & mask;
    while (uint32_t(e_[i]) != kEmpty) i = (i + 1) & mask;
    e_[i] = x;
  }
  tombs_ = 0;
}

// ---------------------------------------------------------------------------
// RowStore

RowStore::~RowStore() {
  destroy_rows();
  free_chunks(0);
}

void RowStore::hint(size_t columns) {
  if (width_ == 0 && columns > 0)
    width_ = columns <= Tuple::kInline ? uint32_t(columns) : 1;  // wider: on the heap
}

void RowStore::swap(RowStore& o) noexcept {
  std::swap(width_, o.width_);
  std::swap(stride_, o.stride_);
  std::swap(end_, o.end_);
  std::swap(live_, o.live_);
  live_flag_.swap(o.live_flag_);
  chunks_.swap(o.chunks_);
}

std::byte* RowStore::new_chunk(unsigned c, size_t columns) {
  if (width_ == 0) hint(std::max<size_t>(columns, 1));
  if (stride_ == 0) stride_ = Tuple::row_bytes(width_);
  chunks_[c] = static_cast<std::byte*>(::operator new((size_t(1) << (c + kFirstBits)) * stride_));
  return chunks_[c];
}

void RowStore::put(size_t slot, Tuple&& t) {
  Tuple::build_row(row(slot), width_, std::move(t));
  live_flag_[slot] = true;
  ++live_;
}

void RowStore::remove(size_t slot) {
  row(slot)->~Tuple();
  live_flag_[slot] = false;
  --live_;
  while (end_ > 0 && !live_flag_[end_ - 1]) {
    --end_;
    live_flag_.pop_back();
  }
}

void RowStore::compact() {
  // A row is its bytes (a Value is relocated by copying it): each live row is copied
  // down to the next free slot, in order.
  size_t to = 0;
  for (size_t from = 0; from < end_; ++from)
    if (live_flag_[from]) {
      if (to != from) std::memcpy(static_cast<void*>(row(to)), row(from), stride_);
      ++to;
    }
  end_ = live_ = to;
  live_flag_.assign(to, true);
  // The chunks past the rows' end are let go (the first is kept).
  free_chunks(end_ == 0 ? 1 : place_of(end_ - 1).chunk + 1);
}

void RowStore::destroy_rows() {
  for (size_t i = 0; i < end_; ++i)
    if (live_flag_[i]) row(i)->~Tuple();
}

void RowStore::free_chunks(size_t from) {
  // Chunks are allocated in order: the first missing one is the end.
  for (size_t c = from; c < kChunks && chunks_[c]; ++c) {
    ::operator delete(chunks_[c]);
    chunks_[c] = nullptr;
  }
}

void RowStore::clear() {
  destroy_rows();
  end_ = live_ = 0;
  live_flag_.clear();
  // A small table (a scratch emptied every timestep) keeps its first chunks: 16, 32, 64
  // and 128 rows.
  free_chunks(4);
}

size_t RowStore::bytes() const {
  size_t b = live_flag_.capacity() / 8;
  for (size_t c = 0; c < kChunks; ++c)
    if (chunks_[c]) b += (size_t(1) << (c + kFirstBits)) * stride_;
  for (size_t i = 0; i < end_; ++i)
    if (const Tuple* t = at(i); t && t->size() > width_) b += t->capacity() * sizeof(Value);
  return b;
}

// ---------------------------------------------------------------------------
// Hashing keys

uint64_t RowTable::columns_hash(const Tuple& t, const std::vector<size_t>& cols) {
  uint64_t h = hash_start(cols.size());
  for (size_t c : cols) h = hash_step(h, column_or_nil(t, c));
  return h;
}

bool RowTable::columns_equal(const Tuple& t, const std::vector<size_t>& cols, const Tuple& key) {
  if (key.size() != cols.size()) return false;
  for (size_t i = 0; i < cols.size(); ++i)
    if (!(column_or_nil(t, cols[i]) == key[i])) return false;
  return true;
}

bool RowTable::same_columns(const Tuple& a, const Tuple& b, const std::vector<size_t>& cols) {
  for (size_t c : cols)
    if (!(column_or_nil(a, c) == column_or_nil(b, c))) return false;
  return true;
}

bool RowTable::same_columns(const Tuple& a, const std::vector<size_t>& cols_a, const Tuple& b,
                            const std::vector<size_t>& cols_b) {
  for (size_t i = 0; i < cols_a.size(); ++i)
    if (!(column_or_nil(a, cols_a[i]) == column_or_nil(b, cols_b[i]))) return false;
  return true;
}

bool RowTable::same_key(const Tuple& stored, const Tuple& t) const {
  return all_key_ ? stored == t : same_columns(stored, t, key_cols_);
}

// ---------------------------------------------------------------------------
// RowTable

void RowTable::set_key(std::vector<size_t> cols, bool all_key, size_t columns) {
  key_cols_ = std::move(cols);
  all_key_ = all_key;
  rows_.hint(columns);
  rebuild_hashes();
}

size_t RowTable::find(const Tuple& t, uint64_t h) const {
  uint32_t s = keys_.find(tag_of(h), [&](uint32_t slot) { return same_key(rows_[slot], t); });
  return s == FlatHash::kNone ? npos : s;
}

size_t RowTable::find_key(const Tuple& key) const {
  if (all_key_) return find(key);
  uint32_t s = keys_.find(tag_of(key_hash(key)), [&](uint32_t slot) {
    return columns_equal(rows_[slot], key_cols_, key);
  });
  return s == FlatHash::kNone ? npos : s;
}

uint64_t RowTable::next_sequence_of(uint64_t seq, uint64_t mixed) {
  return fmix64(seq ^ mixed) + 0x3c6ef372fe94f82bULL;
}

size_t RowTable::add(Tuple&& t, size_t slot, uint64_t h) {
  bool appended = false;
  if (slot < rows_.end() && !rows_.is_live(slot)) {
    rows_.put(slot, std::move(t));
  } else {
    slot = rows_.push(std::move(t));
    appended = true;
  }
  const Tuple& stored = rows_[slot];
  keys_.insert(tag_of(h), uint32_t(slot));
  // The row's hash, mixed once for the fingerprint and the sequence.
  const uint64_t mixed = fmix64(all_key_ ? h : key_hash(stored));
  fingerprint_ += mixed;
  sequence_ = appended ? next_sequence_of(sequence_, mixed) : fresh_sequence();
  for (auto& ix : indexes_) ix->add(stored, uint32_t(slot));
  if (!indexes_.empty())
    std::erase_if(indexes_, [&](const std::unique_ptr<Index>& ix) {
      return ++ix->adds_since_use_ > std::max<size_t>(ix->size_at_use_, 4096);
    });
  if (sorted_) sorted_->insert(stored);
  return slot;
}

void RowTable::remove(size_t slot) {
  const Tuple& t = rows_[slot];
  uint64_t h = row_key_hash(t);
  keys_.erase(tag_of(h), uint32_t(slot));
  fingerprint_ -= fmix64(all_key_ ? h : key_hash(t));
  sequence_ = fresh_sequence();
  for (auto& ix : indexes_) ix->remove(t, uint32_t(slot));
  if (sorted_) sorted_->erase(t);
  rows_.remove(slot);  // trailing holes are dropped at once: the order stays the same
}

bool RowTable::compact() {
  size_t h = holes();
  if (h < 64 || h * 2 < rows_.end()) return false;
  rows_.compact();
  rebuild_hashes();
  return true;
}

void RowTable::clear() {
  sequence_ = kEmptySequence;
  if (rows_.end() == 0) return;  // no rows: nothing in the hashes, the indexes or the view
  rows_.clear();
  keys_.clear();
  fingerprint_ = 0;
  for (auto& ix : indexes_) ix->clear();
  if (sorted_) sorted_->clear();
}

void RowTable::rebuild_hashes() {
  keys_.clear();
  indexes_.clear();  // rebuilt on their next use
  fingerprint_ = 0;
  for (size_t i = 0; i < rows_.end(); ++i)
    if (rows_.is_live(i)) {
      uint64_t h = row_key_hash(rows_[i]);
      keys_.insert(tag_of(h), uint32_t(i));
      fingerprint_ += fmix64(all_key_ ? h : key_hash(rows_[i]));
    }
}

const RowTable::Index& RowTable::index_on(const std::vector<size_t>& cols) {
  for (auto& ix : indexes_)
    if (ix->cols_ == cols) {
      ix->table_ = this;  // the table may have moved since (a map of collections)
      ix->adds_since_use_ = 0;
      ix->size_at_use_ = rows_.live();
      return *ix;
    }
  auto ix = std::make_unique<Index>();
  ix->table_ = this;
  ix->cols_ = cols;
  ix->size_at_use_ = rows_.live();
  each([&](const Tuple& t, size_t slot) { ix->add(t, uint32_t(slot)); });
  indexes_.push_back(std::move(ix));
  return *indexes_.back();
}

const std::set<Tuple>& RowTable::sorted() const {
  if (!sorted_) {
    sorted_ = std::make_unique<std::set<Tuple>>();
    each([&](const Tuple& t, size_t) { sorted_->insert(t); });
  }
  return *sorted_;
}

size_t RowTable::bytes() const {
  size_t b = rows_.bytes() + keys_.bytes();
  for (const auto& ix : indexes_) b += ix->bytes();
  return b;
}

// ---------------------------------------------------------------------------
// Index

RowTable::Index::Slots RowTable::Index::find(const Tuple& key, uint64_t h) const {
  uint32_t g = hash_.find(tag_of(h), [&](uint32_t group) { return keys_[group] == key; });
  if (g == FlatHash::kNone) return {};
  return {&next_, groups_[g].head, groups_[g].count};
}

RowTable::Index::Slots RowTable::Index::find_columns(const Tuple& t,
                                                     const std::vector<size_t>& cols,
                                                     uint64_t h) const {
  uint32_t g = group_of(t, cols, tag_of(h));
  if (g == FlatHash::kNone) return {};
  return {&next_, groups_[g].head, groups_[g].count};
}

uint32_t RowTable::Index::group_of(const Tuple& t, const std::vector<size_t>& cols,
                                   uint32_t tag) const {
  return hash_.find(tag, [&](uint32_t group) { return columns_equal(t, cols, keys_[group]); });
}

void RowTable::Index::add(const Tuple& t, uint32_t slot) {
  if (next_.size() == slot)
    next_.push_back(FlatHash::kNone);  // a row added at the end: most are
  else if (next_.size() < slot)
    next_.resize(size_t(slot) + 1, FlatHash::kNone);
  uint32_t tag = tag_of(columns_hash(t, cols_));
  uint32_t g = group_of(t, cols_, tag);
  next_[slot] = FlatHash::kNone;
  if (g == FlatHash::kNone) {
    if (!free_groups_.empty()) {
      g = free_groups_.back();
      free_groups_.pop_back();
    } else {
      g = uint32_t(groups_.size());
      groups_.emplace_back();
      keys_.emplace_back();
    }
    groups_[g] = Group{slot, slot, 1};
    Tuple& k = keys_[g];
    k.clear();
    for (size_t c : cols_) k.push_back(column_or_nil(t, c));
    hash_.insert(tag, g);
    return;
  }
  Group& grp = groups_[g];
  ++grp.count;
  // Slots grow as rows are added; a row that takes a replaced row's slot goes in its
  // place in the order.
  if (grp.tail < slot) {
    next_[grp.tail] = slot;
    grp.tail = slot;
    return;
  }
  if (slot < grp.head) {
    next_[slot] = grp.head;
    grp.head = slot;
    return;
  }
  uint32_t at = grp.head;
  while (next_[at] < slot) at = next_[at];  // the chain ends above `slot` (the tail)
  next_[slot] = next_[at];
  next_[at] = slot;
}

void RowTable::Index::remove(const Tuple& t, uint32_t slot) {
  uint32_t tag = tag_of(columns_hash(t, cols_));
  uint32_t g = group_of(t, cols_, tag);
  if (g == FlatHash::kNone) return;
  Group& grp = groups_[g];
  if (--grp.count == 0) {
    hash_.erase(tag, g);
    free_groups_.push_back(g);
    keys_[g].clear();
    grp = Group{};
    next_[slot] = FlatHash::kNone;
    return;
  }
  if (grp.head == slot) {
    grp.head = next_[slot];
  } else {
    uint32_t at = grp.head;
    while (next_[at] != slot) at = next_[at];
    next_[at] = next_[slot];
    if (grp.tail == slot) grp.tail = at;
  }
  next_[slot] = FlatHash::kNone;
}

void RowTable::Index::clear() {
  hash_.clear();
  groups_.clear();
  keys_.clear();
  free_groups_.clear();
  next_.clear();
}

size_t RowTable::Index::bytes() const {
  return hash_.bytes() + groups_.capacity() * sizeof(Group) + keys_.capacity() * sizeof(Tuple) +
         (next_.capacity() + free_groups_.capacity()) * sizeof(uint32_t);
}

}  // namespace calm::eval
