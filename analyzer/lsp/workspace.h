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

/// How a root is loaded and checked: the load, the checks, and where a configuration
/// put things.
struct RootSettings {
  LoadOptions load;
  CheckOptions checks;  ///< the baseline is applied by Analysis (see fingerprint_root)
  /// The configuration's folder: loader findings are fingerprinted with their file's path
  /// relative to it, as `calm check` run there names them ("" = as loaded).
  std::string fingerprint_root;
  /// A configured program's `modules` and where the configuration names each: an
  /// unknown module is reported there (relocate_module_diagnostics).
  std::vector<std::string> modules;
  std::vector<SourceLocation> module_locations;
};

/// One analysis of a root: the load, the findings, and the program analyses (built on
/// first use). Not movable once made (the analyses point into `load`).
class Analysis {
 public:
  Analysis(LoadResult load, const RootSettings& settings);
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;

  const LoadResult& load() const { return load_; }
  const CheckRun& run() const { return run_; }
  /// True when a file read does not parse (a calm-parse-error).
  bool parse_failed() const { return parse_failed_; }
  /// True when the load read `path` (absolute, normalized) or reported on it (a file
  /// that could not be read is not in the sources, but its error is about it).
  bool read(const std::string& path) const {
    return load_.sources.count(path) > 0 || reported_.count(path) > 0;
  }
  const ProgramAnalysis& program(size_t i) const;
  /// The source text of a file read, or nullptr.
  const std::string* source(const std::string& path) const;

 private:
  LoadResult load_;
  CheckRun run_;
  bool parse_failed_ = false;
  std::set<std::string> reported_;
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

  /// An analysis to answer questions about an open document from (hover, definition,
  /// symbols): the current one; or, while the document's program does not parse, the
  /// last good one, with line maps between its text of the document and the text now.
  struct View {
    const Analysis* analysis = nullptr;
    /// Line tables (index: a 1-based line; 0: edited away); null: the same text.
    std::shared_ptr<const std::vector<int>> to_now, to_analysis;
    /// A line of the document in the analysis's text and back; nullopt: edited since.
    std::optional<int> analysis_line(int now) const { return through(to_analysis, now); }
    std::optional<int> now_line(int then) const { return through(to_now, then); }

   private:
    static std::optional<int> through(const std::shared_ptr<const std::vector<int>>& t, int l) {
      if (!t) return l;
      if (l <= 0 || size_t(l) >= t->size() || (*t)[size_t(l)] == 0) return std::nullopt;
      return (*t)[size_t(l)];
    }
  };
  std::vector<View> views_of(const std::string& path) const;
  /// Problems of `.calm.json` files (bad JSON, unknown keys), by config path.
  const std::map<std::string, std::vector<Diagnostic>>& config_problems() const {
    return all_config_problems_;
  }
  /// How many loads analyze() ran, in all (for tests and the benchmark).
  size_t loads() const { return loads_; }

 private:
  struct Root {
    RootSettings settings;
    FileScope excluded;  ///< the config's exclude globs
    std::string config;  ///< "" for a file root
    std::shared_ptr<const Analysis> current, good;
    /// While the root does not parse: where each line of the last good texts is now
    /// (per file that changed since; index: a 1-based line, 0: edited away), updated
    /// with every analysed edit; the analysis they lead to; and the last good findings
    /// moved through them.
    std::map<std::string, std::vector<int>> kept_lines;
    std::shared_ptr<const Analysis> kept_at;
    std::vector<Finding> kept;
    bool dirty = true;
  };
  struct ConfigEntry {
    std::optional<Config> config;  ///< nullopt when it does not parse
    std::string text;
  };

  const ConfigEntry* config_for(const std::string& dir);
  /// A root with the settings of `config` (none: the server's include dirs only).
  Root make_root(const Config* config);
  /// Adds `root` under `key`; what a root of that key analysed before (a configuration
  /// changed, files changed on disk) carries over, so the last good findings survive.
  void add_root(const std::string& key, Root root);
  void analyze_root(Root& root);
  std::vector<Finding> root_findings(const Root& root, const std::string& path) const;

  WorkspaceOptions options_;
  std::map<std::string, Document> documents_;
  std::map<std::string, Root> roots_;     ///< "config:<path>#<i>" or "file:<path>"
  std::map<std::string, Root> previous_;  ///< roots before a rebuild (add_root)
  std::map<std::string, std::optional<std::string>> config_paths_;  ///< dir -> nearest config
  std::map<std::string, ConfigEntry> configs_;
  std::map<std::string, std::vector<Diagnostic>> config_problems_;  ///< reading them
  /// config_problems_ and what the programs' loads report about the configuration (an
  /// unknown module it names), by config path.
  std::map<std::string, std::vector<Diagnostic>> all_config_problems_;
  std::set<std::string> changed_;  ///< paths changed since the last analyze()
  bool all_dirty_ = true;
  bool roots_dirty_ = false;  ///< a file was opened: every root loads again
  size_t loads_ = 0;
};

/// `path` made absolute and lexically normal.
std::string normal_path(const std::string& path);

}  // namespace calm::lsp
