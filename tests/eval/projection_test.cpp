// Projection: blocks compiled to column rearrangements must give exactly what the
// interpreter gives for the same rows, and every other block must be left to it.

#include "eval/projection.h"

#include <doctest/doctest.h>

#include <functional>

#include "eval/interpreter.h"
#include "support/no_collections.h"
#include "support/node_fixture.h"

using namespace calm;
using namespace calm::eval;
using namespace calm::eval::testing;

namespace {

const Expr* find_block(const Expr& e) {
  if (e.type == "block" || e.type == "do_block") return &e;
  for (const auto& c : e.children)
    if (const Expr* b = find_block(c)) return b;
  return nullptr;
}

Schema cols(std::vector<std::string> c) {
  return std::make_shared<const std::vector<std::string>>(std::move(c));
}

/// The block of the one rule `rule` (written against collections a(x, y) and b(y, z)).
struct Block {
  std::unique_ptr<Run> run;
  const Expr* block = nullptr;
};

Block block_of(const std::string& rule) {
  Block b;
  b.run = prepare(program("    table :a, [:x, :y]\n    table :b, [:y, :z]\n    table :out, [:v]",
                          "    " + rule));
  REQUIRE(b.run->loaded.programs[0].rules.size() == 1);
  b.block = find_block(b.run->loaded.programs[0].rules[0].rhs);
  REQUIRE(b.block != nullptr);
  return b;
}

std::optional<Projection> compile(const Block& b, const std::vector<Schema>& schemas,
                                  std::function<bool(const Expr&)> names = nullptr) {
  if (!names) names = [](const Expr&) { return false; };
  return Projection::compile(*b.block, schemas, names);
}

/// What the interpreter returns for a row, bound as the evaluator binds it: a join row
/// is one array of tuples; a scanned tuple is the one argument.
Value interpreted(const Block& b, const std::vector<Schema>& schemas,
                  const std::vector<const Tuple*>& row) {
  NoCollections none;
  Interpreter ip(none, "t.rb", Value::string("host:1"), 7);
  std::vector<Value> vals;
  for (size_t k = 0; k < row.size(); ++k) {
    const Schema& s = schemas[k];
    vals.push_back(Value::array(row[k] ? *row[k] : Tuple(s ? s->size() : 0), s));
  }
  Value arg = row.size() == 1 ? vals[0] : Value::array(vals);
  return ip.call_block(*b.block, {arg}, {});
}

std::string compiled(const Projection& p, const std::vector<const Tuple*>& row) {
  return Value::array(p.apply(row.data(), 7, Value::string("host:1"))).inspect();
}

}  // namespace

TEST_CASE("a join block of columns, literals, budtime and the address is compiled") {
  Block b = block_of(
      "out <= (a * b).pairs(:y => :y) { |l, r| [l.x, r.z, 1, \"s\", :sym, nil, true, false, "
      "l[0], r[1], r[7], budtime, ip_port, @local_addr, @budtime, l] }");
  std::vector<Schema> schemas{cols({"x", "y"}), cols({"y", "z"})};
  auto p = compile(b, schemas);
  REQUIRE(p.has_value());
  CHECK(p->width() == 16);
  Tuple t1{I(1), S("k")}, t2{S("k"), I(2)};
  CHECK(compiled(*p, {&t1, &t2}) == interpreted(b, schemas, {&t1, &t2}).inspect());
  CHECK(compiled(*p, {&t1, &t2}) ==
        "[1, 2, 1, \"s\", :sym, nil, true, false, 1, 2, nil, 7, \"host:1\", \"host:1\", 7, "
        "[1, \"k\"]]");
  // The nil padding of an outer join: every column of the padded side is nil.
  CHECK(compiled(*p, {&t1, nullptr}) == interpreted(b, schemas, {&t1, nullptr}).inspect());

  // A parameter past the last input is nil.
  Block extra = block_of("out <= (a * b).pairs(:y => :y) { |l, r, e| [e, l.y] }");
  auto q = compile(extra, schemas);
  REQUIRE(q.has_value());
  CHECK(compiled(*q, {&t1, &t2}) == interpreted(extra, schemas, {&t1, &t2}).inspect());
  CHECK(compiled(*q, {&t1, &t2}) == "[nil, \"k\"]");
}

