#include <doctest/doctest.h>

#include <filesystem>
#include <regex>

#include "checks/check_run.h"
#include "checks/loader_findings.h"
#include "lsp/json_rpc.h"
#include "lsp_session.h"
#include "support/temp_dir.h"

using namespace calm;
using calm::test::apply_edits;
using calm::test::LspSession;
using calm::test::TempDir;
using calm::test::with_code;
using nlohmann::json;

namespace {

// Our own small program: an input counted by group (a point of order resolved on one
// node) and a channel whose acknowledgements a rule may come to negate.
const char* kCounter = R"(require 'rubygems'
require 'bud'

module CounterProtocol
  state do
    interface input, :bump, [:key]
    interface output, :total, [:key] => [:n]
  end
end

module Counter
  include CounterProtocol

  state do
    table :seen, [:key]
    table :acked, [:key]
    scratch :fresh, [:key]
    channel :ack, [:@addr, :key]
  end

  bloom do
    seen <= bump
    acked <= ack { |a| [a.key] }
    fresh <= bump
    total <= seen.group([:key], count)
  end
end

class CounterServer
  include Bud
  include Counter
end
)";

std::string with_notin(std::string text) {
  return std::regex_replace(text, std::regex("fresh <= bump\n"), "fresh <= bump.notin(acked)\n");
}

int line_of(const json& d) { return d["range"]["start"]["line"].get<int>(); }

}  // namespace

TEST_CASE("initialize: capabilities, position encoding, lifecycle errors") {
  LspSession s;
  auto caps = s.initialize_result["result"]["capabilities"];
  CHECK(caps["positionEncoding"] == "utf-16");
  CHECK(caps["textDocumentSync"]["change"] == 2);
  CHECK(caps["hoverProvider"] == true);
  CHECK(caps["definitionProvider"] == true);
  CHECK(caps["documentSymbolProvider"] == true);
  CHECK(caps["codeActionProvider"]["codeActionKinds"][0] == "quickfix");
  CHECK(s.initialize_result["result"]["serverInfo"]["name"] == "calm");

  LspSession utf8(json{{"general", {{"positionEncodings", {"utf-16", "utf-8"}}}}});
  CHECK(utf8.initialize_result["result"]["capabilities"]["positionEncoding"] == "utf-8");

  CHECK(s.request("textDocument/formatting", json::object())["error"]["code"] == -32601);
  CHECK(s.request("textDocument/hover", LspSession::at("/nowhere/x.rb", 0, 0))["error"]["code"] ==
        -32602);
  CHECK(s.request("textDocument/hover",
                  {{"textDocument", {{"uri", "untitled:1"}}}})["error"]["code"] == -32602);
  CHECK(s.request("shutdown", nullptr).contains("result"));
  CHECK(s.request("textDocument/hover", json::object())["error"]["code"] == -32600);
  s.notify("exit", nullptr);
  CHECK(s.server().exited());
  CHECK(s.server().exit_code() == 0);

  lsp::Server fresh({});
  auto out = fresh.handle({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "textDocument/hover"}});
  REQUIRE(out.size() == 1);
  CHECK(out[0]["error"]["code"] == -32002);
  fresh.handle({{"jsonrpc", "2.0"}, {"method", "exit"}});
  CHECK(fresh.exit_code() == 1);  // exit without shutdown
}

