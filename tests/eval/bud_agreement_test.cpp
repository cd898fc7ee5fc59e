// Behaviours where the evaluator once differed from Bud 0.9.9, each pinned to what Bud
// does (checked by running the same program in Bud; see docs/differences-from-bud.md).

#include <doctest/doctest.h>

#include "eval/ruby_text.h"
#include "support/node_fixture.h"

using namespace calm;
using namespace calm::eval;
using namespace calm::eval::testing;

namespace {

Value B(bool b) { return Value::boolean(b); }
Value F(double f) { return Value::floating(f); }

}  // namespace

TEST_CASE("empty key: a table declared [] => [:x] holds one row; a second is a key conflict") {
  auto r = prepare(program("    table :t, [] => [:x]\n    scratch :in_, [:x]", "    t <= in_"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"in_", {I(1)}}}).ok);
  REQUIRE(step(*r, {{"in_", {I(1)}}}).ok);
  CHECK(show(r->node->contents("t")) == "[1];");
  StepResult res = step(*r, {{"in_", {I(2)}}});
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics).find("calm-key-conflict") == 0);
  CHECK(first_diag(res.diagnostics).find("key [] has [1] and [2]") != std::string::npos);
}

TEST_CASE("aggregate over (a * b).lefts: the distinct left tuples (Bud issue #278)") {
  auto r =
      prepare(program("    table :sum_tbl, [:sum_v]\n    table :cnt_tbl, [:cnt_v]\n"
                      "    table :t1\n    table :t2",
                      "    sum_tbl <= (t1 * t2).lefts.group([], sum(:val))\n"
                      "    cnt_tbl <= (t1 * t2).lefts.group([], count)"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"t1", {I(10), I(20)}}, {"t2", {I(31), I(41)}}}).ok);
  CHECK(show(r->node->contents("sum_tbl")) == "[20];");
  CHECK(show(r->node->contents("cnt_tbl")) == "[1];");
  REQUIRE(step(*r, {{"t1", {I(5), I(5)}}}).ok);
  CHECK(show(r->node->contents("sum_tbl")) == "[20];[25];");
  REQUIRE(step(*r, {{"t2", {I(11), I(13)}}}).ok);  // two join rows per left tuple now
  CHECK(show(r->node->contents("sum_tbl")) == "[20];[25];");
  CHECK(show(r->node->contents("cnt_tbl")) == "[1];[2];");
}

TEST_CASE("aggregate over a projection with repeated values: each distinct tuple once") {
  auto r = prepare(program("    table :in_t\n    scratch :res_t, [:sum_v]",
                           "    res_t <= in_t {|t| [t.key + t.val]}.rename(:xyz, [:v])"
                           ".group([], sum(:v))"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"in_t", {I(6), I(6)}},
                    {"in_t", {I(5), I(7)}},
                    {"in_t", {I(4), I(8)}},
                    {"in_t", {I(0), I(1)}}})
              .ok);
  CHECK(show(r->node->contents("res_t")) == "[13];");
}

TEST_CASE("bootstrap <+: visible at timestep 0, and replaces a << fact with its key") {
  auto r =
      prepare(program("    table :t, [:k] => [:v]\n    scratch :sc, [:k] => [:v]\n"
                      "    table :u, [:k] => [:v]\n    scratch :cnt, [:n]",
                      "    cnt <= u.group([], count)",
                      "  bootstrap do\n    t << [1, 'a']\n    t <+ [[1, 'z']]\n"
                      "    sc <+ [[2, 'b']]\n    u <= [[1, 'a']]\n    u <+ [[2, 'z']]\n"
                      "  end\n"));
  REQUIRE(r->node);
  REQUIRE(step(*r).ok);
  CHECK(show(r->node->contents("t")) == "[1, \"z\"];");
  CHECK(show(r->node->contents("sc")) == "[2, \"b\"];");
  // Bud's Table#bootstrap: the pending facts take the place of the <= ones.
  CHECK(show(r->node->contents("u")) == "[2, \"z\"];");
  CHECK(show(r->node->contents("cnt")) == "[1];");
  REQUIRE(step(*r).ok);
  CHECK(show(r->node->contents("t")) == "[1, \"z\"];");
  CHECK(show(r->node->contents("sc")).empty());
}

TEST_CASE("bootstrap <+ into a lattice: merged at timestep 0") {
  auto r = prepare(program("    lmax :m\n    scratch :seen, [:v]", "    seen <= [[m.reveal]]",
                           "  bootstrap do\n    m <+ 5\n  end\n"));
  REQUIRE(r->node);
  REQUIRE(step(*r).ok);
  CHECK(show(r->node->contents("seen")) == "[5];");
}

