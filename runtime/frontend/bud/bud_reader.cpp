#include "frontend/bud/bud_reader.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "model/bud_operators.h"

namespace calm::bud {

using ruby::Node;

namespace {

/// A method of Bud's collections (model/bud_operators.h): called on a name, it shows
/// the name is a collection.
bool is_bud_collection_method(const std::string& m) {
  return is_bud_operator(m, OperatorKind::CollectionMethod) ||
         is_bud_operator(m, OperatorKind::JoinMethod);
}

// ---------------------------------------------------------------------------
// Small syntax helpers

std::string str(std::string_view s) { return std::string(s); }

/// `:foo` -> "foo", `'foo'`/`"foo"` -> "foo", `foo` -> "foo"; nullopt otherwise.
std::optional<std::string> name_literal(Node n) {
  if (n.is("simple_symbol")) {
    std::string t = str(n.text());
    return t.size() > 1 ? t.substr(1) : t;
  }
  if (n.is("delimited_symbol")) {  // :"foo"
    std::string t = str(n.text());
    if (t.size() >= 3) return t.substr(2, t.size() - 3);
  }
  if (n.is("string")) {
    if (n.named_child_count() == 0) return std::string();
    if (n.named_child_count() == 1 && n.named_child(0).is("string_content"))
      return str(n.named_child(0).text());
    return std::nullopt;  // interpolation
  }
  if (n.is("hash_key_symbol") || n.is("identifier") || n.is("constant")) return str(n.text());
  return std::nullopt;
}

/// The argument nodes of a call, without the block.
std::vector<Node> call_args(Node call) {
  Node args = call.child_by_field("arguments");
  if (!args) return {};
  std::vector<Node> out;
  for (Node c : args.named_children())
    if (!c.is("comment")) out.push_back(c);
  return out;
}

std::string call_method(Node call) {
  Node m = call.child_by_field("method");
  return m ? str(m.text()) : "";
}

Node call_block(Node call) { return call.child_by_field("block"); }

/// Statements of a block/do_block/body_statement/method body.
std::vector<Node> statements_of(Node body_owner) {
  if (!body_owner) return {};
  Node body = body_owner.child_by_field("body");
  if (!body) {
    // `block` has body field = block_body; `do_block` body = body_statement.
    return {};
  }
  std::vector<Node> out;
  for (Node c : body.named_children())
    if (!c.is("comment")) out.push_back(c);
  return out;
}

int nesting_depth(Node n, int limit) {
  // Iterative depth probe (no recursion: deep input must not overflow the stack).
  struct Item {
    Node node;
    int depth;
  };
  std::vector<Item> stack{{n, 1}};
  int max_depth = 0;
  while (!stack.empty()) {
    Item it = stack.back();
    stack.pop_back();
    max_depth = std::max(max_depth, it.depth);
    if (max_depth > limit) return max_depth;
    for (Node c : it.node.named_children()) stack.push_back({c, it.depth + 1});
  }
  return max_depth;
}

// ---------------------------------------------------------------------------
// Collection declarations

struct KindInfo {
  CollectionKind kind;
  std::vector<std::string> keys;
  std::vector<std::string> values;
};

std::optional<KindInfo> declaration_kind(const std::string& method) {
  static const std::map<std::string, KindInfo> kinds = {
      {"table", {CollectionKind::Table, {"key"}, {"val"}}},
      {"scratch", {CollectionKind::Scratch, {"key"}, {"val"}}},
      {"channel", {CollectionKind::Channel, {"@address", "val"}, {}}},
      {"loopback", {CollectionKind::Loopback, {"key"}, {"val"}}},
      {"periodic", {CollectionKind::Periodic, {"ident"}, {"time"}}},
      {"sync", {CollectionKind::Sync, {"key"}, {"val"}}},
      {"store", {CollectionKind::Store, {"key"}, {"val"}}},
      {"file_reader", {CollectionKind::FileReader, {"lineno"}, {"text"}}},
      {"terminal", {CollectionKind::Terminal, {"line"}, {}}},
      {"temp", {CollectionKind::Temp, {"key"}, {"val"}}},
      {"coll_expr", {CollectionKind::Scratch, {"key"}, {"val"}}},
  };
  auto it = kinds.find(method);
  if (it == kinds.end()) return std::nullopt;
  return it->second;
}

class DeclarationReader {
 public:
  DeclarationReader(const ReaderContext& ctx, Diagnostics& diags) : ctx_(ctx), diags_(diags) {}
  Diagnostics& diags_ref() { return diags_; }

  /// Reads `table :x, [...] => [...]` and friends. Returns nullopt (after a
  /// diagnostic when it looked like a declaration) if `stmt` is not one.
  std::optional<Collection> read(Node stmt, const std::string& module) {
    if (!stmt.is("call") || stmt.child_by_field("receiver")) return std::nullopt;
    std::string method = call_method(stmt);
    std::vector<Node> args = call_args(stmt);
    Collection c;
    c.module = module;
    c.location = stmt.location();
    size_t next = 0;
    if (method == "interface" || method == "internal") {
      if (args.size() < 2) return bad(stmt, "interface needs a direction and a name");
      std::string dir = str(args[0].text());
      if (!dir.empty() && dir[0] == ':') dir = dir.substr(1);  // `interface :input, ...`
      if (method == "internal" && (dir == "input" || dir == "output"))
        c.kind = CollectionKind::Scratch;  // Bud 0.0.x: plumbing between modules
      else if (dir == "input")
        c.kind = CollectionKind::Input;
      else if (dir == "output")
        c.kind = CollectionKind::Output;
      else
        return bad(args[0], "interface direction must be 'input' or 'output', not '" + dir + "'");
      c.keys = {"key"};
      c.values = {"val"};
      next = 1;
    } else if (ctx_.lattice_kinds.count(method)) {
      c.kind = CollectionKind::Lattice;
      c.lattice = method;
    } else if (auto k = declaration_kind(method)) {
      c.kind = k->kind;
      c.keys = k->keys;
      c.values = k->values;
    } else {
      return std::nullopt;
    }
    if (next >= args.size()) return bad(stmt, "'" + method + "' declaration needs a name");
    auto name = name_literal(args[next]);
    if (!name || name->empty()) return bad(args[next], "collection name must be a symbol");
    c.name = *name;
    c.location = args[next].location();
    ++next;
    if (c.kind == CollectionKind::Lattice) return c;

    // Kind-specific leading arguments.
    if (c.kind == CollectionKind::Periodic || c.kind == CollectionKind::FileReader ||
        method == "coll_expr") {
      if (next < args.size()) c.args.push_back(str(args[next++].text()));
    } else if (c.kind == CollectionKind::Sync || c.kind == CollectionKind::Store) {
      if (next < args.size() && (args[next].is("simple_symbol") || args[next].is("string")))
        c.args.push_back(*name_literal(args[next++]));
    }
    unknown_columns_ = false;
    read_schema(args, next, c);
    if (unknown_columns_) {
      c.keys.clear();
      c.values.clear();
      c.schema_inferred = true;
    }
    finish_channel(c, stmt);
    return c;
  }

