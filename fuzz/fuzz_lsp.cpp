// libFuzzer harness: an editing session against the language server (analyzer/lsp/).
// The input is a Ruby buffer preceded by 8 control bytes. The harness opens the buffer
// (in memory: /calm-fuzz/x.rb is not on disk), asks for symbols, hovers, definitions and
// code actions at positions taken from the control bytes, cuts the buffer (an
// incremental change at a fuzzed position, often leaving half a statement), lets the
// debounced analysis run, and asks again. The same bytes are also fed to the JSON-RPC
// frame reader and every whole frame to the server. A crash, sanitizer report, leak,
// uncaught exception or a response that is not JSON-RPC is a finding.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "lsp/json_rpc.h"
#include "lsp/server.h"

namespace {

using nlohmann::json;

void expect_answer(const std::vector<json>& out, int id) {
  bool answered = false;
  for (const auto& m : out)
    if (m.contains("id") && m["id"] == id && (m.contains("result") || m.contains("error")))
      answered = true;
  if (!answered) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  const uint8_t* ctl = data;
  std::string text(reinterpret_cast<const char*>(data + 8), size - 8);
  using Clock = calm::lsp::Server::Clock;
  Clock::time_point now{};
  calm::lsp::Server server({"fuzz", "", 10, {}});
  int id = 0;
  auto request = [&](const std::string& method, json params) {
    ++id;
    expect_answer(
        server.handle({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}},
                      now),
        id);
  };
  auto notify = [&](const std::string& method, json params) {
    server.handle({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}}, now);
  };
  request("initialize",
          {{"capabilities",
            ctl[0] & 1 ? json{{"general", {{"positionEncodings", {"utf-8"}}}}} : json::object()}});
  const std::string uri = "file:///calm-fuzz/x.rb";
  const json doc = {{"uri", uri}};
  notify("textDocument/didOpen",
         {{"textDocument", {{"uri", uri}, {"version", 1}, {"text", text}}}});
  auto at = [&](uint8_t l, uint8_t c) {
    return json{{"textDocument", doc}, {"position", {{"line", l % 64}, {"character", c % 96}}}};
  };
  auto ask = [&] {
    request("textDocument/documentSymbol", {{"textDocument", doc}});
    request("textDocument/hover", at(ctl[1], ctl[2]));
    request("textDocument/definition", at(ctl[2], ctl[3]));
    request("textDocument/codeAction", {{"textDocument", doc},
                                        {"range",
                                         {{"start", {{"line", 0}, {"character", 0}}},
                                          {"end", {{"line", 9999}, {"character", 0}}}}}});
  };
  ask();
  // Cut: delete a fuzzed range, as a user selecting and deleting does.
  json change = {{"range",
                  {{"start", {{"line", ctl[4] % 64}, {"character", ctl[5] % 80}}},
                   {"end", {{"line", ctl[6] % 64}, {"character", ctl[7] % 80}}}}},
                 {"text", ctl[7] & 1 ? "(" : ""}};
  notify("textDocument/didChange", {{"textDocument", {{"uri", uri}, {"version", 2}}},
                                    {"contentChanges", json::array({change})}});
  now += std::chrono::milliseconds(20);
  server.on_timer(now);
  ask();

  // The same bytes as a byte stream of frames.
  calm::lsp::FrameReader reader;
  reader.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  while (auto f = reader.next())
    if (f->message) server.handle(*f->message, now);
  return 0;
}
