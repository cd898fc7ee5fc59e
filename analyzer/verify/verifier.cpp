#include "verify/verifier.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "analysis/program_analysis.h"
#include "verify/schedule_trie.h"

namespace calm {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::Held:
      return "held";
    case Verdict::Unsound:
      return "UNSOUND";
    case Verdict::Witnessed:
      return "witnessed";
    case Verdict::NotObserved:
      return "not observed";
  }
  return "?";
}

bool VerifyResult::sound() const {
  return std::none_of(outputs.begin(), outputs.end(),
                      [](const OutputVerdict& o) { return o.verdict == Verdict::Unsound; });
}

namespace {

using eval::Tuple;

/// An output of one node: what to watch and what the report claims.
struct Watched {
  size_t node = 0;
  std::string output;
  bool sent = false;  ///< a channel or stdio: watch what the node sends
  Label label = Label::Confluent;
};

using Observations = std::vector<Observation>;  ///< one per Watched

/// Collects the observations of one schedule.
class Observer : public eval::SimulationObserver {
 public:
  Observer(const std::vector<Watched>& watched, bool sequences)
      : watched_(watched),
        sequences_(sequences),
        obs_(watched.size()),
        summaries_(watched.size()) {}

  void on_node_step(const eval::NodeStep& s) override {
    for (size_t w = 0; w < watched_.size(); ++w) {
      const Watched& x = watched_[w];
      if (x.node != s.node) continue;
      std::set<Tuple> now;
      if (x.sent) {
        for (const auto& d : s.sent)
          if (d.message.collection == x.output && !d.duplicate) now.insert(d.message.tuple);
        if (s.result)
          for (const auto& m : s.result->sent)
            if (m.collection == x.output && m.address.is_nil()) now.insert(m.tuple);
      } else if (s.state) {
        // A collection whose size and fingerprint did not change since the node's last
        // step holds what it held then: nothing new, the same final contents.
        std::pair<size_t, uint64_t> summary{s.state->size(x.output),
                                            s.state->fingerprint(x.output)};
        if (summaries_[w] == summary) {
          if (sequences_) obs_[w].per_step.push_back(obs_[w].final);
          continue;
        }
        summaries_[w] = summary;
        const auto& c = s.state->contents(x.output);
        now.insert(c.begin(), c.end());
      }
      for (const auto& t : now)
        if (obs_[w].facts.insert(t).second) on_new_fact(w, s, t);
      if (sequences_) obs_[w].per_step.push_back(now);
      obs_[w].final = std::move(now);
    }
  }
  virtual void on_new_fact(size_t, const eval::NodeStep&, const Tuple&) {}
  Observations take() { return std::move(obs_); }

 protected:
  const std::vector<Watched>& watched_;

 private:
  bool sequences_;
  Observations obs_;
  /// Each state output's size and fingerprint at its node's last step.
  std::vector<std::optional<std::pair<size_t, uint64_t>>> summaries_;
};

/// Re-runs a schedule with provenance and explains one fact of one output when it first
/// appears.
class ProvenanceObserver : public Observer {
 public:
  ProvenanceObserver(const std::vector<Watched>& watched, size_t target, Tuple fact,
                     const eval::Scenario& sc, const std::vector<const ProgramAnalysis*>& analyses)
      : Observer(watched, false),
        target_(target),
        fact_(std::move(fact)),
        sc_(sc),
        analyses_(analyses) {}

  void on_new_fact(size_t w, const eval::NodeStep& s, const Tuple& t) override {
    if (w != target_ || t != fact_ || done_) return;
    done_ = true;
    const Watched& x = watched_[w];
    if (x.sent) {
      explain_send(s, x.output, t);
      return;
    }
    explain(s, x.output, t, 0);
  }
  std::vector<ProvenanceStep> steps;

