#include "lsp/json_rpc.h"

#include <cctype>
#include <charconv>

namespace calm::lsp {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Frame> FrameReader::next() {
  if (failed_) return std::nullopt;
  size_t end = buffer_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (buffer_.size() > 8192) {  // no header is that long
      failed_ = true;
      return Frame{std::nullopt, "a message header longer than 8 KiB", true};
    }
    return std::nullopt;
  }
  std::string_view headers(buffer_.data(), end);
  std::optional<size_t> length;
  size_t pos = 0;
  while (pos <= headers.size()) {
    size_t eol = headers.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = headers.size();
    std::string_view line = headers.substr(pos, eol - pos);
    pos = eol + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      if (trim(line).empty()) continue;
      failed_ = true;
      return Frame{std::nullopt, "a message header without ':': " + std::string(line), true};
    }
    if (lower(trim(line.substr(0, colon))) != "content-length") continue;
    std::string_view value = trim(line.substr(colon + 1));
    size_t n = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || p != value.data() + value.size()) {
      failed_ = true;
      return Frame{std::nullopt, "a Content-Length that is not a number", true};
    }
    length = n;
  }
  if (!length) {
    failed_ = true;
    return Frame{std::nullopt, "a message without Content-Length", true};
  }
  if (*length > kMaxMessageBytes) {
    failed_ = true;
    return Frame{std::nullopt,
                 "a message of " + std::to_string(*length) + " bytes (at most " +
                     std::to_string(kMaxMessageBytes) + ")",
                 true};
  }
  if (buffer_.size() < end + 4 + *length) return std::nullopt;
  std::string body = buffer_.substr(end + 4, *length);
  buffer_.erase(0, end + 4 + *length);
  Frame f;
  try {
    f.message = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    f.error = std::string("a message body that is not JSON: ") + e.what();
    return f;
  }
  return f;
}

std::string frame(const nlohmann::json& message) {
  std::string body = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

nlohmann::json response(const nlohmann::json& id, nlohmann::json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

nlohmann::json error_response(const nlohmann::json& id, ErrorCode code,
                              const std::string& message) {
  return {{"jsonrpc", "2.0"},
          {"id", id},
          {"error", {{"code", static_cast<int>(code)}, {"message", message}}}};
}

nlohmann::json notification(const std::string& method, nlohmann::json params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace calm::lsp
