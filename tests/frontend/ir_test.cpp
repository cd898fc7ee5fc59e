// The JSON program IR (docs/program-ir.md): `calm model --format json` output reads back
// byte-identically for every sample, every sample's IR validates against
// docs/program-ir.schema.json, hand-written IR gets defaults and analyses, and bad IR
// gets located errors.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "analysis/program_analysis.h"
#include "frontend/front_end.h"
#include "frontend/ir/ir_reader.h"
#include "model/model_json.h"
#include "report/schema_validator.h"
#include "support/dedalus_support.h"

namespace calm::test {
namespace {

namespace fs = std::filesystem;

/// What `calm model --format json` prints for these programs.
std::string model_json(const std::vector<Program>& programs) {
  nlohmann::ordered_json j;
  j["programs"] = nlohmann::ordered_json::array();
  for (const auto& p : programs) j["programs"].push_back(program_to_json(p));
  return j.dump(2) + "\n";
}

/// Every sample program file: Bud, Syndicate and Dedalus.
std::vector<std::string> sample_files() {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(samples_dir())) {
    const std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".rb" || ext == ".rkt" || ext == ".ded"))
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("the IR of every sample reads back byte-identically and validates against the schema") {
  const auto schema =
      nlohmann::json::parse(read_text(source_dir() + "/docs/program-ir.schema.json"));
  SchemaValidator validator(schema);
  CHECK(validator.unsupported_keywords().empty());
  int programs = 0, files = 0;
  for (const std::string& path : sample_files()) {
    CAPTURE(path);
    LoadOptions o;
    o.files = {path};
    LoadResult first = load_programs(o);
    if (first.programs.empty()) continue;  // a library file with no program of its own
    ++files;
    programs += static_cast<int>(first.programs.size());
    const std::string ir = model_json(first.programs);
    const auto errors = validator.validate(nlohmann::json::parse(ir));
    CHECK_MESSAGE(errors.empty(), (errors.empty() ? "" : errors.front()));
    LoadResult second = load_memory({{"sample.calm.json", ir}});
    CHECK(diagnostics_of(second).empty());
    CHECK(model_json(second.programs) == ir);
    // The analyses see the same program.
    REQUIRE(second.programs.size() == first.programs.size());
    for (size_t i = 0; i < first.programs.size(); ++i) {
      ProgramAnalysis a(first.programs[i]), b(second.programs[i]);
      CHECK(a.points_of_order().points().size() == b.points_of_order().points().size());
      CHECK(a.clusters().clusters().size() == b.clusters().clusters().size());
      CHECK(a.labels().output_labels().size() == b.labels().output_labels().size());
    }
  }
  CHECK(files >= 20);
  CHECK(programs >= 30);
}

const char* kHandWritten = R"({
  "programs": [
    {
      "name": "counter",
      "collections": [
        {"name": "hits", "kind": "channel", "keys": ["to", "id"], "location_column": "to"},
        {"name": "seen", "kind": "table", "keys": ["id"]},
        {"name": "total", "kind": "output", "keys": ["n"]}
      ],
      "rules": [
        {"lhs": "seen", "op": "<=", "references": [{"collection": "hits", "context": "scan"}]},
        {"lhs": "total", "op": "<=", "references": [{"collection": "seen", "context": "group", "method": "count"}]}
      ]
    }
  ]
})";

TEST_CASE("hand-written IR: defaults, places in the IR file, and the analyses") {
  auto r = load_memory({{"svc.calm.json", kHandWritten}});
  CHECK(diagnostics_of(r).empty());
  REQUIRE(r.programs.size() == 1);
  const Program& p = r.programs[0];
  CHECK(p.modules == std::vector<std::string>{"counter"});
  CHECK(p.location == SourceLocation{"svc.calm.json", 3, 5});
  REQUIRE(p.rules.size() == 2);
  CHECK(p.rules[1].id == 1);
  CHECK(p.rules[1].location == SourceLocation{"svc.calm.json", 12, 9});
  CHECK(p.rules[1].op_location == p.rules[1].location);
  CHECK(p.rules[1].refs[0].location == SourceLocation{"svc.calm.json", 12, 53});
  CHECK(p.find("hits")->location_column == "to");
  ProgramAnalysis a(p);
  std::vector<std::string> points;
  for (const auto& poo : a.points_of_order().points())
    points.push_back(poo.from + " -> " + poo.to + " " + poo.reason);
  CHECK(points == std::vector<std::string>{"seen -> total non-monotonic: aggregation (count)"});
  const OutputLabel* total = a.labels().find("total");
  REQUIRE(total);
  CHECK(total->label == Label::Diffluent);
}

