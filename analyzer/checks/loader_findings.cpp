#include "checks/loader_findings.h"

#include <set>

#include "base/limits.h"
#include "checks/check_registry.h"

namespace calm {

std::vector<Finding> findings_from_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  constexpr DiagnosticId kNoId = "calm-error";
  std::vector<Finding> out;
  for (const auto& d : diagnostics) {
    Finding f;
    f.check = d.check.empty() ? kNoId.str() : d.check;
    const CheckEntry* entry = find_check(f.check);
    f.severity = entry ? entry->severity : d.severity;
    // Messages and paths reach JSON and SARIF: valid UTF-8 (U+FFFD for a bad byte).
    f.message = valid_utf8(d.message);
    f.location = d.location;
    f.location.file = valid_utf8(f.location.file);
    for (const auto& n : d.notes) f.notes.push_back({valid_utf8(n.message), n.location});
    f.statement = d.location;
    f.fingerprint = make_fingerprint({f.check, d.location.file, d.message});
    out.push_back(std::move(f));
  }
  return out;
}

const std::vector<std::string>& loader_check_ids() {
  static constexpr DiagnosticId kIds[] = {
      "calm-bad-declaration",   "calm-bad-import",           "calm-bootstrap-code",
      "calm-cyclic-include",    "calm-duplicate-collection", "calm-io-error",
      "calm-not-a-declaration", "calm-not-a-rule",           "calm-syndicate-opaque",
      "calm-unknown-module",    "calm-unresolved-require",
  };
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> out;
    for (DiagnosticId id : kIds) out.push_back(id.str());
    return out;
  }();
  return ids;
}

std::vector<std::string> all_check_ids() {
  std::vector<std::string> ids = check_ids();
  ids.insert(ids.end(), loader_check_ids().begin(), loader_check_ids().end());
  return ids;
}

bool is_input_error(const Diagnostic& d) {
  return d.severity == Severity::Error &&
         (d.check == "calm-io-error" || d.check == "calm-unknown-module" ||
          d.check == "calm-parse-error");
}

bool is_verbose_only(const Diagnostic& d) {
  return d.severity == Severity::Note && d.check == "calm-unresolved-require" &&
         d.message.rfind("cannot find '", 0) == 0;
}

std::vector<Diagnostic> take_verbose_only(Diagnostics& diags) {
  std::vector<Diagnostic> removed;
  for (auto& d : diags.take()) {
    if (is_verbose_only(d))
      removed.push_back(std::move(d));
    else
      diags.add(std::move(d));
  }
  return removed;
}

std::string hidden_requires_hint(const std::vector<Diagnostic>& hidden,
                                 const std::vector<Diagnostic>& shown) {
  if (hidden.empty()) return "";
  bool unknown = false;
  for (const auto& d : shown) unknown = unknown || d.check == "calm-unknown-collection";
  if (!unknown) return "";
  std::set<std::string> names;  // the quoted path of "cannot find 'uuid' ..."
  for (const auto& d : hidden) {
    size_t a = d.message.find('\''), b = d.message.find('\'', a + 1);
    if (a != std::string::npos && b != std::string::npos)
      names.insert(d.message.substr(a + 1, b - a - 1));
  }
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "'" : ", '") + n + "'";
  return std::to_string(names.size()) + (names.size() == 1 ? " require" : " requires") +
         " calm could not find (" + list +
         ") may declare the unknown collections: give its directory with -I (--verbose shows "
         "where it is required)";
}

}  // namespace calm
