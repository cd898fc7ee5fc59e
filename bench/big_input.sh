#!/usr/bin/env bash
# Peak memory and time of `calm report` on big Ruby programs (the reliability issue: a
# 50 MB file, under the 64 MiB input limit, once took 66 s and 6.1 GB; a dense one would
# have needed ~14 GB). Generates the inputs in a temporary directory, runs each under
# /usr/bin/time -v and prints the figures:
#  - 50 MB of each shape: padded (2,000 collections and 4,000 rules, then comments),
#    dense (every line a join rule), tokens (`t <= [[1,1,1,...]]`), rules (`t1 <= t2`
#    lines), tables (`table :tN` lines). Each is analysed or refused with a located
#    diagnostic and exit 2 (kMaxProgramTokens, runtime/frontend/ruby/syntax_tree.h);
#    the target is a peak under 2 GB.
#  - each shape sized just under kMaxProgramTokens (680,000 tokens): analysed, and the
#    target is a peak under 1 GB.
# Usage: bench/big_input.sh [CALM] [MB]
set -euo pipefail
calm=${1:-build/bin/calm}
mb=${2:-50}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/gen.py" <<'PY'
import sys
shape, size = sys.argv[1], int(float(sys.argv[2]) * (1 << 20))
if shape == "padded":
    n = 2000
    t = ["class Big\n  include Bud\n  state do\n"]
    t += ["    table :t%d, [:k] => [:v]\n" % i for i in range(n)]
    t.append("  end\n  bloom do\n")
    t += ["    t%d <= t%d { |x| [x.k, x.v] }\n" % (i % n, (i * 7) % n) for i in range(1, 2 * n + 1)]
    t.append("  end\nend\n")
    s = "".join(t)
    pad = "# " + "x" * 97 + "\n"
    s += pad * ((size - len(s)) // len(pad))
elif shape == "dense":
    t = ["class Dense\n  include Bud\n  state do\n"]
    n = est = 0
    while est < size * 0.3:
        line = "    table :t%d, [:k] => [:v]\n" % n
        t.append(line); est += len(line); n += 1
    t.append("  end\n  bloom do\n")
    i = 1
    total = sum(map(len, t))
    while total < size - 100:
        line = "    t%d <= (t%d * t%d).pairs(:k => :k) { |a, b| [a.k, b.v] }\n" % (
            i % n, (i * 7) % n, (i * 13) % n)
        t.append(line); total += len(line); i += 1
    t.append("  end\nend\n")
    s = "".join(t)
elif shape == "tokens":
    head = "class Tok\n  include Bud\n  state do\n    table :t, [:k]\n  end\n  bloom do\n    t <= [["
    tail = "]]\n  end\nend\n"
    s = head + ",".join(["1"] * ((size - len(head) - len(tail)) // 2)) + tail
elif shape == "rules":
    n = 100
    t = ["class R\n  include Bud\n  state do\n"] + ["    table :t%d\n" % i for i in range(n)]
    t.append("  end\n  bloom do\n")
    total = sum(map(len, t))
    i = 0
    while total < size - 100:
        line = "t%d <= t%d\n" % (i % n, (i * 7 + 1) % n)
        t.append(line); total += len(line); i += 1
    t.append("  end\nend\n")
    s = "".join(t)
elif shape == "tables":
    t = ["class R\n  include Bud\n  state do\n"]
    total = 40
    i = 0
    while total < size - 100:
        line = "table :t%d\n" % i
        t.append(line); total += len(line); i += 1
    t.append("  end\nend\n")
    s = "".join(t)
sys.stdout.write(s)
PY
run() {  # NAME SHAPE MB TARGET_MB
  local f="$dir/$1.rb"
  python3 "$dir/gen.py" "$2" "$3" >"$f"
  local bytes
  bytes=$(stat -c %s "$f")
  /usr/bin/time -v "$calm" report "$f" -o "$dir/$1.json" 2>"$dir/$1.time" >/dev/null || true
  local rss secs status what
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/$1.time")
  secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/$1.time")
  status=$(sed -n 's/.*Exit status: //p' "$dir/$1.time")
  what=analysed
  if [[ $status != 0 ]]; then
    what="refused: $(grep -m1 -o 'error: [^(]*' "$dir/$1.time" | head -c 60)"
  fi
  awk -v f="$1" -v b="$bytes" -v r="$rss" -v s="$secs" -v st="$status" -v t="$4" -v w="$what" 'BEGIN {
    printf "%-14s %6.2f MB  exit %s  %8s wall  peak %7.1f MB  (%.2f of the %d MB target)  %s\n",
           f, b / 1048576, st, s, r / 1024, r / 1024 / t, t, w }'
}
for shape in padded dense tokens rules tables; do run "$shape-${mb}MB" "$shape" "$mb" 2048; done
# Just under kMaxProgramTokens (680,000): the sizes give 672,000-676,000 tokens each.
run dense-limit dense 1.32 1024
run tokens-limit tokens 0.645 1024
run rules-limit rules 1.74 1024
run tables-limit tables 3.1 1024
