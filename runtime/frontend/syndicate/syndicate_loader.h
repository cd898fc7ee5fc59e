#pragma once

// The loader's door to the Syndicate front end: reads `.rkt` files (or every file with
// `--lang syndicate`) into programs of a LoadResult.

#include <string>
#include <vector>

#include "frontend/loader.h"

namespace calm::syndicate {

/// Reads `files` (from options.memory_files or the disk) and appends their sources, an
/// empty SourceFile each, their programs and diagnostics to `result`. With
/// options.modules, keeps only the programs so named (an error names a missing one).
void load_syndicate_files(const std::vector<std::string>& files, const LoadOptions& options,
                          LoadResult& result);

}  // namespace calm::syndicate
