// What real Bud programs and repositories need from the front end (issue #18): where a
// syntax error is, schema expressions, bootstrap blocks, gem requires, unknown
// includes, Bud's own library modules, and 2011-dialect overrides.

#include <doctest/doctest.h>

#include <filesystem>

#include "frontend/ruby/syntax_tree.h"
#include "support/load_helpers.h"

namespace fs = std::filesystem;
using namespace calm;
using calm::test::has_diagnostic;
using calm::test::load_source;
using calm::test::rule_for;

namespace {

const Diagnostic* find_diagnostic(const LoadResult& r, const std::string& check) {
  for (const auto& d : r.diagnostics.items())
    if (d.check == check) return &d;
  return nullptr;
}

int count_diagnostics(const LoadResult& r, const std::string& check) {
  int n = 0;
  for (const auto& d : r.diagnostics.items()) n += d.check == check;
  return n;
}

std::vector<std::string> cols(const Collection* c) {
  std::vector<std::string> out;
  if (!c) return out;
  out = c->keys;
  out.insert(out.end(), c->values.begin(), c->values.end());
  return out;
}

using V = std::vector<std::string>;

}  // namespace

// -- 1. syntax errors --------------------------------------------------------------

TEST_CASE("a syntax error: one located error where the parser failed, nothing read") {
  auto r = load_source(R"(module KVSProtocol
  state do
    interface input, :kvput, [:client, :key] => [:reqid, :value
    interface output, :kvget_response, [:reqid] => [:key, :value]
  end
end

class Kvs
  include Bud
  include KVSProtocol
  bloom do
    kvget_response <= kvput {|p| [p.reqid, p.key, p.value]}
  end
end
)");
  CHECK(count_diagnostics(r, "calm-parse-error") == 1);
  const Diagnostic* d = find_diagnostic(r, "calm-parse-error");
  REQUIRE(d);
  CHECK(d->severity == Severity::Error);
  CHECK(d->location.line >= 3);  // not line 1 ('module KVSProtocol')
  CHECK(d->location.line <= 4);
  CHECK(d->message.find("module KVSProtocol") == std::string::npos);
  // No programs, so no findings computed from a broken parse.
  CHECK(r.programs.empty());
  CHECK(count_diagnostics(r, "calm-unknown-collection") == 0);
}

TEST_CASE("a missing token says what was expected") {
  ruby::SyntaxTree t("t.rb", "def f\n  g(1, 2\nend\n");
  auto e = t.first_syntax_error();
  REQUIRE(e);
  CHECK(e->location.line >= 2);
  ruby::SyntaxTree fine("t.rb", "def f\n  g(1, 2)\nend\n");
  CHECK_FALSE(fine.first_syntax_error());
  CHECK_FALSE(fine.has_syntax_errors());
}

TEST_CASE("a broken file contributes nothing, the other files still load") {
  LoadOptions o;
  o.files = {"good.rb", "bad.rb"};
  o.memory_files["good.rb"] =
      "class Good\n  include Bud\n  state { table :t }\n  bloom { t <= t }\nend\n";
  o.memory_files["bad.rb"] = "class Bad\n  include Bud\n  state { table :u, [:k }\nend\n";
  LoadResult r = load_programs(o);
  REQUIRE(r.programs.size() == 1);
  CHECK(r.programs[0].name == "Good");
  const Diagnostic* d = find_diagnostic(r, "calm-parse-error");
  REQUIRE(d);
  CHECK(d->location.file == "bad.rb");
  CHECK(d->location.line == 3);
}

// -- 3. schema expressions ---------------------------------------------------------

TEST_CASE("schemas computed from other collections' columns") {
  auto r = load_source(R"(
module Base
  state do
    table :t2, [:to]
    interface input, :sp_req, [:id, :from, :to]
    interface output, :sp_resp, [:id] => [:from, :to, :cost]
  end
end

class Paths
  include Bud
  include Base
  state do
    scratch :a, [:from] + t2.schema
    interface output, :r, sp_resp.cols[1..-1]
    scratch :first, sp_resp.cols[0]
    scratch :middle, sp_resp.key_cols + sp_resp.val_cols[0...2]
    table :copy, sp_req.schema
    table :copy2, copy.key_cols => copy.val_cols
    table :chained, (a.cols + [:extra])
  end
end
)");
  REQUIRE(r.programs.size() == 1);
  CHECK_FALSE(r.diagnostics.has_errors());
  CHECK(count_diagnostics(r, "calm-bad-declaration") == 0);
  const Program& p = r.programs[0];
  CHECK(cols(p.find("a")) == V{"from", "to"});
  CHECK(cols(p.find("r")) == V{"from", "to", "cost"});
  CHECK(p.find("r")->kind == CollectionKind::Output);
  CHECK(cols(p.find("first")) == V{"id"});
  CHECK(cols(p.find("middle")) == V{"id", "from", "to"});
  CHECK(cols(p.find("copy")) == V{"id", "from", "to"});
  CHECK(cols(p.find("copy2")) == V{"id", "from", "to"});
  CHECK(cols(p.find("chained")) == V{"from", "to", "extra"});
}

TEST_CASE("a schema only Ruby can compute: a located warning, the collection is declared") {
  auto r = load_source(R"(
class C
  include Bud
  state do
    table :t, (0..3).map {|i| "c#{i}".to_sym}
    table :u, [:k, column_named(1)]
  end
  bloom do
    t <= u
  end
end
)");
  REQUIRE(r.programs.size() == 1);
  CHECK_FALSE(r.diagnostics.has_errors());
  CHECK(count_diagnostics(r, "calm-bad-declaration") == 2);
  const Diagnostic* d = find_diagnostic(r, "calm-bad-declaration");
  REQUIRE(d);
  CHECK(d->severity == Severity::Warning);
  CHECK(d->location.line == 5);
  CHECK(d->message.find("columns are unknown") != std::string::npos);
  const Collection* t = r.programs[0].find("t");
  REQUIRE(t);
  CHECK(t->schema_inferred);
  CHECK(r.programs[0].rules.size() == 1);
}

TEST_CASE("a schema copied from an unknown collection names it and carries on") {
  auto r = load_source(R"(
class C
  include Bud
  state do
    table :t, nowhere.schema
    table :u
  end
  bloom do
    u <= t
  end
end
)");
  REQUIRE(r.programs.size() == 1);
  CHECK(has_diagnostic(r, "calm-unknown-collection", "unknown collection 'nowhere'"));
  CHECK(r.programs[0].find("t"));
  CHECK(r.programs[0].rules.size() == 1);
}

// -- 5. noise ----------------------------------------------------------------------

TEST_CASE("bootstrap blocks are ordinary Ruby: modifiers are bootstrap rules, no warnings") {
  auto r = load_source(R"(
class Counter
  include Bud
  state do
    table :count, [:n]
  end
  bootstrap do
    count <+ [[0]] if count.empty?
    count <= [[1]] unless count.include? [1]
    @started = Time.now
    puts "starting"
  end
  bloom do
    count <+ count {|c| [c.n + 1]}
  end
end
)");
  REQUIRE(r.programs.size() == 1);
  CHECK(count_diagnostics(r, "calm-not-a-rule") == 0);
  CHECK_FALSE(r.diagnostics.has_errors());
  const Program& p = r.programs[0];
  const Rule* boot = rule_for(p, "count", 0);
  REQUIRE(boot);
  CHECK(boot->bootstrap);
  CHECK(boot->op == RuleOp::Deferred);
  CHECK(boot->rhs.type == "if_modifier");
  CHECK(boot->rhs.child("condition"));
  CHECK(boot->rhs.child("body"));
  CHECK(boot->location.line == 8);
  const Rule* second = rule_for(p, "count", 1);
  REQUIRE(second);
  CHECK(second->bootstrap);
  CHECK(second->rhs.type == "unless_modifier");
  // The bloom block still warns about statements that are not rules.
  auto bloom = load_source(R"(
class C
  include Bud
  state { table :t }
  bloom do
    t <+ [[0]] if t.empty?
  end
end
)");
  CHECK(count_diagnostics(bloom, "calm-not-a-rule") == 1);
}

TEST_CASE("a gem require is a note; a missing file of the program is a warning") {
  auto r = load_source(R"(
require 'rubygems'
require 'uuid'
require_relative 'missing_helper'
class C
  include Bud
  state { table :t }
end
)");
  int notes = 0, warnings = 0;
  for (const auto& d : r.diagnostics.items()) {
    if (d.check != "calm-unresolved-require") continue;
    if (d.message.find("uuid") != std::string::npos) {
      CHECK(d.severity == Severity::Note);
      ++notes;
    }
    if (d.message.find("missing_helper") != std::string::npos) {
      CHECK(d.severity == Severity::Warning);
      ++warnings;
    }
  }
  CHECK(notes == 1);
  CHECK(warnings == 1);
}

// -- 7. unknown modules ------------------------------------------------------------

TEST_CASE("including an unknown module is reported where it is included") {
  auto r = load_source(R"(
module DeliveryProtocol
  state { interface input, :pipe_in, [:dst, :src, :ident] => [:payload] }
end

class C
  include Bud
  include DeliveryProtocl
  include Enumerable
  bloom do
  end
end
)");
  const Diagnostic* d = find_diagnostic(r, "calm-unknown-module");
  REQUIRE(d);
  CHECK(d->severity == Severity::Warning);
  CHECK(d->location.line == 8);
  CHECK(d->message.find("'DeliveryProtocl'") != std::string::npos);
  CHECK(d->message.find("did you mean 'DeliveryProtocol'?") != std::string::npos);
  CHECK(count_diagnostics(r, "calm-unknown-module") == 1);  // Enumerable is Ruby's
}

TEST_CASE("-m with an unknown name lists the modules and classes that exist") {
  auto r = load_source(R"(
module Alpha
  state { table :a }
end
class Beta
  include Bud
end
)",
                       {"Nope"});
  CHECK(r.programs.empty());
  const Diagnostic* d = find_diagnostic(r, "calm-unknown-module");
  REQUIRE(d);
  CHECK(d->severity == Severity::Error);
  CHECK(d->message.find("'Nope'") != std::string::npos);
  CHECK(d->message.find("the files given define: Alpha, Beta") != std::string::npos);
}

