// eval::Tuple keeps its first values inline and the rest on the heap: it must behave as
// the std::vector<Value> it replaced, across the move from inline to heap storage.

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "eval/value.h"

using namespace calm::eval;

namespace {

using Model = std::vector<Value>;

bool same(const Tuple& t, const Model& m) {
  if (t.size() != m.size()) return false;
  for (size_t i = 0; i < m.size(); ++i)
    if (!(t[i] == m[i])) return false;
  return true;
}

Value some_value(std::mt19937& rng) {
  switch (rng() % 4) {
    case 0:
      return Value::integer(int64_t(rng() % 7));
    case 1:
      return Value::string("s" + std::to_string(rng() % 5));  // shared payloads
    case 2:
      return Value::array({Value::integer(1), Value::symbol("x")});
    default:
      return Value();
  }
}

}  // namespace

TEST_CASE("a tuple of four values is stored inline") {
  static_assert(sizeof(Tuple) == 40);
  Tuple t{Value::integer(1), Value::integer(2), Value::integer(3), Value::integer(4)};
  CHECK(t.capacity() == Tuple::kInline);
  t.push_back(Value::integer(5));  // to the heap
  CHECK(t.capacity() >= 5);
  CHECK(inspect(t) == "[1, 2, 3, 4, 5]");
  Tuple moved = std::move(t);
  CHECK(inspect(moved) == "[1, 2, 3, 4, 5]");
  CHECK(t.empty());  // NOLINT(bugprone-use-after-move): a moved-from tuple is empty
  t.push_back(Value::string("again"));
  CHECK(inspect(t) == "[\"again\"]");
  t.resize(5, t[0]);  // a value of the tuple itself, while it moves to the heap
  CHECK(inspect(t) == "[\"again\", \"again\", \"again\", \"again\", \"again\"]");
}

TEST_CASE("a tuple orders, compares and hashes as the vector it replaced") {
  Tuple a{Value::integer(1)}, b{Value::integer(1), Value::nil()}, c{Value::integer(2)};
  CHECK(a < b);  // a prefix first
  CHECK(b < c);
  CHECK(a != b);
  CHECK(Tuple(std::vector<Value>{Value::integer(1)}) == a);
  std::vector<Value> back = b;
  CHECK(back.size() == 2);
  CHECK(TupleHash()(a) == TupleHash()(Tuple{Value::integer(1)}));
  CHECK(inspect(Tuple{}) == "[]");
}

TEST_CASE("a tuple follows a vector through random edits") {
  std::mt19937 rng(20);
  for (int round = 0; round < 300; ++round) {
    Tuple t;
    Model m;
    for (int op = 0; op < 40; ++op) {
      switch (rng() % 9) {
        case 0:
        case 1: {
          Value v = some_value(rng);
          t.push_back(v);
          m.push_back(v);
          break;
        }
        case 2:
          if (!m.empty()) {
            t.pop_back();
            m.pop_back();
          }
          break;
        case 3: {
          size_t n = rng() % 6;
          t.resize(n);
          m.resize(n);
          break;
        }
        case 4: {  // insert a range from another tuple
          size_t at = m.empty() ? 0 : rng() % (m.size() + 1);
          Model more = {some_value(rng), some_value(rng)};
          t.insert(t.begin() + at, more.begin(), more.end());
          m.insert(m.begin() + long(at), more.begin(), more.end());
          break;
        }
        case 5:
          if (!m.empty()) {
            size_t at = rng() % m.size();
            t.erase(t.begin() + at);
            m.erase(m.begin() + long(at));
          }
          break;
        case 6: {  // copies and assignments across storage kinds
          Tuple copy = t;
          Tuple other{some_value(rng), some_value(rng), some_value(rng)};
          other = copy;
          t = std::move(other);
          break;
        }
        case 7:
          if (!m.empty()) {  // a value of the tuple itself, appended while it grows
            t.push_back(t[0]);
            m.push_back(m[0]);
          }
          break;
        default: {
          Tuple u(m.begin(), m.end());
          REQUIRE(u == t);
          REQUIRE_FALSE(u < t);
          t.swap(u);
          break;
        }
      }
      REQUIRE(same(t, m));
    }
    Tuple x(m.begin(), m.end()), y = Model(m.rbegin(), m.rend());
    CHECK(((x <=> y) < 0) ==
          std::lexicographical_compare(m.begin(), m.end(), m.rbegin(), m.rend()));
  }
}
