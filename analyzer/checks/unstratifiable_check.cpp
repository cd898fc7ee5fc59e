#include "checks/unstratifiable_check.h"

#include <algorithm>

#include "model/locations.h"

namespace calm {

void UnstratifiableCheck::check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const {
  const Program& program = analysis.program();
  const DependencyGraph& graph = analysis.graph();
  for (const auto& e : analysis.stratification().errors()) {
    Finding f;
    f.check = kId;
    f.severity = Severity::Error;
    f.program = program.name;
    f.message = e.diagnostic.message;
    f.location = e.diagnostic.location;
    for (const auto& n : e.diagnostic.notes) f.notes.push_back({n.message, n.location});
    const Rule* r = find_rule(program, graph.edge(e.nonmonotonic_edge).rule);
    f.statement = r ? r->location : f.location;
    for (EdgeId s : e.cycle) {
      const Rule* step = find_rule(program, graph.edge(s).rule);
      if (step && std::find(f.modules.begin(), f.modules.end(), step->module) == f.modules.end())
        f.modules.push_back(step->module);
    }
    std::string members;
    for (NodeId n : e.members) members += graph.name(n) + ",";
    f.fingerprint = make_fingerprint({program.name, kId, members});
    out.push_back(std::move(f));
  }
}

}  // namespace calm
