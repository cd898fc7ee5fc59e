#pragma once

// Composes modules into programs the way Bud (and budplot) does: a class and
// every module it includes, in Ruby's ancestor order; named bloom blocks
// overridden by name; `import M => :a` as a qualified copy (`a.coll`); and the
// paper's interface overriding (§3.4).

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/diagnostic.h"
#include "model/program.h"

namespace calm::bud {

/// Most modules, collections and rules that imports may copy into one program
/// (docs/robustness.md): each `import` is a separate copy, so a chain of modules that
/// each import the next twice doubles the program at every level.
inline constexpr size_t kMaxImportedElements = 100000;

class Composer {
 public:
  Composer(const std::vector<SourceFile>& files, Diagnostics& diags);

  /// One program mixing the named modules/classes (budplot's `-m A -m B`).
  /// Unknown names get a diagnostic (with a suggestion) and yield nullopt.
  std::optional<Program> compose(const std::vector<std::string>& module_names);

  /// The default programs: every class that includes Bud; if there is none,
  /// every module that no other module includes or imports.
  /// Only names in `candidates` (the modules of the files given) are considered.
  std::vector<std::string> default_roots(const std::set<std::string>& candidates) const;

  /// Every module or class name known, sorted.
  std::vector<std::string> module_names() const;

 private:
  struct Impl;
  /// `-m NAME` names nothing: the error lists the modules and classes that exist.
  void report_unknown_root(const std::string& name);
  const std::vector<SourceFile>& files_;
  Diagnostics& diags_;
  std::vector<ModuleDef> merged_;                    ///< reopened modules merged, by full name
  std::unordered_map<std::string, size_t> by_name_;  ///< index into merged_
  std::unordered_map<std::string, size_t> by_short_name_;  ///< first with that short name
};

}  // namespace calm::bud
