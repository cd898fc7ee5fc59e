#include "lsp/workspace.h"

#include <algorithm>
#include <filesystem>

#include "base/input_files.h"
#include "checks/baseline.h"
#include "checks/loader_findings.h"

namespace calm::lsp {

namespace fs = std::filesystem;

namespace {

bool is_config_path(const std::string& path) {
  return fs::path(path).filename() == kConfigFileName;
}

std::string finding_key(const Finding& f) {
  return f.check + '\x1f' + to_string(f.location) + '\x1f' + f.message;
}

}  // namespace

std::string normal_path(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) p = path;
  return p.lexically_normal().string();
}

Analysis::Analysis(LoadResult load, const CheckOptions& options) : load_(std::move(load)) {
  take_verbose_only(load_.diagnostics);  // gem requires, as `calm check` without --verbose
  for (const auto& d : load_.diagnostics.items())
    if (d.check == "calm-parse-error") parse_failed_ = true;
  run_ = run_checks(load_, options);
  programs_.resize(load_.programs.size());
}

const ProgramAnalysis& Analysis::program(size_t i) const {
  if (!programs_[i]) programs_[i] = std::make_unique<ProgramAnalysis>(load_.programs[i]);
  return *programs_[i];
}

const std::string* Analysis::source(const std::string& path) const {
  auto it = load_.sources.find(path);
  return it == load_.sources.end() ? nullptr : &it->second;
}

void Workspace::open(const std::string& uri, const std::string& path, std::string text,
                     int version) {
  documents_[path] = Document{uri, path, Text(std::move(text)), version};
  changed_.insert(path);
}

void Workspace::change(const std::string& path, std::string text, int version) {
  auto it = documents_.find(path);
  if (it == documents_.end()) return;
  it->second.text = Text(std::move(text));
  it->second.version = version;
  changed_.insert(path);
}

void Workspace::close(const std::string& path) {
  // Its text on disk may differ from the buffer: the roots that read it read it again.
  if (documents_.erase(path)) changed_.insert(path);
}

void Workspace::invalidate_all() { all_dirty_ = true; }

const Document* Workspace::document(const std::string& path) const {
  auto it = documents_.find(path);
  return it == documents_.end() ? nullptr : &it->second;
}

bool Workspace::dirty() const { return all_dirty_ || !changed_.empty(); }

const Workspace::ConfigEntry* Workspace::config_for(const std::string& dir) {
  auto found = config_paths_.find(dir);
  if (found == config_paths_.end()) {
    std::optional<std::string> p = find_config(dir);
    if (p) p = normal_path(*p);
    found = config_paths_.emplace(dir, p).first;
  }
  if (!found->second) return nullptr;
  const std::string& path = *found->second;
  if (auto it = configs_.find(path); it != configs_.end()) return &it->second;
  ConfigEntry entry;
  Diagnostics diags;
  bool ok;
  if (const Document* open = document(path)) {
    entry.text = open->text.str();
    ok = true;
  } else {
    ok = read_text_file(path, entry.text, diags);
  }
  Config config;
  if (ok && parse_config(entry.text, path, all_check_ids(), config, diags)) {
    entry.config = std::move(config);
    config_problems_.erase(path);
  } else {
    config_problems_[path] = diags.sorted();
  }
  return &configs_.emplace(path, std::move(entry)).first->second;
}

Workspace::Root Workspace::make_root(const Config* c) {
  Root root;
  std::vector<std::string> dirs =
      c && !c->include_dirs.empty() ? c->include_dirs : options_.include_dirs;
  for (const auto& d : dirs) root.load.include_dirs.push_back(normal_path(d));
  if (!c) return root;
  root.checks.disabled.insert(c->disabled_checks.begin(), c->disabled_checks.end());
  for (const auto& g : c->exclude) root.excluded.exclude(g, c->dir);
  if (c->baseline) {
    std::string text, error;
    Diagnostics diags;
    std::set<std::string> fingerprints;
    if (read_text_file(*c->baseline, text, diags) && parse_baseline(text, fingerprints, error)) {
      root.checks.baseline = std::move(fingerprints);
    } else {
      auto& problems = config_problems_[c->path];
      Diagnostic d{Severity::Error,
                   "calm-bad-baseline",
                   error.empty() ? "cannot read the baseline " + *c->baseline : error,
                   SourceLocation{*c->baseline, 0, 0},
                   {}};
      bool known = std::any_of(problems.begin(), problems.end(), [&](const Diagnostic& p) {
        return p.check == d.check && p.message == d.message;
      });
      if (!known) problems.push_back(d);
    }
  }
  return root;
}

void Workspace::analyze_root(Root& root) {
  LoadOptions load = root.load;
  for (const auto& [path, doc] : documents_) load.memory_files[path] = doc.text.str();
  auto analysis = std::make_shared<const Analysis>(load_programs(load), root.checks);
  ++loads_;
  root.current = analysis;
  if (!analysis->parse_failed()) root.good = analysis;
  root.dirty = false;
}