// -- 8. Bud's own library ----------------------------------------------------------

TEST_CASE("require 'bud/...' reads Bud's library from an -I directory") {
  const std::string program = R"(
require 'rubygems'
require 'bud'
require 'bud/labeling/labeling'

class Checked
  include Bud
  include Validate
  state do
    table :t
  end
  bloom do
    t <= t
  end
end
)";
  // Without Bud's lib: the require is a note, Validate is an unknown include.
  LoadOptions o;
  o.files = {"prog.rb"};
  o.memory_files["prog.rb"] = program;
  LoadResult without = load_programs(o);
  CHECK(has_diagnostic(without, "calm-unresolved-require", "bud/labeling/labeling"));
  CHECK(has_diagnostic(without, "calm-unknown-module", "Validate"));

  // A stand-in lib directory, in memory.
  o.include_dirs = {"budlib"};
  o.memory_files["budlib/bud/labeling/labeling.rb"] = R"(
require 'bud'
module Validate
  state do
    scratch :dep, [:body, :head, :rule_id]
  end
  bloom do
    dep <= t_depends {|d| [d.body, d.lhs, d.rule_id]}
  end
end
)";
  LoadResult with = load_programs(o);
  REQUIRE(with.programs.size() == 1);
  CHECK(with.programs[0].find("dep"));
  CHECK_FALSE(has_diagnostic(with, "calm-unknown-module", "Validate"));
  CHECK_FALSE(has_diagnostic(with, "calm-unresolved-require", "labeling"));
}