TEST_CASE("the example of docs/program-ir.md is valid IR and gives the findings it claims") {
  const std::string doc = read_text(source_dir() + "/docs/program-ir.md");
  const size_t start = doc.find("```json\n");
  REQUIRE(start != std::string::npos);
  const size_t end = doc.find("```", start + 8);
  const std::string example = doc.substr(start + 8, end - start - 8);
  SchemaValidator validator(
      nlohmann::json::parse(read_text(source_dir() + "/docs/program-ir.schema.json")));
  CHECK(validator.validate(nlohmann::json::parse(example)).empty());
  auto r = load_memory({{"example.calm.json", example}});
  CHECK(diagnostics_of(r).empty());
  REQUIRE(r.programs.size() == 1);
  ProgramAnalysis a(r.programs[0]);
  REQUIRE(a.points_of_order().points().size() == 1);
  CHECK(a.points_of_order().points()[0].from == "seen");
  CHECK(a.points_of_order().points()[0].to == "total");
  REQUIRE(a.labels().find("total"));
  CHECK(a.labels().find("total")->label == Label::Diffluent);
  // A schema violation is found too.
  CHECK(validator.validate(nlohmann::json::parse(R"({"programs": [{"name": "p"}]})")).size() == 1);
}

TEST_CASE("--lang ir reads any file name; the front-end table knows .calm.json") {
  CHECK(front_end_for("a/b.calm.json", "").name == "ir");
  CHECK(front_end_for("a/b.json", "").name == "bud");
  auto r = load_memory({{"model.json", kHandWritten}}, "ir");
  CHECK(diagnostics_of(r).empty());
  CHECK(r.programs.size() == 1);
  auto bad = load_memory({{"x.rb", "module X\nend\n"}}, "datalog");
  CHECK(diagnostics_of(bad) ==
        std::vector<std::string>{": calm-io-error: unknown language 'datalog' (bud, syndicate, "
                                 "dedalus or ir)"});
}

