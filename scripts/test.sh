#!/usr/bin/env bash
# Builds and runs every test: in the ASan+UBSan build, and in release the ones that
# cannot run sanitized (the differential test against Bud, valgrind).
# The corpus tests read ../shared when it exists and say so when it does not.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
# The reference Bud for the differential test (tests/differential/): its setup installs
# Debian's Ruby and the ruby-* packages Bud needs. Without ../shared/bud the test skips.
if [[ -f ../shared/bud/setup.sh ]]; then
  bash ../shared/bud/setup.sh >/dev/null || echo "note: ../shared/bud/setup.sh failed: the differential test will skip"
else
  echo "note: ../shared/bud is absent: the differential test will skip (it says so in its output)"
fi
jobs=$(nproc)
if [[ ! -d ../shared/corpus ]]; then
  echo "note: ../shared/corpus is absent: the corpus and oracle tests will skip (they say so in their output)"
fi

# Every test runs in the ASan+UBSan build below. The release build runs the two that
# cannot run there: the differential test against Bud (its 2 GiB address-space limit) and
# the robustness suite's valgrind runs (valgrind cannot run sanitized code). Building the
# other test binaries twice would only add minutes to CI; `cmake --build build` and
# `ctest --test-dir build` run them all in release.
echo "== release build (calm, the differential test, robustness with valgrind)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs" --target calm robustness_tests
(cd build && ctest --output-on-failure -j "$jobs" -R '^(robustness|differential)$')

echo "== ASan+UBSan build"
# The benchmarks are not tests: the sanitizer build leaves them out.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCALM_SANITIZE=ON \
  -DCALM_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j "$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure -j "$jobs")

# A smoke run (CALM_FUZZ_SECONDS per harness, default 15: eight harnesses in two
# minutes); the long runs are scripts/fuzz-smoke.sh 600, reported in docs/robustness.md.
fuzz_seconds=${CALM_FUZZ_SECONDS:-15}
echo "== fuzz smoke (libFuzzer, $fuzz_seconds s per harness)"
bash scripts/fuzz-smoke.sh "$fuzz_seconds"
