#include "eval/scenario_json.h"

#include <cmath>
#include <cstdlib>

#include "base/limits.h"

namespace calm::eval {

std::string pointer_append(const std::string& pointer, const std::string& token) {
  std::string out = pointer + "/";
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

/// Recursive descent over the text; depth is bounded, so no input overflows the stack.
class JsonParser {
 public:
  JsonParser(const std::string& text, LocatedJson& doc) : s_(text), doc_(doc) {}

  bool run(std::string& error, int& line, int& col) {
    skip_ws();
    bool ok = value(doc_.root_, "", 1) && (skip_ws(), pos_ == s_.size() || fail("trailing text"));
    if (!ok) {
      error = error_;
      line = line_;
      col = col_;
    }
    return ok;
  }

 private:
  bool fail(const std::string& message) {
    if (error_.empty()) {
      error_ = message;
      SourceLocation at = location_at("", s_, pos_);
      line_ = at.line;
      col_ = at.column;
    }
    return false;
  }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      advance();
  }
  void advance() {
    if (s_[pos_] == '\n') {
      ++cur_line_;
      cur_col_ = 1;
    } else {
      ++cur_col_;
    }
    ++pos_;
  }
  bool literal(const char* word) {
    size_t n = std::char_traits<char>::length(word);
    if (s_.compare(pos_, n, word) != 0) return fail("invalid literal");
    for (size_t i = 0; i < n; ++i) advance();
    return true;
  }

  bool value(nlohmann::json& out, const std::string& pointer, int depth) {
    if (depth > LocatedJson::kMaxDepth)
      return fail("nested too deeply (more than " + std::to_string(LocatedJson::kMaxDepth) +
                  " levels)");
    if (pos_ >= s_.size()) return fail("unexpected end of input");
    doc_.where_[pointer] = {cur_line_, cur_col_};
    char c = s_[pos_];
    if (c == '{') return object(out, pointer, depth);
    if (c == '[') return array(out, pointer, depth);
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

  bool object(nlohmann::json& out, const std::string& pointer, int depth) {
    out = nlohmann::json::object();
    advance();  // {
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') return advance(), true;
    while (true) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a string key");
      std::string key;
      if (!string(key)) return false;
      if (out.contains(key)) return fail("duplicate key \"" + key + "\"");
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':'");
      advance();
      skip_ws();
      nlohmann::json v;
      if (!value(v, pointer_append(pointer, key), depth + 1)) return false;
      out[key] = std::move(v);
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        advance();
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') return advance(), true;
      return fail("expected ',' or '}'");
    }
  }

  bool array(nlohmann::json& out, const std::string& pointer, int depth) {
    out = nlohmann::json::array();
    advance();  // [
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') return advance(), true;
    for (size_t i = 0;; ++i) {
      skip_ws();
      nlohmann::json v;
      if (!value(v, pointer_append(pointer, i), depth + 1)) return false;
      out.push_back(std::move(v));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        advance();
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') return advance(), true;
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
      advance();
    }
    return true;
  }
  bool string(std::string& out) {
    advance();  // "
    while (true) {
      if (pos_ >= s_.size()) return fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') return advance(), true;
      if (c < 0x20) return fail("control character in string");
      if (c != '\\') {
        out += char(c);
        advance();
        continue;
      }
      advance();
      if (pos_ >= s_.size()) return fail("unterminated string");
      char e = s_[pos_];
      advance();
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
            advance();
            advance();
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
    if (s_[pos_] == '-') advance();
    if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_])))
      return fail("invalid number");
    if (s_[pos_] == '0') {
      advance();
    } else {
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) advance();
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      is_float = true;
      advance();
      if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_])))
        return fail("invalid number");
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) advance();
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      is_float = true;
      advance();
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) advance();
      if (pos_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_])))
        return fail("invalid number");
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) advance();
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
  LocatedJson& doc_;
  size_t pos_ = 0;
  int cur_line_ = 1;
  int cur_col_ = 1;
  std::string error_;
  int line_ = 0;
  int col_ = 0;
};

