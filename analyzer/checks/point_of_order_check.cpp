#include "checks/point_of_order_check.h"

#include <map>
#include <set>

#include "analysis/cluster_labels.h"
#include "checks/temporal_cluster_check.h"
#include "model/locations.h"

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

/// What a temporal cluster's contents depend on: the non-monotonic steps of its cycle.
/// "{kvstate, prev} feeds its state back across timesteps through prev -> kvstate
/// (deletion (<-)), so its contents depend on the order its inputs arrive in".
std::string cluster_dependence(const TemporalCluster& c, const DependencyGraph& graph) {
  std::string steps;
  for (EdgeId e : c.cycle) {
    const DependencyEdge& edge = graph.edge(e);
    if (edge.reasons.empty()) continue;
    std::string why;
    for (const auto& r : edge.reasons) why += (why.empty() ? "" : ", ") + r.text;
    steps +=
        (steps.empty() ? "" : " and ") + edge.from_name + " -> " + edge.to_name + " (" + why + ")";
  }
  return member_set(c.member_names) + " feeds its state back across timesteps" +
         (steps.empty() ? std::string() : " through " + steps) +
         ", so its contents depend on the order its inputs arrive in";
}

/// The coordination the analysis advises for the rule's points, as one clause.
std::string coordination_text(const std::vector<const CoordinationAdvice*>& advice,
                              const std::vector<const PointOfOrder*>& points) {
  std::set<std::string> seals;
  bool barrier = false;
  for (size_t i = 0; i < advice.size(); ++i) {
    const CoordinationAdvice& a = *advice[i];
    if (a.strategy == "seal-key") {
      std::string k;
      for (size_t j = 0; j < a.key.size(); ++j) k += (j ? ", " : "") + a.key[j];
      seals.insert(points[i]->from + " on [" + k + "]");
    } else {
      barrier = true;
    }
  }
  std::string out;
  if (!seals.empty()) {
    std::string list;
    for (const auto& s : seals) list += (list.empty() ? "" : ", ") + s;
    out = "seal " + list + " (punctuate when no more input for a key can arrive) before this rule";
  }
  if (barrier)
    out += (out.empty() ? "" : "; for the other inputs, ") +
           std::string("ordered delivery or a barrier (e.g. consensus) before this rule");
  return "its inputs arrive from other nodes: coordinate them (" + out +
         "), or make the rule monotone";
}
}  // namespace

void PointOfOrderCheck::check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const {
  const Program& program = analysis.program();
  const DependencyGraph& graph = analysis.graph();
  const auto& points = analysis.points_of_order().points();
  const auto& advice = analysis.coordination().advice();
  std::map<int, std::vector<size_t>> by_rule;
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].kind == PointKind::ClusterSelf) continue;
    bool local = i < advice.size() && advice[i].scope == "local";
    if (local == local_) by_rule[points[i].rule].push_back(i);
  }
  const char* id = local_ ? LocalPointOfOrderCheck::kId : kId;

  for (const auto& [rule_id, indexes] : by_rule) {
    const Rule* rule = find_rule(program, rule_id);
    std::vector<const PointOfOrder*> ps;
    std::vector<const CoordinationAdvice*> as;
    bool all_nonmonotonic = true;
    for (size_t i : indexes) {
      ps.push_back(&points[i]);
      as.push_back(&advice[i]);
      all_nonmonotonic = all_nonmonotonic && points[i].kind == PointKind::Nonmonotonic;
    }
    std::string edges;
    for (const PointOfOrder* p : ps)
      edges += (edges.empty() ? "" : ", ") + describe(*p, analysis.clusters(), all_nonmonotonic);
    // A temporal cluster the rule enters or leaves: what its order dependence is.
    std::set<std::string> clusters_seen;
    std::string dependence;
    for (const PointOfOrder* p : ps) {
      if (p->cluster.empty() || !clusters_seen.insert(p->cluster).second) continue;
      if (const TemporalCluster* c = analysis.clusters().find(p->cluster))
        dependence += "; " + cluster_dependence(*c, graph);
    }
    Finding f;
    f.check = id;
    f.severity = local_ ? Severity::Note : Severity::Warning;
    std::string head = all_nonmonotonic ? "non-monotonic rule: " : "point of order: ";
    if (local_)
      f.message = head + edges + dependence +
                  (all_nonmonotonic
                       ? "; resolved by stratification: every input of the rule is complete on "
                         "this node within a timestep, so Bud evaluates it after its inputs, "
                         "with no communication"
                       : "; resolvable without communication: every input is complete on this "
                         "node within a timestep (the order that matters is the order this "
                         "node receives its inputs in)");
    else
      f.message = head + edges + dependence + "; " + coordination_text(as, ps);
    f.location = rule ? rule_point(*rule) : ps.front()->location;
    f.program = program.name;
    f.statement = rule ? rule->location : f.location;
    if (rule) f.modules.push_back(rule->module);
    // Notes: the references that make the rule non-monotonic, where they are read.
    for (const PointOfOrder* p : ps) {
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
    f.fingerprint = make_fingerprint({program.name, id, lhs, text});
    out.push_back(std::move(f));
  }
}

}  // namespace calm