TEST_CASE("one tuple: a single parameter is the tuple, several spread its columns") {
  std::vector<Schema> schemas{cols({"x", "y"})};
  Tuple t{I(3), S("v")};
  Block whole = block_of("out <= a { |t| [t.y, t.x, t[1], t] }");
  auto p = compile(whole, schemas);
  REQUIRE(p.has_value());
  CHECK(compiled(*p, {&t}) == interpreted(whole, schemas, {&t}).inspect());
  CHECK(compiled(*p, {&t}) == "[\"v\", 3, \"v\", [3, \"v\"]]");

  Block spread = block_of("out <= a.map { |k, v, extra| [v, k, extra] }");
  auto q = compile(spread, schemas);
  REQUIRE(q.has_value());
  CHECK(compiled(*q, {&t}) == interpreted(spread, schemas, {&t}).inspect());
  CHECK(compiled(*q, {&t}) == "[\"v\", 3, nil]");
}

TEST_CASE("a parameter named like budtime is the parameter") {
  std::vector<Schema> schemas{cols({"x", "y"})};
  Block b = block_of("out <= a { |budtime| [budtime.x] }");
  auto p = compile(b, schemas);
  REQUIRE(p.has_value());
  Tuple t{I(5), I(6)};
  CHECK(compiled(*p, {&t}) == interpreted(b, schemas, {&t}).inspect());
}

TEST_CASE("blocks that compute are left to the interpreter") {
  std::vector<Schema> one{cols({"x", "y"})};
  std::vector<Schema> two{cols({"x", "y"}), cols({"y", "z"})};
  for (const char* rule : {
           "out <= a { |t| [t.x + 1] }",               // arithmetic
           "out <= a { |t| [t.size] }",                // a method, not a column
           "out <= a { |t| t.x == 1 ? [t.x] : nil }",  // not an array literal
           "out <= a { |t| [t.x] if t.y }",            // a modifier
           "out <= a { |t| [\"#{t.x}\"] }",            // interpolation
           "out <= a { |t| [\"a\\n\"] }",              // an escape sequence
           "out <= a { |t| x = t.x; [x] }",            // two statements
           "out <= a { |t| [t.x, *t] }",               // a splat
           "out <= a { |t| [t[-1]] }",                 // a negative index
           "out <= a { |t| [t[t.x]] }",                // a computed index
           "out <= a { |t| [0x1F] }",                  // not a plain decimal
           "out <= a { |t| [t.x, {:k => 1}] }",        // a hash
           "out <= a { |t| [other] }",                 // an unknown name
           "out <= a { |(p, q)| [p] }",                // destructuring
           "out <= a { |t| [@other] }",                // another instance variable
       }) {
    CAPTURE(rule);
    Block b = block_of(rule);
    CHECK_FALSE(compile(b, one).has_value());
  }
  // A column of a spread parameter, a join side addressed as a column, a one-parameter
  // block over a join (the parameter is the whole row).
  CHECK_FALSE(compile(block_of("out <= a { |k, v| [k.x] }"), one).has_value());
  CHECK_FALSE(compile(block_of("out <= (a * b).pairs(:y => :y) { |r| [r[0]] }"), two).has_value());
  // Unknown columns, and a name the program resolves to a collection (an imported
  // module's lattice, say) are the interpreter's.
  CHECK_FALSE(compile(block_of("out <= a { |t| [t.x] }"), {nullptr}).has_value());
  CHECK(compile(block_of("out <= a { |t| [t[0]] }"), {nullptr}).has_value());
  CHECK_FALSE(compile(block_of("out <= a { |t| [t.x] }"), one, [](const Expr& e) {
                return e.type == "call";
              }).has_value());
}