TEST_CASE("deferred key conflict: two <+ facts with one key fail the step the rule runs in") {
  auto r =
      prepare(program("    table :t, [:k] => [:v]\n    scratch :in_, [:k, :v]", "    t <+ in_"));
  REQUIRE(r->node);
  REQUIRE(step(*r).ok);
  StepResult res = step(*r, {{"in_", {I(1), S("a")}}, {"in_", {I(1), S("b")}}});
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics).find("calm-key-conflict") == 0);
}

TEST_CASE("deferred key conflict with a stored fact: raised when the fact arrives") {
  auto r =
      prepare(program("    table :t, [:k] => [:v]\n    scratch :in_, [:k, :v]", "    t <+ in_"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"t", {I(1), S("a")}}}).ok);
  REQUIRE(step(*r, {{"in_", {I(1), S("z")}}}).ok);  // Bud: pending, checked next tick
  StepResult res = step(*r);
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics).find("calm-key-conflict") == 0);
}

TEST_CASE("self-join with qualified columns: the key names the left operand, the value the right") {
  auto r =
      prepare(program("    table :t1, [:x, :y]\n    scratch :out1, [:a, :b]\n"
                      "    scratch :out3, [:a, :b]",
                      "    out1 <= (t1 * t1).pairs(t1.x => t1.y) { |l, r| [l.x, r.y] }\n"
                      "    out3 <= (t1 * t1).pairs(t1.y => t1.x) { |l, r| [l.x, r.y] }"));
  REQUIRE(r->node);
  REQUIRE(
      step(*r,
           {{"t1", {I(1), I(2)}}, {"t1", {I(2), I(3)}}, {"t1", {I(3), I(1)}}, {"t1", {I(5), I(5)}}})
          .ok);
  CHECK(show(r->node->contents("out1")) == "[1, 1];[2, 2];[3, 3];[5, 5];");
  CHECK(show(r->node->contents("out3")) == "[1, 3];[2, 1];[3, 2];[5, 5];");
}

TEST_CASE("join of three with :col shorthand: each column names the one operand that has it") {
  auto r =
      prepare(program("    table :a, [:ak, :av]\n    table :b, [:bk, :bv]\n"
                      "    table :c, [:ck, :cv]\n    scratch :o, [:x, :y, :z]",
                      "    o <= (a * b * c).pairs(:av => :bk, :bv => :ck) { |x, y, z| "
                      "[x.ak, y.bk, z.cv] }"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"a", {I(1), I(2)}},
                    {"a", {I(9), I(9)}},
                    {"b", {I(2), I(3)}},
                    {"c", {I(3), I(4)}},
                    {"c", {I(7), I(8)}}})
              .ok);
  CHECK(show(r->node->contents("o")) == "[1, 2, 4];");
}

TEST_CASE("loopback <~ from bootstrap: delivered at timestep 1") {
  auto r = prepare(program("    loopback :lb, [:x]\n    table :got, [:x]", "    got <= lb",
                           "  bootstrap do\n    lb <~ [[7]]\n  end\n"));
  REQUIRE(r->node);
  REQUIRE(step(*r).ok);
  CHECK(show(r->node->contents("got")).empty());
  REQUIRE(step(*r).ok);
  CHECK(show(r->node->contents("got")) == "[7];");
}

TEST_CASE("loose Ruby typing: sum and avg of strings, bool_and/bool_or, String %, &&") {
  auto r =
      prepare(program("    table :t, [:k, :str, :n]\n    scratch :sums, [:k, :total]\n"
                      "    scratch :avgs, [:k, :a]\n    scratch :ands, [:k, :b]\n"
                      "    scratch :ors, [:k, :b]\n    scratch :fmt, [:x]\n"
                      "    scratch :both, [:x]",
                      "    sums <= t.group([:k], sum(:str))\n"
                      "    avgs <= t.group([:k], avg(:str))\n"
                      "    ands <= t.group([:k], bool_and(:n))\n"
                      "    ors <= t.group([:k], bool_or(:n))\n"
                      "    fmt <= t { |r| [\"%s-%03d\" % [r.str, r.k]] }\n"
                      "    both <= t { |r| [r.n && r.str] }"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"t", {I(1), S("12"), I(5)}},
                    {"t", {I(1), S("3"), B(false)}},
                    {"t", {I(2), S("x"), I(7)}}})
              .ok);
  // What Bud 0.9.9 computes for the same facts.
  CHECK(show(r->node->contents("sums")) == "[1, \"123\"];[2, \"x\"];");
  CHECK(show(r->node->contents("avgs")) == "[1, 61.5];[2, 0.0];");
  CHECK(show(r->node->contents("ands")) == "[1, false];[2, 7];");
  CHECK(show(r->node->contents("ors")) == "[1, 5];[2, 7];");
  CHECK(show(r->node->contents("fmt")) == "[\"12-001\"];[\"3-001\"];[\"x-002\"];");
  CHECK(show(r->node->contents("both")) == "[false];[\"12\"];[\"x\"];");
}

