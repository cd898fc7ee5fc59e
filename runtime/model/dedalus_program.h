#pragma once

// A Dedalus program as Molly writes it (docs/dedalus.md, "Molly's dialect"): terms, atoms
// at a time, rules, and what the reader inferred (arities, tables, channels). The front
// end (frontend/dedalus/molly_dialect.h) reads it; the Dedalus evaluator
// (eval/dedalus_engine.h) runs it; molly_to_program turns it into the program model.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/source_location.h"

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

std::string to_string(const MTerm& t);
std::string to_string(const MAtom& a);

}  // namespace calm::dedalus
