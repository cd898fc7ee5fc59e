#pragma once

// Dedalus -> program model. Each Dedalus rule becomes the Bud statement that means the
// same thing (docs/dedalus.md has the table), and that Bud text is read by the Bud
// reader, so the rules carry exactly the references (for the analyses) and the
// right-hand-side Expr trees (for the evaluator) that the equivalent Bud program has.
// Every location is then mapped back to the `.ded` file.
//
//   p(X, Y) :- q(X, Y);                       p <= q
//   p(X, Z) :- q(X, Y), r(Y, Z);              p <= (q * r).pairs(:b => :a) { |t1, t2| [t1.a, t2.b]
//   } p(X)@next :- q(X);                        p <+ q { |t1| [t1.a] } m(A, X)@async :- q(A, X); m
//   <~ q                   (m a channel) k(S) :- a(S), notin d(S);                 k <= a.notin(d,
//   :s => :s) c(S, count<R>) :- a(S, R);                c <= a.group([:s], count(:r)) p(K, V)@next
//   :- p(K, V), notin del(K, V); p <- del                 (p a table)

#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "frontend/dedalus/dedalus_parser.h"
#include "model/program.h"

namespace calm::dedalus {

/// The Bud module text a Dedalus file means (module `DedalusProgram`), one statement per
/// line, and which Dedalus element each line came from. Empty when the file has errors
/// (reported to `diags`: `calm-parse-error`, `calm-unknown-collection`).
struct Translation {
  std::string ruby;
  std::vector<int> rule_of_line;  ///< 1-based Ruby line -> index in SyntaxTree::rules, or -1
  std::vector<SourceLocation>
      declared_at;  ///< 1-based Ruby line -> where the collection is declared
  bool ok = false;
};

Translation translate_to_bud(const SyntaxTree& tree, Diagnostics& diags);

/// The program of one Dedalus file, named `name` (the loader uses the file's stem).
/// Nullopt, with located diagnostics, when the file has errors.
std::optional<Program> read_dedalus_program(const std::string& path, const std::string& text,
                                            const std::string& name, Diagnostics& diags);

}  // namespace calm::dedalus
