#include "checks/temporal_cluster_check.h"

#include <algorithm>

#include "model/locations.h"

namespace calm {

std::string member_set(const std::vector<std::string>& names) {
  std::string s = "{";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s + "}";
}

namespace {
SourceLocation edge_location(const Program& program, const DependencyEdge& e) {
  const Rule* r = find_rule(program, e.rule);
  return r ? rule_point(*r) : SourceLocation{};
}

std::string step_text(const DependencyEdge& e) {
  std::string s = "step " + e.from_name + " -> " + e.to_name + " (" + to_string(e.op);
  if (e.temporal) s += ", temporal";
  for (const auto& r : e.reasons) s += ", non-monotonic: " + r.text;
  return s + ")";
}
}  // namespace

void TemporalClusterCheck::check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const {
  const Program& program = analysis.program();
  const DependencyGraph& graph = analysis.graph();
  for (const auto& c : analysis.clusters().clusters()) {
    Finding f;
    f.check = kId;
    f.severity = Severity::Warning;
    f.program = program.name;
    f.message = "temporal cluster " + c.label +
                ": state fed back across timesteps through a non-monotonic step; its "
                "contents depend on the order inputs arrive in";
    const PointOfOrder* self = nullptr;
    for (const auto& p : analysis.points_of_order().points())
      if (p.kind == PointKind::ClusterSelf && p.cluster == c.id) self = &p;
    if (self) f.location = self->location;
    std::string cycle;
    for (EdgeId e : c.cycle) {
      const DependencyEdge& edge = graph.edge(e);
      if (cycle.empty()) cycle = edge.from_name;
      cycle += " -> " + edge.to_name;
      const Rule* r = find_rule(program, edge.rule);
      if (r && std::find(f.modules.begin(), f.modules.end(), r->module) == f.modules.end())
        f.modules.push_back(r->module);
    }
    if (!c.cycle.empty()) {
      const DependencyEdge& first = graph.edge(c.cycle.front());
      f.notes.push_back({"cycle " + cycle, edge_location(program, first)});
      for (EdgeId e : c.cycle)
        f.notes.push_back({step_text(graph.edge(e)), edge_location(program, graph.edge(e))});
      if (!f.location.known()) f.location = edge_location(program, first);
    }
    // The label names only some members of a big cluster: list them all once.
    if (c.label != member_set(c.member_names))
      f.notes.push_back({"members " + member_set(c.member_names), f.location});
    const Rule* at = self ? find_rule(program, self->rule) : nullptr;
    f.statement = at ? at->location : f.location;
    f.fingerprint = make_fingerprint({program.name, kId, c.id});
    out.push_back(std::move(f));
  }
}

}  // namespace calm
