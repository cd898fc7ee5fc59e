#pragma once

// The programs behind the open documents, analysed with the same calls as `calm check`
// (load_programs, run_checks), on the editor's unsaved text.
//
// A *root* is one load: a program of the nearest `.calm.json` (its files, modules,
// include_dirs, disabled checks, exclude globs and baseline), or an open file that no
// configured program reads, loaded on its own as `calm check FILE` run in its folder
// would (following its requires, with the nearest configuration's settings). A document's findings
// are those of every root that read it. A change re-analyses only the roots that read the changed
// file.
//
// While a file of a root does not parse, the root keeps showing the findings of its last
// analysis that parsed, moved to the lines they are on now (LineMap; findings on edited
// lines are dropped), with the syntax errors of the current text.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "checks/check_run.h"
#include "checks/scope.h"
#include "config/config.h"
#include "frontend/loader.h"
#include "lsp/documents.h"

namespace calm::lsp {

struct Document {
  std::string uri;
  std::string path;  ///< absolute, normalized
  Text text;
  int version = 0;
};

/// One analysis of a root: the load, the findings, and the program analyses (built on
/// first use). Not movable once made (the analyses point into `load`).
class Analysis {
 public:
  Analysis(LoadResult load, const CheckOptions& options);
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;

  const LoadResult& load() const { return load_; }
  const CheckRun& run() const { return run_; }
  /// True when a file read does not parse (a calm-parse-error).
  bool parse_failed() const { return parse_failed_; }
  /// True when the load read `path` (absolute, normalized).
  bool read(const std::string& path) const { return load_.sources.count(path) > 0; }
  const ProgramAnalysis& program(size_t i) const;
  /// The source text of a file read, or nullptr.
  const std::string* source(const std::string& path) const;

 private:
  LoadResult load_;
  CheckRun run_;
  bool parse_failed_ = false;
  mutable std::vector<std::unique_ptr<ProgramAnalysis>> programs_;
};

struct WorkspaceOptions {
  /// Where `require` looks for files of a program that no .calm.json configures (-I).
  std::vector<std::string> include_dirs;
};

class Workspace {
 public:
  explicit Workspace(WorkspaceOptions options = {}) : options_(std::move(options)) {}

  /// Open documents, by absolute normalized path.
  void open(const std::string& uri, const std::string& path, std::string text, int version);
  void change(const std::string& path, std::string text, int version);
  void close(const std::string& path);
  /// Files changed on disk (saved elsewhere, a branch switched): everything is re-read.
  void invalidate_all();
  const Document* document(const std::string& path) const;
  const std::map<std::string, Document>& documents() const { return documents_; }

  /// Brings every root up to date with the documents; false when nothing had changed.
  bool analyze();
  /// True when a change is waiting for analyze().
  bool dirty() const;

  /// The findings shown in a document: not suppressed, not in an excluded file, from
  /// every root that read it (the kept ones while a file does not parse), sorted.
  std::vector<Finding> findings_for(const std::string& path) const;
  /// The current analyses of the roots that read `path`.
  std::vector<const Analysis*> analyses_of(const std::string& path) const;
  /// Problems of `.calm.json` files (bad JSON, unknown keys), by config path.
  const std::map<std::string, std::vector<Diagnostic>>& config_problems() const {
    return config_problems_;
  }
  /// How many loads analyze() ran, in all (for tests and the benchmark).
  size_t loads() const { return loads_; }

 private:
  struct Root {
    LoadOptions load;
    CheckOptions checks;
    FileScope excluded;  ///< the config's exclude globs
    std::string config;  ///< "" for a file root
    std::shared_ptr<const Analysis> current, good;
    bool dirty = true;
  };
  struct ConfigEntry {
    std::optional<Config> config;  ///< nullopt when it does not parse
    std::string text;
  };

  const ConfigEntry* config_for(const std::string& dir);
  /// A root with the settings of `config` (none: the server's include dirs only).
  Root make_root(const Config* config);
  void analyze_root(Root& root);
  std::vector<Finding> root_findings(const Root& root, const std::string& path) const;

  WorkspaceOptions options_;
  std::map<std::string, Document> documents_;
  std::map<std::string, Root> roots_;  ///< "config:<path>#<i>" or "file:<path>"
  std::map<std::string, std::optional<std::string>> config_paths_;  ///< dir -> nearest config
  std::map<std::string, ConfigEntry> configs_;
  std::map<std::string, std::vector<Diagnostic>> config_problems_;
  std::set<std::string> changed_;  ///< paths changed since the last analyze()
  bool all_dirty_ = true;
  size_t loads_ = 0;
};

/// `path` made absolute and lexically normal.
std::string normal_path(const std::string& path);

}  // namespace calm::lsp
