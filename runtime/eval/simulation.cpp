#include "eval/simulation.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <set>
#include <tuple>

#include "base/text.h"
#include "eval/lattice.h"

namespace calm::eval {

// ---------------------------------------------------------------------------
// Programs

bool ScenarioPrograms::load(const Scenario& scenario, const ProgramLoader& loader,
                            Diagnostics& diags) {
  bool ok = true;
  std::map<std::string, const Program*> by_spec;
  programs_.assign(scenario.nodes.size(), nullptr);
  for (size_t i = 0; i < scenario.nodes.size(); ++i) {
    const ScenarioProgram& sp = scenario.nodes[i].program;
    std::string spec;
    for (const auto& f : sp.files) spec += "f:" + f + "\n";
    for (const auto& m : sp.modules) spec += "m:" + m + "\n";
    for (const auto& d : sp.include_dirs) spec += "I:" + d + "\n";
    spec += "l:" + sp.lang;
    if (auto it = by_spec.find(spec); it != by_spec.end()) {
      programs_[i] = it->second;
      if (!programs_[i]) ok = false;
      continue;
    }
    auto r = std::make_unique<LoadedPrograms>(loader(sp));
    diags.append(r->diagnostics);
    for (const auto& [path, text] : r->sources) sources_.emplace(path, text);
    const Program* chosen = nullptr;
    if (r->diagnostics.has_errors()) {
      ok = false;
    } else if (r->programs.size() == 1) {
      chosen = &r->programs[0];
    } else {
      std::string names;
      for (const auto& p : r->programs) names += (names.empty() ? "" : ", ") + p.name;
      std::string what = r->programs.empty()
                             ? "the files define no program (no class includes Bud and no "
                               "module defines Bloom state)"
                             : "the files define " + std::to_string(r->programs.size()) +
                                   " programs (" + names + ")";
      diags.error("calm-bad-scenario",
                  "node '" + scenario.nodes[i].name + "': " + what +
                      "; name the modules to run (-m MODULE on the command line, "
                      "\"modules\" in a scenario)",
                  sp.location);
      ok = false;
    }
    by_spec[spec] = chosen;
    programs_[i] = chosen;
    if (chosen)
      for (const auto& d : r->diagnostics.items()) {
        if (d.check == "calm-unknown-collection")
          unrunnable_[chosen].push_back(
              {Severity::Error,
               d.check,
               d.message.substr(0, d.message.find(" (no module")) +
                   ": no module declares it, and Bud raises when it wires the rule at the first "
                   "timestep",
               d.location,
               {}});
        else if (d.check == "calm-bootstrap-code")
          unrunnable_[chosen].push_back(
              {Severity::Error,
               "calm-eval-unsupported",
               "unsupported construct Ruby code writing collections in a bootstrap block",
               d.location,
               {}});
      }
    loads_.push_back(std::move(r));
  }
  return ok;
}

void ScenarioPrograms::use(const Program& program, size_t nodes) {
  programs_.assign(nodes, &program);
}

struct ScenarioPrograms::PlanCache {
  std::mutex mu;
  std::vector<
      std::tuple<const Program*, std::map<std::string, Value>, std::shared_ptr<const NodePlan>>>
      plans;
};

ScenarioPrograms::ScenarioPrograms() : plans_(std::make_shared<PlanCache>()) {}

std::shared_ptr<const NodePlan> ScenarioPrograms::plan(size_t node, const NodeOptions& options,
                                                       Diagnostics& diags) const {
  const Program* p = programs_[node];
  {
    std::lock_guard<std::mutex> lock(plans_->mu);
    for (const auto& [prog, ivars, plan] : plans_->plans)
      if (prog == p && ivars == options.instance_variables) return plan;
  }
  auto made = Node::plan(*p, options, diags);
  if (made) {
    std::lock_guard<std::mutex> lock(plans_->mu);
    plans_->plans.emplace_back(p, options.instance_variables, made);
  }
  return made;
}

const std::vector<Diagnostic>& ScenarioPrograms::unrunnable(size_t node) const {
  static const std::vector<Diagnostic> none;
  auto it = unrunnable_.find(programs_[node]);
  return it == unrunnable_.end() ? none : it->second;
}

namespace {

std::vector<std::string> collection_names(const Program& p) {
  std::vector<std::string> out;
  for (const auto& c : p.collections) out.push_back(c.name);
  return out;
}

/// Finds a collection for a scenario entry, or reports it (with a suggestion).
const Collection* find_collection(const Program& p, const std::string& name,
                                  const std::string& node, const SourceLocation& loc,
                                  Diagnostics& diags) {
  if (const Collection* c = p.find(name)) return c;
  std::string msg = "node '" + node + "': program " + p.name + " has no collection '" + name + "'" +
                    did_you_mean(name, collection_names(p));
  diags.error("calm-bad-scenario", msg, loc);
  return nullptr;
}

bool check_arity(const Collection& c, const Tuple& t, const std::string& node,
                 const SourceLocation& loc, Diagnostics& diags) {
  if (c.kind == CollectionKind::Lattice) {
    // A fact of a lattice must make a value of its type, as the evaluator merges it;
    // refused here, at the fact, rather than at the step without a place.
    try {
      (void)lattice_from(c.lattice, t.size() == 1 ? t[0] : Value::array(t));
    } catch (const LatticeError& e) {
      diags.error(
          "calm-bad-scenario",
          "node '" + node + "': a fact of '" + c.name + "' (" + c.lattice + "): " + e.message, loc);
      return false;
    }
    return true;
  }
  if (c.schema_inferred) return true;
  size_t cols = c.keys.size() + c.values.size();
  if (cols == 0 || t.size() == cols) return true;
  std::string schema;
  for (const auto& k : c.keys) schema += (schema.empty() ? "" : ", ") + k;
  if (!c.values.empty()) schema += " => ";
  for (size_t i = 0; i < c.values.size(); ++i) schema += (i ? ", " : "") + c.values[i];
  diags.error("calm-bad-scenario",
              "node '" + node + "': a fact of '" + c.name + "' has " + std::to_string(t.size()) +
                  " column" + (t.size() == 1 ? "" : "s") + "; the collection has " +
                  std::to_string(cols) + " [" + schema + "]: " + inspect(t),
              loc);
  return false;
}

}  // namespace

namespace {

/// The tuple a lattice expectation expects: its value made a lattice of the collection's
/// type. When it cannot be, `why` says so and the result is empty.
std::vector<Tuple> expected_lattice(const ScenarioExpectation& x, const Collection& c,
                                    std::string* why) {
  if (c.kind != CollectionKind::Lattice) {
    if (why)
      *why = "\"value\" is for lattice collections; '" + c.name + "' is a " + to_string(c.kind) +
             ": use \"contents\"";
    return {};
  }
  try {
    return {Tuple{lattice_from(c.lattice, *x.value)}};
  } catch (const LatticeError& e) {
    if (why) *why = "\"value\" of '" + c.name + "' (" + c.lattice + "): " + e.message;
    return {};
  }
}

}  // namespace

bool check_scenario(const Scenario& scenario, const ScenarioPrograms& programs,
                    Diagnostics& diags) {
  bool ok = true;
  for (const auto& f : scenario.facts) {
    const Program& p = programs.program(f.node);
    const std::string& node = scenario.nodes[f.node].name;
    const Collection* c = find_collection(p, f.collection, node, f.location, diags);
    if (!c || !check_arity(*c, f.tuple, node, f.location, diags)) ok = false;
  }
  for (size_t i = 0; i < scenario.nodes.size(); ++i)
    for (const auto& r : scenario.nodes[i].record)
      if (!find_collection(programs.program(i), r, scenario.nodes[i].name,
                           scenario.nodes[i].location, diags))
        ok = false;
  for (const auto& x : scenario.expect) {
    const std::string& node = scenario.nodes[x.node].name;
    const Collection* c =
        find_collection(programs.program(x.node), x.collection, node, x.location, diags);
    if (!c) {
      ok = false;
      continue;
    }
    for (const auto& t : x.tuples)
      if (!check_arity(*c, t, node, x.location, diags)) ok = false;
    if (x.value) {
      std::string why;
      expected_lattice(x, *c, &why);
      if (!why.empty()) {
        diags.error("calm-bad-scenario", "node '" + node + "': " + why, x.value_location);
        ok = false;
      }
    }
  }
  return ok;
}

// ---------------------------------------------------------------------------
// Simulation

namespace {

/// splitmix64: a small generator with a fixed, documented sequence per seed, so
/// schedules are identical on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() { return splitmix64_mix(s_ += kSplitmixGamma); }
  /// Uniform in [lo, hi] (lo < hi).
  int64_t between(int64_t lo, int64_t hi) { return between(next(), lo, hi); }
  /// Uniform in [0, 1).
  double unit() { return unit(next()); }