TEST_CASE("didOpen publishes exactly the findings of calm check, notes as related information") {
  TempDir dir("lsp-open");
  std::string path = dir.write("counter.rb", with_notin(kCounter));
  LspSession s;
  s.open(path, with_notin(kCounter));
  json diags = s.diagnostics(path);
  REQUIRE(diags.is_array());

  // What `calm check counter.rb` computes (cmd_check.cpp: the same two calls).
  LoadOptions lo;
  lo.files = {path};
  LoadResult load = load_programs(lo);
  take_verbose_only(load.diagnostics);
  CheckRun run = run_checks(load, {});
  std::vector<std::string> expected, got;
  for (const auto& f : run.findings)
    if (!f.suppression)
      expected.push_back(f.check + "@" + std::to_string(f.location.line - 1) + ":" + f.message);
  for (const auto& d : diags)
    got.push_back(d["code"].get<std::string>() + "@" + std::to_string(line_of(d)) + ":" +
                  d["message"].get<std::string>());
  std::sort(expected.begin(), expected.end());
  std::sort(got.begin(), got.end());
  CHECK(got == expected);

  auto points = with_code(diags, "calm-point-of-order");
  REQUIRE(points.size() == 1);
  const json& p = points[0];
  CHECK(line_of(p) == 23);
  CHECK(p["range"]["start"]["character"] == 10);  // the operator <=
  CHECK(p["range"]["end"]["character"] == 12);
  CHECK(p["severity"] == 2);
  CHECK(p["source"] == "calm");
  CHECK(p["codeDescription"]["href"] == "file:///docs/checks/calm-point-of-order.md");
  REQUIRE(p["relatedInformation"].size() == 1);
  CHECK(p["relatedInformation"][0]["message"] == "acked is read here: negation (notin)");
  CHECK(p["relatedInformation"][0]["location"]["uri"] == lsp::path_to_uri(path));
  CHECK(p["relatedInformation"][0]["location"]["range"]["start"]["line"] == 23);
}

TEST_CASE("didChange is debounced and analyses the unsaved buffer, not the file on disk") {
  TempDir dir("lsp-change");
  std::string path = dir.write("counter.rb", kCounter);
  LspSession s;
  s.open(path, kCounter);
  CHECK(with_code(s.diagnostics(path), "calm-point-of-order").empty());
  int before = s.publications(path);
  // An incremental edit, as an editor sends it: insert ".notin(acked)" after `bump`.
  s.notify("textDocument/didChange",
           {{"textDocument", {{"uri", lsp::path_to_uri(path)}, {"version", 2}}},
            {"contentChanges", json::array({{{"range",
                                              {{"start", {{"line", 23}, {"character", 17}}},
                                               {"end", {{"line", 23}, {"character", 17}}}}},
                                             {"text", ".notin(acked)"}}})}});
  CHECK(s.publications(path) == before);  // nothing yet: the debounce
  CHECK(s.server().deadline().has_value());
  s.wait(5);
  CHECK(s.publications(path) == before);
  s.wait(20);
  CHECK(s.publications(path) == before + 1);
  auto points = with_code(s.diagnostics(path), "calm-point-of-order");
  REQUIRE(points.size() == 1);
  CHECK(line_of(points[0]) == 23);
  CHECK(test::slurp(path) == kCounter);  // the file on disk is untouched

  // Edits in quick succession are analysed once, after the last.
  size_t loads = s.server().workspace().loads();
  for (int v = 3; v < 8; ++v) {
    s.replace(path, v % 2 ? kCounter : with_notin(kCounter), v);
    s.wait(5);
  }
  CHECK(s.server().workspace().loads() == loads);
  s.wait(30);
  CHECK(s.server().workspace().loads() == loads + 1);
  CHECK(with_code(s.diagnostics(path), "calm-point-of-order").empty());  // version 7: no notin

  // didSave analyses at once, and publishes even when nothing changed.
  s.replace(path, with_notin(kCounter), 8);
  s.notify("textDocument/didSave", {{"textDocument", {{"uri", lsp::path_to_uri(path)}}}});
  CHECK(with_code(s.diagnostics(path), "calm-point-of-order").size() == 1);
  int published = s.publications(path);
  s.notify("textDocument/didSave", {{"textDocument", {{"uri", lsp::path_to_uri(path)}}}});
  CHECK(s.publications(path) == published + 1);
}

