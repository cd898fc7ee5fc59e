#include "frontend/dedalus/molly_dialect.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "base/limits.h"

namespace calm::dedalus {

namespace {

struct Tok {
  enum class Kind { Ident, Number, String, Punct, End };
  Kind kind = Kind::End;
  std::string text;
  SourceLocation location;
  size_t offset = 0;
};

struct SyntaxError : std::runtime_error {
  SourceLocation location;
  SyntaxError(std::string m, SourceLocation at)
      : std::runtime_error(std::move(m)), location(std::move(at)) {}
};

std::vector<Tok> lex(const std::string& path, const std::string& s) {
  std::vector<Tok> out;
  size_t i = 0, line_start = 0;
  int line = 1;
  auto here = [&] { return SourceLocation{path, line, int(i - line_start) + 1}; };
  auto adv = [&] {
    if (s[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
    ++i;
  };
  for (;;) {
    // space and comments
    for (;;) {
      if (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) {
        adv();
      } else if (i + 1 < s.size() && s[i] == '/' && s[i + 1] == '/') {
        while (i < s.size() && s[i] != '\n') adv();
      } else if (i + 1 < s.size() && s[i] == '/' && s[i + 1] == '*') {
        SourceLocation start = here();
        adv();
        adv();
        while (i + 1 < s.size() && !(s[i] == '*' && s[i + 1] == '/')) adv();
        if (i + 1 >= s.size()) throw SyntaxError("unterminated comment", start);
        adv();
        adv();
      } else {
        break;
      }
    }
    Tok t;
    t.location = here();
    t.offset = i;
    if (i >= s.size()) {
      out.push_back(t);
      return out;
    }
    char c = s[i];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      t.kind = Tok::Kind::Ident;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_'))
        t.text += s[i], adv();
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      t.kind = Tok::Kind::Number;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) t.text += s[i], adv();
    } else if (c == '"') {
      t.kind = Tok::Kind::String;
      adv();
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\n') throw SyntaxError("unterminated string", t.location);
        t.text += s[i];
        adv();
      }
      if (i >= s.size()) throw SyntaxError("unterminated string", t.location);
      adv();
    } else {
      t.kind = Tok::Kind::Punct;
      static const std::vector<std::string> two = {":-", "<=", ">=", "==", "!="};
      std::string pair = s.substr(i, 2);
      if (std::find(two.begin(), two.end(), pair) != two.end()) {
        t.text = pair;
        adv();
        adv();
      } else if (std::string("(),;@<>=+-*/%").find(c) != std::string::npos) {
        t.text = std::string(1, c);
        adv();
      } else if (static_cast<unsigned char>(c) >= 0x80) {
        throw SyntaxError("unexpected non-ASCII character (write other text in strings)",
                          t.location);
      } else if (c == '.') {
        throw SyntaxError(
            "unexpected '.': Molly's dialect has no directives (declarations are the "
            "`.decl` extension, which a file must use throughout)",
            t.location);
      } else {
        throw SyntaxError(std::string("unexpected character '") + c + "'", t.location);
      }
    }
    out.push_back(std::move(t));
  }
}

bool is_upper(const std::string& s) {
  return !s.empty() && std::isupper(static_cast<unsigned char>(s[0]));
}

const std::vector<std::string>& aggregates() {
  static const std::vector<std::string> a = {"count", "min", "max", "sum", "avg"};
  return a;
}

class Parser {
 public:
  Parser(const std::string& text, std::vector<Tok> toks) : text_(text), t_(std::move(toks)) {}

  const Tok& peek(size_t k = 0) const { return t_[std::min(p_ + k, t_.size() - 1)]; }
  bool punct(const char* s, size_t k = 0) const {
    return peek(k).kind == Tok::Kind::Punct && peek(k).text == s;
  }
  const Tok& next() {
    const Tok& t = t_[p_];
    if (p_ + 1 < t_.size()) ++p_;
    return t;
  }
  void expect(const char* s, const char* what) {
    if (!punct(s)) throw SyntaxError(std::string("expected ") + what + describe(), peek().location);
    next();
  }
  std::string describe() const {
    const Tok& t = peek();
    if (t.kind == Tok::Kind::End) return ", found the end of the file";
    return ", found '" + t.text + "'";
  }
  bool at_end() const { return peek().kind == Tok::Kind::End; }