  /// The `k`-th output (from 0) of the generator seeded with `seed`.
  static uint64_t at(uint64_t seed, size_t k) {
    return splitmix64_mix(seed + (uint64_t(k) + 1) * kSplitmixGamma);
  }
  static int64_t between(uint64_t x, int64_t lo, int64_t hi) {
    return lo + int64_t(x % uint64_t(hi - lo + 1));
  }
  static double unit(uint64_t x) { return double(x >> 11) * (1.0 / 9007199254740992.0); }

 private:
  uint64_t s_;
};

struct PeriodicTimer {
  std::string collection;
  double interval = 1;
  double next_fire = 1;
  int64_t fired = 0;
};

}  // namespace

struct Simulation::State {
  const Scenario* scenario = nullptr;
  const ScenarioPrograms* programs = nullptr;
  std::vector<std::unique_ptr<Node>> nodes;
  std::map<std::string, size_t> by_address;
  uint64_t seed = 1;
  NetworkModel network;
  ClockModel clock;
  Rng rng{1};
  std::vector<double> node_time;  ///< simulated seconds at the start of the next step
  std::vector<std::vector<PeriodicTimer>> timers;
  std::vector<Delivery> in_flight;  ///< sorted by (deliver_at, id)
  uint64_t next_id = 0;
  std::set<std::string> warned_addresses;
  /// Contents at chosen steps for expectations that name a step: (expectation) -> tuples.
  std::map<size_t, std::vector<Tuple>> expectation_snapshots;
  std::function<int64_t(int64_t, int64_t)> choose_delay;
  int64_t drain_steps = 0;
  bool provenance = false;