TEST_CASE("a file that does not parse keeps the last good findings, moved, and shows the error") {
  TempDir dir("lsp-parse");
  std::string good = with_notin(kCounter);
  std::string path = dir.write("counter.rb", good);
  LspSession s;
  s.open(path, good);
  REQUIRE(with_code(s.diagnostics(path), "calm-point-of-order").size() == 1);
  auto local = with_code(s.diagnostics(path), "calm-local-point-of-order");
  REQUIRE(local.size() == 1);
  CHECK(line_of(local[0]) == 24);

  // Two new lines above the rules, one of them broken.
  std::string broken = std::regex_replace(good, std::regex("  bloom do\n"),
                                          "  bloom do\n    # typing...\n    seen <= (bump\n");
  s.replace(path, broken, 2);
  s.wait(25);
  json diags = s.diagnostics(path);
  CHECK(with_code(diags, "calm-parse-error").size() >= 1);
  auto kept = with_code(diags, "calm-point-of-order");
  REQUIRE(kept.size() == 1);
  CHECK(line_of(kept[0]) == 25);  // moved down by the two lines
  local = with_code(diags, "calm-local-point-of-order");
  REQUIRE(local.size() == 1);
  CHECK(line_of(local[0]) == 26);
  CHECK(with_code(diags, "calm-unknown-collection").empty());

  // A finding on an edited line is dropped, not shown at a stale place.
  std::string broken_on_rule = std::regex_replace(
      good, std::regex("fresh <= bump.notin\\(acked\\)"), "fresh <= bump.notin(acked");
  s.replace(path, broken_on_rule, 3);
  s.wait(25);
  CHECK(with_code(s.diagnostics(path), "calm-point-of-order").empty());
  CHECK(with_code(s.diagnostics(path), "calm-local-point-of-order").size() == 1);

  s.replace(path, good, 4);  // fixed: fresh findings, no error
  s.wait(25);
  CHECK(with_code(s.diagnostics(path), "calm-parse-error").empty());
  CHECK(with_code(s.diagnostics(path), "calm-point-of-order").size() == 1);
}

TEST_CASE("a file belongs to the program that requires it; edits in either reach both") {
  TempDir dir("lsp-require");
  std::string protocol = R"(module Votes
  state do
    channel :vote, [:@addr, :voter]
    table :votes, [:voter]
    scratch :tally, [] => [:n]
  end
  bloom do
    votes <= vote { |v| [v.voter] }
    tally <= votes.group([], count)
  end
end
)";
  std::string main = R"(require 'rubygems'
require 'bud'
require_relative 'votes'

class Election
  include Bud
  include Votes
  state do
    interface output, :result, [] => [:n]
  end
  bloom do
    result <= tally
  end
end
)";
  std::string ppath = dir.write("votes.rb", protocol);
  std::string mpath = dir.write("election.rb", main);
  LspSession s;
  s.open(mpath, main);
  s.open(ppath, protocol);
  // The group over votes fed by a channel: a point of order in votes.rb, from the
  // program in election.rb (votes.rb alone is a module that is a program too: one finding).
  auto points = with_code(s.diagnostics(ppath), "calm-point-of-order");
  REQUIRE(points.size() == 1);
  CHECK(line_of(points[0]) == 8);
  // Hover knows the program's output label through the include.
  json h = s.result("textDocument/hover", LspSession::at(mpath, 11, 5));
  REQUIRE(h.is_object());
  CHECK(h["contents"]["value"].get<std::string>().find("Output label") != std::string::npos);
  // Definition of `tally` from election.rb lands in votes.rb.
  json def = s.result("textDocument/definition", LspSession::at(mpath, 11, 15));
  REQUIRE(def.is_object());
  CHECK(def["uri"] == lsp::path_to_uri(ppath));
  CHECK(def["range"]["start"]["line"] == 4);
  // An unsaved edit of votes.rb changes what election.rb's program is.
  std::string monotone = std::regex_replace(protocol, std::regex("votes.group\\(\\[\\], count\\)"),
                                            "votes { |v| [1] }");
  s.replace(ppath, monotone, 2);
  s.wait(25);
  CHECK(with_code(s.diagnostics(ppath), "calm-point-of-order").empty());
  h = s.result("textDocument/hover", LspSession::at(mpath, 11, 5));
  CHECK(h["contents"]["value"].get<std::string>().find("nonmonotonic") == std::string::npos);
  // Closing votes.rb: election.rb's program reads it from the disk again (the group).
  s.notify("textDocument/didClose", {{"textDocument", {{"uri", lsp::path_to_uri(ppath)}}}});
  CHECK(s.diagnostics(ppath).empty());
  s.wait(25);
  h = s.result("textDocument/hover", LspSession::at(mpath, 11, 5));
  CHECK(h["contents"]["value"].get<std::string>().find("Output label") != std::string::npos);
}

