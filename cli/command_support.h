#pragma once

// The shared front half of the subcommands that read programs (defined in
// commands.cpp), for subcommands implemented in their own files.

#include <string>
#include <vector>

#include "cli/options.h"
#include "config/config.h"  // relocate_module_diagnostics
#include "frontend/loader.h"

namespace calm::cli {

/// Loads the programs named by `o`, printing diagnostics to stderr. Returns false when
/// nothing usable came out (exit 2): no program could be read, or, with the `--strict`
/// flag in `o`, the input has any error. Otherwise the command goes on with what could
/// be read and shows what could not (unread_parts).
bool load_for_command(const Options& o, LoadResult& result);

/// The errors of a load, sorted: the declarations, rules and files that could not be
/// read, which the outputs mark (the model lists them, diagrams and pages show them).
std::vector<Diagnostic> unread_parts(const LoadResult& result);

/// Parses `args` into `o`. Returns an exit code to stop with (help printed: 0; usage
/// error: 2), or -1 to go on. Without `files_required`, no FILES is not an error.
int parse_or_usage(const std::vector<std::string>& args, const char* usage, Options& o,
                   const std::vector<std::string>& flags = {},
                   const std::vector<std::string>& valued = {}, bool files_required = true);

}  // namespace calm::cli