  /// Skips past the next ';' after an error.
  void recover() {
    depth_ = 0;
    while (!at_end() && !punct(";")) next();
    if (!at_end()) next();
  }

  long long integer() {
    bool neg = false;
    if (punct("-")) {
      next();
      neg = true;
    }
    if (peek().kind != Tok::Kind::Number)
      throw SyntaxError("expected an integer" + describe(), peek().location);
    long long v = 0;
    try {
      v = std::stoll(next().text);
    } catch (const std::exception&) {
      throw SyntaxError("integer out of range", peek().location);
    }
    return neg ? -v : v;
  }

  MTerm primary() {
    const Tok& t = peek();
    MTerm r;
    r.location = t.location;
    if (t.kind == Tok::Kind::Number || (punct("-") && peek(1).kind == Tok::Kind::Number)) {
      r.kind = MTerm::Kind::Integer;
      r.number = integer();
      r.text = std::to_string(r.number);
      return r;
    }
    if (t.kind == Tok::Kind::String) {
      r.kind = MTerm::Kind::String;
      r.text = next().text;
      return r;
    }
    if (punct("(")) {
      if (++depth_ > kMaxNestingDepth)
        throw SyntaxError("expression nested too deeply (more than " +
                              std::to_string(kMaxNestingDepth) + " levels)",
                          t.location);
      next();
      MTerm e = expr();
      --depth_;
      expect(")", "')'");
      return e;
    }
    if (t.kind == Tok::Kind::Ident) {
      if (t.text == "_") {
        next();
        r.kind = MTerm::Kind::Wildcard;
        r.text = "_";
        return r;
      }
      if (!is_upper(t.text) && t.text[0] != '_')
        throw SyntaxError("'" + t.text +
                              "' is neither a variable (upper case) nor a constant (write "
                              "strings in double quotes)",
                          t.location);
      r.kind = MTerm::Kind::Variable;
      r.text = next().text;
      return r;
    }
    throw SyntaxError("expected a term" + describe(), t.location);
  }

  /// A chain `a + b + c ...` is a left-deep tree: its length is its depth, bounded like
  /// parentheses (kMaxNestingDepth) so that no later walk of the tree overflows the stack.
  void check_chain(int& length) const {
    if (++length > kMaxNestingDepth)
      throw SyntaxError(
          "expression too long (more than " + std::to_string(kMaxNestingDepth) + " operators)",
          peek().location);
  }
  MTerm product() {
    MTerm l = primary();
    int length = 0;
    while (punct("*") || punct("/") || punct("%")) {
      check_chain(length);
      MTerm b;
      b.kind = MTerm::Kind::Binary;
      b.location = peek().location;
      b.text = next().text;
      b.args = {std::move(l), primary()};
      l = std::move(b);
    }
    return l;
  }
  MTerm expr() {
    MTerm l = product();
    int length = 0;
    while (punct("+") || punct("-")) {
      check_chain(length);
      MTerm b;
      b.kind = MTerm::Kind::Binary;
      b.location = peek().location;
      b.text = next().text;
      b.args = {std::move(l), product()};
      l = std::move(b);
    }
    return l;
  }

  MTerm argument() {
    const Tok& t = peek();
    if (t.kind == Tok::Kind::Ident && punct("<", 1) &&
        std::find(aggregates().begin(), aggregates().end(), t.text) != aggregates().end()) {
      MTerm a;
      a.kind = MTerm::Kind::Aggregate;
      a.location = t.location;
      a.text = next().text;
      next();  // <
      if (peek().kind != Tok::Kind::Ident || !is_upper(peek().text))
        throw SyntaxError("expected the variable " + a.text + " aggregates" + describe(),
                          peek().location);
      MTerm v;
      v.location = peek().location;
      v.text = next().text;
      a.args.push_back(v);
      expect(">", "'>' closing the aggregate");
      return a;
    }
    return expr();
  }

