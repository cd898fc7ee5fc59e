#pragma once

// The editor's view of files: `file://` URIs, open documents with their unsaved text,
// and positions. calm locates by 1-based line and 1-based byte column; LSP positions are
// 0-based lines and, by default, UTF-16 code units (UTF-8 bytes when the client offers
// "utf-8" as its position encoding).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/source_location.h"

namespace calm::lsp {

/// "file:///a/b%20c.rb" -> "/a/b c.rb"; nullopt for another scheme or a relative path.
std::optional<std::string> uri_to_path(std::string_view uri);
/// An absolute path -> its file URI, percent-encoding what RFC 3986 requires.
std::string path_to_uri(std::string_view path);

enum class PositionEncoding { Utf16, Utf8 };

/// An LSP position: 0-based line, 0-based character in the position encoding.
struct Position {
  int line = 0;
  int character = 0;
  auto operator<=>(const Position&) const = default;
};
struct Range {
  Position start, end;
};

nlohmann::json to_json(const Position& p);
nlohmann::json to_json(const Range& r);
/// Reads {"line":..,"character":..}; nullopt when malformed.
std::optional<Position> position_from_json(const nlohmann::json& j);
std::optional<Range> range_from_json(const nlohmann::json& j);

/// A text with its line starts, converting between byte offsets, calm locations and
/// LSP positions.
class Text {
 public:
  Text() = default;
  explicit Text(std::string text);

  const std::string& str() const { return text_; }
  int line_count() const { return static_cast<int>(starts_.size()); }
  /// Line `line0` (0-based) without its line break; "" past the end.
  std::string_view line(int line0) const;
  /// The byte offset of an LSP position (clamped to the line, and to the text).
  size_t offset(const Position& p, PositionEncoding enc) const;
  /// The end of line `line0` (before its line break).
  Position line_end(int line0, PositionEncoding enc) const {
    return position(offset({line0, 1 << 30}, PositionEncoding::Utf8), enc);
  }
  /// The LSP position of a byte offset.
  Position position(size_t offset, PositionEncoding enc) const;
  /// The LSP position of a calm location (1-based line, 1-based byte column).
  Position position(const SourceLocation& loc, PositionEncoding enc) const;
  /// The calm location (1-based line and byte column) of an LSP position.
  std::pair<int, int> line_column(const Position& p, PositionEncoding enc) const;

  /// The range a finding at `loc` underlines: the identifier, operator or number that
  /// starts there, else one character (the line's end when the location is past it).
  Range token_range(const SourceLocation& loc, PositionEncoding enc) const;
  /// The word under a byte offset: an identifier, or a qualified name with its dots
  /// ("kvs.kvstate") and `::`; empty when none. `start` receives its first byte.
  std::string word_at(size_t offset, size_t* start = nullptr) const;

 private:
  std::string text_;
  std::vector<size_t> starts_;  ///< byte offset of every line
};

/// Applies one `contentChanges` entry of didChange: with a range, replaces it; without,
/// replaces everything. False when malformed.
bool apply_change(std::string& text, const nlohmann::json& change, PositionEncoding enc);

/// How the lines of an old text map onto a new one, for findings kept from an earlier
/// analysis while the file cannot be parsed: lines before the first changed line keep
/// their number, lines after the last changed one shift, lines in between are gone.
class LineMap {
 public:
  LineMap(std::string_view before, std::string_view after);
  /// The new 1-based line of an old 1-based line, or nullopt when it was edited.
  std::optional<int> map(int old_line) const;

 private:
  int prefix_ = 0;   ///< lines equal at the start
  int old_end_ = 0;  ///< first old line (0-based) of the equal suffix
  int shift_ = 0;    ///< new line - old line in the suffix
};

}  // namespace calm::lsp
