#pragma once

#include <string>
#include <vector>

namespace calm::cli {

/// Exit codes: 0 ok / no findings, 1 findings, 2 usage or input error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitError = 2;

using CommandFn = int (*)(const std::vector<std::string>& args);

/// One row per subcommand: adding a subcommand is adding a row (see commands.cpp).
struct Command {
  const char* name;
  const char* summary;
  const char* usage;  ///< full help text
  CommandFn run;
};

const std::vector<Command>& commands();

int run_model(const std::vector<std::string>& args);
int run_report(const std::vector<std::string>& args);
extern const Command kGraphCommand;   ///< calm graph (cmd_graph.cpp)
extern const Command kHtmlCommand;    ///< calm html (cmd_graph.cpp)
extern const Command kCheckCommand;   ///< calm check (cmd_check.cpp)
extern const Command kDiffCommand;    ///< calm diff (cmd_diff.cpp)
extern const Command kRunCommand;     ///< calm run (cmd_run.cpp)
extern const Command kVerifyCommand;  ///< calm verify (cmd_verify.cpp)
extern const Command kLspCommand;     ///< calm lsp (cmd_lsp.cpp)

}  // namespace calm::cli
