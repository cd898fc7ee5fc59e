#include "frontend/syndicate/sexp.h"

#include <cctype>
#include <utility>

#include "base/limits.h"

namespace calm::syndicate {

namespace {

/// Thrown inside the reader only; read_sexps turns it into a diagnostic.
struct ReadError {
  std::string message;
  SourceLocation location;
};

bool is_delimiter(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')' || c == '[' ||
         c == ']' || c == '{' || c == '}' || c == '"' || c == ';' || c == '\'' || c == '`' ||
         c == ',';
}

char closer_of(char open) { return open == '(' ? ')' : open == '[' ? ']' : '}'; }

bool looks_numeric(const std::string& t) {
  if (t.empty()) return false;
  if (t == "+inf.0" || t == "-inf.0" || t == "+nan.0" || t == "+inf.f" || t == "-inf.f")
    return true;
  size_t i = (t[0] == '+' || t[0] == '-') ? 1 : 0;
  if (i < t.size() && t[i] == '.') ++i;
  return i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]));
}

class Reader {
 public:
  Reader(const std::string& path, const std::string& text) : path_(path), text_(text) {}

  std::vector<Sexp> read_all() {
    std::vector<Sexp> out;
    skip_lang_line();
    while (true) {
      skip_atmosphere();
      if (at_end()) break;
      if (peek() == ')' || peek() == ']' || peek() == '}')
        throw ReadError{std::string("unexpected '") + peek() + "' with no matching opening bracket",
                        here()};
      out.push_back(read_datum());
    }
    return out;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  SourceLocation here() const { return {path_, line_, col_}; }
  void advance() {
    if (at_end()) return;
    if (text_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else if ((static_cast<unsigned char>(text_[pos_]) & 0xC0) != 0x80) {
      ++col_;  // count UTF-8 lead bytes only
    }
    ++pos_;
  }

  void skip_lang_line() {
    if (text_.compare(0, 5, "#lang") == 0 || text_.compare(0, 2, "#!") == 0)
      while (!at_end() && peek() != '\n') advance();
  }

  /// Whitespace and comments, including `#;` datum comments.
  void skip_atmosphere() {
    while (!at_end()) {
      char c = peek();
      if (std::isspace(static_cast<unsigned char>(c))) {
        advance();
      } else if (c == ';') {
        while (!at_end() && peek() != '\n') advance();
      } else if (c == '#' && peek(1) == '|') {
        skip_block_comment();
      } else if (c == '#' && peek(1) == ';') {
        SourceLocation at = here();
        advance();
        advance();
        skip_atmosphere();
        if (at_end()) throw ReadError{"'#;' comments out nothing (end of file)", at};
        (void)read_datum();
      } else {
        break;
      }
    }
  }

  void skip_block_comment() {
    SourceLocation at = here();
    int depth = 0;
    do {
      if (at_end()) throw ReadError{"unterminated block comment '#|'", at};
      if (peek() == '#' && peek(1) == '|') {
        ++depth;
        advance();
        advance();
      } else if (peek() == '|' && peek(1) == '#') {
        --depth;
        advance();
        advance();
      } else {
        advance();
      }
    } while (depth > 0);
  }

  Sexp make(Sexp::Kind kind, SourceLocation at, size_t begin) {
    Sexp s;
    s.kind = kind;
    s.location = std::move(at);
    s.begin = begin;
    return s;
  }

  Sexp read_datum() {
    // Lists, quotes and `#;` comments recurse here: bounded (model/limits.h).
    struct Depth {
      int& d;
      explicit Depth(int& x) : d(++x) {}
      ~Depth() { --d; }
    } depth(depth_);
    skip_atmosphere();
    if (at_end()) throw ReadError{"unexpected end of file", here()};
    if (depth_ > kMaxNestingDepth)
      throw ReadError{
          "nested too deeply (more than " + std::to_string(kMaxNestingDepth) + " levels)", here()};
    SourceLocation at = here();
    size_t begin = pos_;
    char c = peek();
    if (c == '(' || c == '[' || c == '{') return read_list(at, begin);
    if (c == ')' || c == ']' || c == '}')
      throw ReadError{std::string("unexpected '") + c + "'", at};
    if (c == '"') return read_string(at, begin);
    if (c == '\'' || c == '`' || c == ',') {
      std::string name = c == '\'' ? "quote" : c == '`' ? "quasiquote" : "unquote";
      advance();
      if (c == ',' && peek() == '@') {
        name = "unquote-splicing";
        advance();
      }
      return wrap(name, at, begin);
    }
    if (c == '#') return read_hash(at, begin);
    return read_atom(at, begin);
  }

  Sexp wrap(const std::string& name, const SourceLocation& at, size_t begin) {
    Sexp s = make(Sexp::Kind::List, at, begin);
    Sexp head = make(Sexp::Kind::Symbol, at, begin);
    head.text = name;
    head.end = pos_;
    s.items.push_back(std::move(head));
    s.items.push_back(read_datum());
    s.end = pos_;
    return s;
  }

  Sexp read_list(const SourceLocation& at, size_t begin) {
    Sexp s = make(Sexp::Kind::List, at, begin);
    s.open = peek();
    const char close = closer_of(s.open);
    advance();
    while (true) {
      skip_atmosphere();
      if (at_end())
        throw ReadError{std::string("unclosed '") + s.open + "': expected '" + close +
                            "' before the end of the file",
                        at};
      char c = peek();
      if (c == close) {
        advance();
        break;
      }
      if (c == ')' || c == ']' || c == '}')
        throw ReadError{std::string("'") + s.open + "' closed by '" + c + "'", here()};
      if (c == '.' && is_delimiter(peek(1))) {  // dotted pair: keep the tail as an item
        advance();
        continue;
      }
      s.items.push_back(read_datum());
    }
    s.end = pos_;
    return s;
  }

  Sexp read_string(const SourceLocation& at, size_t begin) {
    Sexp s = make(Sexp::Kind::String, at, begin);
    advance();  // opening quote
    while (true) {
      if (at_end()) throw ReadError{"unterminated string", at};
      char c = peek();
      if (c == '"') {
        advance();
        break;
      }
      if (c == '\\') {
        advance();
        if (at_end()) throw ReadError{"unterminated string", at};
        char e = peek();
        s.text += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
        advance();
        continue;
      }
      s.text += c;
      advance();
    }
    s.end = pos_;
    return s;
  }

  std::string read_token() {
    std::string t;
    while (!at_end() && !is_delimiter(peek())) {
      if (peek() == '|') {  // |symbol with spaces|
        advance();
        while (!at_end() && peek() != '|') {
          t += peek();
          advance();
        }
        if (!at_end()) advance();
        continue;
      }
      if (peek() == '\\' && pos_ + 1 < text_.size()) {
        advance();
      }
      t += peek();
      advance();
    }
    return t;
  }

  Sexp read_atom(const SourceLocation& at, size_t begin) {
    std::string t = read_token();
    if (t.empty()) throw ReadError{std::string("unexpected character '") + peek() + "'", at};
    Sexp s = make(looks_numeric(t) ? Sexp::Kind::Number : Sexp::Kind::Symbol, at, begin);
    s.text = std::move(t);
    s.end = pos_;
    return s;
  }

  Sexp read_hash(const SourceLocation& at, size_t begin) {
    char n = peek(1);
    if (n == ':') {
      advance();
      advance();
      Sexp s = make(Sexp::Kind::Keyword, at, begin);
      s.text = read_token();
      if (s.text.empty()) throw ReadError{"empty keyword '#:'", at};
      s.end = pos_;
      return s;
    }
    if (n == '\'' || n == '`' || n == ',') {
      advance();
      advance();
      std::string name = n == '\'' ? "syntax" : n == '`' ? "quasisyntax" : "unsyntax";
      return wrap(name, at, begin);
    }
    if (n == '\\') {
      advance();
      advance();
      Sexp s = make(Sexp::Kind::Char, at, begin);
      if (at_end()) throw ReadError{"unterminated character '#\\'", at};
      s.text += peek();
      advance();
      while (!at_end() && !is_delimiter(peek()) &&
             std::isalnum(static_cast<unsigned char>(s.text[0]))) {
        s.text += peek();
        advance();
      }
      s.end = pos_;
      return s;
    }
    if (n == '(' || n == '[' || n == '{') {  // vector literal
      advance();
      return read_list(at, begin);
    }
    if (n == '"') {  // byte string
      advance();
      return read_string(at, begin);
    }
    // #t, #f, #true, #false, #hash(...), #rx"...", #px"...", #"..."
    advance();
    std::string t = read_token();
    if (t == "t" || t == "f" || t == "true" || t == "false") {
      Sexp s = make(Sexp::Kind::Boolean, at, begin);
      s.text = "#" + t;
      s.end = pos_;
      return s;
    }
    if (!at_end() && (peek() == '(' || peek() == '[') &&
        (t == "hash" || t == "hasheq" || t == "hasheqv" || t == "s" || t == "rx" || t == "px"))
      return read_list(at, begin);
    if (!at_end() && peek() == '"' && (t == "rx" || t == "px")) return read_string(at, begin);
    if (t.empty()) throw ReadError{"unexpected character after '#'", at};
    Sexp s = make(Sexp::Kind::Symbol, at, begin);
    s.text = "#" + t;
    s.end = pos_;
    return s;
  }

  const std::string& path_;
  const std::string& text_;
  size_t pos_ = 0;
  int line_ = 1;
  int depth_ = 0;
  int col_ = 1;
};

}  // namespace

std::vector<Sexp> read_sexps(const std::string& path, const std::string& text, Diagnostics& diags) {
  Reader reader(path, text);
  try {
    return reader.read_all();
  } catch (const ReadError& e) {
    diags.error("calm-parse-error", e.message, e.location);
  }
  return {};
}

std::string to_text(const Sexp& s) {
  switch (s.kind) {
    case Sexp::Kind::List: {
      std::string out(1, s.open);
      for (size_t i = 0; i < s.items.size(); ++i) out += (i ? " " : "") + to_text(s.items[i]);
      return out + closer_of(s.open);
    }
    case Sexp::Kind::Keyword:
      return "#:" + s.text;
    case Sexp::Kind::String: {
      std::string out = "\"";
      for (char c : s.text) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
          out += "\\n";
          continue;
        }
        out += c;
      }
      return out + "\"";
    }
    case Sexp::Kind::Char:
      return "#\\" + s.text;
    default:
      return s.text;
  }
}

}  // namespace calm::syndicate