  MAtom atom() {
    MAtom a;
    if (peek().kind == Tok::Kind::Ident && peek().text == "notin") {
      a.negated = true;
      next();
    }
    const Tok& n = peek();
    if (n.kind != Tok::Kind::Ident)
      throw SyntaxError("expected a predicate" + describe(), n.location);
    if (is_upper(n.text))
      throw SyntaxError("predicate names start with a lower-case letter: '" + n.text + "'",
                        n.location);
    a.location = n.location;
    a.predicate = next().text;
    expect("(", "'(' after the predicate name");
    if (!punct(")")) {
      a.args.push_back(argument());
      while (punct(",")) {
        next();
        a.args.push_back(argument());
      }
    }
    expect(")", "',' or ')'");
    if (punct("@")) {
      SourceLocation at = next().location;
      if (peek().kind == Tok::Kind::Ident && peek().text == "next") {
        next();
        a.time = MTime::Next;
      } else if (peek().kind == Tok::Kind::Ident && peek().text == "async") {
        next();
        a.time = MTime::Async;
      } else if (peek().kind == Tok::Kind::Number) {
        a.time = MTime::At;
        a.at = integer();
      } else {
        throw SyntaxError("expected 'next', 'async' or a time after '@'" + describe(), at);
      }
    }
    return a;
  }

  bool at_atom() const {
    if (peek().kind == Tok::Kind::Ident && peek().text == "notin") return true;
    return peek().kind == Tok::Kind::Ident && !is_upper(peek().text) && peek().text != "_" &&
           punct("(", 1);
  }

  /// One clause; appends to `rules` or `includes`.
  void clause(std::vector<MRule>& rules, std::vector<std::pair<std::string, SourceLocation>>& inc,
              const std::string& path) {
    const Tok& first = peek();
    if (first.kind == Tok::Kind::Ident && first.text == "include" &&
        peek(1).kind == Tok::Kind::String) {
      next();
      inc.emplace_back(next().text, first.location);
      expect(";", "';' after the include");
      return;
    }
    MRule r;
    r.location = first.location;
    size_t start = first.offset;
    r.head = atom();
    if (r.head.negated) throw SyntaxError("a head cannot be negated", r.head.location);
    if (punct(":-")) {
      r.arrow = next().location;
      for (;;) {
        if (at_atom()) {
          MAtom b = atom();
          if (b.time == MTime::Next || b.time == MTime::Async)
            throw SyntaxError("a body atom may only carry a fixed time (@N)", b.location);
          for (const auto& t : b.args)
            if (t.kind == MTerm::Kind::Aggregate)
              throw SyntaxError("aggregates belong in heads", t.location);
          r.body.push_back(std::move(b));
        } else {
          MTerm l = expr();
          static const std::vector<std::string> cmp = {"==", "!=", "<", "<=", ">", ">=", "="};
          if (peek().kind != Tok::Kind::Punct ||
              std::find(cmp.begin(), cmp.end(), peek().text) == cmp.end())
            throw SyntaxError("expected a body atom or a comparison" + describe(), l.location);
          MTerm c;
          c.kind = MTerm::Kind::Binary;
          c.location = peek().location;
          c.text = next().text;
          if (c.text == "=") c.text = "==";
          c.args = {std::move(l), expr()};
          r.conditions.push_back(std::move(c));
        }
        if (punct(",")) {
          next();
          continue;
        }
        break;
      }
      if (r.body.empty() ||
          std::all_of(r.body.begin(), r.body.end(), [](const MAtom& a) { return a.negated; }))
        throw SyntaxError("a rule needs a positive body atom", r.arrow);
    } else {
      r.fact = true;
      r.arrow = r.head.location;
    }
    size_t end = peek().offset;
    expect(";", "';' ending the statement");
    r.text = text_.substr(start, end - start + 1);
    (void)path;
    rules.push_back(std::move(r));
  }

 private:
  const std::string& text_;
  std::vector<Tok> t_;
  size_t p_ = 0;
  int depth_ = 0;
};

void collect_vars(const MTerm& t, std::set<std::string>& out) {
  if (t.kind == MTerm::Kind::Variable) out.insert(t.text);
  for (const auto& a : t.args)
    if (t.kind != MTerm::Kind::Aggregate) collect_vars(a, out);
  if (t.kind == MTerm::Kind::Aggregate && !t.args.empty()) out.insert(t.args[0].text);
}

struct Reader {
  FileReader read;
  void* ctx;
  Diagnostics& diags;
  std::vector<std::string> stack;  // canonical paths being read
  std::set<std::string> done;
  MProgram& prog;
  bool ok = true;

  static std::string canonical(const std::string& p) {
    std::error_code ec;
    auto c = std::filesystem::weakly_canonical(p, ec);
    return ec ? std::filesystem::path(p).lexically_normal().string() : c.string();
  }

