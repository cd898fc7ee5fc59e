#pragma once

// Where findings about a rule point to.

#include <string>

#include "model/program.h"

namespace calm {

/// The rule's operator when known (where a finding about a dependency belongs), else the
/// start of the statement.
inline const SourceLocation& rule_point(const Rule& rule) {
  return rule.op_location.known() ? rule.op_location : rule.location;
}

/// "file:line" ("file" when the line is unknown).
inline std::string file_line(const SourceLocation& loc) {
  if (!loc.known()) return loc.file;
  return loc.file + ":" + std::to_string(loc.line);
}

/// The rule with this id, or nullptr when out of range.
inline const Rule* find_rule(const Program& program, int id) {
  if (id < 0 || static_cast<std::size_t>(id) >= program.rules.size()) return nullptr;
  return &program.rules[static_cast<std::size_t>(id)];
}

}  // namespace calm
