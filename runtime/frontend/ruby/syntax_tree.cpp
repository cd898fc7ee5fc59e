#include "frontend/ruby/syntax_tree.h"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <set>
#include <vector>

extern "C" const TSLanguage* tree_sitter_ruby(void);

namespace calm::ruby {

static_assert(sizeof(TSNode) <= 32, "TSNode must fit Node::raw_");

namespace {
TSNode raw(const unsigned char* bytes) {
  TSNode n;
  std::memcpy(&n, bytes, sizeof n);
  return n;
}
}  // namespace

Node::Node(const SyntaxTree* tree, const void* node) : tree_(tree) {
  std::memcpy(raw_, node, sizeof(TSNode));
}

#define CALM_WRAP(expr)      \
  do {                       \
    TSNode _n = (expr);      \
    return Node(tree_, &_n); \
  } while (0)

bool Node::null() const { return tree_ == nullptr || ts_node_is_null(raw(raw_)); }
std::string_view Node::type() const { return null() ? "" : ts_node_type(raw(raw_)); }
bool Node::named() const { return !null() && ts_node_is_named(raw(raw_)); }
Node Node::child_by_field(const char* field) const {
  if (null()) return {};
  CALM_WRAP(ts_node_child_by_field_name(raw(raw_), field, std::strlen(field)));
}
size_t Node::child_count() const { return null() ? 0 : ts_node_child_count(raw(raw_)); }
Node Node::child(size_t i) const { CALM_WRAP(ts_node_child(raw(raw_), i)); }
size_t Node::named_child_count() const { return null() ? 0 : ts_node_named_child_count(raw(raw_)); }
Node Node::named_child(size_t i) const { CALM_WRAP(ts_node_named_child(raw(raw_), i)); }
std::vector<Node> Node::children(bool named_only) const {
  // A cursor visits the children in O(n): ts_node_child(i) and ts_node_named_child(i)
  // each walk the siblings before i, which made wide nodes (an ERROR node holding
  // thousands of tokens) quadratic.
  std::vector<Node> out;
  if (null()) return out;
  TSTreeCursor cursor = ts_tree_cursor_new(raw(raw_));
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    do {
      TSNode c = ts_tree_cursor_current_node(&cursor);
      if (!named_only || ts_node_is_named(c)) out.push_back(Node(tree_, &c));
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
  return out;
}
std::vector<Node> Node::named_children() const { return children(true); }
Node Node::parent() const {
  if (null()) return {};
  CALM_WRAP(ts_node_parent(raw(raw_)));
}
std::string Node::token_child(size_t i) const {
  size_t seen = 0;
  for (const Node& c : children()) {
    if (!c.named()) {
      if (seen == i) return std::string(c.type());
      ++seen;
    }
  }
  return "";
}
std::string_view Node::text() const {
  if (null()) return {};
  uint32_t b = ts_node_start_byte(raw(raw_)), e = ts_node_end_byte(raw(raw_));
  const std::string& t = tree_->text();
  if (e > t.size() || b > e) return {};
  return std::string_view(t).substr(b, e - b);
}
int Node::line() const { return null() ? 0 : int(ts_node_start_point(raw(raw_)).row) + 1; }
int Node::column() const { return null() ? 0 : int(ts_node_start_point(raw(raw_)).column) + 1; }
SourceLocation Node::location() const { return {tree_ ? tree_->path() : "", line(), column()}; }
bool Node::has_error() const { return !null() && ts_node_has_error(raw(raw_)); }
bool Node::is_error() const { return type() == "ERROR"; }
bool Node::is_missing() const { return !null() && ts_node_is_missing(raw(raw_)); }
bool Node::operator==(const Node& o) const {
  if (null() || o.null()) return null() == o.null();
  return ts_node_eq(raw(raw_), raw(o.raw_));
}

const void* Node::id() const { return null() ? nullptr : raw(raw_).id; }

#undef CALM_WRAP

namespace {
bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
}  // namespace

namespace {
bool opens_char_literal(char c) {
  return c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}';
}

/// The line starting at `i`: [i, end) without the newline (and a trailing '\r').
std::string_view line_at(std::string_view text, size_t i) {
  size_t e = text.find('\n', i);
  std::string_view l = text.substr(i, (e == std::string_view::npos ? text.size() : e) - i);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

size_t next_line(std::string_view text, size_t i) {
  size_t e = text.find('\n', i);
  return e == std::string_view::npos ? text.size() : e + 1;
}
}  // namespace

LexicalScan lexical_scan(std::string_view text, size_t limit, size_t token_limit) {
  // Openers: ( [ { and the keywords closed by `end`. `if`/`unless`/`while`/`until`
  // open a block only at the start of an expression (after an operator, a newline,
  // `(`, `then`...), not as modifiers after a value (`x if y`). Inside double-quoted
  // strings and backticks only `#{` opens (code, until its `}`); `#{` anywhere else
  // counts too (in a regular expression or %-literal the scan does not recognise),
  // so no interpolation hides brackets from the count. =begin/=end comments,
  // heredoc bodies (but their interpolations) and ?( literals are skipped.
  static const std::set<std::string_view, std::less<>> always = {"begin", "case", "class", "def",
                                                                 "do",    "for",  "module"};
  static const std::set<std::string_view, std::less<>> unless_modifier = {"if", "unless", "while",
                                                                          "until"};
  struct Interpolation {
    size_t depth;  ///< the depth its `}` returns to
    char close;    ///< the quote of the string it sits in
  };
  struct Heredoc {
    std::string_view id;
    bool indented;
    bool interpolates;
  };
  std::vector<Interpolation> interpolations;
  std::vector<Heredoc> heredocs;
  size_t depth = 0, i = 0, n = text.size();
  char prev = '\n';    // last significant character outside strings and comments
  char in_string = 0;  // the closing quote while inside an interpolating string
  bool line_start = true;
  // Tokens: words, numbers, string and character literals, heredocs, `#{` and each
  // punctuation character, outside comments and string contents.
  size_t tokens = 0;
  constexpr size_t npos = std::string_view::npos;
  while (i < n) {
    if (line_start && !in_string) {
      line_start = false;
      // Heredoc bodies begin on the line after their opener.
      for (const Heredoc& h : heredocs) {
        while (i < n) {
          std::string_view l = line_at(text, i);
          std::string_view t = l;
          if (h.indented)
            while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
          if (t == h.id) {
            i = next_line(text, i);
            break;
          }
          if (h.interpolates) {  // count what sits inside #{...}
            size_t inner = 0;
            for (size_t k = 0; k < l.size(); ++k) {
              char c = l[k];
              if (inner == 0) {
                if (c == '#' && k + 1 < l.size() && l[k + 1] == '{') {
                  inner = 1;
                  ++k;
                  if (++depth > limit) return {i + k, std::string_view::npos};
                }
              } else if (c == '(' || c == '[' || c == '{') {
                ++inner;
                if (++depth > limit) return {i + k, std::string_view::npos};
              } else if (c == ')' || c == ']' || c == '}') {
                --inner;
                --depth;
              }
            }
            depth -= inner;  // an interpolation left open on a line counts for the line only
          }
          i = next_line(text, i);
        }
      }
      heredocs.clear();
      if (text.substr(i, 6) == "=begin" &&
          (i + 6 == n || std::isspace(static_cast<unsigned char>(text[i + 6])))) {
        while (i < n && !(text.substr(i, 4) == "=end" &&
                          (i + 4 == n || std::isspace(static_cast<unsigned char>(text[i + 4])))))
          i = next_line(text, i);
        i = next_line(text, i);
        line_start = true;
        continue;
      }
      if (i >= n) break;
    }
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        i += 2;
      } else if (c == in_string) {
        in_string = 0;
        prev = 'a';
        ++i;
      } else if (c == '#' && i + 1 < n && text[i + 1] == '{') {
        if (++tokens > token_limit) return {npos, i};
        interpolations.push_back({depth, in_string});
        in_string = 0;
        if (++depth > limit) return {i, std::string_view::npos};
        prev = '(';
        i += 2;
      } else {
        ++i;
      }
      continue;
    }
    if (c == '\n') {
      line_start = true;
      prev = '\n';
      ++i;
      continue;
    }
    if (c == '#') {
      if (i + 1 < n && text[i + 1] == '{') {
        if (++tokens > token_limit) return {npos, i};
        if (++depth > limit) return {i, std::string_view::npos};
        prev = '(';
        i += 2;
        continue;
      }
      while (i < n && text[i] != '\n') ++i;  // a comment to the end of the line
      continue;
    }
    if (c == '"' || c == '`') {
      if (++tokens > token_limit) return {npos, i};
      in_string = c;
      ++i;
      continue;
    }
    if (c == '\'') {  // no interpolation; escapes skipped
      if (++tokens > token_limit) return {npos, i};
      for (++i; i < n && text[i] != c; ++i)
        if (text[i] == '\\') ++i;
      ++i;
      prev = 'a';
      continue;
    }
    if (c == '?' && i + 1 < n && opens_char_literal(text[i + 1]) && !word_char(prev) &&
        prev != ')' && prev != ']' && prev != '}') {
      if (++tokens > token_limit) return {npos, i};
      i += 2;  // ?( is the one-character string "("
      prev = 'a';
      continue;
    }
    if (c == '<' && i + 2 < n && text[i + 1] == '<' && !word_char(prev) && prev != ')' &&
        prev != ']' && prev != '}') {
      size_t k = i + 2;
      bool indented = k < n && (text[k] == '~' || text[k] == '-');
      if (indented) ++k;
      char quote = k < n && (text[k] == '\'' || text[k] == '"' || text[k] == '`') ? text[k] : 0;
      if (quote) ++k;
      size_t b = k;
      while (k < n && word_char(text[k])) ++k;
      bool ok = k > b && (!quote || (k < n && text[k] == quote)) &&
                (indented || quote || std::isupper(static_cast<unsigned char>(text[b])));
      if (ok) {
        if (++tokens > token_limit) return {npos, i};
        heredocs.push_back({text.substr(b, k - b), indented, quote != '\''});
        i = quote ? k + 1 : k;
        prev = 'a';
        continue;
      }
    }
    if (word_char(c)) {
      if (++tokens > token_limit) return {npos, i};
      size_t b = i;
      while (i < n && word_char(text[i])) ++i;
      std::string_view w = text.substr(b, i - b);
      // `x.class`, `:class` and `class:` are names, not keywords.
      bool after_dot = (b > 0 && (text[b - 1] == '.' || text[b - 1] == ':')) ||
                       (i < n && text[i] == ':' && (i + 1 >= n || text[i + 1] != ':'));
      if (!after_dot && w == "end") {
        if (depth > 0) --depth;
      } else if (!after_dot && (always.count(w) || (unless_modifier.count(w) && !word_char(prev) &&
                                                    prev != ')' && prev != ']' && prev != '}'))) {
        if (++depth > limit) return {b, std::string_view::npos};
      }
      // Keywords that end an expression's start: what follows begins a new one.
      prev = (w == "then" || w == "do" || w == "else" || w == "and" || w == "or" || w == "not")
                 ? ';'
                 : 'a';
      continue;
    }
    if (c != ' ' && c != '\t' && c != '\r' && ++tokens > token_limit) return {npos, i};
    if (c == '(' || c == '[' || c == '{') {
      if (++depth > limit) return {i, std::string_view::npos};
    } else if (c == '}' && !interpolations.empty() && interpolations.back().depth + 1 == depth) {
      --depth;  // the end of an interpolation: back inside its string
      in_string = interpolations.back().close;
      interpolations.pop_back();
      ++i;
      continue;
    } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    if (c != ' ' && c != '\t' && c != '\r') prev = c;
    ++i;
  }
  return {};
}

