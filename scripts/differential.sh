#!/usr/bin/env bash
# The whole differential sweep against the real Bud 0.9.9 (tests/differential/README.md):
# every program of ../shared/corpus that Bud instantiates, 3 seeds x 6 timesteps on one node,
# and every channel program on 3 nodes under 5 delivery schedules (in order, reordering,
# loss). Prints each program that differs (with its replay commands) and the summary table
# of docs/differences-from-bud.md. Extra arguments go to the driver (--case NAME, --jobs N,
# --seeds N, --schedules N, --out DIR, -v).
# usage: scripts/differential.sh [CALM_BINARY] [ARGS...]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
calm=build/bin/calm
if [[ $# -gt 0 && $1 != -* ]]; then calm=$1; shift; fi
if ! command -v ruby >/dev/null 2>&1 || [[ ! -f ../shared/bud/env.sh ]]; then
  echo "scripts/differential.sh: needs ruby and ../shared/bud (bash ../shared/bud/setup.sh)" >&2
  exit 2
fi
# shellcheck disable=SC1091
source ../shared/bud/env.sh
exec nice -n 10 ruby tests/differential/differential.rb --calm "$calm" --shared ../shared \
  --known tests/differential/known-differences.txt "$@"
