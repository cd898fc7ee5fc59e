// calm's analysis against Bud's (../shared/oracle): dependency edges with their
// non-monotonic / temporal / async flags, temporal clusters, sources, sinks and
// underspecified dataflow, for every case Bud accepted. Every disagreement must
// fall into a category explained in docs/differences-from-bud.md.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/program_analysis.h"
#include "frontend/loader.h"

namespace fs = std::filesystem;
using namespace calm;

namespace {

const fs::path kShared = CALM_SHARED_DIR;

struct Flags {
  bool nonmonotonic = false, temporal = false, async = false;
  bool operator==(const Flags&) const = default;
};

using EdgeKey = std::pair<std::string, std::string>;

/// Monotone methods that Bud's rewriter does not whitelist, so Bud marks what follows them.
bool calls_unwhitelisted_monotone_method(const std::string& text) {
  for (const char* m : {".keys", ".values", ".rename(", ".each", ".select", ".inspected",
                        ".current_value", ".payloads", ".at(", ".lt_eq(", ".when_true"})
    if (text.find(m) != std::string::npos) return true;
  return false;
}

/// Why Bud marks an edge non-monotonic that calm does not; "" if unexplained.
std::string explain_bud_only_nonmonotonic(const Program& p, const DependencyGraph& g,
                                          const EdgeKey& key) {
  for (const DependencyEdge& e : g.edges()) {
    if (e.from_name != key.first || e.to_name != key.second) continue;
    const Rule& rule = p.rules.at(e.rule);
    // Only the right input of a left outer join is non-monotonic.
    if (rule.text.find(".outer(") != std::string::npos) return "outer-join-left-input";
    // Bud marks everything its walk meets after a non-monotonic operator of the rule.
    for (const DependencyEdge& other : g.edges())
      if (other.rule == e.rule && other.nonmonotonic) return "bud-walk-order";
    if (calls_unwhitelisted_monotone_method(rule.text)) return "bud-whitelist";
  }
  return "";
}

std::set<std::set<std::string>> as_sets(const nlohmann::json& lists) {
  std::set<std::set<std::string>> out;
  for (const auto& l : lists) out.insert(std::set<std::string>(l.begin(), l.end()));
  return out;
}

/// Cases whose interfaces calm reads differently from Bud, on purpose.
const std::map<std::string, std::string> kInterfaceDifferences = {
    // `interface :output, :alarm`: Bud treats any truthy mode (the symbol :output too)
    // as input; calm reads the symbol as the author wrote it.
    {"timers_progress_timer_ProgressTimerProto", "interface :output is an output"},
};

}  // namespace

