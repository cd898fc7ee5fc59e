#pragma once

// The one table of checks: adding a check is adding a row in check_registry.cpp (and its
// id in the registry of ids, base/diagnostic_ids.h). No static-initializer registration:
// the table is the list.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "checks/check.h"

namespace calm {

/// A check: its id's row of the registry (id, default severity, summary) with what only
/// checks have.
struct CheckEntry {
  const char* id;           ///< stable kebab-case id; docs/checks/<id>.md documents it
  Severity severity;        ///< default severity of its findings (the registry's)
  const char* summary;      ///< one sentence (SARIF shortDescription; the registry's)
  const char* description;  ///< a paragraph (SARIF fullDescription)
  /// The check over analysed programs; nullptr for ids whose findings come from
  /// elsewhere (the loader's diagnostics, the suppression markers).
  const ProgramCheck* program_check;
};

/// Every check calm documents, in a fixed order (SARIF rule indices follow it).
const std::vector<CheckEntry>& check_table();

/// The row of `id`, or nullptr.
const CheckEntry* find_check(const std::string& id);

/// The ids of check_table(), in order.
std::vector<std::string> check_ids();

/// Runs every program check of the table that is not `disabled` over one program.
void run_program_checks(const ProgramAnalysis& analysis, const std::set<std::string>& disabled,
                        std::vector<Finding>& out);

}  // namespace calm
