#pragma once

#include <compare>
#include <cstddef>
#include <string>
#include <string_view>

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

/// Where byte `offset` of `text` (the contents of `file`) is: its line, and its column
/// counted in bytes. An offset past the end is the end.
SourceLocation location_at(std::string file, std::string_view text, size_t offset);

}  // namespace calm
