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
printf '%-52s %8.3f   (issue #20 aims at 0.5 s)\n' "total" "$(awk -v n="$total_us" 'BEGIN { printf "%.3f", n / 1e6 }')"