 private:
  std::optional<Collection> bad(Node at, const std::string& msg) {
    diags_.error("calm-bad-declaration", msg, at.location());
    return std::nullopt;
  }

  /// Column list: `[:a, :b]`, `['a', 'b']`, or `x.cols` / `x.key_cols` / `x.val_cols`.
  std::optional<std::vector<std::string>> columns(Node n) {
    if (n.is("array")) {
      std::vector<std::string> cols;
      for (Node e : n.named_children()) {
        auto nm = name_literal(e);
        if (!nm && (e.is("integer") || e.is("float") || e.is("nil") || e.is("true") ||
                    e.is("false") || e.is("array") || e.is("hash"))) {
          diags_.error("calm-bad-declaration", "column name must be a symbol or a string",
                       e.location());
          return std::nullopt;
        }
        if (!nm) {  // a variable, a method call: known only when Ruby runs
          unknown_schema(e);
          return std::nullopt;
        }
        cols.push_back(*nm);
      }
      return cols;
    }
    if (auto p = column_placeholder(n)) return std::vector<std::string>{*p};
    if (n.is("parenthesized_statements") && n.named_child_count() == 1)
      return columns(n.named_child(0));
    if (n.is("binary") && n.child_by_field("operator").text() == "+") {
      auto l = columns(n.child_by_field("left"));
      if (!l) return std::nullopt;
      auto r = columns(n.child_by_field("right"));
      if (!r) return std::nullopt;
      l->insert(l->end(), r->begin(), r->end());
      return l;
    }
    unknown_schema(n);
    return std::nullopt;
  }

  /// `x.cols`, `x.key_cols`, `x.val_cols`, `x.schema` (all columns, in a column list),
  /// `a.x.cols` (imported), and a constant slice of one (`x.cols[1..-1]`, `x.key_cols[0]`):
  /// a placeholder "cols(x)" / "cols(x)[1..-1]" the composer expands (Collection::keys).
  std::optional<std::string> column_placeholder(Node n) {
    if (n.is("element_reference")) {
      Node obj = n.child_by_field("object");
      std::vector<Node> idx;
      for (Node c : n.named_children())
        if (c != obj && !c.is("comment")) idx.push_back(c);
      if (idx.size() != 1) return std::nullopt;
      std::string index;
      for (char ch : idx[0].text())
        if (ch != ' ' && ch != '\t') index += ch;
      if (!parse_slice(index)) return std::nullopt;
      auto inner = column_placeholder(obj);
      if (!inner || inner->back() != ')') return std::nullopt;
      return *inner + "[" + index + "]";
    }
    if (!n.is("call") || !n.child_by_field("receiver") || n.child_by_field("arguments") ||
        n.child_by_field("block"))
      return std::nullopt;
    std::string m = call_method(n);
    if (m == "keys") m = "key_cols";  // Bud 0.0.x spelling
    if (m == "values" || m == "vals") m = "val_cols";
    if (m == "schema") m = "cols";  // in a list: `[:from] + t.schema`
    if (m != "cols" && m != "key_cols" && m != "val_cols") return std::nullopt;
    Node recv = n.child_by_field("receiver");
    if (!(recv.is("identifier") || recv.is("call"))) return std::nullopt;
    return m + "(" + str(recv.text()) + ")";
  }

  /// A schema only running Ruby could compute: the collection keeps its name and kind,
  /// its columns are unknown (inferred from what rules write).
  void unknown_schema(Node n) {
    std::string t = str(n.text());
    if (t.size() > 60) t = t.substr(0, 57) + "...";
    diags_.warning("calm-bad-declaration",
                   "cannot read this schema without running Ruby: '" + t +
                       "'; the collection's columns are unknown to calm",
                   n.location());
    unknown_columns_ = true;
  }

  bool unknown_columns_ = false;

 public:
  /// "1..-1", "1...3", "0", "-1": a constant index or range of a column list.
  static std::optional<std::pair<long, std::optional<long>>> parse_slice(const std::string& s) {
    auto num = [](const std::string& t, long& v) {
      if (t.empty() || t.size() > 6) return false;
      size_t i = t[0] == '-' ? 1 : 0;
      if (i == t.size()) return false;
      for (size_t k = i; k < t.size(); ++k)
        if (t[k] < '0' || t[k] > '9') return false;
      v = std::stol(t);
      return true;
    };
    long a = 0, b = 0;
    size_t dots = s.find("..");
    if (dots == std::string::npos) {
      if (!num(s, a)) return std::nullopt;
      return std::pair<long, std::optional<long>>{a, std::nullopt};
    }
    bool exclusive = s.compare(dots, 3, "...") == 0;
    if (!num(s.substr(0, dots), a) || !num(s.substr(dots + (exclusive ? 3 : 2)), b))
      return std::nullopt;
    // As an inclusive end; an exclusive end just before 0 or -k.
    if (exclusive) b -= 1;
    if (exclusive && b == -1 && s.substr(dots + 3) == "0") return std::nullopt;
    return std::pair<long, std::optional<long>>{a, b};
  }