TEST_CASE(".calm.json is honoured: its programs, disabled checks, excludes; its errors shown") {
  TempDir dir("lsp-config");
  std::string path = dir.write("app/counter.rb", with_notin(kCounter));
  dir.write(".calm.json", R"({"programs": [{"files": ["app/counter.rb"], "modules": ["Counter"]}],
  "disabled_checks": ["calm-local-point-of-order"]})");
  {
    LspSession s;
    s.open(path, with_notin(kCounter));
    json diags = s.diagnostics(path);
    CHECK(with_code(diags, "calm-local-point-of-order").empty());
    CHECK(with_code(diags, "calm-point-of-order").size() == 1);
  }
  dir.write(".calm.json", R"({"programs": [{"files": ["app/counter.rb"]}], "exclude": ["app"]})");
  {
    LspSession s;
    s.open(path, with_notin(kCounter));
    CHECK(s.diagnostics(path).empty());
  }
  std::string cfg =
      dir.write(".calm.json", R"({"programs": [], "disabled_checks": ["calm-nope"]})");
  {
    LspSession s;
    s.open(path, with_notin(kCounter));
    // Analysed without it, and the problem is shown once.
    CHECK(with_code(s.diagnostics(path), "calm-point-of-order").size() == 1);
    bool shown = false;
    for (const auto& m : s.other)
      shown = shown ||
              (m.value("method", "") == "window/showMessage" &&
               m["params"]["message"].get<std::string>().find("calm-nope") != std::string::npos);
    CHECK(shown);
    // Opened in the editor, the configuration gets the problem as a diagnostic, and a
    // fix in its buffer applies at once.
    s.open(cfg, test::slurp(cfg));
    REQUIRE(s.diagnostics(cfg).size() == 1);
    CHECK(s.diagnostics(cfg)[0]["range"]["start"]["line"] == 0);
    s.replace(cfg, R"({"disabled_checks": ["calm-point-of-order"]})", 2);
    s.wait(25);
    CHECK(s.diagnostics(cfg).empty());
    CHECK(with_code(s.diagnostics(path), "calm-point-of-order").empty());
  }
}

TEST_CASE("hover: collections and rule operators") {
  TempDir dir("lsp-hover");
  std::string text = with_notin(kCounter);
  std::string path = dir.write("counter.rb", text);
  LspSession s;
  s.open(path, text);
  // `acked` in `acked <= ack {...}` (line 23, 0-based 22).
  json h = s.result("textDocument/hover", LspSession::at(path, 22, 6));
  REQUIRE(h.is_object());
  std::string md = h["contents"]["value"];
  CHECK(h["contents"]["kind"] == "markdown");
  CHECK(md.find("**acked**: table `[key]`") != std::string::npos);
  CHECK(md.find("declared in `Counter`") != std::string::npos);
  CHECK(md.find("`acked` → `fresh`") != std::string::npos);
  CHECK(h["range"]["start"]["character"] == 4);
  CHECK(h["range"]["end"]["character"] == 9);
  // The `<=` of the notin rule.
  h = s.result("textDocument/hover", LspSession::at(path, 23, 11));
  md = h["contents"]["value"];
  CHECK(md.find("**Point of order**") != std::string::npos);
  CHECK(md.find("negation (notin)") != std::string::npos);
  // What calm check says: coordination is needed (inputs from other nodes).
  CHECK(md.find("warning `calm-point-of-order`") != std::string::npos);
  CHECK(md.find("its inputs arrive from other nodes") != std::string::npos);
  // A monotone rule.
  h = s.result("textDocument/hover", LspSession::at(path, 21, 10));
  md = h["contents"]["value"];
  CHECK(md.find("Not a point of order") != std::string::npos);
  // An output: its label and causes.
  h = s.result("textDocument/hover", LspSession::at(path, 24, 5));
  md = h["contents"]["value"];
  CHECK(md.find("Output label: **nonmonotonic**") != std::string::npos);
  // Nothing under the cursor.
  CHECK(s.result("textDocument/hover", LspSession::at(path, 2, 0)).is_null());
}

