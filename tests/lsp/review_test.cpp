// The server's answers in the situations a review of calm lsp found wrong: problems
// located in .calm.json, edits in two places of a file that does not parse, files
// changed on disk while it does not parse, quick fixes on kept findings, a required
// file opened after the file requiring it, a file that is not text, baselined loader
// findings, the outline and hover of a file that does not parse, and the suppression
// checks' own quick fixes.

#include <doctest/doctest.h>

#include <regex>

#include "lsp/json_rpc.h"
#include "lsp_session.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

using calm::test::apply_edits;
using calm::test::LspSession;
using calm::test::TempDir;
using calm::test::with_code;
using nlohmann::json;

namespace {

// A module with a temporal cluster (the paper's key-value store) and a class.
const char* kStore = R"(module Store
  state do
    interface input, :put, [:key] => [:val]
    interface output, :got, [:key] => [:val]
    table :kv, [:key] => [:val]
    scratch :old, [:key] => [:val]
  end

  bloom do
    kv <+ put
    old <= (kv * put).lefts(:key => :key)
    kv <- old
    got <= kv
  end
end

class StoreServer
  include Bud
  include Store
end
)";

int line_of(const json& d) { return d["range"]["start"]["line"].get<int>(); }

std::vector<int> lines_with(const json& diags, const std::string& code) {
  std::vector<int> out;
  for (const auto& d : with_code(diags, code)) out.push_back(line_of(d));
  return out;
}

/// `text` with `insert` put before line `line0` (0-based).
std::string insert_line(const std::string& text, int line0, const std::string& insert) {
  size_t pos = 0;
  for (int i = 0; i < line0; ++i) pos = text.find('\n', pos) + 1;
  return text.substr(0, pos) + insert + "\n" + text.substr(pos);
}

}  // namespace

TEST_CASE("problems located in .calm.json: an unknown module, a broken configuration") {
  TempDir dir("lsp-cfg-module");
  std::string rb = dir.write("store.rb", kStore);
  std::string cfg = dir.write(".calm.json",
                              R"({"programs": [{"files": ["store.rb"], "modules": ["Nope"]}]})");
  {
    LspSession s;
    s.open(rb, kStore);
    bool said = false;  // not open: said once
    for (const auto& m : s.other)
      said = said || (m.value("method", "") == "window/showMessage" &&
                      m["params"]["message"].get<std::string>().find("'Nope'") != std::string::npos);
    CHECK(said);
    s.open(cfg, calm::test::slurp(cfg));  // open: shown where the module is named
    REQUIRE(s.diagnostics(cfg).size() == 1);
    CHECK(s.diagnostics(cfg)[0]["code"] == "calm-unknown-module");
    CHECK(line_of(s.diagnostics(cfg)[0]) == 0);
    CHECK(s.diagnostics(cfg)[0]["range"]["start"]["character"].get<int>() > 40);
  }
  {
    LspSession s;  // only the configuration open, and broken
    s.open(cfg, "{ broken");
    REQUIRE(s.diagnostics(cfg).size() >= 1);
    CHECK(s.diagnostics(cfg)[0]["code"] == "calm-config");
  }
}

TEST_CASE("kept findings survive edits in two places and files changed on disk") {
  TempDir dir("lsp-kept");
  std::string path = dir.write("store.rb", kStore);
  LspSession s;
  s.open(path, kStore);
  auto before = lines_with(s.diagnostics(path), "calm-local-point-of-order");
  REQUIRE(before.size() >= 2);
  CHECK(std::find(before.begin(), before.end(), 10) != before.end());  // old <= ... lefts
  // Broken at the end of the bloom block, then a comment at the top.
  std::string broken = insert_line(kStore, 13, "    got <= (kv");
  s.replace(path, broken, 2);
  s.wait(25);
  CHECK(with_code(s.diagnostics(path), "calm-parse-error").size() >= 1);
  CHECK(lines_with(s.diagnostics(path), "calm-local-point-of-order") == before);
  std::string both = "# a comment\n" + broken;
  s.replace(path, both, 3);
  s.wait(25);
  auto after = lines_with(s.diagnostics(path), "calm-local-point-of-order");
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) CHECK(after[i] == before[i] + 1);
  // Files changed on disk (the client watches them): the kept findings stay.
  s.notify("workspace/didChangeWatchedFiles", {{"changes", json::array()}});
  s.wait(25);
  CHECK(lines_with(s.diagnostics(path), "calm-local-point-of-order") == after);

  // The allow fix of a kept finding goes above its rule where the rule is now.
  int rule = after[0];
  json actions = s.result("textDocument/codeAction",
                          {{"textDocument", {{"uri", calm::lsp::path_to_uri(path)}}},
                           {"range", {{"start", {{"line", rule}, {"character", 0}}},
                                      {"end", {{"line", rule}, {"character", 0}}}}}});
  REQUIRE(actions.size() >= 1);
  std::string fixed = apply_edits(both, actions[0]["edit"], calm::lsp::path_to_uri(path));
  calm::lsp::Text t(fixed);
  CHECK(t.line(rule).find("# calm:allow calm-local-point-of-order") != std::string_view::npos);
  CHECK(t.line(rule + 1) == calm::lsp::Text(both).line(rule));

  // Hover, definition and the outline answer from the last good analysis meanwhile.
  json h = s.result("textDocument/hover", LspSession::at(path, 11, 5));  // `old` of line 11
  REQUIRE(h.is_object());
  CHECK(h["contents"]["value"].get<std::string>().find("**old**: scratch") != std::string::npos);
  json def = s.result("textDocument/definition", LspSession::at(path, 12, 5));  // kv in `kv <- old`
  REQUIRE(def.is_object());
  CHECK(def["range"]["start"]["line"] == 5);  // `table :kv`, moved down by the comment
  json syms = s.result("textDocument/documentSymbol",
                       {{"textDocument", {{"uri", calm::lsp::path_to_uri(path)}}}});
  REQUIRE(syms.size() == 2);
  CHECK(syms[0]["name"] == "Store");
  CHECK(syms[0]["range"]["start"]["line"] == 1);
}

