#include "checks/check_registry.h"

#include "checks/output_label_check.h"
#include "checks/point_of_order_check.h"
#include "checks/temporal_cluster_check.h"
#include "checks/underspecified_check.h"
#include "checks/unstratifiable_check.h"

namespace calm {

namespace {
/// A row of the table: the id's severity and summary are the registry's
/// (base/diagnostic_ids.h), so a misspelt id does not compile.
CheckEntry entry(DiagnosticId id, const char* description, const ProgramCheck* check) {
  const DiagnosticIdRow& row = id.row();
  return {row.id, row.severity, row.summary, description, check};
}
}  // namespace

const std::vector<CheckEntry>& check_table() {
  static const PointOfOrderCheck point_of_order;
  static const LocalPointOfOrderCheck local_point_of_order;
  static const TemporalClusterCheck temporal_cluster;
  static const UnstratifiableCheck unstratifiable;
  static const UnderspecifiedCheck underspecified;
  static const OutputLabelCheck output_label;
  // One row per check.
  static const std::vector<CheckEntry> table = {
      entry(PointOfOrderCheck::kId,
            "The rule has a point of order (CIDR 2011, section 4.4): a non-monotonic dependency "
            "(aggregation, negation, deletion, upsert, a non-monotone lattice method) or a "
            "dependency entering or leaving a temporal cluster, and an input of it arrives from "
            "other nodes. Replicas that see the same messages in different orders can disagree "
            "here unless the inputs are coordinated (sealed, ordered, or behind a barrier) or "
            "the rule is made monotone.",
            &point_of_order),
      entry(LocalPointOfOrderCheck::kId,
            "The rule has a point of order (CIDR 2011, section 4.4), but the coordination "
            "analysis classifies it as local: every input of the rule is complete on this node "
            "within a timestep, so Bud's stratification evaluates it after its inputs and no "
            "coordination between nodes is needed. Reported as a note; --disable "
            "calm-local-point-of-order turns it off.",
            &local_point_of_order),
      entry(TemporalClusterCheck::kId,
            "A strongly connected set of collections whose internal dependencies include a "
            "non-monotonic and a temporal edge (CIDR 2011, section 4.4). Its contents depend on "
            "the order of the inputs that enter it; every edge crossing its border is a point of "
            "order. The cycle is given as notes, one per step.",
            &temporal_cluster),
      entry(UnstratifiableCheck::kId,
            "Bud cannot evaluate the program: within one timestep a collection depends on "
            "itself through negation or aggregation. Break the cycle with a temporal operator "
            "(<+) or remove the non-monotonic step.",
            &unstratifiable),
      entry(UnderspecifiedCheck::kId,
            "An input interface from which no output interface is reachable, or an output "
            "interface that no rule writes (the paper's \"??\"). The analysis of this program "
            "alone cannot say whether the missing part adds points of order.",
            &underspecified),
      entry(OutputLabelCheck::kId,
            "Each output (output interface, channel or stdio the program writes) gets a label "
            "from the lattice confluent < async, non-monotonic < diffluent. A diffluent output "
            "(asynchronous input reaching a point of order, or an unguarded race of two channels) "
            "is a warning; a non-monotonic one (order-dependent at one node) is a note. The "
            "causes, with their locations, are notes.",
            &output_label),
      entry("calm-parse-error",
            "The file has a syntax error, so calm cannot read its Bloom rules; nothing in it is "
            "analysed until it parses.",
            nullptr),
      entry("calm-unknown-collection",
            "The rule reads or writes a name that no state block of the program (or of the "
            "modules it includes or imports) declares, so its dependencies are unknown.",
            nullptr),
      entry("calm-bad-suppression",
            "Suppression comments must name known checks and give a reason after `--`; "
            "`calm:coordinated` must sit above a module or class, or at the top of its body. "
            "A bad marker suppresses nothing.",
            nullptr),
      entry("calm-unused-suppression",
            "The finding it was written for is gone (fixed, moved, or never there). Remove the "
            "comment so it cannot hide a future point of order by accident.",
            nullptr),
  };
  return table;
}

const CheckEntry* find_check(const std::string& id) {
  for (const auto& e : check_table())
    if (id == e.id) return &e;
  return nullptr;
}

std::vector<std::string> check_ids() {
  std::vector<std::string> ids;
  for (const auto& e : check_table()) ids.push_back(e.id);
  return ids;
}

namespace {
/// A note explaining each "Module::name" collection a finding's message names.
void explain_overridden_names(const Program& program, Finding& f) {
  for (const auto& c : program.collections)
    if (c.name.find("::") != std::string::npos && f.message.find(c.name) != std::string::npos)
      if (auto text = overridden_interface_text(program, c.name))
        f.notes.push_back({*text, c.location});
}
}  // namespace

void run_program_checks(const ProgramAnalysis& analysis, const std::set<std::string>& disabled,
                        std::vector<Finding>& out) {
  size_t first = out.size();
  for (const auto& e : check_table())
    if (e.program_check && !disabled.count(e.id)) e.program_check->check(analysis, out);
  for (size_t i = first; i < out.size(); ++i) explain_overridden_names(analysis.program(), out[i]);
}

}  // namespace calm
