#pragma once

// Which files `calm check` reports on: the files named on the command line (or in
// `.calm.json`), the `paths` / `--include` globs, minus the `exclude` / `--exclude`
// globs. Findings in other files (libraries reached through `require` and -I) are not
// reported one by one but counted, so that a project's CI is about its own code.

#include <map>
#include <string>
#include <vector>

#include "checks/check_run.h"

namespace calm {

/// A glob over '/'-separated paths: `*` any run of characters but '/', `?` one such
/// character, `**` as a whole segment any number of segments (zero included). A
/// pattern without wildcards also matches everything below it ("vendor" matches
/// "vendor/lib/x.rb").
bool glob_match(const std::string& pattern, const std::string& path);

class FileScope {
 public:
  /// Files named explicitly (relative to the working directory, or absolute). The other
  /// files of the same directory (not of its subdirectories) are in scope too: a
  /// program's own protocol module next to it (`require_relative 'protocol'`) is the
  /// project's code, a library reached through -I or another directory is not.
  void add_file(const std::string& file);
  /// A glob to include or exclude, relative to `base` (a directory; "" = the working
  /// directory) unless absolute. `command_line` globs win over the others (a file's
  /// `exclude` is overridden by `--include`), and a command-line exclude wins over all.
  void include(const std::string& glob, const std::string& base, bool command_line = false);
  void exclude(const std::string& glob, const std::string& base, bool command_line = false);

  /// True when nothing restricts the scope (no file, no include glob): every file is in.
  bool unrestricted() const { return files_.empty() && include_.empty() && cli_include_.empty(); }
  /// In scope, by priority: a command-line exclude (out), a command-line include (in),
  /// an exclude (out), a named file or an include glob (in); with none of these, in
  /// only when unrestricted.
  /// Findings without a file (or about "<command line>") are always in scope.
  bool contains(const std::string& file) const;

 private:
  std::vector<std::string> files_;              ///< absolute, normalized
  std::vector<std::string> dirs_;               ///< their directories
  std::vector<std::string> include_, exclude_;  ///< absolute patterns
  std::vector<std::string> cli_include_, cli_exclude_;
};

/// Removes from `run` the findings whose primary location is outside `scope` and
/// counts them in `run.outside` (suppressed ones are dropped without being counted).
void apply_scope(CheckRun& run, const FileScope& scope);

}  // namespace calm
