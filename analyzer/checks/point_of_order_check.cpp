#include "checks/point_of_order_check.h"

#include <map>

#include "analysis/cluster_labels.h"
#include "analysis/locations.h"
#include "checks/temporal_cluster_check.h"

namespace calm {

namespace {
constexpr const char* kNonmonotonicPrefix = "non-monotonic: ";

/// "kvput -> kvstate (enters temporal cluster {kvstate, prev})": the edge and the reason
/// the analysis gives, without its "non-monotonic: " prefix when `strip_prefix` (the
/// message then starts "non-monotonic rule:").
std::string describe(const PointOfOrder& p, const TemporalClusterAnalysis& clusters,
                     bool strip_prefix) {
  // "cluster:kvstate,prev" reads better as its label "{kvstate, prev}" in a message.
  std::string reason = with_cluster_labels(clusters, p.reason);
  if (strip_prefix && reason.rfind(kNonmonotonicPrefix, 0) == 0)
    reason = reason.substr(std::string(kNonmonotonicPrefix).size());
  return p.from + " -> " + p.to + " (" + reason + ")";
}
}  // namespace

void PointOfOrderCheck::check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const {
  const Program& program = analysis.program();
  const DependencyGraph& graph = analysis.graph();
  std::map<int, std::vector<const PointOfOrder*>> by_rule;
  for (const auto& p : analysis.points_of_order().points())
    if (p.kind != PointKind::ClusterSelf) by_rule[p.rule].push_back(&p);

  for (const auto& [rule_id, points] : by_rule) {
    const Rule* rule = find_rule(program, rule_id);
    bool all_nonmonotonic = true;
    for (const PointOfOrder* p : points)
      all_nonmonotonic = all_nonmonotonic && p->kind == PointKind::Nonmonotonic;
    std::string edges;
    for (const PointOfOrder* p : points)
      edges += (edges.empty() ? "" : ", ") + describe(*p, analysis.clusters(), all_nonmonotonic);
    Finding f;
    f.check = kId;
    f.severity = Severity::Warning;
    f.message = std::string(all_nonmonotonic ? "non-monotonic rule: " : "point of order: ") +
                edges + "; coordinate its inputs or make it monotone";
    f.location = rule ? rule_point(*rule) : points.front()->location;
    f.program = program.name;
    f.statement = rule ? rule->location : f.location;
    if (rule) f.modules.push_back(rule->module);
    // Notes: the references that make the rule non-monotonic, where they are read.
    for (const PointOfOrder* p : points) {
      if (!p->edge) continue;
      const DependencyEdge& e = graph.edge(*p->edge);
      const Collection* c = program.find(e.from_name);
      for (const auto& ref : e.refs) {
        auto reasons = reference_reasons(ref, c ? c->lattice : std::string());
        if (reasons.empty() || !ref.location.known()) continue;
        std::string why;
        for (const auto& r : reasons) why += (why.empty() ? "" : ", ") + r.text;
        f.notes.push_back({e.from_name + " is read here: " + why, ref.location});
      }
    }
    std::string text = rule ? normalize_source_text(rule->text) : std::to_string(rule_id);
    std::string lhs = rule ? rule->lhs : std::string();
    f.fingerprint = make_fingerprint({program.name, kId, lhs, text});
    out.push_back(std::move(f));
  }
}

}  // namespace calm
