#pragma once

#include "support/run_command.h"

// Helpers shared by the viz tests: loading a sample program, a tiny XML well-formedness
// checker (enough for Graphviz's SVG), running the calm executable.

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "frontend/loader.h"
#include "viz/diagram.h"

namespace calm::viz::test {

inline std::string source_dir() { return CALM_SOURCE_DIR; }

/// A sample program (a file under samples/ and the -m module), loaded and analyzed.
struct Sample {
  LoadResult load;
  std::unique_ptr<ProgramAnalysis> analysis;

  Sample(const std::string& file, const std::string& module) {
    LoadOptions o;
    o.files = {source_dir() + "/samples/" + file};
    o.modules = {module};
    load = load_programs(o);
    REQUIRE_MESSAGE(load.programs.size() == 1, file << " -m " << module);
    REQUIRE_FALSE(load.diagnostics.has_errors());
    analysis = std::make_unique<ProgramAnalysis>(load.programs.front());
  }
  const Program& program() const { return load.programs.front(); }
  Diagram diagram(const DiagramOptions& options = {}) const {
    std::string error;
    std::optional<Diagram> d = build_diagram(*analysis, options, error);
    REQUIRE_MESSAGE(d.has_value(), error);
    return *d;
  }
};

/// `text` with the absolute source directory removed, so golden files are portable.
inline std::string portable(std::string text) {
  const std::string dir = source_dir() + "/";
  for (auto at = text.find(dir); at != std::string::npos; at = text.find(dir, at))
    text.erase(at, dir.size());
  return text;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// One element of an XML document: its name and attributes (entities decoded).
struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attributes;
};

/// Checks that `text` is a well-formed XML document (one root, balanced tags, quoted
/// attributes, known entities, no stray '<' or '&'), collecting its elements. Returns
/// "" when it is, else the first problem. Enough for Graphviz's SVG; not a validator.
class XmlChecker {
 public:
  std::string check(const std::string& text) {
    s_ = &text;
    i_ = 0;
    elements.clear();
    std::vector<std::string> open;
    int roots = 0;
    while (i_ < text.size()) {
      if (text[i_] != '<') {
        std::string t;
        if (!char_data(t)) return error_;
        if (open.empty() && t.find_first_not_of(" \t\r\n") != std::string::npos)
          return fail("text outside the root element");
        continue;
      }
      if (starts("<?")) {
        if (!skip_to("?>")) return fail("unterminated processing instruction");
      } else if (starts("<!--")) {
        auto end = text.find("-->", i_ + 4);
        if (end == std::string::npos) return fail("unterminated comment");
        if (text.substr(i_ + 4, end - i_ - 4).find("--") != std::string::npos)
          return fail("'--' inside a comment");
        i_ = end + 3;
      } else if (starts("<![CDATA[")) {
        if (open.empty()) return fail("CDATA outside the root element");
        if (!skip_to("]]>")) return fail("unterminated CDATA");
      } else if (starts("<!DOCTYPE")) {
        if (roots > 0 || !open.empty()) return fail("DOCTYPE after the root element");
        if (!skip_to(">")) return fail("unterminated DOCTYPE");
      } else if (starts("</")) {
        i_ += 2;
        std::string name = read_name();
        skip_space();
        if (!starts(">")) return fail("bad end tag </" + name);
        ++i_;
        if (open.empty() || open.back() != name) return fail("unbalanced </" + name + ">");
        open.pop_back();
      } else {
        ++i_;
        XmlElement e;
        e.name = read_name();
        if (e.name.empty()) return fail("'<' not starting a tag");
        if (open.empty() && ++roots > 1) return fail("more than one root element");
        for (;;) {
          bool spaced = skip_space();
          if (starts("/>")) {
            i_ += 2;
            break;
          }
          if (starts(">")) {
            ++i_;
            open.push_back(e.name);
            break;
          }
          if (!spaced) return fail("attributes of <" + e.name + "> need spaces");
          std::string attr = read_name();
          if (attr.empty()) return fail("bad attribute in <" + e.name + ">");
          skip_space();
          if (!starts("=")) return fail("attribute " + attr + " has no value");
          ++i_;
          skip_space();
          if (i_ >= text.size() || (text[i_] != '"' && text[i_] != '\''))
            return fail("unquoted attribute " + attr);
          char q = text[i_++];
          std::string value;
          while (i_ < text.size() && text[i_] != q) {
            if (text[i_] == '<') return fail("'<' in attribute " + attr);
            if (text[i_] == '&') {
              if (!entity(value)) return error_;
            } else {
              value += text[i_++];
            }
          }
          if (i_ >= text.size()) return fail("unterminated attribute " + attr);
          ++i_;
          if (!e.attributes.emplace(attr, value).second) return fail("duplicate attribute " + attr);
        }
        elements.push_back(e);
      }
    }
    if (!open.empty()) return fail("unclosed <" + open.back() + ">");
    if (roots != 1) return fail("no root element");
    return "";
  }

