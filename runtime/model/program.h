#pragma once

// The program model: plain data shared by every front end, the analyses and the
// evaluator. Every element carries the source location it came from.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/source_location.h"

namespace calm {

// ---------------------------------------------------------------------------
// Collections

enum class CollectionKind {
  Table,
  Scratch,
  Input,   ///< interface input
  Output,  ///< interface output
  Channel,
  Loopback,
  Periodic,
  Temp,  ///< `temp :x <= ...` inside a bloom block
  View,  ///< 2011 dialect: a local variable bound to a collection expression
  Sync,
  Store,
  FileReader,
  Terminal,  ///< stdio
  Lattice,   ///< lmax, lmin, lbool, lset, lpset, lbag, lmap (see Collection::lattice)
};

const char* to_string(CollectionKind k);
std::optional<CollectionKind> collection_kind_from_string(const std::string& s);

/// True for collections whose contents do not persist across timesteps.
bool is_ephemeral(CollectionKind k);

struct Collection {
  std::string name;  ///< qualified for imported copies: "kvs.kvstate"
  CollectionKind kind = CollectionKind::Table;
  std::string lattice;  ///< lattice type name when kind == Lattice ("lmax", ...)
  std::vector<std::string> keys;
  std::vector<std::string> values;
  std::string location_column;    ///< channels: the '@' column, without the '@'
  std::string module;             ///< module or class that declares it
  std::vector<std::string> args;  ///< extra declaration arguments (periodic interval, storage)
  bool builtin = false;           ///< stdio, halt, ... provided by Bud itself
  bool schema_inferred = false;   ///< temp/view: schema comes from the rhs
  /// Declared as another collection's schema (`x.schema`): the composer copies it.
  /// Keys/values may also hold "key_cols(x)" / "val_cols(x)" / "cols(x)" placeholders.
  std::string schema_from;
  SourceLocation location;
};

// ---------------------------------------------------------------------------
// Rule right-hand sides

/// A node of a right-hand side: a tree-sitter-free copy of the Ruby syntax tree,
/// kept for the analyzer and the evaluator. `type` is the tree-sitter-ruby node
/// type ("call", "identifier", "block", "binary", "integer", ...).
struct Expr {
  std::string type;
  std::string field;  ///< the field this node fills in its parent ("receiver", "method", ...)
  std::string text;   ///< source text of leaves (identifiers, literals, operators)
  int line = 0;       ///< 1-based, in the rule's file
  int column = 0;
  std::vector<Expr> children;

