#pragma once

// The loader's door to the Bud front end: reads the given Ruby files and the files they
// `require`, and composes their programs (frontend/front_end.h).

#include <string>
#include <vector>

#include "frontend/loader.h"

namespace calm::bud {

/// Reads `files` and what they require (from options.memory_files or the disk) and
/// appends sources, SourceFiles, programs and diagnostics to `result`. Programs are the
/// composition of options.modules, or the default roots of the given files.
void load_bud_files(const std::vector<std::string>& files, const LoadOptions& options,
                    LoadResult& result);

}  // namespace calm::bud
