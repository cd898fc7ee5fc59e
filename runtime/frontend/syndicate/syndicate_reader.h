#pragma once

// The experimental Syndicate front end: a `#lang syndicate` (2017 Racket dialect) file
// becomes calm Programs, so that every analysis, report and diagram works on dataspace
// programs unchanged. docs/syndicate.md describes the mapping:
//
//   assertion class  (assertion-struct box-state (value))   -> Scratch   "box-state"
//   message class    (message-struct set-box (v))            -> Channel   "set-box"
//   field            (field [value 0]) in actor 'box          -> Table     "box.value"
//   (during (link $a $b) (assert (path a b)))                 -> path <= link        (monotone)
//   (on (retracted P) ...)                                    -> NotIn "on-retracted"
//   (send! M)                                                 -> M <+ ...            (temporal)
//   (f v), a field overwrite                                  -> f <+- ...           (upsert)
//
// Unknown functions and forms are "opaque": a `calm-syndicate-opaque` warning at the
// call, and the rule's edges carry an UnknownMethod reference (conservative).

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "frontend/syndicate/sexp.h"
#include "model/program.h"

namespace calm::syndicate {

/// True when the loader should read `path` as Syndicate: `lang` is "syndicate", or
/// `lang` is empty and the file ends in `.rkt`.
bool is_syndicate_file(const std::string& path, const std::string& lang);

/// The programs of one Syndicate file: one per top-level `dataspace`, plus one (named
/// after the file) for the file's top-level actors; a file whose only content is one
/// `dataspace` is one program named by its `#:name` or the file. Problems are located
/// diagnostics (`calm-parse-error`, `calm-syndicate-opaque`).
std::vector<Program> read_syndicate_programs(const std::string& path, const std::string& text,
                                             Diagnostics& diags);

/// The same, from forms already read.
std::vector<Program> translate_syndicate(const std::string& path, const std::string& text,
                                         const std::vector<Sexp>& forms, Diagnostics& diags);

}  // namespace calm::syndicate
