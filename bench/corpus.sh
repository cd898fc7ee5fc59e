#!/usr/bin/env bash
# Corpus benchmark: parse + compose every .rb under ../shared/corpus.
# Prints wall time and peak memory (whole process), (a) one process per file,
# (b) one process reading every file. Usage: bench/corpus.sh [path/to/calm] [command]
set -euo pipefail
cd "$(dirname "$0")/.."
CALM=${1:-build/bin/calm}
CMD=${2:-model}
CORPUS=../shared/corpus
if [[ ! -d $CORPUS ]]; then echo "bench/corpus.sh: $CORPUS is absent; nothing to measure"; exit 0; fi
mapfile -t files < <(find "$CORPUS" -name '*.rb' | sort)
echo "corpus: ${#files[@]} files, calm $CMD"

start=$(date +%s.%N)
for f in "${files[@]}"; do "$CALM" "$CMD" "$f" -o /dev/null >/dev/null 2>&1 || true; done
end=$(date +%s.%N)
printf "one process per file: %.3f s total, %.1f ms per file\n" \
  "$(echo "$end - $start" | bc)" "$(echo "($end - $start) * 1000 / ${#files[@]}" | bc -l)"

# One process over all files (modules of the same name from different folders
# merge, as Ruby would; the diagnostics that causes are ignored here).
/usr/bin/time -f "one process, all files: %e s wall, %M KiB peak RSS" \
  "$CALM" "$CMD" "${files[@]}" -o /dev/null >/dev/null 2>/tmp/calm-bench-all.err || true
tail -n 1 /tmp/calm-bench-all.err
