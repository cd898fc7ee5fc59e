#include "eval/ruby_text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string_view>
#include <unordered_set>

namespace calm::eval {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

/// Appends the digits at s[i...] (single underscores between digits allowed) to `out`;
/// returns how many digits were read.
size_t read_digits(const std::string& s, size_t& i, std::string& out) {
  size_t n = 0;
  while (i < s.size()) {
    if (digit(s[i])) {
      out += s[i++];
      ++n;
    } else if (s[i] == '_' && n > 0 && i + 1 < s.size() && digit(s[i + 1])) {
      ++i;
    } else {
      break;
    }
  }
  return n;
}

/// Integer(v) as format's %d takes it: integers, floats (floored), strings of digits.
bool to_integer(const Value& v, int64_t& out, std::string& error) {
  switch (v.kind()) {
    case Value::Kind::Int:
      out = v.as_int();
      return true;
    case Value::Kind::Float:
      if (!std::isfinite(v.as_float())) {
        error = "FloatDomainError: " + v.inspect();
        return false;
      }
      out = int64_t(std::floor(v.as_float()));
      return true;
    case Value::Kind::String: {
      const std::string& s = v.as_string();
      char* end = nullptr;
      long long x = std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0') {
        error = "invalid value for Integer(): " + v.inspect();
        return false;
      }
      out = x;
      return true;
    }
    case Value::Kind::Nil:
      error = "can't convert nil into Integer";
      return false;
    default:
      error = "can't convert " + v.inspect() + " into Integer";
      return false;
  }
}

bool to_float(const Value& v, double& out, std::string& error) {
  if (v.is_numeric()) {
    out = v.as_float();
    return true;
  }
  if (v.kind() == Value::Kind::String) {
    char* end = nullptr;
    out = std::strtod(v.as_string().c_str(), &end);
    if (!v.as_string().empty() && *end == '\0') return true;
    error = "invalid value for Float(): " + v.inspect();
    return false;
  }
  error =
      v.is_nil() ? "can't convert nil into Float" : "can't convert " + v.inspect() + " into Float";
  return false;
}

std::string in_base(uint64_t x, int base, bool upper) {
  if (x == 0) return "0";
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (; x; x /= uint64_t(base)) out.insert(out.begin(), digits[x % uint64_t(base)]);
  return out;
}

}  // namespace

double ruby_string_to_f(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  std::string num;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) num += s[i++];
  size_t whole = read_digits(s, i, num);
  if (i + 1 < s.size() && s[i] == '.' && digit(s[i + 1])) {
    num += s[i++];
    read_digits(s, i, num);
  } else if (whole == 0) {
    return 0.0;
  }
  if (i + 1 < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    std::string exp = "e";
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) exp += s[j++];
    if (read_digits(s, j, exp) > 0) num += exp;
  }
  return std::strtod(num.c_str(), nullptr);
}

