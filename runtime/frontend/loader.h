#pragma once

// The front door of the runtime: files in, programs out. Hands each given file to
// its front end (frontend/front_end.h: Bud, Syndicate, Dedalus, the JSON IR), which
// reads it (and, for Bud, the files it `require`s) and composes programs; every
// problem comes back as a located diagnostic. Never throws on bad input, never prints.

#include <map>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/limits.h"
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

/// Largest file the loader reads (model/limits.h).
inline constexpr size_t kMaxSourceBytes = kMaxInputBytes;

LoadResult load_programs(const LoadOptions& options);

/// Reads any input file (a program, configuration, baseline, report, scenario, facts):
/// a regular file of at most kMaxInputBytes, or a pipe (`--facts <(...)`, a FIFO: read
/// without waiting for a writer, so a FIFO nobody writes reads as empty; at most
/// kMaxInputBytes; 10 seconds without data is an error). A directory, device
/// (`/dev/zero`) or socket is refused unread. Never blocks for long; every problem is an
/// error diagnostic located at the file.
bool read_text_file(const std::string& path, std::string& text, Diagnostics& diags);

/// Reads a file as text: an error diagnostic (no text) when it is missing, too
/// large, not a regular file, binary, or not UTF-8 (strict: model/limits.h).
bool read_source_file(const std::string& path, std::string& text, Diagnostics& diags);

/// Refuses binary (NUL bytes) and non-UTF-8 text with a located diagnostic.
bool validate_source_text(const std::string& path, std::string& text, Diagnostics& diags);

}  // namespace calm
