#pragma once

// The loader's door to the Dedalus front end: `.ded` files (or every file with
// `--lang dedalus`), one program per file, named after the file's stem.

#include <optional>
#include <string>
#include <vector>

#include "frontend/dedalus/molly_dialect.h"
#include "frontend/loader.h"

namespace calm::dedalus {

/// Reads `files` into `result`: their sources, an empty SourceFile each, one program per
/// file and the diagnostics. With options.modules, keeps only the programs so named (an
/// error names a missing one).
void load_dedalus_files(const std::vector<std::string>& files, const LoadOptions& options,
                        LoadResult& result);

/// Reads Molly-dialect `files` (and their includes, recorded in result.sources) as one
/// program called `name`; diagnostics go to result.diagnostics.
std::optional<MProgram> load_molly(const std::vector<std::string>& files,
                                   const LoadOptions& options, LoadResult& result,
                                   const std::string& name);

}  // namespace calm::dedalus
