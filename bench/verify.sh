#!/usr/bin/env bash
# Times a default `calm verify` (200 schedules, all cores) of every sample scenario.
# usage: bench/verify.sh [CALM_BINARY]   (from the repository root)
set -euo pipefail
calm=${1:-build/bin/calm}
printf '%-52s %8s %6s %s\n' "scenario" "seconds" "exit" "summary"
# Each run's wall time is taken around calm alone ($EPOCHREALTIME, output to a file): a
# command substitution and two `date` processes per scenario added about 25 ms each.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
total_us=0
for s in $(find samples -name '*.scenario.json' | sort); do
  set +e
  start=${EPOCHREALTIME/./}
  "$calm" verify --scenario "$s" >"$out" 2>&1
  rc=$?
  end=${EPOCHREALTIME/./}
  set -e
  us=$((end - start))
  total_us=$((total_us + us))
  summary=$(grep -E '^[0-9]+ outputs:' "$out" | sed 's/ order-sensitive//g' || true)
  printf '%-52s %8.3f %6s %s\n' "$s" "$(awk -v n="$us" 'BEGIN { printf "%.3f", n / 1e6 }')" \
    "$rc" "$summary"
done
printf '%-52s %8.3f   (one process per scenario, one after another)\n' "total" \
  "$(awk -v n="$total_us" 'BEGIN { printf "%.3f", n / 1e6 }')"
# The same scenarios in one command (--scenario repeated): they run side by side, each on
# its share of the cores, with one process start. Best of three, and its ratio to the
# one-process-per-scenario total above.
args=()
for s in $(find samples -name '*.scenario.json' | sort); do args+=(--scenario "$s"); done
best_us=0
for _ in 1 2 3; do
  start=${EPOCHREALTIME/./}
  "$calm" verify "${args[@]}" >"$out" 2>&1 || true
  end=${EPOCHREALTIME/./}
  us=$((end - start))
  if [ "$best_us" -eq 0 ] || [ "$us" -lt "$best_us" ]; then best_us=$us; fi
done
printf '%-52s %8.3f   (best of 3; %s of the total above; issue #20 aims at 0.5 s)\n' \
  "one command, all scenarios" "$(awk -v n="$best_us" 'BEGIN { printf "%.3f", n / 1e6 }')" \
  "$(awk -v a="$best_us" -v b="$total_us" 'BEGIN { printf "%.2f", a / b }')"
tail -1 "$out"
