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
echo "== calm model samples/kvs/paper2011/kvs_2011.rb -m BasicKVS"
$CALM model samples/kvs/paper2011/kvs_2011.rb -m BasicKVS
if $CALM help report >/dev/null 2>&1 && $CALM report samples/kvs/kvs.rb -o /dev/null 2>/dev/null; then
  for s in kvs/kvs.rb cart/destructive_cart.rb cart/disorderly_cart.rb; do
    name=$(basename "$s" .rb)
    $CALM report "samples/$s" -o "out/$name.report.json"
    echo "wrote out/$name.report.json"
  done
fi
if $CALM help graph >/dev/null 2>&1; then
  for s in kvs/kvs.rb cart/destructive_cart.rb cart/disorderly_cart.rb; do
    name=$(basename "$s" .rb)
    $CALM graph "samples/$s" -o "out/$name.svg" && echo "wrote out/$name.svg"
  done
fi
echo
echo "calm is built at $CALM"
