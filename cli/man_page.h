#pragma once

// One source for the help: `calm --help`, `calm help COMMAND`, `calm COMMAND --help`
// and the man page (docs/calm.1) are all made from the command table's help texts
// (commands.cpp) and the fixed sections below. `calm help --man` prints the man page;
// tests/docs/ fails when the committed docs/calm.1 differs from it.

#include <string>
#include <vector>

#include "cli/commands.h"

namespace calm::cli {

/// The one-paragraph description of calm, shown by `calm --help` and in the man page.
extern const char* const kCalmDescription;

/// The overview printed by `calm`, `calm --help` and `calm help`: usage, the
/// description, and one line per command.
std::string overview_text(const std::vector<Command>& commands);

/// A command's help text (the usage string of its row) as troff man macros: the
/// "usage:" lines become a synopsis, paragraphs stay paragraphs, option lines
/// ("  -o, --output FILE   where to write") become tagged paragraphs, other indented
/// lines are kept verbatim.
std::string help_to_troff(const std::string& help);

/// The whole man page calm(1): NAME, SYNOPSIS, DESCRIPTION, COMMANDS (every row of
/// `commands`, in table order), EXIT STATUS, FILES, EXAMPLES, SEE ALSO.
std::string man_page(const std::vector<Command>& commands, const std::string& version);

/// Escapes text for a troff text line: backslashes, hyphens (as \-), and a leading
/// '.' or '\''.
std::string troff_escape(const std::string& text);

}  // namespace calm::cli
