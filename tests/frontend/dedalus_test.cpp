// The Dedalus front end (docs/dedalus.md): the reader, the translation of each kind of
// rule to Bud, the located errors for bad input, the inline expectations of
// samples/dedalus, and the Dedalus samples against their Bud twins: the same points of
// order, clusters, underspecified interfaces and output labels, and the same outputs
// when the evaluator runs both on the same facts.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "analysis/program_analysis.h"
#include "eval/evaluator.h"
#include "frontend/dedalus/dedalus_parser.h"
#include "frontend/dedalus/dedalus_translator.h"
#include "frontend/front_end.h"
#include "support/dedalus_support.h"

namespace calm::test {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Reading

TEST_CASE("the reader keeps declarations, rules, times, aggregates and locations") {
  Diagnostics d;
  auto tree = dedalus::parse_dedalus("t.ded", R"(// a comment
.decl channel msg(@addr, id) => (body);  /* block
comment */
.decl table kv(key) => (value);
kv(K, V)@next :- msg(_, K, V), K != "x";
out(K, count<V>) :- kv(K, V);
msg(A, 1, "hi")@async :- kv(A, _);
seed(1, -2.5, "a\"b");
)",
                                     d);
  CHECK(d.empty());
  REQUIRE(tree.declarations.size() == 2);
  CHECK(tree.declarations[0].kind == "channel");
  CHECK(tree.declarations[0].keys[0].location);
  CHECK(tree.declarations[0].values[0].name == "body");
  CHECK(tree.declarations[1].location == SourceLocation{"t.ded", 4, 1});
  REQUIRE(tree.rules.size() == 4);
  const auto& r0 = tree.rules[0];
  CHECK(r0.time == dedalus::Time::Next);
  CHECK(r0.arrow == SourceLocation{"t.ded", 5, 15});
  CHECK(r0.text == "kv(K, V)@next :- msg(_, K, V), K != \"x\";");
  REQUIRE(r0.body.size() == 2);
  CHECK(r0.body[1].kind == dedalus::Literal::Kind::Comparison);
  CHECK(r0.body[1].expression.text == "!=");
  CHECK(tree.rules[1].head.args[1].kind == dedalus::Term::Kind::Aggregate);
  CHECK(tree.rules[2].time == dedalus::Time::Async);
  CHECK(tree.rules[3].fact);
  CHECK(tree.rules[3].head.args[1].text == "-2.5");
  CHECK(tree.rules[3].head.args[2].text == "a\"b");
}

/// The Bud statements a Dedalus program translates to (the bloom and bootstrap blocks).
std::vector<std::string> bud_statements(const std::string& text) {
  Diagnostics d;
  auto tree = dedalus::parse_dedalus("t.ded", text, d);
  auto t = dedalus::translate_to_bud(tree, d);
  for (const auto& e : d.items()) FAIL_CHECK(to_string(e.location) << ": " << e.message);
  std::vector<std::string> out;
  std::istringstream in(t.ruby);
  int line = 0;
  for (std::string s; std::getline(in, s);)
    if (++line < static_cast<int>(t.rule_of_line.size()) && t.rule_of_line[line] >= 0)
      out.push_back(s.substr(s.find_first_not_of(' ')));
  return out;
}

