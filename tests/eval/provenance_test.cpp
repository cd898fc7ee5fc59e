// Provenance: with NodeOptions::provenance, every fact records how it first got into its
// collection in its current life (rule + premises, input, message, deferred), and keeps
// it while it persists.

#include <doctest/doctest.h>

#include "support/node_fixture.h"

using namespace calm;
using namespace calm::eval;
using namespace calm::eval::testing;

namespace {

std::string premises(const Derivation& d) {
  std::string out;
  for (const auto& [c, t] : d.premises) out += c + inspect(t) + ";";
  return out;
}

const std::string kSource = program(
    "    table :link, [:from, :to]\n    table :path, [:from, :to]\n    table :later, [:from, :to]\n"
    "    channel :ch, [:@addr, :v]\n    loopback :lb, [:v]\n    scratch :odd, [:from]",
    "    path <= link\n"
    "    path <= (link * path).pairs(:to => :from) { |l, p| [l.from, p.to] }\n"
    "    later <+ path\n"
    "    lb <~ link { |l| [l.from] }\n"
    "    odd <= link.notin(path, :from => :to).map { |l| [l.from] }");

}  // namespace

TEST_CASE("provenance: rules with their premises, inputs, deferred facts, messages") {
  NodeOptions o;
  o.provenance = true;
  auto r = prepare(kSource, o);
  REQUIRE(r->node);
  Tuple ab = {S("a"), S("b")}, bc = {S("b"), S("c")}, ac = {S("a"), S("c")};
  REQUIRE(step(*r, {{"link", ab}, {"link", bc}}).ok);

  auto in = r->node->derivation("link", ab);
  REQUIRE(in);
  CHECK(in->kind == Derivation::Input);
  CHECK(in->budtime == 0);
  CHECK(in->rule == -1);

  auto scan = r->node->derivation("path", ab);
  REQUIRE(scan);
  CHECK(scan->kind == Derivation::Rule);
  CHECK(scan->rule == 0);
  CHECK(to_string(scan->location) == "t.rb:12:5");
  CHECK(premises(*scan) == "link[\"a\", \"b\"];");

  auto joined = r->node->derivation("path", ac);
  REQUIRE(joined);
  CHECK(joined->rule == 1);
  CHECK(premises(*joined) == "link[\"a\", \"b\"];path[\"b\", \"c\"];");

  auto neg = r->node->derivation("odd", {S("a")});  // a is nobody's destination
  REQUIRE(neg);
  CHECK(neg->rule == 4);
  CHECK(premises(*neg) == "link[\"a\", \"b\"];");

  CHECK_FALSE(r->node->derivation("later", ac));
  CHECK_FALSE(r->node->derivation("path", {S("c"), S("a")}));

  REQUIRE(step(*r, {{"ch", {S("me:1"), I(5)}}}).ok);
  auto deferred = r->node->derivation("later", ac);
  REQUIRE(deferred);
  CHECK(deferred->kind == Derivation::Deferred);
  CHECK(deferred->rule == 2);
  CHECK(deferred->budtime == 0);
  CHECK(premises(*deferred) == "path[\"a\", \"c\"];");

  auto persisted = r->node->derivation("path", ac);  // re-derived at 1, keeps its origin
  REQUIRE(persisted);
  CHECK(persisted->budtime == 0);

  auto loop = r->node->derivation("lb", {S("a")});
  REQUIRE(loop);
  CHECK(loop->kind == Derivation::Message);
  CHECK(loop->budtime == 1);
  auto msg = r->node->derivation("ch", {S("me:1"), I(5)});
  REQUIRE(msg);
  CHECK(msg->kind == Derivation::Message);
  CHECK(std::string(to_string(msg->kind)) == "message");

  // Scratches lose their facts (and derivations) at the next step.
  REQUIRE(step(*r).ok);
  CHECK_FALSE(r->node->derivation("ch", {S("me:1"), I(5)}));
}

TEST_CASE("provenance: the same with the naive iteration, and off by default") {
  NodeOptions o;
  o.provenance = true;
  o.seminaive = false;
  auto r = prepare(kSource, o);
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"link", {S("a"), S("b")}}, {"link", {S("b"), S("c")}}}).ok);
  auto joined = r->node->derivation("path", {S("a"), S("c")});
  REQUIRE(joined);
  CHECK(premises(*joined) == "link[\"a\", \"b\"];path[\"b\", \"c\"];");

  auto off = prepare(kSource);
  REQUIRE(off->node);
  REQUIRE(step(*off, {{"link", {S("a"), S("b")}}}).ok);
  CHECK_FALSE(off->node->derivation("path", {S("a"), S("b")}));
}

TEST_CASE("provenance: a lattice's value records the rule that last grew it") {
  NodeOptions o;
  o.provenance = true;
  auto r = prepare(program("    scratch :in_t, [:v]\n    lmax :m", "    m <= in_t { |t| t.v }"), o);
  REQUIRE(r->node);
  REQUIRE(step(*r, {{"in_t", {I(3)}}}).ok);
  auto d = r->node->derivation("m", {*r->node->lattice("m")});
  REQUIRE(d);
  CHECK(d->kind == Derivation::Rule);
  CHECK(d->rule == 0);
}