TEST_CASE("a block of one term gives that term's value") {
  std::vector<Schema> schemas{cols({"x", "y"})};
  Tuple t{I(1), Value::array({S("p"), I(2)})};
  for (const char* rule : {"out <= a { |m| m.y }", "out <= a { |m| m }", "out <= a { |m| 5 }",
                           "out <= a { |m| m[1] }", "out <= a { |m| ip_port }"}) {
    CAPTURE(rule);
    Block b = block_of(rule);
    auto p = compile(b, schemas);
    REQUIRE(p.has_value());
    CHECK_FALSE(p->is_array());
    const Tuple* row = &t;
    CHECK(p->value(&row, 7, Value::string("host:1")).inspect() ==
          interpreted(b, schemas, {&t}).inspect());
  }
}

TEST_CASE("a guard comparing two terms is compiled; the block gives nil where it fails") {
  std::vector<Schema> two{cols({"x", "y"}), cols({"y", "z"})};
  std::vector<Tuple> rights = {{S("k"), I(1)},
                               {S("k"), Value::floating(1.0)},
                               {S("k"), I(2)},
                               {S("k"), Value()},
                               {S("j"), S("1")}};
  Tuple left{I(1), S("k")};
  for (const char* rule : {
           "out <= (a * b).pairs(:y => :y) { |l, r| [l.y, r.z] if r.z == l.x }",
           "out <= (a * b).pairs(:y => :y) { |l, r| [l.y, r.z] if r.z != l.x }",
           "out <= (a * b).pairs(:y => :y) { |l, r| [l.y, r.z] unless r.z == 1 }",
           "out <= (a * b).pairs(:y => :y) { |l, r| [r.z] if r[0] == \"k\" }",
           "out <= (a * b).pairs(:y => :y) { |l, r| r.z if nil == r.z }",
       }) {
    CAPTURE(rule);
    Block b = block_of(rule);
    auto p = compile(b, two);
    REQUIRE(p.has_value());
    for (const Tuple& r : rights) {
      CAPTURE(inspect(r));
      std::vector<const Tuple*> row{&left, &r};
      Value want = interpreted(b, two, row);
      if (!p->accepts(row.data(), 7, Value::string("host:1"))) {
        CHECK(want.is_nil());
        CHECK(p->value(row.data(), 7, Value::string("host:1")).is_nil());
      } else if (p->is_array()) {
        CHECK(compiled(*p, row) == want.inspect());
      } else {
        CHECK(p->value(row.data(), 7, Value::string("host:1")).inspect() == want.inspect());
      }
    }
  }
  // Conditions that are not one comparison of two terms, or that compare a whole tuple
  // (a Struct in Bud), stay with the interpreter.
  for (const char* rule : {
           "out <= (a * b).pairs(:y => :y) { |l, r| [r.z] if r.z > l.x }",
           "out <= (a * b).pairs(:y => :y) { |l, r| [r.z] if r.z == l.x && l.x }",
           "out <= (a * b).pairs(:y => :y) { |l, r| [r.z] if r == l }",
           "out <= (a * b).pairs(:y => :y) { |l, r| [r.z] if (r.z == l.x) }",
       }) {
    CAPTURE(rule);
    CHECK_FALSE(compile(block_of(rule), two).has_value());
  }
}

TEST_CASE("several comparisons joined by and are one compiled guard") {
  std::vector<Schema> two{cols({"x", "y"}), cols({"y", "z"})};
  Block b =
      block_of("out <= (a * b).pairs { |l, r| [l.x, r.z] if l.y == r.y and r.z != 2 && l.x == 1 }");
  auto p = compile(b, two);
  REQUIRE(p.has_value());
  Tuple left{I(1), S("k")};
  for (const Tuple& r : std::vector<Tuple>{{S("k"), I(1)}, {S("k"), I(2)}, {S("j"), I(1)}}) {
    std::vector<const Tuple*> row{&left, &r};
    Value want = interpreted(b, two, row);
    CHECK(p->accepts(row.data(), 7, Value()) == !want.is_nil());
  }
  // Under unless, a conjunction is a disjunction: the interpreter's.
  CHECK_FALSE(compile(block_of("out <= (a * b).pairs { |l, r| [l.x] unless l.y == r.y and "
                               "l.x == 1 }"),
                      two)
                  .has_value());
}