size_t excessive_nesting_at(std::string_view text, size_t limit) {
  return lexical_scan(text, limit, std::numeric_limits<size_t>::max()).too_deep_at;
}

namespace {
/// Runs of more than 10,000 consecutive comment lines are blanked (spaces, newlines
/// kept, so every location stays the same): tree-sitter 0.20 keeps each comment on its
/// parse stack until the next token and corrupts its heap past 65,535 of them.
void blank_long_comment_runs(std::string& text) {
  constexpr size_t kMaxRun = 10000;
  std::vector<std::pair<size_t, size_t>> run;  // [#, end of line) of each comment line
  auto flush = [&]() {
    if (run.size() > kMaxRun)
      for (auto [b, e] : run) std::fill(text.begin() + long(b), text.begin() + long(e), ' ');
    run.clear();
  };
  size_t i = 0, n = text.size();
  while (i < n) {
    size_t eol = text.find('\n', i);
    if (eol == std::string::npos) eol = n;
    size_t k = i;
    while (k < eol && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r')) ++k;
    if (k < eol && text[k] == '#')
      run.push_back({k, eol});
    else if (k < eol)
      flush();  // a line of code ends the run (blank lines do not)
    i = eol + 1;
  }
  flush();
}
}  // namespace

SyntaxTree::SyntaxTree(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  const LexicalScan scan = lexical_scan(text_);
  refused_at_ = scan.too_deep_at;
  too_large_at_ = scan.too_large_at;
  if (too_large_at_ != std::string::npos) refused_at_ = too_large_at_;
  blank_long_comment_runs(text_);
  TSParser* parser = ts_parser_new();
  ts_parser_set_language(parser, tree_sitter_ruby());
  // tree-sitter-ruby's lexer reads only some non-ASCII letters in names (`:pätḩ` is a
  // syntax error to it, not to Ruby). It parses a copy whose non-ASCII bytes are ASCII
  // letters: the same bytes, so every offset, line and column is the same, and every
  // node's text is read from the original (Node::text).
  std::string ascii;
  const std::string* parsed = &text_;
  if (std::any_of(text_.begin(), text_.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    ascii = text_;
    for (char& c : ascii)
      if (static_cast<unsigned char>(c) >= 0x80) c = 'x';
    parsed = &ascii;
  }
  // A refused text is not handed to tree-sitter: the tree is empty.
  tree_ = refused_at_ == std::string::npos
              ? ts_parser_parse_string(parser, nullptr, parsed->data(), uint32_t(parsed->size()))
              : ts_parser_parse_string(parser, nullptr, "", 0);
  ts_parser_delete(parser);
}

SyntaxTree::~SyntaxTree() {
  if (tree_) ts_tree_delete(tree_);
}

Node SyntaxTree::root() const {
  TSNode n = ts_tree_root_node(tree_);
  return Node(this, &n);
}

unsigned SyntaxTree::language_version() { return ts_language_version(tree_sitter_ruby()); }

namespace {
/// The text of a token, quoted for a message: one line, at most 40 bytes, whole UTF-8.
std::string quoted(std::string_view t) {
  size_t nl = t.find('\n');
  size_t len = std::min<size_t>(nl == std::string_view::npos ? t.size() : nl, 40);
  while (len > 0 && len < t.size() && (static_cast<unsigned char>(t[len]) & 0xC0) == 0x80) --len;
  return "'" + std::string(t.substr(0, len)) + "'";
}

/// The first leaf token under `n`, in source order (n itself when it has no children).
Node first_leaf(Node n) {
  while (n.child_count() > 0) n = n.child(0);
  return n;
}
}  // namespace

bool SyntaxTree::has_syntax_errors() const {
  return refused_at_ != std::string::npos || root().has_error();
}

namespace {
/// The first leaf token after `n` in source order (null at the end of the tree).
Node next_token(Node n) {
  while (n) {
    Node p = n.parent();
    if (!p) return {};
    std::vector<Node> kids = p.children();
    for (size_t i = 0; i + 1 < kids.size(); ++i)
      if (kids[i] == n) return first_leaf(kids[i + 1]);
    n = p;
  }
  return {};
}

/// Byte offset just past the last non-blank character of `text`.
size_t content_end(const std::string& text) {
  size_t e = text.size();
  while (e > 0 && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  return e;
}
}  // namespace

std::optional<SyntaxError> SyntaxTree::first_syntax_error() const {
  if (too_large_at_ != std::string::npos)
    return SyntaxError{location_at(path_, text_, too_large_at_),
                       "program too large: more than " + std::to_string(kMaxProgramTokens) +
                           " tokens (words, literals and punctuation outside comments; the "
                           "limit kMaxProgramTokens keeps memory under 1 GB); not parsed"};
  if (refused_at_ != std::string::npos)
    return SyntaxError{location_at(path_, text_, refused_at_),
                       "program nested too deeply (more than " +
                           std::to_string(kMaxLexicalNesting) +
                           " open brackets or blocks); not parsed"};
  // The first ERROR or MISSING node in source order (iterative: deep input must not
  // overflow the stack).
  std::vector<Node> stack{root()};
  Node bad;
  while (!stack.empty()) {
    Node n = stack.back();
    stack.pop_back();
    if (!n.has_error() && !n.is_missing()) continue;
    if (n.is_error() || n.is_missing()) {
      bad = n;
      break;
    }
    std::vector<Node> kids = n.children();
    stack.insert(stack.end(), kids.rbegin(), kids.rend());
  }
  if (!bad) return std::nullopt;
  // Measured against `ruby -c` on mutated corpus files (bench/syntax_errors.rb): a
  // MISSING token is reported where tree-sitter expected it; inside an ERROR node, at the
  // token after the first run of skipped tokens; an ERROR that runs to the end of the
  // file with nothing skipped is an unclosed block or bracket, reported at the end as
  // Ruby does ("unexpected end-of-input").
  auto at_end = [&](std::string what) {
    return SyntaxError{location_at(path_, text_, text_.empty() ? 0 : text_.size() - 1),
                       std::move(what)};
  };
  if (bad.is_missing())
    return SyntaxError{bad.location(),
                       "syntax error: expected '" + std::string(bad.type()) + "' here"};
  // Descend to the first nested ERROR (tokens the parser skipped) or MISSING token.
  Node at = bad;
  Node skipped;
  while (true) {
    Node next;
    for (Node c : at.children()) {
      if (c.is_error() || c.is_missing()) {
        next = c;
        break;
      }
    }
    if (!next || next == at) break;
    at = next;
    if (!at.is_error()) break;
    skipped = at;
  }
  if (!skipped && !at.is_missing()) {
    size_t end_byte = size_t(bad.text().data() - text_.data()) + bad.text().size();
    if (end_byte >= content_end(text_))
      return at_end("syntax error: unexpected end of file; a block or bracket is not closed");
  }
  if (skipped) {
    Node next = next_token(skipped);
    if (next && !next.is_missing())
      return SyntaxError{next.location(), "syntax error: unexpected " + quoted(next.text())};
    return at_end("syntax error: unexpected end of file");
  }
  Node tok = at.is_error() ? first_leaf(at) : at;
  if (tok.is_missing())
    return SyntaxError{tok.location(),
                       "syntax error: expected '" + std::string(tok.type()) + "' here"};
  return SyntaxError{tok.location(), "syntax error: unexpected " + quoted(tok.text())};
}

void SyntaxTree::collect_syntax_errors(Diagnostics& diags) const {
  if (auto e = first_syntax_error()) diags.error("calm-parse-error", e->message, e->location);
}

Expr SyntaxTree::to_expr(Node n) const {
  // Callers refuse trees deeper than kMaxNesting before converting them.
  Expr e;
  e.type = std::string(n.type());
  e.line = n.line();
  e.column = n.column();
  if (n.named_child_count() == 0) e.text = std::string(n.text());
  // Field names come from a cursor: ts_node_field_name_for_child is unreliable in
  // the tree-sitter 0.20 that Debian ships (it misnumbers children).
  TSNode raw_node;
  std::memcpy(&raw_node, n.raw_, sizeof raw_node);
  TSTreeCursor cursor = ts_tree_cursor_new(raw_node);
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    do {
      TSNode c = ts_tree_cursor_current_node(&cursor);
      const char* f = ts_tree_cursor_current_field_name(&cursor);
      std::string field = f ? f : "";
      Node child(this, &c);
      if (!child.named()) {
        if (field.empty()) continue;  // punctuation
        Expr tok;
        tok.type = std::string(child.type());
        tok.field = field;
        tok.text = std::string(child.text());
        tok.line = child.line();
        tok.column = child.column();
        e.children.push_back(std::move(tok));
        continue;
      }
      if (child.is("comment")) continue;
      Expr sub = to_expr(child);
      sub.field = field;
      e.children.push_back(std::move(sub));
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
  return e;
}

}  // namespace calm::ruby
