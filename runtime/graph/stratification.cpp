#include "graph/stratification.h"

#include <algorithm>

#include "graph/graph_paths.h"
#include "model/locations.h"

namespace calm {

bool is_instantaneous(const DependencyEdge& edge) { return !edge.temporal && !edge.async; }

namespace {

std::string step_text(const DependencyEdge& edge) { return edge.from_name + " -> " + edge.to_name; }

Diagnostic make_diagnostic(const Program& program, const DependencyGraph& graph,
                           const StratificationError& err) {
  const DependencyEdge& bad = graph.edge(err.nonmonotonic_edge);
  const Rule* bad_rule = find_rule(program, bad.rule);
  Diagnostic d;
  d.severity = Severity::Error;
  d.check = "calm-unstratifiable";
  d.location = bad_rule ? rule_point(*bad_rule) : SourceLocation{};
  d.message = "unstratifiable cycle " + path_text(graph, err.cycle) + ": step " + step_text(bad) +
              " is non-monotonic (" + reasons_text(bad) +
              (bad_rule && bad_rule->location.known() ? ", " + file_line(bad_rule->location) : "") +
              ") and no step is temporal or asynchronous";
  for (EdgeId e : err.cycle) {
    const DependencyEdge& edge = graph.edge(e);
    const Rule* rule = find_rule(program, edge.rule);
    DiagnosticNote note;
    note.message = step_text(edge) + " via rule " + std::to_string(edge.rule) + " (" +
                   to_string(edge.op) + ")";
    if (edge.nonmonotonic) note.message += ", non-monotonic: " + reasons_text(edge);
    note.location = rule ? rule_point(*rule) : SourceLocation{};
    d.notes.push_back(std::move(note));
  }
  return d;
}

}  // namespace

Stratification::Stratification(const Program& program, const DependencyGraph& graph) {
  auto instantaneous = [&graph](EdgeId e) { return is_instantaneous(graph.edge(e)); };
  SccAnalysis sccs(graph, instantaneous);
  for (SccId s = 0; s < sccs.scc_count(); ++s) {
    for (EdgeId e : sccs.internal_edges(s)) {
      if (!graph.edge(e).nonmonotonic) continue;
      StratificationError err;
      err.members = sccs.members(s);
      err.nonmonotonic_edge = e;
      auto walk = closed_walk(graph, err.members.front(), {e},
                              [&sccs](EdgeId x) { return sccs.is_internal(x); });
      if (walk) err.cycle = *walk;
      err.diagnostic = make_diagnostic(program, graph, err);
      errors_.push_back(std::move(err));
      break;  // one error per SCC
    }
  }
  if (!errors_.empty()) return;
  // Strata: relax along instantaneous edges until nothing changes. Terminates: with no
  // non-monotonic edge inside an instantaneous SCC, strata are bounded by the number of
  // non-monotonic edges on a path of the SCC DAG.
  strata_.assign(graph.node_count(), 0);
  for (bool changed = true; changed;) {
    changed = false;
    for (EdgeId e = 0; e < graph.edge_count(); ++e) {
      const DependencyEdge& edge = graph.edge(e);
      if (!is_instantaneous(edge)) continue;
      int want = strata_[edge.from] + (edge.nonmonotonic ? 1 : 0);
      if (strata_[edge.to] < want) {
        strata_[edge.to] = want;
        changed = true;
      }
    }
  }
  for (int s : strata_) top_ = std::max(top_, s);
}

Diagnostics Stratification::diagnostics() const {
  Diagnostics out;
  for (const auto& err : errors_) out.add(err.diagnostic);
  return out;
}

}  // namespace calm
