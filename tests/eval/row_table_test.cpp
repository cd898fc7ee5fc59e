// eval/row_table.h on its own: insertion order with holes and replaced slots, keys,
// indexes in insertion order, the sorted view and the fingerprint, and a long random run
// against a plain model (a vector in insertion order) to hold the flat hash to it.

#include "eval/row_table.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <unordered_map>

using namespace calm::eval;

namespace {

Tuple T(std::initializer_list<int64_t> xs) {
  Tuple t;
  for (int64_t x : xs) t.push_back(Value::integer(x));
  return t;
}

std::vector<Tuple> in_order(const RowTable& rt) {
  std::vector<Tuple> out;
  rt.each([&](const Tuple& t, size_t) { out.push_back(t); });
  return out;
}

std::vector<Tuple> at_slots(const RowTable& rt, const RowTable::Index::Slots& slots) {
  std::vector<Tuple> out;
  for (uint32_t s : slots) out.push_back(*rt.at(s));
  CHECK(out.size() == slots.size());
  return out;
}

}  // namespace

TEST_CASE("rows keep insertion order; a replacement takes the replaced row's slot") {
  RowTable rt;
  rt.set_key({0}, false);  // key: column 0
  rt.add(T({1, 10}));
  rt.add(T({2, 20}));
  rt.add(T({3, 30}));
  size_t s = rt.find(T({2, 99}));  // the row with key 2
  REQUIRE(s == 1);
  CHECK(*rt.at(s) == T({2, 20}));
  CHECK(rt.find_key(T({3})) == 2);
  CHECK(rt.find_key(T({4})) == RowTable::npos);
  rt.remove(s);
  CHECK(rt.at(1) == nullptr);
  CHECK(rt.size() == 2);
  rt.add(T({2, 21}), s);
  CHECK(in_order(rt) == std::vector<Tuple>{T({1, 10}), T({2, 21}), T({3, 30})});
  // A removed last row leaves no hole: the next row is added after the others.
  rt.remove(2);
  CHECK(rt.end_slot() == 2);
  rt.add(T({5, 50}));
  CHECK(in_order(rt) == std::vector<Tuple>{T({1, 10}), T({2, 21}), T({5, 50})});
}

TEST_CASE("an empty key holds one row; a missing column is nil") {
  RowTable one;
  one.set_key({}, false);
  one.add(T({7}));
  CHECK(one.find(T({8})) == 0);  // every tuple has the empty key
  RowTable rt;
  rt.set_key({}, true);
  rt.add(T({1}));
  CHECK(rt.find(T({1})) == 0);
  CHECK(rt.find(T({1, 2})) == RowTable::npos);
  const auto& ix = rt.index_on({1});  // column 1 is past the row's end: nil
  CHECK(at_slots(rt, ix.find(Tuple{Value()})) == std::vector<Tuple>{T({1})});
}

TEST_CASE("an index lists rows in insertion order, through removals and replacements") {
  RowTable rt;
  rt.set_key({0}, false);
  rt.add(T({1, 7}));
  rt.add(T({2, 8}));
  rt.add(T({3, 7}));
  CHECK(at_slots(rt, rt.index_on({1}).find(T({7}))) == std::vector<Tuple>{T({1, 7}), T({3, 7})});
  rt.add(T({4, 7}));
  size_t s = rt.find_key(T({2}));
  rt.remove(s);
  CHECK(rt.index_on({1}).find(T({8})).empty());
  rt.add(T({2, 7}), s);  // back in slot 1: between 1 and 3
  CHECK(at_slots(rt, rt.index_on({1}).find(T({7}))) ==
        std::vector<Tuple>{T({1, 7}), T({2, 7}), T({3, 7}), T({4, 7})});
  // The last and the first of a group go; a row added after them ends it.
  rt.remove(rt.find_key(T({4})));
  rt.remove(rt.find_key(T({1})));
  CHECK(at_slots(rt, rt.index_on({1}).find(T({7}))) == std::vector<Tuple>{T({2, 7}), T({3, 7})});
  rt.add(T({5, 7}));
  rt.add(T({1, 7}), 0);  // the first slot again: first in the group
  CHECK(at_slots(rt, rt.index_on({1}).find(T({7}))) ==
        std::vector<Tuple>{T({1, 7}), T({2, 7}), T({3, 7}), T({5, 7})});
}

