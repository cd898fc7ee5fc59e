#pragma once

// The coordination cost summary (`calm check --summary`): per program, for each input
// the distributed points of order on its paths, how many are paid per message of that
// input, and what the rest wait for; then each output's consistency label.

#include <string>
#include <vector>

#include "model/program.h"

namespace calm {

/// With `paths`, also the label of every input -> output path.
std::string cost_summary_text(const std::vector<Program>& programs, bool paths = false);

}  // namespace calm
