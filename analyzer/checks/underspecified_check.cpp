#include "checks/underspecified_check.h"

namespace calm {

void UnderspecifiedCheck::check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const {
  const Program& program = analysis.program();
  for (const auto& u : analysis.sources_sinks().underspecified()) {
    const Collection* c = program.find(u.collection);
    Finding f;
    f.check = kId;
    f.severity = Severity::Note;
    f.program = program.name;
    if (u.direction == Direction::Input)
      f.message = "underspecified input interface " + u.collection +
                  ": no output interface is reachable from it";
    else
      f.message = "underspecified output interface " + u.collection + ": no rule writes it";
    if (c) {
      f.location = c->location;
      f.modules.push_back(c->module);
    }
    f.statement = f.location;
    f.fingerprint = make_fingerprint({program.name, kId, u.collection, to_string(u.direction)});
    out.push_back(std::move(f));
  }
}

}  // namespace calm
