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

Analysis::Analysis(LoadResult load, const RootSettings& settings) : load_(std::move(load)) {
  take_verbose_only(load_.diagnostics);  // gem requires, as `calm check` without --verbose
  if (!settings.modules.empty())
    relocate_module_diagnostics(load_.diagnostics, settings.modules, settings.module_locations);
  for (const auto& d : load_.diagnostics.items())
    if (d.check == "calm-parse-error") parse_failed_ = true;
  CheckOptions options = settings.checks;
  options.baseline.reset();
  run_ = run_checks(load_, options);
  if (!settings.fingerprint_root.empty()) {
    // `calm check` run in the configuration's folder names files relative to it, and a
    // loader finding's fingerprint holds its file (loader_findings.cpp).
    for (Finding& f : run_.findings) {
      if (!f.program.empty() || f.location.file.empty()) continue;
      fs::path rel = fs::path(f.location.file).lexically_relative(settings.fingerprint_root);
      if (rel.empty() || *rel.begin() == "..") continue;
      f.fingerprint = make_fingerprint({f.check, rel.string(), f.message});
    }
    disambiguate_fingerprints(run_.findings);
  }
  if (settings.checks.baseline) apply_baseline(run_.findings, *settings.checks.baseline);
  for (const Finding& f : run_.findings) reported_.insert(f.location.file);
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
  // A new file may be what another open file requires and could not find yet.
  if (!documents_.count(path)) roots_dirty_ = true;
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

bool Workspace::dirty() const { return all_dirty_ || roots_dirty_ || !changed_.empty(); }

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
  for (const auto& d : dirs) root.settings.load.include_dirs.push_back(normal_path(d));
  if (!c) return root;
  root.settings.checks.disabled.insert(c->disabled_checks.begin(), c->disabled_checks.end());
  root.settings.fingerprint_root = normal_path(c->dir.empty() ? "." : c->dir);
  for (const auto& g : c->exclude) root.excluded.exclude(g, c->dir);
  if (c->baseline) {
    std::string text, error;
    Diagnostics diags;
    std::set<std::string> fingerprints;
    if (read_text_file(*c->baseline, text, diags) && parse_baseline(text, fingerprints, error)) {
      root.settings.checks.baseline = std::move(fingerprints);
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

void Workspace::add_root(const std::string& key, Root root) {
  if (auto old = previous_.find(key); old != previous_.end()) {
    root.good = std::move(old->second.good);
    root.kept = std::move(old->second.kept);
    root.kept_lines = std::move(old->second.kept_lines);
    root.kept_at = std::move(old->second.kept_at);
    root.current = std::move(old->second.current);
    previous_.erase(old);
  }
  root.dirty = true;
  roots_.insert_or_assign(key, std::move(root));
}

namespace {

size_t line_count(const std::string& text) {
  return size_t(std::count(text.begin(), text.end(), '\n')) + 1;
}

/// `f` with its locations moved through the line tables; nullopt when its own line was
/// edited away.
std::optional<Finding> moved(Finding f, const std::map<std::string, std::vector<int>>& tables) {
  auto move = [&](SourceLocation loc) -> std::optional<SourceLocation> {
    auto it = tables.find(loc.file);
    if (!loc.known() || it == tables.end()) return loc;
    const auto& t = it->second;
    if (size_t(loc.line) >= t.size() || t[size_t(loc.line)] == 0) return std::nullopt;
    loc.line = t[size_t(loc.line)];
    return loc;
  };
  auto loc = move(f.location);
  if (!loc) return std::nullopt;
  f.location = *loc;
  f.statement = move(f.statement).value_or(f.location);
  std::vector<FindingNote> notes;
  for (auto& n : f.notes)
    if (auto nl = move(n.location)) notes.push_back({n.message, *nl});
  f.notes = std::move(notes);
  return f;
}

}  // namespace

void Workspace::analyze_root(Root& root) {
  RootSettings settings = root.settings;
  for (const auto& [path, doc] : documents_) settings.load.memory_files[path] = doc.text.str();
  auto analysis = std::make_shared<const Analysis>(load_programs(settings.load), settings);
  ++loads_;
  root.current = analysis;
  root.dirty = false;
  if (!analysis->parse_failed()) {
    root.good = analysis;
    root.kept_lines.clear();
    root.kept_at.reset();
    root.kept.clear();
    return;
  }
  if (!root.good) return;
  // Does not parse: each edit moves the lines of the last good texts along (one
  // prefix/suffix step per analysed edit, so what lies between two edits stays).
  const Analysis& from = root.kept_at ? *root.kept_at : *root.good;
  for (const auto& [path, after] : analysis->load().sources) {
    const std::string* before = from.source(path);
    if (!before || *before == after) continue;
    LineMap step(*before, after);
    auto& table = root.kept_lines[path];
    if (table.empty()) {  // the identity so far
      const std::string* good = root.good->source(path);
      if (!good) continue;
      table.resize(line_count(*good) + 1);
      for (size_t i = 1; i < table.size(); ++i) table[i] = int(i);
    }
    for (size_t i = 1; i < table.size(); ++i)
      if (table[i] != 0) table[i] = step.map(table[i]).value_or(0);
  }
  root.kept_at = analysis;
  root.kept.clear();
  for (const Finding& f : root.good->run().findings)
    if (!f.suppression && f.check != "calm-parse-error")
      if (auto m = moved(f, root.kept_lines)) root.kept.push_back(std::move(*m));
}

bool Workspace::analyze() {
  if (!dirty()) return false;
  bool config_changed = all_dirty_;
  for (const auto& p : changed_) config_changed = config_changed || is_config_path(p);
  if (config_changed) {
    // Configurations are read again and every root is made again with their settings;
    // what the roots analysed carries over (add_root).
    config_paths_.clear();
    configs_.clear();
    config_problems_.clear();
    previous_ = std::move(roots_);
    roots_.clear();
  }
  if (roots_dirty_)
    for (auto& [key, root] : roots_) root.dirty = true;

  // The configured programs of the open documents' configurations; an open
  // configuration is read too, so that its own problems show.
  std::set<std::string> wanted;
  for (const auto& [path, doc] : documents_) {
    const ConfigEntry* entry = config_for(fs::path(path).parent_path().string());
    if (is_config_path(path) || !entry || !entry->config) continue;
    const Config& c = *entry->config;
    for (size_t i = 0; i < c.programs.size(); ++i) {
      std::string key = "config:" + c.path + "#" + std::to_string(i);
      wanted.insert(key);
      if (roots_.count(key)) continue;
      Root root = make_root(&c);
      root.config = c.path;
      for (const auto& f : c.programs[i].files) root.settings.load.files.push_back(normal_path(f));
      root.settings.load.modules = c.programs[i].modules;
      root.settings.modules = c.programs[i].modules;
      root.settings.module_locations = c.programs[i].module_locations;
      add_root(key, std::move(root));
    }
  }
  std::erase_if(roots_,
                [&](const auto& r) { return !r.second.config.empty() && !wanted.count(r.first); });

  auto reads_changed = [&](const Root& root) {
    if (!root.current) return true;
    const auto& given = root.settings.load.files;
    for (const auto& p : changed_)
      if (root.current->read(p) || std::find(given.begin(), given.end(), p) != given.end())
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
    root.settings.load.files = {path};
    add_root(key, std::move(root));
  }
  std::erase_if(roots_,
                [&](const auto& r) { return r.second.config.empty() && !own.count(r.first); });
  for (auto& [key, root] : roots_)
    if (root.config.empty() && (root.dirty || reads_changed(root))) analyze_root(root);
  previous_.clear();

  // What the loads report about a configuration (an unknown module it names) is one of
  // its problems too: shown in it when it is open, said once otherwise.
  all_config_problems_ = config_problems_;
  for (const auto& [key, root] : roots_) {
    if (root.config.empty() || !root.current) continue;
    for (const Finding& f : root.current->run().findings)
      if (f.location.file == root.config || f.location.file == "<command line>")
        all_config_problems_[root.config].push_back(
            {f.severity,
             f.check,
             f.message,
             SourceLocation{root.config, f.location.line, f.location.column},
             {}});
  }
  changed_.clear();
  all_dirty_ = roots_dirty_ = false;
  return true;
}

std::vector<Finding> Workspace::root_findings(const Root& root, const std::string& path) const {
  std::vector<Finding> out;
  if (!root.current || !root.excluded.contains(path)) return out;
  auto shown = [&](const Finding& f) { return !f.suppression && f.location.file == path; };
  const Analysis& now = *root.current;
  if (!now.parse_failed() || !root.kept_at) {
    for (const auto& f : now.run().findings)
      if (shown(f)) out.push_back(f);
    return out;
  }
  // Does not parse: the syntax errors of now, and the last good findings, moved to where
  // their lines are now (analyze_root).
  for (const auto& f : now.run().findings)
    if (shown(f) && f.check == "calm-parse-error") out.push_back(f);
  for (const auto& f : root.kept)
    if (shown(f)) out.push_back(f);
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

std::vector<Workspace::View> Workspace::views_of(const std::string& path) const {
  std::vector<View> out;
  for (const auto& [key, root] : roots_) {
    if (!root.current) continue;
    const Analysis* good = root.good.get();
    if (root.current->parse_failed() && good && good->read(path)) {
      View v{good, nullptr, nullptr};
      if (auto t = root.kept_lines.find(path); t != root.kept_lines.end()) {
        auto to_now = std::make_shared<std::vector<int>>(t->second);
        auto back = std::make_shared<std::vector<int>>();
        for (size_t i = 1; i < to_now->size(); ++i) {
          int now = (*to_now)[i];
          if (now <= 0) continue;
          if (back->size() <= size_t(now)) back->resize(size_t(now) + 1, 0);
          (*back)[size_t(now)] = int(i);
        }
        v.to_now = std::move(to_now);
        v.to_analysis = std::move(back);
      }
      out.push_back(std::move(v));
    } else if (root.current->read(path)) {
      out.push_back(View{root.current.get(), nullptr, nullptr});
    }
  }
  return out;
}

}  // namespace calm::lsp
