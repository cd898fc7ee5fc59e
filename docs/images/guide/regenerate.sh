#!/usr/bin/env bash
# Redraws the pictures of docs/guide.md: each `$ calm graph ... -o NAME.svg` command of the
# guide is run from the repository root, writing docs/images/guide/NAME.svg and NAME.dot.
# tests/docs/console_test.cpp fails when a committed NAME.dot differs from what calm draws.
#
#   bash docs/images/guide/regenerate.sh            # uses build/bin/calm
#   CALM=build-x/bin/calm bash docs/images/guide/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
calm=${CALM:-build/bin/calm}
dir=docs/images/guide
grep -E '^\$ calm graph .* -o [^ ]+\.svg' docs/guide.md | sed -E 's/^\$ calm //; s/ +#.*$//' |
  while read -r command; do
    out=$(sed -E 's/.* -o ([^ ]+)\.svg.*/\1/' <<<"$command")
    name=$(basename "$out")
    read -r -a args <<<"$(sed -E "s# -o [^ ]+\.svg##" <<<"$command")"
    "$calm" "${args[@]}" -o "$dir/$name.svg"
    "$calm" "${args[@]}" -o "$dir/$name.dot"
    echo "drew $dir/$name.svg"
  done