bool Workspace::analyze() {
  if (!dirty()) return false;
  bool config_changed = all_dirty_;
  for (const auto& p : changed_) config_changed = config_changed || is_config_path(p);
  if (config_changed) {  // configurations are read again, their roots made again
    config_paths_.clear();
    configs_.clear();
    config_problems_.clear();
    roots_.clear();
  }
  if (all_dirty_)
    for (auto& [key, root] : roots_) root.dirty = true;

  // The configured programs of the open documents' configurations.
  std::set<std::string> wanted;
  for (const auto& [path, doc] : documents_) {
    if (is_config_path(path)) continue;
    const ConfigEntry* entry = config_for(fs::path(path).parent_path().string());
    if (!entry || !entry->config) continue;
    const Config& c = *entry->config;
    for (size_t i = 0; i < c.programs.size(); ++i) {
      std::string key = "config:" + c.path + "#" + std::to_string(i);
      wanted.insert(key);
      if (roots_.count(key)) continue;
      Root root = make_root(&c);
      root.config = c.path;
      for (const auto& f : c.programs[i].files) root.load.files.push_back(normal_path(f));
      root.load.modules = c.programs[i].modules;
      roots_.emplace(key, std::move(root));
    }
  }
  std::erase_if(roots_,
                [&](const auto& r) { return !r.second.config.empty() && !wanted.count(r.first); });

  auto reads_changed = [&](const Root& root) {
    if (!root.current) return true;
    for (const auto& p : changed_)
      if (root.current->read(p) ||
          std::find(root.load.files.begin(), root.load.files.end(), p) != root.load.files.end())
        return true;
    return false;
  };
  for (auto& [key, root] : roots_)
    if (!root.config.empty() && (root.dirty || reads_changed(root))) analyze_root(root);

  // Open files no configured program reads: each a program of its own.
  std::set<std::string> own;
  for (const auto& [path, doc] : documents_) {
    if (is_config_path(path)) continue;
    bool covered = false;
    for (const auto& [key, root] : roots_)
      covered = covered || (!root.config.empty() && root.current && root.current->read(path));
    if (covered) continue;
    std::string key = "file:" + path;
    own.insert(key);
    if (roots_.count(key)) continue;
    // `calm check FILE` run next to the file: the configuration's settings apply.
    const ConfigEntry* entry = config_for(fs::path(path).parent_path().string());
    Root root = make_root(entry && entry->config ? &*entry->config : nullptr);
    root.load.files = {path};
    roots_.emplace(key, std::move(root));
  }
  std::erase_if(roots_,
                [&](const auto& r) { return r.second.config.empty() && !own.count(r.first); });
  for (auto& [key, root] : roots_)
    if (root.config.empty() && (root.dirty || reads_changed(root))) analyze_root(root);
  changed_.clear();
  all_dirty_ = false;
  return true;
}

std::vector<Finding> Workspace::root_findings(const Root& root, const std::string& path) const {
  std::vector<Finding> out;
  if (!root.current || !root.excluded.contains(path)) return out;
  auto shown = [&](const Finding& f) { return !f.suppression && f.location.file == path; };
  const Analysis& now = *root.current;
  if (!now.parse_failed() || !root.good || root.good == root.current) {
    for (const auto& f : now.run().findings)
      if (shown(f)) out.push_back(f);
    return out;
  }
  // Does not parse: the syntax errors of now, and what the last good analysis found,
  // moved to where its lines are now.
  for (const auto& f : now.run().findings)
    if (shown(f) && f.check == "calm-parse-error") out.push_back(f);
  const Analysis& good = *root.good;
  std::map<std::string, LineMap> maps;
  auto mapped = [&](SourceLocation loc) -> std::optional<SourceLocation> {
    if (!loc.known()) return loc;
    auto it = maps.find(loc.file);
    if (it == maps.end()) {
      const std::string* before = good.source(loc.file);
      const std::string* after = now.source(loc.file);
      if (!before || !after) return loc;
      it = maps.emplace(loc.file, LineMap(*before, *after)).first;
    }
    auto line = it->second.map(loc.line);
    if (!line) return std::nullopt;
    loc.line = *line;
    return loc;
  };
  for (Finding f : good.run().findings) {
    if (!shown(f) || f.check == "calm-parse-error") continue;
    auto loc = mapped(f.location);
    if (!loc) continue;
    f.location = *loc;
    std::vector<FindingNote> notes;
    for (auto& n : f.notes)
      if (auto nl = mapped(n.location)) notes.push_back({n.message, *nl});
    f.notes = std::move(notes);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> Workspace::findings_for(const std::string& path) const {
  std::vector<Finding> out;
  std::set<std::string> seen;
  for (const auto& [key, root] : roots_) {
    if (!root.current || (!root.current->read(path) && !(root.good && root.good->read(path))))
      continue;
    for (auto& f : root_findings(root, path))
      if (seen.insert(finding_key(f)).second) out.push_back(std::move(f));
  }
  sort_findings(out);
  return out;
}

std::vector<const Analysis*> Workspace::analyses_of(const std::string& path) const {
  std::vector<const Analysis*> out;
  for (const auto& [key, root] : roots_)
    if (root.current && root.current->read(path)) out.push_back(root.current.get());
  return out;
}

}  // namespace calm::lsp
