#include "cli/man_page.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace calm::cli {

const char* const kCalmDescription =
    "calm finds the points of order in Bloom (Bud) programs: the places where a\n"
    "result can depend on message order, so coordination is needed (CALM).\n";

namespace {

// The fixed sections of the man page: what is not the help of one command.

const char* const kManDescription =
    "calm reads distributed programs written in Bloom (Bud, the Ruby DSL) and finds\n"
    "their points of order, as in \"Consistency Analysis in Bloom: a CALM and Collected\n"
    "Approach\" (CIDR 2011). It builds the predicate dependency graph of a program,\n"
    "marks the non-monotonic edges (aggregation, negation, deletion), collapses the\n"
    "cycles that hold both a non-monotonic and a temporal edge into temporal\n"
    "clusters, and reports every non-monotonic edge and every edge into or out of a\n"
    "temporal cluster as a point of order, with the file, line and column of the rule\n"
    "that causes it. A program without points of order is confluent: its outputs do\n"
    "not depend on the order in which messages arrive.\n"
    "\n"
    "Programs are composed the way Bud's budplot does it: -m A -m B mixes the named\n"
    "modules (or a class) into one program; without -m, every class that includes Bud\n"
    "is a program, and if there is none, every module that no other module includes or\n"
    "imports. require 'x/y' is followed, looking in the file's directory, its parents,\n"
    "and -I DIR. Both Bud dialects are read: the 2011 paper's (def state, declare def,\n"
    "join [...]) and the current one (state do, bloom do, lattices, import).\n";

const char* const kManExitStatus =
    "0 success (for calm check: no finding at or above --fail-on; for calm diff: no\n"
    "point of order and no error added). calm model, report, graph and html also exit 0\n"
    "when some declarations or rules could not be read: they report them on stderr,\n"
    "leave them out and mark them in the output (the model lists them under \"not\n"
    "read\", diagrams draw a red note and dashed collections, the HTML page has a \"Not\n"
    "read\" section, the report lists them in its diagnostics).\n"
    "\n"
    "1 findings: calm check found problems, calm diff found added points of order or\n"
    "errors (a new unstratifiable cycle).\n"
    "\n"
    "2 usage or input error: a bad option, a file that cannot be read, an unknown\n"
    "module, a bad configuration, or nothing usable in the input (no program could be\n"
    "read). With --strict (model, report, graph, html, check), any error in the input,\n"
    "an unstratifiable program included. Every problem in the input is reported as\n"
    "file:line:col: error: message [check-id] with the source line and a caret.\n";

const char* const kManFiles =
    ".calm.json\n"
    "The configuration of calm check (programs, the paths to report on and to\n"
    "exclude, disabled checks, fail-on level, baseline), looked up from the working\n"
    "directory upwards; see config.md.\n"
    "\n"
    "share/doc/calm/\n"
    "The documentation: guide.md (a tutorial on the paper's case studies),\n"
    "architecture.md, report.md and report.schema.json (the JSON report),\n"
    "findings.md, ci.md, editors.md (calm lsp), diagrams.md, coordination.md, one page\n"
    "per check under\n"
    "checks/, and the license of the tree-sitter-ruby grammar.\n";

const char* const kManExamples[][2] = {
    {"calm check samples/kvs/kvs.rb -m BasicKVS",
     "the points of order and temporal clusters of the single-node key-value store"},
    {"calm check samples/cart/disorderly_cart.rb --summary",
     "the findings, then the coordination cost of each input"},
    {"calm graph samples/kvs/kvs.rb -m BasicKVS --legend -o kvs.svg",
     "its dataflow diagram, with the legend"},
    {"calm report samples/cart/destructive_cart.rb -o old.json",
     "the JSON report; compare two with calm diff old.json new.json"},
    {"calm html samples/cart/disorderly_cart.rb -o cart.html", "one page for a design review"},
};

const char* const kManSeeAlso =
    "dot(1). The documentation in share/doc/calm/ (guide.md first), and the CIDR 2011\n"
    "paper: Peter Alvaro, Neil Conway, Joseph M. Hellerstein, William R. Marczak,\n"
    "\"Consistency Analysis in Bloom: a CALM and Collected Approach\".\n";

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::size_t indent_of(const std::string& line) {
  std::size_t i = line.find_first_not_of(' ');
  return i == std::string::npos ? line.size() : i;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(' ');
  const auto e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// Plain text (possibly several lines) as troff text lines, one per input line.
std::string troff_lines(const std::string& text) {
  std::string out;
  for (const auto& line : lines_of(text)) out += line.empty() ? ".PP\n" : troff_escape(line) + "\n";
  return out;
}

/// An option line of a help text: "  TERM   description", the term starting with '-'
/// or an upper-case placeholder (FILES). Sets the term, the description and the
/// column the description starts at.
///
/// A term too long for the column is followed by a single space: when the previous
/// option line's description started at `previous_column` and this line has a word
/// boundary there, the description starts there too ("  --write-baseline FILE write").
bool split_option(const std::string& line, std::size_t previous_column, std::string& term,
                  std::string& description, std::size_t& column) {
  if (indent_of(line) != 2 || line.size() < 3) return false;
  const char first = line[2];
  if (first != '-' && !std::isupper(static_cast<unsigned char>(first))) return false;
  std::size_t gap = line.find("  ", 2);
  if (previous_column > 3 && previous_column < line.size() &&
      (gap == std::string::npos || gap > previous_column) && line[previous_column - 1] == ' ' &&
      line[previous_column] != ' ')
    gap = previous_column - 1;
  if (gap == std::string::npos) {
    term = line.substr(2);
    description.clear();
    column = line.size();
    return true;
  }
  term = line.substr(2, gap - 2);
  column = line.find_first_not_of(' ', gap);
  if (column == std::string::npos) return false;
  description = line.substr(column);
  return true;
}

}  // namespace

std::string troff_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

std::string overview_text(const std::vector<Command>& commands) {
  std::string out = "usage: calm <command> [options] FILES...\n\n";
  out += kCalmDescription;
  out += "\ncommands:\n";
  for (const auto& c : commands) {
    const std::string name = c.name;
    out += "  " + name + std::string(10 - std::min<std::size_t>(9, name.size()), ' ') + c.summary +
           "\n";
  }
  out +=
      "\n  help CMD  show the help of a command\n"
      "\nrun 'calm help COMMAND' or 'calm COMMAND --help' for details.\n";
  return out;
}

std::string help_to_troff(const std::string& help) {
  const auto lines = lines_of(help);
  std::string out;
  std::size_t i = 0;
  // The synopsis: "usage: calm X ..." and its continuation lines, aligned under it.
  if (i < lines.size() && starts_with(lines[i], "usage: ")) {
    out += ".nf\n";
    for (; i < lines.size() && !lines[i].empty(); ++i) {
      // Drop "usage: ", and the indent of continuation lines aligned under it.
      const std::size_t cut = i == 0 ? 7 : std::min<std::size_t>(7, indent_of(lines[i]));
      std::string line = lines[i].substr(cut);
      if (i == 0) {
        // "calm X" in bold.
        const auto second = line.find(' ', line.find(' ') + 1);
        const std::string head = line.substr(0, second);
        const std::string rest = second == std::string::npos ? "" : line.substr(second);
        out += "\\fB" + troff_escape(head) + "\\fR" + troff_escape(rest) + "\n";
      } else {
        out += troff_escape(line) + "\n";
      }
    }
    out += ".fi\n";
  }
  enum class State { Text, Option, Verbatim } state = State::Text;
  std::size_t description_column = 0;
  bool paragraph_open = false;  // a .PP is due before the next text line
  auto leave_verbatim = [&]() {
    if (state == State::Verbatim) out += ".fi\n.RE\n";
  };
  for (; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (trim(line).empty()) {
      leave_verbatim();
      state = State::Text;
      paragraph_open = true;
      continue;
    }
    std::string term, description;
    std::size_t column = 0;
    if (indent_of(line) == 0) {
      leave_verbatim();
      if (paragraph_open || state != State::Text) out += ".PP\n";
      paragraph_open = false;
      state = State::Text;
      out += troff_escape(line) + "\n";
    } else if (split_option(line, state == State::Option ? description_column : 0, term,
                            description, column)) {
      leave_verbatim();
      out += ".TP\n\\fB" + troff_escape(term) + "\\fR\n";
      if (!description.empty()) out += troff_escape(description) + "\n";
      state = State::Option;
      description_column = column;
      paragraph_open = false;
    } else if (state == State::Option && indent_of(line) >= description_column) {
      out += troff_escape(trim(line)) + "\n";
    } else {
      if (state != State::Verbatim) {
        if (state == State::Text && (paragraph_open || out.empty())) out += ".PP\n";
        out += ".RS 2\n.nf\n";
      }
      paragraph_open = false;
      state = State::Verbatim;
      out += troff_escape(line.substr(2)) + "\n";
    }
  }
  leave_verbatim();
  return out;
}

std::string man_page(const std::vector<Command>& commands, const std::string& version) {
  std::string out;
  out +=
      ".\\\" Generated by `calm help --man` from the help texts of cli/; do not\n"
      ".\\\" edit. Regenerate with: build/bin/calm help --man > docs/calm.1\n";
  out += ".TH CALM 1 \"\" \"calm " + troff_escape(version) + "\" \"User Commands\"\n";
  out += ".SH NAME\ncalm \\- find the points of order in Bloom programs\n";
  out += ".SH SYNOPSIS\n.nf\n";
  for (const auto& c : commands) {
    // The first line of the command's own synopsis.
    const auto usage = lines_of(c.usage);
    std::string first = usage.empty() ? "" : usage.front();
    if (starts_with(first, "usage: ")) first = first.substr(7);
    const std::string head = "calm " + std::string(c.name);
    if (starts_with(first, head)) first = first.substr(head.size());
    out += "\\fB" + troff_escape(head) + "\\fR" + troff_escape(first) + "\n";
  }
  out += "\\fBcalm help\\fR [\\fICOMMAND\\fR]\n\\fBcalm \\-\\-version\\fR\n.fi\n";
  out += ".SH DESCRIPTION\n" + troff_lines(kManDescription);
  out += ".SH COMMANDS\n";
  for (const auto& c : commands) {
    out += ".SS \"calm " + troff_escape(c.name) + "\"\n";
    out += troff_escape(c.summary) + ".\n.PP\n";
    out += help_to_troff(c.usage);
  }
  out += ".SS \"calm help\"\n";
  out +=
      "calm help COMMAND and calm COMMAND \\-\\-help print the help of a command, the text\n"
      "shown above; calm help and calm \\-\\-help list the commands.\n"
      "calm \\-\\-version prints the version.\n";
  out += ".SH \"EXIT STATUS\"\n" + troff_lines(kManExitStatus);
  out += ".SH FILES\n";
  {
    const auto lines = lines_of(kManFiles);
    bool tag = true;
    for (const auto& line : lines) {
      if (line.empty()) {
        tag = true;
        continue;
      }
      if (tag)
        out += ".TP\n\\fI" + troff_escape(line) + "\\fR\n";
      else
        out += troff_escape(line) + "\n";
      tag = false;
    }
  }
  out += ".SH EXAMPLES\n";
  for (const auto& e : kManExamples)
    out += ".TP\n\\fB" + troff_escape(e[0]) + "\\fR\n" + troff_escape(e[1]) + "\n";
  out += ".SH \"SEE ALSO\"\n" + troff_lines(kManSeeAlso);
  return out;
}

}  // namespace calm::cli
