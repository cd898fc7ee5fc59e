#include "frontend/dedalus/dedalus_parser.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "base/limits.h"

namespace calm::dedalus {

const std::vector<std::string>& declaration_kinds() {
  static const std::vector<std::string> kinds = {"input", "output", "table", "scratch", "channel"};
  return kinds;
}

const std::vector<std::string>& aggregate_functions() {
  static const std::vector<std::string> fns = {
      "count", "sum", "min", "max", "avg", "accum", "accum_pair", "bool_and", "bool_or", "choose"};
  return fns;
}

namespace {

struct Token {
  enum class Kind { Ident, Directive, Number, String, Punct, End };
  Kind kind = Kind::End;
  std::string text;  ///< identifier, directive without '.', number, decoded string, punctuation
  SourceLocation location;
  size_t offset = 0;
  size_t end = 0;
};

/// A syntax error: caught per statement, reported once.
struct SyntaxError : std::runtime_error {
  SourceLocation location;
  SyntaxError(std::string m, SourceLocation at)
      : std::runtime_error(std::move(m)), location(std::move(at)) {}
};

class Lexer {
 public:
  Lexer(const std::string& path, const std::string& text) : path_(path), text_(text) {}

  /// Every token, ending with End; a lexical error throws.
  std::vector<Token> run() {
    std::vector<Token> out;
    // A byte order mark is skipped, as the Ruby front end does (columns count bytes).
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;
    for (;;) {
      skip_space();
      Token t;
      t.location = here();
      t.offset = pos_;
      if (pos_ >= text_.size()) {
        t.kind = Token::Kind::End;
        t.end = pos_;
        out.push_back(t);
        return out;
      }
      char c = text_[pos_];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        t.kind = Token::Kind::Ident;
        t.text = word();
      } else if (c == '.' && pos_ + 1 < text_.size() &&
                 std::isalpha(static_cast<unsigned char>(text_[pos_ + 1]))) {
        advance();
        t.kind = Token::Kind::Directive;
        t.text = word();
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        t.kind = Token::Kind::Number;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])))
          t.text += take();
        if (pos_ + 1 < text_.size() && text_[pos_] == '.' &&
            std::isdigit(static_cast<unsigned char>(text_[pos_ + 1]))) {
          t.text += take();
          while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])))
            t.text += take();
        }
      } else if (c == '"') {
        t.kind = Token::Kind::String;
        t.text = string(t.location);
      } else {
        t.kind = Token::Kind::Punct;
        static const std::vector<std::string> two = {":-", "<=", ">=", "==", "!=", "=>"};
        std::string pair = text_.substr(pos_, 2);
        if (std::find(two.begin(), two.end(), pair) != two.end()) {
          t.text = pair;
          advance();
          advance();
        } else if (std::string("(),;@<>=+-*/%[]").find(c) != std::string::npos) {
          t.text = std::string(1, take());
        } else if (static_cast<unsigned char>(c) >= 0x80) {
          throw SyntaxError(
              "unexpected non-ASCII character (names and variables are ASCII; "
              "other text goes in strings)",
              t.location);
        } else {
          throw SyntaxError(std::string("unexpected character '") + c + "'", t.location);
        }
      }
      t.end = pos_;
      out.push_back(std::move(t));
    }
  }

 private:
  SourceLocation here() const { return {path_, line_, int(pos_ - line_start_) + 1}; }
  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }
  char take() {
    char c = text_[pos_];
    advance();
    return c;
  }
  std::string word() {
    std::string w;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      w += take();
    return w;
  }
  std::string string(const SourceLocation& start) {
    std::string s;
    advance();  // opening quote
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\n') throw SyntaxError("unterminated string", start);
      if (text_[pos_] == '\\') {
        SourceLocation at = here();
        advance();
        if (pos_ >= text_.size()) break;
        char e = take();
        switch (e) {
          case 'n':
            s += '\n';
            break;
          case 't':
            s += '\t';
            break;
          case '"':
            s += '"';
            break;
          case '\\':
            s += '\\';
            break;
          default:
            throw SyntaxError(std::string("unknown escape '\\") + e + "'", at);
        }
        continue;
      }
      s += take();
    }
    if (pos_ >= text_.size()) throw SyntaxError("unterminated string", start);
    advance();  // closing quote
    return s;
  }
  void skip_space() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        advance();
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n') advance();
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        SourceLocation start = here();
        advance();
        advance();
        while (pos_ + 1 < text_.size() && !(text_[pos_] == '*' && text_[pos_ + 1] == '/'))
          advance();
        if (pos_ + 1 >= text_.size()) throw SyntaxError("unterminated comment", start);
        advance();
        advance();
      } else {
        return;
      }
    }
  }

  const std::string& path_;
  const std::string& text_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int line_ = 1;
};

