// libFuzzer harness: scenario JSON -> parse_scenario -> checked against a fixed
// program -> Simulation (nodes, network, clock) run for a bounded number of steps.
// The program is held in memory (a replicated counter with a channel, a table, a
// negation and an aggregate), so every node of every scenario runs it; the bytes
// drive the nodes, facts, network model, clock, limits and expectations.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "eval/scenario.h"
#include "eval/simulation.h"
#include "frontend/loader.h"

namespace {

const char* kProgram = R"(class FuzzNode
  include Bud
  state do
    interface input, :put, [:key] => [:val]
    interface input, :peer, [:addr]
    table :store, [:key] => [:val]
    table :peers, [:addr]
    channel :gossip, [:@addr, :key] => [:val]
    scratch :fresh, [:key, :val]
    scratch :counts, [:key] => [:n]
    periodic :tick, 1
  end
  bloom do
    peers <= peer
    fresh <= put.notin(store, :key => :key)
    store <+ fresh
    gossip <~ (fresh * peers).pairs { |f, p| [p.addr, f.key, f.val] }
    store <+ gossip { |g| [g.key, g.val] }
    counts <= store.group([:key], count)
  end
end
)";

const calm::Program* fuzz_program() {
  static std::unique_ptr<calm::LoadResult> load = [] {
    calm::LoadOptions o;
    o.files = {"fuzz_node.rb"};
    o.memory_files["fuzz_node.rb"] = kProgram;
    return std::make_unique<calm::LoadResult>(calm::load_programs(o));
  }();
  return load->programs.empty() ? nullptr : &load->programs.front();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const calm::Program* program = fuzz_program();
  if (!program) __builtin_trap();  // the fixed program must load
  calm::Diagnostics diags;
  std::string text(reinterpret_cast<const char*>(data), size);
  std::optional<calm::eval::Scenario> scenario =
      calm::eval::parse_scenario(text, "fuzz.json", diags);
  if (!scenario || scenario->nodes.empty() || scenario->nodes.size() > 8) return 0;
  // Keep each run short: the fuzzer looks for crashes, not for long simulations.
  scenario->steps = std::min<int64_t>(scenario->steps, 20);
  if (scenario->max_facts <= 0 || scenario->max_facts > 5000) scenario->max_facts = 5000;
  calm::eval::ScenarioPrograms programs;
  programs.use(*program, scenario->nodes.size());
  if (!calm::eval::check_scenario(*scenario, programs, diags)) return 0;
  auto sim = calm::eval::Simulation::create(*scenario, programs, {}, diags);
  if (!sim) return 0;
  calm::eval::SimulationOutcome outcome = sim->run();
  (void)outcome;
  return 0;
}
