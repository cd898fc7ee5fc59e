#pragma once

namespace calm {

/// How bad a diagnostic or a finding is; ordered (a note < a warning < an error).
enum class Severity { Note, Warning, Error };

/// "note", "warning", "error".
const char* to_string(Severity s);

}  // namespace calm
