#include "reporters/report_diff.h"

#include <map>
#include <regex>
#include <set>

#include "checks/finding.h"

namespace calm {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

std::string str(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                : std::string();
}

const json* rule_of(const json& program, const json& point) {
  if (!point.contains("rule") || !point["rule"].is_number_integer() || !program.contains("rules"))
    return nullptr;
  int id = point["rule"].get<int>();
  for (const auto& r : program["rules"])
    if (r.contains("id") && r["id"] == id) return &r;
  return nullptr;
}

std::string location_text(const json& loc) {
  if (!loc.is_object()) return "";
  std::string s = str(loc, "file");
  if (loc.contains("line") && loc["line"].is_number_integer() && loc["line"].get<int>() > 0)
    s += ":" + std::to_string(loc["line"].get<int>());
  return s;
}

/// A point as the diff shows it: the report's fields plus the rule text.
ordered_json point_item(const json& point, const json& program) {
  ordered_json j;
  j["from"] = str(point, "from");
  j["to"] = str(point, "to");
  j["kind"] = str(point, "kind");
  j["reason"] = str(point, "reason");
  const json* rule = rule_of(program, point);
  j["rule_text"] = rule ? normalize_source_text(str(*rule, "text")) : "";
  j["location"] = point.contains("location") ? point["location"] : json::object();
  return j;
}

/// Output labels have no fixed schema yet: match them by content, locations and rule
/// ids left out.
json label_identity(json label) {
  if (label.is_object()) {
    label.erase("location");
    label.erase("rule");
    for (auto& [k, v] : label.items()) v = label_identity(v);
  } else if (label.is_array()) {
    for (auto& v : label) v = label_identity(v);
  }
  return label;
}

struct Items {
  std::map<std::string, ordered_json> by_key;
};

Items points_of(const json& program) {
  Items items;
  if (!program.contains("points_of_order") || !program["points_of_order"].is_array()) return items;
  for (const auto& p : program["points_of_order"])
    items.by_key.emplace(point_key(p, program), point_item(p, program));
  return items;
}

Items clusters_of(const json& program) {
  Items items;
  if (!program.contains("temporal_clusters") || !program["temporal_clusters"].is_array())
    return items;
  for (const auto& c : program["temporal_clusters"]) {
    ordered_json j;
    j["id"] = str(c, "id");
    j["members"] = c.contains("members") ? c["members"] : json::array();
    items.by_key.emplace(str(c, "id"), j);
  }
  return items;
}

Items labels_of(const json& program) {
  Items items;
  // The report's `labels.outputs[]` ({output, label, ...}): one label per output.
  if (program.contains("labels") && program["labels"].is_object() &&
      program["labels"].contains("outputs") && program["labels"]["outputs"].is_array()) {
    for (const auto& o : program["labels"]["outputs"]) {
      ordered_json j{{"output", str(o, "output")}, {"label", str(o, "label")}};
      items.by_key.emplace(str(o, "output") + "|" + str(o, "label"), j);
    }
    return items;
  }
  if (!program.contains("output_labels") || !program["output_labels"].is_array()) return items;
  for (const auto& l : program["output_labels"])
    items.by_key.emplace(label_identity(l).dump(), ordered_json::parse(l.dump()));
  return items;
}

void compare(const Items& old_items, const Items& new_items, std::vector<ordered_json>& added,
             std::vector<ordered_json>& removed) {
  for (const auto& [k, v] : new_items.by_key)
    if (!old_items.by_key.count(k)) added.push_back(v);
  for (const auto& [k, v] : old_items.by_key)
    if (!new_items.by_key.count(k)) removed.push_back(v);
}

std::map<std::string, const json*> programs_by_name(const json& report) {
  std::map<std::string, const json*> out;
  for (const auto& p : report["programs"]) out.emplace(str(p, "name"), &p);
  return out;
}

std::string point_line(const ordered_json& p) {
  std::string s = "point of order " + p["from"].get<std::string>() + " -> " +
                  p["to"].get<std::string>() + " (" + p["kind"].get<std::string>() + ")";
  std::string where = location_text(p["location"]);
  if (!where.empty()) s += " at " + where;
  std::string text = p["rule_text"].get<std::string>();
  if (!text.empty()) s += ": " + text;
  return s;
}

std::string cluster_line(const ordered_json& c) {
  std::string s = "temporal cluster {";
  bool first = true;
  for (const auto& m : c["members"]) {
    s += (first ? "" : ", ") + (m.is_string() ? m.get<std::string>() : m.dump());
    first = false;
  }
  return s + "}";
}

std::string label_line(const ordered_json& l) {
  if (l.is_object() && l.contains("output") && l.contains("label"))
    return "output label " + l["output"].get<std::string>() + ": " + l["label"].get<std::string>();
  return "output label " + l.dump();
}

/// "1 point of order added, 2 removed": `one` and `many` are the singular and plural.
std::string counts(size_t added, size_t removed, const std::string& one, const std::string& many) {
  return std::to_string(added) + " " + (added == 1 ? one : many) + " added, " +
         std::to_string(removed) + " removed";
}

std::string summary(const ReportDiff& d) {
  std::string s;
  if (!d.errors_added.empty() || !d.errors_removed.empty())
    s = counts(d.errors_added.size(), d.errors_removed.size(), "error", "errors") + "; ";
  s += counts(d.points_added(), d.points_removed(), "point of order", "points of order") + "; " +
       counts(d.clusters_added(), d.clusters_removed(), "temporal cluster", "temporal clusters");
  if (d.labels_added() || d.labels_removed())
    s += "; " + counts(d.labels_added(), d.labels_removed(), "output label", "output labels");
  return s;
}

/// "file:line:col: message [check]" of a report diagnostic.
std::string error_line(const ordered_json& d) {
  std::string where = location_text(d["location"]);
  return (where.empty() ? std::string() : where + ": ") + d["message"].get<std::string>() + " [" +
         d["check"].get<std::string>() + "]";
}

/// The errors of a report's `diagnostics`, keyed by (check, file, message).
std::map<std::string, ordered_json> errors_of(const json& report) {
  std::map<std::string, ordered_json> out;
  if (!report.contains("diagnostics") || !report["diagnostics"].is_array()) return out;
  for (const auto& d : report["diagnostics"]) {
    if (!d.is_object() || severity_from_string(str(d, "severity")) != Severity::Error) continue;
    std::string file = d.contains("location") && d["location"].is_object()
                           ? str(d["location"], "file")
                           : std::string();
    ordered_json copy{
        {"check", str(d, "check")},
        {"message", str(d, "message")},
        {"location", d.contains("location") ? ordered_json::parse(d["location"].dump())
                                            : ordered_json::object()}};
    // Lines in the message ("(negation (notin), a.rb:53)") are not part of the identity:
    // moving the code is no change.
    static const std::regex line_ref(R"(\.rb:\d+(:\d+)?)");
    out.emplace(
        str(d, "check") + "|" + file + "|" + std::regex_replace(str(d, "message"), line_ref, ".rb"),
        copy);
  }
  return out;
}

std::string md_code(std::string s) {
  for (char& c : s)
    if (c == '`') c = '\'';
  return "`" + s + "`";
}

template <typename F>
size_t total(const ReportDiff& d, F field) {
  size_t n = 0;
  for (const auto& p : d.programs) n += (p.*field).size();
  return n;
}

}  // namespace