  /// First child filling `field`, or nullptr.
  const Expr* child(std::string_view field_name) const;
};

/// How a right-hand side uses a collection. The analysis decides monotonicity from it.
enum class RefContext {
  Scan,           ///< scanned, mapped or projected
  Join,           ///< an input of a join (`*`, `join [...]`, ...)
  NotIn,          ///< the argument of `notin` (negation)
  Group,          ///< input of `group` or an aggregate
  ArgAgg,         ///< input of argmin / argmax / argagg
  Reduce,         ///< input of reduce / inject
  Membership,     ///< tested with include? / exists? / empty? / any? / none?
  LatticeMethod,  ///< a lattice method is called on it (see Reference::method)
  UnknownMethod,  ///< a method calm does not know is called on it
  Schema,         ///< only its schema is read (cols, key_cols, ...)
};

const char* to_string(RefContext c);

struct Reference {
  std::string collection;  ///< resolved program collection name
  RefContext context = RefContext::Scan;
  std::string method;     ///< the method that decides the context ("notin", "group", ...)
  bool negated = false;   ///< a negated membership test (`unless x.include?`, `!x.exists?`)
  bool in_block = false;  ///< referenced inside a Ruby block of the rule
  SourceLocation location;
  auto operator<=>(const Reference&) const = default;
};

// ---------------------------------------------------------------------------
// Rules

enum class RuleOp {
  Merge,         ///< <=   instantaneous
  Deferred,      ///< <+   next timestep
  Delete,        ///< <-   deferred deletion
  Async,         ///< <~   asynchronous (channels)
  Upsert,        ///< <+-  deferred replace by key
  DeleteInsert,  ///< <-+  (Bud alias of <+-)
  Append,        ///< <<   bootstrap only
};

const char* to_string(RuleOp op);  ///< the operator as written: "<=", "<+", ...
std::optional<RuleOp> rule_op_from_string(const std::string& s);
bool is_temporal(RuleOp op);  ///< <+, <-, <+-, <-+

struct Rule {
  int id = 0;       ///< index in Program::rules
  std::string lhs;  ///< resolved collection name
  RuleOp op = RuleOp::Merge;
  Expr rhs;
  std::string text;    ///< the statement as written
  std::string module;  ///< module or class that wrote it
  std::string block;   ///< bloom block name ("" for unnamed)
  bool bootstrap = false;
  SourceLocation location;     ///< start of the statement
  SourceLocation op_location;  ///< the operator
  std::vector<Reference>
      refs;  ///< sorted, one per (collection, context, method, negated, in_block)
};

// ---------------------------------------------------------------------------
// Modules as read from source (before composition)

struct ModuleRef {
  std::string name;
  SourceLocation location;
};

struct Import {
  std::string module;
  std::string alias;
  SourceLocation location;
};

/// One `bloom`, `declare def`, or `bootstrap` block.
struct RuleBlock {
  std::string name;  ///< "" for an unnamed `bloom do`
  bool bootstrap = false;
  SourceLocation location;
  std::vector<Rule> rules;  ///< names as written; lhs/refs unresolved (see Rule)
};

/// A reference as written in a module, before composition resolves it.
struct RawReference {
  std::string name;  ///< as written: "kvstate" or "kvs.kvstate"
  /// The methods applied to the collection, innermost first ("*" / "*R" for the
  /// left / right operand of a join, "join" for `join [...]`, "notin-arg" for the
  /// argument of notin).
  std::vector<std::string> chain;
  bool negated = false;
  bool in_block = false;
  bool certain =
      false;  ///< used as a collection (receiver of a collection method, join input, ...)
  SourceLocation location;
};

struct RawRule {
  Rule rule;  ///< rule.lhs as written
  std::vector<RawReference> refs;
  SourceLocation lhs_location;
};

/// A helper method of a module (`def name(params) ... end`, not a rule block): the
/// evaluator interprets it when a rule calls it.
struct HelperMethod {
  std::string name;
  std::string module;
  Expr def;  ///< the whole `method` node (parameters, body)
  SourceLocation location;
};

/// A constant of a module (`QUORUM_SIZE = 3`): the evaluator reads it when a rule names it.
struct ModuleConstant {
  std::string name;
  std::string module;
  Expr value;  ///< the right-hand side
  SourceLocation location;
};

struct RawBlock {
  std::string name;
  bool bootstrap = false;
  SourceLocation location;
  std::vector<RawRule> rules;
  std::vector<Collection> temps;  ///< temp collections declared in the block
};

struct ModuleDef {
  std::string name;  ///< as written, with enclosing namespaces: "Outer::Inner"
  bool is_class = false;
  std::string superclass;
  bool includes_bud = false;  ///< `class X < Bud`, `include Bud`
  std::vector<ModuleRef> includes;
  std::vector<Import> imports;
  std::vector<Collection> state;  ///< unqualified names
  std::vector<RawBlock> blocks;
  std::vector<std::string> methods;   ///< other `def`s (helpers)
  std::vector<HelperMethod> helpers;  ///< their definitions
  std::vector<ModuleConstant> constants;
  SourceLocation location;
  /// Problems in this module's declarations and rules: reported only when the
  /// module is part of a program (like Bud, which compiles only what it runs).
  std::vector<Diagnostic> diagnostics;
};

struct Require {
  std::string path;  ///< as written
  SourceLocation location;
};

struct SourceFile {
  std::string path;
  std::vector<ModuleDef> modules;
  std::vector<Require> requires_;
  /// Constants assigned outside any module (Ruby: constants of Object, visible to all).
  std::vector<ModuleConstant> constants;
};

// ---------------------------------------------------------------------------
// Programs (after composition)

struct Program {
  std::string name;                     ///< the class, or "A+B" for -m A -m B
  std::vector<std::string> modules;     ///< every module mixed in, in Ruby's ancestor order
  std::vector<Collection> collections;  ///< sorted by name
  std::vector<Rule> rules;              ///< in source order; Rule::id is the index
  SourceLocation location;
  /// User-defined lattice types (`wrapper_name :lcart`) -> the methods their class
  /// declares `monotone` or `morph`.
  std::map<std::string, std::vector<std::string>> user_lattices;
  /// Helper methods visible to the program's rules, one per name (Ruby's method lookup:
  /// the class first, then the modules it includes).
  std::vector<HelperMethod> helpers;
  /// Constants visible to the program's rules, one per name (the class first, then the
  /// modules it includes).
  std::vector<ModuleConstant> constants;

  const Collection* find(const std::string& name) const;
};

/// What a "Module::name" collection is, for people: the copy of an interface that an
/// including module overrides (CIDR 2011, section 3.4), which the composer renames so.
/// nullopt for other names. The checks add it as a note to every finding whose message
/// names such a collection; `calm model`, the diagrams and the HTML report show it too.
std::optional<std::string> overridden_interface_text(const Program& program,
                                                     const std::string& name);

}  // namespace calm