TEST_CASE("a required file opened after the file requiring it is read at once") {
  TempDir dir("lsp-late-require");
  std::string a_text = "require_relative 'b'\nclass A\n  include Bud\n  include B\nend\n";
  std::string b_text = "module B\n  state do\n    table :t, [:k]\n  end\nend\n";
  std::string a = dir.write("a.rb", a_text);
  std::string b = (dir.path() / "b.rb").string();  // not on disk: an unsaved new file
  LspSession s;
  s.open(a, a_text);
  CHECK(with_code(s.diagnostics(a), "calm-unresolved-require").size() == 1);
  s.open(b, b_text);
  CHECK(with_code(s.diagnostics(a), "calm-unresolved-require").empty());
  CHECK(with_code(s.diagnostics(a), "calm-unknown-module").empty());
}

TEST_CASE("a document that is not text gets its error") {
  TempDir dir("lsp-nul");
  std::string path = dir.write("bin.rb", "x");
  LspSession s;
  s.open(path, std::string("class A\n  x\0y\nend\n", 17));
  auto errors = with_code(s.diagnostics(path), "calm-parse-error");
  REQUIRE(errors.size() == 1);
  CHECK(line_of(errors[0]) == 1);
}

TEST_CASE("a baseline written by calm check in the project hides the same loader findings") {
  TempDir dir("lsp-baseline");
  std::string text = std::regex_replace(std::string(kStore), std::regex("got <= kv\n"),
                                        "got <= kv\n    got <= nowhere\n");
  std::string path = dir.write("app/store.rb", text);
  dir.write(".calm.json", R"({"programs": [{"files": ["app/store.rb"]}], "baseline": "base.json"})");
  auto r = calm::test::run_command("cd '" + dir.path().string() + "' && '" + CALM_BINARY +
                                   "' check --write-baseline base.json >/dev/null 2>&1; echo $?");
  REQUIRE(r.out == "0\n");
  LspSession s;
  s.open(path, text);
  CHECK(s.diagnostics(path).empty());
}

TEST_CASE("hover names clusters by their label, and one program needs no heading") {
  TempDir dir("lsp-hover-cluster");
  std::string path = dir.write("store.rb", kStore);
  LspSession s;
  s.open(path, kStore);
  json h = s.result("textDocument/hover", LspSession::at(path, 11, 7));  // `<-`
  std::string md = h["contents"]["value"];
  CHECK(md.find("`cluster:") == std::string::npos);
  CHECK(md.find("{") != std::string::npos);
  CHECK(md.find("In program") == std::string::npos);
}

TEST_CASE("the suppression checks' own quick fixes; odd ranges; a second initialize") {
  TempDir dir("lsp-suppr");
  std::string text = std::regex_replace(
      std::string(kStore), std::regex("    got <= kv\n"),
      "    got <= kv  # calm:allow calm-temporal-cluster -- nothing to hide here\n"
      "    # calm:allow calm-point-of-order\n");
  std::string path = dir.write("store.rb", text);
  std::string uri = calm::lsp::path_to_uri(path);
  LspSession s;
  s.open(path, text);
  json diags = s.diagnostics(path);
  auto unused = with_code(diags, "calm-unused-suppression");
  auto bad = with_code(diags, "calm-bad-suppression");
  REQUIRE(unused.size() == 1);
  REQUIRE(bad.size() == 1);
  auto actions_at = [&](int line0) {
    return s.result("textDocument/codeAction",
                    {{"textDocument", {{"uri", uri}}},
                     {"range", {{"start", {{"line", line0}, {"character", 0}}},
                                {"end", {{"line", line0}, {"character", 0}}}}}});
  };
  json remove;
  for (const auto& x : actions_at(line_of(unused[0])))
    if (x["title"] == "Remove the unused suppression marker") remove = x;
  REQUIRE(remove.is_object());
  std::string fixed = apply_edits(text, remove["edit"], uri);
  CHECK(fixed.find("    got <= kv\n") != std::string::npos);
  for (const auto& x : actions_at(line_of(bad[0])))
    CHECK(x["title"].get<std::string>().find("calm-bad-suppression") == std::string::npos);

  json huge = s.result("textDocument/codeAction",
                       {{"textDocument", {{"uri", uri}}},
                        {"range", {{"start", {{"line", 0}, {"character", 0}}},
                                   {"end", {{"line", 2147483647}, {"character", 0}}}}}});
  CHECK(huge.size() >= 2);
  CHECK(s.request("initialize", {{"capabilities", json::object()}})["error"]["code"] == -32600);
}
