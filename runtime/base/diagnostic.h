#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/diagnostic_ids.h"
#include "base/severity.h"
#include "base/source_location.h"

namespace calm {

/// The severity to_string names ("note", "warning", "error"), or nullopt for any other
/// text (to_string(Severity) is in base/severity.h).
std::optional<Severity> severity_from_string(std::string_view s);

/// A secondary message attached to a diagnostic, with its own location.
struct DiagnosticNote {
  std::string message;
  SourceLocation location;
  auto operator<=>(const DiagnosticNote&) const = default;
};

/// Errors are values: libraries return diagnostics, only the CLI prints them.
struct Diagnostic {
  Severity severity = Severity::Error;
  std::string check;  ///< stable id, e.g. "calm-parse-error": a row of kDiagnosticIds
  std::string message;
  SourceLocation location;
  std::vector<DiagnosticNote> notes;
};

/// A sink for diagnostics that keeps them in a stable order (location, severity, text).
/// error/warning/note take the id as a DiagnosticId: a literal that is not a registered
/// id does not compile (base/diagnostic_ids.h).
class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void error(DiagnosticId check, std::string message, SourceLocation loc) {
    add({Severity::Error, check.str(), std::move(message), std::move(loc), {}});
  }
  void warning(DiagnosticId check, std::string message, SourceLocation loc) {
    add({Severity::Warning, check.str(), std::move(message), std::move(loc), {}});
  }
  void note(DiagnosticId check, std::string message, SourceLocation loc) {
    add({Severity::Note, check.str(), std::move(message), std::move(loc), {}});
  }
  void append(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
  }

  /// Moves the diagnostics out, leaving this sink empty.
  std::vector<Diagnostic> take() { return std::exchange(items_, {}); }

  bool has_errors() const;
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

  /// Sorted by (file, line, column, severity, check, message), duplicates removed.
  std::vector<Diagnostic> sorted() const;
  const std::vector<Diagnostic>& items() const { return items_; }

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace calm