 private:
  void read_schema(const std::vector<Node>& args, size_t next, Collection& c) {
    if (next >= args.size()) return;  // default schema
    Node a = args[next];
    if (a.is("hash") && a.named_child_count() == 1) a = a.named_child(0);
    if (a.is("pair") && (a.child_by_field("key").is("simple_symbol") ||
                         a.child_by_field("key").is("hash_key_symbol")))
      return;  // options such as :path => "/x" (zookeeper stores)
    if (a.is("pair")) {
      auto k = columns(a.child_by_field("key"));
      auto v = columns(a.child_by_field("value"));
      if (k && v) {
        c.keys = *k;
        c.values = *v;
      }
      return;
    }
    if (a.is("call") && call_method(a) == "schema" && a.child_by_field("receiver") &&
        !a.child_by_field("arguments")) {
      c.schema_from = str(a.child_by_field("receiver").text());
      c.keys.clear();
      c.values.clear();
      return;
    }
    if (a.is("hash")) return;  // options such as :path => ... (zookeeper stores)
    // Positional (2011 dialect): keys, then optionally values.
    auto k = columns(a);
    if (!k) return;
    c.keys = *k;
    c.values.clear();
    if (next + 1 < args.size() && !args[next + 1].is("hash")) {
      if (auto v = columns(args[next + 1])) c.values = *v;
    }
    return;
  }

  void finish_channel(Collection& c, Node stmt) {
    auto strip = [&](std::vector<std::string>& cols) {
      for (auto& col : cols) {
        if (col.empty() || col[0] != '@') continue;
        col = col.substr(1);
        if (c.kind != CollectionKind::Channel) {
          // Bud 0.9 refuses this; Bud 0.0.x (2011) accepted and ignored it.
          diags_.warning("calm-bad-declaration",
                         "location specifier (@) in column @" + col +
                             " of non-channel collection " + c.name + " is ignored",
                         stmt.location());
        } else if (!c.location_column.empty()) {
          diags_.error("calm-bad-declaration",
                       "multiple location specifiers for channel '" + c.name + "'",
                       stmt.location());
        } else {
          c.location_column = col;
        }
      }
    };
    strip(c.keys);
    strip(c.values);
    {  // Bud raises "duplicate column name" for `[:x, :x]` (or a key and a value alike).
      std::set<std::string> seen;
      for (const auto* cols : {&c.keys, &c.values})
        for (const auto& col : *cols)
          if (col.find('(') == std::string::npos && !seen.insert(col).second) {
            diags_.error("calm-bad-declaration",
                         "duplicate column name '" + col + "' in the schema of '" + c.name + "'",
                         stmt.location());
            break;
          }
    }
    if (c.kind == CollectionKind::Channel && c.location_column.empty() && c.schema_from.empty() &&
        !c.keys.empty() && c.keys[0].find('(') == std::string::npos) {
      // Bud 0.0.x (the 2011 paper's Bud) addressed channels by their first column.
      c.location_column = c.keys[0];
      diags_.warning("calm-bad-declaration",
                     "channel '" + c.name +
                         "' has no location specifier (@); using its first "
                         "column '" +
                         c.keys[0] + "' as Bud 0.0.x did",
                     stmt.location());
    }
  }

  const ReaderContext& ctx_;
  Diagnostics& diags_;
};

// ---------------------------------------------------------------------------
// Rules

/// Lexical scope of Ruby local variables and block parameters inside a rule.
class Scope {
 public:
  void push() { frames_.emplace_back(); }
  void pop() { frames_.pop_back(); }
  void add(const std::string& n) {
    if (frames_.empty()) push();
    frames_.back().insert(n);
  }
  bool has(const std::string& n) const {
    for (const auto& f : frames_)
      if (f.count(n)) return true;
    return false;
  }

 private:
  std::vector<std::set<std::string>> frames_;
};

void add_parameters(Node params, Scope& scope) {
  if (!params) return;
  std::vector<Node> stack{params};
  while (!stack.empty()) {
    Node n = stack.back();
    stack.pop_back();
    if (n.is("identifier")) {
      scope.add(str(n.text()));
      continue;
    }
    // Default values of optional parameters are expressions, not names.
    if (n.is("optional_parameter")) {
      if (Node nm = n.child_by_field("name")) scope.add(str(nm.text()));
      continue;
    }
    for (Node c : n.named_children()) stack.push_back(c);
  }
}

class RuleReader {
 public:
  RuleReader(const ruby::SyntaxTree& tree, const ReaderContext& ctx, Diagnostics& diags)
      : tree_(tree), ctx_(ctx), diags_(diags) {}