TEST_CASE("lookups by columns of another tuple, and by values not yet in a tuple") {
  RowTable rt;
  rt.set_key({}, true);
  rt.add(T({1, 7}));
  rt.add(T({2, 8}));
  rt.add(T({3, 7}));
  // An index on column 1, probed with column 0 of a tuple of another shape.
  const Tuple probe = T({7, 100, 200});
  const std::vector<size_t> cols = {0};
  CHECK(at_slots(rt,
                 rt.index_on({1}).find_columns(probe, cols, RowTable::columns_hash(probe, cols))) ==
        std::vector<Tuple>{T({1, 7}), T({3, 7})});
  const Tuple none = T({9});
  CHECK(rt.index_on({1}).find_columns(none, cols, RowTable::columns_hash(none, cols)).empty());
  // Two columns of one tuple against two of another.
  CHECK(RowTable::same_columns(T({1, 7, 9}), {2, 1}, T({9, 7}), {0, 1}));
  CHECK_FALSE(RowTable::same_columns(T({1, 7, 9}), {2, 0}, T({9, 7}), {0, 1}));
  // The key hash a value at a time is the key hash of the tuple.
  uint64_t h = RowTable::hash_step(RowTable::hash_step(RowTable::hash_start(2), Value::integer(2)),
                                   Value::integer(8));
  CHECK(h == RowTable::key_hash(T({2, 8})));
  CHECK(RowTable::columns_hash(T({8, 5, 2}), {2, 0}) == h);
  // find_if compares what the caller has: here, two values.
  auto same_as = [](int64_t a, int64_t b) {
    return [a, b](const Tuple& t) {
      return t.size() == 2 && t[0] == Value::integer(a) && t[1] == Value::integer(b);
    };
  };
  CHECK(rt.find_if(h, same_as(2, 8)) == rt.find(T({2, 8})));
  CHECK(rt.find_if(h, same_as(2, 8)) != RowTable::npos);
  CHECK(rt.find_if(RowTable::key_hash(T({2, 9})), same_as(2, 9)) == RowTable::npos);
  CHECK(rt.all_key());
}

TEST_CASE("a flat hash given room ahead holds the same payloads as one that grew") {
  FlatHash grown, reserved;
  reserved.reserve(5000);
  const size_t room = reserved.bytes();
  for (uint32_t i = 0; i < 5000; ++i) {
    const uint32_t tag = i * 2654435761u;  // spread, with some tags shared below
    grown.insert(tag % 1024, i);
    reserved.insert(tag % 1024, i);
  }
  CHECK(reserved.bytes() == room);  // no growth while filling the room it made
  for (uint32_t i = 0; i < 5000; ++i) {
    const uint32_t tag = (i * 2654435761u) % 1024;
    CHECK(grown.find(tag, [&](uint32_t p) { return p == i; }) == i);
    CHECK(reserved.find(tag, [&](uint32_t p) { return p == i; }) == i);
  }
  CHECK(reserved.find(5, [](uint32_t p) { return p == 99999; }) == FlatHash::kNone);
  // Asking for less room than it has changes nothing.
  reserved.reserve(10);
  CHECK(reserved.bytes() == room);
}

TEST_CASE("an index left unused while the table doubles is dropped, and rebuilt when asked for") {
  RowTable rt;
  rt.set_key({}, true);
  for (int64_t i = 0; i < 100; ++i) rt.add(T({i, i % 3}));
  CHECK(rt.index_on({1}).find(T({0})).size() == 34);
  for (int64_t i = 100; i < 5000; ++i) rt.add(T({i, i % 3}));  // more than 4096 adds unasked
  size_t rows_only = rt.bytes();
  CHECK(rt.index_on({1}).find(T({0})).size() == 1667);  // rebuilt, complete
  CHECK(rt.bytes() > rows_only);  // the index was gone: rebuilding it takes memory again
}

