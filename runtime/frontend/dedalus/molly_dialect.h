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

#include "model/diagnostic.h"
#include "model/program.h"

namespace calm::dedalus {

struct MTerm {
  enum class Kind { Variable, Wildcard, Integer, String, Binary, Aggregate };
  Kind kind = Kind::Variable;
  std::string text;  ///< variable name, decimal integer, string value, operator, aggregate fn
  long long number = 0;
  std::vector<MTerm> args;  ///< Binary: two operands; Aggregate: the variable
  SourceLocation location;
};

/// When an atom holds: now, the next timestep, asynchronously (a later timestep at the
/// node its first column names), or at a fixed time (`@3`).
enum class MTime { Now, Next, Async, At };

struct MAtom {
  std::string predicate;
  std::vector<MTerm> args;
  bool negated = false;
  MTime time = MTime::Now;
  long long at = 0;  ///< MTime::At
  SourceLocation location;
};

struct MRule {
  MAtom head;
  std::vector<MAtom> body;        ///< positive and `notin` atoms, in source order
  std::vector<MTerm> conditions;  ///< comparisons (Binary terms with ==, !=, <, ...)
  bool fact = false;
  std::string text;
  SourceLocation location;
  SourceLocation arrow;
  bool persistence = false;  ///< `p(X..)@next :- p(X..) [, notin ...]`
};

/// Relations Molly's rewrites define (FailureSpec.generateClockFacts): user programs
/// see them with one column fewer than Molly's internal form (the time is implicit).
///   crash(Observer, Node, Time)   Node crashes at Time (known to every node at all times)
///   clock(From, To, Time)         a message From -> To sent at Time arrives now
const std::map<std::string, int>& molly_builtins();

struct MProgram {
  std::string name;
  std::vector<std::string> files;  ///< every file read, the first the main one
  std::vector<MRule> rules;        ///< facts and rules, in include order
  std::map<std::string, int> arity;
  std::map<std::string, SourceLocation> first_use;
  std::set<std::string> tables;    ///< persisted by a persistence rule
  std::set<std::string> channels;  ///< heads of @async rules
  /// Location constants written in first columns (facts and heads): the default nodes.
  std::set<std::string> location_constants;
};

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

std::string to_string(const MTerm& t);
std::string to_string(const MAtom& a);

}  // namespace calm::dedalus