std::optional<std::string> ruby_format(const std::string& fmt, const std::vector<Value>& args,
                                       std::string& error) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (++i >= fmt.size()) {
      error = "incomplete format specifier; use %% (double %) instead";
      return std::nullopt;
    }
    if (fmt[i] == '%') {
      out += '%';
      continue;
    }
    bool left = false, plus = false, space = false, zero = false, alt = false;
    for (; i < fmt.size(); ++i) {
      char c = fmt[i];
      if (c == '-')
        left = true;
      else if (c == '+')
        plus = true;
      else if (c == ' ')
        space = true;
      else if (c == '0')
        zero = true;
      else if (c == '#')
        alt = true;
      else
        break;
    }
    auto take = [&](Value& v) {
      if (next >= args.size()) {
        error = "too few arguments";
        return false;
      }
      v = args[next++];
      return true;
    };
    int width = -1, precision = -1;
    Value arg;
    if (i < fmt.size() && fmt[i] == '*') {
      if (!take(arg)) return std::nullopt;
      width = int(arg.as_int());
      if (width < 0) {
        left = true;
        width = -width;
      }
      ++i;
    } else {
      for (; i < fmt.size() && digit(fmt[i]); ++i)
        width = (width < 0 ? 0 : width * 10) + (fmt[i] - '0');
    }
    if (i < fmt.size() && fmt[i] == '.') {
      precision = 0;
      for (++i; i < fmt.size() && digit(fmt[i]); ++i) precision = precision * 10 + (fmt[i] - '0');
    }
    if (i >= fmt.size()) {
      error = "malformed format string - %" + fmt.substr(fmt.size() - 1);
      return std::nullopt;
    }
    char conv = fmt[i];
    std::string body, sign;
    bool numeric = true;
    switch (conv) {
      case 'd':
      case 'i':
      case 'u': {
        int64_t x;
        if (!take(arg) || !to_integer(arg, x, error)) return std::nullopt;
        body = x < 0 ? std::to_string(x).substr(1) : std::to_string(x);
        sign = x < 0 ? "-" : plus ? "+" : space ? " " : "";
        if (precision >= 0 && int(body.size()) < precision)
          body.insert(0, size_t(precision) - body.size(), '0');
        break;
      }
      case 'x':
      case 'X':
      case 'o':
      case 'b':
      case 'B': {
        int64_t x;
        if (!take(arg) || !to_integer(arg, x, error)) return std::nullopt;
        if (x < 0 && !plus && !space) {
          error = "negative number for %" + std::string(1, conv) +
                  " without a sign flag (Ruby writes two's complement, \"..f\")";
          return std::nullopt;
        }
        int base = conv == 'o' ? 8 : (conv == 'b' || conv == 'B') ? 2 : 16;
        body = in_base(x < 0 ? uint64_t(-(x + 1)) + 1 : uint64_t(x), base, conv == 'X');
        if (precision >= 0 && int(body.size()) < precision)
          body.insert(0, size_t(precision) - body.size(), '0');
        sign = x < 0 ? "-" : plus ? "+" : space ? " " : "";
        if (alt && x != 0)
          sign += conv == 'o'   ? "0"
                  : conv == 'x' ? "0x"
                  : conv == 'X' ? "0X"
                  : conv == 'b' ? "0b"
                                : "0B";
        break;
      }
      case 'f':
      case 'e':
      case 'E':
      case 'g':
      case 'G':
      case 'a':
      case 'A': {
        double x;
        if (!take(arg) || !to_float(arg, x, error)) return std::nullopt;
        if (std::isnan(x) || std::isinf(x)) {
          body = std::isnan(x) ? "NaN" : "Inf";
        } else {
          std::string spec = "%";
          if (alt) spec += '#';
          spec += "." + std::to_string(precision < 0 ? 6 : precision) + conv;
          char buf[512];
          std::snprintf(buf, sizeof buf, spec.c_str(), std::fabs(x));
          body = buf;
        }
        sign = std::signbit(x) && !std::isnan(x) ? "-" : plus ? "+" : space ? " " : "";
        break;
      }
      case 's':
      case 'p': {
        if (!take(arg)) return std::nullopt;
        body = conv == 's' ? arg.to_s() : arg.inspect();
        if (precision >= 0 && int(body.size()) > precision) body.resize(size_t(precision));
        numeric = false;
        break;
      }
      case 'c': {
        if (!take(arg)) return std::nullopt;
        if (arg.kind() == Value::Kind::Int && arg.as_int() >= 0 && arg.as_int() < 128) {
          body = std::string(1, char(arg.as_int()));
        } else if (arg.kind() == Value::Kind::String && arg.as_string().size() == 1) {
          body = arg.as_string();
        } else {
          error = "%c requires a character";
          return std::nullopt;
        }
        numeric = false;
        break;
      }
      default:
        error = "malformed format string - %" + std::string(1, conv) +
                (conv == '{' || conv == '<' ? " (named references are not supported)" : "");
        return std::nullopt;
    }
    std::string text = sign + body;
    if (width > 0 && int(text.size()) < width) {
      size_t pad = size_t(width) - text.size();
      if (left)
        text += std::string(pad, ' ');
      else if (zero && numeric && precision < 0 && body != "NaN" && body != "Inf")
        text = sign + std::string(pad, '0') + body;
      else if (zero && numeric &&
               (conv == 'f' || conv == 'e' || conv == 'E' || conv == 'g' || conv == 'G'))
        text = sign + std::string(pad, '0') + body;
      else
        text = std::string(pad, ' ') + text;
    }
    out += text;
  }
  return out;
}