  std::string main_dir;
  bool main_set = false;

  /// An include names a file relative to the including file; failing that, relative to
  /// the first file's directory (Molly's include search path), then to the directories
  /// above the including file.
  std::string resolve(const std::string& including, const std::string& f) {
    std::filesystem::path target = f;
    if (target.is_absolute()) return target.lexically_normal().string();
    std::filesystem::path dir = std::filesystem::path(including).parent_path();
    std::vector<std::filesystem::path> tries = {dir / target};
    if (main_set) tries.push_back(std::filesystem::path(main_dir) / target);
    for (auto d = dir; d.has_parent_path() && d.parent_path() != d;) {
      d = d.parent_path();
      tries.push_back(d / target);
    }
    for (const auto& t : tries) {
      std::string c = t.lexically_normal().string();
      if (done.count(canonical(c)) || read(c, ctx)) return c;
    }
    return tries.front().lexically_normal().string();
  }

  void file(const std::string& path, const SourceLocation* included_at) {
    if (!main_set) {
      main_dir = std::filesystem::path(path).parent_path().string();
      main_set = true;
    }
    const std::string key = canonical(path);
    if (std::find(stack.begin(), stack.end(), key) != stack.end()) {
      Diagnostic d{Severity::Error,
                   "calm-parse-error",
                   "include cycle: '" + path + "' includes itself (through the files it includes)",
                   included_at ? *included_at : SourceLocation{path, 0, 0},
                   {}};
      diags.add(d);
      ok = false;
      return;
    }
    if (done.count(key)) return;  // each file once
    done.insert(key);
    std::optional<std::string> text = read(path, ctx);
    if (!text) {
      diags.error("calm-parse-error",
                  "cannot read included file '" + path +
                      "' (looked next to the including file, in the first file's directory and the "
                      "directories above)",
                  included_at ? *included_at : SourceLocation{path, 0, 0});
      ok = false;
      return;
    }
    prog.files.push_back(path);
    stack.push_back(key);
    std::vector<Tok> toks;
    try {
      toks = lex(path, *text);
    } catch (const SyntaxError& e) {
      diags.error("calm-parse-error", e.what(), e.location);
      ok = false;
      stack.pop_back();
      return;
    }
    Parser parser(*text, std::move(toks));
    while (!parser.at_end()) {
      std::vector<MRule> rules;
      std::vector<std::pair<std::string, SourceLocation>> inc;
      try {
        parser.clause(rules, inc, path);
      } catch (const SyntaxError& e) {
        diags.error("calm-parse-error", e.what(), e.location);
        ok = false;
        parser.recover();
        continue;
      }
      for (auto& r : rules) prog.rules.push_back(std::move(r));
      for (auto& [f, at] : inc) file(resolve(path, f), &at);
    }
    stack.pop_back();
  }
};

void use(MProgram& p, const MAtom& a, Diagnostics& diags, bool& ok) {
  auto it = p.arity.find(a.predicate);
  int n = int(a.args.size());
  if (it == p.arity.end()) {
    p.arity[a.predicate] = n;
    p.first_use[a.predicate] = a.location;
  } else if (it->second != n) {
    Diagnostic d{Severity::Error,
                 "calm-parse-error",
                 "'" + a.predicate + "' has " + std::to_string(n) + " column" +
                     (n == 1 ? "" : "s") + " here but " + std::to_string(it->second) +
                     " where first used",
                 a.location,
                 {{"first used here", p.first_use[a.predicate]}}};
    diags.add(d);
    ok = false;
  }
}

}  // namespace

bool is_molly_dialect(const std::string& text) {
  // A `.decl` outside comments and strings marks the extension.
  bool in_str = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_str) {
      if (c == '"') in_str = false;
      continue;
    }
    if (c == '"')
      in_str = true;
    else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t e = text.find("*/", i + 2);
      if (e == std::string::npos) return true;
      i = e + 1;
    } else if (c == '.' && text.compare(i, 5, ".decl") == 0) {
      return false;
    }
  }
  return true;
}

