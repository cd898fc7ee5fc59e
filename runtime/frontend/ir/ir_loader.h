#pragma once

// The loader's door to the JSON program IR: `NAME.calm.json` files (or every file with
// `--lang ir`).

#include <string>
#include <vector>

#include "frontend/loader.h"

namespace calm::ir {

/// Reads `files` into `result`: their sources, an empty SourceFile each, their programs
/// and diagnostics. With options.modules, keeps only the programs so named (an error
/// names a missing one).
void load_ir_files(const std::vector<std::string>& files, const LoadOptions& options,
                   LoadResult& result);

}  // namespace calm::ir
