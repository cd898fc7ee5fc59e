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

  Search(const dedalus::MProgram& prog, const FaultModel& model, Diagnostics& d)
      : p(prog), m(model), diags(d) {}

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

  /// Minimal extensions of `base` that drop a message of every alternative of `lin`.
  void hitting_sets(const DRun& r, const eval::Lineage& lin, const Faults& base,
                    std::vector<Faults>& out) {
    std::map<std::string, int> first_send;
    for (const auto& msg : r.messages) {
      auto [it, fresh] = first_send.emplace(msg.channel.from, msg.channel.time);
      if (!fresh) it->second = std::min(it->second, msg.channel.time);
    }
    size_t budget = 20000;
    const size_t max_out = 64;
    std::function<void(const Faults&)> go = [&](const Faults& f) {
      if (budget == 0 || out.size() >= max_out) return;
      --budget;
      const std::vector<int>* open = nullptr;
      for (const auto& alt : lin) {
        bool hit = std::any_of(alt.begin(), alt.end(),
                               [&](int id) { return f.drops(r.channels[size_t(id)]); });
        if (!hit) {
          open = &alt;
          break;
        }
      }
      if (!open) {
        Faults n = normalized(f);
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
        return;
      }
      for (int id : *open) {
        const ChannelTime& c = r.channels[size_t(id)];
        if (c.time < m.eff) {
          Faults g = f;
          g.omissions.insert(c);
          go(g);
        }
        if (!f.crashes.count(c.from) && int(f.crashes.size()) < m.crashes) {
          int lo = first_send.count(c.from) ? first_send[c.from] : 1;
          for (int t = c.time; t >= std::min(lo, c.time); --t) {
            Faults g = f;
            g.crashes[c.from] = t;
            go(g);
          }
        }
      }
    };
    go(base);
  }

  void lineage_search() {
    res.strategy = "lineage";
    // Candidates, fewest faults first, then in the order found.
    std::deque<Faults> queue;
    std::function<void(const DRun&, const Faults&)> expand = [&](const DRun& r,
                                                                  const Faults& base) {
      std::vector<Faults> cands;
      for (const auto& g : r.table("post", m.eot)) {
        const eval::DFact* f = r.find("post", g, m.eot);
        if (!f || f->lineage.empty()) continue;
        if (std::any_of(f->lineage.begin(), f->lineage.end(),
                        [](const std::vector<int>& a) { return a.empty(); }))
          continue;  // rests on no message: no fault can falsify it
        hitting_sets(r, f->lineage, base, cands);
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
    if (!s.failed && !s.res.counterexample && s.res.failure_free.lineage_truncated &&
        s.res.fault_space <= 5000)
      s.brute_force();
  }
  if (s.failed) return std::nullopt;
  return std::move(s.res);
}

}  // namespace calm::verify