 private:
  std::vector<std::string> points_for(size_t node, int rule, const std::string& into) const {
    std::vector<std::string> out;
    if (rule < 0) return out;
    for (const auto& p : analyses_[node]->points_of_order().for_rule(rule)) {
      if (p.kind != PointKind::ClusterSelf && p.to != into) continue;
      out.push_back(p.from + " -> " + p.to + " (" + to_string(p.kind) + ") at " +
                    to_string(p.location));
    }
    return out;
  }
  /// A message came from another node: the points of order on the rules that send it.
  std::vector<std::string> sender_points(size_t node, const std::string& channel) const {
    std::vector<std::string> out;
    std::set<const ProgramAnalysis*> done;
    for (size_t j = 0; j < analyses_.size(); ++j) {
      if (j == node || !done.insert(analyses_[j]).second) continue;
      for (const auto& r : analyses_[j]->program().rules) {
        if (r.lhs != channel || r.op != RuleOp::Async) continue;
        for (const auto& pt : analyses_[j]->points_of_order().for_rule(r.id))
          out.push_back(pt.from + " -> " + pt.to + " (" + to_string(pt.kind) + ") at " +
                        to_string(pt.location) + ", in the sender's program (" + sc_.nodes[j].name +
                        ")");
      }
    }
    return out;
  }
  void explain_send(const eval::NodeStep& s, const std::string& channel, const Tuple& t) {
    // Messages carry no derivation: name the rules that send on the channel.
    const Program& program = analyses_[s.node]->program();
    for (const auto& r : program.rules) {
      if (r.lhs != channel || r.op != RuleOp::Async) continue;
      ProvenanceStep p;
      p.node = sc_.nodes[s.node].name;
      p.collection = channel;
      p.fact = t;
      p.how = "sent";
      p.rule = r.id;
      p.location = r.op_location.known() ? r.op_location : r.location;
      p.step = s.step;
      for (const auto& pt : analyses_[s.node]->points_of_order().for_rule(r.id))
        p.points.push_back(pt.from + " -> " + pt.to + " (" + to_string(pt.kind) + ") at " +
                           to_string(pt.location));
      steps.push_back(p);
    }
  }
  void explain(const eval::NodeStep& s, const std::string& coll, const Tuple& t, int depth,
               int64_t parent_step = -1) {
    if (depth > 12 || steps.size() >= 40) return;
    std::string key = coll + eval::inspect(t);
    if (!seen_.insert(key).second) return;
    ProvenanceStep p;
    p.node = sc_.nodes[s.node].name;
    p.collection = coll;
    p.fact = t;
    p.depth = depth;
    p.step = s.step;
    auto d = s.state->derivation(coll, t);
    std::vector<std::pair<std::string, Tuple>> premises;
    const Collection* decl = analyses_[s.node]->program().find(coll);
    if (!d && decl && decl->kind == CollectionKind::Channel) {
      // A message combined in an earlier timestep: channels are emptied after each step.
      p.how = "message";
      p.step = parent_step;
      p.points = sender_points(s.node, coll);
    } else if (!d) {
      p.how = "unknown";
    } else {
      p.step = d->budtime;
      p.rule = d->rule;
      p.location = d->location;
      p.how = eval::to_string(d->kind);
      p.points = d->kind == eval::Derivation::Message ? sender_points(s.node, coll)
                                                      : points_for(s.node, d->rule, coll);
      premises = d->premises;
    }
    steps.push_back(p);
    for (const auto& [pc, pt] : premises) explain(s, pc, pt, depth + 1, p.step);
  }