size_t ReportDiff::points_added() const { return total(*this, &ProgramDiff::points_added); }
size_t ReportDiff::points_removed() const { return total(*this, &ProgramDiff::points_removed); }
size_t ReportDiff::clusters_added() const { return total(*this, &ProgramDiff::clusters_added); }
size_t ReportDiff::clusters_removed() const { return total(*this, &ProgramDiff::clusters_removed); }
size_t ReportDiff::labels_added() const { return total(*this, &ProgramDiff::labels_added); }
size_t ReportDiff::labels_removed() const { return total(*this, &ProgramDiff::labels_removed); }

bool read_report(const std::string& text, json& report, std::string& error) {
  report = json::parse(text, nullptr, false);
  if (report.is_discarded()) {
    error = "not valid JSON";
    return false;
  }
  return read_report(report, error);
}

bool read_report(const json& report, std::string& error, std::string* pointer) {
  auto at = [&](std::string p) {
    if (pointer) *pointer = std::move(p);
  };
  if (!report.is_object() || !report.contains("schema_version") ||
      !report["schema_version"].is_string()) {
    error = "not a calm report (no schema_version); write one with `calm report`";
    at(report.is_object() && report.contains("schema_version") ? "/schema_version" : "");
    return false;
  }
  std::string v = report["schema_version"].get<std::string>();
  if (v != "1" && v.rfind("1.", 0) != 0) {
    error = "unsupported report schema_version \"" + v + "\" (calm diff reads 1.x)";
    at("/schema_version");
    return false;
  }
  if (!report.contains("programs") || !report["programs"].is_array()) {
    error = "the report has no \"programs\" array";
    at(report.contains("programs") ? "/programs" : "");
    return false;
  }
  for (size_t i = 0; i < report["programs"].size(); ++i) {
    const auto& p = report["programs"][i];
    if (!p.is_object() || !p.contains("name") || !p["name"].is_string()) {
      error = "every program needs a \"name\"";
      at("/programs/" + std::to_string(i));
      return false;
    }
  }
  return true;
}

