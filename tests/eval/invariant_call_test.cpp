// Invariant calls (eval/interpreter.h, InvariantCall): a call on a collection inside a
// block, whose value depends only on the collections it reads, is evaluated once for
// their contents and reused while they stay the same. Held here: it is reused, it is
// evaluated again when the contents change, and a call that reads anything else (a local
// shadowing the collection, a random number, a variable of the block around) is never
// reused. The node runs give the results of a program written without such a call.

#include <doctest/doctest.h>

#include <memory>

#include "eval/evaluator.h"
#include "eval/interpreter.h"
#include "frontend/loader.h"

using namespace calm;
using namespace calm::eval;

namespace {

Value I(int64_t i) { return Value::integer(i); }

/// One collection, `items` [k, v], whose contents and key the test sets, counting how
/// often the interpreter reads it.
class CountingItems : public CollectionAccess {
 public:
  const std::string& collection_named(const Expr& e) const override {
    return e.type == "identifier" && e.text == "items" ? name_ : none_;
  }
  const TupleSet& contents(const std::string&) const override {
    ++reads;
    return rows;
  }
  Schema schema(const std::string&) const override {
    return std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"k", "v"});
  }
  std::map<const Expr*, InvariantCall>* invariant_calls() const override { return &calls_; }
  uint64_t contents_key(const std::vector<std::string>& names) const override {
    return names == std::vector<std::string>{"items"} ? key : 0;
  }
  uint64_t random53() const override { return 12345; }

  TupleSet rows;
  uint64_t key = 7;
  mutable int reads = 0;

 private:
  std::string name_ = "items", none_;
  mutable std::map<const Expr*, InvariantCall> calls_;
};

struct Loaded {
  LoadResult loaded;
  /// The block of the program's only rule (`out <= probe { |p| ... }`).
  const Expr* block = nullptr;
};

std::unique_ptr<Loaded> load_block(const std::string& body) {
  auto r = std::make_unique<Loaded>();
  LoadOptions lo;
  lo.files = {"t.rb"};
  lo.memory_files["t.rb"] =
      "class T\n  include Bud\n  state do\n    table :items, [:k, :v]\n"
      "    table :probe, [:k]\n    table :out, [:k]\n  end\n  bloom do\n"
      "    out <= probe { |p| " +
      body + " }\n  end\nend\n";
  r->loaded = load_programs(lo);
  REQUIRE_FALSE(r->loaded.diagnostics.has_errors());
  REQUIRE(r->loaded.programs.size() == 1);
  REQUIRE(r->loaded.programs[0].rules.size() == 1);
  r->block = r->loaded.programs[0].rules[0].rhs.child("block");
  REQUIRE(r->block);
  return r;
}

/// The block on probe tuple [k], as Ruby's inspect (or the error).
std::string run(const Interpreter& in, const Expr& block, int64_t k, const Scope& outer = {}) {
  try {
    auto probe = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"k"});
    return in.call_block(block, {Value::array(Tuple{I(k)}, probe)}, outer).inspect();
  } catch (const EvalError& e) {
    return e.check.str() + ": " + e.message;
  }
}

}  // namespace