TEST_CASE("a block the interpreter runs is prefiltered by its leading comparisons") {
  std::vector<Schema> two{cols({"x", "y"}), cols({"y", "z"})};
  auto names = [](const Expr&) { return false; };
  auto prefilter = [&](const Block& b) {
    return Projection::compile_prefilter(*b.block, two, names);
  };
  std::vector<Tuple> rights = {{S("k"), I(1)},
                               {S("k"), I(5)},
                               {S("j"), I(1)},
                               {S("k"), S("s")},
                               {S("k"), Value::floating(1.0)}};
  Tuple left{I(1), S("k")};
  // `if` with `and`, over lines; `&&`; the modifier form; an ordering of integers; one
  // the interpreter must decide (a string against an integer raises in Ruby).
  for (const char* rule : {
           "out <= (a * b).pairs do |l, r|\n      if l.y == r.y and r.z != 5 and\n"
           "         [r.z].size > 0\n        [l.x, r.z + 1]\n      end\n    end",
           "out <= (a * b).pairs { |l, r| [r.z * 2] if r.y == \"k\" && r.z >= l.x && r.z.to_s }",
           "out <= (a * b).pairs { |l, r| [r.z.to_s] if r.z < 3 }",
       }) {
    CAPTURE(rule);
    Block b = block_of(rule);
    REQUIRE_FALSE(compile(b, two).has_value());
    auto p = prefilter(b);
    REQUIRE(p.has_value());
    for (const Tuple& r : rights) {
      CAPTURE(inspect(r));
      std::vector<const Tuple*> row{&left, &r};
      // Rejected rows are rows the block answers with nil; the others run the block.
      if (!p->accepts(row.data(), 7, Value::string("host:1")))
        CHECK(interpreted(b, two, row).is_nil());
    }
    // Where a prefix comparison fails, the row is rejected.
    Tuple other{S("j"), I(1)};
    std::vector<const Tuple*> row{&left, &other};
    if (std::string(rule).find("r.z < 3") == std::string::npos)
      CHECK_FALSE(p->accepts(row.data(), 7, Value::string("host:1")));
  }
  // `r.z < 3` on a string is left to the interpreter (Ruby raises): accepted here.
  {
    auto p =
        prefilter(block_of("out <= (a * b).pairs { |l, r| [r.z.to_s] if r.z < 3 and "
                           "r.y == \"zz\" }"));
    REQUIRE(p.has_value());
    Tuple s{S("k"), S("s")}, big{S("k"), I(4)};
    std::vector<const Tuple*> srow{&left, &s}, brow{&left, &big};
    CHECK(p->accepts(srow.data(), 7, Value()));
    CHECK_FALSE(p->accepts(brow.data(), 7, Value()));
  }
  // No comparison first, an `else`, or a body that is not one conditional: no prefilter.
  for (const char* rule : {
           "out <= (a * b).pairs { |l, r| [r.z + 1] if r.z.to_s == \"1\" }",
           "out <= (a * b).pairs { |l, r| if l.y == r.y then [r.z + 1] else [0] end }",
           "out <= (a * b).pairs { |l, r| [r.z + 1] unless l.y == r.y }",
           "out <= (a * b).pairs { |l, r| q = r.z; [q] if l.y == r.y }",
       }) {
    CAPTURE(rule);
    CHECK_FALSE(prefilter(block_of(rule)).has_value());
  }
}

namespace {

/// One collection, `m` [peer], that the blocks below test membership in.
class Members : public CollectionAccess {
 public:
  const std::string& collection_named(const Expr& e) const override {
    return e.type == "identifier" && e.text == "m" ? name_ : none_;
  }
  const TupleSet& contents(const std::string&) const override { return rows; }
  Schema schema(const std::string&) const override { return cols({"peer"}); }
  TupleSet rows;

 private:
  std::string name_ = "m", none_;
};

}  // namespace

