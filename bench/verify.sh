#!/usr/bin/env bash
# Times a default `calm verify` (200 schedules, all cores) of every sample scenario.
# usage: bench/verify.sh [CALM_BINARY]   (from the repository root)
set -euo pipefail
calm=${1:-build/bin/calm}
printf '%-52s %8s %6s %s\n' "scenario" "seconds" "exit" "summary"
total_ns=0
for s in $(find samples -name '*.scenario.json' | sort); do
  start=$(date +%s%N)
  set +e
  out=$("$calm" verify --scenario "$s" 2>&1)
  rc=$?
  set -e
  end=$(date +%s%N)
  ns=$((end - start))
  total_ns=$((total_ns + ns))
  secs=$(awk -v n="$ns" 'BEGIN { printf "%.2f", n / 1e9 }')
  summary=$(printf '%s\n' "$out" | grep -E '^[0-9]+ outputs:' | sed 's/ order-sensitive//g' || true)
  printf '%-52s %8.2f %6s %s\n' "$s" "$secs" "$rc" "$summary"
done
printf '%-52s %8s\n' "total" "$(awk -v n="$total_ns" 'BEGIN { printf "%.2f", n / 1e9 }')"
