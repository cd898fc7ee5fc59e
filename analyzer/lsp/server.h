#pragma once

// The language server as a message-in, messages-out object: handle() takes one JSON-RPC
// message and returns what to send back (responses, publishDiagnostics, log messages).
// Changes are analysed after a quiet time (debounce); deadline() says when on_timer()
// wants to be called. The CLI's `calm lsp` loop does the I/O (cli/cmd_lsp.cpp); tests
// and the benchmark drive it directly.
//
// Methods: initialize, initialized, shutdown, exit; textDocument/didOpen, didChange
// (full or incremental), didSave, didClose; workspace/didChangeWatchedFiles;
// textDocument/hover, definition, documentSymbol, codeAction. docs/editors.md.

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lsp/documents.h"
#include "lsp/workspace.h"

namespace calm::lsp {

struct ServerOptions {
  std::string version;                    ///< calm's, for serverInfo
  std::string docs_base;                  ///< URI ending in '/' of the docs folder ("" = no links)
  int debounce_ms = 20;                   ///< quiet time after a change before it is analysed
  std::vector<std::string> include_dirs;  ///< -I for programs no .calm.json configures
};

class Server {
 public:
  using Clock = std::chrono::steady_clock;
  using json = nlohmann::json;

  explicit Server(ServerOptions options);

  /// Handles one message (a request, a notification, or a response to a request the
  /// server sent). Never throws: a failing request gets an error response.
  std::vector<json> handle(const json& message, Clock::time_point now = Clock::now());
  /// When a change waits to be analysed, the time to call on_timer(); else nullopt.
  std::optional<Clock::time_point> deadline() const { return deadline_; }
  /// Analyses what waits, if its time has come, and publishes the diagnostics that
  /// changed.
  std::vector<json> on_timer(Clock::time_point now = Clock::now());

  /// True after the `exit` notification; exit_code() is 0 when `shutdown` came first.
  bool exited() const { return exited_; }
  int exit_code() const { return shutdown_ ? 0 : 1; }

  const Workspace& workspace() const { return workspace_; }

 private:
  json dispatch(const std::string& method, const json& params, bool request, std::vector<json>& out,
                Clock::time_point now);
  json initialize(const json& params, std::vector<json>& out);
  /// Analyses now (if anything changed) and appends the diagnostics that changed.
  void flush(std::vector<json>& out);
  const Document* document_of(const json& params) const;

  ServerOptions options_;
  Workspace workspace_;
  PositionEncoding encoding_ = PositionEncoding::Utf16;
  bool initialized_ = false, shutdown_ = false, exited_ = false;
  bool watch_files_ = false;  ///< the client can watch files for us
  std::optional<Clock::time_point> deadline_;
  /// uri -> the version and diagnostics last sent
  std::map<std::string, std::pair<int, json>> published_;
  std::map<std::string, std::string> config_messages_;  ///< config -> the message shown
  int next_request_ = 1;
};

}  // namespace calm::lsp
