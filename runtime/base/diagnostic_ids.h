#pragma once

// The one registry of diagnostic ids: every "calm-..." id a diagnostic or a finding can
// carry, with its default severity, a one-line summary and its page
// (docs/checks/<id>.md), as rustc keeps its error codes. The check table
// (checks/check_registry.cpp), the loader's ids, SARIF's rules and the docs index read
// it; tests/base/diagnostic_ids_test.cpp checks that every row has its page, every page
// its row, and every "calm-..." literal of the sources is a row.
//
// Code names an id with a string literal converted to DiagnosticId at compile time:
//   diags.error("calm-bad-scenario", "...", loc);
// compiles, and the same call with calm-bad-scenaro does not: it is no row.
// An id only known at run time (a check object's, one read from a file) goes through
// find_diagnostic_id, which may return nullptr.

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>

#include "base/severity.h"

namespace calm {

/// One row of the registry.
struct DiagnosticIdRow {
  const char* id;       ///< stable kebab-case id, "calm-..."
  Severity severity;    ///< the default severity (some ids are also used at another one)
  const char* summary;  ///< one sentence (SARIF's shortDescription)

  /// The page that documents the id, relative to the repository: "docs/checks/<id>.md".
  std::string page() const { return std::string("docs/checks/") + id + ".md"; }
};

inline constexpr DiagnosticIdRow kDiagnosticIds[] = {
    // The checks over analysed programs (checks/check_registry.cpp).
    {"calm-point-of-order", Severity::Warning,
     "A rule whose result can depend on the order messages arrive in."},
    {"calm-local-point-of-order", Severity::Note,
     "A point of order resolved on one node, without communication."},
    {"calm-temporal-cluster", Severity::Warning,
     "A cycle of state carried across timesteps through a non-monotonic step."},
    {"calm-unstratifiable", Severity::Error,
     "A cycle of instantaneous dependencies through a non-monotonic edge."},
    {"calm-underspecified", Severity::Note,
     "An interface whose dataflow the program does not complete."},
    {"calm-output-label", Severity::Warning,
     "An output whose contents can depend on the order messages arrive in."},
    // Suppression comments (checks/suppressions.cpp).
    {"calm-bad-suppression", Severity::Warning,
     "A calm:allow or calm:coordinated comment that calm cannot use."},
    {"calm-unused-suppression", Severity::Note, "A suppression comment that suppresses nothing."},
    // Reading the input: files and the front ends (frontend/), passed through by
    // `calm check` as findings (checks/loader_findings.cpp).
    {"calm-parse-error", Severity::Error, "The Ruby source could not be parsed."},
    {"calm-unknown-collection", Severity::Error,
     "A rule names a collection the program does not declare."},
    {"calm-io-error", Severity::Error, "An input file that cannot be read, or an unknown --lang."},
    {"calm-unknown-module", Severity::Error,
     "A module or class named by -m, include or import that the files read do not define."},
    {"calm-unresolved-require", Severity::Warning,
     "A require of a file calm cannot find; the modules it defines are not loaded."},
    {"calm-bad-declaration", Severity::Error,
     "A collection declaration calm cannot read, or reads with a caveat."},
    {"calm-not-a-declaration", Severity::Warning,
     "A statement of a state block that is not a collection declaration; ignored."},
    {"calm-not-a-rule", Severity::Warning,
     "A statement of a bloom block that is not a Bloom rule; ignored."},
    {"calm-bootstrap-code", Severity::Warning,
     "Ruby code in a bootstrap block that writes collections; calm does not run it."},
    {"calm-duplicate-collection", Severity::Error, "A collection declared twice in one program."},
    {"calm-bad-import", Severity::Error,
     "An import that is malformed, conflicts with another, or makes the program too large."},
    {"calm-cyclic-include", Severity::Error,
     "Modules that include or import themselves, or include each other too deeply."},
    {"calm-syndicate-opaque", Severity::Warning,
     "A Syndicate form or call calm does not model; the graph is approximate there."},
    {"calm-error", Severity::Error, "A problem reported without an id of its own."},
    // The evaluator (eval/): calm run, calm verify.
    {"calm-eval-unsupported", Severity::Error, "A construct the evaluator does not run."},
    {"calm-eval-error", Severity::Error,
     "An error while running a timestep, where Ruby or Bud would raise."},
    {"calm-eval-limit", Severity::Error, "A run that passed one of the evaluator's limits."},
    {"calm-key-conflict", Severity::Error,
     "Two different facts with one key in one collection, which Bud refuses."},
    {"calm-eval-undeliverable", Severity::Warning,
     "A message sent to an address no node of the scenario has; dropped."},
    // The commands' own inputs and verdicts (cli/, config/, verify/).
    {"calm-config", Severity::Error, "A .calm.json configuration calm cannot use."},
    {"calm-bad-baseline", Severity::Error, "A baseline file calm cannot use."},
    {"calm-bad-report", Severity::Error, "A JSON report given to calm diff that calm cannot use."},
    {"calm-bad-scenario", Severity::Error, "A scenario or facts file calm cannot use."},
    {"calm-expectation-failed", Severity::Error, "A scenario expectation the run did not meet."},
    {"calm-verify-failed", Severity::Error,
     "calm verify could not run the scenario under any schedule."},
    {"calm-verify-no-invariant", Severity::Error,
     "A Dedalus program without the post relation fault injection checks."},
};

/// The row of `id`, or nullptr: for ids held at run time.
/// The row number of `id`, or the number of rows when there is none. (Compile-time
/// checks compare row numbers, not addresses: GCC's -fsanitize=undefined makes comparing
/// a global's address with nullptr not a constant expression.)
constexpr std::size_t diagnostic_id_index(std::string_view id) {
  std::size_t i = 0;
  for (; i < std::size(kDiagnosticIds); ++i)
    if (id == kDiagnosticIds[i].id) break;
  return i;
}

constexpr const DiagnosticIdRow* find_diagnostic_id(std::string_view id) {
  std::size_t i = diagnostic_id_index(id);
  return i < std::size(kDiagnosticIds) ? &kDiagnosticIds[i] : nullptr;
}

namespace detail {
/// Never defined: a constant evaluation that reaches it fails, which is how a misspelt
/// id literal becomes a compile error that names the registry.
void unknown_diagnostic_id_see_kDiagnosticIds();

/// The row number of a registered id; an unregistered one fails the constant evaluation.
consteval std::size_t registered_index(const char* id) {
  std::size_t i = diagnostic_id_index(id);
  if (i == std::size(kDiagnosticIds)) unknown_diagnostic_id_see_kDiagnosticIds();
  return i;
}

consteval bool registry_well_formed() {
  for (std::size_t i = 0; i < std::size(kDiagnosticIds); ++i) {
    const DiagnosticIdRow& a = kDiagnosticIds[i];
    std::string_view id = a.id;
    if (!id.starts_with("calm-") || id.size() == 5 || id.back() == '-') return false;
    for (char c : id)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    if (diagnostic_id_index(id) != i) return false;  // a duplicate
    if (std::string_view(a.summary).empty()) return false;
  }
  return true;
}
static_assert(registry_well_formed(), "ids are unique kebab-case \"calm-...\" with a summary");
}  // namespace detail

/// A registered id. Made from a string literal at compile time (an id that is not a
/// row of kDiagnosticIds does not compile), or from a row found at run time.
/// A default member initializer or default argument must name a `constexpr DiagnosticId`
/// rather than a literal: clang 14 does not evaluate a consteval constructor there and
/// leaves an unresolved call to registered_index (tests/base/diagnostic_ids_test.cpp).
class DiagnosticId {
 public:
  consteval DiagnosticId(const char* id) : row_(&kDiagnosticIds[detail::registered_index(id)]) {}
  constexpr explicit DiagnosticId(const DiagnosticIdRow& row) : row_(&row) {}

  constexpr const DiagnosticIdRow& row() const { return *row_; }
  constexpr const char* c_str() const { return row_->id; }
  std::string str() const { return row_->id; }

  friend constexpr bool operator==(DiagnosticId a, DiagnosticId b) { return a.row_ == b.row_; }

 private:
  const DiagnosticIdRow* row_;
};

/// A syntax error's id: the default of the front ends' error records (a default member
/// initializer must name a constant, see DiagnosticId).
inline constexpr DiagnosticId kParseError = "calm-parse-error";

}  // namespace calm
