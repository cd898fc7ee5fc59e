// Extraction of the program model from small inline Bud programs, both dialects.

#include <doctest/doctest.h>

#include "frontend/ruby/syntax_tree.h"
#include "support/load_helpers.h"

using namespace calm;
using calm::test::has_diagnostic;
using calm::test::has_ref;
using calm::test::load_source;
using calm::test::ref_to;
using calm::test::rule_for;

TEST_CASE("the linked grammar speaks a language version this tree-sitter accepts") {
  CHECK(ruby::SyntaxTree::language_version() >= 13);
  CHECK(ruby::SyntaxTree::language_version() <= 14);
}

TEST_CASE("current dialect: state, schemas, and the five operators") {
  auto r = load_source(R"(
class Kvs
  include Bud
  state do
    table :kvstate, [:key] => [:value]
    scratch :s
    interface input, :kvput, [:client, :key] => [:reqid, :value]
    interface output, :resp, [:reqid] => [:key, :value]
    channel :chan, [:@addr, :k] => [:v]
    periodic :tick, 0.5
    loopback :lb
  end
  bloom :puts do
    kvstate <+- kvput {|s| [s.key, s.value]}
    kvstate <+ kvput {|s| [s.key, s.value]}
    kvstate <- (kvstate * kvput).lefts(:key => :key)
    chan <~ kvput {|p| [p.client, p.key, p.value]}
    resp <= (kvput * kvstate).pairs(:key => :key) {|p, k| [p.reqid, k.key, k.value]}
  end
end
)");
  REQUIRE(r.programs.size() == 1);
  CHECK(!r.diagnostics.has_errors());
  const Program& p = r.programs[0];
  CHECK(p.name == "Kvs");
  const Collection* kv = p.find("kvstate");
  REQUIRE(kv);
  CHECK(kv->kind == CollectionKind::Table);
  CHECK(kv->keys == std::vector<std::string>{"key"});
  CHECK(kv->values == std::vector<std::string>{"value"});
  CHECK(kv->location.line == 5);
  CHECK(kv->location.column == 11);
  CHECK(p.find("s")->keys == std::vector<std::string>{"key"});  // default schema
  CHECK(p.find("s")->values == std::vector<std::string>{"val"});
  CHECK(p.find("kvput")->kind == CollectionKind::Input);
  CHECK(p.find("resp")->kind == CollectionKind::Output);
  CHECK(p.find("chan")->location_column == "addr");
  CHECK(p.find("chan")->keys == std::vector<std::string>{"addr", "k"});
  CHECK(p.find("tick")->kind == CollectionKind::Periodic);
  CHECK(p.find("tick")->args == std::vector<std::string>{"0.5"});

  REQUIRE(p.rules.size() == 5);
  CHECK(p.rules[0].op == RuleOp::Upsert);
  CHECK(p.rules[1].op == RuleOp::Deferred);
  CHECK(p.rules[2].op == RuleOp::Delete);
  CHECK(p.rules[3].op == RuleOp::Async);
  CHECK(p.rules[4].op == RuleOp::Merge);
  CHECK(p.rules[0].block == "puts");
  CHECK(p.rules[0].location.line == 14);
  CHECK(p.rules[0].op_location.column == 13);
  // `kvstate <- (kvstate * kvput).lefts(...)` joins both.
  const Rule& del = p.rules[2];
  REQUIRE(del.refs.size() == 2);
  CHECK(ref_to(del, "kvstate")->context == RefContext::Join);
  CHECK(ref_to(del, "kvput")->context == RefContext::Join);
  CHECK(ref_to(p.rules[0], "kvput")->context == RefContext::Scan);
}

TEST_CASE("a real comparison is not a rule") {
  auto r = load_source(R"(
class C
  include Bud
  state { table :t }
  bloom do
    t <= t {|x| x if x.key < -1}
    1 < 2
  end
end
)");
  REQUIRE(r.programs.size() == 1);
  CHECK(r.programs[0].rules.size() == 1);
  CHECK(has_diagnostic(r, "calm-not-a-rule", "1 < 2"));
}

