// Unit tests of the reference evaluator: one small program per operator, with
// results computed by hand, and end-to-end runs of samples.

#include "eval/evaluator.h"

#include <doctest/doctest.h>

#include "eval/ruby_text.h"
#include "frontend/loader.h"

using namespace calm;
using namespace calm::eval;

namespace {

Value S(const char* s) { return Value::string(s); }
Value I(int64_t i) { return Value::integer(i); }

struct Run {
  LoadResult loaded;
  Diagnostics diags;
  std::unique_ptr<Node> node;
};

/// Loads an inline program (class T, or the given module of a file) and prepares a node.
std::unique_ptr<Run> prepare(const std::string& source, const std::string& file = "t.rb",
                             const std::string& module = "") {
  auto r = std::make_unique<Run>();
  LoadOptions lo;
  lo.files = {file};
  if (!source.empty()) lo.memory_files[file] = source;
  if (!module.empty()) lo.modules = {module};
  r->loaded = load_programs(lo);
  REQUIRE_FALSE(r->loaded.diagnostics.has_errors());
  REQUIRE(r->loaded.programs.size() == 1);
  r->node = Node::create(r->loaded.programs[0], {}, r->diags);
  return r;
}

/// The same program on a node with NodeOptions::reuse_results off: the one a node that
/// reuses results is held to.
std::unique_ptr<Run> prepare_without_reuse(const std::string& source) {
  auto r = prepare(source);
  NodeOptions no;
  no.reuse_results = false;
  r->node = Node::create(r->loaded.programs[0], no, r->diags);
  return r;
}

std::string program(const std::string& state, const std::string& rules) {
  return "class T\n  include Bud\n  state do\n" + state + "\n  end\n  bloom do\n" + rules +
         "\n  end\nend\n";
}

std::string show(const TupleSet& s) {
  std::string out;
  for (const auto& t : s) out += inspect(t) + ";";
  return out;
}

StepResult step(Run& r, std::vector<std::pair<std::string, Tuple>> facts = {}) {
  StepResult res = r.node->step({std::move(facts)});
  for (const auto& d : res.diagnostics.items()) MESSAGE(d.message);
  return res;
}

}  // namespace

TEST_CASE("value: Ruby inspect, equality and order") {
  CHECK(Value::array({I(1), S("a"), Value::symbol("k"), Value(), Value::floating(2.5)}).inspect() ==
        "[1, \"a\", :k, nil, 2.5]");
  CHECK(Value::floating(3).inspect() == "3.0");
  CHECK(Value::hash({Value::symbol("a")}, {I(1)}).inspect() == "{:a=>1}");
  // A Set iterates and prints in insertion order, as Ruby's does, and equal sets are
  // equal (and hash alike) whatever their order.
  CHECK(Value::set({I(2), I(1), I(2)}).inspect() == "#<Set: {2, 1}>");
  CHECK(Value::set({I(2), I(1)}) == Value::set({I(1), I(2)}));
  CHECK(Value::ruby_equal(Value::set({I(2), I(1)}), Value::set({I(1), I(2)})));
  CHECK(Value::set({I(2), I(1)}).hash_code() == Value::set({I(1), I(2)}).hash_code());
  CHECK(Value::ruby_equal(I(1), Value::floating(1.0)));
  CHECK_FALSE(I(1) == Value::floating(1.0));  // eql?: distinct facts, as in a Ruby Set
  CHECK(I(2) < S("a"));
  CHECK(Value() < Value::boolean(false));
}

TEST_CASE("map: implicit map, map, selection with if/unless, nil results dropped") {
  auto r =
      prepare(program("    table :a, [:k] => [:v]\n    scratch :c, [:x, :y]\n    scratch :d, [:x]",
                      "    c <= a { |t| [t.k, t.v * 2] if t.v > 1 }\n"
                      "    d <= a.map { |t| [t[0]] unless t.k == \"skip\" }"));
  REQUIRE(r->node);
  auto res = step(*r, {{"a", {S("x"), I(1)}}, {"a", {S("y"), I(3)}}, {"a", {S("skip"), I(5)}}});
  REQUIRE(res.ok);
  CHECK(show(r->node->contents("c")) == "[\"skip\", 10];[\"y\", 6];");
  CHECK(show(r->node->contents("d")) == "[\"x\"];[\"y\"];");
}