std::optional<std::string> ruby_strftime(double seconds, const std::string& format,
                                         std::string& error) {
  static const char* const kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                      "Thursday", "Friday", "Saturday"};
  static const char* const kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
  double whole = std::floor(seconds);
  double frac = seconds - whole;
  auto fields = utc_fields(seconds);
  if (!fields) {
    error = "of a time out of range";
    return std::nullopt;
  }
  const std::tm& tm = *fields;
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    size_t start = i++;
    char pad = 0;  // 0: the conversion's own
    bool upper = false;
    while (i < format.size() && std::string_view("-0_^#").find(format[i]) != std::string::npos) {
      if (format[i] == '^')
        upper = true;
      else if (format[i] != '#')
        pad = format[i];
      ++i;
    }
    int width = -1;
    while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i]))) {
      width = std::max(width, 0) * 10 + (format[i++] - '0');
      if (width > 1024) {
        error = "with a width over 1024";
        return std::nullopt;
      }
    }
    if (i == format.size()) {
      error = "'" + format.substr(start) + "'";
      return std::nullopt;
    }
    char c = format[i];
    auto number = [&](long long v, int w, char dflt) {
      char p = pad ? pad : dflt;
      if (width >= 0) w = width;
      std::string digits = std::to_string(v < 0 ? -v : v);
      if (p != '-' && int(digits.size()) < w)
        digits = std::string(size_t(w) - digits.size(), p == '_' ? ' ' : p) + digits;
      return (v < 0 ? "-" : "") + digits;
    };
    auto text = [&](std::string s) {
      if (upper)
        for (char& ch : s) ch = char(std::toupper(static_cast<unsigned char>(ch)));
      if (width > int(s.size()) && pad != '-')
        s = std::string(size_t(width) - s.size(), pad == '0' ? '0' : ' ') + s;
      return s;
    };
    int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
    std::string piece;
    switch (c) {
      case 'Y':
        piece = number(tm.tm_year + 1900LL, 4, '0');
        break;
      case 'C':
        piece = number((tm.tm_year + 1900LL) / 100, 2, '0');
        break;
      case 'y':
        piece = number((tm.tm_year + 1900LL) % 100, 2, '0');
        break;
      case 'm':
        piece = number(tm.tm_mon + 1, 2, '0');
        break;
      case 'B':
        piece = text(kMonths[tm.tm_mon]);
        break;
      case 'b':
      case 'h':
        piece = text(std::string(kMonths[tm.tm_mon]).substr(0, 3));
        break;
      case 'd':
        piece = number(tm.tm_mday, 2, '0');
        break;
      case 'e':
        piece = number(tm.tm_mday, 2, '_');
        break;
      case 'j':
        piece = number(tm.tm_yday + 1, 3, '0');
        break;
      case 'H':
        piece = number(tm.tm_hour, 2, '0');
        break;
      case 'k':
        piece = number(tm.tm_hour, 2, '_');
        break;
      case 'I':
        piece = number(hour12, 2, '0');
        break;
      case 'l':
        piece = number(hour12, 2, '_');
        break;
      case 'M':
        piece = number(tm.tm_min, 2, '0');
        break;
      case 'S':
        piece = number(tm.tm_sec, 2, '0');
        break;
      case 'L':
      case 'N': {
        // Fractional digits, truncated: %L milliseconds (3), %N nanoseconds (9) or `width`.
        int digits = width > 0 ? width : c == 'L' ? 3 : 9;
        std::string f;
        double x = frac;
        for (int k = 0; k < digits; ++k) {
          x *= 10;
          int d = std::min(9, int(std::floor(x + 1e-9)));
          f += char('0' + d);
          x -= d;
        }
        piece = f;
        break;
      }
      case 'p':
        piece = text(tm.tm_hour < 12 ? "AM" : "PM");
        break;
      case 'P':
        piece = text(tm.tm_hour < 12 ? "am" : "pm");
        break;
      case 'A':
        piece = text(kDays[tm.tm_wday]);
        break;
      case 'a':
        piece = text(std::string(kDays[tm.tm_wday]).substr(0, 3));
        break;
      case 'u':
        piece = number(tm.tm_wday == 0 ? 7 : tm.tm_wday, 1, '0');
        break;
      case 'w':
        piece = number(tm.tm_wday, 1, '0');
        break;
      case 'Z':
        piece = text("UTC");
        break;
      case 'z':
        piece = "+0000";
        break;
      case 's':
        piece = number((long long)whole, 1, '0');
        break;
      case 'n':
        piece = "\n";
        break;
      case 't':
        piece = "\t";
        break;
      case '%':
        piece = "%";
        break;
      case 'F':
      case 'T':
      case 'D':
      case 'R':
      case 'r':
      case 'c':
      case 'x':
      case 'X': {
        const char* expand = c == 'F'               ? "%Y-%m-%d"
                             : c == 'T' || c == 'X' ? "%H:%M:%S"
                             : c == 'D' || c == 'x' ? "%m/%d/%y"
                             : c == 'R'             ? "%H:%M"
                             : c == 'r'             ? "%I:%M:%S %p"
                                                    : "%a %b %e %H:%M:%S %Y";
        auto inner = ruby_strftime(seconds, expand, error);
        if (!inner) return std::nullopt;
        piece = text(*inner);
        break;
      }
      default:
        error = "'" + format.substr(start, i - start + 1) + "'";
        return std::nullopt;
    }
    out += piece;
  }
  return out;
}