  /// Reads one statement of a rule block. Appends to `block`; warns about
  /// statements that are not Bloom rules.
  void read_statement(Node stmt, const std::string& module, RawBlock& block,
                      std::set<std::string>& views) {
    if (stmt.is("comment") || stmt.is("empty_statement")) return;
    block_ = &block;
    module_ = module;
    stmt_ = stmt;
    parents_.clear();
    if (nesting_depth(stmt, kMaxNesting) > kMaxNesting) {
      diags_.error(
          "calm-parse-error",
          "expression nested too deeply (more than " + std::to_string(kMaxNesting) + " levels)",
          stmt.location());
      return;
    }
    if (stmt.is("binary")) {
      if (read_binary(stmt, module, block)) return;
    } else if (block.bootstrap && (stmt.is("if_modifier") || stmt.is("unless_modifier"))) {
      if (read_modified(stmt, module, block)) return;
    } else if (stmt.is("call") && !stmt.child_by_field("receiver") && call_method(stmt) == "temp") {
      if (read_temp(stmt, module, block)) return;
    } else if (stmt.is("assignment") && stmt.child_by_field("left").is("identifier")) {
      read_view(stmt, module, block, views);
      return;
    }
    // A bootstrap block is ordinary Ruby run once before the first timestep (Bud does
    // not rewrite it): statements other than rules are not a mistake there. One that
    // writes a collection inside Ruby code (`100.times {|x| t << [x]}`) is told, since
    // neither the analysis nor `calm run` follows it.
    if (block.bootstrap) {
      if (writes_collection(stmt))
        diags_.warning("calm-bootstrap-code",
                       "bootstrap statement writes collections from Ruby code, which calm does "
                       "not run (calm run refuses the program): '" +
                           first_line(stmt.text()) + "'",
                       stmt.location());
      return;
    }
    diags_.warning(
        "calm-not-a-rule",
        "statement in a rule block is not a Bloom rule; ignored: '" + first_line(stmt.text()) + "'",
        stmt.location());
  }

 private:
  /// Whether a statement holds a Bloom operator (`<<`, `<=`, `<+`, `<-`, `<~`) whose left
  /// side is a plain name.
  static bool writes_collection(Node n) {
    if (n.is("binary")) {
      std::string op = str(n.child_by_field("operator").text());
      Node left = n.child_by_field("left");
      Node right = n.child_by_field("right");
      std::string unary =
          right && right.is("unary") ? str(right.child_by_field("operator").text()) : "";
      bool bloom_op = op == "<<" || (op == "<=" && right && !right.is("integer")) ||
                      (op == "<" && (unary == "+" || unary == "-" || unary == "~"));
      if (bloom_op && left && (left.is("identifier") || left.is("call"))) return true;
    }
    for (uint32_t i = 0; i < n.child_count(); ++i)
      if (writes_collection(n.child(i))) return true;
    return false;
  }

  static std::string first_line(std::string_view t) {
    size_t nl = t.find('\n');
    std::string s(t.substr(0, nl));
    if (s.size() > 60) {
      // Cut on a character boundary: messages must stay valid UTF-8 (JSON, SARIF).
      size_t cut = 57;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
      s = s.substr(0, cut) + "...";
    }
    return s;
  }

  /// A rule of `block` for statement `stmt`, with its right-hand side copied.
  RawRule start_rule(Node stmt, const std::string& module, const RawBlock& block,
                     const std::string& lhs, SourceLocation lhs_location, RuleOp op,
                     SourceLocation op_location, Node rhs) {
    RawRule r;
    r.rule.lhs = lhs;
    r.lhs_location = std::move(lhs_location);
    r.rule.op = op;
    r.rule.module = module;
    r.rule.block = block.name;
    r.rule.bootstrap = block.bootstrap;
    r.rule.text = str(stmt.text());
    r.rule.location = stmt.location();
    r.rule.op_location = std::move(op_location);
    r.rule.rhs = tree_.to_expr(rhs);
    return r;
  }

  /// `a <= rhs`, `a << rhs`, and `a < +rhs` / `a < -rhs` / `a < ~rhs` / `a < +-rhs`.
  bool read_binary(Node stmt, const std::string& module, RawBlock& block) {
    Node left = stmt.child_by_field("left");
    Node right = stmt.child_by_field("right");
    Node opnode = stmt.child_by_field("operator");
    std::string optext = str(opnode.text());
    std::optional<std::string> lhs = lhs_name(left);
    if (!lhs) return false;
    RuleOp op;
    Node rhs = right;
    if (optext == "<=") {
      op = RuleOp::Merge;
    } else if (optext == "<<") {
      op = RuleOp::Append;
    } else if (optext == "<" && right.is("unary")) {
      std::string u = str(right.child_by_field("operator").text());
      Node operand = right.child_by_field("operand");
      if (u == "~") {
        op = RuleOp::Async;
      } else if (u == "+" || u == "-") {
        op = u == "+" ? RuleOp::Deferred : RuleOp::Delete;
        if (operand.is("unary")) {
          std::string u2 = str(operand.child_by_field("operator").text());
          if (u == "+" && u2 == "-") {
            op = RuleOp::Upsert;
            operand = operand.child_by_field("operand");
          } else if (u == "-" && u2 == "+") {
            op = RuleOp::DeleteInsert;
            operand = operand.child_by_field("operand");
          }
        }
      } else {
        return false;
      }
      rhs = operand;
    } else if (optext == "<" && right.is("unary_minus_num")) {
      return false;  // `a < -1`: a comparison
    } else {
      return false;
    }
    RawRule r = start_rule(stmt, module, block, *lhs, left.location(), op, opnode.location(), rhs);
    collect_references(rhs, Node(), r);
    block.rules.push_back(std::move(r));
    return true;
  }

  /// `x <+ [[0]] if x.empty?` in a bootstrap block: the rule, with its right-hand side
  /// wrapped in the modifier (empty when the condition fails), and the condition's
  /// collections as references.
  bool read_modified(Node stmt, const std::string& module, RawBlock& block) {
    Node body = stmt.child_by_field("body");
    Node cond = stmt.child_by_field("condition");
    if (!body || !cond || !body.is("binary") || !read_binary(body, module, block)) return false;
    RawRule& r = block.rules.back();
    Expr wrapped;
    wrapped.type = std::string(stmt.type());
    wrapped.line = r.rule.rhs.line;
    wrapped.column = r.rule.rhs.column;
    Expr inner = std::move(r.rule.rhs);
    inner.field = "body";
    wrapped.children.push_back(std::move(inner));
    Expr c = tree_.to_expr(cond);
    c.field = "condition";
    wrapped.children.push_back(std::move(c));
    r.rule.rhs = std::move(wrapped);
    r.rule.text = str(stmt.text());
    r.rule.location = stmt.location();
    Scope scope;
    scope.push();
    walk(cond, scope, false, r);
    return true;
  }