TEST_CASE("Ruby subset: case/when, elsif, ternary, locals, interpolation, budtime, ip_port") {
  auto r = prepare(
      program("    table :a, [:k] => [:v]\n    scratch :c, [:x, :y]",
              "    c <= a do |t|\n"
              "      n = t.v + 1\n"
              "      n += 1\n"
              "      w = case t.k when \"a\", \"b\" then :ab else :other end\n"
              "      s = if n > 10 then \"big\" elsif n > 3 then \"mid\" else \"small\" end\n"
              "      [\"#{t.k}-#{s}-#{w}\", n.even? ? budtime : ip_port]\n"
              "    end"));
  REQUIRE(r->node);
  auto res = step(*r, {{"a", {S("a"), I(1)}}, {"a", {S("z"), I(2)}}});
  REQUIRE(res.ok);
  CHECK(show(r->node->contents("c")) ==
        "[\"a-small-ab\", \"localhost:12345\"];[\"z-mid-other\", 0];");
}

TEST_CASE("join: pairs on keys with a block, lefts, rights, qualified predicates") {
  auto r =
      prepare(program("    table :a, [:k] => [:v]\n    table :b, [:k] => [:w]\n"
                      "    scratch :p, [:x, :y, :z]\n    scratch :l, [:k] => [:v]\n"
                      "    scratch :r, [:k] => [:w]\n    scratch :q, [:v, :w]",
                      "    p <= (a * b).pairs(:k => :k) { |x, y| [x.k, x.v, y.w] }\n"
                      "    l <= (a * b).lefts(:k => :k)\n"
                      "    r <= (a * b).rights(:v => :w)\n"
                      "    q <= (a * b).pairs(a.v => b.w) { |x, y| [x.v, y.w] }"));
  REQUIRE(r->node);
  auto res = step(*r, {{"a", {I(1), S("x")}},
                       {"a", {I(2), S("y")}},
                       {"b", {I(1), S("one")}},
                       {"b", {I(3), S("x")}}});
  REQUIRE(res.ok);
  CHECK(show(r->node->contents("p")) == "[1, \"x\", \"one\"];");
  CHECK(show(r->node->contents("l")) == "[1, \"x\"];");
  CHECK(show(r->node->contents("r")) == "[3, \"x\"];");
  CHECK(show(r->node->contents("q")) == "[\"x\", \"x\"];");
}

TEST_CASE("notin: by key pairs, by whole tuple, with a block") {
  auto r =
      prepare(program("    table :a, [:k] => [:v]\n    table :b, [:k] => [:v]\n"
                      "    scratch :n1, [:k] => [:v]\n    scratch :n2, [:k] => [:v]\n"
                      "    scratch :n3, [:k] => [:v]",
                      "    n1 <= a.notin(b, :k => :k)\n"
                      "    n2 <= a.notin(b)\n"
                      "    n3 <= a.notin(b, :k => :k) { |x, y| x.v <= y.v }"));
  REQUIRE(r->node);
  auto res = step(*r, {{"a", {I(1), I(10)}},
                       {"a", {I(2), I(20)}},
                       {"a", {I(3), I(30)}},
                       {"b", {I(1), I(10)}},
                       {"b", {I(2), I(5)}}});
  REQUIRE(res.ok);
  CHECK(show(r->node->contents("n1")) == "[3, 30];");
  CHECK(show(r->node->contents("n2")) == "[2, 20];[3, 30];");
  CHECK(show(r->node->contents("n3")) == "[2, 20];[3, 30];");
}

TEST_CASE("group: count, sum, min, max, avg, accum; argmin and argmax") {
  auto r = prepare(
      program("    table :a, [:g, :i] => [:v]\n"
              "    scratch :s, [:g] => [:n, :sum, :lo, :hi, :avg, :all]\n"
              "    scratch :tot, [:n]\n    scratch :amin, [:g, :i] => [:v]\n"
              "    scratch :amax, [:g, :i] => [:v]",
              "    s <= a.group([:g], count, sum(:v), min(:v), max(:v), avg(:v), accum(:i))\n"
              "    tot <= a.group(nil, count(:v))\n"
              "    amin <= a.argmin([:g], :v)\n"
              "    amax <= a.argmax([:g], :v)"));
  REQUIRE(r->node);
  auto res = step(*r, {{"a", {S("x"), I(1), I(5)}},
                       {"a", {S("x"), I(2), I(5)}},
                       {"a", {S("x"), I(3), I(2)}},
                       {"a", {S("y"), I(1), I(7)}}});
  REQUIRE(res.ok);
  CHECK(show(r->node->contents("s")) ==
        "[\"x\", 3, 12, 2, 5, 4.0, #<Set: {1, 2, 3}>];[\"y\", 1, 7, 7, 7, 7.0, #<Set: {1}>];");
  CHECK(show(r->node->contents("tot")) == "[4];");
  CHECK(show(r->node->contents("amin")) == "[\"x\", 3, 2];[\"y\", 1, 7];");
  CHECK(show(r->node->contents("amax")) == "[\"x\", 1, 5];[\"x\", 2, 5];[\"y\", 1, 7];");
}

