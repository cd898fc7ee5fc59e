#!/usr/bin/env bash
# Peak memory (and exit status, wall time) of calm on every case of the reliability attack
# (../shared/reliability/README.md, issue #23): each must end with a located error or the
# right result, and a peak under 1 GB. Runs in a temporary directory (the cases write
# outputs); skips, saying so, when ../shared/reliability is absent.
# Usage: bench/reliability_peaks.sh [CALM] [RELIABILITY_DIR]
set -uo pipefail
calm=$(realpath "${1:-build/bin/calm}")
src=$(realpath "${2:-$(dirname "$0")/../../shared/reliability}" 2>/dev/null) || true
if [[ -z $src || ! -d $src ]]; then
  echo "reliability_peaks: ../shared/reliability is absent; skipped"
  exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp -r "$src"/. "$dir/"
cd "$dir"
python3 gen_bug3.py 30000 >chain.rb
echo '{"steps":[{"add_link":[[1,2]]}]}' >links.json
echo GOOD >keep.out
mknod -m 666 mynull c 1 3 2>/dev/null || true
mkfifo fifo 2>/dev/null || true
peak() {  # NAME COMMAND...
  local name=$1
  shift
  /usr/bin/time -f "%M %e %x" -o t.txt timeout 120 "$@" >out.txt 2>&1 </dev/null
  read -r kb secs status < <(tail -1 t.txt)  # GNU time may add "Command exited with ..."
  printf "%-28s exit %-3s %6.2f s  peak %7.1f MB  %s\n" "$name" "$status" "$secs" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" \
    "$(grep -m1 -E 'error|warning' out.txt | cut -c1-90)"
}
peak B1 "$calm" report bug1_interp_unclosed.rb -o o.json
peak B1b "$calm" report bug1b_regex_interp.rb -o o.json
peak B1c "$calm" report bug1c_nested_interp_closed.rb -o o.json
for f in bug2_overlong_utf8_string.rb bug2b_surrogate_string.rb bug2c_beyond_10ffff_string.rb \
  bug2d_dedalus_overlong_string.ded bug2e_syndicate_overlong_string.rkt; do
  peak "B2 ${f%%_*}" "$calm" report "$f" -o o.json
done
peak "B3 (30,000 modules)" "$calm" report chain.rb -o o.json
peak B4 "$calm" report bug4_import_diamond_24.rb -o o.json
peak B5 "$calm" report bug5_import_chain_35_false_cycle.rb -o o.json
peak B6 "$calm" check bug6_ir_location_file_disclosure.calm.json
peak B6b "$calm" run --scenario bug6b_scenario_abs_path.json
peak B7 "$calm" run bug7_dedalus_bigint_saturates.ded --steps 1 --facts links.json
peak B7b "$calm" run bug7b_ruby_bigint_literal_saturates.rb --steps 1 --facts bug8_facts_int64max.json
for f in bug8_int_overflow_add.rb bug8b_pow_2_64.rb bug8c_nan_to_i.rb bug9_string_times_huge.rb \
  bug9b_array_times_huge.rb; do
  peak "${f%%_*}" "$calm" run "$f" --steps 1 --facts bug8_facts_int64max.json
done
peak bug9c "$calm" run bug9c_string_doubling.rb --steps 40
peak B10 "$calm" run bug10_run_failure_clobbers_output.rb --steps 3 --record c -o keep.out
peak "B11 (device)" "$calm" report reachability.rb -o mynull
peak B12 "$calm" check --config bug12_config_deep_nesting.json
peak B13 "$calm" check --config bug13_config_baseline_devzero.json
peak "B13 (FIFO config)" "$calm" check --config fifo
peak B14 "$calm" report bug14_syndicate_deep_unclosed.rkt -o o.json
