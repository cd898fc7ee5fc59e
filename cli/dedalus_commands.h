#pragma once

// `calm run --eot N` / `calm verify --eot N`: Molly-dialect Dedalus programs run on a
// simulated network with injected faults (cmd_dedalus_faults.cpp).

#include "cli/options.h"

namespace calm::cli {

/// Extra options both commands accept for Dedalus runs.
inline const std::vector<std::string> kDedalusRunValued = {"--eot", "--nodes", "--omit", "--crash"};
inline const std::vector<std::string> kDedalusVerifyValued = {"--eot", "--eff", "--crashes",
                                                              "--nodes", "--max-runs"};

/// True when the command line asks for a Dedalus run (`--eot` given).
bool wants_dedalus_faults(const Options& o);
int run_dedalus_run(const Options& o);
int run_dedalus_verify(const Options& o);

}  // namespace calm::cli
