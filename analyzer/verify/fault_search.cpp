#include "verify/fault_search.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <set>

namespace calm::verify {

using eval::ChannelTime;
using eval::DRun;
using eval::DTuple;
using eval::Faults;

double fault_space_size(const FaultModel& m) {
  const double n = double(m.nodes.size());
  const double single = std::pow(2.0, n - 1);
  const double crash_free = std::pow(single, m.eff);
  double crash_prone = 0;
  for (int ct = 1; ct <= m.eot + 1; ++ct) crash_prone += std::pow(single, std::min(m.eff, ct - 1));
  double choose = 1;
  for (int i = 0; i < m.crashes; ++i) choose = choose * (n - i) / (i + 1);
  return choose * std::pow(crash_free, n - m.crashes) * std::pow(crash_prone, m.crashes);
}

namespace {

struct Search {
  const dedalus::MProgram& p;
  const FaultModel& m;
  Diagnostics& diags;
  FaultSearchResult res;
  std::set<DTuple> good;
  std::set<Faults> seen;
  bool failed = false;

  /// For each predicate, the predicates it depends on through any chain of rules (Molly's
  /// `reach`, `clock` left out), each with whether every such chain is same-timestep.
  std::map<std::string, std::vector<std::pair<std::string, bool>>> reach;

  Search(const dedalus::MProgram& prog, const FaultModel& model, Diagnostics& d)
      : p(prog), m(model), diags(d) {
    // edges body -> head, temporal unless the head is same-timestep
    std::map<std::string, std::vector<std::pair<std::string, bool>>> into;
    for (const auto& r : p.rules) {
      if (r.fact) continue;
      for (const auto& b : r.body)
        if (b.predicate != "clock")
          into[r.head.predicate].push_back({b.predicate, r.head.time != dedalus::MTime::Now});
    }
    // per target: the sources reachable backwards, by any chain and by a temporal one
    for (const auto& [to, _] : into) {
      std::map<std::string, bool> seen_any;  // source -> reached by a temporal chain
      std::deque<std::pair<std::string, bool>> todo{{to, false}};
      std::set<std::pair<std::string, bool>> done;
      while (!todo.empty()) {
        auto [q, temporal] = todo.front();
        todo.pop_front();
        auto it = into.find(q);
        if (it == into.end()) continue;
        for (const auto& [from, t] : it->second) {
          std::pair<std::string, bool> next{from, temporal || t};
          if (!done.insert(next).second) continue;
          seen_any[from] = seen_any[from] || next.second;
          todo.push_back(next);
        }
      }
      auto& out = reach[to];
      for (const auto& [from, temporal] : seen_any) out.push_back({from, !temporal});
    }
  }

  std::optional<DRun> run(const Faults& f) {
    eval::RunSpec spec;
    spec.eot = m.eot;
    spec.nodes = m.nodes;
    spec.faults = f;
    ++res.runs;
    auto r = eval::run_dedalus(p, spec, diags);
    if (!r) failed = true;
    return r;
  }

  /// The good tuples this run misses while `pre` holds for them.
  std::vector<DTuple> violations(const DRun& r) const {
    auto post = r.table("post", m.eot), pre = r.table("pre", m.eot);
    std::set<DTuple> ps(post.begin(), post.end()), pr(pre.begin(), pre.end());
    std::vector<DTuple> out;
    for (const auto& g : good)
      if (!ps.count(g) && pr.count(g)) out.push_back(g);
    return out;
  }

  static Faults normalized(Faults f) {
    for (auto it = f.omissions.begin(); it != f.omissions.end();) {
      auto c = f.crashes.find(it->from);
      if (c != f.crashes.end() && c->second <= it->time)
        it = f.omissions.erase(it);
      else
        ++it;
    }
    return f;
  }

  /// Every fault of `small` is in `big` (a crash at the same time).
  static bool contains(const Faults& big, const Faults& small) {
    for (const auto& [n, t] : small.crashes) {
      auto it = big.crashes.find(n);
      if (it == big.crashes.end() || it->second != t) return false;
    }
    return std::includes(big.omissions.begin(), big.omissions.end(), small.omissions.begin(),
                         small.omissions.end());
  }

