#include "base/located_json.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

namespace calm {

std::string json_pointer_escape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string pointer_append(const std::string& pointer, std::string_view token) {
  return pointer + "/" + json_pointer_escape(token);
}

std::string pointer_append(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

// ---- where each value is ----

namespace {

/// A recursive-descent walk over valid JSON that records where values (and members'
/// keys) start, 64 levels deep.
class LocationScanner {
 public:
  LocationScanner(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  void run() {
    skip_ws();
    value("", std::nullopt, 0);
  }

  std::map<std::string, JsonLocations::Place, std::less<>> places;
  std::optional<std::pair<std::string, SourceLocation>> duplicate;

 private:
  std::pair<int, int> here() const { return {line_, int(pos_ - line_start_) + 1}; }
  void advance() {
    if (pos_ < text_.size() && text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }
  bool at(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool at_space() const {
    return pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]));
  }
  void skip_ws() {
    while (at_space()) advance();
  }
  std::string string() {
    size_t start = pos_;
    advance();  // opening quote
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') advance();
      advance();
    }
    advance();  // closing quote
    auto decoded = nlohmann::json::parse(text_.substr(start, pos_ - start), nullptr, false);
    return decoded.is_string() ? decoded.get<std::string>() : "";
  }
  /// Moves past one value without recording places inside it (too deep to be worth it).
  void skip_value() {
    int open = 0;
    bool in_string = false;
    do {
      if (pos_ >= text_.size()) return;
      char c = text_[pos_];
      if (in_string) {
        if (c == '\\')
          advance();
        else if (c == '"')
          in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        ++open;
      } else if (c == ']' || c == '}') {
        --open;
      } else if (open == 0 && (c == ',' || at_space())) {
        return;
      }
      advance();
    } while (open > 0 || in_string ||
             (pos_ < text_.size() && !at(',') && !at(']') && !at('}') && !at_space()));
  }

  void value(const std::string& pointer, std::optional<std::pair<int, int>> key_at, int depth) {
    auto [line, column] = here();
    auto [key_line, key_column] = key_at.value_or(here());
    places[pointer] = {key_line, key_column, line, column};
    if (pos_ >= text_.size()) return;
    if (depth > kMaxDepth) return skip_value();
    if (at('{')) {
      advance();
      skip_ws();
      std::set<std::string> keys;
      while (pos_ < text_.size() && !at('}')) {
        auto where = here();
        std::string key = string();
        if (!keys.insert(key).second && !duplicate)
          duplicate = {key, SourceLocation{file_, where.first, where.second}};
        skip_ws();
        advance();  // ':'
        skip_ws();
        value(pointer_append(pointer, key), where, depth + 1);
        skip_ws();
        if (at(',')) advance();
        skip_ws();
      }
      advance();
    } else if (at('[')) {
      advance();
      skip_ws();
      for (size_t i = 0; pos_ < text_.size() && !at(']'); ++i) {
        value(pointer_append(pointer, i), std::nullopt, depth + 1);
        skip_ws();
        if (at(',')) advance();
        skip_ws();
      }
      advance();
    } else if (at('"')) {
      string();
    } else {
      while (pos_ < text_.size() && !at_space() && !at(',') && !at(']') && !at('}')) advance();
    }
  }

  static constexpr int kMaxDepth = 64;

  std::string_view text_;
  const std::string& file_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int line_ = 1;
};

}  // namespace

JsonLocations::JsonLocations(std::string_view text, std::string file) : file_(std::move(file)) {
  LocationScanner scanner(text, file_);
  scanner.run();
  places_ = std::move(scanner.places);
  duplicate_key_ = std::move(scanner.duplicate);
}

const JsonLocations::Place* JsonLocations::closest(std::string_view pointer) const {
  for (std::string_view p = pointer;;) {
    if (auto it = places_.find(p); it != places_.end()) return &it->second;
    if (p.empty()) return nullptr;
    size_t slash = p.rfind('/');
    p = p.substr(0, slash == std::string_view::npos ? 0 : slash);
  }
}

SourceLocation JsonLocations::locate(std::string_view pointer) const {
  const Place* at = closest(pointer);
  return at ? SourceLocation{file_, at->key_line, at->key_column} : SourceLocation{file_, 1, 1};
}

SourceLocation JsonLocations::locate_value(std::string_view pointer) const {
  const Place* at = closest(pointer);
  return at ? SourceLocation{file_, at->line, at->column} : SourceLocation{file_, 1, 1};
}

std::optional<SourceLocation> json_too_deep_at(std::string_view text, const std::string& path,
                                               int limit) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return location_at(path, text, i);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

// ---- reading with the JSON library ----

std::string json_error_text(const std::string& what) {
  std::string s = what;
  if (s.rfind("[json.exception.", 0) == 0)
    if (size_t end = s.find("] "); end != std::string::npos) s = s.substr(end + 2);
  return valid_utf8(s);
}

SourceLocation json_error_location(std::string_view text, const std::string& path,
                                   const std::string& what) {
  size_t open = what.find(" '");
  size_t close = what.rfind('\'');
  if (open != std::string::npos && close > open + 2) {
    std::string quoted = what.substr(open + 2, close - open - 2);
    if (size_t at = text.find(quoted); at != std::string::npos) return location_at(path, text, at);
  }
  return {path, 1, 1};
}

bool parse_json(const std::string& text, const std::string& path, DiagnosticId check,
                nlohmann::json& doc, Diagnostics& diags) {
  try {
    doc = nlohmann::json::parse(text);
    return true;
  } catch (const nlohmann::json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error
    // while parsing value - ...": the message from "syntax error" on, at e.byte (1-based:
    // the byte after the last one read).
    std::string what = e.what();
    size_t from = what.find("syntax error");
    diags.error(check,
                "invalid JSON: " + (from == std::string::npos ? json_error_text(what)
                                                              : valid_utf8(what.substr(from))),
                location_at(path, text, e.byte > 0 ? e.byte - 1 : 0));
  } catch (const nlohmann::json::exception& e) {
    // out_of_range.406: a number beyond a double (1e999), found by fuzz_config.
    diags.error(check, "invalid JSON: " + json_error_text(e.what()),
                json_error_location(text, path, e.what()));
  }
  return false;
}

bool read_json(const std::string& text, const std::string& path, DiagnosticId check,
               nlohmann::json& doc, Diagnostics& diags) {
  if (size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    diags.error(check, "invalid UTF-8", location_at(path, text, bad));
    return false;
  }
  if (auto deep = json_too_deep_at(text, path)) {
    diags.error(
        check, "JSON nested too deeply (more than " + std::to_string(kMaxNestingDepth) + " levels)",
        *deep);
    return false;
  }
  return parse_json(text, path, check, doc, diags);
}

// ---- the strict reader ----

namespace {

/// Recursive descent over the text; depth is bounded, so no input overflows the stack.
class StrictParser {
 public:
  explicit StrictParser(const std::string& text) : s_(text) {}

