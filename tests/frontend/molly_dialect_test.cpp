// Dedalus as Molly writes it: the reader (includes, comments, timed facts and atoms,
// inferred schemas and their conflicts), the program model the analyses see (notin and
// aggregates non-monotonic, @next temporal, @async asynchronous, persistence rules make
// tables), the evaluator (facts at their time, messages over the network, omissions and
// crashes), and every file of Molly's corpus when this machine has it.

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

#include "analysis/program_analysis.h"
#include "eval/dedalus_engine.h"
#include "graph/dependency_graph.h"
#include "support/dedalus_support.h"
#include "support/molly_corpus.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

using namespace calm;

namespace {

std::optional<dedalus::MProgram> read_one(const test::TempDir& dir, const std::string& name,
                                          Diagnostics& diags) {
  return test::load_molly_files({(dir.path() / name).string()}, diags);
}

const Rule* rule_for(const Program& p, const std::string& lhs, RuleOp op) {
  for (const auto& r : p.rules)
    if (r.lhs == lhs && r.op == op && !r.bootstrap) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("molly dialect: .decl files keep the extension, others are Molly's") {
  CHECK(dedalus::is_molly_dialect("p(\"a\")@1; // .decl in a comment\n"));
  CHECK(dedalus::is_molly_dialect("p(\".decl\")@1;"));
  CHECK_FALSE(dedalus::is_molly_dialect(".decl table p(a);\n"));
}

TEST_CASE("molly dialect: includes are relative, read once, cycles located") {
  test::TempDir dir("molly-include");
  dir.write("sub/edb.ded", "/* facts */ node(\"a\", \"b\")@1;\ninclude \"../shared.ded\";\n");
  dir.write("shared.ded", "bcast(\"a\", 1)@1;\n");
  dir.write("main.ded",
            "include \"sub/edb.ded\";\ninclude \"shared.ded\";\n"
            "log(B, P)@async :- bcast(A, P), node(A, B); // send\n");
  Diagnostics diags;
  auto p = read_one(dir, "main.ded", diags);
  REQUIRE(p);
  CHECK(p->files.size() == 3);  // shared.ded once
  CHECK(p->rules.size() == 3);
  CHECK(p->arity.at("node") == 2);
  CHECK(p->location_constants == std::set<std::string>{"a"});

  dir.write("x.ded", "include \"y.ded\";\np(\"a\")@1;\n");
  dir.write("y.ded", "q(\"a\")@1;\ninclude \"x.ded\";\n");
  Diagnostics d2;
  CHECK_FALSE(read_one(dir, "x.ded", d2));
  REQUIRE(d2.has_errors());
  CHECK(d2.items().front().message.find("include cycle") != std::string::npos);
  CHECK(d2.items().front().location.file.find("y.ded") != std::string::npos);
  CHECK(d2.items().front().location.line == 2);

  dir.write("m.ded", "include \"missing.ded\";\n");
  Diagnostics d3;
  CHECK_FALSE(read_one(dir, "m.ded", d3));
  CHECK(d3.items().front().message.find("cannot read included file") != std::string::npos);
  CHECK(d3.items().front().location.line == 1);
}

TEST_CASE("molly dialect: arity conflicts and bad clauses are located errors") {
  test::TempDir dir("molly-errors");
  dir.write("a.ded", "p(\"a\", 1)@1;\nq(X) :- p(X);\n");
  Diagnostics diags;
  CHECK_FALSE(read_one(dir, "a.ded", diags));
  REQUIRE(diags.has_errors());
  const Diagnostic& d = diags.items().front();
  CHECK(d.location.line == 2);
  CHECK(d.location.column == 9);
  CHECK(d.message.find("'p' has 1 column here but 2 where first used") != std::string::npos);
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes.front().location.line == 1);

  dir.write("b.ded",
            "p(X)@1;\n"                  // a fact with a variable
            "q(X, Y) :- r(X);\n"         // unbound head variable
            "s(X)@3 :- r(X);\n"          // a rule head at a fixed time
            "crash(X, X, 1) :- r(X);\n"  // the built-in
            "t(X) :- notin r(X);\n");    // no positive atom
  Diagnostics d2;
  CHECK_FALSE(read_one(dir, "b.ded", d2));
  auto all = d2.sorted();
  std::vector<int> lines;
  for (const auto& x : all) lines.push_back(x.location.line);
  for (int l : {1, 2, 3, 4, 5}) CHECK(std::count(lines.begin(), lines.end(), l) >= 1);
}

TEST_CASE("molly dialect: the analysis marks notin, aggregates, @next, @async, persistence") {
  test::TempDir dir("molly-model");
  dir.write("m.ded",
            "member(\"k\", \"x\")@1;\n"
            "member(K, A)@next :- member(K, A);\n"
            "ask(A, K)@async :- member(K, A);\n"
            "votes(K, count<A>) :- ask(A, K), member(K, A);\n"
            "open(K)@next :- member(K, _), notin closed(K);\n"
            "closed(K) :- votes(K, N), N > 0;\n"
            "keep(K, A)@next :- keep(K, A), notin closed(K);\n"
            "keep(K, A) :- member(K, A);\n"
            "seen(K) :- member(K, _), notin crash(_, K, _), clock(K, _, _);\n");
  Diagnostics diags;
  auto mp = read_one(dir, "m.ded", diags);
  REQUIRE(mp);
  Program p = dedalus::molly_to_program(*mp);
  REQUIRE(p.find("member"));
  CHECK(p.find("member")->kind == CollectionKind::Table);  // persistence rule
  CHECK(p.find("ask")->kind == CollectionKind::Channel);
  CHECK(p.find("ask")->location_column == "c0");
  CHECK(p.find("keep")->kind == CollectionKind::Table);
  CHECK(p.find("crash")->builtin);
  CHECK(p.find("clock")->builtin);
  CHECK_FALSE(rule_for(p, "member", RuleOp::Deferred));  // persistence is no rule
  REQUIRE(rule_for(p, "ask", RuleOp::Async));
  REQUIRE(rule_for(p, "open", RuleOp::Deferred));
  REQUIRE(rule_for(p, "keep", RuleOp::Delete));  // persistence with notin: a deletion
  const Rule* votes = rule_for(p, "votes", RuleOp::Merge);
  REQUIRE(votes);
  CHECK(std::all_of(votes->refs.begin(), votes->refs.end(),
                    [](const Reference& r) { return r.context == RefContext::Group; }));
  const Rule* open = rule_for(p, "open", RuleOp::Deferred);
  CHECK(std::any_of(open->refs.begin(), open->refs.end(), [](const Reference& r) {
    return r.collection == "closed" && r.context == RefContext::NotIn;
  }));
  // The dependency graph sees the non-monotonic edges.
  DependencyGraph g(p);
  int nonmono = 0;
  for (const auto& e : g.edges())
    if (e.nonmonotonic) ++nonmono;
  CHECK(nonmono >= 3);  // votes (count), open (notin), keep (deletion), seen (notin crash)
}

TEST_CASE("molly dialect: facts at their time, messages one step later, faults") {
  test::TempDir dir("molly-run");
  dir.write("r.ded",
            "node(\"a\", \"b\")@1;\nnode(\"a\", \"c\")@1;\nnode(N, M)@next :- node(N, M);\n"
            "ping(\"a\", 7)@2;\n"
            "got(M, P)@async :- ping(N, P), node(N, M);\n"
            "got(M, P)@next :- got(M, P);\n"
            "late(N, P) :- got(N, P), notin ping(_, P)@2;\n"
            "echo(N, P) :- got(N, P), ping(_, P)@2;\n"
            "total(N, sum<P>) :- got(N, P);\n");
  Diagnostics diags;
  auto p = read_one(dir, "r.ded", diags);
  REQUIRE(p);
  eval::RunSpec spec;
  spec.eot = 5;
  spec.nodes = eval::default_nodes(*p);
  CHECK(spec.nodes == std::vector<std::string>{"a"});  // only "a" is written first
  spec.nodes = {"a", "b", "c"};
  auto r = eval::run_dedalus(*p, spec, diags);
  REQUIRE(r);
  using eval::DTuple;
  using eval::DValue;
  auto b7 = DTuple{DValue(std::string("b")), DValue(7LL)};
  CHECK(r->table("ping", 1).empty());
  CHECK(r->table("ping", 2).size() == 1);
  CHECK(r->table("got", 2).empty());
  CHECK(r->table("got", 3).size() == 2);   // sent at 2, delivered at 3
  CHECK(r->table("echo", 3).size() == 2);  // `@2` reads time 2 from time 3
  CHECK(r->table("late", 3).empty());
  CHECK(r->table("total", 5).size() == 2);
  CHECK(r->messages.size() == 2);
  const eval::DFact* f = r->find("got", b7, 3);
  REQUIRE(f);
  CHECK(f->sent_at == 2);

  spec.faults.omissions.insert({"a", "b", 2});
  auto lost = eval::run_dedalus(*p, spec, diags);
  REQUIRE(lost);
  CHECK(lost->table("got", 5).size() == 1);
  spec.faults.omissions.clear();
  spec.faults.crashes["a"] = 2;  // crashed at the send time: nothing leaves
  auto crashed = eval::run_dedalus(*p, spec, diags);
  REQUIRE(crashed);
  CHECK(crashed->table("got", 5).empty());
  CHECK(crashed->table("crash", 1).size() == 3);  // every node knows, at every time
}

TEST_CASE("molly dialect: an unstratifiable timestep is a located error") {
  test::TempDir dir("molly-strat");
  dir.write("s.ded", "p(\"a\")@1;\nq(X) :- p(X), notin r(X);\nr(X) :- q(X);\n");
  Diagnostics diags;
  auto p = read_one(dir, "s.ded", diags);
  REQUIRE(p);
  eval::RunSpec spec;
  spec.nodes = {"a"};
  CHECK_FALSE(eval::run_dedalus(*p, spec, diags));
  REQUIRE(diags.has_errors());
  CHECK(diags.items().front().check == "calm-unstratifiable");
  CHECK(diags.items().front().location.line == 2);
}

TEST_CASE("molly dialect: the points of order and cluster of a two-phase commit") {
  Diagnostics diags;
  auto mp = test::load_molly_files({test::samples_dir() + "/dedalus/molly/commit_vote.ded"}, diags);
  REQUIRE(mp);
  Program p = dedalus::molly_to_program(*mp);
  ProgramAnalysis a(p);
  bool cluster = false;
  for (const auto& c : a.clusters().clusters())
    cluster |= c.member_names == std::vector<std::string>{"ask", "done", "open", "votes", "yes"};
  CHECK(cluster);
  std::set<std::pair<std::string, std::string>> points;
  for (const auto& poo : a.points_of_order().points()) points.insert({poo.from, poo.to});
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{{"yes", "votes"},
                                                        {"member", "agents"},
                                                        {"done", "open"},
                                                        {"crash", "pre"},
                                                        {"member", "ask"},
                                                        {"ask", "ready"}})
    CHECK_MESSAGE(points.count({from, to}), from << " -> " << to);
}