TEST_CASE("bootstrap: Ruby code that writes collections is told (calm-bootstrap-code)") {
  auto r = load_source(R"(
class C
  include Bud
  state { table :t }
  bootstrap do
    3.times {|x| t << [x]}
    n = 1 if n <= 2
    t <= [[9]]
  end
end
)");
  REQUIRE(r.programs.size() == 1);
  CHECK(r.programs[0].rules.size() == 1);  // the rule; the loop and the comparison are Ruby
  CHECK(has_diagnostic(r, "calm-bootstrap-code", "3.times {|x| t << [x]}"));
  size_t told = 0;
  for (const auto& d : r.diagnostics.items()) told += d.check == "calm-bootstrap-code";
  CHECK(told == 1);
}

TEST_CASE("temp with a trailing do-block: the block goes back onto the rhs") {
  auto r = load_source(R"(
class C
  include Bud
  state do
    table :a
    table :out
  end
  bloom do
    temp :x <= a do |t|
      t
    end
    out <= x
  end
end
)");
  REQUIRE(r.programs.size() == 1);
  const Program& p = r.programs[0];
  REQUIRE(p.find("x"));
  CHECK(p.find("x")->kind == CollectionKind::Temp);
  const Rule* t = rule_for(p, "x");
  REQUIRE(t);
  CHECK(t->rhs.type == "call");
  CHECK(t->rhs.child("block") != nullptr);
  CHECK(ref_to(*t, "a") != nullptr);
  CHECK(ref_to(*rule_for(p, "out"), "x") != nullptr);
}

TEST_CASE("reference contexts: notin, group, argmax, reduce, include?, unknown method") {
  auto r = load_source(R"(
class C
  include Bud
  state do
    table :a, [:k] => [:v]
    table :b, [:k] => [:v]
    table :o1
    table :o2
    table :o3
    table :o4
    table :o5
    table :o6
    table :o7
  end
  bloom do
    o1 <= a.notin(b, :k => :k)
    o2 <= a.group([:k], count(:v))
    o3 <= (a.argmax([:k], :v) * b).pairs(:k => :k)
    o4 <= a.reduce({}) {|m, t| m}
    o5 <= a {|t| t unless b.include? [t.k, t.v]}
    o6 <= a.sort_by {|t| t.v}
    o7 <= a.frobnicate
  end
end
)");
  REQUIRE(r.programs.size() == 1);
  const Program& p = r.programs[0];
  const Rule* o1 = rule_for(p, "o1");
  CHECK(ref_to(*o1, "a")->context == RefContext::Scan);
  CHECK(ref_to(*o1, "b")->context == RefContext::NotIn);
  CHECK(ref_to(*rule_for(p, "o2"), "a")->context == RefContext::Group);
  CHECK(ref_to(*rule_for(p, "o2"), "a")->method == "group");
  // Only the collection that flows through argmax is marked, not its join partner.
  CHECK(ref_to(*rule_for(p, "o3"), "a")->context == RefContext::ArgAgg);
  CHECK(ref_to(*rule_for(p, "o3"), "b")->context == RefContext::Join);
  CHECK(ref_to(*rule_for(p, "o4"), "a")->context == RefContext::Reduce);
  const Reference* inc = ref_to(*rule_for(p, "o5"), "b");
  REQUIRE(inc);
  CHECK(inc->context == RefContext::Membership);
  CHECK(inc->negated);
  CHECK(inc->in_block);
  CHECK(ref_to(*rule_for(p, "o6"), "a")->context == RefContext::Group);
  CHECK(ref_to(*rule_for(p, "o7"), "a")->context == RefContext::UnknownMethod);
  CHECK(ref_to(*rule_for(p, "o7"), "a")->method == "frobnicate");
}

