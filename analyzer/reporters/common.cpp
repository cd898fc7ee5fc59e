#include "reporters/common.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <vector>

namespace fs = std::filesystem;

namespace calm {

std::optional<std::string> repository_relative(const std::string& file,
                                               const std::string& srcroot) {
  std::error_code ec;
  fs::path root = fs::absolute(srcroot.empty() ? fs::path(".") : fs::path(srcroot), ec);
  fs::path path = fs::absolute(file, ec);
  if (ec) return std::nullopt;
  fs::path rel = path.lexically_normal().lexically_relative(root.lexically_normal());
  if (rel.empty()) return std::nullopt;
  std::string s = rel.generic_string();
  if (s == ".." || s.rfind("../", 0) == 0) return std::nullopt;
  return s;
}

std::string display_path(const std::string& file, const std::string& root) {
  if (file.empty() || file.front() == '<') return file;
  std::error_code ec;
  fs::path base = fs::absolute(root.empty() ? fs::path(".") : fs::path(root), ec);
  fs::path path = fs::absolute(file, ec);
  if (ec) return file;
  fs::path rel = path.lexically_normal().lexically_relative(base.lexically_normal());
  std::string s = rel.generic_string();
  if (s.empty()) return file;
  if ((s == ".." || s.rfind("../", 0) == 0) && fs::path(file).is_absolute())
    return path.lexically_normal().generic_string();
  return s;
}

namespace {
std::string plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}
}  // namespace

std::string summary_line(const CheckRun& run, size_t attached_notes) {
  std::string notes = plural(run.count(Severity::Note) + attached_notes, "note");
  if (attached_notes > 0) notes += " (" + std::to_string(attached_notes) + " attached to findings)";
  return plural(run.count(Severity::Warning), "warning") + ", " +
         plural(run.count(Severity::Error), "error") + ", " + notes + ", " +
         std::to_string(run.suppressed()) + " suppressed";
}

std::string out_of_scope_text(const OutOfScope& out, const std::string& root) {
  if (out.findings == 0) return "";
  std::string s = plural(out.findings, "finding");
  if (out.errors > 0) s += " (" + plural(out.errors, "error") + ")";
  s += " in files outside the checked paths (";
  std::vector<std::pair<size_t, std::string>> files;
  for (const auto& [file, n] : out.by_file) files.push_back({n, file});
  std::stable_sort(files.begin(), files.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < files.size() && i < 3; ++i)
    s += (i ? ", " : "") + display_path(files[i].second, root) + ": " +
         std::to_string(files[i].first);
  if (files.size() > 3) s += ", and " + plural(files.size() - 3, "more file");
  return s + "); --include GLOB to see them";
}

bool spans_several_programs(const CheckRun& run) {
  std::set<std::string> programs;
  for (const auto& f : run.findings)
    if (!f.program.empty()) programs.insert(f.program);
  return programs.size() > 1;
}

}  // namespace calm
