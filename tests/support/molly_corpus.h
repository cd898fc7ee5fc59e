#pragma once

// Reading Molly-dialect programs from disk for the Dedalus and fault-injection tests, and
// finding Molly's own corpus (github palvaro/molly) when this machine has it: the
// directory named by CALM_MOLLY_DIR (a checkout), or the fetched snapshot under
// /work/.mirror/palvaro+molly*/ (extracted with git archive into a temporary folder).
// Tests that need it skip, saying so, when it is absent. Molly's files are read, never
// copied into the project.

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/dedalus/molly_dialect.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

namespace calm::test {

inline std::optional<std::string> read_disk(const std::string& path, void*) {
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::optional<dedalus::MProgram> load_molly_files(const std::vector<std::string>& files,
                                                         Diagnostics& diags) {
  return dedalus::read_molly_program(files, std::filesystem::path(files.front()).stem().string(),
                                     read_disk, nullptr, diags);
}

/// The examples_ft folder of Molly's corpus (with demo_v*.ded one level up in `root`),
/// or "" when this machine has no copy.
struct MollyCorpus {
  std::string examples;  ///< .../src/test/resources/examples_ft
  std::string root;      ///< the repository root (demo_v*.ded)
  std::string why_absent;
};

inline const MollyCorpus& molly_corpus() {
  static MollyCorpus corpus = [] {
    MollyCorpus c;
    auto use = [&](const std::filesystem::path& root) {
      auto ex = root / "src/test/resources/examples_ft";
      if (!std::filesystem::is_directory(ex)) return false;
      c.root = root.string();
      c.examples = ex.string();
      return true;
    };
    if (const char* dir = std::getenv("CALM_MOLLY_DIR"); dir && use(dir)) return c;
    static TempDir extracted("molly-corpus");
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/work/.mirror", ec)) {
      if (e.path().filename().string().rfind("palvaro+molly", 0) != 0) continue;
      for (const char* git : {"repo/.git", "repo", ".git", ""}) {
        auto g = e.path() / git;
        if (!std::filesystem::exists(g / "HEAD")) continue;
        auto r = run_command("git --git-dir='" + g.string() +
                             "' archive HEAD src/test/resources/examples_ft demo_v1.ded "
                             "demo_v2.ded demo_v3.ded demo_v4.ded | tar -x -C '" +
                             extracted.path().string() + "' 2>&1");
        if (r.status == 0 && use(extracted.path())) return c;
      }
    }
    c.why_absent =
        "Molly's corpus is not on this machine (set CALM_MOLLY_DIR to a checkout of "
        "github.com/palvaro/molly, or fetch it to /work/.mirror/palvaro+molly)";
    return c;
  }();
  return corpus;
}

}  // namespace calm::test
