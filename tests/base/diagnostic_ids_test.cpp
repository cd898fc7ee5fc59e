// The registry of diagnostic ids (runtime/base/diagnostic_ids.h) against what uses it:
// every row has its page, every page its row, docs/checks/README.md lists the rows,
// every "calm-..." literal of the sources is a row, and the check table and the loader's
// ids come from it. A misspelt literal does not compile at all: ctest
// diagnostic_ids_compile (tests/build/diagnostic_id_typo.sh) shows it.

#include "base/diagnostic_ids.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "checks/check_registry.h"
#include "checks/loader_findings.h"

namespace calm {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = CALM_SOURCE_DIR;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_CASE("find_diagnostic_id finds every row, and nothing else") {
  std::set<std::string> ids;
  for (const DiagnosticIdRow& row : kDiagnosticIds) {
    INFO(row.id);
    CHECK(ids.insert(row.id).second);
    CHECK(find_diagnostic_id(row.id) == &row);
    CHECK(DiagnosticId(row).c_str() == std::string(row.id));
    CHECK(row.page() == "docs/checks/" + std::string(row.id) + ".md");
  }
  CHECK(find_diagnostic_id("calm-no-such-id") == nullptr);
  CHECK(find_diagnostic_id("") == nullptr);
  CHECK(find_diagnostic_id("calm-parse-error ") == nullptr);
}

TEST_CASE("a literal id is its row, checked at compile time") {
  constexpr DiagnosticId id = "calm-bad-scenario";
  static_assert(&id.row() == find_diagnostic_id("calm-bad-scenario"));
  static_assert(id.row().severity == Severity::Error);
  CHECK(id.str() == "calm-bad-scenario");
  CHECK(id == DiagnosticId(*find_diagnostic_id("calm-bad-scenario")));

  Diagnostics diags;
  diags.warning("calm-not-a-rule", "m", {"f.rb", 1, 2});
  REQUIRE(diags.size() == 1);
  CHECK(diags.items()[0].check == "calm-not-a-rule");
  CHECK(diags.items()[0].severity == Severity::Warning);
}

TEST_CASE("every row has a page, with its severity, a fix and Limitations") {
  for (const DiagnosticIdRow& row : kDiagnosticIds) {
    std::string id = row.id;
    INFO(id);
    fs::path page = kSource / row.page();
    REQUIRE(fs::exists(page));
    std::string text = read_file(page);
    CHECK(text.rfind("# " + id + "\n\n**Severity:** " + to_string(row.severity), 0) == 0);
    CHECK(text.find("\n## What it reports\n") != std::string::npos);
    CHECK(text.find("\n## How to fix it\n") != std::string::npos);
    CHECK(text.find("\n## Limitations\n") != std::string::npos);
  }
}

TEST_CASE("every page of docs/checks/ has a row") {
  size_t pages = 0;
  for (const auto& entry : fs::directory_iterator(kSource / "docs" / "checks")) {
    std::string name = entry.path().filename().string();
    if (name == "README.md") continue;
    INFO(name);
    ++pages;
    REQUIRE(name.size() > 3);
    CHECK(name.substr(name.size() - 3) == ".md");
    CHECK(find_diagnostic_id(name.substr(0, name.size() - 3)) != nullptr);
  }
  CHECK(pages == std::size(kDiagnosticIds));
}

TEST_CASE("docs/checks/README.md lists every row, in order, with its severity and summary") {
  std::vector<std::string> want, have;
  for (const DiagnosticIdRow& row : kDiagnosticIds)
    want.push_back("| [`" + std::string(row.id) + "`](" + row.id + ".md) | " +
                   to_string(row.severity) + " | " + row.summary + " |");
  std::istringstream in(read_file(kSource / "docs" / "checks" / "README.md"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind("| [`", 0) == 0) have.push_back(line);
  CHECK(have == want);
}

TEST_CASE("every \"calm-...\" literal of the sources is a row") {
  const std::regex literal("\"(calm-[a-z0-9-]+)\"");
  std::map<std::string, std::string> unknown;  // id -> the first file naming it
  size_t literals = 0;
  for (const char* folder : {"runtime", "analyzer", "viz", "cli"})
    for (const auto& entry : fs::recursive_directory_iterator(kSource / folder)) {
      if (!entry.is_regular_file()) continue;
      std::string text = read_file(entry.path());
      for (std::sregex_iterator m(text.begin(), text.end(), literal), end; m != end; ++m) {
        ++literals;
        if (!find_diagnostic_id((*m)[1].str()))
          unknown.emplace((*m)[1].str(), fs::relative(entry.path(), kSource).string());
      }
    }
  for (const auto& [id, file] : unknown) FAIL_CHECK(id << " (in " << file << ") is not a row");
  CHECK(literals > 100);
}

TEST_CASE("no default member initializer or default argument makes an id from a literal") {
  // clang 14 does not run a consteval constructor there: the object file keeps a call
  // to registered_index, and the link fails (CI's fuzz build, stop 28). Such a default
  // names a constexpr DiagnosticId instead.
  const std::regex defaulted(R"(DiagnosticId\s+\w+\s*=\s*"calm-)");
  const std::regex constant(R"(constexpr\s+DiagnosticId\s+\w+\s*=\s*"calm-)");
  for (const char* folder : {"runtime", "analyzer", "viz", "cli"})
    for (const auto& entry : fs::recursive_directory_iterator(kSource / folder)) {
      if (!entry.is_regular_file()) continue;
      std::istringstream in(read_file(entry.path()));
      int number = 0;
      for (std::string line; std::getline(in, line);) {
        ++number;
        if (std::regex_search(line, defaulted) && !std::regex_search(line, constant))
          FAIL_CHECK(fs::relative(entry.path(), kSource).string()
                     << ":" << number << ": " << line);
      }
    }
}

TEST_CASE("the check table and the loader's ids are rows") {
  for (const CheckEntry& e : check_table()) {
    INFO(e.id);
    const DiagnosticIdRow* row = find_diagnostic_id(e.id);
    REQUIRE(row);
    // The registry's own strings, not copies.
    CHECK(static_cast<const void*>(e.id) == static_cast<const void*>(row->id));
    CHECK(static_cast<const void*>(e.summary) == static_cast<const void*>(row->summary));
    CHECK(e.severity == row->severity);
  }
  for (const std::string& id : loader_check_ids()) {
    INFO(id);
    CHECK(find_diagnostic_id(id) != nullptr);
    CHECK(find_check(id) == nullptr);
  }
}

}  // namespace
}  // namespace calm
