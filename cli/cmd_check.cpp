// `calm check`: the CI lint step. Parses options, reads the configuration, loads the
// programs, runs the checks (analyzer/checks/), renders them with a reporter
// (analyzer/reporters/) and picks the exit code. The only printing happens here.

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "base/located_json.h"
#include "base/text.h"
#include "checks/baseline.h"
#include "checks/check_registry.h"
#include "checks/check_run.h"
#include "checks/loader_findings.h"
#include "checks/scope.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "cli/options.h"
#include "cli/output.h"
#include "config/config.h"
#include "frontend/loader.h"
#include "reporters/common.h"
#include "reporters/cost_summary.h"
#include "reporters/github_reporter.h"
#include "reporters/json_reporter.h"
#include "reporters/sarif_reporter.h"
#include "reporters/text_reporter.h"

#ifndef CALM_VERSION
#define CALM_VERSION "0.0.0"
#endif

namespace calm::cli {

namespace {
constexpr const char* kCheckUsage =
    "usage: calm check [FILES...] [-m MODULE]... [-I DIR]... [--format FMT] [-o FILE]\n"
    "                  [--fail-on LEVEL] [--baseline FILE] [--write-baseline FILE]\n"
    "                  [--config FILE | --no-config] [--disable CHECK]... [--root DIR]\n"
    "                  [--include GLOB]... [--exclude GLOB]... [--strict] [--verbose]\n"
    "                  [--summary [--paths]] [--color WHEN]\n"
    "\n"
    "Reports the points of order of Bloom programs as findings, for CI: non-monotonic\n"
    "rules whose inputs come from other nodes (calm-point-of-order; those resolved on one\n"
    "node by stratification are notes, calm-local-point-of-order), temporal clusters\n"
    "(calm-temporal-cluster), unstratifiable\n"
    "cycles (calm-unstratifiable), underspecified interfaces (calm-underspecified) and the\n"
    "problems found reading the input (calm-parse-error, calm-unknown-collection, ...).\n"
    "Each check is documented in docs/checks/<id>.md.\n"
    "\n"
    "  FILES, -m, -I         what to analyse, as for `calm report`; without FILES the\n"
    "                        programs of the configuration file\n"
    "  --include GLOB        also report findings in the files GLOB matches (relative to\n"
    "                        the working directory; `**` spans directories; repeatable)\n"
    "  --exclude GLOB        never report findings in these files (repeatable)\n"
    "  --format FMT          text (default; gcc-style with the source line), json\n"
    "                        (docs/findings.md), sarif (SARIF 2.1.0), github (workflow\n"
    "                        annotations)\n"
    "  -o, --output FILE     write there instead of stdout\n"
    "  --fail-on LEVEL       note, warning (default) or error: exit 1 when a finding at or\n"
    "                        above LEVEL is not suppressed\n"
    "  --baseline FILE       hide the findings whose fingerprint is in FILE\n"
    "  --write-baseline FILE write the fingerprints of the current findings to FILE (they\n"
    "                        then count as baselined)\n"
    "  --config FILE         read this configuration instead of the nearest .calm.json\n"
    "  --no-config           read no configuration file\n"
    "  --disable CHECK       do not run CHECK (repeatable, or comma-separated)\n"
    "  --summary             (text) then print the coordination cost per input and the\n"
    "                        consistency label of every output\n"
    "  --paths               with --summary, also the label of every input -> output path\n"
    "  --root DIR            paths in every format are relative to DIR (default: the\n"
    "                        working directory); --srcroot is the same\n"
    "  --strict              exit 2 on any error in the input (default: report it as a\n"
    "                        finding and check what could be read)\n"
    "  --verbose             also report requires calm could not find that look like gems\n"
    "                        (`require 'uuid'`, calm-unresolved-require notes)\n"
    "  --color WHEN          auto (default: on a terminal), always, never\n"
    "\n"
    "Suppressions, in the Ruby source (a reason after `--` is required):\n"
    "  rule  # calm:allow calm-point-of-order -- why it is safe   (this line or the next)\n"
    "  # calm:coordinated -- why                  (above `module X`: its findings are hidden)\n"
    "\n"
    "Findings are reported for the files named (FILES, or the programs' files and the\n"
    "`paths` of .calm.json) and --include; findings in other files (libraries reached\n"
    "through require and -I) are counted in one note.\n"
    "\n"
    "exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage error,\n"
    "unreadable input (a missing file, an unknown module), bad configuration or\n"
    "baseline, or (--strict) any error in the input\n";

void merge(LoadResult& into, LoadResult&& from) {
  for (auto& f : from.files) into.files.push_back(std::move(f));
  for (auto& p : from.programs) into.programs.push_back(std::move(p));
  into.diagnostics.append(from.diagnostics);
  into.sources.insert(from.sources.begin(), from.sources.end());
}

int usage_error(const std::string& message) {
  std::cerr << "calm: " << message << "\n" << usage_hint(kCheckUsage);
  return kExitError;
}

/// Every value given to a repeatable valued option, commas splitting values too.
std::vector<std::string> all_values(const Options& o, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& e : o.extra) {
    if (e.rfind(name + "=", 0) != 0) continue;
    std::string v = e.substr(name.size() + 1);
    std::stringstream in(v);
    std::string item;
    while (std::getline(in, item, ','))
      if (!item.empty()) out.push_back(item);
  }
  return out;
}

int run_check(const std::vector<std::string>& args) {
  std::string error;
  auto parsed =
      parse_options(args, {"--no-config", "--summary", "--paths", "--strict", "--verbose"},
                    {"--fail-on", "--color", "--baseline", "--write-baseline", "--config",
                     "--disable", "--srcroot", "--root", "--include", "--exclude"},
                    error);
  if (!parsed) return usage_error(error);
  const Options& o = *parsed;
  if (o.help) {
    std::cout << kCheckUsage;
    return kExitOk;
  }
  std::string format = o.format.empty() ? "text" : o.format;
  if (format != "text" && format != "json" && format != "sarif" && format != "github")
    return usage_error("unknown format '" + format + "' (text, json, sarif or github)");
  std::string color = extra_value(o, "color", "auto");
  if (color != "auto" && color != "always" && color != "never")
    return usage_error("--color takes auto, always or never");

  // The configuration: explicit, discovered, or none.
  Config config;
  std::string config_text;
  std::string config_path = extra_value(o, "config", "");
  if (config_path.empty() && !has_flag(o, "no-config")) config_path = find_config(".").value_or("");
  if (!config_path.empty()) {
    std::string& text = config_text;
    Diagnostics diags;
    if (!read_text_file(config_path, text, diags) ||
        !parse_config(text, config_path, all_check_ids(), config, diags)) {
      for (const auto& d : diags.sorted()) std::cerr << format_diagnostic(d, {{config_path, text}});
      return kExitError;
    }
  }

  // What to load: the command line wins over the configuration.
  std::vector<LoadOptions> loads;
  std::vector<std::string> include_dirs =
      o.include_dirs.empty() ? config.include_dirs : o.include_dirs;
  // Which files findings are reported for (checks/scope.h).
  FileScope scope;
  // Where each load's -m names come from, to locate an unknown module there.
  std::vector<const ProgramConfig*> load_config;
  if (!o.files.empty()) {
    loads.push_back(LoadOptions{o.files, o.modules, include_dirs});
    loads.back().lang = o.lang;
    load_config.push_back(nullptr);
    // A JSON IR file locates its program in the sources it was made from: scoping to
    // the IR file would hide every finding, so IR input is not scoped by file.
    auto is_ir = [&](const std::string& f) {
      return o.lang == "ir" ||
             (o.lang.empty() && f.size() > 10 && f.compare(f.size() - 10, 10, ".calm.json") == 0);
    };
    if (std::none_of(o.files.begin(), o.files.end(), is_ir))
      for (const auto& f : o.files) scope.add_file(f);
  } else if (!o.modules.empty()) {
    return usage_error("-m names modules of the FILES given on the command line; no FILES");
  } else {
    for (const auto& p : config.programs) {
      loads.push_back(LoadOptions{p.files, p.modules, include_dirs});
      loads.back().lang = o.lang;
      load_config.push_back(&p);
      if (config.paths.empty())
        for (const auto& f : p.files) scope.add_file(f);
    }
    for (const auto& g : config.paths) scope.include(g, config.dir);
  }
  for (const auto& g : config.exclude) scope.exclude(g, config.dir);
  for (const auto& g : all_values(o, "include")) scope.include(g, "", true);
  for (const auto& g : all_values(o, "exclude")) scope.exclude(g, "", true);
  if (loads.empty())
    return usage_error(config_path.empty()
                           ? "no input files (and no .calm.json found)"
                           : "no input files, and " + config_path + " lists no programs");

  std::set<std::string> disabled(config.disabled_checks.begin(), config.disabled_checks.end());
  std::vector<std::string> known = all_check_ids();
  for (const auto& id : all_values(o, "disable")) {
    if (std::find(known.begin(), known.end(), id) == known.end()) {
      return usage_error("unknown check '" + id + "'" + did_you_mean(id, known));
    }
    disabled.insert(id);
  }
  std::string fail_on_text =
      extra_value(o, "fail-on", to_string(config.fail_on.value_or(Severity::Warning)));
  auto fail_on = severity_from_string(fail_on_text);
  if (!fail_on) return usage_error("--fail-on takes note, warning or error");

  CheckOptions options;
  options.disabled = disabled;
  std::string baseline_path = extra_value(o, "baseline", config.baseline.value_or(""));
  std::string write_baseline = extra_value(o, "write-baseline", "");
  if (!baseline_path.empty() && baseline_path != write_baseline) {
    std::string text;
    nlohmann::json doc;
    Diagnostics diags;
    std::set<std::string> fingerprints;
    std::string pointer;
    if (read_json_input(baseline_path, "calm-bad-baseline", text, doc, diags) &&
        !parse_baseline(text, fingerprints, error, &pointer))
      diags.error("calm-bad-baseline", error, JsonLocations(text, baseline_path).locate(pointer));
    if (diags.has_errors()) {
      for (const auto& d : diags.sorted()) std::cerr << format_diagnostic(d, {});
      return kExitError;
    }
    options.baseline = std::move(fingerprints);
  }

  LoadResult load;
  for (size_t i = 0; i < loads.size(); ++i) {
    LoadResult one = load_programs(loads[i]);
    if (load_config[i])  // an unknown module named in .calm.json: say where
      relocate_module_diagnostics(one.diagnostics, load_config[i]->modules,
                                  load_config[i]->module_locations);
    merge(load, std::move(one));
  }
  if (!config_path.empty()) load.sources.emplace(config_path, config_text);
  std::vector<Diagnostic> hidden;
  if (!has_flag(o, "verbose")) hidden = take_verbose_only(load.diagnostics);
  bool input_error = false;
  const bool strict = has_flag(o, "strict");
  for (const auto& d : load.diagnostics.sorted())
    if (is_input_error(d) || (strict && d.severity == Severity::Error)) {
      std::cerr << format_diagnostic(d, load.sources);
      input_error = true;
    }
  if (input_error) {
    if (strict) std::cerr << "calm: stopping on the errors above (--strict)\n";
    return kExitError;
  }
  if (load.programs.empty() && !load.diagnostics.has_errors()) {
    std::cerr << "calm: no program found in the given files (no class includes Bud and no "
                 "module defines Bloom state); name one with -m MODULE\n";
    return kExitError;
  }

  CheckRun run = run_checks(load, options);
  apply_scope(run, scope);
  if (!write_baseline.empty()) {
    if (!write_output(write_baseline, baseline_text(run.findings), error)) {
      std::cerr << "calm: " << error << "\n";
      return kExitError;
    }
    std::set<std::string> accepted;
    std::string text = baseline_text(run.findings);
    parse_baseline(text, accepted, error);
    apply_baseline(run.findings, accepted);
  }

  bool several = spans_several_programs(run);
  std::string srcroot = extra_value(o, "root", extra_value(o, "srcroot", ""));
  std::string out;
  if (format == "text") {
    bool to_terminal = (o.output.empty() || o.output == "-") && ::isatty(STDOUT_FILENO) &&
                       !(std::getenv("NO_COLOR") && *std::getenv("NO_COLOR"));
    TextOptions to;
    to.color = color == "always" || (color == "auto" && to_terminal);
    to.with_program = several;
    to.root = srcroot;
    out = text_report(run, load.sources, to);
    if (has_flag(o, "summary") || has_flag(o, "paths"))
      out += "\n" + cost_summary_text(load.programs, has_flag(o, "paths"));
  } else if (format == "json") {
    out = findings_json(run, CALM_VERSION, srcroot).dump(2) + "\n";
  } else if (format == "sarif") {
    out = sarif_log(run, SarifOptions{CALM_VERSION, srcroot}).dump(2) + "\n";
  } else {
    out = github_report(run, srcroot, several);
  }
  if (!write_output(o.output, out, error)) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  if (std::string hint = hidden_requires_hint(hidden, load.diagnostics.items()); !hint.empty())
    std::cerr << "calm: note: " << hint << "\n";
  if (format != "text") {
    std::string outside = out_of_scope_text(run.outside, srcroot);
    if (!outside.empty()) std::cerr << "calm: " << outside << "\n";
    std::cerr << "calm: " << summary_line(run) << "\n";
  }
  return run.fails(*fail_on) ? kExitFindings : kExitOk;
}

}  // namespace

constinit const Command kCheckCommand = {
    "check", "report points of order as CI findings (text, json, sarif, github)", kCheckUsage,
    run_check};

}  // namespace calm::cli