  size_t target_;
  Tuple fact_;
  const eval::Scenario& sc_;
  const std::vector<const ProgramAnalysis*>& analyses_;
  bool done_ = false;
  std::set<std::string> seen_;
};

struct RunResult {
  bool ok = true;
  std::string failure;
  Observations obs;
  /// The simulation depended on its seed only through `draws` (eval::Simulation::repeatable).
  bool repeatable = false;
  std::vector<eval::Draw> draws;
};

/// One schedule. `spare` (when given) holds the previous schedule's simulation of this
/// thread, whose nodes this one reuses, and then this one's.
RunResult run_one(const eval::Scenario& sc, const eval::ScenarioPrograms& programs,
                  const std::vector<Watched>& watched, eval::SimulationOptions so, bool sequences,
                  Observer* custom = nullptr, std::unique_ptr<eval::Simulation>* spare = nullptr) {
  RunResult r;
  Diagnostics diags;
  auto sim = eval::Simulation::create(sc, programs, so, diags, spare ? std::move(*spare) : nullptr);
  if (!sim) {
    r.ok = false;
    r.failure = diags.empty() ? "the programs were refused" : diags.sorted()[0].message;
    return r;
  }
  Observer plain(watched, sequences);
  Observer* obs = custom ? custom : &plain;
  auto outcome = sim->run(obs);
  if (!outcome.ok) {
    r.ok = false;
    for (const auto& d : outcome.diagnostics.sorted())
      if (d.severity == Severity::Error) {
        r.failure = d.message;
        break;
      }
  }
  r.obs = obs->take();
  r.repeatable = sim->repeatable();
  if (r.repeatable) r.draws = sim->draws();
  if (spare) *spare = std::move(sim);
  return r;
}

}  // namespace

