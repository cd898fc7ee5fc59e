#include "cli/options.h"

#include <algorithm>

#include "base/text.h"

namespace calm::cli {

std::optional<Options> parse_options(const std::vector<std::string>& args,
                                     const std::vector<std::string>& flags,
                                     const std::vector<std::string>& valued, std::string& error) {
  Options o;
  auto contains = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    bool has_inline = false;
    if (a.rfind("--", 0) == 0) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_inline = true;
      }
    }
    auto take = [&](std::string& into) -> bool {
      if (has_inline) {
        into = value;
        return true;
      }
      if (i + 1 >= args.size()) {
        error = "option " + a + " needs a value";
        return false;
      }
      into = args[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if (a == "-m" || a == "--module") {
      std::string v;
      if (!take(v)) return std::nullopt;
      o.modules.push_back(v);
    } else if (a == "-I" || a == "--include-dir") {
      std::string v;
      if (!take(v)) return std::nullopt;
      o.include_dirs.push_back(v);
    } else if (a.rfind("-I", 0) == 0 && a.size() > 2) {
      o.include_dirs.push_back(a.substr(2));
    } else if (a == "--format" || a == "-f") {
      if (!take(o.format)) return std::nullopt;
    } else if (a == "--lang") {
      if (!take(o.lang)) return std::nullopt;
    } else if (a == "-o" || a == "--output") {
      if (!take(o.output)) return std::nullopt;
    } else if (contains(flags, a)) {
      o.extra.push_back(a.substr(2) + "=1");
    } else if (contains(valued, a)) {
      std::string v;
      if (!take(v)) return std::nullopt;
      o.extra.push_back(a.substr(2) + "=" + v);
    } else if (a.size() > 1 && a[0] == '-') {
      std::vector<std::string> known = {"--help",   "--module", "--include-dir",
                                        "--format", "--lang",   "--output"};
      known.insert(known.end(), flags.begin(), flags.end());
      known.insert(known.end(), valued.begin(), valued.end());
      error = "unknown option '" + a + "'";
      std::string near = closest_name(a, known);
      // A shortened or lengthened name ("--include" for "--include-dir") is a better
      // guess than whatever is closest by edit distance.
      for (const auto& k : known)
        if (near.empty() && a.size() >= 4 && (k.rfind(a, 0) == 0 || a.rfind(k, 0) == 0)) near = k;
      if (!near.empty()) error += "; did you mean '" + near + "'?";
      return std::nullopt;
    } else {
      o.files.push_back(a);
    }
  }
  return o;
}

std::string extra_value(const Options& o, const std::string& name, const std::string& fallback) {
  std::string found = fallback;
  for (const auto& e : o.extra)
    if (e.rfind(name + "=", 0) == 0) found = e.substr(name.size() + 1);
  return found;
}

bool has_flag(const Options& o, const std::string& name) { return extra_value(o, name, "") == "1"; }

std::string usage_hint(const std::string& usage) {
  std::string first = usage.substr(0, usage.find('\n'));
  std::string command;  // "calm graph" from "usage: calm graph FILES..."
  if (first.rfind("usage: ", 0) == 0) {
    size_t end = first.find(' ', first.find(' ', 7) + 1);
    command = first.substr(7, end == std::string::npos ? std::string::npos : end - 7);
  }
  bool more = usage.find('\n') + 1 < usage.size() && usage[usage.find('\n') + 1] == ' ';
  return first + (more ? " ..." : "") + "\n" +
         (command.empty() ? std::string() : "(" + command + " --help lists every option)\n");
}

}  // namespace calm::cli
