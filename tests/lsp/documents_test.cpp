#include "lsp/documents.h"

#include <doctest/doctest.h>

using namespace calm::lsp;
using calm::SourceLocation;

TEST_CASE("file URIs and paths") {
  CHECK(uri_to_path("file:///a/b%20c.rb") == "/a/b c.rb");
  CHECK(uri_to_path("file://localhost/x.rb") == "/x.rb");
  CHECK_FALSE(uri_to_path("untitled:Untitled-1"));
  CHECK_FALSE(uri_to_path("file://server/share/x.rb"));
  CHECK(path_to_uri("/a/b c#1.rb") == "file:///a/b%20c%231.rb");
  CHECK(uri_to_path(path_to_uri("/tmp/ü ä/x.rb")) == "/tmp/ü ä/x.rb");
}

TEST_CASE("Text: UTF-16 positions, UTF-8 bytes, calm columns") {
  // "é" is 2 bytes and 1 UTF-16 unit; "𝄞" is 4 bytes and 2 units.
  Text t("ab\n  é𝄞 x <= y\r\nlast");
  CHECK(t.line_count() == 3);
  CHECK(t.line(1) == "  é𝄞 x <= y");  // without the \r
  // x is at byte column 10 (1-based) of line 2: 2 spaces + 2 + 4 + space.
  SourceLocation x{"f", 2, 10};
  CHECK(t.position(x, PositionEncoding::Utf16) == Position{1, 6});
  CHECK(t.position(x, PositionEncoding::Utf8) == Position{1, 9});
  CHECK(t.line_column({1, 6}, PositionEncoding::Utf16) == std::pair{2, 10});
  CHECK(t.line_column({1, 9}, PositionEncoding::Utf8) == std::pair{2, 10});
  // Past the end of a line or of the text: clamped.
  CHECK(t.offset({0, 99}, PositionEncoding::Utf16) == 2);
  CHECK(t.offset({9, 0}, PositionEncoding::Utf16) == t.str().size());
}

TEST_CASE("Text: the token a finding underlines") {
  Text t("    kvstate <+- kvput { |p| p }\n    x <= :sym\n");
  auto r = t.token_range({"f", 1, 5}, PositionEncoding::Utf16);
  CHECK(r.start == Position{0, 4});
  CHECK(r.end == Position{0, 11});  // kvstate
  r = t.token_range({"f", 1, 13}, PositionEncoding::Utf16);
  CHECK(r.end == Position{0, 15});  // <+-
  r = t.token_range({"f", 2, 10}, PositionEncoding::Utf16);
  CHECK(r.end == Position{1, 13});                          // :sym
  r = t.token_range({"f", 9, 1}, PositionEncoding::Utf16);  // past the end: empty
  CHECK(r.start == r.end);
}

TEST_CASE("Text: the word under the cursor, qualified") {
  Text t("x <= kvs.kvstate.notin(Outer::Inner)");
  size_t start = 0;
  CHECK(t.word_at(10, &start) == "kvs.kvstate");
  CHECK(start == 5);
  CHECK(t.word_at(16) == "kvs.kvstate");  // right after the word
  CHECK(t.word_at(32) == "Outer::Inner");
  CHECK(t.word_at(2) == "");  // on the operator
}

TEST_CASE("apply_change: incremental edits in UTF-16, and whole-text replacement") {
  std::string text = "é = 1\nb = 2\n";
  REQUIRE(apply_change(
      text,
      {{"range",
        {{"start", {{"line", 0}, {"character", 4}}}, {"end", {{"line", 1}, {"character", 1}}}}},
       {"text", "42\nc"}},
      PositionEncoding::Utf16));
  CHECK(text == "é = 42\nc = 2\n");
  REQUIRE(apply_change(text, {{"text", "new"}}, PositionEncoding::Utf16));
  CHECK(text == "new");
  CHECK_FALSE(apply_change(text, {{"range", 3}, {"text", "x"}}, PositionEncoding::Utf16));
  CHECK_FALSE(apply_change(text, {{"nothing", 1}}, PositionEncoding::Utf16));
}

TEST_CASE("LineMap: lines before and after an edit move, edited lines are gone") {
  LineMap m("a\nb\nc\nd\ne", "a\nb\nX\nY\nZ\nd\ne");
  CHECK(m.map(1) == 1);
  CHECK(m.map(2) == 2);
  CHECK_FALSE(m.map(3));  // c was replaced
  CHECK(m.map(4) == 6);
  CHECK(m.map(5) == 7);
  LineMap same("a\nb", "a\nb");
  CHECK(same.map(2) == 2);
}