TEST_CASE("deferred: <+ next timestep, <- deletes, <+- replaces by key; scratch emptied") {
  auto r =
      prepare(program("    table :t, [:k] => [:v]\n    scratch :ins, [:k] => [:v]\n"
                      "    scratch :del, [:k] => [:v]\n    scratch :up, [:k] => [:v]\n"
                      "    scratch :seen, [:k] => [:v]",
                      "    t <+ ins\n    t <- del\n    t <+- up\n    seen <= ins"));
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"ins", {I(1), S("a")}}, {"ins", {I(2), S("b")}}}).ok);
  CHECK(show(r->node->contents("t")) == "");  // not yet
  CHECK(show(r->node->contents("seen")) == "[1, \"a\"];[2, \"b\"];");
  REQUIRE(step(*r, {{"del", {I(1), S("a")}}, {"up", {I(2), S("B")}}}).ok);
  CHECK(show(r->node->contents("t")) == "[1, \"a\"];[2, \"b\"];");
  CHECK(show(r->node->contents("seen")) == "");  // scratch emptied
  REQUIRE(step(*r).ok);
  CHECK(show(r->node->contents("t")) == "[2, \"B\"];");
  CHECK(r->node->budtime() == 3);
}

TEST_CASE("bootstrap runs once, tables persist") {
  std::string src =
      "class T\n  include Bud\n  state do\n    table :t, [:k] => [:v]\n    scratch :s, [:k]\n  "
      "end\n"
      "  bootstrap do\n    t <= [[1, :one], [2, :two]]\n    s <= [[9]]\n  end\nend\n";
  auto r = prepare(src);
  REQUIRE(r->node);
  REQUIRE(step(*r).ok);
  CHECK(show(r->node->contents("t")) == "[1, :one];[2, :two];");
  CHECK(show(r->node->contents("s")) == "[9];");
  REQUIRE(step(*r).ok);
  CHECK(show(r->node->contents("t")) == "[1, :one];[2, :two];");
  CHECK(show(r->node->contents("s")) == "");
}

TEST_CASE("channels: <~ returns messages addressed by the location column") {
  auto r =
      prepare(program("    channel :msg, [:@dst, :id] => [:body]\n"
                      "    scratch :out, [:dst, :id] => [:body]",
                      "    msg <~ out { |o| [o.dst, o.id, o.body] }"));
  REQUIRE(r->node);
  auto res = step(*r, {{"out", {S("n2:1"), I(1), S("hi")}}});
  REQUIRE(res.ok);
  REQUIRE(res.sent.size() == 1);
  CHECK(res.sent[0].collection == "msg");
  CHECK(res.sent[0].address == S("n2:1"));
  CHECK(inspect(res.sent[0].tuple) == "[\"n2:1\", 1, \"hi\"]");
}

TEST_CASE("key constraint: two facts with one key in one collection is an error") {
  auto r =
      prepare(program("    table :t, [:k] => [:v]\n    scratch :s, [:k] => [:v]", "    t <= s"));
  REQUIRE(r->node);
  auto res = step(*r, {{"s", {I(1), S("a")}}, {"s", {I(2), S("b")}}});
  REQUIRE(res.ok);
  res = step(*r, {{"s", {I(1), S("z")}}});
  CHECK_FALSE(res.ok);
  auto d = res.diagnostics.items().at(0);
  CHECK(d.check == "calm-key-conflict");
  CHECK(d.message ==
        "key conflict in 't': key [1] has [1, \"a\"] and [1, \"z\"] (rule at t.rb:8:5)");
  CHECK(to_string(d.location) == "t.rb:8:5");
  CHECK_FALSE(step(*r).ok);  // the node stops
}