std::optional<VerifyResult> verify(const eval::Scenario& sc, const eval::ScenarioPrograms& programs,
                                   const VerifyOptions& options, Diagnostics& diags) {
  VerifyResult result;
  result.network =
      options.network.value_or(sc.network_given ? sc.network : eval::NetworkModel{1, 3, 0, 0});
  result.exhaustive = options.exhaustive;

  // The report's claims, per node.
  std::vector<std::unique_ptr<ProgramAnalysis>> owned;
  std::vector<const ProgramAnalysis*> analyses(sc.nodes.size(), nullptr);
  std::map<const Program*, const ProgramAnalysis*> by_program;
  std::vector<Watched> watched;
  for (size_t i = 0; i < sc.nodes.size(); ++i) {
    const Program* p = &programs.program(i);
    if (!by_program.count(p)) {
      owned.push_back(std::make_unique<ProgramAnalysis>(*p));
      by_program[p] = owned.back().get();
    }
    analyses[i] = by_program[p];
    for (const auto& ol : analyses[i]->labels().output_labels()) {
      Watched w;
      w.node = i;
      w.output = ol.output;
      w.label = ol.label;
      const Collection* c = p->find(ol.output);
      w.sent = c && (c->kind == CollectionKind::Channel || c->kind == CollectionKind::Terminal);
      watched.push_back(w);
    }
  }
  // Compose the labels across nodes: an input channel of node i carries what the other
  // nodes send on it, so a path from it is preceded by their label for that channel.
  std::vector<Label> own(watched.size());
  for (size_t w = 0; w < watched.size(); ++w) own[w] = watched[w].label;
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& x : watched) {
      Label composed = x.label;
      for (const auto& p : analyses[x.node]->labels().path_labels()) {
        if (p.output != x.output) continue;
        Label upstream = Label::Confluent;
        for (const auto& y : watched)
          if (y.node != x.node && y.sent && y.output == p.input) upstream = join(upstream, y.label);
        composed = join(composed, then(upstream, p.label));
      }
      if (composed != x.label) {
        x.label = composed;
        changed = true;
      }
    }
  }
  std::map<std::pair<size_t, std::string>, Label> own_label;
  for (size_t w = 0; w < watched.size(); ++w)
    own_label[{watched[w].node, watched[w].output}] = own[w];
  std::sort(watched.begin(), watched.end(), [&](const Watched& a, const Watched& b) {
    return std::tie(sc.nodes[a.node].name, a.output) < std::tie(sc.nodes[b.node].name, b.output);
  });

  auto base_options = [&](uint64_t seed) {
    eval::SimulationOptions so;
    so.seed = seed;
    so.network = result.network;
    so.drain_steps = options.drain_steps;
    return so;
  };

  // Run the schedules.
  std::vector<RunResult> runs;
  // Random schedules: the earlier run schedule i repeats, or kRanItself.
  constexpr size_t kRanItself = SIZE_MAX;
  std::vector<size_t> same_as;
  std::vector<std::vector<int64_t>> choice_paths;  // exhaustive: the delay choices of each run
  if (options.exhaustive) {
    std::vector<std::pair<int64_t, int64_t>> path;  // (choice offset, arity)
    std::unique_ptr<eval::Simulation> spare;
    while (runs.size() < options.max_schedules) {
      size_t k = 0;
      std::vector<int64_t> taken;
      eval::SimulationOptions so = base_options(options.first_seed);
      so.choose_delay = [&](int64_t lo, int64_t hi) {
        if (k >= path.size()) path.push_back({0, hi - lo + 1});
        int64_t c = lo + path[k++].first;
        taken.push_back(c);
        return c;
      };
      runs.push_back(run_one(sc, programs, watched, so, options.sequences, nullptr, &spare));
      choice_paths.push_back(taken);
      path.resize(k);
      if (options.progress) options.progress(runs.size(), 0);
      while (!path.empty() && path.back().first + 1 >= path.back().second) path.pop_back();
      if (path.empty()) {
        result.exhaustive_complete = true;
        break;
      }
      ++path.back().first;
    }
  } else {
    runs.resize(options.schedules);
    same_as.assign(options.schedules, kRanItself);
    std::atomic<size_t> next{0}, done{0};
    std::mutex progress_mutex, trie_mutex;
    // A seed whose generator decides as an earlier run's did repeats that run: its result
    // is that run's, without running it again (see verify/schedule_trie.h).
    ScheduleTrie trie;
    auto worker = [&]() {
      std::unique_ptr<eval::Simulation> spare;  // this thread's last simulation
      for (size_t i = next++; i < options.schedules; i = next++) {
        uint64_t seed = options.first_seed + i;
        std::optional<size_t> earlier;
        {
          std::lock_guard<std::mutex> lock(trie_mutex);
          earlier = trie.find(seed);
        }
        if (earlier) {
          same_as[i] = *earlier;
        } else {
          runs[i] = run_one(sc, programs, watched, base_options(seed), options.sequences, nullptr,
                            &spare);
          if (runs[i].repeatable && options.reuse_repeats) {
            std::lock_guard<std::mutex> lock(trie_mutex);
            trie.add(runs[i].draws, i);
          }
        }
        size_t d = ++done;
        if (options.progress) {
          std::lock_guard<std::mutex> lock(progress_mutex);
          options.progress(d, options.schedules);
        }
      }
    };
    unsigned jobs = std::max(1u, std::min<unsigned>(options.jobs, unsigned(options.schedules)));
    std::vector<std::thread> threads;
    for (unsigned j = 1; j < jobs; ++j) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
  }
  result.schedules_run = runs.size();
  // Schedule i's result: its own run, or the earlier run it repeats.
  auto result_of = [&](size_t i) -> const RunResult& {
    return runs[i < same_as.size() && same_as[i] != kRanItself ? same_as[i] : i];
  };
  {
    // Distinct schedules: repeatable runs by their decisions (so the count does not depend
    // on which repeats the worker threads caught), and every other run.
    std::set<std::vector<int64_t>> paths;
    for (size_t i = 0; i < runs.size(); ++i) {
      const RunResult& r = result_of(i);
      if (!r.repeatable) {
        ++result.distinct_schedules;
        continue;
      }
      std::vector<int64_t> values;
      for (const auto& d : r.draws) values.push_back(d.value);
      paths.insert(std::move(values));
    }
    result.distinct_schedules += paths.size();
  }
  auto seed_of = [&](size_t i) {
    return options.exhaustive ? uint64_t(i) : options.first_seed + i;
  };
  std::vector<size_t> good;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (result_of(i).ok) {
      good.push_back(i);
    } else {
      ++result.schedules_failed;
      if (result.failures.size() < 5)
        result.failures.push_back((options.exhaustive ? "schedule " : "seed ") +
                                  std::to_string(seed_of(i)) + ": " + result_of(i).failure);
    }
  }
  if (good.empty()) {
    diags.error("calm-verify-failed",
                "every schedule failed; the first: " +
                    (result.failures.empty() ? std::string("?") : result.failures[0]),
                {sc.path, 1, 1});
    return std::nullopt;
  }

  // Compare.
  for (size_t w = 0; w < watched.size(); ++w) {
    const Watched& x = watched[w];
    OutputVerdict v;
    v.node = sc.nodes[x.node].name;
    v.output = x.output;
    v.label = x.label;
    v.own_label = own_label[{x.node, x.output}];
    std::set<Observation> distinct;
    std::optional<size_t> a, b;
    for (size_t i : good) {
      distinct.insert(result_of(i).obs[w]);
      if (!a)
        a = i;
      else if (!b && result_of(i).obs[w] != result_of(*a).obs[w])
        b = i;
    }
    v.distinct = distinct.size();
    bool claims_determinism = x.label == Label::Confluent || x.label == Label::Async;
    if (!b) {
      v.verdict = claims_determinism ? Verdict::Held : Verdict::NotObserved;
    } else {
      v.verdict = claims_determinism ? Verdict::Unsound : Verdict::Witnessed;
      Witness wit;
      wit.seed_a = seed_of(*a);
      wit.seed_b = seed_of(*b);
      if (options.exhaustive) {
        wit.choices_a = choice_paths[*a];
        wit.choices_b = choice_paths[*b];
      }
      const Observation& oa = result_of(*a).obs[w];
      const Observation& ob = result_of(*b).obs[w];
      std::set_difference(oa.facts.begin(), oa.facts.end(), ob.facts.begin(), ob.facts.end(),
                          std::back_inserter(wit.only_a));
      std::set_difference(ob.facts.begin(), ob.facts.end(), oa.facts.begin(), oa.facts.end(),
                          std::back_inserter(wit.only_b));
      if (wit.only_a.empty() && wit.only_b.empty()) {
        // The same facts came out, in another order: the final contents differ.
        wit.final_differs = true;
        std::set_difference(oa.final.begin(), oa.final.end(), ob.final.begin(), ob.final.end(),
                            std::back_inserter(wit.only_a));
        std::set_difference(ob.final.begin(), ob.final.end(), oa.final.begin(), oa.final.end(),
                            std::back_inserter(wit.only_b));
      }
      for (size_t s = 0; s < std::max(oa.per_step.size(), ob.per_step.size()); ++s) {
        std::set<Tuple> empty;
        const auto& sa = s < oa.per_step.size() ? oa.per_step[s] : empty;
        const auto& sb = s < ob.per_step.size() ? ob.per_step[s] : empty;
        if (sa != sb) {
          wit.first_step = int64_t(s);
          break;
        }
      }
      // Provenance of the first differing fact, in the schedule that has it.
      bool from_a = !wit.only_a.empty();
      std::optional<Tuple> fact;
      if (from_a)
        fact = wit.only_a.front();
      else if (!wit.only_b.empty())
        fact = wit.only_b.front();
      if (fact) {
        size_t run = from_a ? *a : *b;
        eval::SimulationOptions so = base_options(seed_of(run));
        if (options.exhaustive) {
          std::vector<int64_t> choices = choice_paths[run];
          size_t k = 0;
          so.choose_delay = [choices, k](int64_t lo, int64_t) mutable {
            return k < choices.size() ? choices[k++] : lo;
          };
        }
        so.provenance = true;
        ProvenanceObserver po(watched, w, *fact, sc, analyses);
        run_one(sc, programs, watched, so, false, &po);
        wit.provenance = po.steps;
        wit.provenance_from_a = from_a;
        for (const auto& p : po.steps) wit.reaches_point_of_order |= !p.points.empty();
      }
      v.witness = std::move(wit);
    }
    result.outputs.push_back(std::move(v));
  }
  return result;
}

}  // namespace calm
