#include "cli/commands.h"

#include <iostream>

#include "cli/options.h"
#include "cli/output.h"
#include "frontend/loader.h"
#include "model/model_json.h"
#include "report/json_report.h"

#ifndef CALM_VERSION
#define CALM_VERSION "0.0.0"
#endif

namespace calm::cli {

namespace {

const char* kModelUsage =
    "usage: calm model FILES... [-m MODULE]... [-I DIR]... [--format text|json] [-o FILE]\n"
    "\n"
    "Reads Bud programs and prints the program model: modules, collections (kind,\n"
    "schema) and rules (operator, referenced collections and how each is used),\n"
    "every element with its file:line:col.\n"
    "\n"
    "  -m, --module NAME   mix these modules/classes into one program (repeatable);\n"
    "                      default: every class that includes Bud, or else every\n"
    "                      module that no other module includes or imports\n"
    "  -I, --include DIR   where `require` looks (besides the file's directories)\n"
    "  --lang LANG         bud, syndicate, dedalus or ir; default by extension: .rkt\n"
    "                      Syndicate, .ded Dedalus, .calm.json the JSON IR, else Bud\n"
    "  --format FMT        text (default) or json\n"
    "  -o, --output FILE   write there instead of stdout\n"
    "\n"
    "exit status: 0 ok, 2 usage or input error\n";

const char* kReportUsage =
    "usage: calm report FILES... [-m MODULE]... [-I DIR]... [-o report.json]\n"
    "\n"
    "Writes the JSON report (docs/report.md): per program the collections, rules,\n"
    "dependency edges, temporal clusters, points of order, sources, sinks and\n"
    "underspecified dataflow, with a source location on everything.\n"
    "Takes -m, -I and --lang bud|syndicate|dedalus|ir as `calm model` does.\n"
    "\n"
    "exit status: 0 report written, 2 usage or input error\n";

}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"model", "print the program model (collections, rules, references)", kModelUsage, run_model},
      {"report", "write the JSON report of points of order", kReportUsage, run_report},
      kGraphCommand,
      kHtmlCommand,
      kCheckCommand,
      kDiffCommand,
      kRunCommand,
      kVerifyCommand,
  };
  return table;
}

/// Shared front half of the commands that read programs. Prints diagnostics to
/// stderr. Returns false if the input was unusable (exit 2).
bool load_for_command(const Options& o, LoadResult& result) {
  LoadOptions lo;
  lo.files = o.files;
  lo.modules = o.modules;
  lo.include_dirs = o.include_dirs;
  lo.lang = o.lang;
  result = load_programs(lo);
  for (const auto& d : result.diagnostics.sorted())
    std::cerr << format_diagnostic(d, result.sources);
  if (result.diagnostics.has_errors()) return false;
  if (result.programs.empty()) {
    std::cerr << "calm: no program found in the given files (no class includes Bud and no "
                 "module defines Bloom state); name one with -m MODULE\n";
    return false;
  }
  return true;
}

int parse_or_usage(const std::vector<std::string>& args, const char* usage, Options& o,
                   const std::vector<std::string>& flags = {},
                   const std::vector<std::string>& valued = {}, bool files_required = true) {
  std::string error;
  auto parsed = parse_options(args, flags, valued, error);
  if (!parsed) {
    std::cerr << "calm: " << error << "\n\n" << usage;
    return kExitError;
  }
  o = *parsed;
  if (o.help) {
    std::cout << usage;
    return kExitOk;
  }
  if (files_required && o.files.empty()) {
    std::cerr << "calm: no input files\n\n" << usage;
    return kExitError;
  }
  return -1;
}

int run_model(const std::vector<std::string>& args) {
  Options o;
  if (int rc = parse_or_usage(args, kModelUsage, o); rc >= 0) return rc;
  std::string fmt = o.format.empty() ? "text" : o.format;
  if (fmt != "text" && fmt != "json") {
    std::cerr << "calm: unknown format '" << fmt << "' (text or json)\n";
    return kExitError;
  }
  LoadResult r;
  if (!load_for_command(o, r)) return kExitError;
  std::string out;
  if (fmt == "json") {
    nlohmann::ordered_json j;
    j["programs"] = nlohmann::ordered_json::array();
    for (const auto& p : r.programs) j["programs"].push_back(program_to_json(p));
    out = j.dump(2) + "\n";
  } else {
    for (const auto& p : r.programs) out += program_to_text(p);
  }
  std::string error;
  if (!write_output(o.output, out, error)) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  return kExitOk;
}

int run_report(const std::vector<std::string>& args) {
  Options o;
  if (int rc = parse_or_usage(args, kReportUsage, o); rc >= 0) return rc;
  if (!o.format.empty() && o.format != "json") {
    std::cerr << "calm: unknown format '" << o.format << "' (the report is json)\n";
    return kExitError;
  }
  LoadResult r;
  if (!load_for_command(o, r)) return kExitError;
  nlohmann::ordered_json report = build_report(r.programs, r.diagnostics, CALM_VERSION);
  // Analysis errors (an unstratifiable program) are in the report; show them too.
  bool analysis_errors = false;
  for (const auto& d : report["diagnostics"])
    if (d["severity"] == "error") {
      analysis_errors = true;
      Diagnostic diag;
      diag.check = d["check"];
      diag.message = d["message"];
      diag.location = {d["location"]["file"], d["location"]["line"], d["location"]["column"]};
      for (const auto& n : d["notes"])
        diag.notes.push_back(
            {n["message"],
             {n["location"]["file"], n["location"]["line"], n["location"]["column"]}});
      std::cerr << format_diagnostic(diag, r.sources);
    }
  std::string error;
  if (!write_output(o.output, report.dump(2) + "\n", error)) {
    std::cerr << "calm: " << error << "\n";
    return kExitError;
  }
  return analysis_errors ? kExitError : kExitOk;
}

}  // namespace calm::cli
