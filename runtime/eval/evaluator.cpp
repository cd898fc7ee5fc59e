#include "eval/evaluator.h"

#include <algorithm>
#include <set>

#include "eval/node_state.h"
#include "graph/dependency_graph.h"
#include "graph/stratification.h"

namespace calm::eval {

Node::Node(std::unique_ptr<State> state) : state_(std::move(state)) {}
Node::~Node() = default;

namespace {

/// Instance variables `e` reads (`@name`), and those it assigns (`@name = ...`).
void instance_variables_in(const Expr& e, std::set<std::string>& read,
                           std::set<std::string>& assigned) {
  if (e.type == "instance_variable") read.insert(e.text);
  if (e.type == "assignment" || e.type == "operator_assignment")
    if (const Expr* left = e.child("left"); left && left->type == "instance_variable")
      assigned.insert(left->text);
  for (const auto& c : e.children) instance_variables_in(c, read, assigned);
}

/// An instance variable that rules read but no method of the program assigns is nil in
/// Ruby (Bud runs such programs: `@addy` in the kvs and cart protocols); it gets nil
/// unless the options give it a value. One that a method (`initialize`, ...) assigns
/// still needs a value from the options, since the evaluator does not run methods.
void default_unassigned_instance_variables(const Program& program,
                                           std::map<std::string, Value>& values) {
  std::set<std::string> read, assigned, unused;
  for (const auto& r : program.rules) instance_variables_in(r.rhs, read, unused);
  for (const auto& h : program.helpers) instance_variables_in(h.def, read, assigned);
  for (const auto& c : program.constants) instance_variables_in(c.value, read, assigned);
  for (const auto& name : read)
    if (!assigned.count(name) && name != "@local_addr" && name != "@ip_port" && name != "@budtime")
      values.try_emplace(name, Value());
}

}  // namespace

namespace {

using NameSet = std::set<std::string, std::less<>>;

/// Whether `e` has a node whose text is one of `names` (an identifier, a method name, a
/// constant: conservatively, any use of the name).
bool names_any(const Expr& e, const NameSet& names) {
  if (names.count(e.text)) return true;
  for (const auto& c : e.children)
    if (names_any(c, names)) return true;
  return false;
}

/// The clock and the random generator: Bud's budtime and bud_clock, Ruby's Time, rand
/// and srand, and Bud's choose_rand (an aggregate, or argagg's `:choose_rand`), which
/// draws from the node's generator.
const NameSet kClockNames = {"budtime", "@budtime", "bud_clock",   "Time",        "rand",
                             "srand",   "Random",   "choose_rand", ":choose_rand"};
/// What writes to stdio (Kernel#p and pp are refused: docs/evaluator.md, "Ruby subset").
const NameSet kPrintNames = {"puts", "print"};

bool reads_clock(const Expr& e) { return names_any(e, kClockNames); }

/// See NodePlan::memoizable.
std::vector<char> memoizable_rules(const Program& p) {
  NameSet avoid = kClockNames;
  avoid.insert(kPrintNames.begin(), kPrintNames.end());
  for (const auto& h : p.helpers) avoid.insert(h.name);
  // A constant is evaluated where a rule names it, so a rule naming one reads what the
  // constant's value reads: a constant that names an avoided name (through other
  // constants too) or a collection (which Rule::refs would not list) is avoided as well.
  NameSet reads = avoid;
  for (const auto& c : p.collections) reads.insert(c.name);
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& c : p.constants)
      if (!avoid.count(c.name) && names_any(c.value, reads)) {
        avoid.insert(c.name);
        reads.insert(c.name);
        grew = true;
      }
  }
  std::vector<char> out(p.rules.size(), 0);
  for (const auto& r : p.rules)
    out[size_t(r.id)] = r.op != RuleOp::Append && !r.bootstrap && !names_any(r.rhs, avoid);
  return out;
}

bool timeless(const Program& p) {
  for (const auto& r : p.rules)
    if (reads_clock(r.rhs)) return false;
  for (const auto& h : p.helpers)
    if (reads_clock(h.def)) return false;
  for (const auto& c : p.constants)
    if (reads_clock(c.value)) return false;
  return true;
}

}  // namespace