TEST_CASE("block parameters and locals are not collections") {
  auto r = load_source(R"(
class C
  include Bud
  state do
    table :link, [:from, :to]
    table :path, [:from, :to]
  end
  bloom do
    path <= link {|path| [path.from, path.to]}
  end
end
)");
  const Rule* rule = rule_for(r.programs.at(0), "path");
  REQUIRE(rule);
  REQUIRE(rule->refs.size() == 1);
  CHECK(rule->refs[0].collection == "link");
}

TEST_CASE("lattices: kinds and lattice method references") {
  auto r = load_source(R"(
class Quorum
  include Bud
  state do
    channel :vote_chn, [:@addr, :voter_id]
    lset :votes
    lmax :vote_cnt
    lbool :done
  end
  bloom do
    votes <= vote_chn {|v| v.voter_id}
    vote_cnt <= votes.size
    done <= vote_cnt.gt_eq(3)
  end
end
)");
  const Program& p = r.programs.at(0);
  CHECK(p.find("votes")->kind == CollectionKind::Lattice);
  CHECK(p.find("votes")->lattice == "lset");
  const Reference* size = ref_to(*rule_for(p, "vote_cnt"), "votes");
  CHECK(size->context == RefContext::LatticeMethod);
  CHECK(size->method == "size");
  CHECK(ref_to(*rule_for(p, "done"), "vote_cnt")->method == "gt_eq");
}

TEST_CASE("2011 dialect: def state, declare def, join, and local views") {
  auto r = load_source(R"(
module KVSProtocol
  def state
    interface input, :kvput, ['client', 'key', 'reqid'], ['value']
    interface input, :kvget, ['reqid'], ['key']
    interface output, :kvget_response, ['reqid'], ['key', 'value']
  end
end

module BasicKVS
  include KVSProtocol

  def state
    table :kvstate, ['key'], ['value']
  end

  declare
  def do_put
    kvstate <+ kvput.map{|p| [p.key, p.value]}
    prev = join [kvstate, kvput], [kvstate.key, kvput.key]
    kvstate <- prev.map{|b, p| b}
  end

  declare
  def do_get
    getj = join [kvget, kvstate], [kvget.key, kvstate.key]
    kvget_response <= getj.map do |g, t|
      [g.reqid, t.key, t.value]
    end
  end
end
)",
                       {"BasicKVS"});
  REQUIRE(r.programs.size() == 1);
  CHECK(!r.diagnostics.has_errors());
  const Program& p = r.programs[0];
  CHECK(p.modules == std::vector<std::string>{"BasicKVS", "KVSProtocol"});
  CHECK(p.find("kvput")->keys == std::vector<std::string>{"client", "key", "reqid"});
  CHECK(p.find("kvput")->values == std::vector<std::string>{"value"});
  REQUIRE(p.find("prev"));
  CHECK(p.find("prev")->kind == CollectionKind::View);
  const Rule* prev = rule_for(p, "prev");
  REQUIRE(prev);
  CHECK(prev->block == "do_put");
  CHECK(has_ref(*prev, "kvstate", RefContext::Join));
  CHECK(has_ref(*prev, "kvput", RefContext::Join));
  const Rule* del = rule_for(p, "kvstate", 1);
  REQUIRE(del);
  CHECK(del->op == RuleOp::Delete);
  CHECK(ref_to(*del, "prev") != nullptr);
  CHECK(p.rules.size() == 5);
}

