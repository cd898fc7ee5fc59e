#include "reporters/text_reporter.h"

#include <algorithm>
#include <functional>
#include <map>
#include <utility>

#include "reporters/common.h"

namespace calm {

namespace {
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kReset = "\x1b[0m";
constexpr const char* kGreen = "\x1b[1;32m";

const char* severity_color(Severity s) {
  switch (s) {
    case Severity::Error:
      return "\x1b[1;31m";
    case Severity::Warning:
      return "\x1b[1;35m";
    case Severity::Note:
      return "\x1b[1;36m";
  }
  return "";
}

std::string line_of(const std::map<std::string, std::string>& sources, const SourceLocation& l) {
  auto it = sources.find(l.file);
  if (it == sources.end() || l.line <= 0) return "";
  const std::string& text = it->second;
  size_t start = 0;
  for (int i = 1; i < l.line; ++i) {
    start = text.find('\n', start);
    if (start == std::string::npos) return "";
    ++start;
  }
  size_t end = text.find('\n', start);
  std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string located(const SourceLocation& loc, Severity s, const std::string& message, bool color,
                    const std::string& root) {
  SourceLocation shown = loc;
  shown.file = display_path(loc.file, root);
  std::string where = to_string(shown);
  if (where.empty()) where = "calm";
  std::string out;
  out += color ? std::string(kBold) + where + ":" + kReset : where + ":";
  out += " ";
  out += color ? std::string(severity_color(s)) + to_string(s) + ":" + kReset
               : std::string(to_string(s)) + ":";
  out += " " + message;
  return out;
}
}  // namespace

std::string source_snippet(const SourceLocation& loc,
                           const std::map<std::string, std::string>& sources, bool color) {
  std::string line = line_of(sources, loc);
  if (line.empty()) return "";
  std::string out = "  " + line + "\n  ";
  for (int i = 1; i < loc.column && i <= int(line.size()); ++i)
    out += line[size_t(i - 1)] == '\t' ? '\t' : ' ';
  out += color ? std::string(kGreen) + "^" + kReset : std::string("^");
  return out + "\n";
}

namespace {
/// The finding's header and snippet, then the notes for which `show` holds.
std::string format_with(const Finding& f, const std::map<std::string, std::string>& sources,
                        const TextOptions& options,
                        const std::function<bool(const FindingNote&)>& show) {
  std::string out = located(f.location, f.severity, message_with_program(f, options.with_program),
                            options.color, options.root);
  out += " [" + f.check + "]\n";
  out += source_snippet(f.location, sources, options.color);
  for (const auto& n : f.notes)
    if (show(n))
      out += located(n.location, Severity::Note, n.message, options.color, options.root) + "\n";
  return out;
}
}  // namespace

std::string format_finding(const Finding& f, const std::map<std::string, std::string>& sources,
                           const TextOptions& options) {
  return format_with(f, sources, options, [](const FindingNote&) { return true; });
}

std::string text_report(const CheckRun& run, const std::map<std::string, std::string>& sources,
                        const TextOptions& options) {
  std::string out;
  size_t notes_printed = 0;
  // Per check, the notes printed so far and the finding that printed each first.
  std::map<std::pair<std::string, FindingNote>, const Finding*> printed;
  for (const auto& f : run.findings) {
    if (f.suppression) continue;
    size_t repeated = 0;
    std::vector<const Finding*> firsts;  // where the repeated notes were printed, in order
    auto show = [&](const FindingNote& n) {
      auto [it, fresh] = printed.emplace(std::make_pair(f.check, n), &f);
      if (fresh) {
        ++notes_printed;
        return true;
      }
      ++repeated;
      if (std::find(firsts.begin(), firsts.end(), it->second) == firsts.end())
        firsts.push_back(it->second);
      return false;
    };
    out += format_with(f, sources, options, show);
    if (repeated > 0) {
      std::sort(firsts.begin(), firsts.end());  // the run's order: findings are sorted
      std::string where;
      for (size_t i = 0; i < firsts.size(); ++i) {
        SourceLocation l = firsts[i]->location;
        l.file = display_path(l.file, options.root);
        where += std::string(i == 0 ? "" : i + 1 == firsts.size() ? " and " : ", ") + to_string(l);
      }
      std::string text = std::to_string(repeated) + (repeated == 1 ? " note" : " notes") +
                         " as for the finding" + (firsts.size() > 1 ? "s" : "") + " at " + where +
                         " above";
      out += located(f.location, Severity::Note, text, options.color, options.root) + "\n";
      ++notes_printed;
    }
  }
  std::string outside = out_of_scope_text(run.outside, options.root);
  if (!outside.empty()) out += located({}, Severity::Note, outside, options.color, "") + "\n";
  return out + summary_line(run, notes_printed) + "\n";
}

}  // namespace calm