TEST_CASE("a call on a collection alone is evaluated once for the collection's contents") {
  auto l = load_block("[p.k] if items.map { |i| i.k }.include?(p.k)");
  CountingItems items;
  items.rows = {{I(1), I(10)}, {I(2), I(20)}};
  Interpreter in(items, "t.rb", Value::string("h:1"), 3);
  CHECK(run(in, *l->block, 1) == "[1]");
  CHECK(run(in, *l->block, 3) == "nil");
  CHECK(run(in, *l->block, 2) == "[2]");
  CHECK(items.reads == 1);
  // Another interpreter of the same node (the rule evaluated again): still the same.
  Interpreter again(items, "t.rb", Value::string("h:1"), 3);
  CHECK(run(again, *l->block, 2) == "[2]");
  CHECK(items.reads == 1);

  SUBCASE("new contents: evaluated again") {
    items.rows.insert({I(3), I(30)});
    items.key = 8;
    CHECK(run(again, *l->block, 3) == "[3]");
    CHECK(items.reads == 2);
  }
  SUBCASE("another timestep: evaluated again (budtime may be read)") {
    Interpreter later(items, "t.rb", Value::string("h:1"), 4);
    CHECK(run(later, *l->block, 1) == "[1]");
    CHECK(items.reads == 2);
  }
  SUBCASE("contents with no key: evaluated every time") {
    items.key = 0;
    CHECK(run(again, *l->block, 1) == "[1]");
    CHECK(run(again, *l->block, 1) == "[1]");
    CHECK(items.reads == 3);
  }
  SUBCASE("a local that shadows the collection is read instead, every time") {
    Scope outer;
    outer["items"] =
        Value::array(std::vector<Value>{Value::array(Tuple{I(5), I(50)}, items.schema("items"))});
    CHECK(run(again, *l->block, 5, outer) == "[5]");
    CHECK(run(again, *l->block, 1, outer) == "nil");
    CHECK(items.reads == 1);
  }
}

TEST_CASE("a call that reads more than collections is evaluated every time") {
  struct Case {
    const char* what;
    const char* body;
    int64_t second;  ///< the probe of the second run
    const char* second_gives;
  };
  const Case cases[] = {
      {"a parameter of the block around", "[p.k] if items.select { |i| i.k == p.k }.any?", 3,
       "nil"},
      {"a random number", "[p.k] if items.map { |i| i.k + rand(1) }.include?(p.k)", 2, "[2]"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    CountingItems items;
    items.rows = {{I(1), I(10)}, {I(2), I(20)}};
    auto l = load_block(c.body);
    Interpreter in(items, "t.rb", Value::string("h:1"), 3);
    CHECK(run(in, *l->block, 1) == "[1]");
    const int once = items.reads;
    CHECK(once > 0);
    CHECK(run(in, *l->block, c.second) == c.second_gives);
    CHECK(items.reads == 2 * once);
  }
}

TEST_CASE("a rule with a call on a collection in its block follows the collection's changes") {
  // `out` keeps the probes whose key is among items' keys, through an invariant call; the
  // same program by a join is the reference, step after step, as items grows and a
  // scratch copy of it is made afresh.
  const std::string state =
      "    table :items, [:k, :v]\n    scratch :copy, [:k, :v]\n    table :probe, [:k]\n"
      "    scratch :out, [:k]\n    scratch :ref, [:k]\n";
  const std::string rules =
      "    copy <= items\n"
      "    out <= probe { |p| [p.k] if copy.map { |i| i.k }.include?(p.k) }\n"
      "    ref <= (probe * copy).lefts(:k => :k)\n";
  LoadOptions lo;
  lo.files = {"t.rb"};
  lo.memory_files["t.rb"] = "class T\n  include Bud\n  state do\n" + state + "  end\n  bloom do\n" +
                            rules + "  end\nend\n";
  LoadResult loaded = load_programs(lo);
  REQUIRE_FALSE(loaded.diagnostics.has_errors());
  Diagnostics diags;
  auto node = Node::create(loaded.programs.at(0), {}, diags);
  REQUIRE(node);
  const std::vector<std::vector<std::pair<std::string, Tuple>>> steps = {
      {{"probe", {I(1)}}, {"probe", {I(2)}}, {"probe", {I(3)}}, {"items", {I(1), I(10)}}},
      {},
      {{"items", {I(3), I(30)}}},
      {{"probe", {I(4)}}},
      {{"items", {I(4), I(40)}}, {"items", {I(2), I(20)}}}};
  size_t seen = 0;
  for (const auto& facts : steps) {
    StepResult r = node->step({facts});
    REQUIRE(r.ok);
    CHECK(node->contents("out") == node->contents("ref"));
    seen = node->contents("out").size();
  }
  CHECK(seen == 4);
}
