#pragma once

// The evaluator's programs come from calm's front ends: the ProgramLoader that
// ScenarioPrograms::load (eval/simulation.h) calls for each node's program.

#include "eval/simulation.h"

namespace calm {

/// Loads a scenario node's program with the front ends (frontend/loader.h). Applies the
/// file-access policy first (docs/robustness.md): a file no front end reads (by its
/// extension) is a calm-bad-scenario error located where the scenario names it, and
/// nothing is read.
eval::LoadedPrograms load_with_front_ends(const eval::ScenarioProgram& program);

}  // namespace calm