TEST_CASE("Bud's real library (../shared/bud/lib): Validate and GuardedAsync analyze") {
  const fs::path lib = fs::path(CALM_SHARED_DIR) / "bud" / "lib";
  if (!fs::is_regular_file(lib / "bud" / "labeling" / "labeling.rb")) {
    MESSAGE("skipped: " << lib.string() << " is absent (Bud's library is only in developer "
                        << "workspaces)");
    return;
  }
  LoadOptions o;
  o.files = {"prog.rb"};
  o.include_dirs = {lib.string()};
  o.memory_files["prog.rb"] = R"(
require 'rubygems'
require 'bud'
require 'bud/labeling/labeling'

class Guarded
  include Bud
  include GuardedAsync
  include Validate
end
)";
  LoadResult r = load_programs(o);
  REQUIRE(r.programs.size() == 1);
  for (const auto& d : r.diagnostics.items()) {
    INFO(d.location.file << ":" << d.location.line << ": " << d.check << ": " << d.message);
    CHECK(d.severity != Severity::Error);
  }
  CHECK_FALSE(has_diagnostic(r, "calm-unknown-module", "Validate"));
  CHECK(r.programs[0].rules.size() > 0);
}

// -- 10. 2011 dialect overrides ----------------------------------------------------

TEST_CASE("2011 dialect: a plain def overriding a declared block replaces its rules") {
  auto r = load_source(R"(
module VotingMaster
  include Anise
  annotator :declare
  def state
    table :vote_status, ['id', 'content', 'response']
    scratch :victor, ['id', 'content', 'response']
    scratch :vote_cnt, ['id', 'response', 'cnt']
  end

  declare
  def summary
    victor <= vote_cnt.map {|v| [v.id, 'c', v.response] if v.cnt > 2 }
  end
end

module TwoPCVotingMaster
  include Anise
  annotator :declare
  include VotingMaster
  # overrides the parent's summary without `declare`
  def summary
    victor <= vote_cnt.map {|v| [v.id, 'c', 'N'] if v.response == 'N' }
    vote_status <+ victor.map {|v| v }
  end

  def helper(x)
    x + 1
  end
end
)",
                       {"TwoPCVotingMaster"});
  REQUIRE(r.programs.size() == 1);
  const Program& p = r.programs[0];
  REQUIRE(p.rules.size() == 2);
  for (const Rule& rule : p.rules) {
    CHECK(rule.module == "TwoPCVotingMaster");
    CHECK(rule.block == "summary");
  }
  CHECK(rule_for(p, "vote_status"));
  // The parent alone keeps its own summary; plain helpers are not blocks.
  auto parent = load_source(R"(
module VotingMaster
  def state
    scratch :victor, ['id']
    scratch :vote_cnt, ['id']
  end
  declare
  def summary
    victor <= vote_cnt
  end
  def helper
    victor <= vote_cnt
  end
end
)");
  REQUIRE(parent.programs.size() == 1);
  CHECK(parent.programs[0].rules.size() == 1);
}

TEST_CASE(
    "2011 dialect: `require 'lib/voting'` from lib/2pc.rb finds it from the working directory") {
  LoadOptions o;
  o.files = {"lib/twopc.rb"};
  o.memory_files["lib/twopc.rb"] = R"(
require 'lib/voting'
module TwoPC
  include Voting
  def summary
    victor <= vote_cnt.map {|v| [v.id] if v.response == 'N' }
  end
end
)";
  o.memory_files["lib/voting.rb"] = R"(
module Voting
  def state
    scratch :victor, ['id']
    scratch :vote_cnt, ['id', 'response']
  end
  declare
  def summary
    victor <= vote_cnt.map {|v| [v.id] }
  end
end
)";
  o.modules = {"TwoPC"};
  LoadResult r = load_programs(o);
  REQUIRE(r.programs.size() == 1);
  CHECK_FALSE(has_diagnostic(r, "calm-unresolved-require", "lib/voting"));
  REQUIRE(r.programs[0].rules.size() == 1);
  CHECK(r.programs[0].rules[0].module == "TwoPC");
}
