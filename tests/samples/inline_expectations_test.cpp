// The inline expectations of samples/ (see samples/README.md): every `# expect:` comment
// must match what calm reports, and on a line that carries expectations calm must report
// nothing else. Each top-level module or class whose body holds expectations is analyzed
// on its own, as the program `-m Name` of its file.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "frontend/loader.h"
#include "support/sample_support.h"

namespace calm::test {
namespace {

namespace fs = std::filesystem;

enum class ExpectKind { PointOfOrder, TemporalCluster, Underspecified };

struct Expectation {
  ExpectKind kind = ExpectKind::PointOfOrder;
  int line = 0;
  std::string text;                  ///< as written: "point-of-order kvput -> kvstate"
  std::string from, to;              ///< point-of-order
  std::vector<std::string> members;  ///< temporal-cluster, sorted
  std::string collection;            ///< underspecified
  std::string direction;             ///< underspecified: "input" or "output"
};

/// The expectations written inside one top-level module or class.
struct SampleProgram {
  std::string file;
  std::string module;
  std::vector<Expectation> expectations;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// A path as shown in messages: relative to the repository root when under it.
std::string shown(const std::string& path) {
  const std::string root = std::string(CALM_SOURCE_DIR) + "/";
  return path.rfind(root, 0) == 0 ? path.substr(root.size()) : path;
}

std::string canonical(const std::string& path) {
  return fs::weakly_canonical(fs::absolute(path)).string();
}

/// Parses one expectation; false when it is none of the three forms.
bool parse_expectation(const std::string& text, Expectation& e) {
  static const std::regex point(R"(point-of-order\s+(\S+)\s*->\s*(\S+))");
  static const std::regex cluster(R"(temporal-cluster\s+(.+))");
  static const std::regex under(R"(underspecified\s+(\S+)\s+(input|output))");
  std::smatch m;
  e.text = text;
  if (std::regex_match(text, m, point)) {
    e.kind = ExpectKind::PointOfOrder;
    e.from = m[1];
    e.to = m[2];
    return true;
  }
  if (std::regex_match(text, m, under)) {
    e.kind = ExpectKind::Underspecified;
    e.collection = m[1];
    e.direction = m[2];
    return true;
  }
  if (std::regex_match(text, m, cluster)) {
    e.kind = ExpectKind::TemporalCluster;
    std::stringstream names(m[1].str());
    for (std::string name; std::getline(names, name, ',');) {
      if (trim(name).empty()) return false;
      e.members.push_back(trim(name));
    }
    std::sort(e.members.begin(), e.members.end());
    return true;
  }
  return false;
}

/// The expectations of one file, grouped by the top-level module or class they are
/// written in, in order of appearance. Malformed expectations and expectations outside
/// any module go to `errors`.
std::vector<SampleProgram> parse_sample(const std::string& file, const std::string& text,
                                        std::vector<std::string>& errors) {
  static const std::regex opens(R"(^(module|class)\s+([A-Z][A-Za-z0-9_]*(::[A-Z][A-Za-z0-9_]*)*))");
  static const std::regex closes(R"(^end\b)");
  static const std::regex expect(R"(#\s*expect:(.*)$)");
  std::vector<SampleProgram> out;
  std::string current;
  auto add = [&](int line, const std::string& comment) {
    const std::string where = shown(file) + ":" + std::to_string(line);
    if (current.empty()) {
      errors.push_back(where + ": expectation outside any module or class");
      return;
    }
    std::vector<Expectation> found;
    std::stringstream all(comment);
    for (std::string one; std::getline(all, one, ';');) {
      Expectation e;
      e.line = line;
      if (parse_expectation(trim(one), e))
        found.push_back(std::move(e));
      else
        errors.push_back(where + ": malformed expectation '" + trim(one) + "'");
    }
    if (found.empty()) return;
    auto target = std::find_if(out.begin(), out.end(),
                               [&](const SampleProgram& p) { return p.module == current; });
    if (target == out.end()) target = out.insert(out.end(), {file, current, {}});
    target->expectations.insert(target->expectations.end(), found.begin(), found.end());
  };
  std::istringstream in(text);
  int line = 0;
  for (std::string s; std::getline(in, s);) {
    ++line;
    std::smatch m;
    if (std::regex_search(s, m, opens)) current = m[2];
    if (std::regex_search(s, m, expect)) add(line, m[1].str());
    if (std::regex_search(s, closes)) current.clear();
  }
  return out;
}

std::string joined(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

/// What one sample program expects and what calm reports, for the summary table.
struct Outcome {
  std::vector<std::string> problems;
  int expected_points = 0, expected_clusters = 0, expected_underspecified = 0;
  int reported_points = 0, reported_clusters = 0, reported_underspecified = 0;
};

/// Checks the expectations of `sample` against the program loaded for it.
Outcome check_sample(const SampleProgram& sample, const LoadResult& load) {
  Outcome o;
  const std::string prefix = shown(sample.file) + ": " + sample.module + ": ";
  for (const auto& e : load_errors(load)) o.problems.push_back(prefix + "load error: " + e);
  if (load.programs.size() != 1) {
    o.problems.push_back(prefix + "expected one program, got " +
                         std::to_string(load.programs.size()));
    return o;
  }
  const Program& program = load.programs.front();
  const ProgramAnalysis analysis(program);
  const auto& points = analysis.points_of_order().points();
  const auto& clusters = analysis.clusters().clusters();
  const auto& under = analysis.sources_sinks().underspecified();
  const std::string file = canonical(sample.file);

  // A point "is on" line L when its rule starts, or has its operator, on line L of the file.
  auto on_line = [&](const PointOfOrder& p, int line) {
    if (p.kind == PointKind::ClusterSelf || p.rule < 0 ||
        p.rule >= static_cast<int>(program.rules.size()))
      return false;
    const Rule& r = program.rules[p.rule];
    return (r.location.line == line || r.op_location.line == line) &&
           canonical(r.location.file) == file;
  };
  auto points_on_line = [&](int line) {
    std::vector<std::string> out;
    for (const auto& p : points)
      if (on_line(p, line)) out.push_back(p.from + " -> " + p.to + " (" + to_string(p.kind) + ")");
    return out.empty() ? std::string("none") : joined(out);
  };

  for (const auto& p : points) o.reported_points += p.kind != PointKind::ClusterSelf;
  o.reported_clusters = static_cast<int>(clusters.size());
  o.reported_underspecified = static_cast<int>(under.size());

  std::set<int> lines;
  for (const auto& e : sample.expectations) {
    lines.insert(e.line);
    const std::string where = shown(sample.file) + ":" + std::to_string(e.line) + ": " +
                              sample.module + ": expected '" + e.text + "'";
    switch (e.kind) {
      case ExpectKind::PointOfOrder: {
        ++o.expected_points;
        const bool found = std::any_of(points.begin(), points.end(), [&](const PointOfOrder& p) {
          return p.from == e.from && p.to == e.to && on_line(p, e.line);
        });
        if (!found)
          o.problems.push_back(where + ", calm reports on this line: " + points_on_line(e.line));
        break;
      }
      case ExpectKind::TemporalCluster: {
        ++o.expected_clusters;
        const bool found = std::any_of(clusters.begin(), clusters.end(),
                                       [&](const auto& c) { return c.member_names == e.members; });
        if (!found) {
          std::vector<std::string> ids;
          for (const auto& c : clusters) ids.push_back(c.id);
          o.problems.push_back(where + ", calm reports clusters: " +
                               (ids.empty() ? std::string("none") : joined(ids, "; ")));
        }
        break;
      }
      case ExpectKind::Underspecified: {
        ++o.expected_underspecified;
        const bool found = std::any_of(under.begin(), under.end(), [&](const Underspecified& u) {
          return u.collection == e.collection && to_string(u.direction) == e.direction;
        });
        if (!found) {
          std::vector<std::string> names;
          for (const auto& u : under)
            names.push_back(u.collection + " " + std::string(to_string(u.direction)));
          o.problems.push_back(where + ", calm reports underspecified: " +
                               (names.empty() ? std::string("none") : joined(names)));
        }
        break;
      }
    }
  }

  // Conversely: on a line that carries expectations, every point of order is expected.
  for (const auto& p : points)
    for (int line : lines) {
      if (!on_line(p, line)) continue;
      const bool expected =
          std::any_of(sample.expectations.begin(), sample.expectations.end(), [&](const auto& e) {
            return e.kind == ExpectKind::PointOfOrder && e.line == line && e.from == p.from &&
                   e.to == p.to;
          });
      if (!expected)
        o.problems.push_back(shown(sample.file) + ":" + std::to_string(line) + ": " +
                             sample.module + ": calm reports point-of-order " + p.from + " -> " +
                             p.to + " (" + to_string(p.kind) + "), not expected");
    }
  return o;
}

std::vector<std::string> sample_files() {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(samples_dir()))
    if (entry.is_regular_file() && entry.path().extension() == ".rb")
      out.push_back(fs::relative(entry.path(), samples_dir()).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_CASE("the inline expectations of every sample hold") {
  const auto files = sample_files();
  REQUIRE(!files.empty());
  std::printf("%-40s %-26s %-12s %-12s %s\n", "sample", "program (-m)", "expected", "reported",
              "result");
  std::printf("%-40s %-26s %-12s %-12s %s\n", "", "", "poo/clu/und", "poo/clu/und", "");
  int programs = 0, failed = 0, expectations = 0;
  for (const auto& rel : files) {
    const std::string path = samples_dir() + "/" + rel;
    std::vector<std::string> errors;
    const auto samples = parse_sample(path, read_text(path), errors);
    for (const auto& e : errors) FAIL_CHECK(e);
    for (const auto& sample : samples) {
      LoadOptions options;
      options.files = {path};
      options.modules = {sample.module};
      const Outcome o = check_sample(sample, load_programs(options));
      for (const auto& p : o.problems) FAIL_CHECK(p);
      ++programs;
      failed += !o.problems.empty();
      expectations += static_cast<int>(sample.expectations.size());
      auto counts = [](int p, int c, int u) {
        return std::to_string(p) + "/" + std::to_string(c) + "/" + std::to_string(u);
      };
      const std::string result =
          o.problems.empty() ? "ok" : "FAIL (" + std::to_string(o.problems.size()) + ")";
      std::printf("%-40s %-26s %-12s %-12s %s\n", rel.c_str(), sample.module.c_str(),
                  counts(o.expected_points, o.expected_clusters, o.expected_underspecified).c_str(),
                  counts(o.reported_points, o.reported_clusters, o.reported_underspecified).c_str(),
                  result.c_str());
    }
  }
  std::printf("%d sample programs, %d expectations, %d failed\n", programs, expectations, failed);
  // Guards against a parser that silently finds nothing.
  CHECK(programs >= 30);
  CHECK(expectations >= 80);
}

// The checker itself: a sample with wrong expectations must produce these exact problems.
TEST_CASE("the inline-expectation checker reports every kind of mismatch") {
  const std::string text = R"(module Meta
  state do
    interface input, :inp, [:k]      # expect: underspecified inp output
    table :a, [:k]
    table :b, [:k]
    scratch :c, [:k] => [:n]
  end

  bloom do
    a <= inp
    c <= a.group([:k], count)        # expect: point-of-order b -> c
    b <+ c { |x| [x.k] }
    a <- b                           # expect: temporal-cluster a, c
  end
end
module Broken
  state do # expect: point-of-order a b
  end
end
)";
  std::vector<std::string> errors;
  const auto samples = parse_sample("meta.rb", text, errors);
  CHECK(errors ==
        std::vector<std::string>{"meta.rb:17: malformed expectation 'point-of-order a b'"});
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].module == "Meta");
  CHECK(samples[0].expectations.size() == 3);