  std::vector<Draw> draws;
  bool repeatable = true;  ///< see Simulation::repeatable (less the nodes' `rand`)

  int64_t delay() {
    int64_t lo = network.min_delay, hi = network.max_delay;
    if (choose_delay) {
      repeatable = false;
      return choose_delay(lo, hi);
    }
    if (hi <= lo) return lo;
    int64_t v = rng.between(lo, hi);
    draws.push_back({Draw::Delay, lo, hi, 0, v});
    return v;
  }
  /// Whether an event of probability `p` (> 0) happens.
  bool chance(double p) {
    bool yes = rng.unit() < p;
    draws.push_back({Draw::Chance, 0, 0, p, yes ? 1 : 0});
    return yes;
  }
};

int64_t Draw::decide(uint64_t seed, size_t k) const {
  uint64_t x = Rng::at(seed, k);
  return kind == Delay ? Rng::between(x, lo, hi) : Rng::unit(x) < p ? 1 : 0;
}

Simulation::Simulation(std::unique_ptr<State> state) : state_(std::move(state)) {}
Simulation::~Simulation() = default;

size_t Simulation::node_count() const { return state_->nodes.size(); }
const Node& Simulation::node(size_t i) const { return *state_->nodes[i]; }
uint64_t Simulation::seed() const { return state_->seed; }
const NetworkModel& Simulation::network() const { return state_->network; }
const std::vector<Draw>& Simulation::draws() const { return state_->draws; }

