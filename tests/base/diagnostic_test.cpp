// base/diagnostic.h: severity names, locations of byte offsets.

#include "base/diagnostic.h"

#include <doctest/doctest.h>

using namespace calm;

TEST_CASE("severities: to_string and severity_from_string are each other's inverse") {
  for (Severity s : {Severity::Note, Severity::Warning, Severity::Error})
    CHECK(severity_from_string(to_string(s)) == s);
  CHECK(std::string(to_string(Severity::Note)) == "note");
  CHECK(std::string(to_string(Severity::Warning)) == "warning");
  CHECK(std::string(to_string(Severity::Error)) == "error");
  CHECK_FALSE(severity_from_string(""));
  CHECK_FALSE(severity_from_string("Error"));   // calm's names are lower case
  CHECK_FALSE(severity_from_string("notice"));  // GitHub's word, not calm's
  CHECK_FALSE(severity_from_string("warnings"));
}

TEST_CASE("location_at: lines from 1, columns in bytes from 1, the end past the end") {
  const std::string text = "ab\né\n\nx";
  CHECK(location_at("f", text, 0) == SourceLocation{"f", 1, 1});
  CHECK(location_at("f", text, 2) == SourceLocation{"f", 1, 3});  // the newline itself
  CHECK(location_at("f", text, 3) == SourceLocation{"f", 2, 1});
  CHECK(location_at("f", text, 5) == SourceLocation{"f", 2, 3});  // after the two bytes of é
  CHECK(location_at("f", text, 7) == SourceLocation{"f", 4, 1});
  CHECK(location_at("f", text, 99) == SourceLocation{"f", 4, 2});
  CHECK(location_at("f", "", 0) == SourceLocation{"f", 1, 1});
}