  std::vector<XmlElement> elements;

  /// Elements whose `id` attribute is `id`.
  std::vector<const XmlElement*> with_id(const std::string& id) const {
    std::vector<const XmlElement*> out;
    for (const auto& e : elements) {
      auto it = e.attributes.find("id");
      if (it != e.attributes.end() && it->second == id) out.push_back(&e);
    }
    return out;
  }

 private:
  const std::string* s_ = nullptr;
  size_t i_ = 0;
  std::string error_;

  std::string fail(const std::string& what) {
    error_ = what + " at byte " + std::to_string(i_);
    return error_;
  }
  bool starts(const char* p) const { return s_->compare(i_, std::strlen(p), p) == 0; }
  bool skip_to(const char* end) {
    auto at = s_->find(end, i_);
    if (at == std::string::npos) return false;
    i_ = at + std::strlen(end);
    return true;
  }
  bool skip_space() {
    size_t start = i_;
    while (i_ < s_->size() && std::isspace(static_cast<unsigned char>((*s_)[i_]))) ++i_;
    return i_ > start;
  }
  std::string read_name() {
    size_t start = i_;
    while (i_ < s_->size()) {
      char c = (*s_)[i_];
      if (std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '_' || c == '-' ||
          c == '.' || static_cast<unsigned char>(c) >= 0x80)
        ++i_;
      else
        break;
    }
    return s_->substr(start, i_ - start);
  }
  bool entity(std::string& out) {
    auto end = s_->find(';', i_);
    if (end == std::string::npos || end - i_ > 12) {
      fail("bad entity");
      return false;
    }
    std::string name = s_->substr(i_ + 1, end - i_ - 1);
    static const std::map<std::string, std::string> named = {
        {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
    if (auto it = named.find(name); it != named.end()) {
      out += it->second;
    } else if (name.size() > 1 && name[0] == '#') {
      unsigned long code = name[1] == 'x' ? std::strtoul(name.c_str() + 2, nullptr, 16)
                                          : std::strtoul(name.c_str() + 1, nullptr, 10);
      if (code == 0) {
        fail("bad character reference &" + name + ";");
        return false;
      }
      if (code < 0x80) {
        out += static_cast<char>(code);
      } else {
        out += "?";  // only ids and classes are compared; they are ASCII
      }
    } else {
      fail("unknown entity &" + name + ";");
      return false;
    }
    i_ = end + 1;
    return true;
  }
  bool char_data(std::string& out) {
    while (i_ < s_->size() && (*s_)[i_] != '<') {
      if ((*s_)[i_] == '&') {
        if (!entity(out)) return false;
      } else if (starts("]]>")) {
        fail("']]>' in text");
        return false;
      } else {
        out += (*s_)[i_++];
      }
    }
    return true;
  }
};

/// The result of running the calm executable.
struct Run {
  int status = -1;
  std::string out;  ///< stdout and stderr together
};

/// Runs calm with `args` (shell words) from the repository root.
inline Run run_calm(const std::string& args) {
  auto c = calm::test::run_command("cd '" + source_dir() + "' && '" + std::string(CALM_BINARY) +
                                   "' " + args + " 2>&1");
  return Run{c.status, std::move(c.out)};
}

/// A fresh directory for one test's files.
inline std::filesystem::path temp_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() /
           ("calm-viz-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace calm::viz::test