bool Simulation::repeatable() const {
  if (!state_->repeatable) return false;
  for (const auto& n : state_->nodes)
    if (n->drew_random()) return false;
  return true;
}

std::unique_ptr<Simulation> Simulation::create(const Scenario& scenario,
                                               const ScenarioPrograms& programs,
                                               SimulationOptions options, Diagnostics& diags) {
  return create(scenario, programs, std::move(options), diags, nullptr);
}

std::unique_ptr<Simulation> Simulation::create(const Scenario& scenario,
                                               const ScenarioPrograms& programs,
                                               SimulationOptions options, Diagnostics& diags,
                                               std::unique_ptr<Simulation> spare) {
  std::vector<std::unique_ptr<Node>> spares;
  if (spare && spare->state_->scenario == &scenario && spare->state_->programs == &programs)
    spares = std::move(spare->state_->nodes);
  auto st = std::make_unique<State>();
  st->scenario = &scenario;
  st->programs = &programs;
  st->seed = options.seed.value_or(scenario.seed);
  st->network = options.network.value_or(scenario.network);
  st->clock = options.clock.value_or(scenario.clock);
  st->rng = Rng(st->seed);
  st->choose_delay = options.choose_delay;
  st->drain_steps = options.drain_steps;
  st->provenance = options.provenance;
  bool ok = true;
  for (size_t i = 0; i < scenario.nodes.size(); ++i) {
    NodeOptions no;
    no.address = scenario.nodes[i].address;
    no.instance_variables = scenario.nodes[i].instance_variables;
    no.provenance = options.provenance;
    no.reuse_results = options.reuse_results;
    no.random_seed = st->seed;
    no.time_epoch = st->clock.epoch;
    no.unrunnable = programs.unrunnable(i);
    if (scenario.max_facts > 0) no.max_facts = size_t(scenario.max_facts);
    Diagnostics node_diags;
    auto plan = programs.plan(i, no, node_diags);
    std::unique_ptr<Node> reused = i < spares.size() ? std::move(spares[i]) : nullptr;
    auto node = plan ? Node::create(std::move(plan), no, std::move(reused)) : nullptr;
    // Several nodes may run one program with different instance variables: say which.
    for (auto d : node_diags.take()) {
      if (scenario.nodes.size() > 1)
        d.message = "node '" + scenario.nodes[i].name + "': " + d.message;
      diags.add(std::move(d));
    }
    if (!node) {
      ok = false;
      continue;
    }
    st->by_address[no.address] = i;
    std::vector<PeriodicTimer> timers;
    for (const auto& c : programs.program(i).collections) {
      if (c.kind != CollectionKind::Periodic) continue;
      PeriodicTimer t;
      t.collection = c.name;
      if (!c.args.empty()) {
        try {
          t.interval = std::stod(c.args[0]);
        } catch (...) {
          t.interval = 1;
        }
      }
      if (!(t.interval > 0)) t.interval = 1;
      t.next_fire = t.interval;
      timers.push_back(t);
    }
    st->timers.push_back(std::move(timers));
    st->nodes.push_back(std::move(node));
  }
  if (!ok) return nullptr;
  st->node_time.assign(st->nodes.size(), 0.0);
  return std::unique_ptr<Simulation>(new Simulation(std::move(st)));
}

namespace {

/// What quiescence compares between timesteps: each collection's size and fingerprint
/// (an order-independent 64-bit hash of its tuples, kept as they change), instead of a
/// copy of every collection at every timestep.
using Snapshot = std::vector<std::pair<size_t, uint64_t>>;

/// Fills `s` (emptied first, its storage kept) with the nodes' snapshot.
void snapshot(const std::vector<std::unique_ptr<Node>>& nodes, Snapshot& s) {
  s.clear();
  for (const auto& node : nodes) node->summary(s);
}

}  // namespace