std::shared_ptr<const NodePlan> Node::plan(const Program& program, const NodeOptions& options,
                                           Diagnostics& diags) {
  auto plan = std::make_shared<NodePlan>();
  plan->program = &program;
  plan->instance_variables = options.instance_variables;
  default_unassigned_instance_variables(program, plan->instance_variables);
  size_t before = diags.size();
  std::map<std::string, size_t> coll_at;  // name -> index in plan->colls
  for (const auto& c : program.collections) {
    CollectionLayout cs;
    cs.decl = &c;
    cs.inferred =
        c.schema_inferred || (c.keys.empty() && c.values.empty() &&
                              (c.kind == CollectionKind::Temp || c.kind == CollectionKind::View));
    if (!cs.inferred) {
      std::vector<std::string> cols = c.keys;
      cols.insert(cols.end(), c.values.begin(), c.values.end());
      for (const auto& col : cols)
        if (col.find('(') != std::string::npos)
          diags.error("calm-eval-unsupported",
                      "unsupported construct schema placeholder '" + col + "' in '" + c.name + "'",
                      c.location);
      cs.schema = make_schema(cols);
      cs.all_key = c.values.empty();
      if (!cs.all_key)
        for (size_t i = 0; i < c.keys.size(); ++i) cs.key_cols.push_back(i);
    }
    if (c.kind == CollectionKind::Lattice && is_lattice_type(c.lattice)) {
      cs.lattice = c.lattice;
      cs.schema = make_schema({"val"});
    }
    coll_at.emplace(c.name, plan->colls.size());
    plan->colls.push_back(std::move(cs));
  }
  std::set<std::string> collection_names;
  for (const auto& c : program.collections) collection_names.insert(c.name);
  for (const auto& r : program.rules) {
    if (!r.bootstrap) {  // bootstrap rules run once, before the dataflow
      plan->in_rules.insert(r.lhs);
      for (const auto& ref : r.refs) plan->in_rules.insert(ref.collection);
    }
    if (r.rhs.type.empty()) {
      diags.error("calm-eval-unsupported",
                  "this rule has no expression to run (a JSON program IR carries the "
                  "dependencies only); the evaluator runs Bud and Dedalus programs",
                  r.location);
      continue;
    }
    check_supported(r.rhs, r.location.file, diags, program.helpers, program.constants,
                    plan->instance_variables, collection_names);
    auto it = coll_at.find(r.lhs);
    if (it == coll_at.end()) {
      diags.error("calm-eval-error", "rule writes to undeclared collection '" + r.lhs + "'",
                  r.location);
      continue;
    }
    std::vector<std::string> used = {r.lhs};
    for (const auto& ref : r.refs) used.push_back(ref.collection);
    for (const auto& name : used) {
      auto ci = coll_at.find(name);
      if (ci == coll_at.end()) {
        diags.error("calm-eval-error", "rule uses undeclared collection '" + name + "'",
                    r.location);
        continue;
      }
      const CollectionLayout& used_coll = plan->colls[ci->second];
      CollectionKind k = used_coll.decl->kind;
      if (k == CollectionKind::Store || k == CollectionKind::FileReader)
        diags.error("calm-eval-unsupported",
                    std::string("unsupported construct ") + to_string(k) + " collection '" + name +
                        "' (stores and file readers are not evaluated)",
                    r.location);
      if (k == CollectionKind::Lattice && used_coll.lattice.empty())
        diags.error("calm-eval-unsupported",
                    "unsupported construct user-defined lattice type '" + used_coll.decl->lattice +
                        "' of '" + name + "'",
                    r.location);
    }
    if (!plan->colls[it->second].lattice.empty() && r.op != RuleOp::Merge &&
        r.op != RuleOp::Deferred && r.op != RuleOp::Append)
      diags.error("calm-eval-unsupported",
                  std::string("unsupported construct operator '") + to_string(r.op) +
                      "' on lattice '" + r.lhs + "' (Bud merges into lattices with <= and <+)",
                  r.op_location);
    if (r.op == RuleOp::Append && !r.bootstrap)
      diags.error("calm-eval-unsupported", "unsupported construct operator '<<' outside bootstrap",
                  r.op_location);
  }
  plan->timeless = timeless(program);
  plan->memoizable = memoizable_rules(program);
  DependencyGraph graph(program);
  Stratification strata(program, graph);
  if (!strata.stratifiable()) diags.append(strata.diagnostics());
  if (diags.size() != before) return nullptr;
  for (const auto& r : program.rules)
    plan->rule_labels.push_back("rule at " + to_string(r.location));
  const std::vector<int>& stratum_of = strata.strata();
  plan->strata.assign(size_t(std::max(0, strata.top_stratum())) + 1, {});
  for (const auto& r : program.rules) {
    if (r.bootstrap) {
      plan->bootstrap_rules.push_back(r.id);
    } else if (r.op == RuleOp::Merge) {
      auto node = graph.find(r.lhs);
      plan->strata[node ? size_t(stratum_of[*node]) : 0].push_back(r.id);
    } else {
      plan->deferred_rules.push_back(r.id);
    }
  }
  return plan;
}