std::string ruby_class_name(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Nil:
      return "nil";
    case Value::Kind::Bool:
      return v.as_bool() ? "true" : "false";
    case Value::Kind::Int:
      return "Integer";
    case Value::Kind::Float:
      return "Float";
    case Value::Kind::String:
      return "String";
    case Value::Kind::Symbol:
      return "Symbol";
    case Value::Kind::Array:
      return "Array";
    case Value::Kind::Hash:
      return "Hash";
    case Value::Kind::Set:
      return "Set";
    case Value::Kind::Time:
      return "Time";
    case Value::Kind::Lattice:
      return v.lattice_type();
  }
  return "value";
}

namespace {

const std::map<std::string, std::unordered_set<std::string>>& ruby_methods() {
  static const auto table = [] {
    struct Row {
      const char* cls;
      const char* names;
    };
    static const Row rows[] = {
#include "eval/ruby_methods.inc"
    };
    std::map<std::string, std::unordered_set<std::string>> t;
    for (const Row& r : rows) {
      std::string names = r.names;
      size_t at = 0;
      while (at < names.size()) {
        size_t end = names.find(' ', at);
        if (end == std::string::npos) end = names.size();
        if (end > at) t[r.cls].insert(names.substr(at, end - at));
        at = end + 1;
      }
    }
    return t;
  }();
  return table;
}

}  // namespace

bool ruby_has_method(const std::string& cls, const std::string& m) {
  const auto& t = ruby_methods();
  if (t.at("Object").count(m)) return true;
  if (cls.empty()) {
    for (const auto& [_, names] : t)
      if (names.count(m)) return true;
    return false;
  }
  auto it = t.find(cls);
  return it != t.end() && it->second.count(m);
}

std::string ruby_method_class(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Nil:
      return "NilClass";
    case Value::Kind::Bool:
      return v.as_bool() ? "TrueClass" : "FalseClass";
    case Value::Kind::Array:
      return v.schema() ? "Struct" : "Array";
    default:
      return ruby_class_name(v);
  }
}

// The message for an integer result beyond 64 bits.
std::string overflow_message(const std::string& what) {
  return "integer overflow: " + what +
         " does not fit in 64 bits (Ruby would make a Bignum; calm's evaluator has no big "
         "integers and refuses, docs/evaluator.md)";
}

// A float converted to an integer the way Ruby's Float#to_i does, or a reason.
std::optional<int64_t> float_to_int(double f, std::string& why) {
  if (std::isnan(f)) {
    why = "FloatDomainError: NaN";
    return std::nullopt;
  }
  if (std::isinf(f)) {
    why = std::string("FloatDomainError: ") + (f > 0 ? "Infinity" : "-Infinity");
    return std::nullopt;
  }
  double t = std::trunc(f);
  if (t < -9223372036854775808.0 || t >= 9223372036854775808.0) {
    why = overflow_message(std::to_string(f) + ".to_i");
    return std::nullopt;
  }
  return int64_t(t);
}

}  // namespace calm::eval
