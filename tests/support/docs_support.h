#pragma once

// Helpers of the documentation tests: files, temporary directories and running calm.

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.h"
#include "support/temp_dir.h"

namespace calm::docs_test {

namespace fs = std::filesystem;

inline fs::path source_dir() { return fs::path(CALM_SOURCE_DIR); }

inline std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// `s` quoted for /bin/sh.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

using calm::test::TempDir;  // support/temp_dir.h

/// Runs `command` with /bin/sh in `dir`; stdout and stderr together.
inline calm::test::CommandResult run_in(const fs::path& dir, const std::string& command) {
  return calm::test::run_command("cd " + shell_quote(dir.string()) + " && " + command + " 2>&1");
}

}  // namespace calm::docs_test
