// The operator table (model/bud_operators.h) against the two readers of each row: the
// analysis (the reference context the front end gives the collection read through the
// method, and whether the dependency graph calls that edge monotone) and the evaluator
// (it runs the row's example, or refuses it with calm-eval-unsupported when the row says
// Refused). A row that the analysis calls monotone is one the evaluator runs, unless the
// row says why it is refused; a method the evaluator runs has a row (the evaluator's
// method lists are the table's rows).

#include "model/bud_operators.h"

#include <doctest/doctest.h>

#include <string>

#include "eval/evaluator.h"
#include "frontend/loader.h"
#include "graph/dependency_graph.h"

using namespace calm;

namespace {

std::string program_with(std::string_view rule) {
  return "class T\n  include Bud\n  state do\n"
         "    table :link, [:from, :to]\n    table :edge, [:from, :to]\n"
         "    table :node, [:id]\n    table :kv, [:k] => [:v]\n"
         "    scratch :out1, [:a]\n    scratch :out2, [:a, :b]\n"
         "    scratch :out3, [:a, :b, :c]\n    scratch :out4, [:a, :b, :c, :d]\n"
         "  end\n  bloom do\n    " +
         std::string(rule) + "\n  end\nend\n";
}

/// The collection the example reads through the row's method.
std::string subject(std::string_view example) {
  return example.find("link") != std::string_view::npos ? "link" : "kv";
}

}  // namespace

TEST_CASE("every row of the operator table: the analysis and the evaluator agree with it") {
  int checked = 0;
  for (const BudOperator& op : bud_operators()) {
    if (op.example.empty()) {
      // Rows without an example are documented only; the evaluator must not claim them.
      CHECK_MESSAGE((op.handler == EvalHandler::Refused || op.handler == EvalHandler::InBlock ||
                     op.handler == EvalHandler::Lattice),
                    (std::string(op.name) + ": a row the evaluator runs needs an example"));
      continue;
    }
    CAPTURE(op.name);
    CAPTURE(op.example);
    LoadOptions lo;
    lo.files = {"ops.rb"};
    lo.memory_files["ops.rb"] = program_with(op.example);
    LoadResult loaded = load_programs(lo);
    REQUIRE_FALSE(loaded.diagnostics.has_errors());
    REQUIRE(loaded.programs.size() == 1);
    const Program& p = loaded.programs[0];
    const Rule* rule = nullptr;
    for (const auto& r : p.rules)
      if (!r.bootstrap) rule = &r;
    REQUIRE(rule);

    // The analysis: the subject's reference gets the row's context (a join method: Join).
    std::string coll = subject(op.example);
    RefContext want = op.kind == OperatorKind::JoinMethod  ? RefContext::Join
                      : op.kind == OperatorKind::Aggregate ? RefContext::Group
                                                           : op.context;
    bool found = false;
    for (const auto& ref : rule->refs)
      if (ref.collection == coll && ref.context == want) found = true;
    CHECK_MESSAGE(found, ("the front end gives '" + coll + "' another context than the row's " +
                          to_string(want)));
    // ... and the dependency graph's edge from the subject is monotone as the row says.
    DependencyGraph g(p);
    bool nonmonotonic = false;
    for (EdgeId e = 0; e < g.edge_count(); ++e)
      if (g.edge(e).from_name == coll && g.edge(e).to_name == rule->lhs)
        nonmonotonic = nonmonotonic || g.edge(e).nonmonotonic;
    bool row_monotone = op.kind == OperatorKind::JoinMethod || op.monotone;
    CHECK_MESSAGE(
        nonmonotonic == !row_monotone,
        ("the graph calls the edge " + std::string(nonmonotonic ? "non-monotonic" : "monotone")));

    // The evaluator runs the example, or refuses it where the row says so.
    Diagnostics diags;
    auto node = eval::Node::create(p, {}, diags);
    eval::StepResult res;
    if (node) {
      using eval::Value;
      auto I = [](int64_t i) { return Value::integer(i); };
      res = node->step({{{"link", {I(1), I(2)}},
                         {"link", {I(2), I(3)}},
                         {"edge", {I(2), I(5)}},
                         {"node", {I(1)}},
                         {"node", {I(2)}},
                         {"kv", {I(1), Value::string("a")}}}});
      diags.append(res.diagnostics);
    }
    bool refused = false;
    std::string first;
    for (const auto& d : diags.items()) {
      if (d.check == "calm-eval-unsupported") refused = true;
      if (d.severity == Severity::Error && first.empty()) first = d.check + ": " + d.message;
    }
    if (op.handler == EvalHandler::Refused) {
      CHECK_MESSAGE(refused, "the row says Refused, but the evaluator ran it");
    } else {
      CHECK_MESSAGE(first.empty(), ("the row names handler " + std::string(to_string(op.handler)) +
                                    ", but the evaluator said " + first));
    }
    ++checked;
  }
  CHECK(checked > 60);
}

TEST_CASE("lattice rows: monotone exactly on the lattices the row names") {
  CHECK(is_monotone_lattice_method("lmax", "gt"));
  CHECK_FALSE(is_monotone_lattice_method("lmin", "gt"));
  CHECK(is_monotone_lattice_method("lmax", "min_of"));  // Bud 0.9: morph :min_of
  CHECK(is_monotone_lattice_method("lmap", "merge"));
  CHECK_FALSE(is_monotone_lattice_method("lcustom", "merge"));
  CHECK_FALSE(is_monotone_lattice_method("lset", "reveal"));
  for (const BudOperator& op : bud_operators())
    if (op.kind == OperatorKind::LatticeMethod && !op.monotone) {
      CAPTURE(op.name);
      CHECK(op.monotone_on.empty());
      CHECK_FALSE(op.why.empty());
    }
}

TEST_CASE("each name has at most one row per kind, and every row says why") {
  for (const BudOperator& a : bud_operators()) {
    CAPTURE(a.name);
    CHECK(find_bud_operator(a.name, a.kind) == &a);
    CHECK_FALSE(a.why.empty());
    CHECK((a.max_args < 0 || a.max_args >= a.min_args));
  }
}
