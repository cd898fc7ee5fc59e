#!/usr/bin/env bash
# One command on a fresh Debian machine: installs what is missing, builds calm,
# and runs it on the bundled samples (model, report, diagram when available).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target calm
mkdir -p out
CALM=build/bin/calm
echo
echo "== calm check samples/kvs/paper2011/kvs_2011.rb -m BasicKVS   (the paper's Figure 5)"
$CALM check samples/kvs/paper2011/kvs_2011.rb -m BasicKVS || true
echo
echo "== coordination cost: destructive vs disorderly cart (the paper's section 5.4)"
$CALM check samples/cart/destructive_cart.rb -m DestructiveCartServer --summary --disable \
  calm-point-of-order,calm-temporal-cluster,calm-output-label,calm-underspecified || true
$CALM check samples/cart/disorderly_cart.rb -m DisorderlyCartServer --summary --disable \
  calm-point-of-order,calm-temporal-cluster,calm-output-label,calm-underspecified || true
echo
for s in kvs/paper2011/kvs_2011.rb:BasicKVS cart/destructive_cart.rb:DestructiveCartServer \
         cart/disorderly_cart.rb:DisorderlyCartServer; do
  file=${s%%:*}; module=${s##*:}
  $CALM report "samples/$file" -m "$module" -o "out/$module.report.json"
  $CALM graph "samples/$file" -m "$module" -o "out/$module.svg"
  $CALM html "samples/$file" -m "$module" -o "out/$module.html"
  echo "wrote out/$module.report.json, out/$module.svg, out/$module.html"
done
echo
echo "calm is built at $CALM; open out/*.html in a browser"
