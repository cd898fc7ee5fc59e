#pragma once

#include <compare>
#include <string>

namespace calm {

/// A place in a source file. Lines and columns are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return line > 0; }
  auto operator<=>(const SourceLocation&) const = default;
};

/// "file:line:col", or just "file" when the position is unknown.
std::string to_string(const SourceLocation& loc);

}  // namespace calm