SimulationOutcome Simulation::run(SimulationObserver* observer) {
  State& st = *state_;
  const Scenario& sc = *st.scenario;
  SimulationOutcome out;
  const size_t n = st.nodes.size();

  // Scenario facts by step and node, in file order.
  std::map<int64_t, std::vector<const ScenarioFact*>> facts_at;
  int64_t last_fact_step = -1;
  for (const auto& f : sc.facts) {
    facts_at[f.step].push_back(&f);
    last_fact_step = std::max(last_fact_step, f.step);
  }
  bool has_timers = false;
  for (const auto& t : st.timers) has_timers |= !t.empty();

  const bool watch_quiet = sc.until_quiescent || st.drain_steps > 0;
  Snapshot before, after;
  if (watch_quiet) snapshot(st.nodes, before);
  const int64_t limit = sc.steps + st.drain_steps;

  std::vector<Delivery> arriving;  // at this timestep (its storage kept from one to the next)
  for (int64_t t = 0; t < limit; ++t) {
    bool any_input = false;
    bool any_sent = false;
    {
      auto split = std::stable_partition(st.in_flight.begin(), st.in_flight.end(),
                                         [&](const Delivery& d) { return d.deliver_at != t; });
      arriving.assign(std::make_move_iterator(split), std::make_move_iterator(st.in_flight.end()));
      st.in_flight.erase(split, st.in_flight.end());
    }
    for (size_t i = 0; i < n; ++i) {
      NodeStep ns;
      ns.node = i;
      ns.step = t;
      StepInput input;
      if (auto it = facts_at.find(t); it != facts_at.end())
        for (const ScenarioFact* f : it->second)
          if (f->node == i) ns.inputs.push_back({f->collection, f->tuple});
      double now = st.node_time[i];
      for (auto& timer : st.timers[i]) {
        if (now + 1e-9 < timer.next_fire) continue;
        ns.inputs.push_back(
            {timer.collection, {Value::integer(timer.fired), Value::floating(now)}});
        ++timer.fired;
        timer.next_fire += timer.interval;
        if (timer.next_fire <= now) timer.next_fire = now + timer.interval;
      }
      double duration = st.clock.seconds_per_step;
      if (st.clock.jitter > 0) {
        duration *= 1 + st.clock.jitter * (2 * st.rng.unit() - 1);
        st.repeatable = false;  // a continuous draw: no two seeds make it alike
      }
      st.node_time[i] = now + duration;
      for (const auto& d : arriving)
        if (d.to == i) ns.received.push_back(d);
      std::sort(ns.received.begin(), ns.received.end(), [](const Delivery& a, const Delivery& b) {
        return std::tie(a.id, a.duplicate) < std::tie(b.id, b.duplicate);
      });
      input.facts = ns.inputs;
      for (const auto& d : ns.received)
        input.facts.push_back({d.message.collection, d.message.tuple});
      any_input |= !input.facts.empty();

      StepResult res = st.nodes[i]->step(input);
      ns.result = &res;
      ns.state = st.nodes[i].get();
      if (!res.ok) {
        out.ok = false;
        for (auto d : res.diagnostics.items()) {
          d.message =
              "node '" + sc.nodes[i].name + "', timestep " + std::to_string(t) + ": " + d.message;
          out.diagnostics.add(d);
        }
        if (observer) observer->on_node_step(ns);
        out.steps_run = t + 1;
        return out;
      }
      for (const auto& m : res.sent) {
        if (m.address.is_nil()) continue;  // stdio: printed by the observer, not routed
        any_sent = true;
        Delivery d;
        d.id = st.next_id++;
        d.from = i;
        d.sent_at = t;
        d.message = m;
        std::string addr =
            m.address.kind() == Value::Kind::String ? m.address.as_string() : m.address.inspect();
        if (auto it = st.by_address.find(addr); it != st.by_address.end()) d.to = it->second;
        ++out.messages_sent;
        if (!d.to) {
          if (st.warned_addresses.insert(addr).second)
            out.diagnostics.warning("calm-eval-undeliverable",
                                    "node '" + sc.nodes[i].name + "' sent " + m.collection +
                                        " to " + m.address.inspect() +
                                        ", an address no node of the scenario has (first at "
                                        "timestep " +
                                        std::to_string(t) + "); dropped",
                                    sc.nodes[i].location);
          ns.sent.push_back(d);
          continue;
        }
        d.deliver_at = t + st.delay();
        if (st.network.loss > 0 && st.chance(st.network.loss)) {
          d.lost = true;
          ++out.messages_lost;
        }
        ns.sent.push_back(d);
        std::optional<Delivery> dup;
        if (st.network.duplicate > 0 && st.chance(st.network.duplicate)) {
          dup = d;
          dup->duplicate = true;
          dup->lost = false;
          dup->deliver_at = t + st.delay();
          ++out.messages_duplicated;
        }
        if (!d.lost) st.in_flight.push_back(std::move(d));
        if (dup) {
          ns.sent.push_back(*dup);
          st.in_flight.push_back(std::move(*dup));
        }
      }
      if (observer) observer->on_node_step(ns);
    }
    for (size_t k = 0; k < sc.expect.size(); ++k) {
      const auto& x = sc.expect[k];
      if (x.step && *x.step == t) {
        const auto& c = st.nodes[x.node]->contents(x.collection);
        st.expectation_snapshots[k] = std::vector<Tuple>(c.begin(), c.end());
      }
    }
    out.steps_run = t + 1;
    if (watch_quiet) {
      snapshot(st.nodes, after);
      bool quiet = !any_input && !any_sent && st.in_flight.empty() && t >= last_fact_step &&
                   !has_timers && after == before;
      before.swap(after);
      // Draining stops at quiescence, or once nothing is in flight for periodic programs.
      bool drained = t + 1 >= sc.steps && st.drain_steps > 0 &&
                     (quiet || (has_timers && st.in_flight.empty() && !any_sent));
      if ((sc.until_quiescent && quiet) || drained) {
        out.quiesced = quiet;
        break;
      }
    }
  }
  if (sc.until_quiescent && !out.quiesced && st.drain_steps == 0)
    out.diagnostics.error("calm-eval-limit",
                          "the scenario did not quiesce within " + std::to_string(sc.steps) +
                              " timesteps" + (has_timers ? " (periodics keep firing)" : "") +
                              "; raise \"steps\" or drop \"until_quiescent\"",
                          SourceLocation{sc.path, 1, 1});
  if (!out.diagnostics.has_errors()) {
    for (size_t k = 0; k < sc.expect.size(); ++k) {
      const auto& x = sc.expect[k];
      ExpectationResult r;
      r.index = k;
      std::vector<Tuple> actual;
      if (x.step) {
        if (auto it = st.expectation_snapshots.find(k); it != st.expectation_snapshots.end())
          actual = it->second;
      } else {
        const auto& c = st.nodes[x.node]->contents(x.collection);
        actual.assign(c.begin(), c.end());
      }
      std::vector<Tuple> expected = x.tuples;
      if (x.value)
        if (const Collection* c = st.programs->program(x.node).find(x.collection))
          expected = expected_lattice(x, *c, nullptr);
      std::set<Tuple> want(expected.begin(), expected.end());
      std::set<Tuple> have(actual.begin(), actual.end());
      for (const auto& w : want)
        if (!have.count(w)) r.missing.push_back(w);
      if (!x.subset)
        for (const auto& h : have)
          if (!want.count(h)) r.unexpected.push_back(h);
      r.held = r.missing.empty() && r.unexpected.empty() && (!x.step || *x.step < out.steps_run);
      out.expectations.push_back(std::move(r));
    }
  }
  if (out.diagnostics.has_errors()) out.ok = false;
  return out;
}

}  // namespace calm::eval
