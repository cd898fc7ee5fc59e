#include "cli/commands.h"

#include <iostream>

#include "checks/check_registry.h"
#include "checks/loader_findings.h"
#include "cli/command_support.h"
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

/// The "not read" section of `calm model`: the errors of the load, one line each.
std::string unread_text(const std::vector<Diagnostic>& unread) {
  if (unread.empty()) return "";
  std::string out = "not read (" + std::to_string(unread.size()) + "):\n";
  for (const auto& d : unread) {
    std::string where = to_string(d.location);
    out += "  " + (where.empty() ? std::string("calm") : where) + ": " + d.message + " [" +
           d.check + "]\n";
  }
  return out;
}

/// What the "Module::name" collections of a program are (overridden interfaces).
std::string overridden_text(const Program& p) {
  std::string out;
  for (const auto& c : p.collections)
    if (auto text = overridden_interface_text(p, c.name)) out += "    " + *text + "\n";
  return out.empty() ? "" : "  overridden interfaces:\n" + out;
}

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
    "  -I, --include-dir DIR  where `require` looks (besides the file's directories)\n"
    "  --lang LANG         bud, syndicate, dedalus or ir; default by extension: .rkt\n"
    "                      Syndicate, .ded Dedalus, .calm.json the JSON IR, else Bud\n"
    "  --format FMT        text (default) or json\n"
    "  -o, --output FILE   write there instead of stdout\n"
    "  --strict            stop on the first error in the input (exit 2) instead of\n"
    "                      printing what could be read\n"
    "  --verbose           also show requires calm could not find that look like gems\n"
    "                      (`require 'uuid'`); by default they are not reported\n"
    "\n"
    "A declaration or rule that cannot be read is reported on stderr and listed at the\n"
    "end (\"not read\"; \"diagnostics\" in the JSON); the rest of the program is printed.\n"
    "\n"
    "exit status: 0 ok (also when some parts could not be read), 2 usage error, or no\n"
    "program could be read, or (--strict) any error in the input\n";

const char* kReportUsage =
    "usage: calm report FILES... [-m MODULE]... [-I DIR]... [-o report.json]\n"
    "\n"
    "Writes the JSON report (docs/report.md): per program the collections, rules,\n"
    "dependency edges, temporal clusters, points of order, sources, sinks and\n"
    "underspecified dataflow, with a source location on everything.\n"
    "Takes -m, -I, --lang bud|syndicate|dedalus|ir, --strict and --verbose as `calm model`\n"
    "does; declarations and rules that cannot be read are left out and listed in the\n"
    "report's \"diagnostics\".\n"
    "\n"
    "exit status: 0 report written (also when some parts could not be read, or a\n"
    "program is unstratifiable: the report says so, and `calm diff` fails on it), 2 usage\n"
    "error, no program could be read, or (--strict) any error, unstratifiable programs\n"
    "included\n";

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
      kLspCommand,
  };
  return table;
}

/// Shared front half of the commands that read programs. Prints diagnostics to
/// stderr. Returns false if nothing usable came out (exit 2): no program, or, with
/// --strict, any error. Otherwise the commands go on with what could be read; the
/// errors are the parts that could not (unread_parts).
bool load_for_command(const Options& o, LoadResult& result) {
  LoadOptions lo;
  lo.files = o.files;
  lo.modules = o.modules;
  lo.include_dirs = o.include_dirs;
  lo.lang = o.lang;
  result = load_programs(lo);
  std::vector<Diagnostic> hidden;
  if (!has_flag(o, "verbose")) hidden = take_verbose_only(result.diagnostics);
  for (const auto& d : result.diagnostics.sorted())
    std::cerr << format_diagnostic(d, result.sources);
  if (std::string hint = hidden_requires_hint(hidden, result.diagnostics.items()); !hint.empty())
    std::cerr << "calm: note: " << hint << "\n";
  if (result.diagnostics.has_errors() && has_flag(o, "strict")) {
    std::cerr << "calm: stopping on the errors above (--strict)\n";
    return false;
  }
  if (result.programs.empty()) {
    if (result.diagnostics.has_errors())
      std::cerr << "calm: no program could be read (see the errors above)\n";
    else
      std::cerr << "calm: no program found in the given files (no class includes Bud and no "
                   "module defines Bloom state); name one with -m MODULE\n";
    return false;
  }
  if (result.diagnostics.has_errors())
    std::cerr << "calm: going on with what could be read; the output marks what could not "
                 "(--strict stops instead)\n";
  return true;
}

std::vector<Diagnostic> unread_parts(const LoadResult& result) {
  std::vector<Diagnostic> out;
  for (auto& d : result.diagnostics.sorted())
    if (d.severity == Severity::Error) out.push_back(d);
  return out;
}

int parse_or_usage(const std::vector<std::string>& args, const char* usage, Options& o,
                   const std::vector<std::string>& flags, const std::vector<std::string>& valued,
                   bool files_required) {
  std::string error;
  auto parsed = parse_options(args, flags, valued, error);
  if (!parsed) {
    std::cerr << "calm: " << error << "\n" << usage_hint(usage);
    return kExitError;
  }
  o = *parsed;
  if (o.help) {
    std::cout << usage;
    return kExitOk;
  }
  if (files_required && o.files.empty()) {
    std::cerr << "calm: no input files\n" << usage_hint(usage);
    return kExitError;
  }
  return -1;
}

int run_model(const std::vector<std::string>& args) {
  Options o;
  if (int rc = parse_or_usage(args, kModelUsage, o, {"--strict", "--verbose"}); rc >= 0) return rc;
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
    std::vector<Diagnostic> unread = unread_parts(r);
    if (!unread.empty()) {
      j["diagnostics"] = nlohmann::ordered_json::array();
      for (const auto& d : unread) j["diagnostics"].push_back(diagnostic_json(d));
    }
    out = j.dump(2) + "\n";
  } else {
    for (const auto& p : r.programs) out += program_to_text(p) + overridden_text(p);
    out += unread_text(unread_parts(r));
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
  if (int rc = parse_or_usage(args, kReportUsage, o, {"--strict", "--verbose"}); rc >= 0) return rc;
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
    if (severity_from_string(d["severity"].get<std::string>()) == Severity::Error) {
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
  return analysis_errors && has_flag(o, "strict") ? kExitError : kExitOk;
}

}  // namespace calm::cli