std::unique_ptr<Node> Node::create(std::shared_ptr<const NodePlan> plan, NodeOptions options) {
  options.instance_variables = plan->instance_variables;
  auto st = std::make_unique<State>(*plan->program, std::move(options));
  for (const auto& c : plan->colls) {
    CollectionState cs;
    static_cast<CollectionLayout&>(cs) = c;
    cs.rows.set_key(cs.key_cols, cs.all_key, cs.schema ? cs.schema->size() : 0);
    auto& placed = st->colls.emplace(c.decl->name, std::move(cs)).first->second;
    if (!placed.lattice.empty()) st->set_value(placed, lattice_bottom(placed.lattice));
  }
  for (auto& [name, cs] : st->colls) st->coll_index.emplace(name, &cs);
  for (const auto& c : plan->colls) st->in_program_order.push_back(st->find_state(c.decl->name));
  st->in_rules = plan->in_rules;
  st->strata = plan->strata;
  st->deferred_rules = plan->deferred_rules;
  st->bootstrap_rules = plan->bootstrap_rules;
  st->plan = std::move(plan);
  return std::unique_ptr<Node>(new Node(std::move(st)));
}

std::unique_ptr<Node> Node::create(std::shared_ptr<const NodePlan> plan, NodeOptions options,
                                   std::unique_ptr<Node> spare) {
  if (!spare || spare->state_->plan != plan) return create(std::move(plan), std::move(options));
  State& st = *spare->state_;
  options.instance_variables = plan->instance_variables;
  // A rule's memo is a function of the contents it read (State::RuleMemo): it holds for
  // the new run too, unless what else a rule reads (ip_port) or how it runs changed.
  if (options.address != st.options.address || options.seminaive != st.options.seminaive) {
    st.memos.clear();
    st.stratum_memos.clear();
    st.invariant_calls_.clear();  // an invariant call may read ip_port
  }
  st.options = std::move(options);
  st.address_value = Value::string(st.options.address);
  st.seed_random();
  st.total_facts = 0;
  st.idle_fixpoint = false;
  st.skipped_steps = 0;
  for (const auto& c : plan->colls) {
    CollectionState& cs = *st.find_state(c.decl->name);
    static_cast<CollectionLayout&>(cs) = c;  // an inferred schema is unknown again
    cs.rows.clear();
    cs.pending_insert.clear();
    cs.pending_delete.clear();
    cs.pending_upsert.clear();
    cs.pending_key.clear();
    cs.outbox.clear();
    cs.outbox_key.clear();
    cs.why.clear();
    cs.value = cs.pending_value = Value();
    cs.has_pending_value = false;
    cs.pending_rule = -1;
    if (!cs.lattice.empty()) st.set_value(cs, lattice_bottom(cs.lattice));
  }
  st.budtime = 0;
  st.failed = false;
  st.loopback.clear();
  st.rule = nullptr;
  st.recording = nullptr;
  st.delta_site = nullptr;
  st.stratum_heads = nullptr;
  st.delta_tuples = nullptr;
  st.merge_target = nullptr;
  st.merge_rhs = nullptr;
  st.merge_added = nullptr;
  st.merge_inserted = 0;
  st.last_inserted = nullptr;
  st.printed.clear();
  st.sites.clear();
  // Kept: each rule's plans, names and compiled blocks (the program's, and this node's
  // collection states, which stay). Which calls were checked depends on schemas, which
  // inferred collections find again.
  for (auto& n : st.rule_names) n.checked.clear();
  st.spare_names = {};
  st.names = &st.spare_names;
  return spare;
}

std::unique_ptr<Node> Node::create(const Program& program, NodeOptions options,
                                   Diagnostics& diags) {
  auto p = plan(program, options, diags);
  return p ? create(std::move(p), std::move(options)) : nullptr;
}

namespace {

/// Sorts a step's messages (Message's order) as std::sort would. flush_outboxes gives
/// them grouped by collection, the groups in the order of their names (the node's map of
/// collections), so only each group needs sorting, by address and tuple, and a group
/// already in order costs one pass.
void sort_sent(std::vector<Message>& sent) {
  auto by_address_and_tuple = [](const Message& a, const Message& b) {
    if (int c = Value::compare(a.address, b.address); c != 0) return c < 0;
    return a.tuple < b.tuple;
  };
  for (auto first = sent.begin(); first != sent.end();) {
    auto last = std::find_if(first, sent.end(),
                             [&](const Message& m) { return m.collection != first->collection; });
    if (last != sent.end() && last->collection < first->collection) {
      std::sort(sent.begin(), sent.end());  // not grouped as flush_outboxes groups them
      return;
    }
    if (!std::is_sorted(first, last, by_address_and_tuple))
      std::sort(first, last, by_address_and_tuple);
    first = last;
  }
}

}  // namespace

