// `calm diff OLD.json NEW.json`: what a change does to the coordination cost.

#include <iostream>

#include "base/located_json.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "cli/options.h"
#include "cli/output.h"
#include "reporters/report_diff.h"

namespace calm::cli {

namespace {
constexpr const char* kDiffUsage =
    "usage: calm diff OLD.json NEW.json [--format text|markdown|json] [-o FILE]\n"
    "\n"
    "Compares two `calm report` outputs (docs/report.md) program by program: points of\n"
    "order, temporal clusters and (when the reports have them) output labels added and\n"
    "removed. Points of order are matched by their edge, kind and rule text, not by rule\n"
    "ids or lines, so moving code is no change. `--format markdown` suits a pull-request\n"
    "comment.\n"
    "\n"
    "Errors new in NEW.json (an unstratifiable cycle Bud would refuse to run, a\n"
    "declaration that cannot be read) come first, as \"error added: ...\".\n"
    "\n"
    "exit status: 0 no point of order or error added, 1 the new version adds points of\n"
    "order or errors,\n"
    "2 usage or input error (unreadable file, invalid JSON, unsupported schema_version)\n";

int usage_error(const std::string& message) {
  std::cerr << "calm: " << message << "\n" << usage_hint(kDiffUsage);
  return kExitError;
}
int run_diff(const std::vector<std::string>& args) {
  std::string error;
  auto parsed = parse_options(args, {}, {}, error);
  if (!parsed) return usage_error(error);
  const Options& o = *parsed;
  if (o.help) {
    std::cout << kDiffUsage;
    return kExitOk;
  }
  if (o.files.size() != 2) return usage_error("calm diff takes two reports, OLD.json NEW.json");
  if (!o.modules.empty() || !o.include_dirs.empty())
    return usage_error("calm diff reads reports, not programs (no -m or -I)");
  std::string format = o.format.empty() ? "text" : o.format;
  if (format != "text" && format != "markdown" && format != "json")
    return usage_error("unknown format '" + format + "' (text, markdown or json)");

  nlohmann::json reports[2];
  for (int i = 0; i < 2; ++i) {
    const std::string& path = o.files[size_t(i)];
    std::string text, pointer;
    Diagnostics diags;
    if (read_json_input(path, "calm-bad-report", text, reports[i], diags) &&
        !read_report(reports[i], error, &pointer))
      diags.error("calm-bad-report", error, JsonLocations(text, path).locate(pointer));
    if (diags.has_errors()) {
      for (const auto& d : diags.sorted()) std::cerr << format_diagnostic(d, {});
      return kExitError;
    }
  }
  ReportDiff diff = diff_reports(reports[0], reports[1]);
  std::string out = format == "json"       ? diff_json(diff).dump(2) + "\n"
                    : format == "markdown" ? diff_markdown(diff)
                                           : diff_text(diff);
  if (!write_output(o.output, out, error)) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  return diff.points_added() > 0 || !diff.errors_added.empty() ? kExitFindings : kExitOk;
}

}  // namespace

constinit const Command kDiffCommand = {
    "diff", "compare two reports: points of order added and removed", kDiffUsage, run_diff};

}  // namespace calm::cli
