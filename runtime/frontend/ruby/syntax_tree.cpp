#include "frontend/ruby/syntax_tree.h"

#include <tree_sitter/api.h>

#include <cstring>

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
std::vector<Node> Node::named_children() const {
  std::vector<Node> out;
  size_t n = named_child_count();
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(named_child(i));
  return out;
}
Node Node::parent() const {
  if (null()) return {};
  CALM_WRAP(ts_node_parent(raw(raw_)));
}
std::string Node::token_child(size_t i) const {
  size_t seen = 0;
  for (size_t k = 0; k < child_count(); ++k) {
    Node c = child(k);
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

#undef CALM_WRAP

SyntaxTree::SyntaxTree(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  TSParser* parser = ts_parser_new();
  ts_parser_set_language(parser, tree_sitter_ruby());
  tree_ = ts_parser_parse_string(parser, nullptr, text_.data(), uint32_t(text_.size()));
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
void collect_errors(Node n, Diagnostics& diags, int& budget) {
  if (budget <= 0 || !n.has_error()) return;
  if (n.is_error() || n.is_missing()) {
    --budget;
    std::string what;
    if (n.is_missing()) {
      what = "syntax error: missing '" + std::string(n.type()) + "'";
    } else {
      std::string_view t = n.text();
      size_t nl = t.find('\n');
      std::string snippet(
          t.substr(0, std::min<size_t>(nl == std::string_view::npos ? t.size() : nl, 40)));
      what = "syntax error: Ruby parser could not read '" + snippet + "'";
    }
    diags.error("calm-parse-error", what, n.location());
    return;
  }
  for (size_t i = 0; i < n.child_count(); ++i) collect_errors(n.child(i), diags, budget);
}
}  // namespace

void SyntaxTree::collect_syntax_errors(Diagnostics& diags) const {
  int budget = 20;  // a binary file would otherwise produce thousands
  collect_errors(root(), diags, budget);
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
