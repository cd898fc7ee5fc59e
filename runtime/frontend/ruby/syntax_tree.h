#pragma once

// A thin owner of a tree-sitter-ruby parse. The only code that includes the
// tree-sitter API; everything above it sees `Node` and `calm::Expr`.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "model/program.h"

struct TSTree;

namespace calm::ruby {

/// A non-owning view of a syntax node (valid while its SyntaxTree lives).
class Node {
 public:
  Node() = default;

  bool null() const;
  explicit operator bool() const { return !null(); }
  std::string_view type() const;
  bool named() const;
  bool is(std::string_view t) const { return !null() && type() == t; }

  Node child_by_field(const char* field) const;
  size_t child_count() const;
  Node child(size_t i) const;
  size_t named_child_count() const;
  Node named_child(size_t i) const;
  std::vector<Node> named_children() const;
  /// Every child (or only the named ones), in order, in time linear in their number.
  std::vector<Node> children(bool named_only = false) const;
  Node parent() const;
  /// The first anonymous token child (an operator such as "<", "+", "!").
  std::string token_child(size_t i) const;

  std::string_view text() const;
  SourceLocation location() const;  ///< start position
  int line() const;                 ///< 1-based
  int column() const;               ///< 1-based, in bytes
  bool has_error() const;
  bool is_error() const;
  bool is_missing() const;
  bool operator==(const Node& o) const;
  /// Identifies the node within its tree (equal nodes have equal ids); for hashing.
  const void* id() const;

 private:
  friend class SyntaxTree;
  Node(const class SyntaxTree* tree, const void* raw);
  const class SyntaxTree* tree_ = nullptr;
  // TSNode is 32 bytes of plain data; kept opaque so the API header stays out.
  alignas(8) unsigned char raw_[32] = {};
};

/// Deepest bracket/keyword nesting handed to tree-sitter. The tree-sitter 0.20 that
/// Debian ships corrupts its heap when more than 65535 entries are left on its parse
/// stack at the end of the input (e.g. 70,000 unclosed `(`); a few stack entries per
/// level stay far below that. Real programs nest a few dozen levels.
inline constexpr size_t kMaxLexicalNesting = 10000;

/// Most tokens (words, numbers, literals, `#{` and punctuation characters, outside
/// comments and string contents) a Ruby file may hold; the pre-scan refuses a larger
/// one before tree-sitter parses it. `calm report` needs up to about 1.4 KB of memory per
/// token (the worst shape measured: a program of tiny rules `t1 <= t2`, 934 MiB at the
/// limit; bench/big_input.sh), so every program under this limit is analysed in under
/// 1 GB; it is 50 times the largest program of the Bud corpus (13,513 tokens;
/// docs/robustness.md).
inline constexpr size_t kMaxProgramTokens = 680000;

/// What the lexical pre-scan found: the first offset at which the nesting of brackets
/// and `end`-terminated keywords exceeds its limit, and the offset of the token that
/// passes the token limit (npos when within).
struct LexicalScan {
  size_t too_deep_at = std::string_view::npos;
  size_t too_large_at = std::string_view::npos;
};

/// The cheap lexical scan run before parsing (comments and simple strings skipped);
/// stops at the first limit passed.
LexicalScan lexical_scan(std::string_view text, size_t nesting_limit = kMaxLexicalNesting,
                         size_t token_limit = kMaxProgramTokens);

/// Offset of the first byte at which the nesting of brackets and `end`-terminated
/// keywords exceeds `limit` (comments and simple strings skipped), or npos. A cheap,
/// conservative lexical scan run before parsing.
size_t excessive_nesting_at(std::string_view text, size_t limit = kMaxLexicalNesting);

struct SyntaxError {
  SourceLocation location;
  std::string message;
};

class SyntaxTree {
 public:
  /// Parses `text`. Never fails; syntax errors become ERROR/MISSING nodes. Text
  /// nested deeper than kMaxLexicalNesting is not parsed (the tree is empty) and
  /// collect_syntax_errors reports it.
  SyntaxTree(std::string path, std::string text);
  ~SyntaxTree();
  SyntaxTree(const SyntaxTree&) = delete;
  SyntaxTree& operator=(const SyntaxTree&) = delete;

  Node root() const;
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  /// True when tree-sitter could not parse the whole text (or it was refused).
  bool has_syntax_errors() const;

  /// Where the parser first failed: the first MISSING token (what was expected) or the
  /// first token an ERROR node had to skip; nullopt when the text parsed.
  std::optional<SyntaxError> first_syntax_error() const;

  /// One calm-parse-error diagnostic for first_syntax_error(), if any.
  void collect_syntax_errors(Diagnostics& diags) const;

  /// A faithful copy of the subtree as a calm::Expr (named nodes + operator tokens).
  Expr to_expr(Node n) const;

  /// The language ABI version of the linked grammar.
  static unsigned language_version();

 private:
  std::string path_;
  std::string text_;
  TSTree* tree_ = nullptr;
  size_t refused_at_ = std::string::npos;    ///< where the pre-scan refused the text
  size_t too_large_at_ = std::string::npos;  ///< the token passing kMaxProgramTokens
};

}  // namespace calm::ruby
