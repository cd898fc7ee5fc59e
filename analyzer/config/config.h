#pragma once

// `.calm.json`: what `calm check` analyses and how, so CI needs no long command line.
// Found by walking up from the working directory (or given with --config); command-line
// options override it. docs/config.md documents the keys.
//
//   {
//     "programs": [{"name": "kvs", "files": ["samples/kvs/kvs.rb"], "modules": ["BasicKVS"]}],
//     "include_dirs": ["lib"],
//     "paths": ["app/**/*.rb"], "exclude": ["vendor"],
//     "disabled_checks": ["calm-underspecified"],
//     "fail_on": "warning",
//     "baseline": "calm-baseline.json"
//   }

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"

namespace calm {

inline constexpr const char* kConfigFileName = ".calm.json";

struct ProgramConfig {
  std::string name;  ///< a label for messages
  std::vector<std::string> files;
  std::vector<std::string> modules;
  std::vector<SourceLocation> module_locations;  ///< of each module name, in the file
  SourceLocation location;                       ///< the entry in the config file
};

struct Config {
  std::string path;  ///< the file it was read from
  std::vector<ProgramConfig> programs;
  std::string dir;  ///< the directory of `path` ("" = the working directory)
  std::vector<std::string> include_dirs;
  /// Globs of the files `calm check` reports on (relative to `dir`); empty: the
  /// programs' files. `exclude`: globs of files it never reports on.
  std::vector<std::string> paths;
  std::vector<std::string> exclude;
  std::vector<std::string> disabled_checks;
  std::optional<Severity> fail_on;
  std::optional<std::string> baseline;  ///< a path
};

/// Parses a config. Paths in it (files, include_dirs, baseline) are relative to the
/// config file's directory and come back joined to it. Every problem (bad JSON, an
/// unknown key, a wrong type, an unknown check id, a bad fail_on) is an error in
/// `diags` located at the line and column of the offending key or value; returns false
/// when there is any. `known_checks` validates disabled_checks.
bool parse_config(const std::string& text, const std::string& path,
                  const std::vector<std::string>& known_checks, Config& config, Diagnostics& diags);

/// The loader reports an unknown `-m` module at "<command line>"; when the names came
/// from a file (a scenario, .calm.json), moves each such diagnostic to where the file
/// names the module (`locations[i]` for `modules[i]`).
void relocate_module_diagnostics(Diagnostics& diags, const std::vector<std::string>& modules,
                                 const std::vector<SourceLocation>& locations);

/// The nearest `.calm.json` in `start` or one of its parents, or nullopt. The result
/// is relative to the working directory ("../.calm.json").
std::optional<std::string> find_config(const std::filesystem::path& start);

}  // namespace calm
