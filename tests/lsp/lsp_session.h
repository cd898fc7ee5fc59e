#pragma once

// Drives calm::lsp::Server in process, as an editor would: a test sends requests and
// notifications, advances a fake clock, and reads what the server published.

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lsp/documents.h"
#include "lsp/server.h"

namespace calm::test {

class LspSession {
 public:
  using json = nlohmann::json;
  using Clock = lsp::Server::Clock;

  explicit LspSession(json capabilities = json::object(), json init_options = nullptr,
                      int debounce_ms = 20)
      : server_(lsp::ServerOptions{"test", "file:///docs/", debounce_ms, {}}) {
    json params = {{"processId", nullptr}, {"rootUri", nullptr}, {"capabilities", capabilities}};
    if (!init_options.is_null()) params["initializationOptions"] = init_options;
    initialize_result = request("initialize", params);
    notify("initialized", json::object());
  }

  /// Sends a request; returns its response (the whole message, with result or error).
  json request(const std::string& method, json params) {
    json msg = {{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", params}};
    json resp;
    for (auto& m : server_.handle(msg, now)) {
      if (m.contains("id") && m["id"] == id_ && !m.contains("method"))
        resp = m;
      else
        take(m);
    }
    return resp;
  }
  json result(const std::string& method, json params) {
    json r = request(method, std::move(params));
    return r.contains("result") ? r["result"] : json();
  }
  void notify(const std::string& method, json params) {
    for (auto& m :
         server_.handle({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}}, now))
      take(m);
  }
  /// Moves the clock on and lets the server run what is due.
  void wait(int ms) {
    now += std::chrono::milliseconds(ms);
    for (auto& m : server_.on_timer(now)) take(m);
  }

  void open(const std::string& path, const std::string& text, int version = 1) {
    notify("textDocument/didOpen", {{"textDocument",
                                     {{"uri", lsp::path_to_uri(path)},
                                      {"languageId", "ruby"},
                                      {"version", version},
                                      {"text", text}}}});
  }
  /// Replaces the whole text (a full-sync change).
  void replace(const std::string& path, const std::string& text, int version) {
    notify("textDocument/didChange",
           {{"textDocument", {{"uri", lsp::path_to_uri(path)}, {"version", version}}},
            {"contentChanges", json::array({{{"text", text}}})}});
  }
  static json at(const std::string& path, int line0, int character) {
    return {{"textDocument", {{"uri", lsp::path_to_uri(path)}}},
            {"position", {{"line", line0}, {"character", character}}}};
  }

  /// The diagnostics last published for `path` (null when none were).
  json diagnostics(const std::string& path) const {
    auto it = published.find(lsp::path_to_uri(path));
    return it == published.end() ? json() : it->second;
  }
  /// How many publishDiagnostics were sent for `path`.
  int publications(const std::string& path) const {
    auto it = publish_count.find(lsp::path_to_uri(path));
    return it == publish_count.end() ? 0 : it->second;
  }

  json initialize_result;
  std::map<std::string, json> published;  ///< uri -> diagnostics
  std::map<std::string, int> publish_count;
  std::vector<json> other;  ///< every other message the server sent
  Clock::time_point now = Clock::time_point{};
  lsp::Server& server() { return server_; }

 private:
  void take(const json& m) {
    if (m.value("method", "") == "textDocument/publishDiagnostics") {
      published[m["params"]["uri"]] = m["params"]["diagnostics"];
      ++publish_count[m["params"]["uri"]];
    } else {
      other.push_back(m);
    }
  }
  lsp::Server server_;
  int id_ = 0;
};

/// The diagnostics with this code.
inline std::vector<nlohmann::json> with_code(const nlohmann::json& diagnostics,
                                             const std::string& code) {
  std::vector<nlohmann::json> out;
  for (const auto& d : diagnostics)
    if (d.value("code", "") == code) out.push_back(d);
  return out;
}

/// Applies the text edits of a WorkspaceEdit's `changes` for `uri` to `text` (UTF-16).
inline std::string apply_edits(std::string text, const nlohmann::json& edit,
                               const std::string& uri) {
  auto edits = edit["changes"][uri];
  // From the last to the first, so earlier offsets stay right.
  std::vector<nlohmann::json> list(edits.begin(), edits.end());
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    auto pa = std::pair{a["range"]["start"]["line"].template get<int>(),
                        a["range"]["start"]["character"].template get<int>()};
    auto pb = std::pair{b["range"]["start"]["line"].template get<int>(),
                        b["range"]["start"]["character"].template get<int>()};
    return pa > pb;
  });
  for (const auto& e : list)
    lsp::apply_change(text, {{"range", e["range"]}, {"text", e["newText"]}},
                      lsp::PositionEncoding::Utf16);
  return text;
}

}  // namespace calm::test