TEST_CASE("String % and format: Ruby's directives, and Ruby's errors") {
  auto r = prepare(program("    scratch :in_, [:v]\n    scratch :o, [:s]",
                           "    o <= in_ { |t| [\"%05.1f|%-4d|%+d|%x|%o|%b|%e|%p|%%\" % "
                           "[t.v, 7, 5, 255, 8, 5, 12345.678, 'a']] }\n"
                           "    o <= in_ { |t| [format('%3s|%.2s|%d', 'a', 'abc', 3.7)] }"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"in_", {F(3.14159)}}}).ok);
  CHECK(show(r->node->contents("o")) ==
        "[\"  a|ab|3\"];[\"003.1|7   |+5|ff|10|101|1.234568e+04|\\\"a\\\"|%\"];");
  auto bad = prepare(program("    scratch :in_, [:v]\n    scratch :o, [:s]",
                             "    o <= in_ { |t| [\"%d %d\" % [t.v]] }"));
  REQUIRE(bad->node);
  StepResult res = step(*bad, {{"in_", {I(1)}}});
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics).find("too few arguments") != std::string::npos);
}

TEST_CASE("channel sends: one message per tuple when two rules derive it") {
  auto r =
      prepare(program("    channel :c, [:@addr, :k] => [:v]\n    scratch :in_, [:addr, :k, :v]\n"
                      "    scratch :in2, [:addr, :k, :v]",
                      "    c <~ in_\n    c <~ in2"));
  REQUIRE(r->node);
  StepResult res = step(*r, {{"in_", {S("h:1"), I(1), S("a")}}, {"in2", {S("h:1"), I(1), S("a")}}});
  REQUIRE(res.ok);
  CHECK(res.sent.size() == 1);
}

TEST_CASE("channel sends: two messages with one key in one step fail at the sender") {
  auto r = prepare(program(
      "    channel :c, [:@addr, :k] => [:v]\n    scratch :in_, [:addr, :k, :v]", "    c <~ in_"));
  REQUIRE(r->node);
  StepResult res = step(*r, {{"in_", {S("h:1"), I(1), S("a")}}, {"in_", {S("h:1"), I(1), S("b")}}});
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics).find("calm-key-conflict") == 0);
  CHECK(res.sent.empty());
}

TEST_CASE("channel sends: a location that is not a string is an illegal location specifier") {
  auto r = prepare(program(
      "    channel :c, [:@addr, :k] => [:v]\n    scratch :in_, [:addr, :k, :v]", "    c <~ in_"));
  REQUIRE(r->node);
  StepResult res = step(*r, {{"in_", {I(5), I(1), S("a")}}});
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics).find("illegal location specifier") != std::string::npos);
}

TEST_CASE("payloads of a channel with one payload column: one-column tuples ([[5]])") {
  auto r =
      prepare(program("    channel :one, [:@addr, :v]\n    scratch :pay, [:v]\n"
                      "    channel :msgs\n    scratch :vals, [:x, :y]",
                      "    pay <= one.payloads\n    vals <= msgs.payloads { |p| p.val }"));
  REQUIRE(r->node);
  Value pair = Value::array({I(1), I(2)});
  REQUIRE(
      step(*r, {{"one", {S("h:1"), I(5)}}, {"one", {S("h:1"), pair}}, {"msgs", {S("h:1"), pair}}})
          .ok);
  CHECK(show(r->node->contents("pay")) == "[5];[[1, 2]];");
  CHECK(show(r->node->contents("vals")) == "[1, 2];");
}

TEST_CASE("@ip and @port, Bud's own instance variables, are the host and port of the node") {
  NodeOptions options;
  options.address = "10.0.0.7:54001";
  auto r = prepare(program("    table :me, [:ip, :port]", "    me <= [[@ip, @port]]"), options);
  REQUIRE(r->node);
  REQUIRE(step(*r, {}).ok);
  CHECK(show(r->node->contents("me")) == "[\"10.0.0.7\", 54001];");
}

TEST_CASE("the << operator: an Array appends (a local is updated), an Integer shifts") {
  // Bud's tc_joins BlockAppend: `foo = []; foo << i` inside a block.
  auto r = prepare(program("    table :num, [:num]\n    table :sh, [:v]",
                           "    num <= (1..3).map do |i|\n      foo = []\n      foo << i\n"
                           "    end\n    sh <= num { |n| [n.num << 4] }"));
  REQUIRE(r->node);
  REQUIRE(step(*r).ok);
  CHECK(show(r->node->contents("num")) == "[1];[2];[3];");
  CHECK(show(r->node->contents("sh")) == "[16];[32];[48];");
  // Beyond 64 bits Ruby grows a Bignum; calm refuses instead of wrapping.
  auto big = prepare(program("    table :sh, [:v]", "    sh <= [[1 << 70]]"));
  REQUIRE(big->node);
  CHECK_FALSE(step(*big).ok);
}

