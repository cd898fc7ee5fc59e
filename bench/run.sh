#!/usr/bin/env bash
# Builds calm and the benchmarks in Release (build-bench/, or $CALM_BENCH_BUILD_DIR) and
# prints the benchmark table: the shared corpus (whole process and in process) and the
# synthetic scaling series. Extra arguments go to calm_bench, e.g.
#   bench/run.sh --sizes 1000,10000 --no-corpus
set -euo pipefail
cd "$(dirname "$0")/.."
build=${CALM_BENCH_BUILD_DIR:-build-bench}
tarball=()
if [[ -n ${CALM_TREE_SITTER_RUBY_TARBALL:-} ]]; then
  tarball=(-DCALM_TREE_SITTER_RUBY_TARBALL="$CALM_TREE_SITTER_RUBY_TARBALL")
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCALM_BUILD_TESTS=OFF \
  "${tarball[@]}" >/dev/null
cmake --build "$build" -j "${CALM_BENCH_JOBS:-2}" --target calm calm_bench calm_synth >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(c++ --version | head -1), Release (-O3)"
"$build/bench/calm_bench" --calm "$build/bin/calm" "$@"
