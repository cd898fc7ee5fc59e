#include "lsp/documents.h"

#include <algorithm>
#include <cctype>

namespace calm::lsp {

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// UTF-8 sequence length from its lead byte (1 for a stray continuation byte).
size_t utf8_length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xE) return 3;
  if ((c >> 3) == 0x1E) return 4;
  return 1;
}

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

std::optional<std::string> uri_to_path(std::string_view uri) {
  constexpr std::string_view scheme = "file://";
  if (uri.substr(0, scheme.size()) != scheme) return std::nullopt;
  std::string_view rest = uri.substr(scheme.size());
  // "file://localhost/a" names the local host; another authority is not ours.
  if (rest.substr(0, 9) == "localhost") rest.remove_prefix(9);
  if (rest.empty() || rest.front() != '/') return std::nullopt;
  std::string out;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() + 0 && hex(rest[i + 1]) >= 0 &&
        hex(rest[i + 2]) >= 0) {
      out += static_cast<char>(hex(rest[i + 1]) * 16 + hex(rest[i + 2]));
      i += 2;
    } else if (rest[i] == '?' || rest[i] == '#') {
      break;
    } else {
      out += rest[i];
    }
  }
  return out;
}

std::string path_to_uri(std::string_view path) {
  static const char* digits = "0123456789ABCDEF";
  std::string out = "file://";
  for (char ch : path) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

nlohmann::json to_json(const Position& p) { return {{"line", p.line}, {"character", p.character}}; }

nlohmann::json to_json(const Range& r) {
  return {{"start", to_json(r.start)}, {"end", to_json(r.end)}};
}

std::optional<Position> position_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("line") || !j.contains("character") ||
      !j["line"].is_number_integer() || !j["character"].is_number_integer())
    return std::nullopt;
  Position p{j["line"].get<int>(), j["character"].get<int>()};
  if (p.line < 0 || p.character < 0) return std::nullopt;
  return p;
}

std::optional<Range> range_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("start") || !j.contains("end")) return std::nullopt;
  auto s = position_from_json(j["start"]);
  auto e = position_from_json(j["end"]);
  if (!s || !e) return std::nullopt;
  return Range{*s, *e};
}

Text::Text(std::string text) : text_(std::move(text)) {
  starts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') starts_.push_back(i + 1);
}

std::string_view Text::line(int line0) const {
  if (line0 < 0 || line0 >= line_count()) return {};
  size_t b = starts_[line0];
  size_t e = line0 + 1 < line_count() ? starts_[line0 + 1] - 1 : text_.size();
  if (e > b && text_[e - 1] == '\r') --e;
  return std::string_view(text_).substr(b, e - b);
}

size_t Text::offset(const Position& p, PositionEncoding enc) const {
  if (starts_.empty()) return 0;
  if (p.line >= line_count()) return text_.size();
  std::string_view l = line(p.line);
  size_t base = starts_[p.line];
  if (enc == PositionEncoding::Utf8) return base + std::min<size_t>(p.character, l.size());
  size_t i = 0;
  int units = 0;
  while (i < l.size() && units < p.character) {
    size_t n = utf8_length(static_cast<unsigned char>(l[i]));
    units += n == 4 ? 2 : 1;
    i = std::min(l.size(), i + n);
  }
  return base + i;
}