TEST_CASE("definition: declarations through includes and imports; modules") {
  TempDir dir("lsp-def");
  std::string text = R"(module Store
  state do
    table :kv, [:key] => [:val]
  end
end

class App
  include Bud
  import Store => :store
  state do
    scratch :out, [:key]
  end
  bloom do
    out <= store.kv { |r| [r.key] }
  end
end
)";
  std::string path = dir.write("app.rb", text);
  LspSession s;
  s.open(path, text);
  json def = s.result("textDocument/definition", LspSession::at(path, 13, 17));  // kv
  REQUIRE(def.is_object());
  CHECK(def["range"]["start"]["line"] == 2);
  def = s.result("textDocument/definition", LspSession::at(path, 13, 4));  // out
  CHECK(def["range"]["start"]["line"] == 10);
  def = s.result("textDocument/definition", LspSession::at(path, 8, 10));  // Store
  CHECK(def["range"]["start"]["line"] == 0);
  CHECK(s.result("textDocument/definition", LspSession::at(path, 6, 0)).is_null());  // `class`
}

TEST_CASE("documentSymbol: modules, collections, blocks, rules") {
  TempDir dir("lsp-symbols");
  std::string path = dir.write("counter.rb", kCounter);
  LspSession s;
  s.open(path, kCounter);
  json syms = s.result("textDocument/documentSymbol",
                       {{"textDocument", {{"uri", lsp::path_to_uri(path)}}}});
  REQUIRE(syms.size() == 3);
  CHECK(syms[0]["name"] == "CounterProtocol");
  CHECK(syms[0]["kind"] == 2);
  CHECK(syms[0]["range"]["start"]["line"] == 3);
  CHECK(syms[0]["range"]["end"]["line"] == 8);  // through its `end`
  CHECK(syms[2]["name"] == "CounterServer");
  CHECK(syms[2]["kind"] == 5);
  const json& counter = syms[1];
  std::vector<std::string> names;
  for (const auto& c : counter["children"]) names.push_back(c["name"]);
  CHECK(names == std::vector<std::string>{"seen", "acked", "fresh", "ack", "bloom"});
  CHECK(counter["children"][3]["kind"] == 24);  // the channel: an event
  CHECK(counter["children"][3]["detail"] == "channel [@addr, key]");
  // A block's first statement ends on its own line (not where the block's body ends).
  CHECK(counter["children"][0]["range"]["end"]["line"] == 14);
  const json& bloom = counter["children"][4];
  CHECK(bloom["children"][0]["range"]["start"]["line"] == 21);
  CHECK(bloom["children"][0]["range"]["end"]["line"] == 21);
  REQUIRE(bloom["children"].size() == 4);
  CHECK(bloom["children"][3]["name"] == "total <= seen.group([:key], count)");
  CHECK(bloom["children"][3]["range"]["start"]["line"] == 24);
  // Every child's range is inside its parent's.
  for (const auto& m : syms)
    for (const auto& c : m["children"]) {
      CHECK(c["range"]["start"]["line"] >= m["range"]["start"]["line"]);
      CHECK(c["range"]["end"]["line"] <= m["range"]["end"]["line"]);
    }
}