TEST_CASE("the sorted view is built on demand and then follows the table") {
  RowTable rt;
  rt.set_key({}, true);
  rt.add(T({3}));
  rt.add(T({1}));
  CHECK(std::vector<Tuple>(rt.sorted().begin(), rt.sorted().end()) ==
        std::vector<Tuple>{T({1}), T({3})});
  rt.add(T({2}));
  rt.remove(rt.find(T({3})));
  CHECK(std::vector<Tuple>(rt.sorted().begin(), rt.sorted().end()) ==
        std::vector<Tuple>{T({1}), T({2})});
  rt.clear();
  CHECK(rt.sorted().empty());
}

TEST_CASE("the fingerprint depends on the rows, not on their order or history") {
  RowTable a, b;
  a.set_key({}, true);
  b.set_key({}, true);
  a.add(T({1}));
  a.add(T({2}));
  b.add(T({2}));
  b.add(T({5}));
  CHECK(a.fingerprint() != b.fingerprint());
  b.remove(b.find(T({5})));
  b.add(T({1}));
  CHECK(a.fingerprint() == b.fingerprint());
  b.clear();
  CHECK(b.fingerprint() == RowTable().fingerprint());
}

TEST_CASE("a long random run agrees with a plain model (flat hash, holes, compaction)") {
  std::mt19937_64 rng(7);
  RowTable rt;
  rt.set_key({0}, false);
  std::vector<Tuple> model;  // insertion order, replacements in place
  for (int step = 0; step < 40000; ++step) {
    int64_t k = int64_t(rng() % 3000), v = int64_t(rng() % 5);
    auto it = std::find_if(model.begin(), model.end(),
                           [&](const Tuple& t) { return t[0] == Value::integer(k); });
    size_t s = rt.find_key(T({k}));
    REQUIRE((s == RowTable::npos) == (it == model.end()));
    if (it == model.end()) {
      if (rng() % 4) {
        rt.add(T({k, v}));
        model.push_back(T({k, v}));
      }
    } else if (rng() % 2) {
      rt.remove(s);
      model.erase(it);
      rt.compact();
    } else {
      rt.remove(s);
      rt.add(T({k, v}), s);
      *it = T({k, v});
    }
    if (step % 5000 == 0) rt.index_on({1});  // an index built midway, then maintained
  }
  CHECK(rt.size() == model.size());
  CHECK(in_order(rt) == model);
  const auto& ix = rt.index_on({1});
  for (int64_t v = 0; v < 5; ++v) {
    std::vector<Tuple> want;
    for (const auto& t : model)
      if (t[1] == Value::integer(v)) want.push_back(t);
    CHECK(at_slots(rt, ix.find(T({v}))) == want);
  }
}

TEST_CASE("row store: rows of any width, inline or on the heap, stay put while it grows") {
  // Strings are shared payloads: a row destroyed twice, or never, shows under the
  // sanitizers (the debug test run).
  Value shared = Value::string("a payload shared by every row");
  auto row = [&](size_t i) {
    Tuple t;
    for (size_t c = 0; c < i % 6; ++c)  // 0 to 5 values: inline up to 2, then on the heap
      t.push_back(c == 1 ? shared : Value::integer(int64_t(i * 10 + c)));
    return t;
  };
  std::vector<Tuple> model;
  std::vector<const Tuple*> first;  // pointers taken early, read after the store grew
  RowStore rs;
  rs.hint(2);
  for (size_t i = 0; i < 5000; ++i) {
    REQUIRE(rs.push(row(i)) == i);
    model.push_back(row(i));
    if (i < 40) first.push_back(rs.at(i));
  }
  for (size_t i = 0; i < first.size(); ++i) CHECK(*first[i] == model[i]);
  // Holes, a hole filled again, the trailing holes dropped, then compaction.
  for (size_t i = 0; i < 5000; i += 3) rs.remove(i);
  rs.put(3, row(7));
  for (size_t i = 4999; i >= 4990; --i)
    if (rs.is_live(i)) rs.remove(i);
  CHECK(rs.end() == 4989);
  std::vector<Tuple> want;
  for (size_t i = 0; i < rs.end(); ++i)
    if (i == 3) {
      want.push_back(row(7));
    } else if (i % 3 != 0) {
      CHECK(*rs.at(i) == model[i]);
      want.push_back(model[i]);
    } else {
      CHECK(rs.at(i) == nullptr);
    }
  CHECK(rs.live() == want.size());
  rs.compact();
  REQUIRE(rs.end() == want.size());
  for (size_t i = 0; i < want.size(); ++i) CHECK(rs[i] == want[i]);
  // Moved, then cleared and filled again.
  RowStore moved(std::move(rs));
  CHECK(moved.live() == want.size());
  moved.clear();
  CHECK(moved.end() == 0);
  for (size_t i = 0; i < 100; ++i) moved.push(row(i));
  for (size_t i = 0; i < 100; ++i) CHECK(moved[i] == model[i]);
}