TEST_CASE("each kind of Dedalus rule becomes the Bud statement that means the same") {
  const std::string decls = R"(
.decl input a(x, y);
.decl input b(y, z);
.decl input c(z, w);
.decl table t(k) => (v);
.decl channel ch(@to, v);
)";
  auto one = [&](const std::string& rule) {
    auto s = bud_statements(decls + rule);
    REQUIRE(s.size() == 1);
    return s[0];
  };
  CHECK(one("p(X, Y) :- a(X, Y);") == "p <= a");
  CHECK(one("p(Y, X) :- a(X, Y);") == "p <= a { |t1| [t1.y, t1.x] }");
  CHECK(one("p(X) :- a(X, X);") == "p <= a { |t1| [t1.x] if t1.y == t1.x }");
  CHECK(one("p(X) :- a(X, 3), X > 1;") == "p <= a { |t1| [t1.x] if t1.y == 3 && t1.x > 1 }");
  CHECK(one("p(X, Z) :- a(X, Y), b(Y, Z);") ==
        "p <= (a * b).pairs(:y => :y) { |t1, t2| [t1.x, t2.z] }");
  CHECK(one("p(X, W) :- a(X, Y), b(Y, Z), c(Z, W);") ==
        "p <= (a * b * c).combos(a.y => b.y, b.z => c.z) { |t1, t2, t3| [t1.x, t3.w] }");
  CHECK(one("p(X, S) :- a(X, Y), b(Y, Z), S = Y + Z * 2;") ==
        "p <= (a * b).pairs(:y => :y) { |t1, t2| [t1.x, (t1.y + (t2.z * 2))] }");
  CHECK(one("p(X)@next :- a(X, _);") == "p <+ a { |t1| [t1.x] }");
  CHECK(one("ch(X, Y)@async :- a(X, Y);") == "ch <~ a");
  CHECK(one("p(X, Y) :- a(X, Y), notin b(Y, _);") == "p <= a.notin(b, :y => :y)");
  CHECK(one("p(X) :- a(X, Y), notin b(Y, _), notin c(_, X);") ==
        "p <= a.notin(b, :y => :y).notin(c, :x => :w).map { |t1| [t1.x] }");
  CHECK(one("p(X, count<Y>) :- a(X, Y);") == "p <= a.group([:x], count(:y))");
  CHECK(one("p(min<Y>, max<Y>) :- a(_, Y);") == "p <= a.group(nil, min(:y), max(:y))");
  CHECK(one("p(X, Y) :- a(X, Y), argmax<Y> by (X);") == "p <= a.argmax([:x], :y)");
  CHECK(one("p(X, [Y, \"s#{x}\"]) :- a(X, Y);") == "p <= a { |t1| [t1.x, [t1.y, \"s\\#{x}\"]] }");
  CHECK(one("p(1, \"two\");") == "p <= [[1, \"two\"]]");
  // Persistence: tables persist in Bud; a notin is a deletion.
  CHECK(bud_statements(decls + "t(K, V)@next :- t(K, V);").empty());
  CHECK(one("t(K, V)@next :- t(K, V), notin a(K, V);") == "t <- a");
  CHECK(one("t(K, V)@next :- t(K, V), notin a(_, K);") == "t <- (t * a).lefts(:k => :y)");
}

TEST_CASE("undeclared predicates are scratches named after their head, tables when persisted") {
  auto r = load_memory({{"m.ded",
                         ".decl input a(x, y);\n"
                         "p(X, count<Y>) :- a(X, Y);\n"
                         "q(X, 1, X)@next :- a(X, _);\n"
                         "s(X, Y) :- a(X, Y);\n"
                         "s(X, Y)@next :- s(X, Y);\n"}});
  REQUIRE(r.programs.size() == 1);
  const Program& p = r.programs[0];
  CHECK(p.name == "m");
  REQUIRE(p.find("p"));
  CHECK(p.find("p")->kind == CollectionKind::Scratch);
  CHECK(p.find("p")->keys == std::vector<std::string>{"x", "count_y"});
  CHECK(p.find("q")->keys == std::vector<std::string>{"x", "c1", "c2"});
  CHECK(p.find("s")->kind == CollectionKind::Table);
  CHECK(p.find("s")->location == SourceLocation{"m.ded", 4, 1});
  CHECK(p.find("a")->location == SourceLocation{"m.ded", 1, 1});
}

TEST_CASE("rules are located in the .ded file, with their text and the Bud right-hand side") {
  auto r = load_memory({{"m.ded",
                         ".decl input a(x, y);\n"
                         ".decl table t(x);\n"
                         "t(X)@next :-\n"
                         "   a(X, Y), notin t(Y);\n"}});
  REQUIRE(r.programs.size() == 1);
  REQUIRE(r.programs[0].rules.size() == 1);
  const Rule& rule = r.programs[0].rules[0];
  CHECK(rule.op == RuleOp::Deferred);
  CHECK(rule.location == SourceLocation{"m.ded", 3, 1});
  CHECK(rule.op_location == SourceLocation{"m.ded", 3, 11});
  CHECK(rule.text == "t(X)@next :-\n   a(X, Y), notin t(Y);");
  CHECK(rule.module == "m");
  CHECK(rule.rhs.type == "call");
  CHECK(rule.rhs.line == 3);
  REQUIRE(rule.refs.size() == 2);
  CHECK(rule.refs[0].collection == "a");
  CHECK(rule.refs[0].location == SourceLocation{"m.ded", 4, 4});
  CHECK(rule.refs[1].collection == "t");
  CHECK(rule.refs[1].context == RefContext::NotIn);
  CHECK(rule.refs[1].location == SourceLocation{"m.ded", 4, 19});
}

