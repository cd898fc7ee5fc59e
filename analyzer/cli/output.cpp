#include "cli/output.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

namespace fs = std::filesystem;

namespace calm::cli {

bool write_output(const std::string& path, const std::string& content, std::string& error) {
  if (path.empty() || path == "-") {
    std::cout << content;
    std::cout.flush();
    return bool(std::cout);
  }
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    error = path + ": directory '" + dir.string() + "' does not exist";
    return false;
  }
  std::random_device rd;
  fs::path tmp = dir / ("." + target.filename().string() + ".tmp" + std::to_string(rd()));
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) {
      error = path + ": cannot write into '" + dir.string() + "'";
      return false;
    }
    out << content;
    out.close();
    if (!out) {
      fs::remove(tmp, ec);
      error = path + ": write failed";
      return false;
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    error = path + ": cannot rename the temporary file: " + ec.message();
    return false;
  }
  return true;
}

namespace {
std::string source_line(const std::map<std::string, std::string>& sources,
                        const SourceLocation& l) {
  auto it = sources.find(l.file);
  if (it == sources.end() || l.line <= 0) return "";
  std::istringstream in(it->second);
  std::string line;
  for (int i = 1; std::getline(in, line); ++i)
    if (i == l.line) return line;
  return "";
}

void append_located(std::string& out, const std::string& severity, const std::string& message,
                    const SourceLocation& loc) {
  std::string where = to_string(loc);
  out += (where.empty() ? std::string("calm") : where) + ": " + severity + ": " + message;
}

void append_snippet(std::string& out, const SourceLocation& loc,
                    const std::map<std::string, std::string>& sources) {
  std::string line = source_line(sources, loc);
  if (line.empty()) return;
  out += "  " + line + "\n  ";
  for (int i = 1; i < loc.column && i <= int(line.size()); ++i)
    out += line[i - 1] == '\t' ? '\t' : ' ';
  out += "^\n";
}
}  // namespace

std::string format_diagnostic(const Diagnostic& d,
                              const std::map<std::string, std::string>& sources) {
  std::string out;
  append_located(out, to_string(d.severity), d.message, d.location);
  if (!d.check.empty()) out += " [" + d.check + "]";
  out += "\n";
  append_snippet(out, d.location, sources);
  for (const auto& n : d.notes) {
    append_located(out, "note", n.message, n.location);
    out += "\n";
  }
  return out;
}

}  // namespace calm::cli
