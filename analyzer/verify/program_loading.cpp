#include "verify/program_loading.h"

#include "frontend/front_end.h"
#include "frontend/loader.h"

namespace calm {

eval::LoadedPrograms load_with_front_ends(const eval::ScenarioProgram& program) {
  eval::LoadedPrograms out;
  for (size_t k = 0; k < program.files.size(); ++k)
    if (!is_program_file_name(program.files[k]))
      out.diagnostics.error(
          "calm-bad-scenario",
          "'" + program.files[k] + "' is not a program file (" + program_extensions_text() +
              "); a scenario names only programs",
          k < program.file_locations.size() ? program.file_locations[k] : program.location);
  if (out.diagnostics.has_errors()) return out;
  LoadOptions lo;
  lo.files = program.files;
  lo.modules = program.modules;
  lo.include_dirs = program.include_dirs;
  lo.lang = program.lang;
  LoadResult r = load_programs(lo);
  out.programs = std::move(r.programs);
  out.diagnostics = std::move(r.diagnostics);
  out.sources = std::move(r.sources);
  return out;
}

}  // namespace calm
