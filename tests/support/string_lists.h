#pragma once

// doctest prints lists of names in failure messages: ["a -> b", "c -> d"].

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& items) {
    std::string out = "[";
    for (const auto& i : items) out += (out.size() > 1 ? ", \"" : "\"") + i + "\"";
    return (out + "]").c_str();
  }
};
}  // namespace doctest
