#pragma once

// The versioned JSON report (docs/report.md, docs/report.schema.json). Small pure
// functions, one per element, so each can be tested on its own. Every array is sorted,
// so the same input gives byte-identical output.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "base/diagnostic.h"
#include "model/program.h"

namespace calm {

/// The version of the report format; bump the major part on incompatible changes.
inline constexpr const char* kReportSchemaVersion = "1.1";

/// {name, kind, keys, values, module, location} plus `lattice` for lattices and
/// `builtin: true` for Bud's built-ins.
nlohmann::ordered_json collection_json(const Collection& c);
/// {id, lhs, op, text, location, module, block, bootstrap}.
nlohmann::ordered_json rule_json(const Rule& r);
/// {from, to, rule, op, nonmonotonic, temporal, async, reasons[{kind, text}]}.
nlohmann::ordered_json edge_json(const DependencyEdge& e);
/// {from, to, rule}: an edge as a step of a cycle.
nlohmann::ordered_json step_json(const DependencyEdge& e);
/// {id, members[], cycle[]}.
nlohmann::ordered_json cluster_json(const DependencyGraph& graph, const TemporalCluster& c);
/// {from, to, rule, kind, reason, location} plus `cluster` for cluster points.
nlohmann::ordered_json point_json(const PointOfOrder& p);
/// {message, members[], cycle[], location}.
nlohmann::ordered_json stratification_error_json(const DependencyGraph& graph,
                                                 const StratificationError& e);
/// {severity, check, message, location, notes[{message, location}]}.
nlohmann::ordered_json diagnostic_json(const Diagnostic& d);
/// {output, label, bud_label, inputs[], causes[]} per output, paths[], inputs[], racy[].
nlohmann::ordered_json labels_json(const OutputLabelAnalysis& labels);
/// {kind, from, to, rule?, location}.
nlohmann::ordered_json cause_json(const LabelCause& c);
/// {from, to, rule, kind, scope, key[], strategy, advice}.
nlohmann::ordered_json advice_json(const PointOfOrder& p, const CoordinationAdvice& a);
/// {input, distributed_points, per_message, points[], gated_by[]}.
nlohmann::ordered_json cost_json(const InputCost& c);
/// One entry of `programs[]`.
nlohmann::ordered_json program_json(const ProgramAnalysis& analysis);

/// The whole report. Programs are sorted by name. `diagnostics[]` holds `diagnostics`
/// plus every program's stratification errors, sorted and de-duplicated as
/// Diagnostics::sorted() does.
nlohmann::ordered_json build_report(const std::vector<Program>& programs,
                                    const Diagnostics& diagnostics,
                                    const std::string& tool_version);

}  // namespace calm
