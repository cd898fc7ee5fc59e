#include "reporters/sarif_reporter.h"

#include <cctype>
#include <filesystem>
#include <map>

#include "reporters/common.h"

namespace fs = std::filesystem;

namespace calm {

using nlohmann::ordered_json;

namespace {
/// Percent-encodes everything but RFC 3986 unreserved characters and '/'.
std::string uri_encode(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    bool plain = std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (plain) {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
  return out;
}

ordered_json message(const std::string& text) { return ordered_json{{"text", text}}; }

/// The help of a rule: `text` and the page that documents the id.
ordered_json help(const std::string& text, const std::string& page) {
  return ordered_json{
      {"text", text + " See " + page + " in the calm repository."},
      {"markdown", text + "\n\nSee [`" + page + "`](" + page + ") in the calm repository."}};
}

/// docs/checks/<id>.md: the registry's page of `id`.
std::string page_of(const std::string& id) {
  const DiagnosticIdRow* row = find_diagnostic_id(id);
  return row ? row->page() : "docs/checks/" + id + ".md";
}
}  // namespace

std::string rule_name(const std::string& id) {
  std::string base = id.rfind("calm-", 0) == 0 ? id.substr(5) : id;
  std::string out;
  bool upper = true;
  for (char c : base) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    out += upper ? char(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

const char* sarif_level(Severity s) {
  switch (s) {
    case Severity::Note:
      return "note";
    case Severity::Warning:
      return "warning";
    case Severity::Error:
      return "error";
  }
  return "warning";
}

std::string file_uri(const std::string& absolute_path, bool directory) {
  std::string p = fs::path(absolute_path).lexically_normal().generic_string();
  if (directory && (p.empty() || p.back() != '/')) p += '/';
  return "file://" + uri_encode(p);
}

ordered_json createRule(const CheckEntry& e) {
  ordered_json r;
  r["id"] = e.id;
  r["name"] = rule_name(e.id);
  r["shortDescription"] = message(e.summary);
  r["fullDescription"] = message(e.description);
  r["help"] = help(e.description, page_of(e.id));
  r["defaultConfiguration"] = ordered_json{{"level", sarif_level(e.severity)}};
  return r;
}

ordered_json createAdHocRule(const std::string& id) {
  ordered_json r;
  r["id"] = id;
  r["name"] = rule_name(id);
  if (const DiagnosticIdRow* row = find_diagnostic_id(id)) {
    r["shortDescription"] = message(row->summary);
    r["help"] = help(row->summary, row->page());
    r["defaultConfiguration"] = ordered_json{{"level", sarif_level(row->severity)}};
  } else {
    r["shortDescription"] = message("A problem calm's front end found in the input (" + id + ").");
    r["defaultConfiguration"] = ordered_json{{"level", "error"}};
  }
  return r;
}

ordered_json createPhysicalLocation(const SourceLocation& loc, const SarifOptions& options) {
  ordered_json artifact;
  if (auto rel = repository_relative(loc.file, options.srcroot)) {
    artifact["uri"] = uri_encode(*rel);
    artifact["uriBaseId"] = "%SRCROOT%";
  } else {
    std::error_code ec;
    artifact["uri"] = file_uri(fs::absolute(loc.file, ec).string(), false);
  }
  ordered_json p;
  p["artifactLocation"] = artifact;
  if (loc.known()) {
    ordered_json region{{"startLine", loc.line}};
    if (loc.column > 0) region["startColumn"] = loc.column;
    p["region"] = region;
  }
  return p;
}

ordered_json createResult(const Finding& f, int rule_index, const SarifOptions& options) {
  ordered_json r;
  r["ruleId"] = f.check;
  r["ruleIndex"] = rule_index;
  r["level"] = sarif_level(f.severity);
  r["message"] = message(f.message);
  r["locations"] = ordered_json::array();
  if (!f.location.file.empty())
    r["locations"].push_back(
        ordered_json{{"physicalLocation", createPhysicalLocation(f.location, options)}});
  if (!f.notes.empty()) {
    r["relatedLocations"] = ordered_json::array();
    int id = 0;
    for (const auto& n : f.notes) {
      ordered_json l;
      l["id"] = id++;
      if (!n.location.file.empty())
        l["physicalLocation"] = createPhysicalLocation(n.location, options);
      l["message"] = message(n.message);
      r["relatedLocations"].push_back(l);
    }
  }
  r["partialFingerprints"] = ordered_json{{kSarifFingerprintKey, f.fingerprint}};
  if (f.suppression) {
    ordered_json s;
    s["kind"] = f.suppression->kind == SuppressionKind::Baseline ? "external" : "inSource";
    if (!f.suppression->reason.empty()) s["justification"] = f.suppression->reason;
    if (!f.suppression->location.file.empty())
      s["location"] = ordered_json{
          {"physicalLocation", createPhysicalLocation(f.suppression->location, options)}};
    s["properties"] = ordered_json{{"calmSuppression", to_string(f.suppression->kind)}};
    r["suppressions"] = ordered_json::array({s});
  }
  if (!f.program.empty()) r["properties"] = ordered_json{{"program", f.program}};
  return r;
}

ordered_json sarif_log(const CheckRun& run, const SarifOptions& options) {
  ordered_json rules = ordered_json::array();
  std::map<std::string, int> index;
  for (const auto& e : check_table()) {
    index[e.id] = int(rules.size());
    rules.push_back(createRule(e));
  }
  for (const auto& f : run.findings)
    if (!index.count(f.check)) {
      index[f.check] = int(rules.size());
      rules.push_back(createAdHocRule(f.check));
    }

  ordered_json driver;
  driver["name"] = "calm";
  driver["version"] = options.tool_version;
  driver["semanticVersion"] = options.tool_version;
  driver["informationUri"] = kCalmInformationUri;
  driver["rules"] = rules;

  ordered_json results = ordered_json::array();
  for (const auto& f : run.findings) results.push_back(createResult(f, index[f.check], options));

  std::error_code ec;
  std::string root = fs::absolute(options.srcroot.empty() ? "." : options.srcroot, ec).string();
  ordered_json runj;
  runj["tool"] = ordered_json{{"driver", driver}};
  runj["originalUriBaseIds"] =
      ordered_json{{"%SRCROOT%", ordered_json{{"uri", file_uri(root, true)}}}};
  runj["columnKind"] = "unicodeCodePoints";
  runj["results"] = results;
  // Findings left out of the results (outside the checked paths): said once, as a
  // notification of the run, so that code scanning users know they exist.
  std::string outside = out_of_scope_text(run.outside, options.srcroot);
  ordered_json invocation;
  invocation["executionSuccessful"] = true;
  if (!outside.empty())
    invocation["toolExecutionNotifications"] =
        ordered_json::array({ordered_json{{"level", "note"}, {"message", message(outside)}}});
  runj["invocations"] = ordered_json::array({invocation});

  ordered_json log;
  log["$schema"] = kSarifSchemaUri;
  log["version"] = kSarifVersion;
  log["runs"] = ordered_json::array({runj});
  return log;
}

}  // namespace calm
