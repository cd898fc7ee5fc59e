#include "checks/finding.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <tuple>

namespace calm {

const char* to_string(SuppressionKind k) {
  switch (k) {
    case SuppressionKind::Inline:
      return "inline";
    case SuppressionKind::Coordinated:
      return "coordinated";
    case SuppressionKind::Baseline:
      return "baseline";
  }
  return "inline";
}

bool finding_less(const Finding& a, const Finding& b) {
  return std::tie(a.location.file, a.location.line, a.location.column, a.severity, a.check,
                  a.message, a.program) < std::tie(b.location.file, b.location.line,
                                                   b.location.column, b.severity, b.check,
                                                   b.message, b.program);
}

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), finding_less);
}

namespace {
/// Removes a Ruby comment from one line: a `#` that starts the line or follows
/// whitespace, and is not the `#{` of an interpolation.
std::string strip_comment(const std::string& line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '#') continue;
    bool starts = i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t';
    bool interpolation = i + 1 < line.size() && line[i + 1] == '{';
    if (starts && !interpolation) return line.substr(0, i);
  }
  return line;
}
}  // namespace

std::string normalize_source_text(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = strip_comment(text.substr(start, end - start));
    for (char c : line) {
      bool space = c == ' ' || c == '\t' || c == '\r';
      if (space) {
        if (!out.empty() && out.back() != ' ') out += ' ';
      } else {
        out += c;
      }
    }
    if (!out.empty() && out.back() != ' ') out += ' ';
    start = end + 1;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string make_fingerprint(const std::vector<std::string>& parts) {
  std::uint64_t h = 14695981039346656037ull;
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 1099511628211ull;
  };
  for (const auto& p : parts) {
    for (unsigned char c : p) mix(c);
    mix(0x1f);
  }
  static const char* digits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = digits[h & 0xf];
    h >>= 4;
  }
  return out;
}

void disambiguate_fingerprints(std::vector<Finding>& findings) {
  std::map<std::string, int> seen;
  for (auto& f : findings) {
    int rank = seen[f.fingerprint]++;
    if (rank > 0) f.fingerprint = make_fingerprint({f.fingerprint, std::to_string(rank)});
  }
}

std::string message_with_program(const Finding& f, bool with_program) {
  if (!with_program || f.program.empty()) return f.message;
  return f.message + " (program " + f.program + ")";
}

}  // namespace calm
