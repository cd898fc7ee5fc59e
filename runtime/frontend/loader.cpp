#include "frontend/loader.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "frontend/bud/bud_reader.h"
#include "frontend/bud/composer.h"
#include "frontend/ruby/syntax_tree.h"
#include "frontend/syndicate/syndicate_loader.h"
#include "frontend/syndicate/syndicate_reader.h"

namespace fs = std::filesystem;

namespace calm {

namespace {

/// Position of the first invalid UTF-8 sequence, or npos.
size_t invalid_utf8_at(const std::string& s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > n) return i;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string::npos;
}

SourceLocation offset_location(const std::string& path, const std::string& text, size_t off) {
  int line = 1, col = 1;
  for (size_t i = 0; i < off && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {path, line, col};
}

/// Gems and standard libraries that programs require but calm does not need.
bool is_external_library(const std::string& req) {
  static const std::set<std::string> libs = {
      "bud",      "rubygems",   "test/unit",    "minitest",    "minitest/autorun",
      "set",      "socket",     "time",         "pp",          "json",
      "yaml",     "digest",     "digest/md5",   "digest/sha1", "securerandom",
      "timeout",  "thread",     "fileutils",    "tempfile",    "tmpdir",
      "open3",    "optparse",   "benchmark",    "zookeeper",   "dbm",
      "gdbm",     "msgpack",    "eventmachine", "getoptlong",  "etc",
      "date",     "stringio",   "logger",       "ostruct",     "matrix",
      "prime",    "bigdecimal", "readline",     "backports",   "simplecov",
      "anise",    "enumerator", "zlib",         "uri",         "net/http",
      "open-uri", "erb"};
  if (libs.count(req)) return true;
  static const std::set<std::string> prefixes = {"bud/", "test/", "minitest/", "rubygems/",
                                                 "time_hack/"};
  for (const auto& p : prefixes)
    if (req.rfind(p, 0) == 0) return true;
  return false;
}

}  // namespace

bool read_source_file(const std::string& path, std::string& text, Diagnostics& diags) {
  SourceLocation at{path, 0, 0};
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    diags.error("calm-io-error", "no such file", at);
    return false;
  }
  if (fs::is_directory(path, ec)) {
    diags.error("calm-io-error", "is a directory, not a Bud file", at);
    return false;
  }
  auto size = fs::file_size(path, ec);
  if (ec) {
    diags.error("calm-io-error", "cannot read: " + ec.message(), at);
    return false;
  }
  if (size > kMaxSourceBytes) {
    diags.error("calm-io-error",
                "file is too large (" + std::to_string(size) + " bytes; the limit is " +
                    std::to_string(kMaxSourceBytes) + ")",
                at);
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error("calm-io-error", "cannot open for reading", at);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return validate_source_text(path, text, diags);
}

bool validate_source_text(const std::string& path, std::string& text, Diagnostics& diags) {
  if (size_t nul = text.find('\0'); nul != std::string::npos) {
    diags.error("calm-parse-error", "binary file (NUL byte); not a Ruby source file",
                offset_location(path, text, nul));
    text.clear();
    return false;
  }
  if (size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    diags.error("calm-parse-error", "invalid UTF-8 in source file",
                offset_location(path, text, bad));
    text.clear();
    return false;
  }
  return true;
}

LoadResult load_programs(const LoadOptions& options) {
  LoadResult result;
  std::vector<std::unique_ptr<ruby::SyntaxTree>> trees;
  std::set<std::string> seen;
  std::vector<std::pair<std::string, SourceLocation>> queue;
  // Syndicate files (`.rkt`, or --lang syndicate) have their own front end.
  if (!options.lang.empty() && options.lang != "bud" && options.lang != "syndicate") {
    result.diagnostics.error("calm-io-error",
                             "unknown language '" + options.lang + "' (bud or syndicate)", {});
    return result;
  }
  std::vector<std::string> syndicate_files;
  for (const auto& f : options.files) {
    if (syndicate::is_syndicate_file(f, options.lang))
      syndicate_files.push_back(f);
    else
      queue.push_back({f, SourceLocation{f, 0, 0}});
  }
  if (!syndicate_files.empty()) {
    syndicate::load_syndicate_files(syndicate_files, options, result);
    if (queue.empty()) return result;
  }
  size_t given = queue.size();

  // Parse the given files, then (transitively) what they require.
  for (size_t qi = 0; qi < queue.size(); ++qi) {
    const std::string path = queue[qi].first;
    std::error_code ec;
    std::string canon = fs::weakly_canonical(path, ec).string();
    if (ec) canon = path;
    if (seen.count(canon)) continue;
    seen.insert(canon);
    std::string text;
    if (auto mem = options.memory_files.find(path); mem != options.memory_files.end()) {
      text = mem->second;
      if (!validate_source_text(path, text, result.diagnostics)) continue;
    } else if (!read_source_file(path, text, result.diagnostics)) {
      continue;
    }
    result.sources[path] = text;
    trees.push_back(std::make_unique<ruby::SyntaxTree>(path, std::move(text)));
    if (!options.follow_requires) continue;
    // Find requires cheaply with a throwaway read (names only).
    bud::ReaderContext probe_ctx;
    Diagnostics ignore;
    SourceFile probe = bud::read_bud_file(*trees.back(), probe_ctx, ignore);
    for (const Require& req : probe.requires_) {
      if (is_external_library(req.path)) continue;
      std::string rel = req.path;
      if (rel.size() < 3 || rel.substr(rel.size() - 3) != ".rb") rel += ".rb";
      std::vector<fs::path> bases;
      fs::path dir = fs::path(path).parent_path();
      if (req.path.rfind("./", 0) == 0) {
        bases.push_back(dir);
      } else {
        for (const auto& inc : options.include_dirs) bases.push_back(inc);
        fs::path d = dir;
        for (int up = 0; up < 4; ++up) {
          bases.push_back(d);
          if (!d.has_parent_path() || d.parent_path() == d) break;
          d = d.parent_path();
        }
      }
      bool found = false;
      for (const auto& b : bases) {
        fs::path cand = b / rel;
        if (options.memory_files.count(cand.lexically_normal().string())) {
          queue.push_back({cand.lexically_normal().string(), req.location});
          found = true;
          break;
        }
        if (fs::is_regular_file(cand, ec)) {
          queue.push_back({cand.lexically_normal().string(), req.location});
          found = true;
          break;
        }
      }
      if (!found)
        result.diagnostics.warning("calm-unresolved-require",
                                   "cannot find '" + req.path +
                                       "' (searched the file's directory, its parents and -I); "
                                       "its modules are not loaded",
                                   req.location);
    }
  }

  bud::ReaderContext ctx;
  ctx.lattice_kinds = bud::builtin_lattice_kinds();
  for (const auto& t : trees) bud::scan_names(*t, ctx);
  std::set<std::string> given_paths;
  for (size_t i = 0; i < given && i < queue.size(); ++i) given_paths.insert(queue[i].first);
  for (const auto& t : trees)
    result.files.push_back(bud::read_bud_file(*t, ctx, result.diagnostics));

  bud::Composer composer(result.files, result.diagnostics);
  auto finish = [&](Program p) {
    for (const auto& [kind, methods] : ctx.user_lattice_monotone)
      p.user_lattices[kind] = std::vector<std::string>(methods.begin(), methods.end());
    result.programs.push_back(std::move(p));
  };
  if (!options.modules.empty()) {
    if (auto p = composer.compose(options.modules)) finish(std::move(*p));
    return result;
  }
  // Default programs come from the given files only, not from what they require.
  std::set<std::string> defined_in_given;
  for (const SourceFile& f : result.files)
    if (given_paths.count(f.path))
      for (const ModuleDef& m : f.modules) defined_in_given.insert(m.name);
  for (const std::string& root : composer.default_roots(defined_in_given)) {
    if (auto p = composer.compose({root})) finish(std::move(*p));
  }
  return result;
}

}  // namespace calm
