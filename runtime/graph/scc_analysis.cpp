#include "graph/scc_analysis.h"

#include <boost/graph/strong_components.hpp>
#include <limits>
#include <utility>

namespace calm {

namespace {
std::vector<std::size_t> boost_components(const DependencyBoostGraph& g) {
  std::vector<std::size_t> component(boost::num_vertices(g), 0);
  if (!component.empty()) {
    boost::strong_components(g, boost::make_iterator_property_map(
                                    component.begin(), boost::get(boost::vertex_index, g)));
  }
  return component;
}
}  // namespace

SccAnalysis::SccAnalysis(const DependencyGraph& graph, EdgeFilter filter)
    : graph_(graph), filter_(std::move(filter)) {
  const std::size_t n = graph.node_count();
  std::vector<std::size_t> boost_component;
  if (filter_) {
    DependencyBoostGraph sub(n);
    for (EdgeId e = 0; e < graph.edge_count(); ++e)
      if (filter_(e))
        boost::add_edge(graph.edge(e).from, graph.edge(e).to, DependencyEdgeIndex{e}, sub);
    boost_component = boost_components(sub);
  } else {
    boost_component = boost_components(graph.boost_graph());
  }

  // Renumber by smallest member: walking nodes in order, a component gets the next id the
  // first time one of its members is met.
  constexpr SccId kUnset = std::numeric_limits<SccId>::max();
  std::vector<SccId> renumber(n, kUnset);
  scc_of_.assign(n, 0);
  for (NodeId v = 0; v < n; ++v) {
    SccId& id = renumber[boost_component[v]];
    if (id == kUnset) {
      id = members_.size();
      members_.emplace_back();
    }
    scc_of_[v] = id;
    members_[id].push_back(v);
  }

  internal_.assign(members_.size(), {});
  recursive_.assign(members_.size(), false);
  for (SccId s = 0; s < members_.size(); ++s) recursive_[s] = members_[s].size() > 1;
  for (EdgeId e = 0; e < graph.edge_count(); ++e) {
    const auto& edge = graph.edge(e);
    if (filter_ && !filter_(e)) continue;
    if (scc_of_[edge.from] != scc_of_[edge.to]) continue;
    internal_[scc_of_[edge.from]].push_back(e);
    recursive_[scc_of_[edge.from]] = true;  // a self-edge makes a singleton recursive
  }
}

bool SccAnalysis::is_internal(EdgeId e) const {
  const auto& edge = graph_.edge(e);
  if (filter_ && !filter_(e)) return false;
  return scc_of_.at(edge.from) == scc_of_.at(edge.to);
}

}  // namespace calm
