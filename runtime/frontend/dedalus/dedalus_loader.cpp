#include "frontend/dedalus/dedalus_loader.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "frontend/dedalus/dedalus_translator.h"
#include "frontend/dedalus/molly_dialect.h"
#include "frontend/front_end.h"

namespace calm::dedalus {

namespace {

struct IncludeContext {
  const LoadOptions& options;
  LoadResult& result;
};

/// Included files: from memory_files or the disk, recorded in result.sources.
std::optional<std::string> read_included(const std::string& path, void* ctx) {
  auto& c = *static_cast<IncludeContext*>(ctx);
  if (auto it = c.result.sources.find(path); it != c.result.sources.end()) return it->second;
  LoadResult scratch;
  std::string text;
  if (!read_input_file(path, c.options, scratch, text)) return std::nullopt;
  c.result.sources[path] = text;
  return text;
}

}  // namespace

std::optional<MProgram> load_molly(const std::vector<std::string>& files,
                                   const LoadOptions& options, LoadResult& result,
                                   const std::string& name) {
  IncludeContext ctx{options, result};
  return read_molly_program(files, name, read_included, &ctx, result.diagnostics);
}

void load_dedalus_files(const std::vector<std::string>& files, const LoadOptions& options,
                        LoadResult& result) {
  std::set<std::string> found;
  for (const std::string& path : files) {
    std::string text;
    if (!read_input_file(path, options, result, text)) continue;
    result.files.push_back(SourceFile{path, {}, {}});
    const std::string name = std::filesystem::path(path).stem().string();
    found.insert(name);
    const bool wanted =
        options.modules.empty() ||
        std::find(options.modules.begin(), options.modules.end(), name) != options.modules.end();
    if (!wanted) continue;
    if (is_molly_dialect(text)) {
      if (auto m = load_molly({path}, options, result, name))
        result.programs.push_back(molly_to_program(*m));
      continue;
    }
    if (auto p = read_dedalus_program(path, text, name, result.diagnostics))
      result.programs.push_back(std::move(*p));
  }
  for (const std::string& m : options.modules)
    if (!found.count(m))
      result.diagnostics.error(
          "calm-unknown-module",
          "no Dedalus program named '" + m + "' (a Dedalus program is named after its file)",
          SourceLocation{files.empty() ? "" : files.front(), 0, 0});
}

}  // namespace calm::dedalus