TEST_CASE("unsupported constructs are refused with a located diagnostic") {
  auto r = prepare(program("    table :a, [:k] => [:v]\n    scratch :c, [:x]",
                           "    c <= a { |t| [t.k.gcd(1)] }\n"
                           "    c <= a.sort_by { |t| t.k }"));
  CHECK_FALSE(r->node);
  auto ds = r->diags.sorted();
  REQUIRE(ds.size() == 2);
  CHECK(ds[0].check == "calm-eval-unsupported");
  CHECK(ds[0].message == "unsupported construct method 'gcd'");  // Ruby has it; calm not
  CHECK(to_string(ds[0].location) == "t.rb:8:19");
  // A refused row of the operator table says why (model/bud_operators.cpp).
  CHECK(ds[1].message ==
        "unsupported construct method 'sort_by' (an order over the whole collection, which the "
        "evaluator does not build (use sort or argmin))");
  CHECK(to_string(ds[1].location) == "t.rb:9:10");
}

TEST_CASE("a method no Ruby value has is Ruby's NoMethodError when it runs, as in Bud") {
  // `s.version.increment(c)` (a vector clock's method) on an Integer: Bud raises.
  auto r = prepare(program("    table :a, [:k] => [:v]\n    scratch :c, [:x]",
                           "    c <= a { |t| [t.k.increment(1)] }"));
  REQUIRE(r->node);
  CHECK(step(*r).ok);  // not reached without facts
  StepResult res = step(*r, {{"a", {I(1), I(2)}}});
  CHECK_FALSE(res.ok);
  REQUIRE(!res.diagnostics.items().empty());
  const Diagnostic& d = res.diagnostics.items()[0];
  CHECK(d.check == "calm-eval-error");
  CHECK(d.message == "undefined method 'increment' for Integer 1 with 1 argument(s)");
  CHECK(to_string(d.location) == "t.rb:8:19");
  CHECK(ruby_has_method("Integer", "gcd"));
  CHECK(ruby_has_method("Struct", "each_pair"));
  CHECK(ruby_has_method("", "strip"));  // String's
  CHECK_FALSE(ruby_has_method("Integer", "strip"));
  CHECK_FALSE(ruby_has_method("", "increment"));
}

TEST_CASE("a runtime type error names its location") {
  auto r = prepare(
      program("    table :a, [:k] => [:v]\n    scratch :c, [:x]", "    c <= a { |t| [t.v + 1] }"));
  REQUIRE(r->node);
  auto res = step(*r, {{"a", {I(1), Value()}}});
  CHECK_FALSE(res.ok);
  CHECK(res.diagnostics.items().at(0).check == "calm-eval-error");
  CHECK(to_string(res.diagnostics.items().at(0).location) == "t.rb:8:19");
}

TEST_CASE("unstratifiable programs are refused") {
  auto r = prepare(
      program("    scratch :a, [:k]\n    scratch :b, [:k]", "    a <= b.notin(a)\n    b <= a"));
  CHECK_FALSE(r->node);
  CHECK(r->diags.items().at(0).check == "calm-unstratifiable");
}

TEST_CASE("stratification: negation runs after the negated collection is complete") {
  auto r = prepare(
      program("    table :e, [:a, :b]\n    scratch :reach, [:a, :b]\n    scratch :node, [:a]\n"
              "    scratch :unreach, [:a]",
              "    reach <= e\n    reach <= (e * reach).pairs(:b => :a) { |x, y| [x.a, y.b] }\n"
              "    node <= e { |x| [x.b] }\n"
              "    unreach <= node { |n| [n.a] unless reach.include?([1, n.a]) }"));
  REQUIRE(r->node);
  CHECK(r->node->strata().size() == 2);
  auto res = step(*r, {{"e", {I(1), I(2)}}, {"e", {I(2), I(3)}}, {"e", {I(4), I(5)}}});
  REQUIRE(res.ok);
  CHECK(show(r->node->contents("unreach")) == "[5];");
}

TEST_CASE("sample: reachability computes the transitive closure") {
  auto r = prepare("", CALM_SOURCE_DIR "/samples/reachability/reachability.rb");
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"add_link", {S("a"), S("b")}}, {"add_link", {S("b"), S("c")}}}).ok);
  CHECK(show(r->node->contents("path")) == "[\"a\", \"b\"];[\"a\", \"c\"];[\"b\", \"c\"];");
  REQUIRE(
      step(*r,
           {{"add_link", {S("c"), S("d")}}, {"ask", {S("a"), S("d")}}, {"ask", {S("d"), S("a")}}})
          .ok);
  CHECK(
      show(r->node->contents("path")) ==
      "[\"a\", \"b\"];[\"a\", \"c\"];[\"a\", \"d\"];[\"b\", \"c\"];[\"b\", \"d\"];[\"c\", \"d\"];");
  CHECK(show(r->node->contents("reachable")) == "[\"a\", \"d\"];");
}

