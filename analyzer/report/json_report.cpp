#include "report/json_report.h"

#include <algorithm>

#include "analysis/cluster_labels.h"
#include "base/limits.h"
#include "model/model_json.h"

namespace calm {

using nlohmann::ordered_json;

namespace {
/// The members `keys` of `from` that it has, in the order of `keys`.
ordered_json fields_of(const ordered_json& from, std::initializer_list<const char*> keys) {
  ordered_json j = ordered_json::object();
  for (const char* key : keys)
    if (auto it = from.find(key); it != from.end()) j[key] = *it;
  return j;
}
}  // namespace

// A collection and a rule are written as the program IR writes them (model/model_json.h);
// the report keeps some of their fields, in the order docs/report.md gives.
ordered_json collection_json(const Collection& c) {
  return fields_of(collection_to_json(c),
                   {"name", "kind", "keys", "values", "module", "location", "lattice", "builtin"});
}

ordered_json rule_json(const Rule& r) {
  ordered_json j =
      fields_of(rule_to_json(r), {"id", "lhs", "op", "text", "location", "module", "block"});
  j["bootstrap"] = r.bootstrap;  // always here; the IR writes it only when true
  return j;
}

ordered_json edge_json(const DependencyEdge& e) {
  ordered_json j;
  j["from"] = e.from_name;
  j["to"] = e.to_name;
  j["rule"] = e.rule;
  j["op"] = to_string(e.op);
  j["nonmonotonic"] = e.nonmonotonic;
  j["temporal"] = e.temporal;
  j["async"] = e.async;
  j["reasons"] = ordered_json::array();
  for (const auto& r : e.reasons)
    j["reasons"].push_back(ordered_json{{"kind", to_string(r.kind)}, {"text", r.text}});
  return j;
}

ordered_json step_json(const DependencyEdge& e) {
  return ordered_json{{"from", e.from_name}, {"to", e.to_name}, {"rule", e.rule}};
}

ordered_json cluster_json(const DependencyGraph& graph, const TemporalCluster& c) {
  ordered_json j;
  j["id"] = c.id;
  j["label"] = c.label;
  j["members"] = c.member_names;
  j["cycle"] = ordered_json::array();
  for (EdgeId e : c.cycle) j["cycle"].push_back(step_json(graph.edge(e)));
  return j;
}

/// A point of order: `from`, `to` and `cluster` name a cluster by its id; the reason, for
/// people, by its label.
ordered_json point_json(const PointOfOrder& p, const TemporalClusterAnalysis& clusters) {
  ordered_json j;
  j["from"] = p.from;
  j["to"] = p.to;
  j["rule"] = p.rule;
  j["kind"] = to_string(p.kind);
  j["reason"] = with_cluster_labels(clusters, p.reason);
  j["location"] = location_to_json(p.location);
  if (!p.cluster.empty()) j["cluster"] = p.cluster;
  return j;
}

ordered_json stratification_error_json(const DependencyGraph& graph, const StratificationError& e) {
  ordered_json j;
  j["message"] = e.diagnostic.message;
  j["members"] = ordered_json::array();
  for (NodeId n : e.members) j["members"].push_back(graph.name(n));
  j["cycle"] = ordered_json::array();
  for (EdgeId s : e.cycle) j["cycle"].push_back(step_json(graph.edge(s)));
  j["location"] = location_to_json(e.diagnostic.location);
  return j;
}

// A diagnostic's message may quote input (a parser's "last read: '...'") and its file is
// a path as given: both are made valid UTF-8 (invalid bytes become U+FFFD), so the
// report's dump never throws whatever a reader put in them.
ordered_json diagnostic_location_json(const SourceLocation& loc) {
  SourceLocation l = loc;
  l.file = valid_utf8(l.file);
  return location_to_json(l);
}

ordered_json diagnostic_json(const Diagnostic& d) {
  ordered_json j;
  j["severity"] = to_string(d.severity);
  j["check"] = d.check;
  j["message"] = valid_utf8(d.message);
  j["location"] = diagnostic_location_json(d.location);
  j["notes"] = ordered_json::array();
  for (const auto& n : d.notes)
    j["notes"].push_back(ordered_json{{"message", valid_utf8(n.message)},
                                      {"location", diagnostic_location_json(n.location)}});
  return j;
}

ordered_json cause_json(const LabelCause& c) {
  ordered_json j{{"kind", c.kind}, {"from", c.from}, {"to", c.to}};
  if (c.rule >= 0) j["rule"] = c.rule;
  j["location"] = location_to_json(c.location);
  return j;
}

ordered_json labels_json(const OutputLabelAnalysis& labels) {
  ordered_json outputs = ordered_json::array();
  for (const auto& o : labels.output_labels()) {
    ordered_json causes = ordered_json::array();
    for (const auto& c : o.causes) causes.push_back(cause_json(c));
    outputs.push_back(ordered_json{{"output", o.output},
                                   {"label", to_string(o.label)},
                                   {"bud_label", short_name(o.label)},
                                   {"inputs", o.inputs},
                                   {"causes", std::move(causes)}});
  }
  ordered_json paths = ordered_json::array();
  for (const auto& p : labels.path_labels())
    paths.push_back(
        ordered_json{{"input", p.input}, {"output", p.output}, {"label", to_string(p.label)}});
  return ordered_json{{"inputs", labels.inputs()},
                      {"outputs", std::move(outputs)},
                      {"paths", std::move(paths)},
                      {"racy", labels.racy()}};
}

ordered_json advice_json(const PointOfOrder& p, const CoordinationAdvice& a) {
  return ordered_json{
      {"from", p.from},   {"to", p.to},   {"rule", p.rule},         {"kind", to_string(p.kind)},
      {"scope", a.scope}, {"key", a.key}, {"strategy", a.strategy}, {"advice", a.advice}};
}

ordered_json cost_json(const InputCost& c) {
  return ordered_json{{"input", c.input},
                      {"distributed_points", c.distributed_points},
                      {"per_message", c.distributed_points == 0 ? 0 : c.per_message},
                      {"points", c.points},
                      {"gated_by", c.gated_by}};
}

ordered_json program_json(const ProgramAnalysis& analysis) {
  const Program& p = analysis.program();
  const DependencyGraph& graph = analysis.graph();
  ordered_json j;
  j["name"] = p.name;
  j["modules"] = p.modules;

  std::vector<const Collection*> collections;
  for (const auto& c : p.collections) collections.push_back(&c);
  std::stable_sort(collections.begin(), collections.end(),
                   [](const Collection* a, const Collection* b) { return a->name < b->name; });
  j["collections"] = ordered_json::array();
  for (const Collection* c : collections) j["collections"].push_back(collection_json(*c));

  std::vector<const Rule*> rules;
  for (const auto& r : p.rules) rules.push_back(&r);
  std::stable_sort(rules.begin(), rules.end(),
                   [](const Rule* a, const Rule* b) { return a->id < b->id; });
  j["rules"] = ordered_json::array();
  for (const Rule* r : rules) j["rules"].push_back(rule_json(*r));

  j["edges"] = ordered_json::array();
  for (const auto& e : graph.edges()) j["edges"].push_back(edge_json(e));

  j["temporal_clusters"] = ordered_json::array();
  for (const auto& c : analysis.clusters().clusters())
    j["temporal_clusters"].push_back(cluster_json(graph, c));

  j["points_of_order"] = ordered_json::array();
  for (const auto& pt : analysis.points_of_order().points())
    j["points_of_order"].push_back(point_json(pt, analysis.clusters()));

  const auto& ss = analysis.sources_sinks();
  j["sources"] = ss.sources();
  j["sinks"] = ss.sinks();
  j["underspecified"] = ordered_json::array();
  for (const auto& u : ss.underspecified())
    j["underspecified"].push_back(
        ordered_json{{"collection", u.collection}, {"direction", to_string(u.direction)}});

  j["labels"] = labels_json(analysis.labels());
  const auto& taint = analysis.taint();
  j["guesses"] = ordered_json{{"collections", taint.guesses()},
                              {"outputs", taint.tainted_outputs()},
                              {"memories", taint.memories()}};
  j["coordination"] = ordered_json::array();
  const auto& points = analysis.points_of_order().points();
  for (const auto& a : analysis.coordination().advice())
    j["coordination"].push_back(advice_json(points.at(a.point), a));
  j["cost"] = ordered_json::array();
  for (const auto& c : analysis.coordination().costs()) j["cost"].push_back(cost_json(c));

  const auto& errors = analysis.stratification().errors();
  if (!errors.empty()) {
    j["stratification_errors"] = ordered_json::array();
    for (const auto& e : errors)
      j["stratification_errors"].push_back(stratification_error_json(graph, e));
  }
  return j;
}

ordered_json build_report(const std::vector<Program>& programs, const Diagnostics& diagnostics,
                          const std::string& tool_version) {
  std::vector<const Program*> sorted;
  for (const auto& p : programs) sorted.push_back(&p);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Program* a, const Program* b) { return a->name < b->name; });

  Diagnostics all = diagnostics;
  ordered_json report;
  report["schema_version"] = kReportSchemaVersion;
  report["tool"] = ordered_json{{"name", "calm"}, {"version", tool_version}};
  report["programs"] = ordered_json::array();
  for (const Program* p : sorted) {
    ProgramAnalysis analysis(*p);
    report["programs"].push_back(program_json(analysis));
    all.append(analysis.stratification().diagnostics());
  }
  report["diagnostics"] = ordered_json::array();
  for (const auto& d : all.sorted()) report["diagnostics"].push_back(diagnostic_json(d));
  return report;
}

}  // namespace calm
