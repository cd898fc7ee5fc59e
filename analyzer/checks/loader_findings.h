#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "checks/finding.h"

namespace calm {

/// The loader's diagnostics as findings with their own check ids (calm-parse-error,
/// calm-unknown-collection, and the others as they are). Ids in the check table get the
/// table's severity (both of those are errors); the others keep the loader's. They
/// belong to no program; their fingerprint hashes the check, file and message.
std::vector<Finding> findings_from_diagnostics(const std::vector<Diagnostic>& diagnostics);

/// The loader's ids that --disable, .calm.json and suppression comments accept besides
/// the check table's (rows of the registry, base/diagnostic_ids.h). Every loader
/// diagnostic becomes a finding with its own id, listed here or not.
const std::vector<std::string>& loader_check_ids();

/// Every id a finding can have: the check table's, then loader_check_ids().
std::vector<std::string> all_check_ids();

/// True for loader diagnostics that make the input unusable rather than report a
/// problem in it (a missing or unreadable file, a file that does not parse, an unknown
/// -m module): `calm check` exits 2 on them instead of reporting a finding.
bool is_input_error(const Diagnostic& d);

/// True for diagnostics shown only on request (`--verbose`): a `require` of a file calm
/// cannot find that is most likely a gem (`require 'uuid'`), a note. Requires of files
/// next to the program (`require './x'`, warnings) and of Bud's own library stay shown.
bool is_verbose_only(const Diagnostic& d);

/// Removes the verbose-only diagnostics from `diags`; returns what was removed.
std::vector<Diagnostic> take_verbose_only(Diagnostics& diags);

/// When requires were hidden (`hidden`, from take_verbose_only) and the rest of the
/// load (`shown`) has unknown collections, one line that names those requires as the
/// possible cause; otherwise "". A hidden gem is noise until something is missing.
std::string hidden_requires_hint(const std::vector<Diagnostic>& hidden,
                                 const std::vector<Diagnostic>& shown);

}  // namespace calm
