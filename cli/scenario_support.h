#pragma once

// The shared front half of `calm run` and `calm verify`: a scenario from --scenario (or
// a one-node scenario from FILES -m M --facts F), its programs loaded, stratified and
// checked, with every problem printed as a located diagnostic.

#include <iostream>
#include <map>
#include <string>

#include "cli/options.h"
#include "eval/scenario.h"
#include "eval/simulation.h"

namespace calm::cli {

/// Builds and checks the scenario named by `o`. Returns false (diagnostics printed to
/// `err`) when it cannot run: exit 2.
bool load_scenario_for_command(const Options& o, const char* usage, eval::Scenario& sc,
                               eval::ScenarioPrograms& programs, std::ostream& err = std::cerr);

/// Prints diagnostics sorted, quoting source lines from `sources`.
void print_diagnostics(const Diagnostics& diags, const std::map<std::string, std::string>& sources,
                       std::ostream& err = std::cerr);

/// Parses an integer in [lo, hi]; false for anything else.
bool parse_count(const std::string& text, int64_t lo, int64_t hi, int64_t& out);

/// "--max-delay N": overrides the scenario network's max_delay (and min_delay when larger).
bool apply_network_options(const Options& o, eval::Scenario& sc, std::ostream& err = std::cerr);

/// Each "--ivar @name=VALUE" sets an instance variable on every node (VALUE as JSON, or a
/// string when it is not JSON). False (message printed) for a malformed one.
bool apply_instance_variables(const Options& o, eval::Scenario& sc, std::ostream& err = std::cerr);

}  // namespace calm::cli