  /// The provenance graph of one tuple: every tuple it (transitively) rests on.
  struct Graph {
    struct Deriv {
      std::vector<int> premises;  ///< node ids
      std::vector<int> leaves;    ///< channel ids
    };
    std::vector<std::vector<Deriv>> derivs;
  };

  /// With `negative`, each `notin q` a derivation needed at time T also rests on every
  /// tuple that could lead to q (Molly's negative support, ProvenanceReader.possibleCauses):
  /// the tuples of the predicates q depends on, stored before T (at T too, when every
  /// chain to q is same-timestep). Losing any of them might make q true.
  Graph build(const DRun& r, const std::string& pred, const DTuple& t, int time,
              bool negative) const {
    Graph g;
    std::map<eval::Premise, int> id;
    std::vector<eval::Premise> todo;
    auto node = [&](const eval::Premise& pm) {
      auto [it, fresh] = id.emplace(pm, int(g.derivs.size()));
      if (fresh) {
        g.derivs.emplace_back();
        todo.push_back(pm);
      }
      return it->second;
    };
    // One node per absent predicate and time, with one derivation resting on all its causes.
    std::map<std::pair<std::string, int>, int> negative_id;
    auto negative_node = [&](const eval::Premise& q) {
      auto [it, fresh] = negative_id.emplace(std::pair{q.pred, q.time}, int(g.derivs.size()));
      if (!fresh) return it->second;
      const int self = it->second;
      g.derivs.emplace_back();
      Graph::Deriv causes;
      const int last_time = std::min(r.eot, int(r.at.size()) - 1);
      auto rq = reach.find(q.pred);
      if (rq != reach.end())
        for (const auto& [from, same_step] : rq->second)
          for (int at = 1; at <= std::min(q.time - (same_step ? 0 : 1), last_time); ++at) {
            auto rel = r.at[size_t(at)].find(from);
            if (rel == r.at[size_t(at)].end()) continue;
            for (const auto& [tup, f] : rel->second)
              causes.premises.push_back(node({from, tup, at}));
          }
      g.derivs[size_t(self)].push_back(std::move(causes));
      return self;
    };
    node({pred, t, time});
    for (size_t k = 0; k < todo.size(); ++k) {
      eval::Premise pm = todo[k];
      const eval::DFact* f = r.find(pm.pred, pm.tuple, pm.time);
      if (!f) continue;
      std::vector<Graph::Deriv> ds;
      for (const auto& d : f->derivations) {
        Graph::Deriv gd;
        gd.leaves = d.leaves;
        for (const auto& q : d.premises) gd.premises.push_back(node(q));
        if (negative)
          for (const auto& q : d.negatives) gd.premises.push_back(negative_node(q));
        ds.push_back(std::move(gd));
      }
      g.derivs[size_t(id[pm])] = std::move(ds);
    }
    return g;
  }

  /// For each node, the round at which it becomes derivable under `f` (-1: never).
  static std::vector<int> ranks(const Graph& g, const DRun& r, const Faults& f) {
    std::vector<int> rank(g.derivs.size(), -1);
    for (int round = 0;; ++round) {
      std::vector<int> next = rank;
      bool changed = false;
      for (size_t i = 0; i < g.derivs.size(); ++i) {
        if (rank[i] >= 0) continue;
        for (const auto& d : g.derivs[i]) {
          bool ok = std::all_of(d.premises.begin(), d.premises.end(),
                                [&](int p) { return rank[size_t(p)] >= 0; }) &&
                    std::none_of(d.leaves.begin(), d.leaves.end(),
                                 [&](int l) { return f.drops(r.channels[size_t(l)]); });
          if (ok) {
            next[i] = round;
            changed = true;
            break;
          }
        }
      }
      rank = std::move(next);
      if (!changed) return rank;
    }
  }