  LoadOptions options;
  options.files = {"meta.rb"};
  options.modules = {"Meta"};
  options.memory_files["meta.rb"] = text;
  const Outcome o = check_sample(samples[0], load_programs(options));
  CHECK(o.problems ==
        std::vector<std::string>{
            "meta.rb:3: Meta: expected 'underspecified inp output', calm reports underspecified: "
            "inp input",
            "meta.rb:11: Meta: expected 'point-of-order b -> c', calm reports on this line: "
            "a -> c (nonmonotonic)",
            "meta.rb:13: Meta: expected 'temporal-cluster a, c', calm reports clusters: "
            "cluster:a,b,c",
            "meta.rb:11: Meta: calm reports point-of-order a -> c (nonmonotonic), not expected",
            "meta.rb:13: Meta: calm reports point-of-order b -> a (nonmonotonic), not expected",
        });
}

TEST_CASE("expectations are grouped by the top-level module or class they are written in") {
  std::vector<std::string> errors;
  const auto samples = parse_sample("x.rb",
                                    "# expect: underspecified a input\n"
                                    "module A\n"
                                    "  x <= y # expect: point-of-order y -> x; "
                                    "temporal-cluster q, p\n"
                                    "end\n"
                                    "class B < Bud\n"
                                    "  include A # expect: underspecified a output\n"
                                    "end\n",
                                    errors);
  CHECK(errors == std::vector<std::string>{"x.rb:1: expectation outside any module or class"});
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].module == "A");
  REQUIRE(samples[0].expectations.size() == 2);
  CHECK(samples[0].expectations[0].from == "y");
  CHECK(samples[0].expectations[0].to == "x");
  CHECK(samples[0].expectations[1].members == std::vector<std::string>{"p", "q"});
  CHECK(samples[1].module == "B");
  CHECK(samples[1].expectations[0].direction == "output");
}

}  // namespace
}  // namespace calm::test
