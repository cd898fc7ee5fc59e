#pragma once

// Reads the Bloom DSL out of a parsed Ruby file: modules and classes, their
// includes/imports, state declarations and rule blocks, in both Bud dialects
// (2011 paper: `def state`, `declare def`, `join [...]`; current: `state do`,
// `bloom do`, `(a * b).pairs`). Ruby outside the DSL is ignored.

#include <map>
#include <set>
#include <string>

#include "base/diagnostic.h"
#include "base/limits.h"
#include "frontend/ruby/syntax_tree.h"
#include "model/program.h"

namespace calm::bud {

/// Names that must be known before rules can be read: import aliases (so that
/// `kvs.kvput` is read as a qualified collection name) and lattice wrapper names
/// (`lmax`, and user lattices declared with `wrapper_name :lfoo`).
struct ReaderContext {
  std::set<std::string> import_aliases;
  std::set<std::string> lattice_kinds;
  /// User lattice wrapper name -> methods declared `monotone :m` or `morph :m`.
  std::map<std::string, std::set<std::string>> user_lattice_monotone;
  /// Names of `declare`d methods (2011 rule blocks) in any file: a plain `def` of the
  /// same name elsewhere may override one.
  std::set<std::string> declared_blocks;
};

/// The built-in lattice kinds of Bud.
std::set<std::string> builtin_lattice_kinds();

/// Adds the import aliases and lattice wrapper names declared in `tree`.
void scan_names(const ruby::SyntaxTree& tree, ReaderContext& ctx);

/// Reads one file. Diagnostics are appended to `diags`; never throws on bad input. A file
/// with a syntax error gets one calm-parse-error (where the parser first failed) and no
/// modules: only its requires are read.
SourceFile read_bud_file(const ruby::SyntaxTree& tree, const ReaderContext& ctx,
                         Diagnostics& diags);

/// The requires of a file, as read_bud_file reads them, without reading its modules'
/// declarations and rules (the loader follows requires before it reads any file).
std::vector<Require> read_requires(const ruby::SyntaxTree& tree);

/// Deepest syntax nesting the reader accepts (the tree of one statement, and modules
/// and classes inside each other): the one depth limit of every reader,
/// kMaxNestingDepth (model/limits.h). Deeper input gets a located diagnostic instead of
/// risking the stack here or in what reads the model (analyses, evaluator, reports).
inline constexpr int kMaxNesting = kMaxNestingDepth;

}  // namespace calm::bud