TEST_CASE("molly dialect: runaway arithmetic and deep nesting are located errors") {
  test::TempDir dir("molly-limits");
  dir.write("n.ded", "p(\"a\", 0)@1;\np(N, X + 1) :- p(N, X);\n");
  Diagnostics diags;
  auto p = read_one(dir, "n.ded", diags);
  REQUIRE(p);
  eval::RunSpec spec;
  spec.nodes = {"a"};
  CHECK_FALSE(eval::run_dedalus(*p, spec, diags));
  REQUIRE(diags.has_errors());
  CHECK(diags.items().front().check == "calm-eval-limit");
  CHECK(diags.items().front().location.line == 2);

  dir.write("d.ded", "q(\"a\", 1)@1;\np(N, " + std::string(1001, '(') + "X" +
                         std::string(1001, ')') + ") :- q(N, X);\nr(N) :- q(N, _);\n");
  Diagnostics d2;
  auto deep = read_one(dir, "d.ded", d2);
  CHECK_FALSE(deep);
  REQUIRE(d2.items().size() == 1);  // the next statement reads fine
  CHECK(d2.items().front().message.find("nested too deeply") != std::string::npos);
}

TEST_CASE("molly dialect: calm check, report and graph read the samples") {
  const std::string dir = test::samples_dir() + "/dedalus/molly/";
  auto check =
      test::run_command(std::string(CALM_BINARY) + " check " + dir + "commit_vote.ded 2>&1");
  CHECK(check.status == 1);  // points of order found
  CHECK(check.out.find("calm-point-of-order") != std::string::npos);
  auto report =
      test::run_command(std::string(CALM_BINARY) + " report " + dir + "commit_vote.ded 2>&1");
  CHECK(report.status == 0);
  CHECK(report.out.find("\"temporal_clusters\"") != std::string::npos);
  auto graph = test::run_command(std::string(CALM_BINARY) + " graph -o - --format dot " + dir +
                                 "resend.ded 2>&1");
  CHECK(graph.status == 0);
  CHECK(graph.out.find("digraph") != std::string::npos);
}

TEST_CASE("molly corpus: every file loads or names the file it cannot include") {
  const auto& corpus = test::molly_corpus();
  if (corpus.examples.empty()) {
    MESSAGE("skipped: " << corpus.why_absent);
    return;
  }
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(corpus.examples))
    if (e.path().extension() == ".ded") files.push_back(e.path().string());
  for (int v = 1; v <= 4; ++v)
    files.push_back(corpus.root + "/demo_v" + std::to_string(v) + ".ded");
  std::sort(files.begin(), files.end());
  CHECK(files.size() == 58);
  int loaded = 0;
  std::vector<std::string> refused;
  for (const auto& f : files) {
    Diagnostics diags;
    auto p = test::load_molly_files({f}, diags);
    if (p) {
      ++loaded;
      Program prog = dedalus::molly_to_program(*p);
      CHECK(!prog.rules.empty());
      continue;
    }
    refused.push_back(f);
    REQUIRE(!diags.items().empty());
    INFO(f << ": " << diags.items().front().message);
    CHECK(diags.items().front().message.find("cannot read included file") != std::string::npos);
  }
  MESSAGE("Molly corpus: " << loaded << " of " << files.size() << " files load");
  CHECK(refused.size() <= 3);
}
