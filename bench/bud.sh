#!/usr/bin/env bash
# calm's evaluator against the real Bud 0.9.9 (../shared/bud) on the workloads of
# calm_eval_bench: the transitive closure over 1k and 10k edges (bench/bud/closure.rb, the
# same graph), and the replicated key-value store, 3 replicas, 1k and 10k puts
# (bench/bud/kvs.rb, the same puts; delays 1-3 drawn by each side's own seeded generator),
# a 3-way join with an aggregate over 10k and 100k edges (bench/bud/triangles.rb), and
# reliable delivery of 1k messages over a lossy network (bench/bud/delivery.rb).
# Checks that both derive the same number of facts, prints seconds and Bud / calm.
# usage: bench/bud.sh [CALM_EVAL_BENCH]   (from the repository root; needs ruby and ../shared/bud)
set -euo pipefail
bench=${1:-build/bench/calm_eval_bench}
if ! command -v ruby >/dev/null || [[ ! -f ../shared/bud/env.sh ]]; then
  echo "bench/bud.sh: needs ruby and ../shared/bud (bash ../shared/bud/setup.sh)" >&2
  exit 2
fi
# shellcheck disable=SC1091
source ../shared/bud/env.sh
echo "ruby: $(ruby -v); Bud $(ruby -e 'require "bud/version"; print Bud::VERSION')"
printf '%-34s %12s %12s %12s %12s\n' "workload" "facts" "calm" "Bud" "Bud / calm"
# One workload run in one timestep on both sides: LABEL, the calm_eval_bench filter, the
# Bud script and its EDGES. Best of two runs each: the machines this runs on are shared.
one_timestep_row() {
  local label=$1 filter=$2 script=$3 e=$4 calm_s="" bud_s="" calm_line s calm_facts bud_facts
  for _ in 1 2; do
    calm_line=$("$bench" . "$filter" | tail -1)
    s=$(awk '{ print $(NF-6) }' <<<"$calm_line")
    calm_s=$(awk -v a="$calm_s" -v b="$s" 'BEGIN { print (a == "" || b < a) ? b : a }')
    calm_facts=$(awk '{ print $(NF-3) }' <<<"$calm_line")
    read -r _ bud_facts s < <(ruby "$script" "$e")
    bud_s=$(awk -v a="$bud_s" -v b="$s" 'BEGIN { print (a == "" || b < a) ? b : a }')
  done
  if [[ $calm_facts != "$bud_facts" ]]; then
    echo "bench/bud.sh: $label: calm derived $calm_facts facts, Bud $bud_facts" >&2
    exit 1
  fi
  printf '%-34s %12s %11ss %11ss %12s\n' "$label" "$calm_facts" \
    "$calm_s" "$bud_s" "$(awk -v r="$bud_s" -v c="$calm_s" 'BEGIN { printf "%.0f", r / c }')"
}
for e in 1000 10000; do
  one_timestep_row "closure, $((e / 1000))k edges (one timestep)" "semi-naive $((e / 1000))k" \
    bench/bud/closure.rb "$e"
done
for e in 10000 100000; do
  one_timestep_row "3-way join + group, $((e / 1000))k edges" "triangles $((e / 1000))k" \
    bench/bud/triangles.rb "$e"
done
# One multi-node workload, per timestep on both sides: LABEL, the calm_eval_bench filter,
# the Bud script and its size argument.
per_step_row() {
  local label=$1 filter=$2 script=$3 n=$4 calm_ms="" bud_s="" calm_line s calm_facts steps bud_facts
  for _ in 1 2; do
    calm_line=$("$bench" . "$filter" | tail -1)
    s=$(awk '{ print $(NF-4) }' <<<"$calm_line")
    calm_ms=$(awk -v a="$calm_ms" -v b="$s" 'BEGIN { print (a == "" || b < a) ? b : a }')
    calm_facts=$(awk '{ print $(NF-3) }' <<<"$calm_line")
    read -r _ steps bud_facts s < <(ruby "$script" "$n")
    bud_s=$(awk -v a="$bud_s" -v b="$s" 'BEGIN { print (a == "" || b < a) ? b : a }')
  done
  if [[ $calm_facts != "$bud_facts" ]]; then
    echo "bench/bud.sh: $label: calm ended with $calm_facts facts, Bud $bud_facts" >&2
    exit 1
  fi
  local bud_ms
  bud_ms=$(awk -v s="$bud_s" -v n="$steps" 'BEGIN { printf "%.3f", s * 1000 / (n - 1) }')
  printf '%-34s %12s %9sms %9sms %12s\n' "$label" "$calm_facts" \
    "$calm_ms" "$bud_ms" "$(awk -v r="$bud_ms" -v c="$calm_ms" 'BEGIN { printf "%.0f", r / c }')"
}
for p in 1000 10000; do
  per_step_row "replicated KVS, $((p / 1000))k puts (per step)" "kvs $((p / 1000))k" \
    bench/bud/kvs.rb "$p"
done
# facts: the sender's send_buf at the end, 0 on both sides once every message was
# acknowledged (losses and delays are each side's own seeded draws)
per_step_row "reliable delivery, 1k msgs (per step)" "delivery 1k" bench/bud/delivery.rb 1000