TEST_CASE("sample: BasicKVS put, get, overwrite") {
  auto r = prepare("", CALM_SOURCE_DIR "/samples/kvs/kvs.rb", "BasicKVS");
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"kvput", {S("c"), S("k1"), I(1), S("v1")}},
                    {"kvput", {S("c"), S("k2"), I(2), S("v2")}}})
              .ok);
  CHECK(show(r->node->contents("kvstate")) == "");
  REQUIRE(step(*r, {{"kvget", {I(10), S("k1")}}}).ok);
  CHECK(show(r->node->contents("kvstate")) == "[\"k1\", \"v1\"];[\"k2\", \"v2\"];");
  CHECK(show(r->node->contents("kvget_response")) == "[10, \"k1\", \"v1\"];");
  REQUIRE(step(*r, {{"kvput", {S("c"), S("k1"), I(3), S("v3")}}}).ok);
  CHECK(show(r->node->contents("prev")) == "[\"k1\", \"v1\"];");
  REQUIRE(step(*r, {{"kvget", {I(11), S("k1")}}, {"kvget", {I(12), S("k2")}}}).ok);
  CHECK(show(r->node->contents("kvstate")) == "[\"k1\", \"v3\"];[\"k2\", \"v2\"];");
  CHECK(show(r->node->contents("kvget_response")) == "[11, \"k1\", \"v3\"];[12, \"k2\", \"v2\"];");
}

TEST_CASE("Ruby subset: puts and print write the node's output and return nil") {
  auto r =
      prepare(program("    interface input, :msg, [:id, :who]\n    table :got, [:id, :who]",
                      "    got <= msg.map { |m| puts \"test\" or [m.id, m.who] }\n"
                      "    got <= msg { |m| print \"saw #{m.id}\", \" of \", 2, \"\\n\" or nil }\n"
                      "    got <= msg { |m| puts [m.id, [m.who, nil]] if m.id == 1 }\n"
                      "    got <= msg { |m| puts if m.id == 2 }"));
  REQUIRE(r->node);
  StepResult res = step(*r, {{"msg", {I(1), S("a")}}, {"msg", {I(2), S("b")}}});
  REQUIRE(res.ok);
  CHECK(show(r->node->contents("got")) == "[1, \"a\"];[2, \"b\"];");
  // One entry per evaluation of a block, in the order the rules ran; puts flattens
  // arrays a line per element (nil an empty line) and adds the missing newline.
  CHECK(res.printed == std::vector<std::string>{"test\n", "test\n", "saw 1 of 2\n", "saw 2 of 2\n",
                                                "1\na\n\n", "\n"});
  // The next step prints nothing: no input.
  CHECK(step(*r).printed.empty());
}

TEST_CASE("idle timesteps: skipped once one changed nothing, never where it could matter") {
  SUBCASE("a timeless program settles, then its idle timesteps are skipped") {
    auto r = prepare(program(R"(    interface input, :add, [:k]
    table :t, [:k]
    table :later, [:k]
    scratch :s, [:k]
    interface output, :out, [:k])",
                             R"(    later <+ add
    t <= later
    s <= t
    out <= s)"));
    REQUIRE(r->node);
    CHECK(step(*r, {{"add", {I(1)}}}).ok);  // 0: `later <+` pending
    CHECK(step(*r).ok);                     // 1: later, t, s, out get 1
    CHECK(step(*r).ok);                     // 2: as 1 (out, s recomputed): a fixpoint
    CHECK(r->node->skipped_steps() == 0);
    for (int i = 0; i < 5; ++i) CHECK(step(*r).ok);  // 3-7: skipped
    CHECK(r->node->skipped_steps() == 5);
    CHECK(r->node->budtime() == 8);
    CHECK(show(r->node->contents("out")) == "[1];");
    CHECK(show(r->node->contents("s")) == "[1];");
    // Input wakes it up.
    CHECK(step(*r, {{"add", {I(2)}}}).ok);
    CHECK(step(*r).ok);
    CHECK(show(r->node->contents("out")) == "[1];[2];");
    CHECK(r->node->skipped_steps() == 5);
  }
  SUBCASE("a program that reads budtime runs every timestep") {
    auto r = prepare(program(R"(    table :t, [:k]
    scratch :late, [:k])",
                             R"(    t <= [[1]]
    late <= t { |x| [x.k] if budtime > 5 })"));
    REQUIRE(r->node);
    for (int i = 0; i < 7; ++i) CHECK(step(*r).ok);
    CHECK(r->node->skipped_steps() == 0);
    CHECK(show(r->node->contents("late")) == "[1];");
  }
  SUBCASE("a deferred effect each timestep keeps it running") {
    auto r = prepare(program(R"(    table :t, [:k]
    table :gone, [:k])",
                             R"(    t <= [[1]]
    t <- gone
    gone <+ t)"));
    REQUIRE(r->node);
    for (int i = 0; i < 6; ++i) CHECK(step(*r).ok);
    // `gone <+ t` is pending at the end of every timestep: nothing is skipped.
    CHECK(r->node->skipped_steps() == 0);
  }
  SUBCASE("a message to itself keeps it running") {
    auto r = prepare(program(R"(    table :t, [:k]
    channel :ping, [:@addr, :k])",
                             R"(    t <= [[1]]
    ping <~ t { |x| [ip_port, x.k] })"));
    REQUIRE(r->node);
    for (int i = 0; i < 6; ++i) CHECK(step(*r).ok);
    CHECK(r->node->skipped_steps() == 0);
  }
}

