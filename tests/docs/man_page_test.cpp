// The man page and the help come from one source: docs/calm.1 is what `calm help --man`
// prints (from the command table's help texts), it renders without groff warnings, and
// `calm help X` is `calm X --help`.

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/docs_support.h"

namespace calm::docs_test {
namespace {

calm::test::CommandResult calm(const std::string& args) {
  return run_in(source_dir(), shell_quote(CALM_BINARY) + " " + args);
}

/// The commands `calm --help` lists: the lines "  NAME  summary" after "commands:".
std::vector<std::string> listed_commands() {
  std::vector<std::string> out;
  bool in_list = false;
  for (const auto& line : lines_of(calm("--help").out)) {
    if (line == "commands:") {
      in_list = true;
    } else if (in_list) {
      if (line.empty()) break;
      out.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
  }
  return out;
}

TEST_CASE("calm --help lists the commands") {
  const auto commands = listed_commands();
  CHECK(commands.size() >= 7);
  for (const char* c : {"model", "report", "graph", "html", "check", "diff", "run"})
    CHECK_MESSAGE(std::find(commands.begin(), commands.end(), c) != commands.end(), c);
}

bool have_groff() {
  return calm::test::run_command("command -v groff >/dev/null 2>&1").status == 0;
}

TEST_CASE("docs/calm.1 is what `calm help --man` generates") {
  const auto generated = calm::test::run_command(shell_quote(CALM_BINARY) + " help --man");
  REQUIRE(generated.status == 0);
  const bool same = read_text(source_dir() / "docs" / "calm.1") == generated.out;
  CHECK_MESSAGE(same,
                "docs/calm.1 is out of date with the help texts; regenerate it with\n"
                "  build/bin/calm help --man > docs/calm.1\n"
                "(from the repository root, after building calm) and commit it");
}

TEST_CASE("the man page has every command and the fixed sections") {
  const std::string man = read_text(source_dir() / "docs" / "calm.1");
  for (const char* section :
       {".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH COMMANDS", ".SH \"EXIT STATUS\"",
        ".SH FILES", ".SH EXAMPLES", ".SH \"SEE ALSO\""})
    CHECK_MESSAGE(man.find(std::string("\n") + section + "\n") != std::string::npos, section);
  for (const auto& c : listed_commands())
    CHECK_MESSAGE(man.find(std::string(".SS \"calm ") + c + "\"") != std::string::npos, c);
}

TEST_CASE("docs/calm.1 renders without groff warnings and keeps every option") {
  if (!have_groff()) {
    MESSAGE("skipped: groff is not installed (apt-get install groff-base)");
    return;
  }
  const std::string page = shell_quote((source_dir() / "docs" / "calm.1").string());
  const auto warnings = calm::test::run_command("groff -man -Tutf8 -ww -z " + page + " 2>&1");
  CHECK(warnings.status == 0);
  CHECK_MESSAGE(warnings.out.empty(), "groff warnings:\n" << warnings.out);

  // The rendered page holds every option term of every command's help, in ASCII.
  const auto rendered =
      calm::test::run_command("groff -man -Tascii -P-cbou " + page + " 2>/dev/null");
  REQUIRE(rendered.status == 0);
  for (const auto& c : listed_commands()) {
    CAPTURE(c);
    const auto help = calm("help " + std::string(c));
    REQUIRE(help.status == 0);
    for (const auto& line : lines_of(help.out)) {
      if (line.size() < 4 || line.compare(0, 3, "  -") != 0) continue;
      // The option's name: "--write-baseline" of "  --write-baseline FILE write ...".
      const std::string name = line.substr(2, line.find_first_of(" ,", 2) - 2);
      CHECK_MESSAGE(rendered.out.find(name) != std::string::npos, "option " << name);
    }
  }
  CHECK(rendered.out.find("EXIT STATUS") != std::string::npos);
}

TEST_CASE("calm help COMMAND and calm COMMAND --help print the same text") {
  for (const auto& c : listed_commands()) {
    CAPTURE(c);
    const auto help = calm("help " + std::string(c));
    const auto flag = calm(std::string(c) + " --help");
    CHECK(help.status == 0);
    CHECK(flag.status == 0);
    CHECK(help.out == flag.out);
    CHECK(help.out.rfind("usage: calm " + std::string(c), 0) == 0);
  }
  CHECK(calm("--help").status == 0);
  CHECK(calm("help").out == calm("--help").out);
}

TEST_CASE("calm --version prints the project version") {
  const auto v = calm("--version");
  CHECK(v.status == 0);
  CHECK(v.out == std::string("calm ") + CALM_PROJECT_VERSION + "\n");
}

}  // namespace
}  // namespace calm::docs_test
