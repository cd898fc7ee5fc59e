#include "frontend/syndicate/syndicate_loader.h"

#include <algorithm>
#include <set>

#include "frontend/syndicate/syndicate_reader.h"

namespace calm::syndicate {

void load_syndicate_files(const std::vector<std::string>& files, const LoadOptions& options,
                          LoadResult& result) {
  std::set<std::string> found;
  for (const std::string& path : files) {
    std::string text;
    if (auto mem = options.memory_files.find(path); mem != options.memory_files.end()) {
      text = mem->second;
      if (!validate_source_text(path, text, result.diagnostics)) continue;
    } else if (!read_source_file(path, text, result.diagnostics)) {
      continue;
    }
    result.sources[path] = text;
    result.files.push_back(SourceFile{path, {}, {}});
    for (Program& p : read_syndicate_programs(path, text, result.diagnostics)) {
      const bool wanted = options.modules.empty() ||
                          std::find(options.modules.begin(), options.modules.end(), p.name) !=
                              options.modules.end();
      found.insert(p.name);
      if (wanted) result.programs.push_back(std::move(p));
    }
  }
  for (const std::string& m : options.modules)
    if (!found.count(m))
      result.diagnostics.error("calm-unknown-module",
                               "no Syndicate program named '" + m +
                                   "' (programs are named after the file or a dataspace's #:name)",
                               SourceLocation{files.empty() ? "" : files.front(), 0, 0});
}

}  // namespace calm::syndicate