TEST_CASE("rule memos: a rule gives what it gave when its contents were the same") {
  // Every rule here is memoizable. Each check changes one thing a rule reads and no
  // other: a memo keyed on too little would give the old answer.
  auto r = prepare(program(R"(    interface input, :add_t, [:k]
    interface input, :add_u, [:k]
    interface input, :drop_u, [:k]
    table :t, [:k]
    table :u, [:k]
    scratch :both, [:k]
    scratch :only_t, [:k]
    scratch :n, [] => [:c]
    table :later, [:k]
    lmax :biggest_u
    interface output, :sent, [:k])",
                           R"(    t <= add_t
    u <= add_u
    u <- drop_u
    both <= t { |x| x if u.include?(x) }
    only_t <= t.notin(u)
    n <= t.group(nil, count)
    later <+ only_t { |x| [x.k * 10] }
    biggest_u <= u { |x| x.k }
    sent <= biggest_u.gt_eq(2).when_true { [[1]] })"));
  REQUIRE(r->node);
  CHECK(step(*r, {{"add_t", {I(1)}}, {"add_t", {I(2)}}}).ok);
  CHECK(show(r->node->contents("both")).empty());
  CHECK(show(r->node->contents("only_t")) == "[1];[2];");
  CHECK(show(r->node->contents("n")) == "[2];");
  CHECK(step(*r).ok);  // the same contents again
  CHECK(show(r->node->contents("only_t")) == "[1];[2];");
  CHECK(show(r->node->contents("n")) == "[2];");
  CHECK(step(*r, {{"add_u", {I(2)}}}).ok);  // only u changed: read in a block, and by notin
  CHECK(show(r->node->contents("both")) == "[2];");
  CHECK(show(r->node->contents("only_t")) == "[1];");
  CHECK(step(*r, {{"drop_u", {I(2)}}}).ok);  // `<-` takes effect at the next timestep
  CHECK(step(*r).ok);
  CHECK(show(r->node->contents("both")).empty());
  CHECK(show(r->node->contents("only_t")) == "[1];[2];");
  CHECK(step(*r, {{"add_u", {I(2)}}}).ok);  // back as it was two timesteps ago
  CHECK(show(r->node->contents("both")) == "[2];");
  CHECK(show(r->node->contents("only_t")) == "[1];");
  CHECK(show(r->node->contents("later")) == "[10];[20];");  // deferred: read once u changed
  CHECK(show(r->node->contents("sent")) == "[1];");         // a lattice of u
  CHECK(step(*r, {{"add_t", {I(3)}}}).ok);
  CHECK(show(r->node->contents("n")) == "[3];");
  CHECK(step(*r).ok);
  CHECK(show(r->node->contents("later")) == "[10];[20];[30];");
}

