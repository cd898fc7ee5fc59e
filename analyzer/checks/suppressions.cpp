#include "checks/suppressions.h"

#include <algorithm>
#include <sstream>

#include "base/text.h"

namespace calm {

namespace {
constexpr const char* kBadSuppression = "calm-bad-suppression";
constexpr const char* kUnusedSuppression = "calm-unused-suppression";

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

/// True for a blank line or a line holding only a comment.
bool is_blank_or_comment(const std::string& line) {
  std::string t = trim(line);
  return t.empty() || t[0] == '#';
}

Finding bad(const SourceLocation& at, const std::string& message) {
  Finding f;
  f.check = kBadSuppression;
  f.severity = Severity::Warning;
  f.message = message;
  f.location = at;
  f.statement = at;
  f.fingerprint = make_fingerprint({kBadSuppression, at.file, message});
  return f;
}
}  // namespace

std::vector<std::string> marker_check_ids(const std::string& checks) {
  std::string ids = checks;
  std::replace(ids.begin(), ids.end(), ',', ' ');
  std::istringstream in(ids);
  std::vector<std::string> out;
  for (std::string id; in >> id;) out.push_back(id);
  return out;
}

std::optional<MarkerText> parse_marker_line(const std::string& line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '#') continue;
    bool starts = i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t';
    if (!starts || (i + 1 < line.size() && line[i + 1] == '{')) continue;
    std::string rest = trim(line.substr(i + 1));
    MarkerText m;
    m.column = int(i) + 1;
    for (const char* kind : {"allow", "coordinated"}) {
      std::string key = std::string("calm:") + kind;
      if (rest.rfind(key, 0) != 0) continue;
      std::string after = rest.substr(key.size());
      if (!after.empty() && after[0] != ' ' && after[0] != '\t' && after[0] != '-') continue;
      m.kind = kind;
      size_t sep = after.find("--");
      m.has_separator = sep != std::string::npos;
      m.checks = trim(after.substr(0, sep));
      if (m.has_separator) m.reason = trim(after.substr(sep + 2));
      return m;
    }
    return std::nullopt;  // the first comment of the line is not a marker
  }
  return std::nullopt;
}

Markers scan_markers(const std::map<std::string, std::string>& sources,
                     const std::vector<SourceFile>& files,
                     const std::vector<std::string>& known_checks) {
  Markers out;
  std::map<std::string, const SourceFile*> by_path;
  for (const auto& f : files) by_path.emplace(f.path, &f);
  for (const auto& [path, text] : sources) {
    std::vector<std::string> lines = split_lines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
      auto m = parse_marker_line(lines[i]);
      if (!m) continue;
      SourceLocation at{path, int(i) + 1, m->column};
      if (!m->has_separator || m->reason.empty()) {
        out.problems.push_back(bad(at, "calm:" + m->kind + " needs a reason: `# calm:" + m->kind +
                                           (m->kind == "allow" ? " CHECK" : "") +
                                           " -- why this is safe`"));
        continue;
      }
      if (m->kind == "allow") {
        AllowMarker a{at, {}, m->reason};
        bool ok = true;
        for (const std::string& id : marker_check_ids(m->checks)) {
          if (std::find(known_checks.begin(), known_checks.end(), id) == known_checks.end()) {
            std::string msg =
                "calm:allow names an unknown check '" + id + "'" + did_you_mean(id, known_checks);
            out.problems.push_back(bad(at, msg));
            ok = false;
          }
          a.checks.push_back(id);
        }
        if (a.checks.empty()) {
          out.problems.push_back(bad(at,
                                     "calm:allow names no check: `# calm:allow "
                                     "calm-point-of-order -- why this is safe`"));
          ok = false;
        }
        if (ok) out.allows.push_back(std::move(a));
        continue;
      }
      // calm:coordinated: find the module it belongs to.
      std::string module;
      auto file = by_path.find(path);
      if (file != by_path.end()) {
        // Prefer the module right below the marker over the one whose body it opens
        // (`module Outer` / `# calm:coordinated` / `module Inner` marks Inner).
        int marker = int(i) + 1;
        for (bool above : {true, false}) {
          for (const auto& def : file->second->modules) {
            int mline = def.location.line;  // 1-based line of `module X`
            if (mline <= 0 || mline > int(lines.size()) || (marker < mline) != above ||
                marker == mline)
              continue;
            bool between_ok = true;
            int lo = std::min(marker, mline), hi = std::max(marker, mline);
            for (int l = lo + 1; l < hi; ++l)
              between_ok = between_ok && is_blank_or_comment(lines[size_t(l - 1)]);
            if (between_ok) {
              module = def.name;
              break;
            }
          }
          if (!module.empty()) break;
        }
      }
      if (module.empty()) {
        out.problems.push_back(bad(at,
                                   "calm:coordinated must be right above `module X` / "
                                   "`class X` or at the top of its body"));
        continue;
      }
      out.coordinated.push_back({at, module, m->reason});
    }
  }
  return out;
}