bool is_variable(const std::string& s) {
  return !s.empty() && std::isupper(static_cast<unsigned char>(s[0]));
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class Parser {
 public:
  Parser(const std::string& text, std::vector<Token> tokens, SyntaxTree& out, Diagnostics& diags)
      : text_(text), toks_(std::move(tokens)), out_(out), diags_(diags) {}

  void run() {
    while (peek().kind != Token::Kind::End) {
      size_t start = i_;
      try {
        statement();
      } catch (const SyntaxError& e) {
        diags_.error("calm-parse-error", e.what(), e.location);
        // Skip to the end of the broken statement.
        if (i_ == start) ++i_;
        while (peek().kind != Token::Kind::End && !(at_punct(";"))) ++i_;
        if (at_punct(";")) ++i_;
      }
    }
  }

 private:
  const Token& peek(size_t ahead = 0) const {
    return toks_[std::min(i_ + ahead, toks_.size() - 1)];
  }
  bool at_punct(const char* p, size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::Punct && peek(ahead).text == p;
  }
  const Token& next() {
    const Token& t = peek();
    if (t.kind != Token::Kind::End) ++i_;
    return t;
  }
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Token::Kind::End:
        return "the end of the file";
      case Token::Kind::String:
        return "a string";
      case Token::Kind::Directive:
        return "'." + t.text + "'";
      default:
        return "'" + t.text + "'";
    }
  }
  [[noreturn]] void fail(const std::string& expected) const {
    throw SyntaxError("expected " + expected + ", found " + describe(peek()), peek().location);
  }
  const Token& expect(const char* p, const std::string& what) {
    if (!at_punct(p)) fail(what);
    return next();
  }
  std::string identifier(const std::string& what) {
    if (peek().kind != Token::Kind::Ident) fail(what);
    return next().text;
  }

  void statement() {
    if (peek().kind == Token::Kind::Directive) {
      if (peek().text != "decl")
        throw SyntaxError("unknown directive '." + peek().text + "' (only .decl)", peek().location);
      declaration();
    } else {
      rule();
    }
  }

  void declaration() {
    Declaration d;
    d.location = next().location;  // .decl
    if (peek().kind != Token::Kind::Ident) fail("a kind (input, output, table, scratch, channel)");
    const Token& kind = next();
    if (!contains(declaration_kinds(), kind.text))
      throw SyntaxError(
          "unknown kind '" + kind.text + "' (input, output, table, scratch or channel)",
          kind.location);
    d.kind = kind.text;
    if (peek().kind != Token::Kind::Ident || is_variable(peek().text))
      fail("a predicate name (lower case)");
    d.name = next().text;
    d.keys = columns();
    if (at_punct("=>")) {
      next();
      d.values = columns();
    }
    expect(";", "';' after the declaration");
    out_.declarations.push_back(std::move(d));
  }

  std::vector<Column> columns() {
    std::vector<Column> cols;
    expect("(", "'(' and the column names");
    if (at_punct(")")) throw SyntaxError("a predicate needs at least one column", peek().location);
    for (;;) {
      Column c;
      c.where = peek().location;
      if (at_punct("@")) {
        next();
        c.location = true;
      }
      if (peek().kind != Token::Kind::Ident || is_variable(peek().text) || peek().text == "_")
        fail("a column name (lower case)");
      c.name = next().text;
      cols.push_back(std::move(c));
      if (at_punct(",")) {
        next();
        continue;
      }
      expect(")", "',' or ')' in the column list");
      return cols;
    }
  }

  void rule() {
    Rule r;
    const Token& first = peek();
    r.location = first.location;
    r.head = atom(true);
    r.arrow = r.head.location;
    if (at_punct("@")) {
      next();
      if (peek().kind != Token::Kind::Ident || (peek().text != "next" && peek().text != "async"))
        fail("'next' or 'async' after '@'");
      r.time = next().text == "next" ? Time::Next : Time::Async;
    }
    if (at_punct(";")) {
      r.fact = true;
    } else {
      if (!at_punct(":-")) fail("':-' or ';' after the head");
      r.arrow = next().location;
      for (;;) {
        r.body.push_back(literal());
        if (at_punct(",")) {
          next();
          continue;
        }
        break;
      }
    }
    const Token& semi = expect(";", "',' or ';' after a body literal");
    r.text = text_.substr(first.offset, semi.end - first.offset);
    out_.rules.push_back(std::move(r));
  }

  Atom atom(bool head) {
    Atom a;
    a.location = peek().location;
    if (peek().kind != Token::Kind::Ident || is_variable(peek().text) || peek().text == "_")
      fail(head ? "a rule head (a predicate, lower case)" : "a predicate");
    a.predicate = next().text;
    expect("(", "'(' after the predicate name");
    if (at_punct(")"))
      throw SyntaxError("a predicate needs at least one argument", peek().location);
    for (;;) {
      a.args.push_back(head ? head_term() : expression());
      if (at_punct(",")) {
        next();
        continue;
      }
      expect(")", "',' or ')' in the argument list");
      return a;
    }
  }

  Term head_term() {
    if (peek().kind == Token::Kind::Ident && contains(aggregate_functions(), peek().text) &&
        at_punct("<", 1)) {
      Term t;
      t.kind = Term::Kind::Aggregate;
      t.location = peek().location;
      t.text = next().text;
      next();  // <
      for (;;) {
        Term v = primary();
        if (v.kind != Term::Kind::Variable)
          throw SyntaxError("an aggregate takes variables: " + t.text + "<X>", v.location);
        t.args.push_back(std::move(v));
        if (at_punct(",")) {
          next();
          continue;
        }
        break;
      }
      expect(">", "'>' closing the aggregate");
      return t;
    }
    return expression();
  }

  Literal literal() {
    Literal l;
    l.location = peek().location;
    if (peek().kind == Token::Kind::Ident && peek().text == "notin") {
      next();
      l.kind = Literal::Kind::Negated;
      l.atom = atom(false);
      return l;
    }
    if (peek().kind == Token::Kind::Ident && (peek().text == "argmin" || peek().text == "argmax") &&
        at_punct("<", 1)) {
      l.kind = Literal::Kind::Extremum;
      l.function = next().text;
      next();  // <
      l.expression = primary();
      if (l.expression.kind != Term::Kind::Variable)
        throw SyntaxError(l.function + " takes a variable: " + l.function + "<C> by (X, Y)",
                          l.expression.location);
      expect(">", "'>' after the variable");
      if (peek().kind != Token::Kind::Ident || peek().text != "by") fail("'by (...)'");
      next();
      expect("(", "'(' and the group variables");
      for (;;) {
        Term v = primary();
        if (v.kind != Term::Kind::Variable) throw SyntaxError("expected a variable", v.location);
        l.by.push_back(std::move(v));
        if (at_punct(",")) {
          next();
          continue;
        }
        break;
      }
      expect(")", "',' or ')' in the group variables");
      return l;
    }
    if (peek().kind == Token::Kind::Ident && !is_variable(peek().text) && peek().text != "_" &&
        peek().text != "ip_port" && at_punct("(", 1)) {
      l.kind = Literal::Kind::Positive;
      l.atom = atom(false);
      return l;
    }
    l.kind = Literal::Kind::Comparison;
    Term lhs = expression();
    static const std::vector<std::string> cmp = {"==", "=", "!=", "<", "<=", ">", ">="};
    if (peek().kind != Token::Kind::Punct || !contains(cmp, peek().text))
      fail("a comparison (==, !=, <, <=, >, >=) in the body");
    Term t;
    t.kind = Term::Kind::Binary;
    t.location = lhs.location;
    t.text = next().text;
    if (t.text == "=") t.text = "==";
    t.args.push_back(std::move(lhs));
    t.args.push_back(expression());
    l.expression = std::move(t);
    return l;
  }

  Term binary(Term lhs, const std::string& op, Term rhs) {
    Term t;
    t.kind = Term::Kind::Binary;
    t.location = lhs.location;
    t.text = op;
    t.args.push_back(std::move(lhs));
    t.args.push_back(std::move(rhs));
    return t;
  }

  /// A chain `a + b + c ...` is a left-deep tree: its length is its depth.
  void check_chain(int& length) const {
    if (++length > kMaxDepth)
      throw SyntaxError(
          "expression too long (more than " + std::to_string(kMaxDepth) + " operators)",
          peek().location);
  }

  Term expression() {
    Term t = product();
    int length = 0;
    while (at_punct("+") || at_punct("-")) {
      check_chain(length);
      std::string op = next().text;
      t = binary(std::move(t), op, product());
    }
    return t;
  }

  Term product() {
    Term t = primary();
    int length = 0;
    while (at_punct("*") || at_punct("/") || at_punct("%")) {
      check_chain(length);
      std::string op = next().text;
      t = binary(std::move(t), op, primary());
    }
    return t;
  }

  Term primary() {
    Term t;
    t.location = peek().location;
    // Deeper expressions would only risk the stack (here and in the Bud reader).
    if (++depth_ > kMaxDepth)
      throw SyntaxError(
          "expression nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)",
          t.location);
    struct Leave {
      int& d;
      ~Leave() { --d; }
    } leave{depth_};
    const Token& tok = peek();
    if (at_punct("(")) {
      next();
      Term inner = expression();
      expect(")", "')'");
      return inner;
    }
    if (at_punct("-") && peek(1).kind == Token::Kind::Number) {
      next();
      const Token& n = next();
      t.kind = n.text.find('.') == std::string::npos ? Term::Kind::Integer : Term::Kind::Float;
      t.text = "-" + n.text;
      return t;
    }
    if (at_punct("[")) {
      next();
      t.kind = Term::Kind::List;
      if (!at_punct("]"))
        for (;;) {
          t.args.push_back(expression());
          if (at_punct(",")) {
            next();
            continue;
          }
          break;
        }
      expect("]", "',' or ']' in the list");
      return t;
    }
    switch (tok.kind) {
      case Token::Kind::Number:
        t.kind = tok.text.find('.') == std::string::npos ? Term::Kind::Integer : Term::Kind::Float;
        t.text = next().text;
        return t;
      case Token::Kind::String:
        t.kind = Term::Kind::String;
        t.text = next().text;
        return t;
      case Token::Kind::Ident:
        if (tok.text == "_") {
          t.kind = Term::Kind::Wildcard;
        } else if (is_variable(tok.text)) {
          t.kind = Term::Kind::Variable;
        } else if (tok.text == "ip_port") {
          t.kind = Term::Kind::Builtin;
        } else {
          throw SyntaxError("unknown name '" + tok.text +
                                "' (variables start with an upper-case letter; strings are "
                                "quoted; the only built-in value is ip_port)",
                            tok.location);
        }
        t.text = next().text;
        return t;
      default:
        fail("a variable, a number, a string or '('");
    }
  }

  static constexpr int kMaxDepth = kMaxNestingDepth;  // model/limits.h

  const std::string& text_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  int depth_ = 0;
  SyntaxTree& out_;
  Diagnostics& diags_;
};

}  // namespace

SyntaxTree parse_dedalus(const std::string& path, const std::string& text, Diagnostics& diags) {
  SyntaxTree tree;
  tree.path = path;
  std::vector<Token> tokens;
  try {
    tokens = Lexer(path, text).run();
  } catch (const SyntaxError& e) {
    diags.error("calm-parse-error", e.what(), e.location);
    return tree;
  }
  Parser(text, std::move(tokens), tree, diags).run();
  return tree;
}

}  // namespace calm::dedalus