TEST_CASE("modules: include once, block overriding, import qualification") {
  auto r = load_source(R"(
module Base
  state do
    table :t1
    table :t2
  end
  bloom :copy do
    t2 <= t1
  end
end

module Shared
  include Base
end

module Child
  include Base
  include Shared
  bloom :copy do
    t1 <= t2
  end
end

class User
  include Bud
  include Child
  import Base => :b
  state { table :t3 }
  bloom do
    b.t1 <= t3
    t3 <= b.t2
  end
end
)");
  REQUIRE(r.programs.size() == 1);
  const Program& p = r.programs[0];
  CHECK(p.name == "User");
  // Child's :copy overrides Base's :copy; Base mixed in once.
  const Rule* copy = rule_for(p, "t1");
  REQUIRE(copy);
  CHECK(copy->module == "Child");
  CHECK(rule_for(p, "t2") == nullptr);
  // The imported copy is qualified, with its own (non-overridden) :copy block.
  CHECK(p.find("b.t1"));
  CHECK(p.find("b.t2"));
  const Rule* inner = rule_for(p, "b.t2");
  REQUIRE(inner);
  CHECK(ref_to(*inner, "b.t1"));
  CHECK(rule_for(p, "b.t1"));
  CHECK(ref_to(*rule_for(p, "t3"), "b.t2"));
}

TEST_CASE("interface overriding (paper 3.4): lhs resolves to the mixed-in one, rhs to the local") {
  auto r = load_source(R"(
module Proto
  def state
    interface input, :kvput, ['key'], ['value']
  end
end
module Basic
  include Proto
  def state
    table :kvstate, ['key'], ['value']
  end
  declare
  def put
    kvstate <+ kvput
  end
end
module Replicated
  include Basic
  def state
    interface input, :kvput, ['key'], ['value']
    table :log, ['key'], ['value']
  end
  declare
  def replicate
    log <= kvput
    kvput <= log
  end
end
)",
                       {"Replicated"});
  REQUIRE(r.programs.size() == 1);
  CHECK(!r.diagnostics.has_errors());
  const Program& p = r.programs[0];
  REQUIRE(p.find("kvput"));
  REQUIRE(p.find("Proto::kvput"));
  CHECK(ref_to(*rule_for(p, "log"), "kvput"));             // rhs: local
  CHECK(rule_for(p, "Proto::kvput") != nullptr);           // lhs: mixed-in
  CHECK(ref_to(*rule_for(p, "kvstate"), "Proto::kvput"));  // Basic sees the mixed-in one
}

TEST_CASE("schemas copied from other collections") {
  auto r = load_source(R"(
class C
  include Bud
  state do
    table :a, [:k1, :k2] => [:v]
    table :b, a.schema
    scratch :c, a.key_cols => [:extra]
    channel :ch, [:@to] + a.val_cols
  end
end
)");
  const Program& p = r.programs.at(0);
  CHECK(p.find("b")->keys == std::vector<std::string>{"k1", "k2"});
  CHECK(p.find("b")->values == std::vector<std::string>{"v"});
  CHECK(p.find("c")->keys == std::vector<std::string>{"k1", "k2"});
  CHECK(p.find("c")->values == std::vector<std::string>{"extra"});
  CHECK(p.find("ch")->keys == std::vector<std::string>{"to", "v"});
  CHECK(p.find("ch")->location_column == "to");
}

TEST_CASE("unknown collections: error with a suggestion in a class") {
  auto r = load_source(R"(
class C
  include Bud
  state do
    table :kvstate
    table :out
  end
  bloom do
    out <= kvstat.map {|x| x}
  end
end
)");
  CHECK(has_diagnostic(r, "calm-unknown-collection",
                       "unknown collection 'kvstat'; did you mean 'kvstate'?"));
  bool located = false;
  for (const auto& d : r.diagnostics.items())
    if (d.check == "calm-unknown-collection")
      located = d.location.file == "test.rb" && d.location.line == 9 && d.location.column == 12;
  CHECK(located);
  CHECK(r.diagnostics.has_errors());
}

TEST_CASE("a module may read collections another module will provide: a warning") {
  auto r = load_source(R"(
module M
  state { table :out }
  bloom do
    out <= provided_elsewhere.map {|x| x}
  end
end
)");
  CHECK(!r.diagnostics.has_errors());
  CHECK(has_diagnostic(r, "calm-unknown-collection", "provided_elsewhere"));
}