std::optional<MProgram> read_molly_program(const std::vector<std::string>& files,
                                           const std::string& name, FileReader read, void* ctx,
                                           Diagnostics& diags) {
  MProgram p;
  p.name = name;
  Reader reader{read, ctx, diags, {}, {}, p, true, "", false};
  for (const auto& f : files) reader.file(f, nullptr);
  bool ok = reader.ok;

  for (const auto& [b, n] : molly_builtins()) p.arity[b] = n;
  for (auto& r : p.rules) {
    use(p, r.head, diags, ok);
    if (molly_builtins().count(r.head.predicate)) {
      diags.error("calm-parse-error",
                  "'" + r.head.predicate + "' is Molly's built-in relation (" +
                      (r.head.predicate == "crash" ? "crash(Observer, Node, Time)"
                                                   : "clock(From, To, Time)") +
                      "): the fault model defines it",
                  r.head.location);
      ok = false;
    }
    for (const auto& b : r.body) use(p, b, diags, ok);
    if (r.fact) {
      if (r.head.time == MTime::Next || r.head.time == MTime::Async) {
        diags.error("calm-parse-error", "a fact holds at a time (@N), not @next or @async",
                    r.head.location);
        ok = false;
      }
      for (const auto& t : r.head.args)
        if (t.kind != MTerm::Kind::Integer && t.kind != MTerm::Kind::String) {
          diags.error("calm-parse-error", "a fact's arguments are constants", t.location);
          ok = false;
        }
      if (r.head.time == MTime::Now) {
        // Molly requires the time; calm reads an unstamped fact as true at time 1.
        r.head.time = MTime::At;
        r.head.at = 1;
      }
    } else {
      if (r.head.time == MTime::At) {
        diags.error("calm-parse-error",
                    "a rule's head holds now, @next or @async, not at a fixed time",
                    r.head.location);
        ok = false;
      }
      if (r.head.args.empty()) {
        diags.error("calm-parse-error", "the first column of a head is its location",
                    r.head.location);
        ok = false;
      }
      // Range restriction: head and condition variables must be bound by positive atoms
      // (or by `V == expr` on a bound expression).
      std::set<std::string> bound;
      for (const auto& b : r.body)
        if (!b.negated)
          for (const auto& t : b.args)
            if (t.kind == MTerm::Kind::Variable) bound.insert(t.text);
      bool grew = true;
      while (grew) {
        grew = false;
        for (const auto& c : r.conditions) {
          if (c.text != "==") continue;
          for (int side = 0; side < 2; ++side) {
            const MTerm& v = c.args[side];
            if (v.kind != MTerm::Kind::Variable || bound.count(v.text)) continue;
            std::set<std::string> need;
            collect_vars(c.args[1 - side], need);
            if (std::all_of(need.begin(), need.end(),
                            [&](const std::string& x) { return bound.count(x) > 0; })) {
              bound.insert(v.text);
              grew = true;
            }
          }
        }
      }
      auto check = [&](const MTerm& t, const char* where) {
        std::set<std::string> vs;
        collect_vars(t, vs);
        for (const auto& v : vs)
          if (!bound.count(v)) {
            diags.error(
                "calm-parse-error",
                "variable '" + v + "' in the " + where + " is not bound by a positive body atom",
                t.location);
            ok = false;
          }
      };
      for (const auto& t : r.head.args) {
        if (t.kind == MTerm::Kind::Wildcard) {
          diags.error("calm-parse-error", "'_' cannot appear in a head", t.location);
          ok = false;
        }
        check(t, "head");
      }
      for (const auto& c : r.conditions) check(c, "condition");
      for (const auto& b : r.body)
        for (const auto& t : b.args)
          if (t.kind == MTerm::Kind::Binary) check(t, "body");
      // persistence: p(X1..Xn)@next :- p(X1..Xn) [, notin ...]
      const MAtom* pos = nullptr;
      int npos = 0;
      for (const auto& b : r.body)
        if (!b.negated) pos = &b, ++npos;
      if (r.head.time == MTime::Next && npos == 1 && pos->predicate == r.head.predicate &&
          pos->time == MTime::Now && r.conditions.empty() &&
          pos->args.size() == r.head.args.size()) {
        std::set<std::string> seen;
        bool same = true;
        for (size_t i = 0; i < pos->args.size(); ++i) {
          const auto &h = r.head.args[i], &b = pos->args[i];
          if (h.kind != MTerm::Kind::Variable || b.kind != MTerm::Kind::Variable ||
              h.text != b.text || !seen.insert(h.text).second)
            same = false;
        }
        if (same) {
          r.persistence = true;
          p.tables.insert(r.head.predicate);
        }
      }
      if (r.head.time == MTime::Async) p.channels.insert(r.head.predicate);
    }
    if (!r.head.args.empty() && r.head.args[0].kind == MTerm::Kind::String)
      p.location_constants.insert(r.head.args[0].text);
  }
  if (!ok) return std::nullopt;
  return p;
}

