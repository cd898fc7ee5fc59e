// Value is one word: integers of 63 bits inline (2x+1), nil and the booleans as
// constants, everything else behind a shared payload. The representation must not show:
// integers on either side of 63 bits compare, hash and print as integers, and copies of a
// payload share it until one of them changes.

#include "eval/value.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

using namespace calm::eval;

namespace {

constexpr int64_t kTop = (int64_t(1) << 62) - 1;  // the largest integer held inline
constexpr int64_t kBottom = -(int64_t(1) << 62);  // the smallest

std::vector<int64_t> edge_integers() {
  return {std::numeric_limits<int64_t>::min(),
          std::numeric_limits<int64_t>::min() + 1,
          kBottom - 1,
          kBottom,
          kBottom + 1,
          -1,
          0,
          1,
          kTop - 1,
          kTop,
          kTop + 1,
          std::numeric_limits<int64_t>::max() - 1,
          std::numeric_limits<int64_t>::max()};
}

}  // namespace

TEST_CASE("integers on both sides of 63 bits are integers") {
  static_assert(sizeof(Value) == 8);
  auto ints = edge_integers();
  for (size_t i = 0; i < ints.size(); ++i) {
    CAPTURE(ints[i]);
    Value v = Value::integer(ints[i]);
    CHECK(v.kind() == Value::Kind::Int);
    CHECK(v.as_int() == ints[i]);
    CHECK(v.as_float() == double(ints[i]));
    CHECK(v.inspect() == std::to_string(ints[i]));
    CHECK(v.truthy());
    CHECK(v.is_numeric());
    Value copy = v, again = Value::integer(ints[i]);
    CHECK(copy == v);
    CHECK(again == v);
    CHECK(again.hash_code() == v.hash_code());
    CHECK(Value::ruby_equal(again, v));
    for (size_t j = 0; j < ints.size(); ++j) {
      Value w = Value::integer(ints[j]);
      CHECK((v == w) == (i == j));
      CHECK(Value::compare(v, w) == (ints[i] < ints[j] ? -1 : ints[i] > ints[j] ? 1 : 0));
    }
  }
  // Sorting values sorts the integers.
  std::vector<Value> vs;
  for (auto it = ints.rbegin(); it != ints.rend(); ++it) vs.push_back(Value::integer(*it));
  std::sort(vs.begin(), vs.end());
  for (size_t i = 0; i < ints.size(); ++i) CHECK(vs[i].as_int() == ints[i]);
}

TEST_CASE("equal strings made close together share a payload, which a change unshares") {
  Value a = Value::string("10.0.0.1:7000");
  Value b = Value::string(std::string("10.0.0.1:") + "7000");
  CHECK(a.shares_payload(b));
  CHECK_FALSE(a.shares_payload(Value::string("10.0.0.2:7000")));
  CHECK_FALSE(a.shares_payload(Value::symbol("10.0.0.1:7000")));
  // A string inside an array changed in one copy of the array only.
  Value x = Value::array({a}), y = Value::array({b});
  y.mutable_items()[0] = Value::string("changed");
  CHECK(x.inspect() == "[\"10.0.0.1:7000\"]");
  CHECK(y.inspect() == "[\"changed\"]");
  CHECK(a.as_string() == "10.0.0.1:7000");
  // Long strings are not looked for.
  std::string long_text(100, 'x');
  CHECK_FALSE(Value::string(long_text).shares_payload(Value::string(long_text)));
}

TEST_CASE("nil, booleans, floats and times keep their kinds and order") {
  Value n, f = Value::boolean(false), t = Value::boolean(true);
  CHECK(n.is_nil());
  CHECK_FALSE(n.truthy());
  CHECK_FALSE(f.truthy());
  CHECK(t.truthy());
  CHECK(f.kind() == Value::Kind::Bool);
  CHECK(t.as_bool());
  CHECK_FALSE(f.as_bool());
  CHECK(Value::compare(n, f) < 0);
  CHECK(Value::compare(f, t) < 0);
  CHECK(Value::compare(t, Value::integer(0)) < 0);
  Value x = Value::floating(1.5), one = Value::floating(1.0);
  CHECK(x.kind() == Value::Kind::Float);
  CHECK(x.as_float() == 1.5);
  CHECK(x.as_int() == 0);
  CHECK(x.inspect() == "1.5");
  CHECK_FALSE(one == Value::integer(1));              // eql?
  CHECK(Value::ruby_equal(one, Value::integer(1)));   // ==
  CHECK(Value::compare(Value::integer(1), one) < 0);  // an Int before an equal Float
  CHECK(Value::compare(one, Value::integer(2)) < 0);
  CHECK(Value::floating(2.5) == Value::floating(2.5));
  Value tm = Value::time(1e9);
  CHECK(tm.kind() == Value::Kind::Time);
  CHECK(tm.as_time() == 1e9);
  CHECK(tm.as_float() == 0.0);
  CHECK(tm.inspect() == "2001-09-09 01:46:40 UTC");
}

TEST_CASE("a copy shares its payload until it changes") {
  Value a = Value::array({Value::integer(1), Value::string("s")});
  Value b = a;
  CHECK(a == b);
  b.mutable_items().push_back(Value::integer(kTop + 1));
  CHECK(a.inspect() == "[1, \"s\"]");
  CHECK(b.inspect() == "[1, \"s\", 4611686018427387904]");
  CHECK_FALSE(a == b);
  Value moved = std::move(b);
  CHECK(b.is_nil());  // NOLINT(bugprone-use-after-move): a moved-from value is nil
  CHECK(moved.items().size() == 3);
  CHECK(Value::string("").kind() == Value::Kind::String);
  CHECK(Value::string("").as_string().empty());
  CHECK(Value::symbol("k").inspect() == ":k");
}
