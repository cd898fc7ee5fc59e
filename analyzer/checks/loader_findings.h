#pragma once

#include <string>
#include <vector>

#include "checks/finding.h"
#include "model/diagnostic.h"

namespace calm {

/// The loader's diagnostics as findings with their own check ids (calm-parse-error,
/// calm-unknown-collection, and the others as they are). Ids in the check table get the
/// table's severity (both of those are errors); the others keep the loader's. They
/// belong to no program; their fingerprint hashes the check, file and message.
std::vector<Finding> findings_from_diagnostics(const std::vector<Diagnostic>& diagnostics);

/// The ids of the loader's diagnostics that are not rows of the check table; they pass
/// through with their own ids and can be disabled like checks.
const std::vector<std::string>& loader_check_ids();

/// Every id a finding can have: the check table's, then loader_check_ids().
std::vector<std::string> all_check_ids();

/// True for loader diagnostics that make the input unusable rather than report a
/// problem in it (a missing or unreadable file, a file that does not parse, an unknown
/// -m module): `calm check` exits 2 on them instead of reporting a finding.
bool is_input_error(const Diagnostic& d);

}  // namespace calm
