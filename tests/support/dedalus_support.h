#pragma once

// Helpers shared by the Dedalus and IR front-end tests.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/loader.h"
#include "support/string_lists.h"

namespace calm::test {

inline std::string source_dir() { return CALM_SOURCE_DIR; }
inline std::string samples_dir() { return source_dir() + "/samples"; }

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Loads in-memory files (path -> text) with the given options.
inline LoadResult load_memory(const std::vector<std::pair<std::string, std::string>>& files,
                              const std::string& lang = "",
                              const std::vector<std::string>& modules = {}) {
  LoadOptions o;
  for (const auto& [path, text] : files) {
    o.files.push_back(path);
    o.memory_files[path] = text;
  }
  o.lang = lang;
  o.modules = modules;
  return load_programs(o);
}

/// The diagnostics of a load, as "file:line:col: check: message".
inline std::vector<std::string> diagnostics_of(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.sorted())
    out.push_back(to_string(d.location) + ": " + d.check + ": " + d.message);
  return out;
}

}  // namespace calm::test
