#pragma once

// JSON-RPC 2.0 as the Language Server Protocol frames it on a byte stream:
//
//   Content-Length: 52\r\n
//   \r\n
//   {"jsonrpc":"2.0","id":1,"method":"initialize",...}
//
// FrameReader takes bytes as they arrive and hands out whole messages; frame() writes
// one. Nothing here does I/O.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace calm::lsp {

/// The JSON-RPC error codes the server uses.
enum class ErrorCode : int {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  RequestFailed = -32803,
};

/// The largest message body accepted: a bigger Content-Length is a framing error (the
/// largest source file calm reads is 8 MiB, docs/robustness.md; its text as a JSON
/// string fits).
inline constexpr std::size_t kMaxMessageBytes = 64u << 20;

/// One unit out of the byte stream: a parsed message, or a problem with one. After a
/// framing error (a header without a length, a length too large) the stream cannot be
/// resynchronised: `fatal` is set and the server should stop.
struct Frame {
  std::optional<nlohmann::json> message;
  std::string error;  ///< empty when `message` is set
  bool fatal = false;
};

class FrameReader {
 public:
  /// Appends bytes read from the stream.
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  /// The next whole frame, or nullopt when more bytes are needed. A body that is not
  /// JSON gives a non-fatal error (the next frame is still readable).
  std::optional<Frame> next();
  /// True when bytes of an unfinished frame are buffered.
  bool partial() const { return !buffer_.empty(); }

 private:
  std::string buffer_;
  bool failed_ = false;
};

/// The frame of a message: headers and body.
std::string frame(const nlohmann::json& message);

/// Messages, as the server writes them.
nlohmann::json response(const nlohmann::json& id, nlohmann::json result);
nlohmann::json error_response(const nlohmann::json& id, ErrorCode code, const std::string& message);
nlohmann::json notification(const std::string& method, nlohmann::json params);

}  // namespace calm::lsp
