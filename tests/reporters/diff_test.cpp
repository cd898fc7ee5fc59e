// `calm diff`: points of order and clusters added and removed between two reports.

#include "reporters/report_diff.h"
#include "support/check_test_support.h"

namespace calm::test {
namespace {

// Version 1: a store that overwrites with <+ and <- (a temporal cluster).
const char* kOld = R"RUBY(module Store
  state do
    interface input, :put, [:key] => [:val]
    interface output, :got, [:key] => [:val]
    table :kv, [:key] => [:val]
    scratch :prev, [:key] => [:val]
  end
  bloom do
    kv <+ put
    prev <= (kv * put).lefts(:key => :key)
    kv <- prev
    got <= kv
  end
end
)RUBY";

// Version 2: the rules moved down and the overwrite replaced by an upsert; a counter
// (an aggregate) added.
const char* kNew = R"RUBY(module Store
  state do
    interface input, :put, [:key] => [:val]
    interface output, :got, [:key] => [:val]
    table :kv, [:key] => [:val]
    scratch :cnt, [] => [:n]
  end


  bloom do
    kv <+- put
    got <= kv
    cnt <= kv.group([], count)
  end
end
)RUBY";

struct Reports {
  TempDir tmp{"diff"};
  std::string dir() const { return tmp.path().string(); }
};

void write_reports(Reports& r) {
  write_file(r.tmp.path() / "old" / "store.rb", kOld);
  write_file(r.tmp.path() / "new" / "store.rb", kNew);
  CHECK(run_calm("report old/store.rb -o old.json", r.dir()).status == 0);
  CHECK(run_calm("report new/store.rb -o new.json", r.dir()).status == 0);
}

TEST_CASE("calm diff: added and removed points of order, per program") {
  Reports r;
  write_reports(r);
  Run text = run_calm("diff old.json new.json", r.dir());
  CHECK(text.status == 1);  // the new version adds points of order
  INFO(text.out);
  CHECK(text.out.find("program Store\n") == 0);
  CHECK(text.out.find(
            "  + point of order put -> kv (nonmonotonic) at new/store.rb:11: kv <+- put\n") !=
        std::string::npos);
  CHECK(text.out.find("  + point of order kv -> cnt (nonmonotonic)") != std::string::npos);
  CHECK(text.out.find("  - point of order prev -> kv (nonmonotonic)") != std::string::npos);
  CHECK(text.out.find("  - temporal cluster {kv, prev}\n") != std::string::npos);
  CHECK(text.out.find("2 points of order added, ") != std::string::npos);

  Run back = run_calm("diff new.json old.json", r.dir());
  CHECK(back.status == 1);  // going back re-adds the cluster's points

  Run same = run_calm("diff old.json old.json", r.dir());
  CHECK(same.status == 0);
  CHECK(same.out == "0 points of order added, 0 removed; 0 temporal clusters added, 0 removed\n");

  Run md = run_calm("diff old.json new.json --format markdown", r.dir());
  CHECK(md.status == 1);
  CHECK(md.out.rfind("### calm: coordination cost\n", 0) == 0);
  CHECK(md.out.find("| `Store` | +2 / -") != std::string::npos);
  CHECK(md.out.find("- **added** point of order `put -> kv` (nonmonotonic)") != std::string::npos);

  Run js = run_calm("diff old.json new.json --format json", r.dir());
  auto j = nlohmann::json::parse(js.out);
  CHECK(j["summary"]["points_of_order_added"] == 2);
  CHECK(j["summary"]["temporal_clusters_removed"] == 1);
  CHECK(j["programs"][0]["status"] == "changed");
}

// Version 3: a change that makes the store unstratifiable (a scratch that negates itself
// within a timestep): Bud would refuse to run it.
const char* kUnstratifiable = R"RUBY(module Store
  state do
    interface input, :put, [:key] => [:val]
    interface output, :got, [:key] => [:val]
    table :kv, [:key] => [:val]
    scratch :fresh, [:key] => [:val]
  end
  bloom do
    kv <+- put
    fresh <= put.notin(fresh, :key => :key)
    got <= kv
  end
end
)RUBY";

TEST_CASE("calm diff: a new unstratifiable cycle is the first line and fails the diff") {
  Reports r;
  write_reports(r);
  write_file(r.tmp.path() / "cyc" / "store.rb", kUnstratifiable);
  // The report of an unstratifiable program is written (exit 0); --strict refuses it.
  Run rep = run_calm("report cyc/store.rb -o cyc.json", r.dir());
  CHECK(rep.status == 0);
  CHECK(rep.err.find("unstratifiable") != std::string::npos);
  CHECK(run_calm("report cyc/store.rb --strict -o strict.json", r.dir()).status == 2);
  Run d = run_calm("diff new.json cyc.json", r.dir());
  INFO(d.out);
  CHECK(d.status == 1);
  CHECK(d.out.rfind("error added: cyc/store.rb:", 0) == 0);
  CHECK(d.out.find("[calm-unstratifiable]\n") != std::string::npos);
  CHECK(d.out.find("1 error added, 0 removed; ") != std::string::npos);
  Run md = run_calm("diff new.json cyc.json --format markdown", r.dir());
  CHECK(md.out.find("### calm: coordination cost\n\n- **error added**: `cyc/store.rb:") == 0);
  auto j = nlohmann::json::parse(run_calm("diff new.json cyc.json --format json", r.dir()).out);
  CHECK(j["summary"]["errors_added"] == 1);
  CHECK(j["errors"]["added"][0]["check"] == "calm-unstratifiable");
  // Fixing it removes the error; the removal alone does not fail the diff.
  Run fixed = run_calm("diff cyc.json new.json", r.dir());
  CHECK(fixed.out.rfind("error removed: ", 0) == 0);
}

