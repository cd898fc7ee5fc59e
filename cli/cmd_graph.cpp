// `calm graph` and `calm html`: the dataflow diagrams (viz/) from the command line.

#include <algorithm>
#include <charconv>
#include <iostream>
#include <optional>

#include "analysis/program_analysis.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "viz/diagram.h"
#include "viz/graphviz_render.h"
#include "viz/html_report.h"

#ifndef CALM_VERSION
#define CALM_VERSION "0.0.0"
#endif

namespace calm::cli {

namespace {

constexpr const char* kGraphUsage =
    "usage: calm graph FILES... [-m MODULE]... [-I DIR]... -o OUT.svg|.dot|.png|.pdf\n"
    "                  [--format svg|dot|png|pdf] [--expanded] [--legend] [--by-module]\n"
    "                  [--no-labels] [--focus COLLECTION [--depth N]]\n"
    "\n"
    "Draws the dataflow of one program in the visual language of the CIDR 2011 paper\n"
    "(Figure 8): tables as rectangles, scratches, interfaces and channels as ovals, a\n"
    "temporal cluster as one red octagon, +/- on temporal edges (<+, <-), dashed\n"
    "asynchronous edges (<~), a white circle on non-monotonic edges, points of order in\n"
    "red, S and T for sources and sinks, a red ?? for underspecified dataflow. Outputs\n"
    "are filled by consistency label (green confluent, blue async, orange non-monotonic,\n"
    "purple diffluent), as budplot colours paths.\n"
    "Graphviz runs in-process; see docs/diagrams.md.\n"
    "\n"
    "  -o, --output FILE   where to write; the extension picks the format (default:\n"
    "                      DOT on stdout)\n"
    "  --format FMT        svg, dot, png or pdf (overrides the extension)\n"
    "  --expanded          draw each temporal cluster's members in a red box, with\n"
    "                      every edge, instead of one octagon\n"
    "  --legend            add the legend\n"
    "  --by-module         box the collections of each module\n"
    "  --no-labels         do not colour outputs by consistency label\n"
    "  --focus NAME        draw only the neighbourhood of this collection\n"
    "  --depth N           hops around --focus, in either direction (default 1)\n"
    "  -m, --module NAME   the program: these modules/classes mixed together; needed\n"
    "                      when the files hold several programs\n"
    "\n"
    "  --strict            stop on any error in the input (exit 2); by default the\n"
    "                      parts that could not be read are left out, listed in a red\n"
    "                      note in the drawing, and their collections drawn dashed\n"
    "  --verbose           also report requires that look like gems (`require 'uuid'`)\n"
    "\n"
    "exit status: 0 drawn (also when some parts could not be read), 2 usage error, no\n"
    "program could be read, or (--strict) any error in the input\n";

constexpr const char* kHtmlUsage =
    "usage: calm html FILES... [-m MODULE]... [-I DIR]... -o report.html [--expanded]\n"
    "                 [--legend] [--by-module] [--no-labels]\n"
    "\n"
    "Writes one self-contained HTML page (no network resources) with, per program, the\n"
    "interactive dataflow diagram (wheel to zoom, drag to pan, Fit and 1:1; click a\n"
    "collection for its neighbourhood, rules, points of order and causes; double-click a\n"
    "temporal cluster or module to expand or collapse it; search collections and rules),\n"
    "a summary, the consistency label of each output and its causes\n"
    "(per output and per input -> output path), the guesses, the points of order with\n"
    "their source lines (click one, or a cause, to highlight it in the diagram), the\n"
    "coordination each needs and its cost per input, the temporal clusters with a cycle\n"
    "through each, and the underspecified interfaces.\n"
    "\n"
    "  -o, --output FILE   where to write (default: stdout)\n"
    "  --expanded          show temporal clusters expanded first\n"
    "  --legend            add the legend to each diagram\n"
    "  --by-module         box the collections of each module\n"
    "  --no-labels         do not colour outputs by consistency label in the diagrams\n"
    "  --strict            stop on any error in the input (exit 2); by default the page\n"
    "                      lists the parts that could not be read (\"Not read\") and the\n"
    "                      diagrams mark them\n"
    "  --verbose           also report requires that look like gems (`require 'uuid'`)\n"
    "\n"
    "exit status: 0 written (also when some parts could not be read), 2 usage error, no\n"
    "program could be read, or (--strict) any error in the input\n";

bool diagram_options(const Options& o, viz::DiagramOptions& d) {
  d.expanded = has_flag(o, "expanded");
  d.legend = has_flag(o, "legend");
  d.by_module = has_flag(o, "by-module");
  d.labels = !has_flag(o, "no-labels");
  d.focus = extra_value(o, "focus", "");
  std::string depth = extra_value(o, "depth", "");
  if (depth.empty()) return true;
  if (d.focus.empty()) {
    std::cerr << "calm: --depth needs --focus\n";
    return false;
  }
  auto [end, ec] = std::from_chars(depth.data(), depth.data() + depth.size(), d.depth);
  if (ec != std::errc() || end != depth.data() + depth.size() || d.depth < 0) {
    std::cerr << "calm: --depth needs a number >= 0, not '" << depth << "'\n";
    return false;
  }
  return true;
}

/// What the diagrams show of the parts that could not be read: every error as a line of
/// the "not read" note, and the collections of `program` declared (or written by a
/// rule) at an error's line, marked.
void mark_unread(const std::vector<Diagnostic>& unread, const Program* program,
                 viz::DiagramOptions& d) {
  d.not_read.clear();
  for (const auto& e : unread) {
    std::string where = to_string(e.location);
    d.not_read.push_back((where.empty() ? std::string() : where + ": ") + e.message);
    if (!program || !e.location.known()) continue;
    for (const auto& c : program->collections)
      if (c.location.file == e.location.file && c.location.line == e.location.line)
        d.unread.emplace(c.name, e.message);
    for (const auto& r : program->rules) {
      int last = r.location.line + int(std::count(r.text.begin(), r.text.end(), '\n'));
      if (r.location.file == e.location.file && r.location.line <= e.location.line &&
          e.location.line <= last)
        d.unread.emplace(r.lhs, e.message);
    }
  }
}

bool write_or_report(const std::string& path, const std::string& content) {
  std::string error;
  if (!write_output(path, content, error)) {
    std::cerr << "calm: " << error << "\n";
    return false;
  }
  return true;
}

}  // namespace

/// calm graph: one program's diagram to a file.
int run_graph(const std::vector<std::string>& args) {
  Options o;
  if (int rc = parse_or_usage(
          args, kGraphUsage, o,
          {"--expanded", "--legend", "--by-module", "--no-labels", "--strict", "--verbose"},
          {"--focus", "--depth"});
      rc >= 0)
    return rc;
  std::optional<viz::ImageFormat> format;
  if (!o.format.empty()) {
    format = viz::image_format_from_name(o.format);
    if (!format) {
      std::cerr << "calm: unknown format '" << o.format << "' (svg, dot, png or pdf)\n";
      return kExitError;
    }
  } else if (o.output.empty() || o.output == "-") {
    format = viz::ImageFormat::Dot;
  } else {
    format = viz::image_format_from_path(o.output);
    if (!format) {
      std::cerr << "calm: cannot tell the format from '" << o.output
                << "': use a .svg, .dot, .png or .pdf name, or --format\n";
      return kExitError;
    }
  }
  if ((*format == viz::ImageFormat::Png || *format == viz::ImageFormat::Pdf) &&
      (o.output.empty() || o.output == "-")) {
    std::cerr << "calm: " << viz::to_string(*format) << " is binary: write it to a file with -o\n";
    return kExitError;
  }
  viz::DiagramOptions dopt;
  if (!diagram_options(o, dopt)) return kExitError;

  LoadResult r;
  if (!load_for_command(o, r)) return kExitError;
  if (r.programs.size() > 1) {
    std::cerr << "calm: the files hold " << r.programs.size() << " programs (";
    for (size_t i = 0; i < r.programs.size(); ++i)
      std::cerr << (i ? ", " : "") << r.programs[i].name;
    std::cerr << "); draw one with -m NAME, or use 'calm html' for all\n";
    return kExitError;
  }
  ProgramAnalysis analysis(r.programs.front());
  mark_unread(unread_parts(r), &r.programs.front(), dopt);
  std::string error;
  std::optional<viz::Diagram> diagram = viz::build_diagram(analysis, dopt, error);
  if (!diagram) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  viz::RenderResult image = viz::render_diagram(*diagram, *format);
  if (!image.ok) {
    std::cerr << "calm: " << image.error << "\n";
    return kExitError;
  }
  return write_or_report(o.output, image.data) ? kExitOk : kExitError;
}

/// calm html: every program's diagram and findings in one page.
int run_html(const std::vector<std::string>& args) {
  Options o;
  if (int rc = parse_or_usage(
          args, kHtmlUsage, o,
          {"--expanded", "--legend", "--by-module", "--no-labels", "--strict", "--verbose"});
      rc >= 0)
    return rc;
  if (!o.format.empty() && o.format != "html") {
    std::cerr << "calm: unknown format '" << o.format << "' (the page is html)\n";
    return kExitError;
  }
  viz::HtmlReportOptions hopt;
  if (!diagram_options(o, hopt.diagram)) return kExitError;
  hopt.tool_version = CALM_VERSION;
  hopt.files = o.files;
  LoadResult r;
  if (!load_for_command(o, r)) return kExitError;
  hopt.not_read = unread_parts(r);
  // The collections each error concerns, in any program (names are per program, but a
  // collection declared at the error's line is the same declaration in each).
  for (const auto& p : r.programs) mark_unread(hopt.not_read, &p, hopt.diagram);
  viz::HtmlReportResult page = viz::build_html_report(r.programs, r.sources, hopt);
  if (!page.ok) {
    std::cerr << "calm: " << page.error << "\n";
    return kExitError;
  }
  return write_or_report(o.output, page.html) ? kExitOk : kExitError;
}

}  // namespace calm::cli

namespace calm::cli {

// The rows of the command table (commands.cpp). Constant-initialized: safe to copy into
// the table whenever commands() first runs.
constinit const Command kGraphCommand = {
    "graph", "draw a program's dataflow diagram (svg, dot, png, pdf)", kGraphUsage, run_graph};
constinit const Command kHtmlCommand = {"html", "write a self-contained HTML report with diagrams",
                                        kHtmlUsage, run_html};

}  // namespace calm::cli
