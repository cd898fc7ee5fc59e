// libFuzzer harness: bytes -> `.calm.json` configuration reader (parse_config, its
// JSON location scanner, duplicate keys, the depth limit, the file-access policy).
// A crash, sanitizer report, leak or uncaught exception is a finding.

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/limits.h"
#include "checks/loader_findings.h"
#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  calm::Config config;
  calm::Diagnostics diags;
  static const std::vector<std::string> checks = calm::all_check_ids();
  (void)calm::parse_config(text, "dir/.calm.json", checks, config, diags);
  // Messages quote keys and values: they must stay valid UTF-8 (JSON, SARIF).
  for (const auto& d : diags.items())
    if (calm::invalid_utf8_at(d.message) != std::string::npos) __builtin_trap();
  return 0;
}
