// The commands shown in README.md and docs/guide.md, run as a reader would run them.
//
// Every ```console block of those files holds commands, lines starting with "$ calm "
// (or "$ echo ", to write a small input file), each followed by the output it prints
// (stdout and stderr together). The test runs the
// commands of a file in order, with the built calm, in a scratch directory where
// `samples`, `docs` and `tests` are links to the repository's (so paths read as from the
// repository root and files written with -o land in the scratch directory), and compares
// the output. Normalization, and only this: trailing spaces are ignored, and a line "..."
// stands for any number of lines (zero or more).
//
// A command that writes `-o NAME.svg` where docs/images/guide/NAME.dot exists is run
// again with `-o NAME.dot`: the DOT must equal the committed one, so the pictures of the
// guide are the ones calm draws (the SVG next to it is rendered from the same DOT).

#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "support/docs_support.h"

namespace calm::docs_test {
namespace {

struct ConsoleCommand {
  int line = 0;                       ///< where the "$ calm" line is in the Markdown file
  std::string command;                ///< after "$ calm " (or "$ echo ")
  bool echo = false;                  ///< an `echo` command, run by the shell as written
  std::vector<std::string> expected;  ///< the output lines shown under it
};

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

/// The commands of every ```console block of a Markdown text. A "$ " line that does not
/// run calm is returned with an empty command, so the test can refuse it.
std::vector<ConsoleCommand> console_commands(const std::string& markdown) {
  std::vector<ConsoleCommand> out;
  bool in_block = false;
  int n = 0;
  for (const auto& raw : lines_of(markdown)) {
    ++n;
    const std::string line = rtrim(raw);
    if (!in_block) {
      if (line == "```console") in_block = true;
      continue;
    }
    if (line.rfind("```", 0) == 0) {
      in_block = false;
      continue;
    }
    if (line.rfind("$ ", 0) == 0) {
      ConsoleCommand c;
      c.line = n;
      if (line.rfind("$ calm ", 0) == 0) {
        c.command = line.substr(7);
      } else if (line.rfind("$ echo ", 0) == 0) {
        c.command = line.substr(2);
        c.echo = true;
      }
      out.push_back(c);
    } else if (!out.empty()) {
      out.back().expected.push_back(line);
    }
  }
  return out;
}

/// Whether `actual` matches `expected`, where an expected "..." line matches any run of
/// lines (zero or more).
bool matches(const std::vector<std::string>& expected, std::size_t e,
             const std::vector<std::string>& actual, std::size_t a) {
  if (e == expected.size()) return a == actual.size();
  if (expected[e] == "...") {
    for (std::size_t k = a; k <= actual.size(); ++k)
      if (matches(expected, e + 1, actual, k)) return true;
    return false;
  }
  return a < actual.size() && expected[e] == actual[a] && matches(expected, e + 1, actual, a + 1);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

/// The scratch directory: links to the repository's samples, docs and tests.
void link_repository(const fs::path& dir) {
  for (const char* d : {"samples", "docs", "tests"})
    fs::create_directory_symlink(source_dir() / d, dir / d);
}

/// The value of `-o` in a command, or "".
std::string output_of(const std::string& command) {
  static const std::regex o(R"((?:^|\s)(?:-o|--output)\s+(\S+))");
  std::smatch m;
  return std::regex_search(command, m, o) ? m[1].str() : "";
}

/// Runs the console commands of `file` (relative to the repository root); returns the
/// guide images whose DOT was compared.
std::set<std::string> check_console_blocks(const std::string& file) {
  const std::string markdown = read_text(source_dir() / file);
  REQUIRE_MESSAGE(!markdown.empty(), file);
  const auto commands = console_commands(markdown);
  CHECK_MESSAGE(!commands.empty(), file << " has no ```console block with `$ calm` commands");
  TempDir dir("console");
  link_repository(dir.path());
  const std::string calm = shell_quote(CALM_BINARY) + " ";
  std::set<std::string> compared;
  for (const auto& c : commands) {
    const std::string where = file + ":" + std::to_string(c.line);
    CAPTURE(where);
    if (c.command.empty()) {
      FAIL_CHECK(where << ": a console block runs something other than calm or echo");
      continue;
    }
    std::vector<std::string> actual;
    for (const auto& l : lines_of(run_in(dir.path(), (c.echo ? "" : calm) + c.command).out))
      actual.push_back(rtrim(l));
    CHECK_MESSAGE(matches(c.expected, 0, actual, 0),
                  where << ": `" << (c.echo ? "" : "calm ") << c.command << "` prints\n"
                        << joined(actual) << "but the document shows\n"
                        << joined(c.expected));
    // A picture of the guide: compare the DOT with the committed one.
    if (c.echo) continue;
    const fs::path out = output_of(c.command);
    if (out.extension() != ".svg") continue;
    const fs::path dot =
        source_dir() / "docs" / "images" / "guide" / out.filename().replace_extension(".dot");
    if (!fs::exists(dot)) continue;
    std::string again = c.command;
    again.replace(again.find(out.string()), out.string().size(), "diagram.dot");
    const auto r = run_in(dir.path(), calm + again);
    CHECK_MESSAGE(r.status == 0, r.out);
    const bool same = read_text(dir.path() / "diagram.dot") == read_text(dot);
    CHECK_MESSAGE(same, where << ": `calm " << again << "` differs from " << dot.string()
                              << "; regenerate them with: bash docs/images/guide/regenerate.sh");
    compared.insert(dot.filename().string());
  }
  return compared;
}

TEST_CASE("the console blocks parse into commands and their output") {
  const auto cs = console_commands(
      "text\n```console\n$ calm check a.rb\nline 1\n...\n$ calm graph a.rb -o a.svg\n```\n"
      "```sh\n$ calm model x\n```\n```console\n$ ls\n$ echo '{}' > f.json\n```\n");
  REQUIRE(cs.size() == 4);
  CHECK(cs[0].line == 3);
  CHECK(cs[0].command == "check a.rb");
  CHECK(cs[0].expected == std::vector<std::string>{"line 1", "..."});
  CHECK(cs[1].command == "graph a.rb -o a.svg");
  CHECK(cs[1].expected.empty());
  CHECK(cs[2].command.empty());
  CHECK(cs[3].command == "echo '{}' > f.json");
  CHECK(cs[3].echo);
  CHECK(output_of("graph a.rb -m X -o kvs.svg --legend") == "kvs.svg");
  CHECK(output_of("check a.rb") == "");
}

TEST_CASE("an ellipsis line matches any run of lines, nothing else is loose") {
  using V = std::vector<std::string>;
  CHECK(matches(V{"a", "...", "d"}, 0, V{"a", "b", "c", "d"}, 0));
  CHECK(matches(V{"a", "...", "d"}, 0, V{"a", "d"}, 0));
  CHECK_FALSE(matches(V{"a", "...", "d"}, 0, V{"a", "b"}, 0));
  CHECK_FALSE(matches(V{"a", "b"}, 0, V{"a", "c"}, 0));
  CHECK_FALSE(matches(V{"a"}, 0, V{"a", "b"}, 0));
  CHECK(matches(V{}, 0, V{}, 0));
}

TEST_CASE("README.md: every console command prints what the README shows") {
  check_console_blocks("README.md");
}

TEST_CASE("docs/guide.md: every console command prints what the guide shows, every picture") {
  const auto compared = check_console_blocks("docs/guide.md");
  // Every diagram committed for the guide is drawn by one of its commands.
  for (const auto& e : fs::directory_iterator(source_dir() / "docs" / "images" / "guide")) {
    if (e.path().extension() != ".dot") continue;
    CHECK_MESSAGE(compared.count(e.path().filename().string()) == 1,
                  e.path().string() << " is not drawn by any `calm graph ... -o "
                                    << e.path().stem().string() << ".svg` of docs/guide.md");
    fs::path svg = e.path();
    CHECK_MESSAGE(fs::exists(svg.replace_extension(".svg")), svg.string() << " is missing");
  }
}

}  // namespace
}  // namespace calm::docs_test
