#include "lsp/json_rpc.h"

#include <doctest/doctest.h>

using namespace calm::lsp;
using nlohmann::json;

TEST_CASE("FrameReader: whole messages out of arbitrary chunks") {
  std::string bytes = frame({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "a"}}) +
                      frame({{"jsonrpc", "2.0"}, {"method", "b"}, {"params", {{"x", "é"}}}});
  FrameReader r;
  std::vector<json> got;
  for (char c : bytes) {  // one byte at a time: the worst a pipe can do
    r.feed(std::string_view(&c, 1));
    while (auto f = r.next()) {
      REQUIRE(f->message);
      got.push_back(*f->message);
    }
  }
  REQUIRE(got.size() == 2);
  CHECK(got[0]["method"] == "a");
  CHECK(got[1]["params"]["x"] == "é");
  CHECK_FALSE(r.partial());
}

TEST_CASE("FrameReader: other headers, any case; Content-Length counts bytes") {
  FrameReader r;
  std::string body = R"({"jsonrpc":"2.0","method":"ü"})";
  r.feed("content-type: application/vscode-jsonrpc; charset=utf-8\r\nCONTENT-LENGTH: " +
         std::to_string(body.size()) + "\r\n\r\n" + body);
  auto f = r.next();
  REQUIRE(f);
  REQUIRE(f->message);
  CHECK((*f->message)["method"] == "ü");
}

TEST_CASE("FrameReader: a body that is not JSON is an error, and the next frame still reads") {
  FrameReader r;
  r.feed("Content-Length: 5\r\n\r\n{oops" + frame({{"method", "next"}}));
  auto bad = r.next();
  REQUIRE(bad);
  CHECK_FALSE(bad->message);
  CHECK_FALSE(bad->fatal);
  CHECK(bad->error.find("not JSON") != std::string::npos);
  auto good = r.next();
  REQUIRE(good);
  REQUIRE(good->message);
  CHECK((*good->message)["method"] == "next");
}

TEST_CASE("FrameReader: framing errors are fatal") {
  for (std::string bytes :
       {std::string("Content-Type: x\r\n\r\n{}"), std::string("Content-Length: twelve\r\n\r\n{}"),
        std::string("garbage without a colon\r\n\r\n"),
        "Content-Length: " + std::to_string(kMaxMessageBytes + 1) + "\r\n\r\n",
        std::string(9000, 'x')}) {
    CAPTURE(bytes.substr(0, 40));
    FrameReader r;
    r.feed(bytes);
    auto f = r.next();
    REQUIRE(f);
    CHECK(f->fatal);
    CHECK_FALSE(f->message);
    CHECK_FALSE(r.next());  // and nothing after it
  }
}

TEST_CASE("frame and the message builders") {
  json m = response(7, {{"ok", true}});
  std::string f = frame(m);
  CHECK(f.rfind("Content-Length: ", 0) == 0);
  FrameReader r;
  r.feed(f);
  auto back = r.next();
  REQUIRE(back);
  CHECK(*back->message == m);
  json e = error_response(nullptr, ErrorCode::MethodNotFound, "no");
  CHECK(e["error"]["code"] == -32601);
  CHECK(e["id"].is_null());
  CHECK(notification("x", json::object())["method"] == "x");
}