TEST_CASE("bad IR gets located errors") {
  struct Case {
    std::string text;
    std::string error;
  };
  const std::string c = R"({"name": "t", "kind": "table", "keys": ["k"]})";
  auto prog = [&](const std::string& collections, const std::string& rules) {
    return "{\"programs\": [{\"name\": \"p\",\n \"collections\": [" + collections +
           "],\n \"rules\": [" + rules + "]}]}";
  };
  const std::vector<Case> cases = {
      {"{\"programs\": [}",
       "x.calm.json:1:15: calm-parse-error: invalid JSON: syntax error while parsing value - "
       "unexpected '}'; expected '[', '{', or a literal"},
      {"{\"programs\": []",
       "x.calm.json:1:16: calm-parse-error: invalid JSON: syntax error while parsing object - "
       "unexpected end of input; expected '}'"},
      {"[]", "x.calm.json:1:1: calm-parse-error: expected an object"},
      {"{}", "x.calm.json:1:1: calm-parse-error: missing field 'programs'"},
      {"{\"programs\": [], \"programz\": 1}",
       "x.calm.json:1:18: calm-parse-error: unknown field 'programz'; did you mean 'programs'?"},
      {"{\"programs\": [{\"name\": \"p\"}]}",
       "x.calm.json:1:15: calm-parse-error: missing field 'collections'"},
      {prog(R"({"name": "t", "kind": "tabel"})", ""),
       "x.calm.json:2:32: calm-parse-error: unknown collection kind 'tabel' ('table', 'scratch', "
       "'input', 'output', 'channel', 'loopback', 'periodic', 'temp', 'view', 'sync', 'store', "
       "'file_reader', 'terminal', 'lattice')"},
      {prog(R"({"name": "t", "kind": "table", "keys": "k"})", ""),
       "x.calm.json:2:49: calm-parse-error: expected an array"},
      {prog(R"({"name": "t", "kind": "table", "keys": [1]})", ""),
       "x.calm.json:2:58: calm-parse-error: 'keys' holds strings"},
      {prog(R"({"name": "", "kind": "table"})", ""),
       "x.calm.json:2:19: calm-parse-error: 'name' must be a non-empty string"},
      {prog(c + ", " + c, ""),
       "x.calm.json:2:66: calm-parse-error: collection 't' is declared twice"},
      {prog(c, R"({"lhs": "tt", "op": "<="})"),
       "x.calm.json:3:13: calm-unknown-collection: unknown collection 'tt'; did you mean 't'?"},
      {prog(c, R"({"lhs": "t", "op": "<=="})"),
       "x.calm.json:3:25: calm-parse-error: unknown operator '<==' ('<=', '<+', '<-', '<~', '<+-', "
       "'<-+', '<<')"},
      {prog(c, R"({"id": 3, "lhs": "t", "op": "<="})"),
       "x.calm.json:3:13: calm-parse-error: 'id' is the rule's index in 'rules' (0)"},
      {prog(
           c,
           R"({"lhs": "t", "op": "<=", "references": [{"collection": "t", "context": "not-in"}]})"),
       "x.calm.json:3:72: calm-parse-error: unknown reference context 'not-in'; did you mean "
       "'notin'?"},
      {prog(c,
            R"({"lhs": "t", "op": "<=", "references": [{"collection": "u", "context": "scan"}]})"),
       "x.calm.json:3:53: calm-unknown-collection: unknown collection 'u'; did you mean 't'?"},
      {prog(c,
            R"({"lhs": "t", "op": "<=", "location": {"file": "a.rb", "line": -1, "column": 0}})"),
       "x.calm.json:3:66: calm-parse-error: 'line' must be a whole number >= 0"},
      {prog(c, R"({"lhs": "t", "op": "<=", "negated": true})"),
       "x.calm.json:3:37: calm-parse-error: unknown field 'negated' (fields: 'id', 'lhs', 'op', "
       "'text', 'module', 'block', 'bootstrap', 'location', 'op_location', 'references')"},
  };
  for (const Case& k : cases) {
    CAPTURE(k.text);
    auto r = load_memory({{"x.calm.json", k.text}});
    CHECK(r.programs.empty());
    CHECK(diagnostics_of(r) == std::vector<std::string>{k.error});
  }
  // Deep nesting is refused before parsing (200000 levels would exhaust memory or stack).
  auto deep = load_memory({{"x.calm.json", "{\"programs\": " + std::string(200000, '[') +
                                               std::string(200000, ']') + "}"}});
  CHECK(diagnostics_of(deep) ==
        std::vector<std::string>{"x.calm.json:1:1013: calm-parse-error: JSON nested too deeply "
                                 "(more than 1000 levels; the program IR needs 6)"});
  // At the limit (1000 levels: the object and 999 arrays) the text is parsed and its shape
  // refused; one level more is refused before parsing.
  auto at_limit = load_memory(
      {{"x.calm.json", "{\"programs\": " + std::string(999, '[') + std::string(999, ']') + "}"}});
  CHECK(diagnostics_of(at_limit) ==
        std::vector<std::string>{"x.calm.json:1:15: calm-parse-error: expected an object"});
  // Invalid UTF-8 in the text is refused at its first bad byte, whoever reads it.
  auto bad = load_memory({{"x.calm.json", "{\"programs\": [\"\xde\"]}"}});
  REQUIRE_FALSE(bad.diagnostics.empty());
  CHECK(diagnostics_of(bad).front().find("x.calm.json:1:16: calm-parse-error: invalid UTF-8") == 0);
  Diagnostics direct;
  CHECK(ir::read_ir_programs("y.calm.json", "{\"programs\": [\"\xed\xa0\x80\"]}", direct).empty());
  REQUIRE(direct.size() == 1);
  CHECK(direct.items()[0].message == "invalid UTF-8 in the program IR");
  CHECK(direct.items()[0].location.line == 1);
  CHECK(direct.items()[0].location.column == 16);
  auto config = load_memory({{"proj/.calm.json", "{}"}});
  CHECK(diagnostics_of(config) ==
        std::vector<std::string>{"proj/.calm.json: calm-parse-error: '.calm.json' is calm "
                                 "check's configuration file, not a program; name program IR "
                                 "files NAME.calm.json"});
}

}  // namespace
}  // namespace calm::test
