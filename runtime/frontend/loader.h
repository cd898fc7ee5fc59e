#pragma once

// The front door of the runtime: files in, programs out. Hands each given file to
// its front end (frontend/front_end.h: Bud, Syndicate, Dedalus, the JSON IR), which
// reads it (and, for Bud, the files it `require`s) and composes programs; every
// problem comes back as a located diagnostic. Never throws on bad input, never prints.

#include <map>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/input_files.h"
#include "base/limits.h"
#include "model/program.h"

namespace calm {

struct LoadOptions {
  std::vector<std::string> files;         ///< program files, of any front end
  std::vector<std::string> modules;       ///< -m: mix these into one program
  std::vector<std::string> include_dirs;  ///< -I: where `require` looks
  bool follow_requires = true;
  /// Sources held in memory (path -> text), read instead of the disk; tests and
  /// fuzzers use it. A `require` may name one of them.
  std::map<std::string, std::string> memory_files;
  /// The front end for every file: "bud", "syndicate" (experimental), "dedalus",
  /// "ir", or "" to pick by extension (`.rkt` Syndicate, `.ded` Dedalus, `.calm.json`
  /// the JSON IR, everything else Bud; see front_end.h).
  std::string lang;
};

struct LoadResult {
  std::vector<SourceFile> files;  ///< every file read, given ones first
  std::vector<Program> programs;
  Diagnostics diagnostics;
  std::map<std::string, std::string> sources;  ///< path -> text, for quoting lines
};

LoadResult load_programs(const LoadOptions& options);

}  // namespace calm
