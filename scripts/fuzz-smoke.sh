#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, clang, build-fuzz) and runs each one for
# SECONDS (default 60) on a seed corpus made at run time from samples/. Exits non-zero
# when a harness finds a crash; the input that crashed is kept in
# build-fuzz/fuzz-findings/<harness>/ and must become a regression test in
# tests/robustness/. Usage: scripts/fuzz-smoke.sh [SECONDS] [HARNESS...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
build=${CALM_FUZZ_BUILD_DIR:-build-fuzz}
if ! command -v clang++ >/dev/null; then
  echo "fuzz-smoke: clang++ is absent (scripts/deps.sh installs it); skipped"
  exit 0
fi
tarball=()
if [[ -n ${CALM_TREE_SITTER_RUBY_TARBALL:-} ]]; then
  tarball=(-DCALM_TREE_SITTER_RUBY_TARBALL="$CALM_TREE_SITTER_RUBY_TARBALL")
fi
# CALM_FUZZ_NO_BUILD=1: run the harnesses already in $build/fuzz/ (built earlier) as they are.
if [[ -z ${CALM_FUZZ_NO_BUILD:-} ]]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCALM_FUZZ=ON -DCALM_BUILD_TESTS=OFF "${tarball[@]}" >/dev/null
fi
harnesses=("$@")
if [[ ${#harnesses[@]} -eq 0 ]]; then
  mapfile -t harnesses < <(sed -n 's/^calm_fuzzer(\(.*\))$/\1/p' fuzz/CMakeLists.txt)
fi
if [[ -z ${CALM_FUZZ_NO_BUILD:-} ]]; then
  cmake --build "$build" -j "$(nproc)" --target "${harnesses[@]}"
fi

status=0
for h in "${harnesses[@]}"; do
  work="$build/fuzz-work/$h"
  findings="$build/fuzz-findings/$h"
  rm -rf "$work"
  mkdir -p "$work/seeds" "$work/corpus" "$findings"
  # Seeds, made fresh each run: the samples for the Ruby front end, the scenarios
  # and facts for the evaluator.
  case $h in
    fuzz_bud) find samples -name '*.rb' -exec cp -t "$work/seeds" {} + ;;
    fuzz_lsp)  # 8 control bytes, then a sample's source
      for f in samples/*/*.rb tests/lsp/editing_sample.rb; do
        { printf '\x01\x15\x04\x08\x0c\x02\x0c\x09'; cat "$f"; } >"$work/seeds/$(basename "$f")"
      done
      ;;
    fuzz_dedalus) find samples -name '*.ded' -exec cp -t "$work/seeds" {} + ;;
    fuzz_syndicate) find samples -name '*.rkt' -exec cp -t "$work/seeds" {} + ;;
    fuzz_ir)
      # The IR of the samples, written by the release build when there is one.
      calm=${CALM_BIN:-build/bin/calm}
      if [[ -x $calm ]]; then
        for f in samples/*/*.rb samples/dedalus/*.ded; do
          "$calm" model --format json "$f" >"$work/seeds/$(basename "$f").calm.json" 2>/dev/null || true
        done
      fi
      cat > "$work/seeds/min.calm.json" <<'JSON'
{"programs": [{"name": "counter", "collections": [
  {"name": "hits", "kind": "channel", "keys": ["to", "id"], "location_column": "to"},
  {"name": "seen", "kind": "table", "keys": ["id"]}, {"name": "total", "kind": "output", "keys": ["n"]}],
 "rules": [{"lhs": "seen", "op": "<=", "references": [{"collection": "hits", "context": "scan"}]},
  {"lhs": "total", "op": "<=", "references": [{"collection": "seen", "context": "group", "method": "count"}]}]}]}
JSON
      ;;
    fuzz_config)
      cat > "$work/seeds/config.json" <<'JSON'
{"$schema": "x", "programs": [{"name": "kvs", "files": ["kvs.rb", "b/c.ded"], "modules": ["BasicKVS"]}],
 "include_dirs": ["lib"], "disabled_checks": ["calm-underspecified"], "fail_on": "warning",
 "baseline": "calm-baseline.json"}
JSON
      ;;
    fuzz_baseline)
      cp tests/golden/*.json "$work/seeds/" 2>/dev/null || true
      cat > "$work/seeds/baseline.json" <<'JSON'
{"calm_baseline": 1, "findings": [{"fingerprint": "abc", "check": "calm-point-of-order", "program": "P", "message": "m"}]}
JSON
      ;;
    fuzz_scenario)
      find samples -name '*.scenario.json' -exec cp -t "$work/seeds" {} +
      # Scenarios for the harness's own program (fuzz/fuzz_scenario.cpp).
      cat > "$work/seeds/two_nodes.json" <<'JSON'
{"nodes": [{"name": "a", "address": "a:1", "program": {"files": ["x.rb"]}, "record": ["store"]},
           {"name": "b", "address": "b:1", "program": {"files": ["x.rb"]}}],
 "steps": 6, "seed": 7, "network": {"min_delay": 1, "max_delay": 3, "loss": 0.1, "duplicate": 0.2},
 "clock": {"seconds_per_step": 0.5, "jitter": 0.1},
 "inputs": [{"step": 0, "node": "a", "facts": {"peer": [["b:1"]], "put": [["k", 1], ["j", {"sym": "s"}]]}},
            {"step": 1, "node": "b", "facts": {"peer": [["a:1"]], "put": [["k", 2.5]]}}],
 "expect": [{"node": "b", "collection": "store", "subset": true, "contents": [["k", 1]]}]}
JSON
      cat > "$work/seeds/quiescent.json" <<'JSON'
{"nodes": [{"name": "n", "program": {"files": ["x.rb"]}}], "steps": 10, "until_quiescent": true,
 "max_facts": 100, "inputs": [{"facts": {"put": [[1, [1, 2]], [2, {"set": [1]}], [3, {"hash": [[1, 2]]}]]}}]}
JSON
      ;;
  esac
  echo "== $h: ${seconds}s, $(ls "$work/seeds" | wc -l) seeds"
  dict=()
  [[ -f fuzz/$h.dict ]] && dict=(-dict="$PWD/fuzz/$h.dict")
  # Extra libFuzzer flags, e.g. CALM_FUZZ_FLAGS="-fork=1 -ignore_crashes=1" to keep
  # going after a crash (every crash input is still written to the findings folder).
  read -r -a extra <<<"${CALM_FUZZ_FLAGS:-}"
  if ! (cd "$work" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "../../fuzz/$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="../../fuzz-findings/$h/" -print_final_stats=1 "${dict[@]}" "${extra[@]}" \
        corpus seeds 2>&1 | tee "../$h.log" | grep -E "^#[0-9]+.*(DONE|pulse)|ERROR|SUMMARY|stat::number_of_executed_units|stat::peak_rss"); then
    :
  fi
  if grep -qE "^==[0-9]+==ERROR|SUMMARY: (Address|UndefinedBehavior|libFuzzer)|deadly signal|Test unit written" "$work/../$h.log"; then
    echo "fuzz-smoke: $h found a problem; see $build/fuzz-work/$h.log and $findings/"
    status=1
  fi
done
exit $status
