#pragma once

// Every point-of-order analysis of one program, computed once, for reporters and checks.

#include <memory>

#include "analysis/coordination_analysis.h"
#include "analysis/label_analysis.h"
#include "analysis/points_of_order_analysis.h"
#include "analysis/sources_sinks_analysis.h"
#include "analysis/temporal_cluster_analysis.h"
#include "graph/dependency_graph.h"
#include "graph/scc_analysis.h"
#include "graph/stratification.h"
#include "model/program.h"

namespace calm {

/// The dependency graph of a program and the analyses built on it, each computed on
/// first use. Keeps a reference to the program, which must outlive it. Not copyable
/// (analyses refer to each other); movable.
class ProgramAnalysis {
 public:
  explicit ProgramAnalysis(const Program& program);
  ~ProgramAnalysis();
  ProgramAnalysis(ProgramAnalysis&&) noexcept;
  ProgramAnalysis& operator=(ProgramAnalysis&&) noexcept;

  const Program& program() const { return *program_; }
  const DependencyGraph& graph() const;
  const SccAnalysis& sccs() const;
  const TemporalClusterAnalysis& clusters() const;
  const Stratification& stratification() const;
  const PointsOfOrderAnalysis& points_of_order() const;
  const SourcesSinksAnalysis& sources_sinks() const;
  const OutputLabelAnalysis& labels() const;
  const GuessTaintAnalysis& taint() const;
  const CoordinationAnalysis& coordination() const;

 private:
  struct Cache;
  const Program* program_;
  std::unique_ptr<Cache> cache_;
};

}  // namespace calm