// ---------------------------------------------------------------------------
// Bad input: one located error per broken statement

TEST_CASE("bad Dedalus input gets located errors") {
  const std::string decls = ".decl input a(x, y);\n.decl table t(k) => (v);\n";
  struct Case {
    std::string text;
    std::vector<std::string> errors;
  };
  const std::vector<Case> cases = {
      {"p(X) :- a(X, Y)\n",
       {"bad.ded:4:1: calm-parse-error: expected ',' or ';' after a body literal, found the end of "
        "the file"}},
      {"p(X) : a(X, _);", {"bad.ded:3:6: calm-parse-error: unexpected character ':'"}},
      {"p(X) :- a(X, _), b(X);",
       {"bad.ded:3:18: calm-unknown-collection: unknown predicate 'b'; did you mean 'a'? (declare "
        "it with .decl, or derive it in a rule head)"}},
      {"p(X) :- aa(X, _);",
       {"bad.ded:3:9: calm-unknown-collection: unknown predicate 'aa'; did you mean 'a'? (declare "
        "it with .decl, or derive it in a rule head)"}},
      {"p(X) :- a(X);", {"bad.ded:3:9: calm-parse-error: 'a' has 2 columns, not 1"}},
      {"p(X) :- a(X, Y, Z), notin t(X, Y, Z);",
       {"bad.ded:3:9: calm-parse-error: 'a' has 2 columns, not 3",
        "bad.ded:3:27: calm-parse-error: 't' has 2 columns, not 3"}},
      {"p(Z) :- a(X, _);",
       {"bad.ded:3:3: calm-parse-error: variable Z is not bound by a positive predicate of the "
        "body"}},
      {"p(X) :- X > 1;",
       {"bad.ded:3:6: calm-parse-error: the body needs a positive predicate (it is what the rule "
        "ranges over)"}},
      {"p(X) :- a(X, _), notin t(Z, _);",
       {"bad.ded:3:26: calm-parse-error: variable Z in notin is not bound by 'a'; write _ for a "
        "column that may be anything"}},
      {"p(X) :- a(X, Y), t(Y, _), notin t(X, _);",
       {"bad.ded:3:33: calm-parse-error: notin needs a body with one positive predicate; derive "
        "the join in a rule of its own first"}},
      {"p(X, count<Y>) :- a(X, Y), X > 1;",
       {"bad.ded:3:1: calm-parse-error: a rule with an aggregate has one positive predicate and "
        "nothing else in its body; derive the input in a rule of its own first"}},
      {"p(count<Y>, X) :- a(X, Y);",
       {"bad.ded:3:13: calm-parse-error: the group variables come before the aggregates in the "
        "head"}},
      {"p(X)@async :- a(X, _);",
       {"bad.ded:3:1: calm-parse-error: only a channel can be written with @async ('p' is "
        "scratch)"}},
      {"p(X)@later :- a(X, _);",
       {"bad.ded:3:6: calm-parse-error: expected 'next' or 'async' after '@', found 'later'"}},
      {"p(X, 1);",
       {"bad.ded:3:3: calm-parse-error: a fact is ground: variable X has no value (a rule needs "
        "':-')"}},
      {"p(x) :- a(x, _);",
       {"bad.ded:3:3: calm-parse-error: unknown name 'x' (variables start with an upper-case "
        "letter; strings are quoted; the only built-in value is ip_port)"}},
      {"p(\"unterminated) :- a(X, _);", {"bad.ded:3:3: calm-parse-error: unterminated string"}},
      {".decl view v(x);",
       {"bad.ded:3:7: calm-parse-error: unknown kind 'view' (input, output, table, scratch or "
        "channel)"}},
      {".decl table a(x);",
       {"bad.ded:3:1: calm-parse-error: 'a' is declared twice (first at bad.ded:1:1)"}},
      {".decl channel c(x);",
       {"bad.ded:3:1: calm-parse-error: channel 'c' needs a location column, written '@name'"}},
      {".decl table end(x);",
       {"bad.ded:3:1: calm-parse-error: 'end' is a reserved name in calm's Bud translation; rename "
        "the predicate"}},
      {".include \"x.ded\";",
       {"bad.ded:3:1: calm-parse-error: unknown directive '.include' (only .decl)"}},
      {"x(K)@next :- x(K), notin a(K, 1);\n.decl scratch x(k);",
       {"bad.ded:3:1: calm-parse-error: 'x' is persisted (x(...)@next :- x(...)) but declared "
        "scratch; declare it table"}},
      {"/* never closed", {"bad.ded:3:1: calm-parse-error: unterminated comment"}},
      {"p(\xc3\xa9) :- a(X, _);",
       {"bad.ded:3:3: calm-parse-error: unexpected non-ASCII character (names and variables are "
        "ASCII; other text goes in strings)"}},
      {"p(X) :- a(X, _), X == " + std::string(1000, '(') + "1" + std::string(1000, ')') + ";",
       {"bad.ded:3:1023: calm-parse-error: expression nested too deeply (more than 1000 "
        "levels)"}},
      {"p(X) :- a(X, _), X == 1" +
           [] {
             std::string chain;
             for (int k = 0; k < 1001; ++k) chain += " + 1";
             return chain;
           }() +
           ";",
       {"bad.ded:3:4025: calm-parse-error: expression too long (more than 1000 operators)"}},
      // Errors in two statements: both reported, the reader goes on after each.
      {"p(X) :- ;\nq(X) :- a(X, _)) ;\nr(X) :- a(X, _);",
       {"bad.ded:3:9: calm-parse-error: expected a variable, a number, a string or '(', found ';'",
        "bad.ded:4:16: calm-parse-error: expected ',' or ';' after a body literal, found ')'"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto r = load_memory({{"bad.ded", decls + c.text}});
    CHECK(r.programs.empty());
    CHECK(diagnostics_of(r) == c.errors);
  }
}

// ---------------------------------------------------------------------------
// samples/dedalus: inline expectations

struct Expectation {
  int line = 0;
  std::string text;
};

std::vector<std::string> ded_samples() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(samples_dir() + "/dedalus"))
    if (e.path().extension() == ".ded") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("the inline expectations of samples/dedalus hold") {
  static const std::regex expect_re(R"(//\s*expect:(.*)$)");
  static const std::regex point_re(R"(point-of-order\s+(\S+)\s*->\s*(\S+))");
  static const std::regex cluster_re(R"(temporal-cluster\s+(.+))");
  static const std::regex under_re(R"(underspecified\s+(\S+)\s+(input|output))");
  int expectations = 0;
  const auto files = ded_samples();
  CHECK(files.size() >= 6);
  for (const std::string& path : files) {
    CAPTURE(path);
    LoadOptions o;
    o.files = {path};
    LoadResult r = load_programs(o);
    CHECK(diagnostics_of(r).empty());
    REQUIRE(r.programs.size() == 1);
    const Program& p = r.programs[0];
    ProgramAnalysis a(p);
    std::istringstream in(read_text(path));
    int line = 0;
    std::set<int> lines;
    std::vector<std::pair<std::string, std::string>> expected_points;
    for (std::string s; std::getline(in, s);) {
      ++line;
      std::smatch m;
      if (!std::regex_search(s, m, expect_re)) continue;
      std::stringstream all(m[1].str());
      for (std::string one; std::getline(all, one, ';');) {
        one = std::regex_replace(one, std::regex(R"(^\s+|\s+$)"), "");
        ++expectations;
        std::smatch e;
        const std::string where = path + ":" + std::to_string(line) + ": " + one;
        if (std::regex_match(one, e, point_re)) {
          lines.insert(line);
          bool found = false;
          for (const auto& poo : a.points_of_order().points()) {
            if (poo.kind == PointKind::ClusterSelf || poo.from != e[1] || poo.to != e[2]) continue;
            const Rule& rule = p.rules[poo.rule];
            found |= rule.location.line == line || rule.op_location.line == line;
          }
          CHECK_MESSAGE(found, where);
          expected_points.push_back({std::to_string(line), e[1].str() + " -> " + e[2].str()});
        } else if (std::regex_match(one, e, cluster_re)) {
          std::vector<std::string> members;
          std::stringstream names(e[1].str());
          for (std::string n; std::getline(names, n, ',');)
            members.push_back(std::regex_replace(n, std::regex(R"(^\s+|\s+$)"), ""));
          std::sort(members.begin(), members.end());
          bool found = false;
          for (const auto& c : a.clusters().clusters()) found |= c.member_names == members;
          CHECK_MESSAGE(found, where);
        } else if (std::regex_match(one, e, under_re)) {
          bool found = false;
          for (const auto& u : a.sources_sinks().underspecified())
            found |= u.collection == e[1] && to_string(u.direction) == e[2].str();
          CHECK_MESSAGE(found, where);
        } else {
          FAIL_CHECK("malformed expectation: " << where);
        }
      }
    }
    // Conversely: a point of order on a line with expectations is expected.
    for (const auto& poo : a.points_of_order().points()) {
      if (poo.kind == PointKind::ClusterSelf) continue;
      const Rule& rule = p.rules[poo.rule];
      for (int l : {rule.location.line, rule.op_location.line}) {
        if (!lines.count(l)) continue;
        const std::pair<std::string, std::string> got{std::to_string(l),
                                                      poo.from + " -> " + poo.to};
        CHECK_MESSAGE(
            std::find(expected_points.begin(), expected_points.end(), got) != expected_points.end(),
            path << ":" << l << ": unexpected point-of-order " << got.second);
      }
    }
  }
  CHECK(expectations >= 15);
}

// ---------------------------------------------------------------------------
// The Dedalus samples against their Bud twins

struct Twin {
  std::string ded;     ///< under samples/dedalus
  std::string bud;     ///< under samples/
  std::string module;  ///< -m for the Bud file
};

const std::vector<Twin> kTwins = {
    {"basic_kvs.ded", "kvs/kvs.rb", "BasicKVS"},
    {"disorderly_cart.ded", "cart/disorderly_cart.rb", "DisorderlyCart"},
    {"destructive_cart.ded", "cart/destructive_cart.rb", "DestructiveCart"},
    {"reachability.ded", "reachability/reachability.rb", "Reachability"},
    {"shortest_paths.ded", "shortest_paths/aggregate_shortest_paths.rb", "AggregateShortestPaths"},
    {"iterative_shortest_paths.ded", "shortest_paths/aggregate_shortest_paths.rb",
     "IterativeShortestPaths"},
};

LoadResult load_file(const std::string& path, const std::vector<std::string>& modules = {}) {
  LoadOptions o;
  o.files = {path};
  o.modules = modules;
  LoadResult r = load_programs(o);
  for (const auto& d : r.diagnostics.sorted())
    if (d.severity == Severity::Error) FAIL_CHECK(to_string(d.location) << ": " << d.message);
  REQUIRE_MESSAGE(r.programs.size() == 1, path);
  return r;
}

/// What the comparison looks at, by collection names: points of order (from -> to:
/// kind), temporal clusters, underspecified interfaces, and each output's label.
std::vector<std::string> findings(const Program& p) {
  ProgramAnalysis a(p);
  std::set<std::string> out;  // a set: two rules may make the same edge
  for (const auto& poo : a.points_of_order().points())
    if (poo.kind != PointKind::ClusterSelf)
      out.insert("point-of-order " + poo.from + " -> " + poo.to + ": " + to_string(poo.kind));
  for (const auto& c : a.clusters().clusters()) {
    std::string m;
    for (const auto& n : c.member_names) m += (m.empty() ? "" : ", ") + n;
    out.insert("temporal-cluster " + m);
  }
  for (const auto& u : a.sources_sinks().underspecified())
    out.insert("underspecified " + u.collection + " " + to_string(u.direction));
  for (const auto& l : a.labels().output_labels())
    out.insert(std::string("label ") + l.output + ": " + to_string(l.label));
  return {out.begin(), out.end()};
}

TEST_CASE("each Dedalus sample has the points of order and labels of its Bud twin") {
  for (const Twin& t : kTwins) {
    CAPTURE(t.ded);
    LoadResult ded = load_file(samples_dir() + "/dedalus/" + t.ded);
    LoadResult bud = load_file(samples_dir() + "/" + t.bud, {t.module});
    const auto from_ded = findings(ded.programs[0]);
    CHECK(from_ded == findings(bud.programs[0]));
    CHECK(!from_ded.empty());
  }
}

// ---------------------------------------------------------------------------
// The evaluator runs a Dedalus sample and its Bud twin to the same outputs

using Facts = std::vector<std::vector<std::pair<std::string, eval::Tuple>>>;

eval::Value s(const char* v) { return eval::Value::string(v); }
eval::Value i(int64_t v) { return eval::Value::integer(v); }

/// Runs `program` on one fact list per timestep and prints, per step, the contents of
/// `record` and the messages sent.
std::string run(const Program& program, const Facts& steps,
                const std::vector<std::string>& record) {
  Diagnostics d;
  eval::NodeOptions options;
  options.address = "node:1";
  auto node = eval::Node::create(program, options, d);
  for (const auto& e : d.items()) FAIL_CHECK(to_string(e.location) << ": " << e.message);
  REQUIRE(node);
  std::string out;
  for (const auto& facts : steps) {
    eval::StepInput in;
    in.facts = facts;
    eval::StepResult r = node->step(in);
    for (const auto& e : r.diagnostics.items())
      FAIL_CHECK(to_string(e.location) << ": " << e.message);
    REQUIRE(r.ok);
    out += "step " + std::to_string(r.budtime) + "\n";
    for (const auto& c : record) {
      out += "  " + c + ":";
      for (const auto& t : node->contents(c)) out += " " + eval::inspect(t);
      out += "\n";
    }
    for (const auto& m : r.sent)
      out += "  sent " + m.collection + " to " + m.address.inspect() + ": " +
             eval::inspect(m.tuple) + "\n";
  }
  return out;
}

struct Scenario {
  Twin twin;
  Facts steps;
  std::vector<std::string> record;
};

TEST_CASE("the evaluator gets the same outputs from each Dedalus sample and its Bud twin") {
  const std::vector<Scenario> scenarios = {
      {kTwins[0],
       {{{"kvput", {s("c"), s("k1"), i(1), s("v1")}}, {"kvput", {s("c"), s("k2"), i(2), s("v2")}}},
        {{"kvget", {i(3), s("k1")}}},
        {{"kvput", {s("c"), s("k1"), i(4), s("v3")}}},
        {{"kvget", {i(5), s("k1")}}, {"kvget", {i(6), s("k2")}}},
        {}},
       {"kvstate", "kvget_response"}},
      {kTwins[1],
       {{{"action_msg", {s("node:1"), s("cl"), i(7), i(1), s("apple"), s("A")}},
         {"action_msg", {s("node:1"), s("cl"), i(7), i(2), s("pear"), s("A")}}},
        {{"action_msg", {s("node:1"), s("cl"), i(7), i(3), s("apple"), s("A")}},
         {"action_msg", {s("node:1"), s("cl"), i(7), i(4), s("pear"), s("D")}}},
        {{"checkout_msg", {s("node:1"), s("cl"), i(7), i(5)}}},
        {}},
       {"cart_action", "action_cnt", "kept", "status"}},
      // The store is abstract here: the test plays it, answering with kvget_response.
      // No item is added twice, so deleting every copy (Dedalus) or one (Bud's
      // delete_one) agree.
      {kTwins[2],
       {{{"action_msg", {s("node:1"), s("cl"), i(7), i(1), s("apple"), s("A")}}},
        {{"kvget_response", {i(1), i(7), eval::Value::array({s("apple")})}},
         {"action_msg", {s("node:1"), s("cl"), i(7), i(2), s("pear"), s("A")}}},
        {{"kvget_response", {i(2), i(7), eval::Value::array({s("apple"), s("pear")})}},
         {"action_msg", {s("node:1"), s("cl"), i(7), i(3), s("apple"), s("D")}}},
        {{"kvget_response", {i(3), i(7), eval::Value::array({s("pear")})}},
         {"checkout_msg", {s("node:1"), s("cl"), i(7), i(4)}}}},
       {"kvput", "kvget"}},
      {kTwins[3],
       {{{"add_link", {s("a"), s("b")}}, {"add_link", {s("b"), s("c")}}},
        {{"add_link", {s("c"), s("d")}}, {"ask", {s("a"), s("d")}}},
        {{"ask", {s("d"), s("a")}}, {"ask", {s("b"), s("d")}}}},
       {"link", "path", "reachable"}},
      {kTwins[4],
       {{{"link", {s("a"), s("b"), i(1)}},
         {"link", {s("b"), s("c"), i(2)}},
         {"link", {s("a"), s("c"), i(5)}}},
        {{"link", {s("c"), s("d"), i(1)}}}},
       {"path", "shortest", "best_route"}},
      {kTwins[5],
       {{{"link", {s("a"), s("b"), i(1)}},
         {"link", {s("b"), s("c"), i(2)}},
         {"link", {s("a"), s("c"), i(5)}}},
        {},
        {},
        {}},
       {"path", "best_so_far"}},
  };
  for (const Scenario& sc : scenarios) {
    CAPTURE(sc.twin.ded);
    LoadResult ded = load_file(samples_dir() + "/dedalus/" + sc.twin.ded);
    LoadResult bud = load_file(samples_dir() + "/" + sc.twin.bud, {sc.twin.module});
    const std::string got = run(ded.programs[0], sc.steps, sc.record);
    CHECK(got == run(bud.programs[0], sc.steps, sc.record));
    // Guards against two empty runs agreeing.
    CHECK(std::count(got.begin(), got.end(), '[') >= 4);
  }
}

TEST_CASE("facts hold at the first timestep; tables keep what rules derive from them") {
  auto r = load_memory({{"f.ded",
                         ".decl table link(from, to);\n"
                         "link(\"a\", \"b\");\n"
                         "link(\"b\", \"c\");\n"
                         "path(X, Y) :- link(X, Y);\n"
                         "path(X, Z) :- link(X, Y), path(Y, Z);\n"}});
  REQUIRE(r.programs.size() == 1);
  CHECK(r.programs[0].rules[3].bootstrap);
  CHECK(run(r.programs[0], {{}, {}}, {"link", "path"}) ==
        "step 0\n"
        "  link: [\"a\", \"b\"] [\"b\", \"c\"]\n"
        "  path: [\"a\", \"b\"] [\"a\", \"c\"] [\"b\", \"c\"]\n"
        "step 1\n"
        "  link: [\"a\", \"b\"] [\"b\", \"c\"]\n"
        "  path: [\"a\", \"b\"] [\"a\", \"c\"] [\"b\", \"c\"]\n");
}

TEST_CASE("the front-end table picks Dedalus by extension or --lang") {
  CHECK(front_end_for("x/kvs.ded", "").name == "dedalus");
  CHECK(front_end_for("x/kvs.rb", "").name == "bud");
  CHECK(front_end_for("x/kvs.txt", "dedalus").name == "dedalus");
  CHECK(front_end_for("x/kvs.ded", "bud").name == "bud");
  auto r = load_memory({{"prog.txt", ".decl input a(x);\nb(X) :- a(X);\n"}}, "dedalus");
  CHECK(diagnostics_of(r).empty());
  CHECK(r.programs.size() == 1);
  auto m = load_memory({{"prog.ded", ".decl input a(x);\n"}}, "", {"other"});
  CHECK(diagnostics_of(m) ==
        std::vector<std::string>{"prog.ded: calm-unknown-module: no Dedalus program named "
                                 "'other' (a Dedalus program is named after its file)"});
}

}  // namespace
}  // namespace calm::test
