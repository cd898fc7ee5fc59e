#include "frontend/ir/ir_loader.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "frontend/front_end.h"
#include "frontend/ir/ir_reader.h"

namespace calm::ir {

namespace {

/// Adds the source files an IR program points at (the Bud or Dedalus files it was
/// exported from) so diagnostics can quote their lines. The file-access policy
/// (docs/robustness.md): a location's file must be a relative path that does not climb
/// (`..`), found beside the IR file or below the working directory, and a program
/// source (.rb, .rkt, .ded); anything else (`/etc/shadow`, `../x.rb`) is not opened.
void quote_sources(const std::string& ir_path, const Program& p, LoadResult& result) {
  namespace fs = std::filesystem;
  std::set<std::string> files = {p.location.file};
  for (const Collection& c : p.collections) files.insert(c.location.file);
  for (const Rule& r : p.rules) files.insert(r.location.file);
  fs::path dir = fs::path(ir_path).parent_path();
  for (const std::string& f : files) {
    if (f.empty() || result.sources.count(f)) continue;
    fs::path rel = fs::path(f).lexically_normal();
    if (rel.is_absolute() || rel.empty() || *rel.begin() == "..") continue;
    if (!is_program_file_name(f) || f.ends_with(".calm.json")) continue;
    // Beside the IR file, else (an IR written elsewhere by `calm model -o`) below the
    // working directory, where `calm model` was run.
    for (const fs::path& at : {dir / rel, rel}) {
      std::string text;
      Diagnostics ignored;  // a file that cannot be quoted is not an error
      std::error_code ec;
      if (!fs::is_regular_file(at, ec)) continue;
      if (read_source_file(at.string(), text, ignored)) result.sources[f] = std::move(text);
      break;
    }
  }
}

}  // namespace

void load_ir_files(const std::vector<std::string>& files, const LoadOptions& options,
                   LoadResult& result) {
  std::set<std::string> found;
  for (const std::string& path : files) {
    std::string text;
    if (!read_input_file(path, options, result, text)) continue;
    result.files.push_back(SourceFile{path, {}, {}});
    for (Program& p : read_ir_programs(path, text, result.diagnostics)) {
      found.insert(p.name);
      quote_sources(path, p, result);
      if (options.modules.empty() || std::find(options.modules.begin(), options.modules.end(),
                                               p.name) != options.modules.end())
        result.programs.push_back(std::move(p));
    }
  }
  if (result.diagnostics.has_errors()) return;  // a broken file names no programs
  for (const std::string& m : options.modules)
    if (!found.count(m))
      result.diagnostics.error("calm-unknown-module", "no program named '" + m + "' in the IR",
                               SourceLocation{files.empty() ? "" : files.front(), 0, 0});
}

}  // namespace calm::ir