TEST_CASE("Time.now, Time.new and bud_clock: the node's logical time, in UTC, as Ruby's Time") {
  // time_epoch + budtime seconds; the differential harness gives Bud the same clock. The
  // texts are Ruby 3.1's for Time.at(1_000_000_000).utc (checked with ruby).
  NodeOptions options;
  options.time_epoch = 1e9;
  auto r = prepare(program("    table :t, [:k]\n    scratch :o, [:k, :i, :s, :x, :c]",
                           "    o <= t {|x| n = Time.now; [x.k, n.to_i, "
                           "n.strftime(\"%Y-%m-%d %I:%M.%S %p %j %a %b %e|%-d|%L|%F %T %Z\"), "
                           "(n + 1.5).inspect, bud_clock == Time.new]}"),
                   options);
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"t", {I(1)}}}).ok);
  CHECK(show(r->node->contents("o")) ==
        "[1, 1000000000, \"2001-09-09 01:46.40 AM 252 Sun Sep  9|9|000|2001-09-09 01:46:40 "
        "UTC\", \"2001-09-09 01:46:41.5 UTC\", true];");
  REQUIRE(step(*r).ok);  // one second per timestep
  CHECK(show(r->node->contents("o")).find("[1, 1000000001, ") == 0);
  std::string error;
  CHECK_FALSE(ruby_strftime(0, "%Q", error));
  CHECK(error == "'%Q'");
  CHECK(*ruby_strftime(0, "%^a %_m %3N %s", error) == "THU  1 000 0");
  CHECK(Value::time(0.25).inspect() == "1970-01-01 00:00:00.25 UTC");
  CHECK_FALSE(ruby_strftime(0, "%99999999999Y", error));  // no huge padding, no overflow
  CHECK(error == "with a width over 1024");
  auto far = prepare(program("    table :t, [:k]\n    scratch :o, [:x]",
                             "    o <= t {|x| [Time.at(1e300).to_i]}"));
  REQUIRE(far->node);
  StepResult res = step(*far, {{"t", {I(1)}}});
  CHECK_FALSE(res.ok);
  CHECK(first_diag(res.diagnostics).find("Time.at: time out of range") != std::string::npos);
  CHECK(Value::time(0.25).to_s() == "1970-01-01 00:00:00 UTC");
}

TEST_CASE("channel messages go through Bud's wire: symbols arrive as strings, Times unchanged") {
  // MessagePack packs symbols as strings (hash keys too); a field it cannot pack (a Time, a
  // Set, a lattice) is Marshal'd whole and arrives as it was sent.
  auto r = prepare(program("    channel :c, [:@a, :v, :w]\n    table :t, [:k]",
                           "    c <~ t {|x| [ip_port, [:s, {:k => 1}], [:s, Time.now]]}"));
  REQUIRE(r->node);
  StepResult res = step(*r, {{"t", {I(1)}}});
  REQUIRE(res.ok);
  REQUIRE(res.sent.size() == 1);
  CHECK(inspect(res.sent[0].tuple) ==
        "[\"localhost:12345\", [\"s\", {\"k\"=>1}], [:s, 2001-09-09 01:46:40 UTC]]");
}

TEST_CASE("a set lattice mapped with a block: Bud's implicit pro, element by element") {
  auto r = prepare(program("    lset :t1\n    lset :t2\n    lset :t3",
                           "    t2 <= t1 {|t| t + 1}\n    t3 <= t2 {|t| t + 2 if t > 10}"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"t1", {Value::array({I(10), I(12)})}}}).ok);  // i.t1 <+ [10, 12]
  CHECK(show(r->node->contents("t3")) == "[<lset: [13, 15]>];");   // Bud's own test
}

TEST_CASE("argagg(:choose) picks the first tuple stored in each group, as Bud does") {
  // Bud's :choose keeps the first tuple of its storage's iteration order, which depends on
  // when each fact arrived; calm's collections keep that order too.
  auto r =
      prepare(program("    table :items, [:item, :priority]\n"
                      "    scratch :peek, [:item, :priority]",
                      "    peek <= items.argagg(:choose, [:priority], :item)"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"items", {I(3), I(2)}}}).ok);
  REQUIRE(step(*r, {{"items", {I(0), I(2)}}}).ok);
  CHECK(show(r->node->contents("peek")) == "[3, 2];");  // stored first
}
