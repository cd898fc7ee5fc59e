#pragma once

// `--format sarif`: SARIF 2.1.0 for code scanning (GitHub's upload-sarif, IDE viewers).
// Small pure functions, one per SARIF object, as clang-tidy's writer does.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "checks/check_registry.h"
#include "checks/check_run.h"

namespace calm {

inline constexpr const char* kSarifSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
inline constexpr const char* kSarifVersion = "2.1.0";
/// The key of calm's fingerprint in `partialFingerprints`.
inline constexpr const char* kSarifFingerprintKey = "calmFingerprint/v1";
/// Where the analysis is defined; tool.driver.informationUri.
inline constexpr const char* kCalmInformationUri =
    "https://www.cidrdb.org/cidr2011/Papers/CIDR11_Paper35.pdf";

struct SarifOptions {
  std::string tool_version;
  /// Artifact URIs are relative to this directory (uriBaseId %SRCROOT%); "" = the
  /// working directory. Files outside it get absolute file: URIs.
  std::string srcroot;
};

/// The rule's display name: "calm-point-of-order" -> "PointOfOrder" (SARIF wants it
/// different from the opaque id).
std::string rule_name(const std::string& id);
/// A reportingDescriptor: id, name (rule_name), shortDescription, fullDescription, help (text and
/// markdown naming docs/checks/<id>.md), defaultConfiguration.level. No helpUri: SARIF
/// requires it to be absolute, and the docs live in the repository.
nlohmann::ordered_json createRule(const CheckEntry& entry);
/// A rule for an id that is not in the table (a loader diagnostic passed through): the
/// registry's summary, page and default severity (base/diagnostic_ids.h).
nlohmann::ordered_json createAdHocRule(const std::string& id);
/// SARIF's result level (2.1.0, 3.27.10): "note", "warning", "error". Spelled as calm's
/// severities (to_string) today, but SARIF's vocabulary, so mapped here on its own.
const char* sarif_level(Severity s);
/// `file:` URI of an absolute path, percent-encoded; "file:///a/b%20c/".
std::string file_uri(const std::string& absolute_path, bool directory);
/// {artifactLocation{uri, uriBaseId?}, region{startLine, startColumn}?}; the region is
/// left out when the line is unknown.
nlohmann::ordered_json createPhysicalLocation(const SourceLocation& loc,
                                              const SarifOptions& options);
/// A result: ruleId, ruleIndex, level, message, locations, relatedLocations (the
/// notes), partialFingerprints, properties.program, suppressions when suppressed.
nlohmann::ordered_json createResult(const Finding& f, int rule_index, const SarifOptions& options);
/// The whole log: one run, every finding (suppressed ones carry `suppressions`).
nlohmann::ordered_json sarif_log(const CheckRun& run, const SarifOptions& options);

}  // namespace calm
