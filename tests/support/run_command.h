#pragma once

// Runs a shell command for the tests that drive the calm executable.

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace calm::test {

struct CommandResult {
  int status = -1;  ///< exit status (128 when the command did not exit normally)
  std::string out;  ///< what it wrote to stdout
};

/// Runs `command` with /bin/sh and collects its standard output.
inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* p = popen(command.c_str(), "r");
  REQUIRE(p);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
  return r;
}

}  // namespace calm::test
