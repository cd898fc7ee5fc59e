#pragma once

// The sample scenarios (samples/**/<name>.scenario.json), sorted, for the tests that run
// every one of them.

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace calm::test {

inline std::vector<std::string> sample_scenarios() {
  std::vector<std::string> out;
  const std::string suffix = ".scenario.json";
  for (const auto& e : std::filesystem::recursive_directory_iterator(
           std::filesystem::path(CALM_SOURCE_DIR) / "samples")) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace calm::test