  /// The leaves of one derivation tree of the goal that survives `f`.
  static std::vector<int> witness(const Graph& g, const DRun& r, const Faults& f,
                                  const std::vector<int>& rank) {
    std::set<int> leaves;
    std::vector<bool> seen(g.derivs.size(), false);
    std::vector<int> stack{0};
    while (!stack.empty()) {
      int n = stack.back();
      stack.pop_back();
      if (seen[size_t(n)]) continue;
      seen[size_t(n)] = true;
      for (const auto& d : g.derivs[size_t(n)]) {
        bool ok = std::all_of(d.premises.begin(), d.premises.end(),
                              [&](int p) {
                                return rank[size_t(p)] >= 0 && rank[size_t(p)] < rank[size_t(n)];
                              }) &&
                  std::none_of(d.leaves.begin(), d.leaves.end(),
                               [&](int l) { return f.drops(r.channels[size_t(l)]); });
        if (!ok) continue;
        leaves.insert(d.leaves.begin(), d.leaves.end());
        for (int p : d.premises) stack.push_back(p);
        break;
      }
    }
    return {leaves.begin(), leaves.end()};
  }

  /// Fault sets extending `base` (within the model) under which the goal has no
  /// derivation left: iterative deepening on the number of added faults, each step
  /// dropping one leaf of a derivation tree that still survives.
  void falsifiers(const DRun& r, const Graph& g, const Faults& base, std::vector<Faults>& out) {
    std::map<std::string, int> first_send;
    for (const auto& msg : r.messages) {
      auto [it, fresh] = first_send.emplace(msg.channel.from, msg.channel.time);
      if (!fresh) it->second = std::min(it->second, msg.channel.time);
    }
    size_t budget = 4000;
    const size_t first = out.size();
    const size_t max_out = 64;
    std::map<Faults, int> visited;
    std::function<void(const Faults&, int)> go = [&](const Faults& f, int rem) {
      if (budget == 0 || out.size() >= max_out) return;
      if (std::any_of(out.begin() + long(first), out.end(),
                      [&](const Faults& o) { return contains(f, o); }))
        return;  // not minimal
      auto [it, fresh] = visited.emplace(f, rem);
      if (!fresh) {
        if (it->second >= rem) return;
        it->second = rem;
      }
      --budget;
      auto rank = ranks(g, r, f);
      if (rank[0] < 0) {
        Faults n = normalized(f);
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
        return;
      }
      if (rem == 0) return;
      auto wit = witness(g, r, f, rank);
      for (int id : wit) {
        const ChannelTime& c = r.channels[size_t(id)];
        const bool can_crash = !f.crashes.count(c.from) && int(f.crashes.size()) < m.crashes;
        if (c.to.empty()) {  // needs c.from alive: crash it, late first
          if (can_crash)
            for (int t = std::max(1, m.eot - 1); t >= 1; --t) {
              Faults h = f;
              h.crashes[c.from] = t;
              go(h, rem - 1);
            }
          continue;
        }
        if (c.time < m.eff) {
          Faults h = f;
          h.omissions.insert(c);
          go(h, rem - 1);
        }
        if (can_crash) {
          int lo = first_send.count(c.from) ? std::min(first_send[c.from], c.time) : 1;
          for (int t = c.time; t >= lo; --t) {
            Faults h = f;
            h.crashes[c.from] = t;
            go(h, rem - 1);
          }
        }
      }
    };
    for (int depth = 1; depth <= 8 && budget > 0 && out.size() < max_out; ++depth) go(base, depth);
  }

  void lineage_search() {
    res.strategy = "lineage";
    // Candidates, fewest faults first, then in the order found.
    std::deque<Faults> queue;
    auto expand = [&](const DRun& r, const Faults& base) {
      std::vector<Faults> cands;
      for (const auto& g : r.table("post", m.eot)) {
        if (!good.count(g)) continue;
        Graph graph = build(r, "post", g, m.eot, m.negative_support);
        falsifiers(r, graph, base, cands);
      }
      std::sort(cands.begin(), cands.end(), [](const Faults& a, const Faults& b) {
        size_t x = a.omissions.size() + a.crashes.size(), y = b.omissions.size() + b.crashes.size();
        return x != y ? x < y : a < b;
      });
      for (auto& c : cands)
        if (seen.insert(c).second) queue.push_back(std::move(c));
    };
    expand(res.failure_free, Faults{});
    while (!queue.empty()) {
      if (res.runs >= m.max_runs) {
        res.complete = false;
        return;
      }
      Faults f = std::move(queue.front());
      queue.pop_front();
      auto r = run(f);
      if (!r) return;
      auto v = violations(*r);
      if (!v.empty()) {
        found(f, std::move(*r), std::move(v));
        return;
      }
      expand(*r, f);
    }
  }