std::string point_key(const json& point, const json& program) {
  const json* rule = rule_of(program, point);
  return str(point, "from") + " -> " + str(point, "to") + "|" + str(point, "kind") + "|" +
         (rule ? normalize_source_text(str(*rule, "text")) : std::string());
}

namespace {

/// input -> {distributed_points, per_message} from a program's `cost[]`.
std::map<std::string, ordered_json> costs_of(const json& program) {
  std::map<std::string, ordered_json> out;
  if (!program.contains("cost") || !program["cost"].is_array()) return out;
  for (const auto& c : program["cost"])
    if (c.is_object() && c.contains("input") && c["input"].is_string())
      out[c["input"].get<std::string>()] =
          ordered_json{{"distributed_points", c.value("distributed_points", 0)},
                       {"per_message", c.value("per_message", 0)}};
  return out;
}

std::vector<ordered_json> compare_costs(const json& o, const json& n) {
  auto olds = costs_of(o), news = costs_of(n);
  std::set<std::string> inputs;
  for (const auto& [k, v] : olds) inputs.insert(k);
  for (const auto& [k, v] : news) inputs.insert(k);
  std::vector<ordered_json> out;
  for (const auto& in : inputs) {
    ordered_json a = olds.count(in) ? olds[in] : ordered_json(nullptr);
    ordered_json b = news.count(in) ? news[in] : ordered_json(nullptr);
    if (a == b) continue;
    out.push_back(ordered_json{{"input", in}, {"old", a}, {"new", b}});
  }
  return out;
}

std::string cost_side(const ordered_json& side) {
  if (side.is_null()) return "(not an input)";
  return std::to_string(side["per_message"].get<int>()) + " of " +
         std::to_string(side["distributed_points"].get<int>());
}

/// "cost of client_action (distributed points of order paid per message): 6 of 7 -> 0 of 3"
std::string cost_line(const ordered_json& c) {
  return "cost of " + c["input"].get<std::string>() +
         " (distributed points of order paid per message): " + cost_side(c["old"]) + " -> " +
         cost_side(c["new"]);
}

}  // namespace

ReportDiff diff_reports(const json& old_report, const json& new_report) {
  auto olds = programs_by_name(old_report);
  auto news = programs_by_name(new_report);
  std::set<std::string> names;
  for (const auto& [n, p] : olds) names.insert(n);
  for (const auto& [n, p] : news) names.insert(n);
  ReportDiff diff;
  auto old_errors = errors_of(old_report), new_errors = errors_of(new_report);
  for (const auto& [k, v] : new_errors)
    if (!old_errors.count(k)) diff.errors_added.push_back(v);
  for (const auto& [k, v] : old_errors)
    if (!new_errors.count(k)) diff.errors_removed.push_back(v);
  static const json empty = json::object();
  for (const auto& name : names) {
    const json& o = olds.count(name) ? *olds[name] : empty;
    const json& n = news.count(name) ? *news[name] : empty;
    ProgramDiff pd;
    pd.name = name;
    compare(points_of(o), points_of(n), pd.points_added, pd.points_removed);
    compare(clusters_of(o), clusters_of(n), pd.clusters_added, pd.clusters_removed);
    compare(labels_of(o), labels_of(n), pd.labels_added, pd.labels_removed);
    pd.cost_changes = compare_costs(o, n);
    bool changed = !pd.cost_changes.empty() || !pd.points_added.empty() ||
                   !pd.points_removed.empty() || !pd.clusters_added.empty() ||
                   !pd.clusters_removed.empty() || !pd.labels_added.empty() ||
                   !pd.labels_removed.empty();
    pd.status = !olds.count(name)   ? "added"
                : !news.count(name) ? "removed"
                : changed           ? "changed"
                                    : "unchanged";
    diff.programs.push_back(std::move(pd));
  }
  return diff;
}

std::string diff_text(const ReportDiff& diff) {
  std::string out;
  for (const auto& e : diff.errors_added) out += "error added: " + error_line(e) + "\n";
  for (const auto& e : diff.errors_removed) out += "error removed: " + error_line(e) + "\n";
  for (const auto& p : diff.programs) {
    if (p.status == "unchanged") continue;
    out += "program " + p.name + (p.status == "changed" ? "" : " (" + p.status + ")") + "\n";
    for (const auto& x : p.points_added) out += "  + " + point_line(x) + "\n";
    for (const auto& x : p.points_removed) out += "  - " + point_line(x) + "\n";
    for (const auto& x : p.clusters_added) out += "  + " + cluster_line(x) + "\n";
    for (const auto& x : p.clusters_removed) out += "  - " + cluster_line(x) + "\n";
    for (const auto& x : p.labels_added) out += "  + " + label_line(x) + "\n";
    for (const auto& x : p.labels_removed) out += "  - " + label_line(x) + "\n";
    for (const auto& x : p.cost_changes) out += "  ~ " + cost_line(x) + "\n";
  }
  return out + summary(diff) + "\n";
}

