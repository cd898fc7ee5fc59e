#include "frontend/ir/json_locations.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

namespace calm::ir {

std::string escape_pointer_token(const std::string& key) {
  std::string s;
  for (char c : key) s += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return s;
}

namespace {

/// A recursive-descent walk over valid JSON that records where values start.
class Scanner {
 public:
  Scanner(const std::string& text, const std::string& file) : text_(text), file_(file) {}

  std::map<std::string, SourceLocation> run() {
    skip_ws();
    value("", std::nullopt, 0);
    return std::move(out_);
  }

 private:
  SourceLocation here() const { return {file_, line_, int(pos_ - line_start_) + 1}; }
  void advance() {
    if (pos_ < text_.size() && text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }
  bool at(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  void skip_ws() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) advance();
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
      } else if (open == 0 && (c == ',' || std::isspace(static_cast<unsigned char>(c)))) {
        return;
      }
      advance();
    } while (open > 0 || in_string ||
             (pos_ < text_.size() && !at(',') && !at(']') && !at('}') &&
              !std::isspace(static_cast<unsigned char>(text_[pos_]))));
  }

  void value(const std::string& pointer, std::optional<SourceLocation> key_at, int depth) {
    out_[pointer] = key_at ? *key_at : here();
    if (pos_ >= text_.size()) return;
    if (depth > kMaxDepth) return skip_value();
    if (at('{')) {
      advance();
      skip_ws();
      std::set<std::string> keys;
      while (pos_ < text_.size() && !at('}')) {
        SourceLocation where = here();
        std::string key = string();
        if (!keys.insert(key).second && !duplicate_) duplicate_ = {key, where};
        skip_ws();
        advance();  // ':'
        skip_ws();
        value(pointer + "/" + escape_pointer_token(key), where, depth + 1);
        skip_ws();
        if (at(',')) advance();
        skip_ws();
      }
      advance();
    } else if (at('[')) {
      advance();
      skip_ws();
      for (int i = 0; pos_ < text_.size() && !at(']'); ++i) {
        value(pointer + "/" + std::to_string(i), std::nullopt, depth + 1);
        skip_ws();
        if (at(',')) advance();
        skip_ws();
      }
      advance();
    } else if (at('"')) {
      string();
    } else {
      while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_])) &&
             !at(',') && !at(']') && !at('}'))
        advance();
    }
  }

  static constexpr int kMaxDepth = 64;

 public:
  std::optional<std::pair<std::string, SourceLocation>> duplicate_;

 private:
  const std::string& text_;
  const std::string& file_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int line_ = 1;
  std::map<std::string, SourceLocation> out_;
};

}  // namespace

std::map<std::string, SourceLocation> json_value_locations(const std::string& text,
                                                           const std::string& file) {
  return Scanner(text, file).run();
}

std::optional<std::pair<std::string, SourceLocation>> json_duplicate_key(const std::string& text,
                                                                         const std::string& file) {
  Scanner s(text, file);
  s.run();
  return s.duplicate_;
}

std::optional<SourceLocation> json_too_deep_at(const std::string& text, const std::string& path,
                                               int limit) {
  int depth = 0, line = 1, col = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (c == '\n') {
      ++line;
      col = 0;
    } else {
      ++col;  // in bytes, as every location
    }
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
      if (++depth > limit) return SourceLocation{path, line, col};
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace calm::ir

namespace calm::ir {

std::string json_error_text(const std::string& what) {
  std::string s = what;
  if (s.rfind("[json.exception.", 0) == 0)
    if (size_t end = s.find("] "); end != std::string::npos) s = s.substr(end + 2);
  return valid_utf8(s);
}

SourceLocation json_error_location(const std::string& text, const std::string& path,
                                   const std::string& what) {
  size_t open = what.find(" '");
  size_t close = what.rfind('\'');
  if (open != std::string::npos && close > open + 2) {
    std::string quoted = what.substr(open + 2, close - open - 2);
    if (size_t at = text.find(quoted); at != std::string::npos) return location_at(path, text, at);
  }
  return {path, 1, 1};
}

}  // namespace calm::ir
