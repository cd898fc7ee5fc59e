#!/usr/bin/env bash
# The long fuzzing runs of docs/robustness.md (outside CI): every harness in fuzz/, ONE AT
# A TIME, for SECONDS each (default 600), in libFuzzer's fork mode so a crash is recorded
# and fuzzing goes on, under `nice -n 10`. Writes a summary per harness (executions,
# corpus size, crashes) to build-fuzz/fuzz-long.log; each harness's full log stays in
# build-fuzz/fuzz-work/<harness>.log and its crash inputs in build-fuzz/fuzz-findings/.
# Usage: scripts/fuzz-long.sh [SECONDS] [HARNESS...]; CALM_FUZZ_BUILD_DIR and
# CALM_FUZZ_NO_BUILD=1 as for scripts/fuzz-smoke.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
build=${CALM_FUZZ_BUILD_DIR:-build-fuzz}
harnesses=("$@")
if [[ ${#harnesses[@]} -eq 0 ]]; then
  mapfile -t harnesses < <(sed -n 's/^calm_fuzzer(\(.*\))$/\1/p' fuzz/CMakeLists.txt)
fi
summary="$build/fuzz-long.log"
mkdir -p "$build"
echo "# fuzz-long $(date -u +%FT%TZ): ${seconds}s per harness: ${harnesses[*]}" >>"$summary"
for h in "${harnesses[@]}"; do
  start=$(date +%s)
  CALM_FUZZ_FLAGS="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1" \
    nice -n 10 scripts/fuzz-smoke.sh "$seconds" "$h" >"$build/fuzz-long-$h.out" 2>&1
  rc=$?
  end=$(date +%s)
  log="$build/fuzz-work/$h.log"
  # Fork mode prints "#EXECS: cov: C ft: F corp: N exec/s: E oom/timeout/crash: a/b/c time: T".
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1)
  execs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' <<<"$last")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  crashes=$(sed -n 's#.*oom/timeout/crash: \([0-9/]*\).*#\1#p' <<<"$last")
  corpus=$(find "$build/fuzz-work/$h/corpus" -type f | wc -l)
  artifacts=$(find "$build/fuzz-findings/$h" -type f -newermt "@$start" | wc -l)
  echo "$h: $((end - start)) s, executions ${execs:-?}, coverage ${cov:-?} edges, corpus ${corp:-?} units ($corpus files in its folder), oom/timeout/crash ${crashes:-?}, new inputs in fuzz-findings/$h: $artifacts, fuzz-smoke rc $rc" \
    | tee -a "$summary"
done