TEST_CASE("codeAction: allow a finding, mark a module coordinated; applied, they suppress") {
  TempDir dir("lsp-actions");
  std::string text = with_notin(kCounter);
  std::string path = dir.write("counter.rb", text);
  std::string uri = lsp::path_to_uri(path);
  LspSession s;
  s.open(path, text);
  json range = {{"start", {{"line", 23}, {"character", 0}}},
                {"end", {{"line", 23}, {"character", 0}}}};
  json actions =
      s.result("textDocument/codeAction", {{"textDocument", {{"uri", uri}}},
                                           {"range", range},
                                           {"context", {{"diagnostics", json::array()}}}});
  REQUIRE(actions.is_array());
  std::vector<std::string> titles;
  for (const auto& a : actions) titles.push_back(a["title"]);
  REQUIRE(titles.size() == 2);
  CHECK(titles[0] == "Allow calm-point-of-order here (# calm:allow)");
  CHECK(titles[1] == "Mark module Counter as coordinated (# calm:coordinated)");
  CHECK(actions[0]["kind"] == "quickfix");
  CHECK(actions[0]["diagnostics"][0]["code"] == "calm-point-of-order");

  std::string allowed = apply_edits(text, actions[0]["edit"], uri);
  CHECK(allowed.find("    # calm:allow calm-point-of-order -- TODO: why this is safe\n"
                     "    fresh <= bump.notin(acked)\n") != std::string::npos);
  s.replace(path, allowed, 2);
  s.wait(25);
  CHECK(with_code(s.diagnostics(path), "calm-point-of-order").empty());
  CHECK(with_code(s.diagnostics(path), "calm-bad-suppression").empty());
  json h = s.result("textDocument/hover", LspSession::at(path, 24, 11));
  CHECK(h["contents"]["value"].get<std::string>().find(
            "(suppressed: inline at line 24, \"TODO: why this is safe\")") != std::string::npos);

  std::string coordinated = apply_edits(text, actions[1]["edit"], uri);
  CHECK(coordinated.find("# calm:coordinated -- TODO: how Counter coordinates\nmodule Counter\n") !=
        std::string::npos);
  s.replace(path, coordinated, 4);
  s.wait(25);
  CHECK(with_code(s.diagnostics(path), "calm-point-of-order").empty());
  CHECK(with_code(s.diagnostics(path), "calm-local-point-of-order").empty());
}

TEST_CASE("codeAction: a marker alone on the line above gets the new check") {
  TempDir dir("lsp-actions2");
  std::string text = std::regex_replace(
      with_notin(kCounter), std::regex("    fresh <= bump.notin"),
      "    # calm:allow calm-local-point-of-order -- counted locally\n    fresh <= bump.notin");
  std::string path = dir.write("counter.rb", text);
  std::string uri = lsp::path_to_uri(path);
  LspSession s;
  s.open(path, text);
  json range = {{"start", {{"line", 24}, {"character", 0}}},
                {"end", {{"line", 24}, {"character", 0}}}};
  json actions =
      s.result("textDocument/codeAction", {{"textDocument", {{"uri", uri}}}, {"range", range}});
  REQUIRE(actions.size() >= 1);
  std::string fixed = apply_edits(text, actions[0]["edit"], uri);
  CHECK(fixed.find("    # calm:allow calm-local-point-of-order, calm-point-of-order -- counted "
                   "locally\n    fresh <= bump.notin(acked)\n") != std::string::npos);
}

TEST_CASE("malformed messages get errors, never a crash") {
  LspSession s;
  CHECK(s.server().handle(json::array()).at(0)["error"]["code"] == -32600);
  CHECK(s.server().handle({{"jsonrpc", "2.0"}, {"id", 3}, {"method", 5}}).at(0)["error"]["code"] ==
        -32600);
  // A notification with bad params: logged, no response.
  auto out = s.server().handle({{"jsonrpc", "2.0"},
                                {"method", "textDocument/didChange"},
                                {"params", {{"textDocument", {{"uri", "file:///not/open.rb"}}}}}});
  REQUIRE(out.size() == 1);
  CHECK(out[0]["method"] == "window/logMessage");
  // A didOpen of something that is not a file: logged, nothing analysed.
  out = s.server().handle({{"jsonrpc", "2.0"},
                           {"method", "textDocument/didOpen"},
                           {"params", {{"textDocument", {{"uri", "untitled:1"}, {"text", "x"}}}}}});
  REQUIRE(out.size() == 1);
  CHECK(out[0]["method"] == "window/logMessage");
  // A position far outside the text.
  TempDir dir("lsp-bad");
  std::string path = dir.write("x.rb", kCounter);
  s.open(path, kCounter);
  CHECK(s.request("textDocument/hover", LspSession::at(path, 9999, 9999)).contains("result"));
  CHECK(s.request("textDocument/hover", {{"textDocument", {{"uri", lsp::path_to_uri(path)}}},
                                         {"position", {{"line", -1}}}})["error"]["code"] == -32602);
  // Ruby that is no program at all.
  std::string junk = dir.write("junk.rb", "def (((\n\x01\n");
  s.open(junk, "def (((\n\x01\n");
  CHECK(with_code(s.diagnostics(junk), "calm-parse-error").size() >= 1);
}