TEST_CASE("reusing results: a program that draws random numbers is run every time") {
  // choose_rand draws from the node's generator every time its rule runs, even over the
  // same facts: a memo of the rule (or a skipped timestep) would freeze the choice and
  // the generator. The two nodes, with reuse and without, must agree at every timestep.
  const std::string src = program(R"(    table :t, [:g, :v]
    scratch :pick, [:g] => [:v]
    scratch :arg, [:g, :v])",
                                  R"(    pick <= t.group([:g], choose_rand(:v))
    arg <= t.argagg(:choose_rand, [:g], :v))");
  auto with = prepare(src);
  auto without = prepare_without_reuse(src);
  REQUIRE(with->node);
  REQUIRE(without->node);
  std::vector<std::pair<std::string, Tuple>> facts;
  for (int v = 0; v < 8; ++v) facts.push_back({"t", {I(v % 2), I(v)}});
  std::set<std::string> picks;
  for (int step = 0; step < 12; ++step) {
    CHECK(with->node->step({step == 0 ? facts : std::vector<std::pair<std::string, Tuple>>{}}).ok);
    CHECK(
        without->node->step({step == 0 ? facts : std::vector<std::pair<std::string, Tuple>>{}}).ok);
    CHECK(show(with->node->contents("pick")) == show(without->node->contents("pick")));
    CHECK(show(with->node->contents("arg")) == show(without->node->contents("arg")));
    picks.insert(show(without->node->contents("pick")));
  }
  CHECK(picks.size() > 1);  // the choice does change from one timestep to the next
  CHECK(with->node->skipped_steps() == 0);
}

TEST_CASE("reusing results: a rule naming a constant that draws is run every time") {
  // A constant is evaluated where a rule names it (docs/evaluator.md), so a rule naming
  // DRAW draws each time it runs: a memo of the rule would freeze the draw.
  const std::string src = R"(class T
  include Bud
  DRAW = rand(1000000)
  TWICE = [DRAW, DRAW]
  state do
    table :t, [:k]
    scratch :s, [:k, :r]
    scratch :u, [:k, :r]
  end
  bloom do
    s <= t { |x| [x.k, DRAW] }
    u <= t { |x| [x.k, TWICE] }
  end
end
)";
  auto with = prepare(src);
  auto without = prepare_without_reuse(src);
  REQUIRE(with->node);
  REQUIRE(without->node);
  std::set<std::string> draws;
  for (int step = 0; step < 6; ++step) {
    std::vector<std::pair<std::string, Tuple>> facts;
    if (step == 0) facts.push_back({"t", {I(1)}});
    CHECK(with->node->step({facts}).ok);
    CHECK(without->node->step({facts}).ok);
    CHECK(show(with->node->contents("s")) == show(without->node->contents("s")));
    CHECK(show(with->node->contents("u")) == show(without->node->contents("u")));
    draws.insert(show(without->node->contents("s")));
  }
  CHECK(draws.size() > 1);
}

TEST_CASE("a step's messages come sorted by channel, address and tuple") {
  // Two channels, each fed in an order that is not Message's, and stdout: `sent` is
  // what sorting every message gives (the schedule draws one delay per message in
  // this order, so it must not depend on the order rules ran in).
  auto r = prepare(program(
      "    channel :b, [:@addr, :k]\n    channel :a, [:@addr, :k]\n"
      "    scratch :in_, [:addr, :k]",
      "    b <~ in_\n    a <~ in_ { |t| [t.addr, t.k * 2] }\n    stdio <~ in_ { |t| [t.k] }"));
  REQUIRE(r->node);
  std::vector<std::pair<std::string, Tuple>> facts;
  for (int k : {5, 3, 9, 1})
    for (const char* addr : {"h:2", "h:1"}) facts.push_back({"in_", {S(addr), I(k)}});
  StepResult res = step(*r, facts);
  REQUIRE(res.ok);
  REQUIRE(res.sent.size() == 20);  // 8 on each channel, 4 distinct lines on stdout
  std::vector<Message> sorted = res.sent;
  std::sort(sorted.begin(), sorted.end());
  CHECK(res.sent == sorted);
  CHECK(res.sent.front().collection == "a");
  CHECK(inspect(res.sent.front().tuple) == "[\"h:1\", 2]");
  CHECK(res.sent.back().collection == "stdio");
}

