#!/usr/bin/env bash
# The transitive closure in calm's evaluator next to the same algorithm written directly
# in Ruby (bench/ruby/closure.rb): same graphs, same path counts, seconds and the ratio.
# Bud itself is a Ruby library evaluating the same rules through its dataflow, so the
# Ruby column is a floor for Bud's time (see docs/benchmarks.md).
# usage: bench/ruby.sh [CALM_EVAL_BENCH]   (from the repository root; needs `ruby`)
set -euo pipefail
bench=${1:-build/bench/calm_eval_bench}
if ! command -v ruby >/dev/null; then
  echo "bench/ruby.sh: ruby is not installed (Debian: apt-get install ruby)" >&2
  exit 2
fi
echo "ruby: $(ruby -v)"
printf '%-8s %10s %12s %12s %14s\n' "edges" "paths" "calm s" "ruby s" "ruby / calm"
for e in 1000 10000 100000; do
  label="semi-naive $((e / 1000))k"
  calm_line=$("$bench" . "$label" | tail -1)
  calm_s=$(awk '{ print $(NF-6) }' <<<"$calm_line")
  calm_paths=$(awk '{ print $(NF-3) }' <<<"$calm_line")
  read -r _ ruby_paths ruby_s < <(ruby bench/ruby/closure.rb "$e")
  if [[ $calm_paths != "$ruby_paths" ]]; then
    echo "bench/ruby.sh: $e edges: calm derived $calm_paths paths, Ruby $ruby_paths" >&2
    exit 1
  fi
  printf '%-8s %10s %12s %12s %14s\n' "$e" "$calm_paths" "$calm_s" "$ruby_s" \
    "$(awk -v r="$ruby_s" -v c="$calm_s" 'BEGIN { printf "%.2f", r / c }')"
done
