#include "eval/dedalus_engine.h"

#include <algorithm>
#include <climits>
#include <functional>
#include <sstream>

namespace calm::eval {

using dedalus::MAtom;
using dedalus::MProgram;
using dedalus::MRule;
using dedalus::MTerm;
using dedalus::MTime;

std::string to_string(const DValue& v) {
  if (auto* i = std::get_if<long long>(&v)) return std::to_string(*i);
  return "\"" + std::get<std::string>(v) + "\"";
}

std::string to_string(const std::string& pred, const DTuple& t) {
  std::string s = pred + "(";
  for (size_t i = 0; i < t.size(); ++i) s += (i ? ", " : "") + to_string(t[i]);
  return s + ")";
}

bool Faults::drops(const ChannelTime& c) const {
  if (c.to.empty()) return crashes.count(c.from) > 0;  // "c.from never crashes"
  if (c.from == c.to) return false;
  if (omissions.count(c)) return true;
  auto it = crashes.find(c.from);
  return it != crashes.end() && it->second <= c.time;
}

std::string to_string(const Faults& f) {
  std::string s;
  for (const auto& [n, t] : f.crashes)
    s += (s.empty() ? "" : ", ") + ("crash " + n + " at " + std::to_string(t));
  for (const auto& o : f.omissions)
    s += (s.empty() ? "" : ", ") +
         ("lose " + o.from + " -> " + o.to + " sent at " + std::to_string(o.time));
  return s.empty() ? "no faults" : s;
}

std::vector<DTuple> DRun::table(const std::string& pred, int t) const {
  std::vector<DTuple> out;
  if (t < 1 || t >= int(at.size())) return out;
  auto it = at[size_t(t)].find(pred);
  if (it == at[size_t(t)].end()) return out;
  for (const auto& [tup, f] : it->second) out.push_back(tup);
  return out;
}

const DFact* DRun::find(const std::string& pred, const DTuple& t, int time) const {
  if (time < 1 || time >= int(at.size())) return nullptr;
  auto it = at[size_t(time)].find(pred);
  if (it == at[size_t(time)].end()) return nullptr;
  auto jt = it->second.find(t);
  return jt == it->second.end() ? nullptr : &jt->second;
}

std::vector<std::string> default_nodes(const MProgram& p) {
  return {p.location_constants.begin(), p.location_constants.end()};
}

namespace {

using Env = std::map<std::string, DValue>;
using Relation = std::map<DTuple, DFact>;
using State = std::map<std::string, Relation>;

/// Adds `d` to `f` unless present or the cap is reached; true when added.
bool add_derivation(DFact& f, DDerivation d, size_t cap, bool& truncated) {
  std::sort(d.leaves.begin(), d.leaves.end());
  d.leaves.erase(std::unique(d.leaves.begin(), d.leaves.end()), d.leaves.end());
  std::sort(d.negatives.begin(), d.negatives.end());
  d.negatives.erase(std::unique(d.negatives.begin(), d.negatives.end()), d.negatives.end());
  if (std::find(f.derivations.begin(), f.derivations.end(), d) != f.derivations.end()) return false;
  if (f.derivations.size() >= cap) {
    truncated = true;
    return false;
  }
  f.derivations.push_back(std::move(d));
  return true;
}

std::optional<DValue> eval_term(const MTerm& t, const Env& env) {
  switch (t.kind) {
    case MTerm::Kind::Integer:
      return DValue(t.number);
    case MTerm::Kind::String:
      return DValue(t.text);
    case MTerm::Kind::Variable: {
      auto it = env.find(t.text);
      if (it == env.end()) return std::nullopt;
      return it->second;
    }
    case MTerm::Kind::Binary: {
      auto l = eval_term(t.args[0], env), r = eval_term(t.args[1], env);
      if (!l || !r) return std::nullopt;
      auto* a = std::get_if<long long>(&*l);
      auto* b = std::get_if<long long>(&*r);
      if (t.text == "+" && !a && !b)  // string concatenation
        return DValue(std::get<std::string>(*l) + std::get<std::string>(*r));
      if (!a || !b) return std::nullopt;
      long long v = 0;  // overflow: no value (the binding fails)
      if (t.text == "+")
        return __builtin_add_overflow(*a, *b, &v) ? std::nullopt : std::optional(DValue(v));
      if (t.text == "-")
        return __builtin_sub_overflow(*a, *b, &v) ? std::nullopt : std::optional(DValue(v));
      if (t.text == "*")
        return __builtin_mul_overflow(*a, *b, &v) ? std::nullopt : std::optional(DValue(v));
      if ((t.text == "/" || t.text == "%") && (*b == 0 || (*b == -1 && *a == LLONG_MIN)))
        return std::nullopt;
      if (t.text == "/") return DValue(*a / *b);
      if (t.text == "%") return DValue(*a % *b);
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

bool compare(const std::string& op, const DValue& a, const DValue& b) {
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  if (a.index() != b.index()) return false;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  return false;
}

/// Unifies an atom's arguments with a tuple; extends env.
bool unify(const MAtom& a, const DTuple& t, Env& env) {
  if (a.args.size() != t.size()) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    const MTerm& x = a.args[i];
    if (x.kind == MTerm::Kind::Wildcard) continue;
    if (x.kind == MTerm::Kind::Variable) {
      auto it = env.find(x.text);
      if (it == env.end())
        env.emplace(x.text, t[i]);
      else if (it->second != t[i])
        return false;
      continue;
    }
    auto v = eval_term(x, env);
    if (!v || *v != t[i]) return false;
  }
  return true;
}

struct Engine {
  const MProgram& p;
  const RunSpec& spec;
  DRun run;
  std::set<std::string> nodes;
  std::map<ChannelTime, int> channel_ids;
  int now = 0;

  Engine(const MProgram& prog, const RunSpec& s) : p(prog), spec(s) {
    nodes.insert(s.nodes.begin(), s.nodes.end());
    run.eot = s.eot;
    run.at.resize(size_t(std::max(0, s.eot)) + 1);
  }

  int channel_id(const ChannelTime& c) {
    auto [it, fresh] = channel_ids.emplace(c, int(run.channels.size()));
    if (fresh) run.channels.push_back(c);
    return it->second;
  }

  const Relation* relation(const MAtom& a, const State& cur) const {
    const State* s = &cur;
    if (a.time == MTime::At) {
      if (a.at < 1 || a.at > now) return nullptr;
      if (a.at < now) s = &run.at[size_t(a.at)];
    }
    auto it = s->find(a.predicate);
    return it == s->end() ? nullptr : &it->second;
  }

  /// Built-in relations at timestep t.
  void builtins(State& s, int t) {
    auto base = [&](Relation& rel, DTuple tup) {
      DFact& f = rel[std::move(tup)];
      if (f.derivations.empty()) f.derivations.push_back({});
    };
    for (const auto& [c, tc] : spec.faults.crashes)
      for (const auto& n : nodes) base(s["crash"], {DValue(n), DValue(c), DValue((long long)tc)});
    int sent = t - 1;
    if (sent >= 1)
      for (const auto& f : nodes)
        for (const auto& to : nodes)
          if (!spec.faults.drops({f, to, sent}))
            base(s["clock"], {DValue(f), DValue(to), DValue((long long)sent)});
  }

  using Emit = std::function<void(const Env&, const DDerivation&)>;

  /// Calls `emit(env, derivation)` for each way the body holds in `cur`.
  void solve(const MRule& r, const State& cur, const Emit& emit) {
    std::vector<const MAtom*> pos, neg;
    for (const auto& b : r.body) (b.negated ? neg : pos).push_back(&b);
    Env env;
    DDerivation d;
    std::function<void(size_t)> go = [&](size_t i) {
      if (i == pos.size()) {
        Env e = env;
        // conditions: `V == expr` binds V when unbound
        std::vector<const MTerm*> pending;
        for (const auto& c : r.conditions) pending.push_back(&c);
        bool progress = true;
        while (!pending.empty() && progress) {
          progress = false;
          for (size_t k = 0; k < pending.size(); ++k) {
            const MTerm& c = *pending[k];
            auto l = eval_term(c.args[0], e), rr = eval_term(c.args[1], e);
            if (l && rr) {
              if (!compare(c.text, *l, *rr)) return;
            } else if (c.text == "==" && !l && rr && c.args[0].kind == MTerm::Kind::Variable) {
              e[c.args[0].text] = *rr;
            } else if (c.text == "==" && l && !rr && c.args[1].kind == MTerm::Kind::Variable) {
              e[c.args[1].text] = *l;
            } else {
              continue;
            }
            pending.erase(pending.begin() + long(k));
            progress = true;
            break;
          }
        }
        if (!pending.empty()) return;
        DDerivation out = d;
        for (const MAtom* n : neg) {
          // `notin crash(_, N, _)`: holds only while N never crashes (negative support)
          if (n->predicate == "crash" && n->args.size() == 3)
            if (auto v = eval_term(n->args[1], e))
              if (auto* node = std::get_if<std::string>(&*v))
                out.leaves.push_back(channel_id({*node, "", 0}));
          if (const Relation* rel = relation(*n, cur))
            for (const auto& [tup, f] : *rel) {
              Env tmp = e;
              if (unify(*n, tup, tmp)) return;
            }
          if (!molly_builtin(n->predicate))
            out.negatives.push_back({n->predicate, {}, n->time == MTime::At ? int(n->at) : now});
        }
        emit(e, out);
        return;
      }
      const MAtom& a = *pos[i];
      const Relation* rel = relation(a, cur);
      if (!rel) return;
      for (const auto& [tup, f] : *rel) {
        Env saved = env;
        if (unify(a, tup, env)) {
          d.premises.push_back({a.predicate, tup, a.time == MTime::At ? int(a.at) : now});
          go(i + 1);
          d.premises.pop_back();
        }
        env = std::move(saved);
      }
    };
    go(0);
  }

  static bool molly_builtin(const std::string& pred) {
    return dedalus::molly_builtins().count(pred) > 0;
  }

  /// The rule's location (first column of its first body atom) is a node.
  bool located(const MRule& r, const Env& e) const {
    const MAtom& first = r.body.front();
    if (first.args.empty()) return true;
    auto v = eval_term(first.args[0], e);
    if (!v) return !nodes.empty();
    auto* s = std::get_if<std::string>(&*v);
    return s && nodes.count(*s);
  }

  /// The sender of an @async rule: its location.
  std::string location(const MRule& r, const Env& e) const {
    if (r.body.front().args.empty()) return "";
    if (auto v = eval_term(r.body.front().args[0], e))
      if (auto* s = std::get_if<std::string>(&*v)) return *s;
    return "";
  }

  bool is_agg(const MRule& r) const {
    return std::any_of(r.head.args.begin(), r.head.args.end(),
                       [](const MTerm& t) { return t.kind == MTerm::Kind::Aggregate; });
  }

  bool record(Relation& rel, const DTuple& t, int ri, DDerivation d) {
    auto [it, fresh] = rel.try_emplace(t);
    if (fresh) it->second.rule = ri;
    bool trunc = false;
    bool added = add_derivation(it->second, std::move(d), spec.derivation_cap, trunc);
    if (trunc) run.truncated = true;
    return added || fresh;
  }

  /// Evaluates rule `ri` on `cur`: calls `out(sender, tuple, derivation)` per result.
  void fire(size_t ri, const State& cur,
            const std::function<void(const std::string&, const DTuple&, DDerivation)>& out) {
    const MRule& r = p.rules[ri];
    if (!is_agg(r)) {
      solve(r, cur, [&](const Env& e, const DDerivation& d) {
        if (!located(r, e)) return;
        DTuple t;
        for (const auto& a : r.head.args) {
          auto v = eval_term(a, e);
          if (!v) return;
          t.push_back(*v);
        }
        out(location(r, e), t, d);
      });
      return;
    }
    // group -> distinct bindings of every body variable (Molly's `_vars` relation)
    std::map<std::pair<std::string, DTuple>, std::map<Env, DDerivation>> groups;
    solve(r, cur, [&](const Env& e, const DDerivation& d) {
      if (!located(r, e)) return;
      DTuple key;
      for (const auto& a : r.head.args) {
        if (a.kind == MTerm::Kind::Aggregate) continue;
        auto v = eval_term(a, e);
        if (!v) return;
        key.push_back(*v);
      }
      groups[{location(r, e), key}].try_emplace(e, d);
    });
    for (const auto& [gk, bindings] : groups) {
      const DTuple& key = gk.second;
      DTuple t;
      size_t k = 0;
      DDerivation all;
      for (const auto& [e, d] : bindings) {
        all.premises.insert(all.premises.end(), d.premises.begin(), d.premises.end());
        all.leaves.insert(all.leaves.end(), d.leaves.begin(), d.leaves.end());
        all.negatives.insert(all.negatives.end(), d.negatives.begin(), d.negatives.end());
      }
      std::sort(all.premises.begin(), all.premises.end());
      all.premises.erase(std::unique(all.premises.begin(), all.premises.end()), all.premises.end());
      bool ok = true;
      for (const auto& a : r.head.args) {
        if (a.kind != MTerm::Kind::Aggregate) {
          t.push_back(key[k++]);
          continue;
        }
        const std::string& var = a.args[0].text;
        if (a.text == "count") {
          t.push_back(DValue((long long)bindings.size()));
          continue;
        }
        std::vector<DValue> vals;
        for (const auto& [e, d] : bindings)
          if (auto it = e.find(var); it != e.end()) vals.push_back(it->second);
        if (vals.empty()) {
          ok = false;
          break;
        }
        if (a.text == "min") {
          t.push_back(*std::min_element(vals.begin(), vals.end()));
        } else if (a.text == "max") {
          t.push_back(*std::max_element(vals.begin(), vals.end()));
        } else {
          long long sum = 0;
          for (const auto& v : vals) {
            auto* i = std::get_if<long long>(&v);
            if (!i) {
              ok = false;
              break;
            }
            sum += *i;
          }
          if (a.text == "avg") sum /= (long long)vals.size();
          t.push_back(DValue(sum));
        }
      }
      if (ok) out(gk.first, t, std::move(all));
    }
  }

  std::vector<std::vector<size_t>> strata;  // deductive rules, SCC by SCC in order

  bool stratify(Diagnostics& diags) {
    // predicates of deductive rules
    std::map<std::string, int> id;
    std::vector<std::string> names;
    auto node = [&](const std::string& n) {
      auto [it, fresh] = id.emplace(n, int(names.size()));
      if (fresh) names.push_back(n);
      return it->second;
    };
    struct Edge {
      int from, to;
      bool neg;
      size_t rule;
      SourceLocation at;
    };
    std::vector<Edge> edges;
    for (size_t i = 0; i < p.rules.size(); ++i) {
      const MRule& r = p.rules[i];
      if (r.fact || r.head.time != MTime::Now) continue;
      int h = node(r.head.predicate);
      bool agg = is_agg(r);
      for (const auto& b : r.body)
        edges.push_back({node(b.predicate), h, b.negated || agg, i, b.location});
    }
    size_t n = names.size();
    std::vector<std::vector<int>> adj(n);
    for (const auto& e : edges) adj[size_t(e.from)].push_back(e.to);
    // Tarjan
    std::vector<int> index(n, -1), low(n, 0), comp(n, -1);
    std::vector<bool> on(n, false);
    std::vector<int> st;
    int counter = 0, ncomp = 0;
    std::function<void(int)> dfs = [&](int v) {
      index[size_t(v)] = low[size_t(v)] = counter++;
      st.push_back(v);
      on[size_t(v)] = true;
      for (int w : adj[size_t(v)]) {
        if (index[size_t(w)] < 0) {
          dfs(w);
          low[size_t(v)] = std::min(low[size_t(v)], low[size_t(w)]);
        } else if (on[size_t(w)]) {
          low[size_t(v)] = std::min(low[size_t(v)], index[size_t(w)]);
        }
      }
      if (low[size_t(v)] == index[size_t(v)]) {
        for (;;) {
          int w = st.back();
          st.pop_back();
          on[size_t(w)] = false;
          comp[size_t(w)] = ncomp;
          if (w == v) break;
        }
        ++ncomp;
      }
    };
    for (size_t v = 0; v < n; ++v)
      if (index[v] < 0) dfs(int(v));
    for (const auto& e : edges)
      if (e.neg && comp[size_t(e.from)] == comp[size_t(e.to)]) {
        diags.error("calm-unstratifiable",
                    "'" + p.rules[e.rule].head.predicate + "' depends on '" +
                        names[size_t(e.from)] + "' through " +
                        (p.rules[e.rule].body.empty() ? "" : "negation or aggregation") +
                        " within one timestep, recursively: the program has no stratified model "
                        "(move one rule to @next)",
                    e.at);
        return false;
      }
    // Tarjan numbers components in reverse topological order.
    strata.assign(size_t(ncomp), {});
    for (size_t i = 0; i < p.rules.size(); ++i) {
      const MRule& r = p.rules[i];
      if (r.fact || r.head.time != MTime::Now) continue;
      strata[size_t(ncomp - 1 - comp[size_t(id[r.head.predicate])])].push_back(i);
    }
    return true;
  }

  std::optional<SourceLocation> runaway;  ///< a stratum that did not converge

  void step(State& cur) {
    for (const auto& rules : strata) {
      if (rules.empty() || runaway) continue;
      for (int iter = 0;; ++iter) {
        size_t size = 0;
        for (const auto& [pred, rel] : cur) size += rel.size();
        if (iter >= 2000 || size > 1000000) {
          runaway = p.rules[rules.front()].location;
          return;
        }
        std::vector<std::tuple<std::string, DTuple, int, DDerivation>> found;
        for (size_t ri : rules)
          fire(ri, cur, [&](const std::string&, const DTuple& t, DDerivation d) {
            found.emplace_back(p.rules[ri].head.predicate, t, int(ri), std::move(d));
          });
        bool changed = false;
        for (auto& [pred, t, ri, d] : found)
          if (record(cur[pred], t, ri, std::move(d))) changed = true;
        if (!changed) break;
      }
    }
  }

  void go() {
    State next;  // tuples entering the next timestep
    for (now = 1; now <= spec.eot && !runaway; ++now) {
      State cur = std::move(next);
      next.clear();
      for (size_t i = 0; i < p.rules.size(); ++i) {
        const MRule& r = p.rules[i];
        if (!r.fact || r.head.at != now) continue;
        DTuple t;
        for (const auto& a : r.head.args) t.push_back(*eval_term(a, {}));
        record(cur[r.head.predicate], t, int(i), {});
      }
      builtins(cur, now);
      step(cur);
      // inductive and asynchronous rules, into now + 1
      for (size_t i = 0; i < p.rules.size(); ++i) {
        const MRule& r = p.rules[i];
        if (r.fact || r.head.time == MTime::Now) continue;
        fire(i, cur, [&](const std::string& from, const DTuple& tup, DDerivation d) {
          if (r.head.time == MTime::Async) {
            auto* to = tup.empty() ? nullptr : std::get_if<std::string>(&tup[0]);
            if (!to || !nodes.count(*to)) return;
            ChannelTime c{from.empty() ? *to : from, *to, now};
            if (c.from != c.to) {
              bool dropped = spec.faults.drops(c);
              run.messages.push_back({r.head.predicate, tup, c, !dropped});
              if (dropped) return;
              d.leaves.push_back(channel_id(c));
            }
          }
          if (now + 1 > spec.eot) return;
          Relation& rel = next[r.head.predicate];
          bool fresh = !rel.count(tup);
          record(rel, tup, int(i), std::move(d));
          if (fresh && r.head.time == MTime::Async) rel[tup].sent_at = now;
        });
      }
      run.at[size_t(now)] = std::move(cur);
    }
  }
};

}  // namespace

std::optional<DRun> run_dedalus(const MProgram& p, const RunSpec& spec, Diagnostics& diags) {
  Engine e(p, spec);
  if (!e.stratify(diags)) return std::nullopt;
  e.go();
  if (e.runaway) {
    diags.error("calm-eval-limit",
                "the rules of this stratum derive without end within one timestep (over "
                "a million tuples or 2000 rounds): arithmetic in a recursive rule? move "
                "it to @next",
                *e.runaway);
    return std::nullopt;
  }
  return std::move(e.run);
}

std::string explain(const MProgram& p, const DRun& run, const std::string& pred, const DTuple& t,
                    int time, int max_lines) {
  std::ostringstream out;
  int lines = 0;
  std::set<std::tuple<std::string, DTuple, int>> seen;
  std::function<void(const std::string&, const DTuple&, int, int)> go =
      [&](const std::string& pr, const DTuple& tup, int tm, int depth) {
        if (lines >= max_lines) return;
        const DFact* f = run.find(pr, tup, tm);
        out << std::string(size_t(depth) * 2, ' ') << to_string(pr, tup) << "@" << tm;
        ++lines;
        if (!f) {
          out << "  (absent)\n";
          return;
        }
        if (!seen.insert({pr, tup, tm}).second) {
          out << "  (above)\n";
          return;
        }
        if (f->rule < 0) {
          out << "  (built-in)\n";
          return;
        }
        const MRule& r = p.rules[size_t(f->rule)];
        if (r.fact || f->derivations.empty()) {
          out << "  fact " << to_string(r.location) << "\n";
          return;
        }
        out << "  by " << to_string(r.location);
        if (r.head.time == MTime::Async && f->sent_at)
          out << " (message sent at " << f->sent_at << ")";
        else if (r.head.time == MTime::Next)
          out << " (@next)";
        out << "\n";
        for (const auto& pm : f->derivations.front().premises)
          go(pm.pred, pm.tuple, pm.time, depth + 1);
      };
  go(pred, t, time, 0);
  if (lines >= max_lines) out << "  ...\n";
  return out.str();
}

}  // namespace calm::eval