TEST_CASE("a syntax error is located, and nothing of the broken file is read") {
  auto r = load_source(R"(
class Broken
  include Bud
  state { table :t }
  bloom do
    case x
    when 1: t <= t
    end
  end
end

class Fine
  include Bud
  state { table :u }
  bloom do
    u <= u
  end
end
)");
  bool parse_error = false;
  for (const auto& d : r.diagnostics.items())
    if (d.check == "calm-parse-error") parse_error = d.location.line >= 6 && d.location.line <= 8;
  CHECK(parse_error);
  // No rules or collections from a broken parse (they would give wrong findings).
  CHECK(r.programs.empty());
}

TEST_CASE("default programs: classes including Bud, else root modules") {
  auto classes = load_source(R"(
module A
  state { table :a }
end
class P < Bud
  include A
end
class Q
  include Bud
end
)");
  REQUIRE(classes.programs.size() == 2);
  CHECK(classes.programs[0].name == "P");
  CHECK(classes.programs[1].name == "Q");
  auto modules = load_source(R"(
module A
  state { table :a }
end
module B
  include A
end
module C
  import A => :x
end
)");
  REQUIRE(modules.programs.size() == 2);
  CHECK(modules.programs[0].name == "B");
  CHECK(modules.programs[1].name == "C");
}

TEST_CASE("unknown module names get a suggestion") {
  auto r = load_source("module KVSProtocol\nend\n", {"KVSProtocl"});
  CHECK(r.programs.empty());
  CHECK(has_diagnostic(r, "calm-unknown-module", "did you mean 'KVSProtocol'?"));
}

TEST_CASE("bad bytes: binary and invalid UTF-8 are refused with a location") {
  auto bin = load_source(std::string("class A\0 end", 12));
  CHECK(has_diagnostic(bin, "calm-parse-error", "binary file"));
  auto utf = load_source("class A\n  # caf\xC3\n  include Bud\nend\n");
  CHECK(has_diagnostic(utf, "calm-parse-error", "invalid UTF-8"));
  for (const auto& d : utf.diagnostics.items())
    if (d.check == "calm-parse-error") CHECK(d.location.line == 2);
}

TEST_CASE("deeply nested expressions get a diagnostic, not a stack overflow") {
  std::string deep(5000, '[');
  deep += std::string(5000, ']');
  auto r = load_source("class A\n include Bud\n state { table :t }\n bloom do\n  t <= " + deep +
                       "\n end\nend\n");
  CHECK(has_diagnostic(r, "calm-parse-error", "nested too deeply"));
}

TEST_CASE("duplicate declarations are errors naming both places") {
  auto r = load_source(R"(
class D
  include Bud
  state do
    table :t1
    table :t1, [:a]
  end
end
)");
  bool found = false;
  for (const auto& d : r.diagnostics.items())
    if (d.check == "calm-duplicate-collection") {
      found = true;
      REQUIRE(d.notes.size() == 1);
      CHECK(d.location.line == 6);
      CHECK(d.notes[0].location.line == 5);
    }
  CHECK(found);
}

TEST_CASE("outer join: only the padded (right) input is non-monotonic") {
  auto r = load_source(R"(
class C
  include Bud
  state do
    table :l, [:k] => [:v]
    table :r, [:k] => [:w]
    table :o
  end
  bloom do
    o <= (l * r).outer(:k => :k) {|a, b| [a.k, b.w]}
  end
end
)");
  const Rule* o = rule_for(r.programs.at(0), "o");
  REQUIRE(o);
  CHECK(ref_to(*o, "l")->context == RefContext::Join);
  CHECK(ref_to(*o, "l")->method == "");
  CHECK(ref_to(*o, "r")->context == RefContext::Join);
  CHECK(ref_to(*o, "r")->method == "outer");
}