TEST_CASE("join: a block's leading == of two operands' columns is a join predicate") {
  // Cross products of at least 1024 rows are hashed on such a comparison (smaller ones
  // are filtered row by row): the same rows either way.
  auto r = prepare(
      program("    table :a, [:k, :v]\n    table :b, [:k, :w]\n    table :c, [:w, :v]\n"
              "    scratch :p1, [:k, :v, :w]\n    scratch :p2, [:k, :v, :w]\n"
              "    scratch :t1, [:v, :w, :u]\n    scratch :t2, [:v, :w, :u]",
              "    p1 <= (a * b).pairs { |x, y| [x.k, x.v, y.w] if x.k == y.k }\n"
              "    p2 <= (a * b).pairs(:k => :k) { |x, y| [x.k, x.v, y.w] }\n"
              "    t1 <= (a * b * c).combos(a.k => b.k) { |x, y, z| [x.v, y.w, z.v] if z.w == y.w "
              "and z.v == x.v }\n"
              "    t2 <= (a * b * c).combos(a.k => b.k, b.w => c.w, a.v => c.v) { |x, y, z| "
              "[x.v, y.w, z.v] }"));
  REQUIRE(r->node);
  std::vector<std::pair<std::string, Tuple>> facts;
  for (int k = 0; k < 40; ++k) {
    facts.push_back({"a", {I(k), S(k % 2 ? "odd" : "even")}});
    facts.push_back({"b", {I(k % 7), I(k)}});
    facts.push_back({"c", {I(k), S(k % 3 ? "odd" : "even")}});
  }
  auto res = step(*r, facts);
  REQUIRE(res.ok);
  CHECK(r->node->size("p1") == 40);
  CHECK(show(r->node->contents("p1")) == show(r->node->contents("p2")));
  CHECK(r->node->size("t1") > 0);
  CHECK(show(r->node->contents("t1")) == show(r->node->contents("t2")));

  // 1 == 1.0 in Ruby, but not eql?: where a column holds a Float the block decides, so
  // the pair stays (a hash join on the column would lose it).
  auto f =
      prepare(program("    table :a, [:k, :v]\n    table :b, [:k, :w]\n"
                      "    scratch :p, [:v, :w]",
                      "    p <= (a * b).pairs { |x, y| [x.v, y.w] if x.k == y.k }"));
  REQUIRE(f->node);
  facts.clear();
  for (int k = 0; k < 40; ++k) {
    facts.push_back({"a", {I(k + 1), Value::string("x" + std::to_string(k))}});
    facts.push_back({"b", {I(k + 100), Value::string("y" + std::to_string(k))}});
  }
  facts.push_back({"b", {Value::floating(1.0), S("float")}});
  res = step(*f, facts);
  REQUIRE(res.ok);
  CHECK(show(f->node->contents("p")) == "[\"x0\", \"float\"];");

  // A comparison that raises before the == still raises: the == is not taken into the
  // join when an ordering comes first (the rows it would drop are the ones that raise).
  auto g =
      prepare(program("    table :a, [:k, :v]\n    table :b, [:k, :w]\n"
                      "    scratch :p, [:v, :w]",
                      "    p <= (a * b).pairs { |x, y| [x.v, y.w] if x.v > y.w and x.k "
                      "== y.k }"));
  REQUIRE(g->node);
  facts.clear();
  for (int k = 0; k < 40; ++k) {
    facts.push_back({"a", {I(k), S("x")}});
    facts.push_back({"b", {I(k + 100), I(5)}});
  }
  res = g->node->step({facts});
  CHECK_FALSE(res.ok);
}

TEST_CASE("join: a smaller right side probes the left collection, in the nested loop's order") {
  // `small` is read in place with holes where rows were deleted: the rows' indexes are
  // slots, not positions. The compiled block streams; the interpreted one gets the rows.
  auto r =
      prepare(program("    table :big, [:k, :v]\n    table :small, [:k, :w]\n"
                      "    scratch :del_, [:k, :w]\n    scratch :p, [:k, :v, :w]\n"
                      "    scratch :q, [:k, :w]",
                      "    small <- del_\n"
                      "    p <= (big * small).pairs(:k => :k) { |b, s| [b.k, b.v, s.w] }\n"
                      "    q <= (big * small).pairs(:k => :k) { |b, s| [b.k, s.w.to_s] }"));
  REQUIRE(r->node);
  std::vector<std::pair<std::string, Tuple>> facts;
  for (int k = 0; k < 12; ++k) facts.push_back({"big", {I(k % 6), I(k)}});
  for (int k = 0; k < 6; ++k) facts.push_back({"small", {I(k), I(10 * k)}});
  REQUIRE(step(*r, facts).ok);
  REQUIRE(step(*r, {{"del_", {I(1), I(10)}}, {"del_", {I(4), I(40)}}}).ok);
  auto res = step(*r);
  REQUIRE(res.ok);
  CHECK(show(r->node->contents("p")) ==
        "[0, 0, 0];[0, 6, 0];[2, 2, 20];[2, 8, 20];[3, 3, 30];[3, 9, 30];[5, 5, 50];[5, 11, 50];");
  CHECK(show(r->node->contents("q")) == "[0, \"0\"];[2, \"20\"];[3, \"30\"];[5, \"50\"];");
}
