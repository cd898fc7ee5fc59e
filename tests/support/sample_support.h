#pragma once

// Helpers shared by the sample tests: loading one program of a sample file and asking
// the analyses about it by collection name.

#include <doctest/doctest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "frontend/loader.h"
#include "support/string_lists.h"

namespace calm::test {

inline std::string samples_dir() { return std::string(CALM_SOURCE_DIR) + "/samples"; }

/// A sample program: `module` of `file` (relative to samples/) as the program `-m module`.
struct LoadedSample {
  LoadResult load;
  const Program* program = nullptr;
};

/// Loads `file` (a path under samples/, or an absolute path) with `-m module`. The
/// program is null (and the reason in the diagnostics) when composition failed.
inline LoadedSample load_sample(const std::string& file, const std::string& module) {
  LoadOptions o;
  o.files = {std::filesystem::path(file).is_absolute() ? file : samples_dir() + "/" + file};
  o.modules = {module};
  LoadedSample s;
  s.load = load_programs(o);
  if (s.load.programs.size() == 1) s.program = &s.load.programs.front();
  return s;
}

/// The error diagnostics of a load, as "file:line: message".
inline std::vector<std::string> load_errors(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.sorted())
    if (d.severity == Severity::Error) out.push_back(to_string(d.location) + ": " + d.message);
  return out;
}

/// A sample program, loaded and analyzed; fails the test when it does not load cleanly.
class AnalyzedSample {
 public:
  AnalyzedSample(const std::string& file, const std::string& module)
      : sample_(load_sample(file, module)) {
    REQUIRE_MESSAGE(sample_.program != nullptr, file << " -m " << module);
    const auto errors = load_errors(sample_.load);
    for (const auto& e : errors) FAIL_CHECK(e);
    analysis_.emplace(*sample_.program);
  }
  AnalyzedSample(const AnalyzedSample&) = delete;
  AnalyzedSample& operator=(const AnalyzedSample&) = delete;

  const ProgramAnalysis& analysis() const { return *analysis_; }

 private:
  LoadedSample sample_;
  std::optional<ProgramAnalysis> analysis_;
};

/// The points of order on the edge from -> to (every rule; cluster-self points excluded).
inline std::vector<PointOfOrder> points_between(const ProgramAnalysis& a, const std::string& from,
                                                const std::string& to) {
  std::vector<PointOfOrder> out;
  for (const auto& p : a.points_of_order().points())
    if (p.kind != PointKind::ClusterSelf && p.from == from && p.to == to) out.push_back(p);
  return out;
}

/// Every path from `from` to `to` crosses a point-of-order edge: `to` is unreachable
/// from `from` once those edges are removed. Both nodes must exist.
inline bool every_path_crosses_point_of_order(const ProgramAnalysis& a, const std::string& from,
                                              const std::string& to) {
  const DependencyGraph& g = a.graph();
  auto src = g.find(from);
  auto dst = g.find(to);
  REQUIRE_MESSAGE(src.has_value(), from);
  REQUIRE_MESSAGE(dst.has_value(), to);
  std::vector<bool> seen(g.node_count(), false);
  std::vector<NodeId> stack{*src};
  seen[*src] = true;
  while (!stack.empty()) {
    NodeId n = stack.back();
    stack.pop_back();
    if (n == *dst) return false;
    for (EdgeId e : g.out_edges(n)) {
      if (a.points_of_order().is_point_of_order(e)) continue;
      NodeId next = g.edge(e).to;
      if (seen[next]) continue;
      seen[next] = true;
      stack.push_back(next);
    }
  }
  return true;
}

/// The edges of a path given as node names, e.g. {"a", "b", "c"}; nullopt when some step
/// is not an edge. Each step takes every edge (all rules) between its two nodes.
inline std::optional<std::vector<EdgeId>> path_edges(const DependencyGraph& g,
                                                     const std::vector<std::string>& nodes) {
  std::vector<EdgeId> out;
  for (std::size_t i = 0; i + 1 < nodes.size(); ++i) {
    auto from = g.find(nodes[i]);
    auto to = g.find(nodes[i + 1]);
    if (!from || !to) return std::nullopt;
    bool found = false;
    for (EdgeId e : g.out_edges(*from)) {
      if (g.edge(e).to != *to) continue;
      out.push_back(e);
      found = true;
    }
    if (!found) return std::nullopt;
  }
  return out;
}

}  // namespace calm::test
