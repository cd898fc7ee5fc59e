#include "reporters/github_reporter.h"

#include "reporters/common.h"

namespace calm {

std::string escape_github_data(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string escape_github_property(const std::string& s) {
  std::string out;
  for (char c : escape_github_data(s)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

namespace {
const char* command(Severity s) {
  switch (s) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "notice";
  }
  return "warning";
}

}  // namespace

std::string github_annotation(const Finding& f, const std::string& srcroot, bool with_program) {
  std::string props;
  if (!f.location.file.empty())
    props += "file=" + escape_github_property(display_path(f.location.file, srcroot));
  auto add = [&props](const std::string& key, const std::string& value) {
    props += (props.empty() ? "" : ",") + key + "=" + value;
  };
  if (f.location.line > 0) add("line", std::to_string(f.location.line));
  if (f.location.column > 0) add("col", std::to_string(f.location.column));
  add("title", escape_github_property(f.check));
  std::string message = message_with_program(f, with_program);
  for (const auto& n : f.notes) {
    std::string where =
        n.location.file.empty()
            ? std::string()
            : display_path(n.location.file, srcroot) +
                  (n.location.line > 0 ? ":" + std::to_string(n.location.line) : "") + ": ";
    message += "\nnote: " + where + n.message;
  }
  return std::string("::") + command(f.severity) + " " + props +
         "::" + escape_github_data(message) + "\n";
}

std::string github_report(const CheckRun& run, const std::string& srcroot, bool with_program) {
  std::string out;
  for (const auto& f : run.findings)
    if (!f.suppression) out += github_annotation(f, srcroot, with_program);
  std::string outside = out_of_scope_text(run.outside, srcroot);
  if (!outside.empty()) out += "::notice title=calm::" + escape_github_data(outside) + "\n";
  return out;
}

}  // namespace calm
