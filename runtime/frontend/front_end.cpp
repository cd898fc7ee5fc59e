#include "frontend/front_end.h"

#include "base/limits.h"
#include "frontend/bud/bud_loader.h"
#include "frontend/dedalus/dedalus_loader.h"
#include "frontend/ir/ir_loader.h"
#include "frontend/syndicate/syndicate_loader.h"

namespace calm {

const std::vector<FrontEnd>& front_ends() {
  static const std::vector<FrontEnd> table = {
      {"bud", {".rb"}, "Bloom programs in Bud, the Ruby DSL (both dialects)", bud::load_bud_files},
      {"syndicate",
       {".rkt"},
       "#lang syndicate dataspace programs (experimental; docs/syndicate.md)",
       syndicate::load_syndicate_files},
      {"dedalus",
       {".ded"},
       "Dedalus, the temporal Datalog under Bloom (docs/dedalus.md)",
       dedalus::load_dedalus_files},
      {"ir",
       {".calm.json"},
       "the JSON program IR, e.g. `calm model --format json` output (docs/program-ir.md)",
       ir::load_ir_files},
  };
  return table;
}

const FrontEnd* find_front_end(std::string_view name) {
  for (const FrontEnd& f : front_ends())
    if (f.name == name) return &f;
  return nullptr;
}

const FrontEnd& front_end_for(const std::string& path, const std::string& lang) {
  if (!lang.empty())
    if (const FrontEnd* f = find_front_end(lang)) return *f;
  const FrontEnd* best = &front_ends().front();
  size_t best_len = 0;
  for (const FrontEnd& f : front_ends())
    for (std::string_view ext : f.extensions)
      if (ext.size() > best_len && path.size() >= ext.size() &&
          std::string_view(path).substr(path.size() - ext.size()) == ext) {
        best = &f;
        best_len = ext.size();
      }
  return *best;
}

bool is_program_file_name(const std::string& path) {
  for (const FrontEnd& f : front_ends())
    for (std::string_view ext : f.extensions)
      if (path.size() > ext.size() && std::string_view(path).ends_with(ext)) return true;
  return false;
}

std::string program_extensions_text() {
  std::vector<std::string_view> all;
  for (const FrontEnd& f : front_ends())
    all.insert(all.end(), f.extensions.begin(), f.extensions.end());
  std::string out;
  for (size_t i = 0; i < all.size(); ++i)
    out += std::string(i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + std::string(all[i]);
  return out;
}

std::string front_end_names() {
  std::string out;
  const auto& all = front_ends();
  for (size_t i = 0; i < all.size(); ++i)
    out += std::string(i == 0                ? ""
                       : i + 1 == all.size() ? " or "
                                             : ", ") +
           std::string(all[i].name);
  return out;
}

bool read_input_file(const std::string& path, const LoadOptions& options, LoadResult& result,
                     std::string& text) {
  if (auto mem = options.memory_files.find(path); mem != options.memory_files.end()) {
    // A file held in memory (an editor's buffer) has the limits of one on disk.
    if (mem->second.size() > kMaxInputBytes) {
      result.diagnostics.error("calm-io-error",
                               "file is too large (" + std::to_string(mem->second.size()) +
                                   " bytes; the limit is " + std::to_string(kMaxInputBytes) + ")",
                               SourceLocation{path, 0, 0});
      return false;
    }
    text = mem->second;
    if (!validate_source_text(path, text, result.diagnostics)) return false;
  } else if (!read_source_file(path, text, result.diagnostics)) {
    return false;
  }
  result.sources[path] = text;
  return true;
}

}  // namespace calm