  /// `temp :x <= rhs` (with Ruby's misbinding of a trailing `do ... end` to `temp`).
  bool read_temp(Node stmt, const std::string& module, RawBlock& block) {
    std::vector<Node> args = call_args(stmt);
    if (args.size() != 1 || !args[0].is("binary")) return false;
    Node inner = args[0];
    Node sym = inner.child_by_field("left");
    auto name = name_literal(sym);
    if (!name || !sym.is("simple_symbol")) return false;
    Node opnode = inner.child_by_field("operator");
    std::string optext = str(opnode.text());
    RuleOp op;
    Node rhs = inner.child_by_field("right");
    if (optext == "<=") {
      op = RuleOp::Merge;
    } else if (optext == "<" && rhs.is("unary") &&
               str(rhs.child_by_field("operator").text()) == "+") {
      op = RuleOp::Deferred;
      rhs = rhs.child_by_field("operand");
    } else {
      return false;
    }
    Collection t;
    t.name = *name;
    t.kind = CollectionKind::Temp;
    t.module = module;
    t.schema_inferred = true;
    t.location = sym.location();
    block.temps.push_back(t);

    RawRule r = start_rule(stmt, module, block, *name, sym.location(), op, opnode.location(), rhs);
    Node misbound = call_block(stmt);
    if (misbound) {
      // Move the block back onto the right-hand side, where Bud puts it.
      Expr blk = tree_.to_expr(misbound);
      blk.field = "block";
      if (r.rule.rhs.type != "call") {
        Expr call;
        call.type = "call";
        call.line = r.rule.rhs.line;
        call.column = r.rule.rhs.column;
        Expr method = r.rule.rhs;
        method.field = "method";
        call.children.push_back(std::move(method));
        r.rule.rhs = std::move(call);
      }
      r.rule.rhs.children.push_back(std::move(blk));
    }
    collect_references(rhs, misbound, r);
    block.rules.push_back(std::move(r));
    return true;
  }

  /// 2011 dialect: `prev = join [...]` names an intermediate view.
  void read_view(Node stmt, const std::string& module, RawBlock& block,
                 std::set<std::string>& views) {
    Node left = stmt.child_by_field("left");
    Node rhs = stmt.child_by_field("right");
    std::string name = str(left.text());
    Collection v;
    v.name = name;
    v.kind = CollectionKind::View;
    v.module = module;
    v.schema_inferred = true;
    v.location = left.location();
    block.temps.push_back(v);
    views.insert(name);

    Node eq = stmt.child(1);
    RawRule r = start_rule(stmt, module, block, name, left.location(), RuleOp::Merge,
                           eq ? eq.location() : stmt.location(), rhs);
    collect_references(rhs, Node(), r);
    block.rules.push_back(std::move(r));
  }

  /// `x`, `x()`, or `alias.x` (qualified, when `alias` is an import alias).
  std::optional<std::string> lhs_name(Node n) {
    if (n.is("identifier")) return str(n.text());
    if (n.is("call")) {
      if (call_block(n) || n.child_by_field("arguments")) return std::nullopt;
      return qualified_name(n);
    }
    return std::nullopt;
  }

  /// "a.b.c" for a call chain of import aliases ending in a name, else nullopt.
  std::optional<std::string> qualified_name(Node call) {
    Node recv = call.child_by_field("receiver");
    std::string m = call_method(call);
    if (!recv) return m;
    if (call.child_by_field("arguments")) return std::nullopt;
    std::optional<std::string> prefix;
    if (recv.is("identifier")) {
      std::string r = str(recv.text());
      if (ctx_.import_aliases.count(r)) prefix = r;
    } else if (recv.is("call") && !recv.child_by_field("block")) {
      auto inner = qualified_name(recv);
      if (inner && ctx_.import_aliases.count(str(recv.child_by_field("method").text())))
        prefix = inner;
    }
    if (!prefix) return std::nullopt;
    return *prefix + "." + m;
  }

  // -- references ------------------------------------------------------------

  void collect_references(Node rhs, Node extra_block, RawRule& rule) {
    index_parents();
    Scope scope;
    scope.push();
    rhs_root_ = rhs;
    walk(rhs, scope, false, rule);
    if (extra_block) walk(extra_block, scope, true, rule);
  }

  void walk(Node n, Scope& scope, bool in_block, RawRule& rule) {
    if (!n) return;
    std::string_view t = n.type();
    if (t == "block" || t == "do_block" || t == "lambda") {
      scope.push();
      add_parameters(n.child_by_field("parameters"), scope);
      for (Node c : n.named_children())
        if (!c.is("block_parameters") && !c.is("lambda_parameters")) walk(c, scope, true, rule);
      scope.pop();
      return;
    }
    if (t == "assignment" || t == "operator_assignment") {
      Node left = n.child_by_field("left");
      walk(n.child_by_field("right"), scope, in_block, rule);
      if (left.is("identifier")) {
        scope.add(str(left.text()));
      } else if (left.is("left_assignment_list")) {
        add_parameters(left, scope);
      } else {
        walk(left, scope, in_block, rule);
      }
      return;
    }
    if (t == "identifier") {
      std::string name = str(n.text());
      if (!scope.has(name)) candidate(n, name, in_block, rule);
      return;
    }
    if (t == "call") {
      Node recv = n.child_by_field("receiver");
      Node args = n.child_by_field("arguments");
      Node blk = n.child_by_field("block");
      if (!recv && !args) {
        std::string name = call_method(n);
        if (!scope.has(name)) candidate(n, name, in_block, rule);
        walk(blk, scope, in_block, rule);
        return;
      }
      if (recv && !args) {
        if (auto q = qualified_name(n)) {
          candidate(n, *q, in_block, rule);
          walk(blk, scope, in_block, rule);
          return;
        }
      }
      if (call_method(n) == "rename") declare_rename(n);
      walk(recv, scope, in_block, rule);
      walk(args, scope, in_block, rule);
      walk(blk, scope, in_block, rule);
      return;
    }
    if (t == "pair") {
      // `key: value` keys are symbols; walk only expressions.
      Node k = n.child_by_field("key");
      if (k && !k.is("hash_key_symbol")) walk(k, scope, in_block, rule);
      walk(n.child_by_field("value"), scope, in_block, rule);
      return;
    }
    for (Node c : n.named_children()) walk(c, scope, in_block, rule);
  }

