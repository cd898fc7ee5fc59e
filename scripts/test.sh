#!/usr/bin/env bash
# Builds and runs every test: the release build, then the ASan+UBSan build.
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

echo "== release build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
(cd build && ctest --output-on-failure -j "$jobs")

echo "== ASan+UBSan build"
# The benchmarks are not tests: the sanitizer build leaves them out.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCALM_SANITIZE=ON \
  -DCALM_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j "$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure -j "$jobs")

# A smoke run (CALM_FUZZ_SECONDS per harness, default 20); the long runs are
# scripts/fuzz-smoke.sh 600, reported in docs/robustness.md.
fuzz_seconds=${CALM_FUZZ_SECONDS:-20}
echo "== fuzz smoke (libFuzzer, $fuzz_seconds s per harness)"
bash scripts/fuzz-smoke.sh "$fuzz_seconds"
