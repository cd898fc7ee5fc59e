// libFuzzer harness: bytes -> Ruby front end (tree-sitter + Bud reader + composer)
// -> program model -> every analysis -> JSON report and `calm check` findings.
// The input is one in-memory file; a crash, a sanitizer report, a leak or an
// uncaught exception anywhere on the way is a finding. See docs/robustness.md.

#include "fuzz_pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_program_bytes(data, size, "fuzz.rb", "bud");
}
