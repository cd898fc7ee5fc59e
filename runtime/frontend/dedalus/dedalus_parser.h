#pragma once

// The Dedalus reader: `.ded` text -> a located syntax tree (docs/dedalus.md has the
// grammar). Syntax errors are `calm-parse-error` diagnostics at their place; the reader
// skips to the next `;` and goes on, so one run reports every broken statement.
//
//   .decl table kvstate(key) => (value);
//   kvstate(K, V)@next :- kvput(_, K, _, V);
//   kept(S, I, C) :- added(S, I, C), notin deleted(S, I, _);
//   shortest(F, T, min<C>) :- path(F, T, _, C);

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/source_location.h"

namespace calm::dedalus {

/// An argument of an atom, or an expression.
struct Term {
  enum class Kind {
    Variable,   ///< `X`, `Cost`: starts with an upper-case letter
    Wildcard,   ///< `_`
    Integer,    ///< `42`, `-1`
    Float,      ///< `1.5`
    String,     ///< `"A"` (text holds the decoded value)
    Builtin,    ///< `ip_port`: the node's own address
    List,       ///< `[X, Y]`
    Binary,     ///< args[0] op args[1]; text is the operator (`+`, `<`, `==`, ...)
    Aggregate,  ///< `min<C>` in a head; text is the function, args its variables
  };
  Kind kind = Kind::Variable;
  std::string text;
  std::vector<Term> args;
  SourceLocation location;
};

struct Atom {
  std::string predicate;
  std::vector<Term> args;
  SourceLocation location;
};

/// When a rule's head holds: `head :- body` (now), `head@next` (next timestep),
/// `head@async` (some later timestep, through a channel).
enum class Time { Now, Next, Async };

struct Literal {
  enum class Kind {
    Positive,    ///< `p(X, Y)`
    Negated,     ///< `notin p(X, _)`
    Comparison,  ///< `X < Y`, `C == C1 + C2` (binds C when nothing else does)
    Extremum,    ///< `argmin<C> by (F, T)`
  };
  Kind kind = Kind::Positive;
  Atom atom;             ///< Positive, Negated
  Term expression;       ///< Comparison: a Binary term; Extremum: the variable
  std::string function;  ///< Extremum: "argmin" or "argmax"
  std::vector<Term> by;  ///< Extremum: the group variables
  SourceLocation location;
};

struct Rule {
  Atom head;
  Time time = Time::Now;
  std::vector<Literal> body;
  bool fact = false;        ///< no `:-`: a ground fact
  std::string text;         ///< the statement as written
  SourceLocation location;  ///< start of the statement
  SourceLocation arrow;     ///< the `:-` (the head for facts)
};

struct Column {
  std::string name;
  bool location = false;  ///< written `@name`: a channel's address column
  SourceLocation where;
};

/// `.decl KIND name(keys...) [=> (values...)];`
struct Declaration {
  std::string kind;  ///< input, output, table, scratch, channel
  std::string name;
  std::vector<Column> keys;
  std::vector<Column> values;
  SourceLocation location;
};

struct SyntaxTree {
  std::string path;
  std::vector<Declaration> declarations;
  std::vector<Rule> rules;
};

/// Reads one `.ded` file. Never throws on bad input.
SyntaxTree parse_dedalus(const std::string& path, const std::string& text, Diagnostics& diags);

/// The kinds `.decl` accepts.
const std::vector<std::string>& declaration_kinds();
/// The aggregate functions a head may use (`count<X>`, ...).
const std::vector<std::string>& aggregate_functions();

}  // namespace calm::dedalus