void apply_markers(std::vector<Finding>& findings, const Markers& markers,
                   const std::vector<Program>& programs, const std::set<std::string>& disabled) {
  std::set<std::string> coordinated;
  for (const auto& c : markers.coordinated) coordinated.insert(c.module);
  std::vector<bool> allow_used(markers.allows.size(), false);
  std::map<std::string, bool> coordinated_used;

  for (auto& f : findings) {
    if (f.suppression) continue;
    // Inline first: the more specific marker gets the credit.
    for (size_t i = 0; i < markers.allows.size() && !f.suppression; ++i) {
      const AllowMarker& a = markers.allows[i];
      // A marker written for calm-point-of-order also covers the same rule reported as
      // calm-local-point-of-order (the check a local point of order moved to).
      auto covers = [&](const std::string& id) {
        return id == f.check ||
               (id == "calm-point-of-order" && f.check == "calm-local-point-of-order");
      };
      if (std::none_of(a.checks.begin(), a.checks.end(), covers)) continue;
      bool here = false;
      for (const SourceLocation* l : {&f.location, &f.statement})
        here = here || (l->file == a.location.file &&
                        (l->line == a.location.line || l->line == a.location.line + 1));
      if (!here) continue;
      f.suppression = Suppression{SuppressionKind::Inline, a.reason, a.location};
      allow_used[i] = true;
    }
    if (f.suppression || f.modules.empty()) continue;
    bool all = std::all_of(f.modules.begin(), f.modules.end(),
                           [&](const std::string& m) { return coordinated.count(m) > 0; });
    if (!all) continue;
    for (const auto& c : markers.coordinated)
      if (c.module == f.modules.front()) {
        f.suppression = Suppression{SuppressionKind::Coordinated, c.reason, c.location};
        for (const auto& m : f.modules) coordinated_used[m] = true;
        break;
      }
  }

  // Which lines hold analysed code, and which modules were analysed.
  std::set<std::pair<std::string, int>> code_lines;
  std::set<std::string> analysed_modules;
  for (const auto& p : programs) {
    for (const auto& r : p.rules) {
      code_lines.insert({r.location.file, r.location.line});
      code_lines.insert({r.op_location.file, r.op_location.line});
    }
    for (const auto& c : p.collections) code_lines.insert({c.location.file, c.location.line});
    analysed_modules.insert(p.modules.begin(), p.modules.end());
  }
  std::vector<Finding> unused;
  auto report = [&](const SourceLocation& at, const std::string& what) {
    Finding f;
    f.check = kUnusedSuppression;
    f.severity = Severity::Note;
    f.message = what + " suppresses nothing; remove it";
    f.location = at;
    f.statement = at;
    f.fingerprint = make_fingerprint({kUnusedSuppression, at.file, what});
    unused.push_back(std::move(f));
  };
  for (size_t i = 0; i < markers.allows.size(); ++i) {
    const AllowMarker& a = markers.allows[i];
    if (allow_used[i]) continue;
    bool all_disabled = std::all_of(a.checks.begin(), a.checks.end(),
                                    [&](const std::string& c) { return disabled.count(c) > 0; });
    bool concerns_code = code_lines.count({a.location.file, a.location.line}) ||
                         code_lines.count({a.location.file, a.location.line + 1});
    if (all_disabled || !concerns_code) continue;
    std::string ids;
    for (const auto& c : a.checks) ids += (ids.empty() ? "" : ", ") + c;
    report(a.location, "calm:allow " + ids);
  }
  for (const auto& c : markers.coordinated)
    if (analysed_modules.count(c.module) && !coordinated_used[c.module])
      report(c.location, "calm:coordinated on " + c.module);
  findings.insert(findings.end(), unused.begin(), unused.end());
}

}  // namespace calm