  /// The document, or false with `error` and the byte offset where reading stopped.
  bool run(nlohmann::json& root, std::string& error, size_t& at) {
    skip_ws();
    bool ok = value(root, 1) && (skip_ws(), pos_ == s_.size() || fail("trailing text"));
    if (!ok) {
      error = error_;
      at = error_at_;
    }
    return ok;
  }

 private:
  bool fail(const std::string& message) {
    if (error_.empty()) {
      error_ = message;
      error_at_ = pos_;
    }
    return false;
  }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool literal(const char* word) {
    size_t n = std::char_traits<char>::length(word);
    if (s_.compare(pos_, n, word) != 0) return fail("invalid literal");
    pos_ += n;
    return true;
  }

  bool value(nlohmann::json& out, int depth) {
    if (depth > LocatedJson::kMaxDepth)
      return fail("nested too deeply (more than " + std::to_string(LocatedJson::kMaxDepth) +
                  " levels)");
    if (pos_ >= s_.size()) return fail("unexpected end of input");
    char c = s_[pos_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      std::string str;
      if (!string(str)) return false;
      out = std::move(str);
      return true;
    }
    if (c == 't') return literal("true") && (out = true, true);
    if (c == 'f') return literal("false") && (out = false, true);
    if (c == 'n') return literal("null") && (out = nullptr, true);
    if (c == '-' || (c >= '0' && c <= '9')) return number(out);
    return fail(std::string("unexpected character '") + c + "'");
  }