  /// `x.rename(:name, [keys] => [values])` declares a scratch `name` (as Bud does).
  void declare_rename(Node call) {
    std::vector<Node> args = call_args(call);
    if (args.empty() || !args[0].is("simple_symbol") || !block_) return;
    Collection c;
    c.name = *name_literal(args[0]);
    c.kind = CollectionKind::Scratch;
    c.module = module_;
    c.location = args[0].location();
    c.schema_inferred = true;
    if (args.size() > 1) {
      Node a = args[1];
      if (a.is("hash") && a.named_child_count() == 1) a = a.named_child(0);
      if (a.is("pair")) {
        auto names = [](Node arr) {
          std::vector<std::string> out;
          if (arr.is("array"))
            for (Node e : arr.named_children())
              if (auto n = name_literal(e)) out.push_back(*n);
          return out;
        };
        c.keys = names(a.child_by_field("key"));
        c.values = names(a.child_by_field("value"));
        c.schema_inferred = false;
      }
    }
    block_->temps.push_back(std::move(c));
  }

  void candidate(Node at, const std::string& name, bool in_block, RawRule& rule) {
    RawReference ref;
    ref.name = name;
    ref.in_block = in_block;
    ref.location = at.location();
    bool structural = false;
    Node cur = at;
    Node stop = parent_of(rhs_root_);
    while (true) {
      Node p = parent_of(cur);
      if (!p || p == stop) break;
      std::string_view pt = p.type();
      if (pt == "parenthesized_statements") {
        cur = p;
        continue;
      }
      if (pt == "call" && p.child_by_field("receiver") == cur) {
        ref.chain.push_back(call_method(p));
        cur = p;
        continue;
      }
      if (pt == "binary" && str(p.child_by_field("operator").text()) == "*") {
        // "*R" marks the right operand (the side a left outer join pads for).
        ref.chain.push_back(p.child_by_field("right") == cur ? "*R" : "*");
        structural = true;
        cur = p;
        continue;
      }
      if (pt == "array") {
        Node al = parent_of(p);
        Node call = al ? parent_of(al) : Node();
        if (al.is("argument_list") && call.is("call") && !call.child_by_field("receiver") &&
            al.named_child(0) == p) {
          std::string m = call_method(call);
          if (m == "join" || m == "leftjoin" || m == "outerjoin" || m == "natjoin") {
            ref.chain.push_back("join");
            structural = true;
            cur = call;
            continue;
          }
        }
        break;
      }
      if (pt == "argument_list") {
        Node call = parent_of(p);
        if (call.is("call") && call_method(call) == "notin" && p.named_child(0) == cur) {
          ref.chain.push_back("notin-arg");
          structural = true;
        }
        break;
      }
      break;
    }
    // Negation of a membership test: `!x.include?`, `not x.exists?`, `unless x.include?`.
    // (Also recorded for lattice tests: `!votes.contains?(x)` is not monotone.)
    if (!ref.chain.empty()) ref.negated = is_negated(cur);
    ref.certain = structural || (cur == rhs_root_ && at == rhs_root_) ||
                  (!ref.chain.empty() && is_bud_collection_method(ref.chain.front()));
    if (at.is("call") && at.child_by_field("block") && !at.child_by_field("receiver"))
      ref.certain = true;  // `coll { |t| ... }`: an implicit map
    rule.refs.push_back(std::move(ref));
  }

  /// The parent of every node of the statement being read. ts_node_parent descends
  /// from the root of the file on each call, which made a block of n statements cost
  /// O(n^2); the reader walks upwards often (reference chains, negation).
  void index_parents() {
    if (!parents_.empty()) return;
    std::vector<Node> stack{stmt_};
    while (!stack.empty()) {
      Node n = stack.back();
      stack.pop_back();
      for (Node c : n.children()) {
        parents_.emplace(c.id(), n);
        stack.push_back(c);
      }
    }
  }

  Node parent_of(Node n) const {
    if (auto it = parents_.find(n.id()); it != parents_.end()) return it->second;
    return n.parent();
  }

  bool is_negated(Node test) const {
    bool neg = false;
    Node cur = test;
    while (true) {
      Node p = parent_of(cur);
      if (!p) break;
      std::string_view pt = p.type();
      if (pt == "parenthesized_statements") {
        cur = p;
        continue;
      }
      if (pt == "unary") {
        std::string op = str(p.child_by_field("operator").text());
        if (op == "!" || op == "not") {
          neg = !neg;
          cur = p;
          continue;
        }
        break;
      }
      if ((pt == "unless" || pt == "unless_modifier") && p.child_by_field("condition") == cur)
        neg = !neg;
      break;
    }
    return neg;
  }

