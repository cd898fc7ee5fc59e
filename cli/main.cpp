// calm: finds the points of order in Bloom programs. The only `main`, and the
// only place that chooses exit codes.

#include <iostream>
#include <string>
#include <vector>

#include "base/text.h"
#include "cli/commands.h"
#include "cli/man_page.h"

#ifndef CALM_VERSION
#define CALM_VERSION "0.0.0"
#endif

namespace {

void print_overview(std::ostream& out) { out << calm::cli::overview_text(calm::cli::commands()); }

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_overview(std::cerr);
    return calm::cli::kExitError;
  }
  const std::string cmd = args[0];
  if (cmd == "--version" || cmd == "version") {
    std::cout << "calm " << CALM_VERSION << "\n";
    return calm::cli::kExitOk;
  }
  if (cmd == "-h" || cmd == "--help") {
    print_overview(std::cout);
    return calm::cli::kExitOk;
  }
  std::vector<std::string> names;
  for (const auto& c : calm::cli::commands()) names.push_back(c.name);
  if (cmd == "help") {
    if (args.size() == 1) {
      print_overview(std::cout);
      return calm::cli::kExitOk;
    }
    if (args[1] == "--man") {  // hidden: the man page, docs/calm.1
      std::cout << calm::cli::man_page(calm::cli::commands(), CALM_VERSION);
      return calm::cli::kExitOk;
    }
    for (const auto& c : calm::cli::commands())
      if (args[1] == c.name) {
        std::cout << c.usage;
        return calm::cli::kExitOk;
      }
    std::cerr << "calm: unknown command '" << args[1] << "'\n";
    return calm::cli::kExitError;
  }
  for (const auto& c : calm::cli::commands())
    if (cmd == c.name) return c.run(std::vector<std::string>(args.begin() + 1, args.end()));
  std::cerr << "calm: unknown command '" << cmd << "'" << calm::did_you_mean(cmd, names) << "\n";
  print_overview(std::cerr);
  return calm::cli::kExitError;
}