StepResult Node::step(const StepInput& input) {
  State& s = *state_;
  StepResult out;
  out.budtime = s.budtime;
  if (s.failed) {
    out.ok = false;
    out.diagnostics.error("calm-eval-error", "the node stopped after a failed timestep", {});
    return out;
  }
  if (s.budtime == 0 && !s.options.unrunnable.empty()) {
    out.ok = false;
    s.failed = true;
    for (const auto& d : s.options.unrunnable) out.diagnostics.add(d);
    s.budtime++;
    return out;
  }
  // A timeless node at an idle fixpoint, without input: this timestep would be the last
  // one again, changing nothing (provenance would re-date scratch facts: not skipped).
  const bool idle_start = s.options.reuse_results && s.plan->timeless && !s.prov() &&
                          input.facts.empty() && s.budtime > 0 && !s.anything_pending();
  if (idle_start && s.idle_fixpoint) {
    s.budtime++;
    s.skipped_steps++;
    return out;
  }
  s.idle_fixpoint = false;
  if (idle_start) {
    s.summary_before.clear();
    summary(s.summary_before);
  }
  try {
    s.begin_step(input);
    s.stratum_heads = nullptr;
    if (s.budtime == 0) s.run_bootstrap();
    for (size_t i = 0; i < s.strata.size(); ++i) s.run_stratum(i);
    s.stratum_heads = nullptr;
    for (int id : s.deferred_rules) s.apply_deferred(s.program.rules[size_t(id)]);
    s.flush_outboxes(out.sent);
  } catch (const EvalError& e) {
    out.ok = false;
    s.failed = true;
    out.diagnostics.error(e.check, e.message, e.location);
  }
  sort_sent(out.sent);
  out.printed = std::move(s.printed);
  s.printed.clear();
  if (idle_start && out.ok && out.sent.empty() && out.printed.empty() && !s.anything_pending()) {
    // Unchanged: every collection has the size and fingerprint it had (a collision is
    // about 2^-64 per collection).
    size_t n = s.summary_before.size();
    summary(s.summary_before);
    s.idle_fixpoint = std::equal(s.summary_before.begin(), s.summary_before.begin() + long(n),
                                 s.summary_before.begin() + long(n), s.summary_before.end());
  }
  s.budtime++;
  return out;
}

const TupleSet& Node::contents(const std::string& collection) const {
  return state_->contents(collection);
}
size_t Node::size(const std::string& collection) const {
  const CollectionState* cs = state_->find_state(collection);
  return cs ? cs->rows.size() : 0;
}
uint64_t Node::fingerprint(const std::string& collection) const {
  const CollectionState* cs = state_->find_state(collection);
  return cs ? cs->rows.fingerprint() : 0;
}
void Node::summary(std::vector<std::pair<size_t, uint64_t>>& out) const {
  for (const CollectionState* cs : state_->in_program_order)
    out.push_back({cs->rows.size(), cs->rows.fingerprint()});
}
int64_t Node::budtime() const { return state_->budtime; }
const std::vector<std::vector<int>>& Node::strata() const { return state_->strata; }
const std::string& Node::address() const { return state_->options.address; }

std::optional<Derivation> Node::derivation(const std::string& collection, const Tuple& t) const {
  auto it = state_->colls.find(collection);
  if (it == state_->colls.end()) return std::nullopt;
  auto w = it->second.why.find(t);
  if (w == it->second.why.end()) return std::nullopt;
  return w->second;
}

std::optional<Value> Node::lattice(const std::string& collection) const {
  auto it = state_->colls.find(collection);
  if (it == state_->colls.end() || it->second.lattice.empty()) return std::nullopt;
  return it->second.value;
}

bool Node::drew_random() const { return state_->drew_random; }
size_t Node::skipped_steps() const { return state_->skipped_steps; }

bool Node::State::anything_pending() const {
  if (!loopback.empty()) return true;
  for (const auto& [name, cs] : colls)
    if (cs.has_pending()) return true;
  return false;
}

const char* to_string(Derivation::Kind k) {
  switch (k) {
    case Derivation::Rule:
      return "rule";
    case Derivation::Input:
      return "input";
    case Derivation::Message:
      return "message";
    case Derivation::Deferred:
      return "deferred";
  }
  return "rule";
}

}  // namespace calm::eval
