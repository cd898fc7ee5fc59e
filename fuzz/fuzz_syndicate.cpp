// libFuzzer harness: bytes -> the syndicate front end (one in-memory .rkt file) -> the
// program model -> every analysis -> the JSON report and `calm check`'s findings.
// A crash, sanitizer report, leak or uncaught exception is a finding
// (docs/robustness.md).

#include "fuzz_pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_program_bytes(data, size, "fuzz.rkt", "syndicate");
}