  const ruby::SyntaxTree& tree_;
  const ReaderContext& ctx_;
  Diagnostics& diags_;
  Node rhs_root_;
  Node stmt_;                                      ///< the statement being read
  std::unordered_map<const void*, Node> parents_;  ///< of stmt_'s nodes, by id
  RawBlock* block_ = nullptr;  ///< the block being read (for rename declarations)
  std::string module_;
};

// ---------------------------------------------------------------------------
// Modules

class FileReader {
 public:
  /// With `requires_only`, reads the requires (and module structure) but neither
  /// declarations, rules nor helper methods: the same walk, without its costly parts.
  FileReader(const ruby::SyntaxTree& tree, const ReaderContext& ctx, Diagnostics& diags,
             bool requires_only = false)
      : tree_(tree),
        ctx_(ctx),
        diags_(diags),
        decls_(ctx, module_diags_),
        rules_(tree, ctx, module_diags_),
        requires_only_(requires_only) {}

  SourceFile read() {
    file_.path = tree_.path();
    visit(tree_.root(), "", nullptr, 0);
    // Keep the definition order of first appearance.
    for (auto& name : order_) file_.modules.push_back(std::move(modules_[name]));
    return std::move(file_);
  }

 private:
  ModuleDef& module_named(const std::string& name, Node at, bool is_class) {
    auto it = modules_.find(name);
    if (it == modules_.end()) {
      order_.push_back(name);
      ModuleDef m;
      m.name = name;
      m.is_class = is_class;
      m.location = at.location();
      it = modules_.emplace(name, std::move(m)).first;
    }
    return it->second;
  }

  void visit(Node n, const std::string& ns, ModuleDef* mod, int depth) {
    if (!n) return;
    if (depth > kMaxNesting) {
      diags_.error("calm-parse-error",
                   "program nested too deeply (more than " + std::to_string(kMaxNesting) +
                       " levels of modules, classes and blocks)",
                   n.location());
      return;
    }
    std::string_view t = n.type();
    if (t == "module" || t == "class") {
      Node name_node = n.child_by_field("name");
      std::string name = str(name_node.text());
      std::string full = ns.empty() ? name : ns + "::" + name;
      ModuleDef& m = module_named(full, n, t == "class");
      if (t == "class") {
        if (Node sup = n.child_by_field("superclass")) {
          Node sc = sup.named_child_count() ? sup.named_child(0) : Node();
          m.superclass = str(sc.text());
          if (m.superclass == "Bud") m.includes_bud = true;
        }
      }
      ModuleDef* mp = &m;
      for (Node c : n.named_children()) {
        if (c == name_node || c.is("superclass")) continue;
        visit(c, full, mp, depth + 1);
      }
      return;
    }
    if (t == "body_statement") {
      bool pending_declare = false;
      for (Node c : n.named_children()) {
        if (c.is("comment")) continue;
        if (mod && c.is("identifier") && c.text() == "declare") {
          pending_declare = true;
          continue;
        }
        if (mod && c.is("method")) {
          if (!requires_only_) read_method(c, *mod, pending_declare);
          pending_declare = false;
          continue;
        }
        pending_declare = false;
        visit(c, ns, mod, depth + 1);
      }
      return;
    }
    if (t == "call") {
      std::string m = call_method(n);
      if ((m == "require" || m == "require_relative" || m == "load") &&
          !n.child_by_field("receiver")) {
        auto args = call_args(n);
        if (args.size() == 1) {
          if (auto p = name_literal(args[0])) {
            std::string path = *p;
            if (m == "require_relative") path = "./" + path;
            file_.requires_.push_back({path, n.location()});
          }
        }
        return;
      }
      if (mod && !n.child_by_field("receiver") && read_module_call(n, m, *mod)) return;
    }
    if (t == "method" && mod) {
      if (!requires_only_) read_method(n, *mod, false);
      return;
    }
    if (t == "assignment" && !requires_only_ && n.child_by_field("left").is("constant") &&
        n.child_by_field("right")) {
      ModuleConstant c{str(n.child_by_field("left").text()), mod ? mod->name : "",
                       tree_.to_expr(n.child_by_field("right")), n.location()};
      // Outside any module (`HB_EXPIRE = 4.0` at the top of a file): a constant of
      // Object, visible to every module.
      (mod ? mod->constants : file_.constants).push_back(std::move(c));
    }
    for (Node c : n.named_children()) visit(c, ns, mod, depth + 1);
  }

  /// `include`, `import`, `state do`, `bloom do`, `bootstrap do`, `declare def`.
  bool read_module_call(Node n, const std::string& m, ModuleDef& mod) {
    Node blk = call_block(n);
    auto args = call_args(n);
    if (m == "include") {
      for (Node a : args) {
        std::string name = str(a.text());
        if (name == "Bud")
          mod.includes_bud = true;
        else
          mod.includes.push_back({name, a.location()});
      }
      return true;
    }
    if (m == "import") {
      for (Node a : args) {
        Node pair = a;
        if (pair.is("hash") && pair.named_child_count() == 1) pair = pair.named_child(0);
        if (!pair.is("pair")) {
          diags_.error("calm-bad-import", "import needs the form `import Module => :alias`",
                       a.location());
          continue;
        }
        auto alias = name_literal(pair.child_by_field("value"));
        Node key = pair.child_by_field("key");
        if (!alias || !(key.is("constant") || key.is("scope_resolution"))) {
          diags_.error("calm-bad-import", "import needs the form `import Module => :alias`",
                       a.location());
          continue;
        }
        mod.imports.push_back({str(key.text()), *alias, a.location()});
      }
      return true;
    }
    if (m == "state" && blk) {
      if (!requires_only_) read_state(blk, mod);
      return true;
    }
    if ((m == "bloom" || m == "bootstrap") && blk) {
      if (requires_only_) return true;
      RawBlock b;
      b.bootstrap = m == "bootstrap";
      b.location = n.location();
      if (!args.empty()) {
        auto nm = name_literal(args[0]);
        if (nm) b.name = *nm;
      }
      read_rules(statements_of(blk), mod, b);
      mod.blocks.push_back(std::move(b));
      return true;
    }
    if (m == "declare" && args.size() == 1 && args[0].is("method")) {
      if (!requires_only_) read_method(args[0], mod, true);
      return true;
    }
    return false;
  }