TEST_CASE("oracle: edges, clusters, sources, sinks and underspecified agree with Bud") {
  if (!fs::is_directory(kShared / "oracle") || !fs::is_directory(kShared / "corpus")) {
    MESSAGE("skipped the oracle analysis test: " << (kShared / "oracle").string() << " is absent");
    return;
  }
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(kShared / "oracle"))
    if (e.path().extension() == ".json") cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());

  int n_cases = 0, edges_total = 0, edges_agree = 0, edges_unexplained = 0;
  std::map<std::string, int> explained;
  int clusters_total = 0, clusters_agree = 0, cases_clusters_agree = 0;
  int interface_explained = 0;
  int sinks_agree = 0, sources_agree = 0, sources_superset = 0, under_agree = 0, under_reach = 0;
  std::ostringstream details;

  for (const auto& path : cases) {
    std::ifstream in(path);
    nlohmann::json d = nlohmann::json::parse(in);
    if (d["status"] != "ok") continue;
    ++n_cases;
    std::string name = d["case"]["name"];
    INFO("case: " << name);
    LoadOptions o;
    for (const auto& f : d["files"])
      o.files.push_back((kShared / "corpus" / f.get<std::string>()).string());
    for (const auto& m : d["modules"]) o.modules.push_back(m);
    LoadResult r = load_programs(o);
    REQUIRE(r.programs.size() == 1);
    const Program& p = r.programs[0];
    ProgramAnalysis a(p);
    const DependencyGraph& g = a.graph();

    // --- edges, aggregated per (body, head) like budplot's graph
    std::map<EdgeKey, Flags> ours, bud;
    for (const DependencyEdge& e : g.edges()) {
      Flags& f = ours[{e.from_name, e.to_name}];
      f.nonmonotonic |= e.nonmonotonic;
      f.temporal |= e.temporal;
      f.async |= e.async;
    }
    for (const auto& dep : d["depends"]) {
      Flags& f = bud[{dep["body"], dep["lhs"]}];
      std::string op = dep["op"];
      f.nonmonotonic |= dep["nonmonotonic"].get<bool>();
      f.temporal |= op == "<+" || op == "<-";  // Bud records <+- as <-
      f.async |= op == "<~";
    }
    std::set<EdgeKey> keys;
    for (auto& [k, _] : ours) keys.insert(k);
    for (auto& [k, _] : bud) keys.insert(k);
    for (const EdgeKey& k : keys) {
      ++edges_total;
      auto a_it = ours.find(k), b_it = bud.find(k);
      if (a_it != ours.end() && b_it != bud.end() && a_it->second == b_it->second) {
        ++edges_agree;
        continue;
      }
      std::string why;
      if (a_it != ours.end() && b_it != bud.end() && b_it->second.nonmonotonic &&
          !a_it->second.nonmonotonic && a_it->second.temporal == b_it->second.temporal &&
          a_it->second.async == b_it->second.async)
        why = explain_bud_only_nonmonotonic(p, g, k);
      if (why.empty()) {
        ++edges_unexplained;
        details << "  UNEXPLAINED " << name << ": " << k.first << " -> " << k.second
                << (a_it == ours.end()  ? " (Bud only)"
                    : b_it == bud.end() ? " (calm only)"
                                        : "")
                << "\n";
      } else {
        ++explained[why];
      }
    }
    // --- temporal clusters (Bud lists singletons too; calm's cluster members)
    std::set<std::set<std::string>> bud_clusters = as_sets(d["temporal_clusters"]);
    std::set<std::set<std::string>> our_clusters;
    for (const auto& c : a.clusters().clusters())
      our_clusters.insert(std::set<std::string>(c.member_names.begin(), c.member_names.end()));
    clusters_total += int(bud_clusters.size());
    for (const auto& c : bud_clusters) clusters_agree += our_clusters.count(c) ? 1 : 0;
    CHECK(our_clusters == bud_clusters);
    cases_clusters_agree += our_clusters == bud_clusters;

    // --- sinks, sources, underspecified
    if (kInterfaceDifferences.count(name)) {
      ++interface_explained;
      continue;
    }
    const auto& dep = d["depanalysis"];
    std::set<std::string> bud_sinks(dep["sink"].begin(), dep["sink"].end());
    std::set<std::string> bud_sources(dep["source"].begin(), dep["source"].end());
    std::set<std::string> our_sinks, our_sources;
    for (const auto& n : a.sources_sinks().sinks()) our_sinks.insert(n);
    for (const auto& n : a.sources_sinks().sources()) our_sources.insert(n);
    CHECK(our_sinks == bud_sinks);
    sinks_agree += our_sinks == bud_sinks;
    if (our_sinks != bud_sinks) {
      details << "  SINKS " << name << ": calm";
      for (const auto& s : our_sinks) details << " " << s;
      details << "; Bud";
      for (const auto& s : bud_sinks) details << " " << s;
      details << "\n";
    }
    // calm also counts periodics and channels nothing writes as sources.
    bool superset = std::includes(our_sources.begin(), our_sources.end(), bud_sources.begin(),
                                  bud_sources.end());
    CHECK(superset);
    for (const auto& s : our_sources)
      if (!bud_sources.count(s)) {
        const Collection* c = p.find(s);
        REQUIRE(c);
        CHECK((c->kind == CollectionKind::Periodic || c->kind == CollectionKind::Channel ||
               c->kind == CollectionKind::Loopback));
      }
    if (our_sources == bud_sources)
      ++sources_agree;
    else if (superset)
      ++sources_superset;

    std::set<std::pair<std::string, bool>> bud_under, our_under;
    for (const auto& u : dep["underspecified"])
      bud_under.insert({u["pred"].get<std::string>(), u["input"].get<bool>()});
    for (const auto& u : a.sources_sinks().underspecified())
      our_under.insert({u.collection, u.direction == Direction::Input});
    if (our_under == bud_under) {
      ++under_agree;
    } else {
      // calm flags an input from which no output is reachable; Bud only one nothing reads.
      for (const auto& u : bud_under) CHECK(our_under.count(u));
      for (const auto& u : our_under)
        if (!bud_under.count(u)) CHECK(u.second);
      ++under_reach;
    }
  }

  std::ostringstream table;
  table << "oracle analysis agreement over " << n_cases << " cases:\n"
        << "  edges: " << edges_total << " total, " << edges_agree << " agree";
  for (auto& [why, n] : explained) table << ", " << n << " explained (" << why << ")";
  table << ", " << edges_unexplained << " unexplained\n"
        << "  temporal clusters: " << clusters_agree << "/" << clusters_total
        << " of Bud's clusters found; " << cases_clusters_agree << "/" << n_cases
        << " cases identical\n"
        << "  sinks: " << sinks_agree << "/" << n_cases << " identical, " << interface_explained
        << " explained (interface :output read as output)\n"
        << "  sources: " << sources_agree << " identical, " << sources_superset
        << " with extra periodic/channel sources (explained)\n"
        << "  underspecified: " << under_agree << " identical, " << under_reach
        << " with inputs that reach no output (explained)\n"
        << details.str();
  MESSAGE(table.str());
  CHECK(edges_unexplained == 0);
}