TEST_CASE("row store: the first row sets the width when no hint came") {
  RowStore rs;
  rs.push(T({1, 2, 3}));
  rs.push(T({4}));
  rs.push(T({5, 6, 7, 8, 9}));
  CHECK(rs[0] == T({1, 2, 3}));
  CHECK(rs[1] == T({4}));
  CHECK(rs[2] == T({5, 6, 7, 8, 9}));
  CHECK(rs.bytes() >= 16 * Tuple::row_bytes(3) + 5 * sizeof(Value));
}

TEST_CASE("row table: the sequence is the rows added in order, or new after a removal") {
  auto T = [](int64_t a, int64_t b) { return Tuple{Value::integer(a), Value::integer(b)}; };
  RowTable x, y;
  CHECK(x.sequence() == y.sequence());  // both empty
  const uint64_t empty = x.sequence();
  x.add(T(1, 2));
  x.add(T(3, 4));
  y.add(T(1, 2));
  CHECK(x.sequence() != y.sequence());
  y.add(T(3, 4));
  CHECK(x.sequence() == y.sequence());
  RowTable z;  // the same rows in another order: another sequence, the same fingerprint
  z.add(T(3, 4));
  z.add(T(1, 2));
  CHECK(z.sequence() != x.sequence());
  CHECK(z.fingerprint() == x.fingerprint());
  // Cleared and filled again alike: the same sequence.
  const uint64_t filled = x.sequence();
  x.clear();
  CHECK(x.sequence() == empty);
  x.add(T(1, 2));
  x.add(T(3, 4));
  CHECK(x.sequence() == filled);
  // A removal, even undone, gives a sequence no table had.
  x.remove(x.find(T(3, 4)));
  const uint64_t removed = x.sequence();
  CHECK(removed != filled);
  CHECK(removed != y.sequence());
  x.add(T(3, 4));
  CHECK(x.sequence() != filled);
  CHECK(x.sequence() != removed);
}

TEST_CASE("values: different arrays and sets of small integers hash apart") {
  // Fingerprints and sequences (and so rule memos) trust 64-bit hashes of values: an
  // array's hash must mix its elements (boost's hash_combine made [0, 7, 2] and
  // [0, 8, 59] collide), and a set's must differ from an array's with other elements.
  std::unordered_map<size_t, Value> seen;
  size_t collisions = 0;
  auto add = [&](const Value& v) {
    auto [it, fresh] = seen.emplace(v.hash_code(), v);
    if (!fresh && !(it->second == v)) ++collisions;
  };
  for (int a = 0; a < 30; ++a)
    for (int b = 0; b < 30; ++b)
      for (int c = 0; c < 30; ++c) {
        add(Value::array({Value::integer(a), Value::integer(b), Value::integer(c)}));
        add(Value::set({Value::integer(a), Value::integer(b), Value::integer(c)}));
      }
  CHECK(collisions == 0);
  // Equal sets hash alike, whatever the order their elements came in.
  Value x = Value::set({Value::integer(0), Value::integer(1), Value::integer(2)});
  Value y = Value::set({Value::integer(2), Value::integer(0), Value::integer(1)});
  CHECK(x == y);
  CHECK(x.hash_code() == y.hash_code());
}
