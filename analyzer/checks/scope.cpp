#include "checks/scope.h"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace calm {

namespace {

std::string absolute_normal(const std::string& path, const std::string& base) {
  std::error_code ec;
  fs::path p(path);
  if (p.is_relative()) p = fs::path(base.empty() ? "." : base) / p;
  fs::path a = fs::absolute(p, ec);
  if (ec) a = p;
  std::string s = a.lexically_normal().generic_string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

/// Matches pattern[pi..] against path[si..]; `**` segments by backtracking (paths and
/// patterns are short, so the worst case stays small).
bool match_from(const std::string& p, size_t pi, const std::string& s, size_t si) {
  while (pi < p.size()) {
    // `**` as a whole segment: "**/" matches zero or more leading segments, a final
    // "**" anything.
    bool segment_start = pi == 0 || p[pi - 1] == '/';
    if (segment_start && p.compare(pi, 2, "**") == 0 && (pi + 2 == p.size() || p[pi + 2] == '/')) {
      if (pi + 2 == p.size()) return true;
      size_t rest = pi + 3;
      for (size_t k = si; k <= s.size(); ++k)
        if ((k == si || s[k - 1] == '/') && match_from(p, rest, s, k)) return true;
      return false;
    }
    char c = p[pi];
    if (c == '*') {
      for (size_t k = si; k <= s.size(); ++k) {
        if (match_from(p, pi + 1, s, k)) return true;
        if (k < s.size() && s[k] == '/') break;
      }
      return false;
    }
    if (si >= s.size()) return false;
    if (c == '?') {
      if (s[si] == '/') return false;
    } else if (c != s[si]) {
      return false;
    }
    ++pi;
    ++si;
  }
  return si == s.size();
}

bool has_wildcard(const std::string& p) { return p.find_first_of("*?") != std::string::npos; }

}  // namespace

bool glob_match(const std::string& pattern, const std::string& path) {
  if (match_from(pattern, 0, path, 0)) return true;
  // "vendor" (no wildcard, or a directory) covers what is below it.
  std::string dir = pattern;
  while (!dir.empty() && dir.back() == '/') dir.pop_back();
  if (!has_wildcard(pattern) || pattern.back() == '/') return match_from(dir + "/**", 0, path, 0);
  return false;
}

void FileScope::add_file(const std::string& file) {
  files_.push_back(absolute_normal(file, ""));
  dirs_.push_back(fs::path(files_.back()).parent_path().generic_string());
}

void FileScope::include(const std::string& glob, const std::string& base, bool command_line) {
  (command_line ? cli_include_ : include_).push_back(absolute_normal(glob, base));
}

void FileScope::exclude(const std::string& glob, const std::string& base, bool command_line) {
  (command_line ? cli_exclude_ : exclude_).push_back(absolute_normal(glob, base));
}

bool FileScope::contains(const std::string& file) const {
  if (file.empty() || file.front() == '<') return true;
  std::string f = absolute_normal(file, "");
  auto any = [&](const std::vector<std::string>& globs) {
    return std::any_of(globs.begin(), globs.end(),
                       [&](const std::string& g) { return glob_match(g, f); });
  };
  if (any(cli_exclude_)) return false;
  if (any(cli_include_)) return true;
  if (any(exclude_)) return false;
  if (unrestricted()) return true;
  for (const auto& n : files_)
    if (n == f) return true;
  std::string dir = fs::path(f).parent_path().generic_string();
  for (const auto& d : dirs_)
    if (d == dir) return true;
  for (const auto& g : include_)
    if (glob_match(g, f)) return true;
  return false;
}

void apply_scope(CheckRun& run, const FileScope& scope) {
  std::erase_if(run.findings, [&](const Finding& f) {
    if (scope.contains(f.location.file)) return false;
    if (!f.suppression) {
      ++run.outside.findings;
      run.outside.errors += f.severity == Severity::Error;
      ++run.outside.by_file[f.location.file];
    }
    return true;
  });
}

}  // namespace calm
