#pragma once

// One self-contained HTML page for a reviewer: per program the dataflow diagram (inline
// SVG), a summary, the consistency label of each output with its inputs and causes (and
// per input -> output path, collapsed), the guesses and memories, the points of order
// with their source lines quoted (the offending operator highlighted), the coordination
// each point needs and its cost per input, the temporal clusters with a cycle through
// each, and the underspecified interfaces. Clicking a point of order, a cause or a
// cluster highlights its element in the diagram. No network
// resources: inline CSS, inline JS, inline SVG. Everything from the program is
// HTML-escaped.

#include <map>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "model/program.h"
#include "viz/diagram.h"

namespace calm::viz {

/// `text` with & < > " ' escaped: safe in element content and in quoted attributes.
std::string html_escape(const std::string& text);

/// A part of a source line to highlight (1-based byte column).
struct Highlight {
  int column = 0;
  int length = 0;
  std::string css_class;  ///< "op" (the rule's operator) or "offender" (notin, group, ...)
  auto operator<=>(const Highlight&) const = default;
};

/// `line`, HTML-escaped, with each highlight wrapped in <mark class="...">. Highlights
/// outside the line, or overlapping an earlier one, are ignored.
std::string highlight_line(const std::string& line, std::vector<Highlight> highlights);

/// Where to highlight a rule's source: its operator, and the method or collection that
/// makes each non-monotonic reference so, keyed by line.
std::map<int, std::vector<Highlight>> rule_highlights(const Program& program, const Rule& rule,
                                                      const std::string& source);

struct HtmlReportOptions {
  DiagramOptions diagram;  ///< id_prefix is set per program
  std::string title = "calm report";
  std::string tool_version;        ///< shown in the footer
  std::vector<std::string> files;  ///< the files analyzed, shown in the header
  /// Parts of the input that could not be read (the load's errors): listed, with their
  /// source lines, at the top of the page ("Not read"), so that a partial report is
  /// never mistaken for a complete one. The diagrams mark them too (diagram.not_read).
  std::vector<Diagnostic> not_read;
};

struct HtmlReportResult {
  bool ok = false;
  std::string html;
  std::string error;
};

/// The report for `programs`; `sources` (path -> text) are the loaded files, for quoting.
/// Fails only when a diagram cannot be built or rendered.
HtmlReportResult build_html_report(const std::vector<Program>& programs,
                                   const std::map<std::string, std::string>& sources,
                                   const HtmlReportOptions& options);

}  // namespace calm::viz
