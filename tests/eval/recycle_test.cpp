// A node made from a spare node (Node::create with `spare`, what `calm verify` does for
// each schedule) must behave exactly as a new node: nothing of the spare's run may leak
// into the next one (stored facts, deferred effects, messages to itself, lattice values,
// inferred schemas, the random generator, failure), while its plans are kept.

#include <doctest/doctest.h>

#include "eval/scenario.h"
#include "eval/simulation.h"
#include "support/node_fixture.h"

using namespace calm;
using namespace calm::eval;
using namespace calm::eval::testing;

namespace {

// Every kind of state a node carries from one timestep to the next.
const char* kProgram = R"(class T
  include Bud
  state do
    table :log, [:k] => [:v]
    scratch :inp, [:k, :v]
    scratch :seen, [:k]
    interface input, :cmd, [:k, :v]
    lmax :hi
    channel :loop, [:@addr, :k]
    table :later, [:k]
    table :gone, [:k]
    scratch :dice, [:k, :r]
    scratch :joined, [:k, :v, :w]
    scratch :counted, [:n]
    scratch :fresh, [:k, :v]
  end
  bloom do
    log <= inp
    hi <= inp { |t| t.v }
    later <+ inp { |t| [t.k] }
    gone <= later
    gone <- inp { |t| [t.k] }
    loop <~ cmd { |c| [ip_port, c.k] }
    seen <~ cmd { |c| [c.k] }
    dice <= cmd { |c| [c.k, rand(1000)] }
    joined <= (log * cmd).pairs(:k => :k) { |l, c| [l.k, l.v, c.v] }
    counted <= log.group([], count)
    fresh <= inp.notin(gone, :k => :k) { |i, g| true }
  end
end
)";

/// Every collection's contents after each step of `script`, as text.
std::string run(Node& n, const std::vector<std::vector<std::pair<std::string, Tuple>>>& script) {
  std::string out;
  for (const auto& facts : script) {
    StepResult r = n.step({facts});
    out += "step " + std::to_string(r.budtime) +
           (r.ok ? "" : " failed: " + first_diag(r.diagnostics)) + "\n";
    for (const auto& m : r.sent) out += "  sent " + m.collection + inspect(m.tuple) + "\n";
    for (const char* c :
         {"log", "hi", "later", "gone", "seen", "dice", "joined", "counted", "fresh"})
      out += std::string("  ") + c + ": " + show(n.contents(c)) + "\n";
  }
  return out;
}

/// Runs the steps of `script`, each required to succeed.
void run_steps(Node& n, const std::vector<std::vector<std::pair<std::string, Tuple>>>& script) {
  for (const auto& facts : script) REQUIRE(n.step({facts}).ok);
}

}  // namespace

TEST_CASE("a node made from a spare node runs as a new node would") {
  auto loaded = prepare(kProgram);
  REQUIRE(loaded->node);
  const Program& program = loaded->loaded.programs[0];
  NodeOptions a;
  a.address = "10.0.0.1:1";
  a.random_seed = 7;
  NodeOptions b = a;
  b.random_seed = 99;
  auto plan = Node::plan(program, a, loaded->diags);
  REQUIRE(plan);

  // The spare's run leaves deferred facts, a message to itself and lattice values behind.
  std::vector<std::vector<std::pair<std::string, Tuple>>> first = {
      {{"inp", {I(1), I(10)}}, {"inp", {I(2), I(20)}}, {"cmd", {I(1), S("x")}}},
      {{"inp", {I(3), I(5)}}, {"cmd", {I(3), S("y")}}},
  };
  std::vector<std::vector<std::pair<std::string, Tuple>>> second = {
      {{"inp", {I(4), I(1)}}, {"cmd", {I(4), S("z")}}},
      {{"cmd", {I(4), S("w")}}},
      {},
  };
  auto spare = Node::create(plan, a);
  std::string spare_run = run(*spare, first);
  CHECK(spare_run.find("failed") == std::string::npos);
  CHECK(spare_run.find("hi: [<lmax: 20>]") != std::string::npos);
  const Node* spare_address = spare.get();

  auto reused = Node::create(plan, b, std::move(spare));
  CHECK(reused.get() == spare_address);  // the spare itself, started over
  auto fresh = Node::create(plan, b);
  std::string expected = run(*fresh, second);
  CHECK(run(*reused, second) == expected);
  CHECK(expected.find("hi: [<lmax: 1>]") != std::string::npos);  // not 20 of the spare's run
  CHECK(expected.find("failed") == std::string::npos);
  CHECK(expected.find("seen: [4];") != std::string::npos);

  // A spare that failed starts over too.
  auto failing = Node::create(plan, a);
  StepResult bad = failing->step({{{"log", {I(1), I(1)}}, {"log", {I(1), I(2)}}}});
  CHECK_FALSE(bad.ok);
  auto again = Node::create(plan, b, std::move(failing));
  auto fresh2 = Node::create(plan, b);
  CHECK(run(*again, second) == run(*fresh2, second));
}

TEST_CASE("a spare node of another plan is not reused") {
  auto one = prepare(kProgram);
  auto two = prepare(kProgram);
  REQUIRE(one->node);
  REQUIRE(two->node);
  NodeOptions o;
  auto plan1 = Node::plan(one->loaded.programs[0], o, one->diags);
  auto plan2 = Node::plan(two->loaded.programs[0], o, two->diags);
  auto spare = Node::create(plan1, o);
  const Node* spare_address = spare.get();
  auto node = Node::create(plan2, o, std::move(spare));
  REQUIRE(node);
  CHECK(node.get() != spare_address);
  CHECK(node->budtime() == 0);
}

TEST_CASE("a spare node at another address evaluates its invariant calls again") {
  // `items.map { ... }` reads ip_port: kept for the contents of items, it must not carry
  // the spare's address into the next run.
  auto loaded = prepare(R"(class T
  include Bud
  state do
    table :items, [:k]
    table :probe, [:k]
    table :out, [:k, :a]
  end
  bloom do
    out <= probe { |p| [p.k, items.map { |i| ip_port }.first] }
  end
end
)");
  REQUIRE(loaded->node);
  NodeOptions a, b;
  a.address = "10.0.0.1:1";
  b.address = "10.0.0.2:1";
  auto plan = Node::plan(loaded->loaded.programs[0], a, loaded->diags);
  REQUIRE(plan);
  const std::vector<std::vector<std::pair<std::string, Tuple>>> script = {
      {{"items", {I(1)}}, {"probe", {I(1)}}}};
  auto spare = Node::create(plan, a);
  run_steps(*spare, script);
  CHECK(show(spare->contents("out")) == "[1, \"10.0.0.1:1\"];");
  auto reused = Node::create(plan, b, std::move(spare));
  run_steps(*reused, script);
  CHECK(show(reused->contents("out")) == "[1, \"10.0.0.2:1\"];");
}