  void read_method(Node def, ModuleDef& mod, bool declared) {
    std::string name = str(def.child_by_field("name").text());
    if (name == "state") {
      read_state(def, mod);
      return;
    }
    if (name == "bootstrap" || declared) {
      RawBlock b;
      b.name = name;
      b.bootstrap = name == "bootstrap";
      b.location = def.location();
      read_rules(statements_of(def), mod, b);
      mod.blocks.push_back(std::move(b));
      return;
    }
    mod.methods.push_back(name);
    mod.helpers.push_back({name, mod.name, tree_.to_expr(def), def.location()});
    // 2011 dialect: a plain `def` with the name of a `declare`d block may override it
    // (Ruby runs the override). Its rules are read as a block of that name; the composer
    // uses it only where a module it includes declares the block (a block named in
    // ModuleDef::methods is such a candidate).
    if (ctx_.declared_blocks.count(name)) {
      RawBlock b;
      b.name = name;
      b.location = def.location();
      read_rules(statements_of(def), mod, b);
      mod.blocks.push_back(std::move(b));
    }
  }

  void read_state(Node owner, ModuleDef& mod) {
    for (Node s : statements_of(owner)) {
      if (s.is("call") && call_method(s) == "super") continue;
      if (s.is("super") || s.is("comment")) continue;
      if (auto c = decls_.read(s, mod.name)) {
        mod.state.push_back(std::move(*c));
      } else if (s.is("call") && !s.child_by_field("receiver") &&
                 !declaration_kind(call_method(s)) && call_method(s) != "interface" &&
                 !ctx_.lattice_kinds.count(call_method(s))) {
        module_diags_.warning(
            "calm-not-a-declaration",
            "statement in a state block is not a collection declaration; ignored: '" +
                std::string(s.text().substr(0, std::min<size_t>(60, s.text().size()))) + "'",
            s.location());
      }
    }
    keep_module_diagnostics(mod);
  }

  void read_rules(const std::vector<Node>& stmts, ModuleDef& mod, RawBlock& block) {
    std::set<std::string> views;
    for (Node s : stmts) rules_.read_statement(s, mod.name, block, views);
    keep_module_diagnostics(mod);
  }

  void keep_module_diagnostics(ModuleDef& mod) {
    for (Diagnostic& d : module_diags_.take()) mod.diagnostics.push_back(std::move(d));
  }

  const ruby::SyntaxTree& tree_;
  const ReaderContext& ctx_;
  Diagnostics& diags_;
  Diagnostics module_diags_;  ///< collected per module, see ModuleDef::diagnostics
  DeclarationReader decls_;
  RuleReader rules_;
  const bool requires_only_;
  SourceFile file_;
  std::map<std::string, ModuleDef> modules_;
  std::vector<std::string> order_;
};

}  // namespace

std::set<std::string> builtin_lattice_kinds() {
  return {"lmax", "lmin", "lbool", "lset", "lpset", "lbag", "lmap"};
}

void scan_names(const ruby::SyntaxTree& tree, ReaderContext& ctx) {
  std::vector<Node> stack{tree.root()};
  while (!stack.empty()) {
    Node n = stack.back();
    stack.pop_back();
    if (n.is("body_statement")) {  // `declare` then `def name`: a 2011 rule block
      bool pending = false;
      for (Node c : n.named_children()) {
        if (c.is("comment")) continue;
        if (pending && c.is("method"))
          ctx.declared_blocks.insert(str(c.child_by_field("name").text()));
        pending = c.is("identifier") && c.text() == "declare";
      }
    }
    if (n.is("call") && !n.child_by_field("receiver") && call_method(n) == "declare") {
      auto args = call_args(n);  // `declare def name`
      if (args.size() == 1 && args[0].is("method"))
        ctx.declared_blocks.insert(str(args[0].child_by_field("name").text()));
    }
    if (n.is("call") && !n.child_by_field("receiver")) {
      std::string m = call_method(n);
      auto args = call_args(n);
      if (m == "import") {
        for (Node a : args) {
          Node pair = a.is("hash") && a.named_child_count() == 1 ? a.named_child(0) : a;
          if (pair.is("pair"))
            if (auto alias = name_literal(pair.child_by_field("value")))
              ctx.import_aliases.insert(*alias);
        }
      } else if (m == "wrapper_name" && args.size() == 1) {
        if (auto w = name_literal(args[0])) {
          ctx.lattice_kinds.insert(*w);
          // The lattice class declares its monotone functions and morphisms.
          Node body = n.parent();
          auto& monotone = ctx.user_lattice_monotone[*w];
          for (Node stmt : body.named_children()) {
            if (!stmt.is("call") || stmt.child_by_field("receiver")) continue;
            std::string kind = call_method(stmt);
            auto sargs = call_args(stmt);
            if ((kind == "monotone" || kind == "morph") && !sargs.empty())
              if (auto fn = name_literal(sargs[0])) monotone.insert(*fn);
          }
        }
      }
    }
    for (Node c : n.named_children()) stack.push_back(c);
  }
}

SourceFile read_bud_file(const ruby::SyntaxTree& tree, const ReaderContext& ctx,
                         Diagnostics& diags) {
  tree.collect_syntax_errors(diags);
  if (!tree.has_syntax_errors()) return FileReader(tree, ctx, diags).read();
  // A file that did not parse contributes no modules (no rules or collections read from
  // a broken parse, so no findings computed from one); its requires are still followed.
  Diagnostics ignored;
  SourceFile f = FileReader(tree, ctx, ignored, true).read();
  f.modules.clear();
  return f;
}

std::vector<Require> read_requires(const ruby::SyntaxTree& tree) {
  ReaderContext ctx;
  Diagnostics ignored;
  return FileReader(tree, ctx, ignored, true).read().requires_;
}

}  // namespace calm::bud
