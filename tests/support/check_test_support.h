#pragma once

// Helpers for the check tests: run the checks over an in-memory program and compare
// with the expectations written inline in it, run the calm executable, temp files.
//
// Inline expectations, as in clang-tidy's tests: a trailing comment
//   kv <- gone   # expect: calm-point-of-order
// says that a finding of that check (not suppressed) starts on that line. Several are
// separated by commas. Lines without `expect:` must have no finding.

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "checks/check_registry.h"
#include "checks/check_run.h"
#include "frontend/loader.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

namespace calm::test {

namespace fs = std::filesystem;

/// Loads one in-memory Bud file ("test.rb"), composing `modules` (or the defaults).
inline LoadResult load_memory(const std::string& text, std::vector<std::string> modules = {}) {
  LoadOptions o;
  o.files = {"test.rb"};
  o.memory_files["test.rb"] = text;
  o.modules = std::move(modules);
  return load_programs(o);
}

/// Options that run only the listed checks (new checks stay out of older tests).
inline CheckOptions only_checks(const std::set<std::string>& keep) {
  CheckOptions o;
  for (const auto& id : check_ids())
    if (!keep.count(id)) o.disabled.insert(id);
  return o;
}

inline CheckRun check_memory(const std::string& text, std::vector<std::string> modules = {},
                             CheckOptions options = {}) {
  return run_checks(load_memory(text, std::move(modules)), options);
}

/// (line, check) of every `# expect: a, b` comment in `text`.
inline std::set<std::pair<int, std::string>> inline_expectations(const std::string& text) {
  std::set<std::pair<int, std::string>> out;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    size_t at = line.find("# expect:");
    if (at == std::string::npos) continue;
    std::string rest = line.substr(at + 9);
    std::stringstream items(rest);
    std::string item;
    while (std::getline(items, item, ',')) {
      size_t b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
      if (b != std::string::npos) out.insert({n, item.substr(b, e - b + 1)});
    }
  }
  return out;
}

/// (line, check) of the findings that are not suppressed.
inline std::set<std::pair<int, std::string>> reported(const CheckRun& run) {
  std::set<std::pair<int, std::string>> out;
  for (const auto& f : run.findings)
    if (!f.suppression) out.insert({f.location.line, f.check});
  return out;
}

inline std::string describe(const std::set<std::pair<int, std::string>>& s) {
  std::string out;
  for (const auto& [line, check] : s) out += "  line " + std::to_string(line) + ": " + check + "\n";
  return out.empty() ? "  (none)\n" : out;
}

/// Checks the program in `text` against its inline expectations.
inline void check_inline(const std::string& text, std::vector<std::string> modules = {},
                         CheckOptions options = {}) {
  CheckRun run = check_memory(text, std::move(modules), options);
  auto expected = inline_expectations(text);
  auto got = reported(run);
  INFO("expected:\n" << describe(expected) << "reported:\n" << describe(got));
  CHECK(got == expected);
}

struct Run {
  int status = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

/// Runs calm with `args` (shell words) in `dir` (default: the repository root).
inline Run run_calm(const std::string& args, const std::string& dir = CALM_SOURCE_DIR) {
  static int counter = 0;
  fs::path err = fs::temp_directory_path() / ("calm-checks-stderr-" + std::to_string(::getpid()) +
                                              "-" + std::to_string(counter++));
  std::string cmd = "cd '" + dir + "' && '" + std::string(CALM_BINARY) + "' " + args + " 2>'" +
                    err.string() + "'";
  CommandResult c = run_command(cmd);
  Run r;
  r.out = std::move(c.out);
  r.status = c.status;
  r.err = slurp(err);
  fs::remove(err);
  return r;
}

}  // namespace calm::test