  void found(const Faults& f, DRun r, std::vector<DTuple> missing) {
    res.counterexample = true;
    res.faults = f;
    res.missing = std::move(missing);
    res.provenance = eval::explain(p, res.failure_free, "post", res.missing.front(), m.eot);
    std::set<std::string> now;
    if (const eval::DFact* f = res.failure_free.find("post", res.missing.front(), m.eot))
      for (const auto& d : f->derivations)
        for (const auto& q : d.negatives)
          for (const auto& t : r.table(q.pred, q.time))
            now.insert(eval::to_string(q.pred, t) + "@" + std::to_string(q.time));
    res.now_true.assign(now.begin(), now.end());
    res.failing = std::move(r);
  }

  void brute_force() {
    res.strategy = "brute force";
    std::vector<ChannelTime> chans;
    for (const auto& a : m.nodes)
      for (const auto& b : m.nodes)
        if (a != b)
          for (int t = 1; t < m.eff; ++t) chans.push_back({a, b, t});
    // crash choices: for each node, none or a time 1..eot
    std::vector<std::map<std::string, int>> crash_sets{{}};
    for (const auto& n : m.nodes) {
      std::vector<std::map<std::string, int>> more;
      for (const auto& cs : crash_sets) {
        more.push_back(cs);
        if (int(cs.size()) < m.crashes)
          for (int t = 1; t <= m.eot; ++t) {
            auto c = cs;
            c[n] = t;
            more.push_back(c);
          }
      }
      crash_sets = std::move(more);
    }
    if (chans.size() > 20) {
      res.complete = false;
      return;
    }
    for (const auto& cs : crash_sets)
      for (unsigned long mask = 0; mask < (1ul << chans.size()); ++mask) {
        if (res.runs >= m.max_runs) {
          res.complete = false;
          return;
        }
        Faults f;
        f.crashes = cs;
        for (size_t i = 0; i < chans.size(); ++i)
          if (mask & (1ul << i)) f.omissions.insert(chans[i]);
        f = normalized(f);
        if (f.empty() || !seen.insert(f).second) continue;
        auto r = run(f);
        if (!r) return;
        auto v = violations(*r);
        if (!v.empty()) {
          found(f, std::move(*r), std::move(v));
          return;
        }
      }
  }
};

}  // namespace

std::optional<FaultSearchResult> search_faults(const dedalus::MProgram& p, const FaultModel& m,
                                               Diagnostics& diags) {
  Search s(p, m, diags);
  s.res.fault_space = fault_space_size(m);
  if (!p.arity.count("post")) {
    diags.error("calm-verify-no-invariant",
                "the program has no 'post' relation: fault injection checks that post holds "
                "wherever pre holds at the end of time (docs/verify.md)",
                SourceLocation{p.files.empty() ? "" : p.files.front(), 0, 0});
    return std::nullopt;
  }
  auto ff = s.run(Faults{});
  if (!ff) return std::nullopt;
  s.res.failure_free = std::move(*ff);
  for (const auto& g : s.res.failure_free.table("post", m.eot)) s.good.insert(g);
  s.res.good.assign(s.good.begin(), s.good.end());
  if (m.brute_force) {
    s.brute_force();
  } else {
    s.lineage_search();
    // Lineage kept only the first alternatives of some tuple: finish by brute force
    // when the space is small enough.
    if (!s.failed && !s.res.counterexample && s.res.failure_free.truncated &&
        s.res.fault_space <= 5000)
      s.brute_force();
  }
  if (s.failed) return std::nullopt;
  return std::move(s.res);
}

}  // namespace calm::verify
