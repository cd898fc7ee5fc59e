#include "analysis/program_analysis.h"

#include <optional>

namespace calm {

// Analyses are built lazily; the Cache lives on the heap so that references between
// them stay valid when a ProgramAnalysis is moved.
struct ProgramAnalysis::Cache {
  std::optional<DependencyGraph> graph;
  std::optional<SccAnalysis> sccs;
  std::optional<TemporalClusterAnalysis> clusters;
  std::optional<Stratification> stratification;
  std::optional<PointsOfOrderAnalysis> points;
  std::optional<SourcesSinksAnalysis> sources_sinks;
  std::optional<OutputLabelAnalysis> labels;
  std::optional<GuessTaintAnalysis> taint;
  std::optional<CoordinationAnalysis> coordination;
};

ProgramAnalysis::ProgramAnalysis(const Program& program)
    : program_(&program), cache_(std::make_unique<Cache>()) {}
ProgramAnalysis::~ProgramAnalysis() = default;
ProgramAnalysis::ProgramAnalysis(ProgramAnalysis&&) noexcept = default;
ProgramAnalysis& ProgramAnalysis::operator=(ProgramAnalysis&&) noexcept = default;

const DependencyGraph& ProgramAnalysis::graph() const {
  if (!cache_->graph) cache_->graph.emplace(*program_);
  return *cache_->graph;
}

const SccAnalysis& ProgramAnalysis::sccs() const {
  if (!cache_->sccs) cache_->sccs.emplace(graph());
  return *cache_->sccs;
}

const TemporalClusterAnalysis& ProgramAnalysis::clusters() const {
  if (!cache_->clusters) cache_->clusters.emplace(sccs());
  return *cache_->clusters;
}

const Stratification& ProgramAnalysis::stratification() const {
  if (!cache_->stratification) cache_->stratification.emplace(*program_, graph());
  return *cache_->stratification;
}

const PointsOfOrderAnalysis& ProgramAnalysis::points_of_order() const {
  if (!cache_->points) cache_->points.emplace(*program_, graph(), clusters());
  return *cache_->points;
}

const SourcesSinksAnalysis& ProgramAnalysis::sources_sinks() const {
  if (!cache_->sources_sinks) cache_->sources_sinks.emplace(*program_, graph());
  return *cache_->sources_sinks;
}

const OutputLabelAnalysis& ProgramAnalysis::labels() const {
  if (!cache_->labels) cache_->labels.emplace(*program_, graph(), points_of_order());
  return *cache_->labels;
}

const GuessTaintAnalysis& ProgramAnalysis::taint() const {
  if (!cache_->taint) cache_->taint.emplace(*program_, graph(), points_of_order(), labels());
  return *cache_->taint;
}

const CoordinationAnalysis& ProgramAnalysis::coordination() const {
  if (!cache_->coordination)
    cache_->coordination.emplace(*program_, graph(), clusters(), points_of_order(), labels());
  return *cache_->coordination;
}

}  // namespace calm
