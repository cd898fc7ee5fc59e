#include "eval/trace.h"

#include "eval/scenario_json.h"

namespace calm::eval {

std::vector<std::string> recorded_collections(const ScenarioNode& node, const Program& program) {
  if (node.record_given) return node.record;
  std::vector<std::string> out;
  for (const auto& c : program.collections)
    if (!c.builtin) out.push_back(c.name);
  return out;
}

TraceRecorder::TraceRecorder(const Scenario& scenario, const ScenarioPrograms& programs)
    : scenario_(scenario) {
  for (size_t i = 0; i < scenario.nodes.size(); ++i)
    record_.push_back(recorded_collections(scenario.nodes[i], programs.program(i)));
}

namespace {

nlohmann::json delivery_json(const Scenario& sc, const Delivery& d, bool incoming) {
  nlohmann::json j;
  j["collection"] = d.message.collection;
  j["fact"] = tuple_to_json(d.message.tuple);
  j["id"] = d.id;
  if (d.duplicate) j["duplicate"] = true;
  if (incoming) {
    j["from"] = sc.nodes[d.from].name;
    j["sent_at"] = d.sent_at;
  } else {
    j["address"] = value_to_json(d.message.address);
    if (!d.to) {
      j["fate"] = "undeliverable";
    } else {
      j["to"] = sc.nodes[*d.to].name;
      if (d.lost)
        j["fate"] = "lost";
      else
        j["deliver_at"] = d.deliver_at;
    }
  }
  return j;
}

}  // namespace

void TraceRecorder::on_node_step(const NodeStep& s) {
  nlohmann::json j;
  j["step"] = s.step;
  j["node"] = scenario_.nodes[s.node].name;
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& [coll, t] : s.inputs)
    inputs.push_back({{"collection", coll}, {"fact", tuple_to_json(t)}});
  j["inputs"] = inputs;
  nlohmann::json received = nlohmann::json::array();
  for (const auto& d : s.received) received.push_back(delivery_json(scenario_, d, true));
  j["received"] = received;
  nlohmann::json sent = nlohmann::json::array();
  for (const auto& d : s.sent) sent.push_back(delivery_json(scenario_, d, false));
  if (s.result)
    for (const auto& m : s.result->sent)
      if (m.address.is_nil())
        sent.push_back({{"collection", m.collection}, {"fact", tuple_to_json(m.tuple)}});
  j["sent"] = sent;
  nlohmann::json contents = nlohmann::json::object();
  if (s.state)
    for (const auto& name : record_[s.node]) {
      nlohmann::json facts = nlohmann::json::array();
      for (const auto& t : s.state->contents(name)) facts.push_back(tuple_to_json(t));
      contents[name] = facts;
    }
  j["contents"] = contents;
  if (s.result && !s.result->printed.empty()) j["printed"] = s.result->printed;
  if (s.result && !s.result->ok) j["failed"] = true;
  steps_.push_back(std::move(j));
}

nlohmann::json TraceRecorder::finish(const Simulation& sim,
                                     const SimulationOutcome& outcome) const {
  nlohmann::json j;
  j["format"] = "calm-trace/1";
  j["scenario"] = scenario_.path;
  j["seed"] = sim.seed();
  const NetworkModel& net = sim.network();
  j["network"] = {{"min_delay", net.min_delay},
                  {"max_delay", net.max_delay},
                  {"loss", net.loss},
                  {"duplicate", net.duplicate}};
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : scenario_.nodes) nodes.push_back({{"name", n.name}, {"address", n.address}});
  j["nodes"] = nodes;
  j["steps"] = steps_;
  nlohmann::json end;
  end["ok"] = outcome.ok;
  end["steps_run"] = outcome.steps_run;
  end["quiesced"] = outcome.quiesced;
  end["messages"] = {{"sent", outcome.messages_sent},
                     {"lost", outcome.messages_lost},
                     {"duplicated", outcome.messages_duplicated}};
  nlohmann::json ex = nlohmann::json::array();
  for (const auto& r : outcome.expectations) {
    nlohmann::json e;
    e["index"] = r.index;
    e["held"] = r.held;
    nlohmann::json missing = nlohmann::json::array(), unexpected = nlohmann::json::array();
    for (const auto& t : r.missing) missing.push_back(tuple_to_json(t));
    for (const auto& t : r.unexpected) unexpected.push_back(tuple_to_json(t));
    e["missing"] = missing;
    e["unexpected"] = unexpected;
    ex.push_back(e);
  }
  end["expectations"] = ex;
  j["outcome"] = end;
  return j;
}

}  // namespace calm::eval
