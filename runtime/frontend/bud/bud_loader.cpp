#include "frontend/bud/bud_loader.h"

#include <filesystem>
#include <memory>
#include <set>

#include "frontend/bud/bud_reader.h"
#include "frontend/bud/composer.h"
#include "frontend/front_end.h"
#include "frontend/ruby/syntax_tree.h"

namespace fs = std::filesystem;

namespace calm::bud {

namespace {

/// `require 'bud/labeling/labeling'`: one of Bud's own library files, read when a -I
/// directory holds it (Bud's `lib/`), otherwise skipped quietly. `bud` itself (the
/// runtime) is never read.
bool is_bud_library(const std::string& req) { return req.rfind("bud/", 0) == 0; }

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
  static const std::set<std::string> prefixes = {"test/", "minitest/", "rubygems/", "time_hack/"};
  for (const auto& p : prefixes)
    if (req.rfind(p, 0) == 0) return true;
  return false;
}

}  // namespace

void load_bud_files(const std::vector<std::string>& files, const LoadOptions& options,
                    LoadResult& result) {
  std::vector<std::unique_ptr<ruby::SyntaxTree>> trees;
  std::set<std::string> seen;
  std::vector<std::pair<std::string, SourceLocation>> queue;
  for (const auto& f : files) queue.push_back({f, SourceLocation{f, 0, 0}});
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
    if (!read_input_file(path, options, result, text)) continue;
    trees.push_back(std::make_unique<ruby::SyntaxTree>(path, std::move(text)));
    if (!options.follow_requires) continue;
    for (const Require& req : bud::read_requires(*trees.back())) {
      if (is_external_library(req.path)) continue;
      std::string rel = req.path;
      if (rel.size() < 3 || rel.substr(rel.size() - 3) != ".rb") rel += ".rb";
      std::vector<fs::path> bases;
      fs::path dir = fs::path(path).parent_path();
      bool bud_lib = is_bud_library(req.path);
      if (bud_lib) {
        for (const auto& inc : options.include_dirs) bases.push_back(inc);
      } else if (req.path.rfind("./", 0) == 0) {
        bases.push_back(dir);
      } else {
        for (const auto& inc : options.include_dirs) bases.push_back(inc);
        fs::path d = dir;
        for (int up = 0; up < 4; ++up) {
          bases.push_back(d);
          if (!d.has_parent_path() || d.parent_path() == d) {
            // `lib/2pc.rb` requiring 'lib/voting': the working directory is a parent too.
            if (d.is_relative() && !d.empty() && up < 3) bases.push_back(".");
            break;
          }
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
      if (found) continue;
      if (bud_lib) {
        result.diagnostics.note("calm-unresolved-require",
                                "Bud library '" + req.path +
                                    "' is not read: give Bud's lib directory with -I "
                                    "(e.g. -I path/to/bud/lib) to analyze the modules it "
                                    "defines",
                                req.location);
      } else if (req.path.rfind("./", 0) == 0) {
        // require_relative / `require './x'`: a file of the program itself is missing.
        result.diagnostics.warning("calm-unresolved-require",
                                   "cannot find '" + req.path.substr(2) +
                                       "' next to this file; its modules are not loaded",
                                   req.location);
      } else {
        // Most likely a gem (`require 'uuid'`): a note, shown with --verbose.
        result.diagnostics.note("calm-unresolved-require",
                                "cannot find '" + req.path +
                                    "' (searched the file's directory, its parents and -I); "
                                    "a gem or a file calm does not read, its modules are not "
                                    "loaded",
                                req.location);
      }
    }
  }

  bud::ReaderContext ctx;
  ctx.lattice_kinds = bud::builtin_lattice_kinds();
  for (const auto& t : trees) bud::scan_names(*t, ctx);
  std::set<std::string> given_paths;
  for (size_t i = 0; i < given && i < queue.size(); ++i) given_paths.insert(queue[i].first);
  for (const auto& t : trees)
    result.files.push_back(bud::read_bud_file(*t, ctx, result.diagnostics));
  // The model holds everything read: free the syntax trees (tree-sitter's nodes, about
  // 100 bytes a token, and a copy of each text) before composing and analysing.
  trees.clear();

  bud::Composer composer(result.files, result.diagnostics);
  auto finish = [&](Program p) {
    for (const auto& [kind, methods] : ctx.user_lattice_monotone)
      p.user_lattices[kind] = std::vector<std::string>(methods.begin(), methods.end());
    result.programs.push_back(std::move(p));
  };
  if (!options.modules.empty()) {
    if (auto p = composer.compose(options.modules)) finish(std::move(*p));
    return;
  }
  // Default programs come from the given files only, not from what they require.
  std::set<std::string> defined_in_given;
  for (const SourceFile& f : result.files)
    if (given_paths.count(f.path))
      for (const ModuleDef& m : f.modules) defined_in_given.insert(m.name);
  for (const std::string& root : composer.default_roots(defined_in_given)) {
    if (auto p = composer.compose({root})) finish(std::move(*p));
  }
}

}  // namespace calm::bud
