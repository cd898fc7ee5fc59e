#pragma once

#include <optional>
#include <string>
#include <vector>

namespace calm::cli {

/// Options shared by the subcommands that read programs.
struct Options {
  std::vector<std::string> files;
  std::vector<std::string> modules;
  std::vector<std::string> include_dirs;
  std::string format;  ///< "" = the subcommand's default
  std::string lang;    ///< --lang: "bud", "syndicate", "dedalus", "ir", "" = by file extension
  std::string output;  ///< "" or "-" = stdout
  bool help = false;
  std::vector<std::string> extra;  ///< subcommand-specific flags, as "name=value"
};

/// Parses argv after the subcommand. `flags` lists extra boolean flags the
/// subcommand accepts ("--expanded"), `valued` extra flags with a value.
/// On error returns nullopt and sets `error`.
std::optional<Options> parse_options(const std::vector<std::string>& args,
                                     const std::vector<std::string>& flags,
                                     const std::vector<std::string>& valued, std::string& error);

/// The value of an extra option, or `fallback`.
std::string extra_value(const Options& o, const std::string& name, const std::string& fallback);
bool has_flag(const Options& o, const std::string& name);

/// What a usage error prints after the message: the first line of `usage` (the
/// command's synopsis) and where the rest is ("calm graph --help"), not the whole help.
std::string usage_hint(const std::string& usage);

}  // namespace calm::cli
