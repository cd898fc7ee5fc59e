#pragma once

// The JSON program IR (`NAME.calm.json`, docs/program-ir.md, schema in
// docs/program-ir.schema.json): programs written as data, so that any system (a
// Hydro/DFIR graph exporter, a Datalog engine, a hand-written model of a service) can
// get calm's points of order, labels and diagrams. `calm model --format json` output is
// valid IR and reads back to the same model (byte-identical when printed again).
//
//   {"programs": [{"name": "cart",
//                  "collections": [{"name": "action", "kind": "channel", ...}, ...],
//                  "rules": [{"lhs": "count", "op": "<=",
//                             "references": [{"collection": "action",
//                                             "context": "Group"}]}]}]}
//
// Optional fields take defaults; a missing location is the place in the IR file. Every
// problem is a located diagnostic (`calm-parse-error`, `calm-unknown-collection`).
// IR rules carry no right-hand-side expression: they are for the analyses, not `calm run`.

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "model/program.h"

namespace calm::ir {

/// The programs of one IR document; none when it has errors.
std::vector<Program> read_ir_programs(const std::string& path, const std::string& text,
                                      Diagnostics& diags);

}  // namespace calm::ir
