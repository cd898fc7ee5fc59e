#!/usr/bin/env bash
# Peak memory and time of `calm report` on 50 MB Ruby programs (the reliability issue:
# a 50 MB file, under the 64 MiB input limit, once took 66 s and 6.1 GB). Generates the
# inputs in a temporary directory, runs each under /usr/bin/time -v, and prints the
# figures and the ratio to the 2 GB target. Usage: bench/big_input.sh [CALM] [MB]
set -euo pipefail
calm=${1:-build/bin/calm}
mb=${2:-50}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" "$mb" <<'PY'
import sys
d, mb = sys.argv[1], int(sys.argv[2])
size = mb << 20
# padded: 2,000 collections and 4,000 rules, then comments (like the catalog's 10 MB case)
n = 2000
t = ["class Big\n  include Bud\n  state do\n"]
t += ["    table :t%d, [:k] => [:v]\n" % i for i in range(n)]
t.append("  end\n  bloom do\n")
t += ["    t%d <= t%d { |x| [x.k, x.v] }\n" % (i % n, (i * 7) % n) for i in range(1, 2 * n + 1)]
t.append("  end\nend\n")
s = "".join(t)
pad = "# " + "x" * 97 + "\n"
s += pad * ((size - len(s)) // len(pad))
open(d + "/padded.rb", "w").write(s)
# dense: one class, as many collections and rules as fit (every line is code)
t = ["class Dense\n  include Bud\n  state do\n"]
n = 0
body = []
est = 0
while est < size * 0.3:
    line = "    table :t%d, [:k] => [:v]\n" % n
    t.append(line); est += len(line); n += 1
t.append("  end\n  bloom do\n")
i = 1
total = sum(map(len, t))
while total < size - 100:
    line = "    t%d <= (t%d * t%d).pairs(:k => :k) { |a, b| [a.k, b.v] }\n" % (i % n, (i * 7) % n, (i * 13) % n)
    t.append(line); total += len(line); i += 1
t.append("  end\nend\n")
open(d + "/dense.rb", "w").write("".join(t))
PY
for f in padded dense; do
  bytes=$(stat -c %s "$dir/$f.rb")
  /usr/bin/time -v "$calm" report "$dir/$f.rb" -o "$dir/$f.json" 2>"$dir/$f.time" >/dev/null || true
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/$f.time")
  secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/$f.time")
  status=$(sed -n 's/.*Exit status: //p' "$dir/$f.time")
  awk -v f="$f" -v b="$bytes" -v r="$rss" -v s="$secs" -v st="$status" 'BEGIN {
    printf "%-7s %6.1f MB  exit %s  %s wall  peak %7.1f MB  (%.2f of the 2 GB target)\n",
           f, b / 1048576, st, s, r / 1024, r / 1024 / 2048 }'
done
