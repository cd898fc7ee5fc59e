#include "checks/output_label_check.h"

#include <algorithm>

namespace calm {

namespace {

std::string cause_text(const LabelCause& c) {
  if (c.kind == "point-of-order") return "point of order " + c.from + " -> " + c.to;
  if (c.kind == "channel-race")
    return "two channels' messages meet in the rule writing " + c.to +
           " with no table or lattice keeping one side";
  if (c.from == c.to) return c.from + " arrives asynchronously (from other nodes)";
  return "asynchronous edge " + c.from + " -> " + c.to + " (<~)";
}

}  // namespace

void OutputLabelCheck::check(const ProgramAnalysis& analysis, std::vector<Finding>& out) const {
  const Program& program = analysis.program();
  for (const OutputLabel& o : analysis.labels().output_labels()) {
    if (o.label != Label::Diffluent && o.label != Label::NonMonotonic) continue;
    // Bud's stdio (a built-in terminal): debug prints, not an output that needs coordination.
    if (const Collection* t = program.find(o.output);
        t && t->builtin && t->kind == CollectionKind::Terminal)
      continue;
    Finding f;
    f.check = kId;
    f.program = program.name;
    if (o.label == Label::Diffluent) {
      f.severity = Severity::Warning;
      f.message = "output " + o.output +
                  " is diffluent: its contents can differ between runs that deliver the same "
                  "messages in another order (asynchronous input reaches a point of order, or "
                  "channels race); coordinate at the points of order listed";
    } else {
      f.severity = Severity::Note;
      f.message = "output " + o.output +
                  " is non-monotonic: its contents depend on the order of inputs at a point of "
                  "order on one node";
    }
    const Collection* c = program.find(o.output);
    if (c) {
      f.location = c->location;
      f.modules.push_back(c->module);
    }
    f.statement = f.location;
    // Points of order first, then races, then the asynchronous steps; at most 12.
    std::vector<LabelCause> causes = o.causes;
    auto rank = [](const LabelCause& c) {
      return c.kind == "point-of-order" ? 0 : c.kind == "channel-race" ? 1 : 2;
    };
    std::stable_sort(causes.begin(), causes.end(),
                     [&](const LabelCause& a, const LabelCause& b) { return rank(a) < rank(b); });
    size_t shown = 0;
    for (const LabelCause& cause : causes) {
      if (cause.kind == "async" && o.label == Label::NonMonotonic) continue;
      if (++shown > 12) {
        f.notes.push_back(
            {"... and " + std::to_string(causes.size() - 12) + " more causes", f.location});
        break;
      }
      f.notes.push_back({cause_text(cause), cause.location});
      if (cause.rule >= 0 && cause.rule < int(program.rules.size()))
        f.modules.push_back(program.rules[cause.rule].module);
    }
    std::sort(f.modules.begin(), f.modules.end());
    f.modules.erase(std::unique(f.modules.begin(), f.modules.end()), f.modules.end());
    f.fingerprint = make_fingerprint({program.name, kId, o.output, to_string(o.label)});
    out.push_back(std::move(f));
  }
}

}  // namespace calm
