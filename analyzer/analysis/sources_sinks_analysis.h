#pragma once

#include <string>
#include <vector>

#include "graph/dependency_graph.h"
#include "model/program.h"

namespace calm {

/// Which side of the program an underspecified interface is on.
enum class Direction { Input, Output };

/// "input", "output".
const char* to_string(Direction d);

/// An interface whose dataflow the program does not complete (the paper's red "??").
struct Underspecified {
  std::string collection;
  Direction direction = Direction::Input;
  auto operator<=>(const Underspecified&) const = default;
};

/// Where data enters and leaves the program (CIDR 2011, sections 4.4-4.5).
///
/// - sources: input interfaces, periodics and channels that no rule writes;
/// - sinks: output interfaces that no rule reads;
/// - underspecified: input interfaces from which no output interface is reachable, and
///   output interfaces that no rule writes.
///
/// Imported (qualified) interfaces count like top-level ones, as in Bud. Bootstrap rules
/// neither write nor read here (they run once, before the first timestep); built-in
/// collections are never sources or sinks.
class SourcesSinksAnalysis {
 public:
  SourcesSinksAnalysis(const Program& program, const DependencyGraph& graph);

  /// Sorted by name.
  const std::vector<std::string>& sources() const { return sources_; }
  /// Sorted by name.
  const std::vector<std::string>& sinks() const { return sinks_; }
  /// Sorted by (collection, direction).
  const std::vector<Underspecified>& underspecified() const { return underspecified_; }

  bool is_source(const std::string& name) const;
  bool is_sink(const std::string& name) const;

 private:
  std::vector<std::string> sources_;
  std::vector<std::string> sinks_;
  std::vector<Underspecified> underspecified_;
};

}  // namespace calm