bool LocatedJson::parse(const std::string& text, const std::string& path, DiagnosticId check,
                        Diagnostics& diags) {
  path_ = path;
  where_.clear();
  root_ = nullptr;
  if (size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    int line = 1, col = 1;
    for (size_t i = 0; i < bad; ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    diags.error(check, "invalid JSON: the text is not valid UTF-8", {path, line, col});
    return false;
  }
  JsonParser p(text, *this);
  std::string error;
  int line = 0;
  int col = 0;
  if (!p.run(error, line, col)) {
    diags.error(check, "invalid JSON: " + error, {path, line, col});
    return false;
  }
  return true;
}

SourceLocation LocatedJson::locate(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    if (auto it = where_.find(p); it != where_.end())
      return {path_, it->second.first, it->second.second};
    if (p.empty()) return {path_, 1, 1};
    p = p.substr(0, p.rfind('/'));
  }
}

bool json_to_value(const nlohmann::json& j, Value& out, std::string& error) {
  if (j.is_null()) {
    out = Value();
  } else if (j.is_boolean()) {
    out = Value::boolean(j.get<bool>());
  } else if (j.is_number_integer()) {
    out = Value::integer(j.get<int64_t>());
  } else if (j.is_number()) {
    out = Value::floating(j.get<double>());
  } else if (j.is_string()) {
    out = Value::string(j.get<std::string>());
  } else if (j.is_array()) {
    std::vector<Value> items;
    for (const auto& x : j) {
      Value v;
      if (!json_to_value(x, v, error)) return false;
      items.push_back(v);
    }
    out = Value::array(items);
  } else if (j.is_object() && j.size() == 1 && j.contains("time") && j["time"].is_number()) {
    double s = j["time"].get<double>();  // a Ruby Time, UTC seconds since the epoch
    if (!Value::time_in_range(s)) {
      error = "a time more than 10^15 seconds from 1970: " + j.dump();
      return false;
    }
    out = Value::time(s);
  } else if (j.is_object() && j.size() == 1 && j.contains("sym") && j["sym"].is_string()) {
    out = Value::symbol(j["sym"].get<std::string>());
  } else if (j.is_object() && j.size() == 1 && j.contains("set") && j["set"].is_array()) {
    Value items;
    if (!json_to_value(j["set"], items, error)) return false;
    out = Value::set(items.items());
  } else if (j.is_object() && j.size() == 1 && j.contains("hash") && j["hash"].is_array()) {
    std::vector<Value> keys, values;
    for (const auto& kv : j["hash"]) {
      Value k, v;
      if (!kv.is_array() || kv.size() != 2 || !json_to_value(kv[0], k, error) ||
          !json_to_value(kv[1], v, error)) {
        if (error.empty())
          error = "a hash entry must be a [key, value] pair: " +
                  kv.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return false;
      }
      keys.push_back(k);
      values.push_back(v);
    }
    out = Value::hash(keys, values);
  } else {
    error = "unsupported JSON value " +
            j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
            " (use {\"sym\": \"x\"} for a symbol, {\"set\": [...]}, {\"hash\": [[k, v]]}, "
            "{\"time\": seconds})";
    return false;
  }
  return true;
}

nlohmann::json value_to_json(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Nil:
      return nullptr;
    case Value::Kind::Bool:
      return v.as_bool();
    case Value::Kind::Int:
      return v.as_int();
    case Value::Kind::Float:
      return v.as_float();
    case Value::Kind::String:
      return v.as_string();
    case Value::Kind::Symbol:
      return {{"sym", v.as_string()}};
    case Value::Kind::Array:
      return tuple_to_json(v.items());
    case Value::Kind::Set:
      return {{"set", tuple_to_json(v.items())}};
    case Value::Kind::Hash: {
      nlohmann::json entries = nlohmann::json::array();
      for (size_t i = 0; i < v.items().size(); ++i)
        entries.push_back({value_to_json(v.items()[i]), value_to_json(v.hash_values()[i])});
      return {{"hash", entries}};
    }
    case Value::Kind::Time: {
      double s = v.as_time();
      if (s == std::floor(s) && std::fabs(s) < 9e15) return {{"time", int64_t(s)}};
      return {{"time", s}};
    }
    default:  // lattice values: their Bud inspect text
      return {{"inspect", v.inspect()}};
  }
}

nlohmann::json tuple_to_json(const Tuple& t) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& v : t) a.push_back(value_to_json(v));
  return a;
}

}  // namespace calm::eval