  bool object(nlohmann::json& out, int depth) {
    out = nlohmann::json::object();
    ++pos_;  // {
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
    while (true) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a string key");
      std::string key;
      if (!string(key)) return false;
      if (out.contains(key)) return fail("duplicate key \"" + key + "\"");
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':'");
      ++pos_;
      skip_ws();
      nlohmann::json v;
      if (!value(v, depth + 1)) return false;
      out[key] = std::move(v);
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
      return fail("expected ',' or '}'");
    }
  }

  bool array(nlohmann::json& out, int depth) {
    out = nlohmann::json::array();
    ++pos_;  // [
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
    while (true) {
      skip_ws();
      nlohmann::json v;
      if (!value(v, depth + 1)) return false;
      out.push_back(std::move(v));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
      return fail("expected ',' or ']'");
    }
  }

  static void put_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }
  bool hex4(uint32_t& cp) {
    if (pos_ + 4 > s_.size()) return fail("truncated \\u escape");
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      char h = s_[pos_];
      cp <<= 4;
      if (h >= '0' && h <= '9')
        cp |= uint32_t(h - '0');
      else if (h >= 'a' && h <= 'f')
        cp |= uint32_t(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        cp |= uint32_t(h - 'A' + 10);
      else
        return fail("invalid \\u escape");
      ++pos_;
    }
    return true;
  }
  bool string(std::string& out) {
    ++pos_;  // "
    while (true) {
      if (pos_ >= s_.size()) return fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') return ++pos_, true;
      if (c < 0x20) return fail("control character in string");
      if (c != '\\') {
        out += char(c);
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) return fail("unterminated string");
      char e = s_[pos_];
      ++pos_;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00) {
            uint32_t lo;
            if (s_.compare(pos_, 2, "\\u") != 0) return fail("unpaired surrogate");
            pos_ += 2;
            if (!hex4(lo)) return false;
            if (lo < 0xDC00 || lo > 0xDFFF) return fail("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail("unpaired surrogate");
          }
          put_utf8(out, cp);
          break;
        }
        default:
          return fail(std::string("invalid escape '\\") + e + "'");
      }
    }
  }
  bool number(nlohmann::json& out) {
    size_t start = pos_;
    bool is_float = false;
    auto digit = [&] {
      return pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]));
    };
    if (s_[pos_] == '-') ++pos_;
    if (!digit()) return fail("invalid number");
    if (s_[pos_] == '0') {
      ++pos_;
    } else {
      while (digit()) ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      is_float = true;
      ++pos_;
      if (!digit()) return fail("invalid number");
      while (digit()) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      is_float = true;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digit()) return fail("invalid number");
      while (digit()) ++pos_;
    }
    std::string text = s_.substr(start, pos_ - start);
    if (!is_float) {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (errno == ERANGE) {
        pos_ = start;
        return fail("integer out of range");
      }
      out = int64_t(v);
    } else {
      double d = std::strtod(text.c_str(), nullptr);
      if (!std::isfinite(d)) {
        pos_ = start;
        return fail("number out of range");
      }
      out = d;
    }
    return true;
  }

  const std::string& s_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_at_ = 0;
};

}  // namespace

bool LocatedJson::parse(const std::string& text, const std::string& path, DiagnosticId check,
                        Diagnostics& diags) {
  path_ = path;
  where_ = JsonLocations();
  root_ = nullptr;
  if (size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    diags.error(check, "invalid JSON: the text is not valid UTF-8", location_at(path, text, bad));
    return false;
  }
  std::string error;
  size_t at = 0;
  if (!StrictParser(text).run(root_, error, at)) {
    diags.error(check, "invalid JSON: " + error, location_at(path, text, at));
    return false;
  }
  where_ = JsonLocations(text, path);
  return true;
}

}  // namespace calm
