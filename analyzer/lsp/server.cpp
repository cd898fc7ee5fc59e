#include "lsp/server.h"

#include <filesystem>

#include "lsp/features.h"
#include "lsp/json_rpc.h"

namespace calm::lsp {

using nlohmann::json;

namespace {

/// A request that cannot be answered as asked: its error response.
struct RpcError {
  ErrorCode code;
  std::string message;
};

RpcError bad_params(std::string message) { return {ErrorCode::InvalidParams, std::move(message)}; }

const json& member(const json& j, const char* key) {
  static const json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}

std::string string_member(const json& j, const char* key) {
  const json& v = member(j, key);
  return v.is_string() ? v.get<std::string>() : "";
}

json log_message(int type, const std::string& text) {
  return notification("window/logMessage", {{"type", type}, {"message", text}});
}

}  // namespace

Server::Server(ServerOptions options)
    : options_(std::move(options)), workspace_(WorkspaceOptions{options_.include_dirs}) {}

std::vector<json> Server::handle(const json& message, Clock::time_point now) {
  std::vector<json> out;
  if (!message.is_object()) {
    out.push_back(
        error_response(nullptr, ErrorCode::InvalidRequest, "a message must be an object"));
    return out;
  }
  const json& id = member(message, "id");
  bool request = message.contains("id") && message.contains("method");
  if (!message.contains("method")) return out;  // a response to one of our requests
  if (!message["method"].is_string()) {
    if (request)
      out.push_back(error_response(id, ErrorCode::InvalidRequest, "method must be a string"));
    return out;
  }
  std::string method = message["method"];
  try {
    if (!initialized_ && method != "initialize" && method != "exit") {
      if (request)
        out.push_back(
            error_response(id, ErrorCode::ServerNotInitialized, "the server is not initialized"));
      return out;
    }
    if (shutdown_ && method != "exit") {
      if (request) out.push_back(error_response(id, ErrorCode::InvalidRequest, "shut down"));
      return out;
    }
    json result = dispatch(method, member(message, "params"), request, out, now);
    if (request) out.push_back(response(id, std::move(result)));
  } catch (const RpcError& e) {
    if (request)
      out.push_back(error_response(id, e.code, e.message));
    else
      out.push_back(log_message(1, "calm: " + method + ": " + e.message));
  } catch (const std::exception& e) {
    std::string text = "calm: internal error in " + method + ": " + e.what();
    if (request)
      out.push_back(error_response(id, ErrorCode::InternalError, text));
    else
      out.push_back(log_message(1, text));
  }
  return out;
}

json Server::initialize(const json& params, std::vector<json>&) {
  if (initialized_) throw RpcError{ErrorCode::InvalidRequest, "initialize was already received"};
  initialized_ = true;
  const json& encodings =
      member(member(member(params, "capabilities"), "general"), "positionEncodings");
  if (encodings.is_array())
    for (const auto& e : encodings)
      if (e == "utf-8") encoding_ = PositionEncoding::Utf8;
  const json& init = member(params, "initializationOptions");
  if (const json& d = member(init, "debounceMs"); d.is_number_integer())
    options_.debounce_ms = std::max(0, d.get<int>());
  if (const json& docs = member(init, "docsBaseUri"); docs.is_string()) {
    options_.docs_base = docs.get<std::string>();
    if (!options_.docs_base.empty() && options_.docs_base.back() != '/') options_.docs_base += '/';
  }
  if (const json& inc = member(init, "includeDirs"); inc.is_array()) {
    std::vector<std::string> dirs = options_.include_dirs;
    for (const auto& d : inc)
      if (d.is_string()) dirs.push_back(d.get<std::string>());
    workspace_ = Workspace(WorkspaceOptions{dirs});
  }
  watch_files_ =
      member(member(member(member(params, "capabilities"), "workspace"), "didChangeWatchedFiles"),
             "dynamicRegistration") == true;
  json caps = {
      {"positionEncoding", encoding_ == PositionEncoding::Utf8 ? "utf-8" : "utf-16"},
      {"textDocumentSync",
       {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
      {"hoverProvider", true},
      {"definitionProvider", true},
      {"documentSymbolProvider", true},
      {"codeActionProvider", {{"codeActionKinds", json::array({"quickfix"})}}},
  };
  return {{"capabilities", caps},
          {"serverInfo", {{"name", "calm"}, {"version", options_.version}}}};
}

const Document* Server::document_of(const json& params) const {
  std::string uri = string_member(member(params, "textDocument"), "uri");
  auto path = uri_to_path(uri);
  if (!path) throw bad_params("not a file URI: '" + uri + "'");
  const Document* doc = workspace_.document(normal_path(*path));
  if (!doc) throw bad_params("the document is not open: " + uri);
  return doc;
}

json Server::dispatch(const std::string& method, const json& params, bool request,
                      std::vector<json>& out, Clock::time_point now) {
  auto schedule = [&] {
    auto at = now + std::chrono::milliseconds(options_.debounce_ms);
    deadline_ = at;
  };
  FeatureContext ctx{workspace_, encoding_, options_.docs_base};
  if (method == "initialize") return initialize(params, out);
  if (method == "initialized") {
    if (watch_files_) {
      json watchers = json::array();
      for (const char* g : {"**/*.rb", "**/*.ded", "**/*.rkt", "**/.calm.json"})
        watchers.push_back({{"globPattern", g}});
      out.push_back(
          {{"jsonrpc", "2.0"},
           {"id", "watch-" + std::to_string(next_request_++)},
           {"method", "client/registerCapability"},
           {"params",
            {{"registrations", json::array({{{"id", "files-watched-by-calm"},
                                             {"method", "workspace/didChangeWatchedFiles"},
                                             {"registerOptions", {{"watchers", watchers}}}}})}}}});
    }
    return nullptr;
  }
  if (method == "shutdown") {
    shutdown_ = true;
    return nullptr;
  }
  if (method == "exit") {
    exited_ = true;
    return nullptr;
  }
  if (method == "textDocument/didOpen") {
    const json& td = member(params, "textDocument");
    std::string uri = string_member(td, "uri");
    auto path = uri_to_path(uri);
    const json& text = member(td, "text");
    if (!path || !text.is_string()) {
      out.push_back(log_message(2, "calm: not analysed (not a file URI, or no text): " + uri));
      return nullptr;
    }
    const json& version = member(td, "version");
    workspace_.open(uri, normal_path(*path), text.get<std::string>(),
                    version.is_number_integer() ? version.get<int>() : 0);
    flush(out);
    return nullptr;
  }
  if (method == "textDocument/didChange") {
    const Document* doc = document_of(params);
    std::string text = doc->text.str();
    const json& changes = member(params, "contentChanges");
    if (!changes.is_array()) throw bad_params("didChange without contentChanges");
    for (const auto& c : changes)
      if (!apply_change(text, c, encoding_)) throw bad_params("a malformed content change");
    const json& version = member(member(params, "textDocument"), "version");
    workspace_.change(doc->path, std::move(text),
                      version.is_number_integer() ? version.get<int>() : doc->version + 1);
    schedule();
    return nullptr;
  }
  if (method == "textDocument/didSave") {
    // Analysed again (files it requires may have changed on disk too) and published,
    // changed or not: saving is when many users look.
    const Document* doc = document_of(params);
    std::string text = doc->text.str();
    published_.erase(doc->uri);
    workspace_.change(doc->path, std::move(text), doc->version);
    flush(out);
    return nullptr;
  }
  if (method == "textDocument/didClose") {
    std::string uri = string_member(member(params, "textDocument"), "uri");
    if (auto path = uri_to_path(uri)) {
      workspace_.close(normal_path(*path));
      if (published_.erase(uri))
        out.push_back(notification("textDocument/publishDiagnostics",
                                   {{"uri", uri}, {"diagnostics", json::array()}}));
      schedule();
    }
    return nullptr;
  }
  if (method == "workspace/didChangeWatchedFiles") {
    workspace_.invalidate_all();
    schedule();
    return nullptr;
  }
  if (method == "textDocument/hover" || method == "textDocument/definition" ||
      method == "textDocument/documentSymbol" || method == "textDocument/codeAction") {
    flush(out);  // answers are about the text as it is now
    const Document* doc = document_of(params);
    if (method == "textDocument/documentSymbol") return document_symbols(*doc, ctx);
    if (method == "textDocument/codeAction") {
      auto range = range_from_json(member(params, "range"));
      if (!range) throw bad_params("codeAction without a range");
      return code_actions(*doc, *range, ctx);
    }
    auto pos = position_from_json(member(params, "position"));
    if (!pos) throw bad_params(method + " without a position");
    return method == "textDocument/hover" ? hover(*doc, *pos, ctx) : definition(*doc, *pos, ctx);
  }
  if (request) throw RpcError{ErrorCode::MethodNotFound, "calm lsp does not implement " + method};
  return nullptr;  // notifications it does not know ($/cancelRequest, $/setTrace, ...)
}

std::vector<json> Server::on_timer(Clock::time_point now) {
  std::vector<json> out;
  if (deadline_ && now >= *deadline_) flush(out);
  return out;
}

void Server::flush(std::vector<json>& out) {
  deadline_.reset();
  if (!workspace_.analyze()) return;
  FeatureContext ctx{workspace_, encoding_, options_.docs_base};
  for (const auto& [path, doc] : workspace_.documents()) {
    json diagnostics = json::array();
    if (std::filesystem::path(path).filename() == ".calm.json") {
      auto it = workspace_.config_problems().find(path);
      if (it != workspace_.config_problems().end())
        for (const auto& d : it->second) {
          Finding f;
          f.check = d.check;
          f.severity = d.severity;
          f.message = d.message;
          f.location = d.location;
          diagnostics.push_back(to_diagnostic(f, doc, ctx));
        }
    } else {
      diagnostics = document_diagnostics(doc, ctx);
    }
    // Sent when they changed, and for every new version of the document: a client that
    // sees its version knows the diagnostics are about the text it has.
    auto last = published_.find(doc.uri);
    if (last != published_.end() && last->second.first == doc.version &&
        last->second.second == diagnostics)
      continue;
    published_[doc.uri] = {doc.version, diagnostics};
    out.push_back(notification(
        "textDocument/publishDiagnostics",
        {{"uri", doc.uri}, {"version", doc.version}, {"diagnostics", std::move(diagnostics)}}));
  }
  // A configuration with problems that is not open: say so once.
  for (const auto& [config, problems] : workspace_.config_problems()) {
    if (workspace_.document(config) || problems.empty()) continue;
    std::string text = "calm: " + to_string(problems[0].location) + ": " + problems[0].message +
                       " (the programs are analysed without this configuration)";
    if (config_messages_[config] == text) continue;
    config_messages_[config] = text;
    out.push_back(notification("window/showMessage", {{"type", 2}, {"message", text}}));
  }
}

}  // namespace calm::lsp
