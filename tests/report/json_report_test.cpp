#include "report/json_report.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "report/schema_validator.h"
#include "support/program_builder.h"

namespace calm {
namespace {

using nlohmann::json;
using testing::notin;
using testing::ProgramBuilder;
using testing::scan;

json load_schema() {
  std::ifstream in(std::string(CALM_SOURCE_DIR) + "/docs/report.schema.json");
  REQUIRE(in.good());
  return json::parse(in);
}

Program unstratifiable() {
  return ProgramBuilder("Bad", "bad.rb")
      .scratch("a")
      .scratch("b")
      .rule("a", RuleOp::Merge, {scan("b")}, "a <= b")
      .rule("b", RuleOp::Merge, {notin("a")}, "b <= c.notin(a)")
      .build();
}

TEST_CASE("the report schema uses only keywords the validator checks") {
  SchemaValidator v(load_schema());
  CHECK(v.unsupported_keywords().empty());
}

TEST_CASE("report of the single-node KVS") {
  Diagnostics diags;
  diags.warning("calm-not-a-rule", "a warning", {"kvs.rb", 3, 1});
  const auto report = build_report({testing::single_node_kvs()}, diags, "0.1.0");

  CHECK(report["schema_version"] == kReportSchemaVersion);
  CHECK(report["tool"].dump() == R"({"name":"calm","version":"0.1.0"})");
  REQUIRE(report["programs"].size() == 1);
  const auto& prog = report["programs"][0];
  CHECK(prog["name"] == "BasicKVS");
  CHECK(prog["collections"].size() == 5);
  CHECK(prog["collections"][0].dump() ==
        R"({"name":"kvget","kind":"input","keys":["k"],"values":[],"module":"BasicKVS",)"
        R"("location":{"file":"kvs.rb","line":3,"column":3}})");
  CHECK(prog["rules"][2].dump() ==
        R"({"id":2,"lhs":"kvstate","op":"<-","text":"kvstate <- prev",)"
        R"("location":{"file":"kvs.rb","line":12,"column":5},"module":"BasicKVS","block":"",)"
        R"("bootstrap":false})");
  CHECK(prog["edges"].size() == 6);
  CHECK(
      prog["edges"][5].dump() ==
      R"({"from":"prev","to":"kvstate","rule":2,"op":"<-","nonmonotonic":true,)"
      R"j("temporal":true,"async":false,"reasons":[{"kind":"deletion","text":"deletion (<-)"}]})j");
  CHECK(
      prog["temporal_clusters"].dump() ==
      R"([{"id":"cluster:kvstate,prev","label":"{kvstate, prev}","members":["kvstate","prev"],"cycle":[)"
      R"({"from":"kvstate","to":"prev","rule":1},{"from":"prev","to":"kvstate","rule":2}]}])");
  REQUIRE(prog["points_of_order"].size() == 5);
  CHECK(prog["points_of_order"][1].dump() ==
        R"({"from":"kvput","to":"kvstate","rule":0,"kind":"cluster-entry",)"
        R"("reason":"enters temporal cluster {kvstate, prev}",)"
        R"("location":{"file":"kvs.rb","line":10,"column":13},"cluster":"cluster:kvstate,prev"})");
  CHECK(prog["sources"].dump() == R"(["kvget","kvput"])");
  CHECK(prog["sinks"].dump() == R"(["kvget_response"])");
  CHECK(prog["underspecified"].dump() == "[]");
  CHECK_FALSE(prog.contains("stratification_errors"));
  CHECK(report["diagnostics"].dump() ==
        R"([{"severity":"warning","check":"calm-not-a-rule","message":"a warning",)"
        R"("location":{"file":"kvs.rb","line":3,"column":1},"notes":[]}])");

  SchemaValidator v(load_schema());
  CHECK(v.validate(report) == std::vector<std::string>{});
}

TEST_CASE("report with a stratification error, lattices and built-ins") {
  Program lat =
      ProgramBuilder("Lat")
          .lattice("m", "lmax")
          .builtin("stdio", CollectionKind::Terminal)
          .rule("stdio", RuleOp::Async, {testing::ref("m", RefContext::LatticeMethod, "reveal")})
          .build();
  const auto report = build_report({unstratifiable(), lat}, Diagnostics{}, "dev");
  REQUIRE(report["programs"].size() == 2);
  CHECK(report["programs"][0]["name"] == "Bad");
  CHECK(report["programs"][1]["name"] == "Lat");
  const auto& bad = report["programs"][0];
  REQUIRE(bad.contains("stratification_errors"));
  CHECK(bad["stratification_errors"][0]["members"].dump() == R"(["a","b"])");
  CHECK(bad["stratification_errors"][0]["cycle"].size() == 2);
  REQUIRE(report["diagnostics"].size() == 1);
  CHECK(report["diagnostics"][0]["check"] == "calm-unstratifiable");
  CHECK(report["diagnostics"][0]["notes"].size() == 2);

  const auto& collections = report["programs"][1]["collections"];
  CHECK(collections[0]["lattice"] == "lmax");
  CHECK(collections[1]["builtin"] == true);
  CHECK_FALSE(collections[0].contains("builtin"));

  SchemaValidator v(load_schema());
  CHECK(v.validate(report) == std::vector<std::string>{});
}

TEST_CASE("the report is byte-identical whatever the input order") {
  const Program a = unstratifiable();
  const Program b = testing::single_node_kvs();
  Diagnostics d1, d2;
  d1.error("calm-parse-error", "one", {"f.rb", 2, 1});
  d1.error("calm-parse-error", "two", {"f.rb", 1, 1});
  d2.error("calm-parse-error", "two", {"f.rb", 1, 1});
  d2.error("calm-parse-error", "one", {"f.rb", 2, 1});
  CHECK(build_report({a, b}, d1, "v").dump(2) == build_report({b, a}, d2, "v").dump(2));
}

TEST_CASE("an empty report is valid") {
  const auto report = build_report({}, Diagnostics{}, "0.1.0");
  CHECK(report.dump() ==
        R"({"schema_version":"1.1","tool":{"name":"calm","version":"0.1.0"},"programs":[],)"
        R"("diagnostics":[]})");
  SchemaValidator v(load_schema());
  CHECK(v.validate(report).empty());
}

TEST_CASE("the schema rejects a report missing a field") {
  auto report = build_report({testing::single_node_kvs()}, Diagnostics{}, "0.1.0");
  report["programs"][0].erase("edges");
  report["programs"][0]["points_of_order"][0]["kind"] = "other";
  SchemaValidator v(load_schema());
  CHECK(v.validate(report) ==
        std::vector<std::string>{
            "/programs/0: missing required property \"edges\"",
            "/programs/0/points_of_order/0/kind: \"other\" is not one of "
            "[\"nonmonotonic\",\"cluster-entry\",\"cluster-exit\",\"cluster-self\"]"});
}

}  // namespace
}  // namespace calm
