#pragma once

// The front ends: one row per language, Ninja-style. A front end reads the files given
// to it (from LoadOptions::memory_files or the disk) and appends their sources,
// programs and located diagnostics to a LoadResult. Adding a language is adding a row
// to front_ends() (front_end.cpp); docs/front-ends.md walks through it.

#include <string>
#include <string_view>
#include <vector>

#include "frontend/loader.h"

namespace calm {

struct FrontEnd {
  std::string_view name;                     ///< the value of --lang: "bud", "dedalus", ...
  std::vector<std::string_view> extensions;  ///< file name endings it claims: ".ded"
  std::string_view summary;                  ///< one line for --help and error messages
  /// Reads `files` (all of this language) into `result`. With options.modules, keeps
  /// only the programs so named.
  void (*load)(const std::vector<std::string>& files, const LoadOptions& options,
               LoadResult& result);
};

/// Every front end; the first one (bud) reads files no other front end claims.
const std::vector<FrontEnd>& front_ends();

/// The front end called `name`, or nullptr.
const FrontEnd* find_front_end(std::string_view name);

/// The front end that reads `path`: the one named `lang` when it is not empty,
/// else the one whose extension `path` ends with (the longest match), else bud.
/// `lang` must name a front end (see find_front_end).
const FrontEnd& front_end_for(const std::string& path, const std::string& lang);

/// True when `path` ends with the extension of a front end (.rb, .rkt, .ded,
/// .calm.json). The file-access policy (docs/robustness.md): a program file named
/// inside another input file (a configuration, a scenario) must be named so, so that
/// no input can make calm read and quote a file that is not a program.
bool is_program_file_name(const std::string& path);

/// ".rb, .rkt, .ded or .calm.json", for messages.
std::string program_extensions_text();

/// "bud, syndicate, dedalus or ir", for messages.
std::string front_end_names();

/// Reads one input file of any front end: from options.memory_files or the disk,
/// refusing binary and non-UTF-8 text; records the text in result.sources. False (with
/// a diagnostic) when the file cannot be used.
bool read_input_file(const std::string& path, const LoadOptions& options, LoadResult& result,
                     std::string& text);

}  // namespace calm