Position Text::position(size_t offset, PositionEncoding enc) const {
  offset = std::min(offset, text_.size());
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  int line0 = static_cast<int>(it - starts_.begin()) - 1;
  size_t base = starts_[line0];
  if (enc == PositionEncoding::Utf8) return {line0, static_cast<int>(offset - base)};
  int units = 0;
  for (size_t i = base; i < offset;) {
    size_t n = utf8_length(static_cast<unsigned char>(text_[i]));
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return {line0, units};
}

Position Text::position(const SourceLocation& loc, PositionEncoding enc) const {
  if (!loc.known() || loc.line > line_count()) return {std::max(0, loc.line - 1), 0};
  size_t base = starts_[loc.line - 1];
  size_t col = std::min<size_t>(loc.column > 0 ? loc.column - 1 : 0, line(loc.line - 1).size());
  return position(base + col, enc);
}

std::pair<int, int> Text::line_column(const Position& p, PositionEncoding enc) const {
  size_t off = offset(p, enc);
  Position utf8 = position(off, PositionEncoding::Utf8);
  return {utf8.line + 1, utf8.character + 1};
}

Range Text::token_range(const SourceLocation& loc, PositionEncoding enc) const {
  Position start = position(loc, enc);
  if (!loc.known() || loc.line > line_count()) return {start, start};
  std::string_view l = line(loc.line - 1);
  size_t b = std::min<size_t>(loc.column > 0 ? loc.column - 1 : 0, l.size());
  size_t e = b;
  if (e < l.size() && (word_char(l[e]) || l[e] == ':' || l[e] == '@')) {
    if (l[e] == ':' || l[e] == '@') ++e;  // a symbol :name or an @ivar
    while (e < l.size() && (word_char(l[e]) || l[e] == '?' || l[e] == '!')) ++e;
  } else if (e < l.size() && std::string_view("<=+-~*|&!").find(l[e]) != std::string_view::npos) {
    while (e < l.size() && std::string_view("<=+-~>").find(l[e]) != std::string_view::npos) ++e;
    if (e == b) ++e;
  } else if (e < l.size()) {
    e += utf8_length(static_cast<unsigned char>(l[e]));
  }
  e = std::min(e, l.size());
  size_t base = starts_[loc.line - 1];
  return {start, position(base + e, enc)};
}

std::string Text::word_at(size_t offset, size_t* start) const {
  offset = std::min(offset, text_.size());
  size_t b = offset, e = offset;
  auto part = [&](size_t i) { return word_char(text_[i]); };
  // At the end of a word (cursor right after it) the word still counts.
  if ((e >= text_.size() || !part(e)) && b > 0 && part(b - 1)) --b, e = b;
  if (e >= text_.size() || !part(e)) return "";
  while (b > 0 && part(b - 1)) --b;
  // Qualifiers: `kvs.kvstate`, `Outer::Inner`.
  for (;;) {
    if (b >= 2 && text_[b - 1] == '.' && part(b - 2)) {
      --b;
    } else if (b >= 3 && text_[b - 1] == ':' && text_[b - 2] == ':' && part(b - 3)) {
      b -= 2;
    } else {
      break;
    }
    while (b > 0 && part(b - 1)) --b;
  }
  while (e < text_.size() && (part(e) || text_[e] == '?' || text_[e] == '!')) ++e;
  if (start) *start = b;
  // A symbol's colon is not part of the name; a leading digit is no identifier.
  if (std::isdigit(static_cast<unsigned char>(text_[b]))) return "";
  return text_.substr(b, e - b);
}

bool apply_change(std::string& text, const nlohmann::json& change, PositionEncoding enc) {
  if (!change.is_object() || !change.contains("text") || !change["text"].is_string()) return false;
  const std::string& replacement = change["text"].get_ref<const std::string&>();
  if (!change.contains("range")) {
    text = replacement;
    return true;
  }
  auto r = range_from_json(change["range"]);
  if (!r) return false;
  Text t(text);
  size_t b = t.offset(r->start, enc), e = t.offset(r->end, enc);
  if (e < b) std::swap(b, e);
  text.replace(b, e - b, replacement);
  return true;
}

namespace {

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t b = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == '\n') {
      out.push_back(s.substr(b, i - b));
      b = i + 1;
    }
  return out;
}

}  // namespace

LineMap::LineMap(std::string_view before, std::string_view after) {
  auto a = split_lines(before), b = split_lines(after);
  size_t p = 0;
  while (p < a.size() && p < b.size() && a[p] == b[p]) ++p;
  size_t s = 0;
  while (s < a.size() - p && s < b.size() - p && a[a.size() - 1 - s] == b[b.size() - 1 - s]) ++s;
  prefix_ = static_cast<int>(p);
  old_end_ = static_cast<int>(a.size() - s);
  shift_ = static_cast<int>(b.size()) - static_cast<int>(a.size());
}

std::optional<int> LineMap::map(int old_line) const {
  int l0 = old_line - 1;
  if (l0 < prefix_) return old_line;
  if (l0 >= old_end_) return old_line + shift_;
  return std::nullopt;
}

}  // namespace calm::lsp
