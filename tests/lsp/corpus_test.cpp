// Every program of the shared corpus through the server, as an editor would open it:
// the diagnostics are run_checks's findings; hover on every rule operator, definition
// on every reference, the outline; then a truncated copy (does not parse) and back.
// Skipped, saying so, where ../shared/corpus is absent.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "checks/check_run.h"
#include "checks/loader_findings.h"
#include "lsp_session.h"

namespace fs = std::filesystem;
using calm::test::LspSession;
using nlohmann::json;

TEST_CASE("corpus: every file opens, answers and survives a syntax error in the server") {
  const fs::path corpus = fs::path(CALM_SHARED_DIR) / "corpus";
  if (!fs::is_directory(corpus)) {
    MESSAGE("skipped: " << corpus.string() << " is absent (the shared corpus is only in CI and "
                        "developer workspaces)");
    return;
  }
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(corpus))
    if (e.is_regular_file() && e.path().extension() == ".rb")
      files.push_back(fs::absolute(e.path()).lexically_normal().string());
  std::sort(files.begin(), files.end());
  CHECK(files.size() >= 150);
  size_t hovers = 0, definitions = 0, diagnostics = 0;
  for (const auto& path : files) {
    INFO("file: " << path);
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    LspSession s;
    s.open(path, text);
    json diags = s.diagnostics(path);
    REQUIRE(diags.is_array());
    diagnostics += diags.size();

    // The same findings as run_checks on the file, each once.
    calm::LoadOptions lo;
    lo.files = {path};
    calm::LoadResult load = calm::load_programs(lo);
    calm::take_verbose_only(load.diagnostics);
    calm::CheckRun run = calm::run_checks(load, {});
    std::set<std::string> expected;
    for (const auto& f : run.findings)
      if (!f.suppression && f.location.file == path)
        expected.insert(f.check + "@" + std::to_string(f.location.line - 1));
    std::set<std::string> got;
    for (const auto& d : diags)
      got.insert(d["code"].get<std::string>() + "@" +
                 std::to_string(d["range"]["start"]["line"].get<int>()));
    CHECK(got == expected);

    // Every rule operator hovers; every reference has an answer (a location or null).
    for (const auto& program : load.programs)
      for (const auto& rule : program.rules) {
        if (rule.op_location.file != path || !rule.op_location.known()) continue;
        json h = s.request("textDocument/hover",
                           LspSession::at(path, rule.op_location.line - 1, rule.op_location.column - 1));
        REQUIRE(h.contains("result"));
        CHECK(h["result"].is_object());
        ++hovers;
        for (const auto& ref : rule.refs) {
          if (ref.location.file != path || !ref.location.known()) continue;
          json d = s.request("textDocument/definition",
                             LspSession::at(path, ref.location.line - 1, ref.location.column - 1));
          REQUIRE(d.contains("result"));
          definitions += !d["result"].is_null();
        }
      }
    json syms = s.result("textDocument/documentSymbol",
                         {{"textDocument", {{"uri", calm::lsp::path_to_uri(path)}}}});
    CHECK(syms.is_array());

    // Cut in the middle of a line: it does not parse; then whole again.
    s.replace(path, text.substr(0, text.size() / 2) + "(\n", 2);
    s.wait(25);
    CHECK(s.diagnostics(path).is_array());
    s.replace(path, text, 3);
    s.wait(25);
    CHECK(s.diagnostics(path).size() == diags.size());
  }
  MESSAGE(files.size() << " corpus files: " << diagnostics << " diagnostics, " << hovers
                       << " operator hovers, " << definitions << " definitions found");
  CHECK(hovers > 1000);
  CHECK(definitions > 1000);
}
