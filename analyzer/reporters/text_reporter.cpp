#include "reporters/text_reporter.h"

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

std::string located(const SourceLocation& loc, Severity s, const std::string& message, bool color) {
  std::string where = to_string(loc);
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

std::string format_finding(const Finding& f, const std::map<std::string, std::string>& sources,
                           const TextOptions& options) {
  std::string out =
      located(f.location, f.severity, message_with_program(f, options.with_program), options.color);
  out += " [" + f.check + "]\n";
  out += source_snippet(f.location, sources, options.color);
  for (const auto& n : f.notes)
    out += located(n.location, Severity::Note, n.message, options.color) + "\n";
  return out;
}

std::string text_report(const CheckRun& run, const std::map<std::string, std::string>& sources,
                        const TextOptions& options) {
  std::string out;
  for (const auto& f : run.findings)
    if (!f.suppression) out += format_finding(f, sources, options);
  return out + summary_line(run) + "\n";
}

}  // namespace calm