TEST_CASE("calm diff: one point of order, one cluster (singular)") {
  nlohmann::json a = nlohmann::json::parse(R"JSON({"schema_version": "1.0", "programs": [
    {"name": "A", "points_of_order": [], "temporal_clusters": []}]})JSON");
  nlohmann::json b = nlohmann::json::parse(R"JSON({"schema_version": "1.0", "programs": [
    {"name": "A", "rules": [{"id": 0, "text": "x <= y.notin(z)"}],
     "points_of_order": [{"from": "z", "to": "x", "rule": 0, "kind": "nonmonotonic", "reason": "r",
                          "location": {"file": "a.rb", "line": 3, "column": 5}}],
     "temporal_clusters": [{"id": "cluster:x", "members": ["x"]}]}]})JSON");
  std::string text = diff_text(diff_reports(a, b));
  CHECK(text.find("1 point of order added, 0 removed; 1 temporal cluster added, 0 removed\n") !=
        std::string::npos);
}

TEST_CASE("calm diff: moving rules is no change") {
  Reports r;
  write_file(r.tmp.path() / "a" / "store.rb", kOld);
  std::string moved = kOld;
  moved.replace(moved.find("  bloom do"), 10, "\n\n  bloom do");
  write_file(r.tmp.path() / "b" / "store.rb", moved);
  CHECK(run_calm("report a/store.rb -o a.json", r.dir()).status == 0);
  CHECK(run_calm("report b/store.rb -o b.json", r.dir()).status == 0);
  Run d = run_calm("diff a.json b.json", r.dir());
  CHECK(d.status == 0);
  CHECK(d.out.find("0 points of order added, 0 removed") == 0);
}

TEST_CASE("calm diff: bad input exits 2") {
  Reports r;
  write_reports(r);
  write_file(r.tmp.path() / "bad.json", "{not json");
  write_file(r.tmp.path() / "v2.json", "{\"schema_version\": \"2.0\", \"programs\": []}");
  CHECK(run_calm("diff old.json bad.json", r.dir()).status == 2);
  Run v2 = run_calm("diff old.json v2.json", r.dir());
  CHECK(v2.status == 2);
  CHECK(v2.err.find("unsupported report schema_version \"2.0\"") != std::string::npos);
  CHECK(run_calm("diff old.json missing.json", r.dir()).status == 2);
  CHECK(run_calm("diff old.json", r.dir()).status == 2);
  CHECK(run_calm("diff old.json new.json --format html", r.dir()).status == 2);
}

TEST_CASE("diff_reports: programs added and removed, output labels when present") {
  nlohmann::json a = nlohmann::json::parse(R"JSON({"schema_version": "1.0", "programs": [
    {"name": "A", "rules": [{"id": 0, "text": "x <= y.notin(z)"}],
     "points_of_order": [{"from": "z", "to": "x", "rule": 0, "kind": "nonmonotonic", "reason": "r",
                          "location": {"file": "a.rb", "line": 3, "column": 5}}],
     "temporal_clusters": [],
     "output_labels": [{"collection": "out", "label": "Async", "location": {"file": "a.rb", "line": 1, "column": 1}}]}]})JSON");
  nlohmann::json b = nlohmann::json::parse(R"JSON({"schema_version": "1.1", "programs": [
    {"name": "A", "rules": [{"id": 4, "text": "x  <=  y.notin(z)  # moved"}],
     "points_of_order": [{"from": "z", "to": "x", "rule": 4, "kind": "nonmonotonic", "reason": "r",
                          "location": {"file": "a.rb", "line": 9, "column": 5}}],
     "temporal_clusters": [],
     "output_labels": [{"collection": "out", "label": "Run", "location": {"file": "a.rb", "line": 1, "column": 1}}]},
    {"name": "B", "points_of_order": [], "temporal_clusters": []}]})JSON");
  std::string error;
  CHECK(read_report(a.dump(), a, error));
  CHECK(read_report(b.dump(), b, error));
  ReportDiff d = diff_reports(a, b);
  REQUIRE(d.programs.size() == 2);
  CHECK(d.programs[0].status == "changed");
  CHECK(d.points_added() == 0);
  CHECK(d.points_removed() == 0);
  CHECK(d.labels_added() == 1);
  CHECK(d.labels_removed() == 1);
  CHECK(d.programs[1].status == "added");
  CHECK(diff_text(d).find("+ output label") != std::string::npos);

  // The report's own form: labels.outputs[] with one label per output.
  nlohmann::json c = nlohmann::json::parse(R"JSON({"schema_version": "1.1", "programs": [
    {"name": "A", "labels": {"outputs": [{"output": "out", "label": "confluent", "causes": []}]}}]})JSON");
  nlohmann::json e = nlohmann::json::parse(R"JSON({"schema_version": "1.1", "programs": [
    {"name": "A", "labels": {"outputs": [{"output": "out", "label": "nonmonotonic", "causes": []}]}}]})JSON");
  ReportDiff labels = diff_reports(c, e);
  CHECK(labels.labels_added() == 1);
  CHECK(labels.labels_removed() == 1);
  std::string text = diff_text(labels);
  CHECK(text.find("  + output label out: nonmonotonic\n") != std::string::npos);
  CHECK(text.find("  - output label out: confluent\n") != std::string::npos);
}

}  // namespace
}  // namespace calm::test
