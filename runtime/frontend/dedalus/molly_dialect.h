#pragma once

// Dedalus as Molly writes it (docs/dedalus.md, "Molly's dialect"): no declarations,
// schemas inferred from use, the first column of every predicate is the location,
// `include "f";`, facts stamped with a time (`node("a", "b")@1;`), body atoms at a fixed
// time (`notin bcast(X, P)@1`), `@next` / `@async` heads, aggregates in heads.
//
//   include "./bcast_edb.ded";
//   bcast(N, P)@next :- bcast(N, P);                  // persistence: bcast is a table
//   log(N, P)@async :- bcast(S, P), node(S, N);       // sent to the node N names
//   pre(X, P) :- log(X, P), notin bcast(X, P)@1, notin crash(X, X, _);
//
// A file is in this dialect when no `.decl` appears in it (the `.decl` form is the
// older extension read by dedalus_parser / dedalus_translator).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "model/dedalus_program.h"
#include "model/program.h"

namespace calm::dedalus {

/// True when `text` is Molly's dialect (no `.decl` directive outside comments).
bool is_molly_dialect(const std::string& text);

/// Reads `files` (and what they include) as one program. `read` returns a file's text
/// or nullopt; includes are relative to the including file, each file read once, a
/// cycle is an error at the include. Nullopt, with located diagnostics, on errors.
using FileReader = std::optional<std::string> (*)(const std::string& path, void* ctx);
std::optional<MProgram> read_molly_program(const std::vector<std::string>& files,
                                           const std::string& name, FileReader read, void* ctx,
                                           Diagnostics& diags);

/// The program model of a Molly program, for the analyses (check, report, graph):
/// collections named after the predicates (columns c0.., c0 the location), `@next`
/// rules temporal (`<+`), `@async` asynchronous (`<~`), `notin` and aggregates
/// non-monotonic, persistence rules make tables (with `notin`: a deletion `<-`).
Program molly_to_program(const MProgram& p);

}  // namespace calm::dedalus
