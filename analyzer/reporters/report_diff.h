#pragma once

// `calm diff OLD.json NEW.json`: what a change does to the coordination cost, from two
// `calm report` outputs (docs/report.md). Points of order are matched by (from, to,
// kind, normalized rule text), never by rule id or line, so moving code is no change;
// temporal clusters by id (their member set); output labels, when the reports have
// them (`labels.outputs[]`), by (output, label) — a changed label is one removed and
// one added.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace calm {

/// What changed in one program (matched by name).
struct ProgramDiff {
  std::string name;
  std::string status;  ///< "added", "removed", "changed", "unchanged"
  std::vector<nlohmann::ordered_json> points_added, points_removed;
  std::vector<nlohmann::ordered_json> clusters_added, clusters_removed;
  std::vector<nlohmann::ordered_json> labels_added, labels_removed;
  /// Inputs whose coordination cost (`cost[]` in the report) changed:
  /// {input, old{distributed_points, per_message}, new{...}} (null for a missing side).
  std::vector<nlohmann::ordered_json> cost_changes;
};

struct ReportDiff {
  std::vector<ProgramDiff> programs;  ///< sorted by name, every program of either report
  /// Errors of the reports' `diagnostics` (an unstratifiable cycle, an unreadable
  /// declaration, ...) in one and not the other, matched by (check, file, message), not
  /// by line. An added error comes first in every format and makes `calm diff` fail.
  std::vector<nlohmann::ordered_json> errors_added, errors_removed;

  size_t points_added() const;
  size_t points_removed() const;
  size_t clusters_added() const;
  size_t clusters_removed() const;
  size_t labels_added() const;
  size_t labels_removed() const;
};

/// Parses a report and checks that it is one calm can compare (an object with
/// schema_version "1.x" and a programs array). False with `error` set otherwise.
bool read_report(const std::string& text, nlohmann::json& report, std::string& error);
/// The same for a parsed document; `pointer` (when given) is set to the JSON pointer
/// of the offending value.
bool read_report(const nlohmann::json& report, std::string& error, std::string* pointer = nullptr);

/// The point's identity: "from -> to|kind|normalized rule text".
std::string point_key(const nlohmann::json& point, const nlohmann::json& program);

ReportDiff diff_reports(const nlohmann::json& old_report, const nlohmann::json& new_report);

/// For a terminal: the errors added first ("error added: ..."), then one line per added
/// (+) or removed (-) item under its program, then a summary line.
std::string diff_text(const ReportDiff& diff);
/// For a pull-request comment: a table of counts per program and the items.
std::string diff_markdown(const ReportDiff& diff);
/// {summary, programs[{name, status, points_of_order{added, removed}, ...}]}.
nlohmann::ordered_json diff_json(const ReportDiff& diff);

}  // namespace calm
