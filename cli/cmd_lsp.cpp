// `calm lsp`: the language server over stdio (analyzer/lsp/, docs/editors.md). This loop
// is its only I/O: it reads frames from stdin, hands them to the server, writes what
// the server returns to stdout, and wakes the server when a debounced change is due.

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <iostream>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "lsp/documents.h"
#include "lsp/json_rpc.h"
#include "lsp/server.h"

#ifndef CALM_VERSION
#define CALM_VERSION "0.0.0"
#endif

namespace calm::cli {

namespace {

constexpr const char* kLspUsage =
    "usage: calm lsp [--stdio] [-I DIR]... [--debounce MS] [--docs URI]\n"
    "\n"
    "Runs calm as a Language Server Protocol server on stdin/stdout, for editors\n"
    "(docs/editors.md): the findings of `calm check` as diagnostics while you type,\n"
    "hover on collections and rule operators, go to definition, document symbols, and\n"
    "quick fixes that insert `# calm:allow` and `# calm:coordinated` markers.\n"
    "\n"
    "A file belongs to the programs of the nearest .calm.json that read it (their\n"
    "include_dirs, disabled_checks, exclude and baseline apply); a file no configured\n"
    "program reads is analysed as `calm check FILE` would.\n"
    "\n"
    "  --stdio         accepted for clients that pass it (stdio is the only transport)\n"
    "  -I DIR          where `require` looks, for programs no .calm.json configures\n"
    "  --debounce MS   quiet time after an edit before it is analysed (default 20)\n"
    "  --docs URI      where the check pages are (default: the installed docs)\n"
    "\n"
    "exit status: 0 after `shutdown` then `exit`, 1 when the client goes away or\n"
    "exits without `shutdown`, or the input stream is not LSP, 2 usage error\n";

/// The docs folder as a URI: the installed one next to the binary, else the source
/// tree's (a build that is run in place); "" when neither is there.
std::string default_docs_base() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share/doc/calm");
#ifdef CALM_SOURCE_DIR
  candidates.push_back(fs::path(CALM_SOURCE_DIR) / "docs");
#endif
  for (const auto& c : candidates)
    if (fs::is_regular_file(c / "checks/calm-point-of-order.md", ec))
      return lsp::path_to_uri(c.lexically_normal().string() + "/");
  return "";
}

bool write_all(const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

int run_lsp(const std::vector<std::string>& args) {
  Options o;
  if (int code = parse_or_usage(args, kLspUsage, o, {"--stdio"}, {"--debounce", "--docs"}, false);
      code >= 0)
    return code;
  if (!o.files.empty()) {
    std::cerr << "calm: lsp takes no files (the editor opens them)\n" << usage_hint(kLspUsage);
    return kExitError;
  }
  lsp::ServerOptions options;
  options.version = CALM_VERSION;
  options.include_dirs = o.include_dirs;
  std::string debounce = extra_value(o, "debounce", "20");
  try {
    size_t used = 0;
    options.debounce_ms = std::stoi(debounce, &used);
    if (used != debounce.size() || options.debounce_ms < 0) throw std::invalid_argument("");
  } catch (const std::exception&) {
    std::cerr << "calm: --debounce takes a number of milliseconds\n" << usage_hint(kLspUsage);
    return kExitError;
  }
  options.docs_base = extra_value(o, "docs", default_docs_base());
  if (!options.docs_base.empty() && options.docs_base.back() != '/') options.docs_base += '/';

  // A client that closes its end makes write() fail (EPIPE): the loop then exits 1,
  // instead of the signal killing the server.
  std::signal(SIGPIPE, SIG_IGN);
  lsp::Server server(options);
  lsp::FrameReader reader;
  auto send = [&](const std::vector<nlohmann::json>& messages) {
    for (const auto& m : messages)
      if (!write_all(lsp::frame(m))) return false;
    return true;
  };
  char buf[1 << 16];
  for (;;) {
    int timeout = -1;
    if (auto d = server.deadline()) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*d - lsp::Server::Clock::now());
      timeout = static_cast<int>(std::max<long long>(0, left.count()));
    }
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    int ready = ::poll(&fd, 1, timeout);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      if (!send(server.on_timer())) return 1;
      continue;
    }
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // the client went away
      if (reader.partial()) std::cerr << "calm lsp: the input ended inside a message\n";
      return server.exit_code() == 0 ? 0 : 1;
    }
    reader.feed(std::string_view(buf, static_cast<size_t>(n)));
    while (auto frame = reader.next()) {
      if (!frame->message) {
        std::cerr << "calm lsp: " << frame->error << "\n";
        if (frame->fatal) return 1;
        if (!send({lsp::error_response(nullptr, lsp::ErrorCode::ParseError, frame->error)}))
          return 1;
        continue;
      }
      if (!send(server.handle(*frame->message))) return 1;
      if (server.exited()) return server.exit_code();
    }
    // Due work runs between reads too, so a steady stream of edits still gets answers.
    if (auto d = server.deadline(); d && *d <= lsp::Server::Clock::now())
      if (!send(server.on_timer())) return 1;
  }
}

}  // namespace

constinit const Command kLspCommand = {
    "lsp", "run the language server for editors (LSP over stdio)", kLspUsage, run_lsp};

}  // namespace calm::cli