Program molly_to_program(const MProgram& p) {
  Program prog;
  prog.name = p.name;
  prog.modules = {p.name};
  prog.location = SourceLocation{p.files.empty() ? "" : p.files.front(), 1, 1};
  std::set<std::string> derived;
  for (const auto& r : p.rules)
    if (!r.fact) derived.insert(r.head.predicate);
  for (const auto& [name, n] : p.arity) {
    Collection c;
    c.name = name;
    c.module = p.name;
    for (int i = 0; i < n; ++i) c.keys.push_back("c" + std::to_string(i));
    auto fu = p.first_use.find(name);
    c.location = fu != p.first_use.end() ? fu->second : prog.location;
    if (molly_builtins().count(name)) {
      c.kind = CollectionKind::Input;
      c.builtin = true;
    } else if (p.channels.count(name)) {
      c.kind = CollectionKind::Channel;
      if (!c.keys.empty()) c.location_column = "c0";
    } else if (p.tables.count(name)) {
      c.kind = CollectionKind::Table;
    } else if (!derived.count(name)) {
      c.kind = CollectionKind::Input;  // facts only, or never written: an EDB relation
    } else {
      c.kind = CollectionKind::Scratch;
    }
    prog.collections.push_back(std::move(c));
  }
  std::sort(prog.collections.begin(), prog.collections.end(),
            [](const Collection& a, const Collection& b) { return a.name < b.name; });

  for (const auto& r : p.rules) {
    Rule rule;
    rule.lhs = r.head.predicate;
    rule.text = r.text;
    rule.module = p.name;
    rule.location = r.location;
    rule.op_location = r.arrow;
    rule.rhs.type = "dedalus";
    rule.rhs.text = r.text;
    rule.rhs.line = r.location.line;
    rule.rhs.column = r.location.column;
    if (r.fact) {
      rule.bootstrap = true;
      rule.op = RuleOp::Merge;
    } else if (r.persistence) {
      bool deletes =
          std::any_of(r.body.begin(), r.body.end(), [](const MAtom& a) { return a.negated; });
      if (!deletes) continue;  // pure persistence: the collection is a table
      rule.op = RuleOp::Delete;
    } else {
      rule.op = r.head.time == MTime::Next    ? RuleOp::Deferred
                : r.head.time == MTime::Async ? RuleOp::Async
                                              : RuleOp::Merge;
    }
    bool agg = std::any_of(r.head.args.begin(), r.head.args.end(),
                           [](const MTerm& t) { return t.kind == MTerm::Kind::Aggregate; });
    std::string agg_fn;
    for (const auto& t : r.head.args)
      if (t.kind == MTerm::Kind::Aggregate) agg_fn = t.text;
    int npos = 0;
    for (const auto& b : r.body)
      if (!b.negated) ++npos;
    std::set<Reference> refs;
    for (const auto& b : r.body) {
      if (r.persistence && !b.negated) continue;  // the table's own copy
      Reference ref;
      ref.collection = b.predicate;
      ref.location = b.location;
      if (b.negated) {
        ref.context = RefContext::NotIn;
        ref.method = "notin";
      } else if (agg) {
        ref.context = RefContext::Group;
        ref.method = agg_fn;
      } else {
        ref.context = npos > 1 ? RefContext::Join : RefContext::Scan;
      }
      // Persistence with deletion reads the deleted tuples as a Bud `<-` does.
      if (r.persistence) {
        ref.context = RefContext::Scan;
        ref.method.clear();
      }
      refs.insert(ref);
    }
    // keep one reference per (collection, context, method)
    std::vector<Reference> uniq;
    for (const auto& ref : refs) {
      bool dup = std::any_of(uniq.begin(), uniq.end(), [&](const Reference& o) {
        return o.collection == ref.collection && o.context == ref.context &&
               o.method == ref.method && o.negated == ref.negated;
      });
      if (!dup) uniq.push_back(ref);
    }
    rule.refs = std::move(uniq);
    rule.id = int(prog.rules.size());
    prog.rules.push_back(std::move(rule));
  }
  return prog;
}

}  // namespace calm::dedalus
