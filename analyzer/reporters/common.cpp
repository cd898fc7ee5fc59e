#include "reporters/common.h"

#include <filesystem>
#include <set>

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

namespace {
std::string plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}
}  // namespace

std::string summary_line(const CheckRun& run) {
  return plural(run.count(Severity::Warning), "warning") + ", " +
         plural(run.count(Severity::Error), "error") + ", " +
         plural(run.count(Severity::Note), "note") + ", " + std::to_string(run.suppressed()) +
         " suppressed";
}

bool spans_several_programs(const CheckRun& run) {
  std::set<std::string> programs;
  for (const auto& f : run.findings)
    if (!f.program.empty()) programs.insert(f.program);
  return programs.size() > 1;
}

std::string message_with_program(const Finding& f, bool with_program) {
  if (!with_program || f.program.empty()) return f.message;
  return f.message + " (program " + f.program + ")";
}

}  // namespace calm
