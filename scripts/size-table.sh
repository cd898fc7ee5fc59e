#!/usr/bin/env bash
# The largest source files and functions of calm's libraries and CLI (tests excluded):
# the table #19 asks for before and after a restructuring. Needs universal-ctags.
# Usage: bash scripts/size-table.sh [N]   (default: the 10 largest of each)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
dirs=()
for d in runtime analyzer viz cli eval reporters analysis model graph frontend; do
  [[ -d $d ]] && dirs+=("$d")
done
files=$(find "${dirs[@]}" \( -name '*.cpp' -o -name '*.h' \) ! -name '*_test.cpp' | sort)
echo "## Largest files (lines)"
echo
echo "| lines | file |"
echo "|---:|---|"
# shellcheck disable=SC2086
wc -l $files | grep -v ' total$' | sort -rn | head -n "$n" | awk '{printf "| %d | %s |\n", $1, $2}'
echo
echo "## Largest functions (lines, from universal-ctags)"
echo
echo "| lines | function | where |"
echo "|---:|---|---|"
# shellcheck disable=SC2086
ctags -x --c++-kinds=f --fields=+ne --_xformat='%e %n %F %N' $files 2>/dev/null |
  awk '$1 ~ /^[0-9]+$/ { name=$4; for (i = 5; i <= NF; i++) name = name " " $i;
                         printf "%d\t%s\t%s:%d\n", $1 - $2 + 1, name, $3, $2 }' |
  sort -t$'\t' -k1,1rn | head -n "$n" | awk -F'\t' '{printf "| %d | `%s` | %s |\n", $1, $2, $3}'
echo
total=$(cat $files | wc -l)
echo "Total: $(echo "$files" | wc -l) files, $total lines."