TEST_CASE("membership, nested arrays, indexes and fields compile to what the interpreter gives") {
  Members m;
  m.rows = {{Value::string("a")}, {Value::integer(2)}};
  auto names = [&](const Expr& e) { return !m.collection_named(e).empty(); };
  const Schema a = cols({"x", "y"});
  auto arr = [](std::vector<Value> v) { return Value::array(std::move(v)); };
  const std::vector<Value> xs = {Value::string("a"), Value::integer(2), Value::integer(3), Value()};
  const std::vector<Value> ys = {
      arr({Value::string("host:1"), Value::integer(2)}),
      arr({}),
      Value::string("str"),
      Value(),
      Value::integer(5),
      arr({Value::integer(9), Value::string("a")}),
      Value::array(Tuple{Value::integer(1), Value::string("q")}, cols({"k", "v"}))};
  struct Case {
    std::string rule;
    bool items;  ///< a term indexes a value: some rows are the interpreter's
  };
  const Case cases[] = {
      {"out <= a { |t| [t.x, [ip_port, t.y]] unless m.include?([t.x]) }", false},
      {"out <= a do |t|\n unless m.include?([t.x])\n [t.y, [t.x, 1]]\n end\n end", false},
      {"out <= a { |t| t.y unless t.y[0] == ip_port }", true},
      {"out <= a { |t| [t.x] if m.include?([t.y[1]]) and t.x != 3 }", true},
      {"out <= a do |t|\n if t.x == 2\n [t.y[1], budtime]\n end\n end", true},
      // A field of a column's tuple (a join row kept in a collection: `g.reqid`).
      {"out <= a { |t| [t.x, t.y.v] }", true},
      {"out <= a do |x, y|\n [y.k, x] if y.k == 1\n end", true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.rule);
    Block b;
    b.run =
        prepare(program("    table :a, [:x, :y]\n    table :m, [:peer]\n    table :out, [:v, :w]",
                        "    " + c.rule));
    b.block = find_block(b.run->loaded.programs[0].rules.at(0).rhs);
    REQUIRE(b.block != nullptr);
    auto p = Projection::compile(*b.block, {a}, names, &m);
    REQUIRE(p.has_value());
    CHECK(p->has_items() == c.items);
    // Without a CollectionAccess the block is not compiled: no membership, no arrays.
    CHECK_FALSE(Projection::compile(*b.block, {a}, names).has_value());
    Interpreter ip(m, "t.rb", Value::string("host:1"), 7);
    int decided = 0, undecided = 0;
    for (const Value& x : xs)
      for (const Value& y : ys) {
        Tuple t{x, y};
        const Tuple* row = &t;
        CAPTURE(inspect(t));
        std::string want;
        try {
          want = ip.call_block(*b.block, {Value::array(t, a)}, {}).inspect();
        } catch (const EvalError& e) {
          want = "error: " + e.message;
        }
        if (!p->decides(&row, 7, Value::string("host:1"))) {
          ++undecided;  // the interpreter's row (it may raise there)
          continue;
        }
        ++decided;
        CHECK(p->value(&row, 7, Value::string("host:1")).inspect() == want);
      }
    CHECK(decided > 0);
    CHECK((undecided > 0) == c.items);
  }
}

TEST_CASE("a scan whose compiled block cannot decide a row runs the interpreter on it") {
  // c.p[0] of an Array is compiled; of a String it is Ruby's String#[] (the interpreter's),
  // and of nil it is the interpreter's NoMethodError.
  auto r = prepare(program("    table :t, [:k, :p]\n    table :out, [:k, :v]",
                           "    out <= t { |c| [c.k, c.p[0]] unless c.p[1] == 0 }"));
  StepResult s = r->node->step(
      {{{"t", {Value::integer(1), Value::array(std::vector<Value>{Value::integer(7)})}},
        {"t", {Value::integer(2), Value::string("xy")}},
        {"t",
         {Value::integer(3),
          Value::array(std::vector<Value>{Value::integer(8), Value::integer(0)})}}}});
  REQUIRE(s.ok);
  CHECK(show(r->node->contents("out")) == "[1, 7];[2, \"x\"];");
  StepResult bad = r->node->step({{{"t", {Value::integer(4), Value()}}}});
  CHECK_FALSE(bad.ok);
  REQUIRE(bad.diagnostics.items().size() == 1);
  CHECK(bad.diagnostics.items()[0].message.find("undefined method '[]' for nil") !=
        std::string::npos);
}
