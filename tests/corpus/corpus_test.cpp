// The real Bud corpus (../shared/corpus) and what Bud's own analyzer said about
// it (../shared/oracle). Skipped, saying so, when ../shared is absent.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "frontend/loader.h"

namespace fs = std::filesystem;
using namespace calm;

namespace {

const fs::path kShared = CALM_SHARED_DIR;

bool shared_present(const char* what) {
  if (fs::is_directory(kShared / "corpus") && fs::is_directory(kShared / "oracle")) return true;
  MESSAGE("skipped " << what << ": " << (kShared / "corpus").string()
                     << " is absent (the shared corpus is only in CI and developer workspaces)");
  return false;
}

std::vector<std::string> corpus_files() {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(kShared / "corpus"))
    if (e.is_regular_file() && e.path().extension() == ".rb") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

/// Files that are not valid Ruby today and must get a parse diagnostic. Every
/// file of the current corpus is valid Ruby (checked with `ruby -c`), so the
/// list is empty; a file added here must also be listed in docs/differences-from-bud.md.
const std::set<std::string> kInvalidRuby = {};

/// Oracle cases whose collection count differs from Bud's on purpose
/// (docs/differences-from-bud.md).
const std::map<std::string, std::string> kCountDifferences = {
    {"bud-test_tc_mapvariants_LessAnnoying", "temp of an overridden bloom block (k)"},
    {"voting_voting_MajorityVotingMaster", "temp of an overridden bloom block (sj)"},
};

}  // namespace

TEST_CASE("corpus: every file parses and composes without a crash") {
  if (!shared_present("the corpus test")) return;
  auto files = corpus_files();
  CHECK(files.size() >= 150);
  int programs = 0, rules = 0, with_parse_errors = 0;
  for (const auto& f : files) {
    LoadOptions o;
    o.files = {f};
    LoadResult r = load_programs(o);
    bool parse_error = false;
    for (const auto& d : r.diagnostics.items())
      if (d.check == "calm-parse-error" && d.location.file == f) parse_error = true;
    std::string rel = fs::relative(f, kShared / "corpus").string();
    INFO("file: " << rel);
    CHECK(parse_error == (kInvalidRuby.count(rel) > 0));
    with_parse_errors += parse_error;
    programs += int(r.programs.size());
    for (const auto& p : r.programs) rules += int(p.rules.size());
    // Every element of every program is located.
    for (const auto& p : r.programs) {
      for (const auto& c : p.collections)
        if (!c.builtin) CHECK(c.location.known());
      for (const auto& rule : p.rules) CHECK(rule.location.known());
    }
  }
  MESSAGE("corpus: " << files.size() << " files, " << programs << " default programs, " << rules
                     << " rules, " << with_parse_errors << " files with parse diagnostics");
}

TEST_CASE("corpus: collection and rule counts agree with Bud's oracle") {
  if (!shared_present("the oracle count test")) return;
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(kShared / "oracle"))
    if (e.path().extension() == ".json") cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  int agree = 0, explained = 0, disagree = 0, skipped = 0;
  std::string table =
      "| case | collections calm/bud | rules calm/bud | verdict |\n|---|---|---|---|\n";
  for (const auto& path : cases) {
    std::ifstream in(path);
    nlohmann::json d = nlohmann::json::parse(in);
    if (d["status"] != "ok") {
      ++skipped;
      continue;
    }
    std::string name = d["case"]["name"];
    LoadOptions o;
    for (const auto& f : d["files"])
      o.files.push_back((kShared / "corpus" / f.get<std::string>()).string());
    for (const auto& m : d["modules"]) o.modules.push_back(m);
    LoadResult r = load_programs(o);
    INFO("case: " << name);
    REQUIRE(r.programs.size() == 1);
    const Program& p = r.programs[0];
    int colls = int(std::count_if(p.collections.begin(), p.collections.end(),
                                  [](const Collection& c) { return !c.builtin; }));
    int rules = int(
        std::count_if(p.rules.begin(), p.rules.end(), [](const Rule& r) { return !r.bootstrap; }));
    // Bud adds expr_N collections for constant right-hand sides when it ticks;
    // they are not part of the program text, so compare with the pre-tick count.
    int bud_colls = d["counts"]["collections_pre_tick"], bud_rules = d["counts"]["rules"];
    std::string verdict;
    if (colls == bud_colls && rules == bud_rules) {
      ++agree;
      verdict = "agree";
    } else if (kCountDifferences.count(name) && rules == bud_rules) {
      ++explained;
      verdict = "explained: " + kCountDifferences.at(name);
    } else {
      ++disagree;
      verdict = "DISAGREE";
    }
    CHECK(verdict != "DISAGREE");
    if (verdict != "agree")
      table += "| " + name + " | " + std::to_string(colls) + "/" + std::to_string(bud_colls) +
               " | " + std::to_string(rules) + "/" + std::to_string(bud_rules) + " | " + verdict +
               " |\n";
  }
  // A known difference that no longer shows must be taken off the list.
  CHECK(explained == int(kCountDifferences.size()));
  MESSAGE("oracle counts: " << agree << " agree, " << explained << " explained, " << disagree
                            << " disagree, " << skipped << " Bud-error cases skipped\n"
                            << table);
}

TEST_CASE("corpus: every program Bud could load loads without an error diagnostic") {
  if (!shared_present("the zero-error load test")) return;
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(kShared / "oracle"))
    if (e.path().extension() == ".json") cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  int loaded = 0, with_errors = 0;
  std::map<std::string, int> by_check;
  for (const auto& path : cases) {
    std::ifstream in(path);
    nlohmann::json d = nlohmann::json::parse(in);
    if (d["status"] != "ok") continue;
    std::string name = d["case"]["name"];
    LoadOptions o;
    for (const auto& f : d["files"])
      o.files.push_back((kShared / "corpus" / f.get<std::string>()).string());
    for (const auto& m : d["modules"]) o.modules.push_back(m);
    LoadResult r = load_programs(o);
    ++loaded;
    bool errors = false;
    for (const auto& dg : r.diagnostics.items()) {
      if (dg.severity != Severity::Error) continue;
      errors = true;
      ++by_check[dg.check];
      INFO("case: " << name);
      CHECK_MESSAGE(false, dg.location.file << ":" << dg.location.line << ": " << dg.check << ": "
                                            << dg.message);
    }
    with_errors += errors;
  }
  std::string checks;
  for (const auto& [c, n] : by_check) checks += " " + c + "=" + std::to_string(n);
  MESSAGE("zero-error load: " << loaded << " programs Bud loaded, " << with_errors
                              << " with error diagnostics;" << checks);
}
