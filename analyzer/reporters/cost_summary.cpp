#include "reporters/cost_summary.h"

#include <algorithm>
#include <sstream>

#include "analysis/program_analysis.h"

namespace calm {

namespace {

std::string joined(const std::vector<std::string>& v, const std::string& empty) {
  if (v.empty()) return empty;
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

std::string pad(const std::string& s, size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string cost_summary_text(const std::vector<Program>& programs, bool paths) {
  std::vector<const Program*> sorted;
  for (const auto& p : programs) sorted.push_back(&p);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Program* a, const Program* b) { return a->name < b->name; });
  std::ostringstream out;
  for (const Program* p : sorted) {
    ProgramAnalysis a(*p);
    out << "coordination cost of " << p->name << ":\n";
    const auto& costs = a.coordination().costs();
    size_t w = 6;
    for (const auto& c : costs) w = std::max(w, c.input.size() + 2);
    out << "  " << pad("input", w) << pad("points of order", 17) << pad("per message", 13)
        << "the others wait for\n";
    for (const auto& c : costs)
      out << "  " << pad(c.input, w) << pad(std::to_string(c.distributed_points), 17)
          << pad(std::to_string(c.per_message), 13) << joined(c.gated_by, "-") << "\n";
    if (costs.empty()) out << "  (no inputs)\n";
    out << "  outputs:";
    const auto& labels = a.labels().output_labels();
    if (labels.empty()) out << " (none)";
    for (size_t i = 0; i < labels.size(); ++i)
      out << (i ? ", " : " ") << labels[i].output << " " << to_string(labels[i].label);
    out << "\n";
    if (paths)
      for (const auto& pl : a.labels().path_labels())
        out << "    path " << pl.input << " -> " << pl.output << ": " << to_string(pl.label)
            << "\n";
  }
  return out.str();
}

}  // namespace calm