std::string diff_markdown(const ReportDiff& diff) {
  std::string out = "### calm: coordination cost\n\n";
  for (const auto& e : diff.errors_added)
    out += "- **error added**: " + md_code(error_line(e)) + "\n";
  for (const auto& e : diff.errors_removed)
    out += "- error removed: " + md_code(error_line(e)) + "\n";
  if (!diff.errors_added.empty() || !diff.errors_removed.empty()) out += "\n";
  bool any = false;
  for (const auto& p : diff.programs) any = any || p.status != "unchanged";
  if (!any)
    return out + "No change in points of order or temporal clusters" +
           (diff.errors_added.empty() && diff.errors_removed.empty()
                ? std::string(".\n")
                : "; " + summary(diff) + ".\n");
  bool labels = diff.labels_added() || diff.labels_removed();
  out += "| program | points of order | temporal clusters |" +
         std::string(labels ? " output labels |" : "") + "\n|---|---|---|" +
         (labels ? "---|" : "") + "\n";
  auto cell = [](size_t a, size_t r) {
    return " +" + std::to_string(a) + " / -" + std::to_string(r) + " |";
  };
  for (const auto& p : diff.programs) {
    if (p.status == "unchanged") continue;
    out += "| " + md_code(p.name) + (p.status == "changed" ? "" : " (" + p.status + ")") + " |" +
           cell(p.points_added.size(), p.points_removed.size()) +
           cell(p.clusters_added.size(), p.clusters_removed.size()) +
           (labels ? cell(p.labels_added.size(), p.labels_removed.size()) : "") + "\n";
  }
  for (const auto& p : diff.programs) {
    if (p.status == "unchanged") continue;
    out += "\n#### " + md_code(p.name) + "\n\n";
    for (const auto& x : p.points_added)
      out += "- **added** point of order " +
             md_code(x["from"].get<std::string>() + " -> " + x["to"].get<std::string>()) + " (" +
             x["kind"].get<std::string>() + ") at " + md_code(location_text(x["location"])) + ": " +
             md_code(x["rule_text"].get<std::string>()) + "\n";
    for (const auto& x : p.points_removed)
      out += "- removed point of order " +
             md_code(x["from"].get<std::string>() + " -> " + x["to"].get<std::string>()) + " (" +
             x["kind"].get<std::string>() + ")\n";
    for (const auto& x : p.clusters_added) out += "- **added** " + cluster_line(x) + "\n";
    for (const auto& x : p.clusters_removed) out += "- removed " + cluster_line(x) + "\n";
    for (const auto& x : p.labels_added) out += "- **added** " + md_code(label_line(x)) + "\n";
    for (const auto& x : p.labels_removed) out += "- removed " + md_code(label_line(x)) + "\n";
    for (const auto& x : p.cost_changes) out += "- " + cost_line(x) + "\n";
  }
  return out + "\n" + summary(diff) + ".\n";
}

ordered_json diff_json(const ReportDiff& diff) {
  ordered_json j;
  j["summary"] = ordered_json{{"points_of_order_added", diff.points_added()},
                              {"points_of_order_removed", diff.points_removed()},
                              {"temporal_clusters_added", diff.clusters_added()},
                              {"temporal_clusters_removed", diff.clusters_removed()},
                              {"output_labels_added", diff.labels_added()},
                              {"output_labels_removed", diff.labels_removed()},
                              {"errors_added", diff.errors_added.size()},
                              {"errors_removed", diff.errors_removed.size()}};
  j["errors"] = ordered_json{{"added", diff.errors_added}, {"removed", diff.errors_removed}};
  j["programs"] = ordered_json::array();
  for (const auto& p : diff.programs) {
    ordered_json pj;
    pj["name"] = p.name;
    pj["status"] = p.status;
    pj["points_of_order"] = ordered_json{{"added", p.points_added}, {"removed", p.points_removed}};
    pj["temporal_clusters"] =
        ordered_json{{"added", p.clusters_added}, {"removed", p.clusters_removed}};
    pj["output_labels"] = ordered_json{{"added", p.labels_added}, {"removed", p.labels_removed}};
    pj["cost_changes"] = p.cost_changes;
    j["programs"].push_back(pj);
  }
  return j;
}

}  // namespace calm
