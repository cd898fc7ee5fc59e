#!/usr/bin/env bash
# ctest "differential": the harness's self-test, then the fast subset of the differential test
# against the real Bud (one seed per program, two delivery schedules per channel program).
# A difference not listed in known-differences.txt fails it. Skips (exit 77, which ctest
# reports as skipped) where ruby or ../shared/bud is absent.
#   usage: run.sh CALM_BINARY [SHARED_DIR]
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
calm=${1:?usage: run.sh CALM_BINARY [SHARED_DIR]}
shared=${2:-$here/../../../shared}
if ! command -v ruby >/dev/null 2>&1; then
  echo "differential: SKIPPED: ruby is not installed (bash ../shared/bud/setup.sh installs it)"
  exit 77
fi
if [[ ! -f "$shared/bud/env.sh" || ! -d "$shared/oracle" || ! -d "$shared/corpus" ]]; then
  echo "differential: SKIPPED: $shared/bud, oracle or corpus is absent"
  exit 77
fi
# shellcheck disable=SC1091
source "$shared/bud/env.sh"
if ! ruby -e 'require "bud"' >/dev/null 2>&1; then
  echo "differential: SKIPPED: Bud does not load with this Ruby (run bash ../shared/bud/setup.sh)"
  exit 77
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/calm-differential.XXXXXX")
echo "differential: scenarios and traces in $out"
ruby "$here/differential.rb" --calm "$calm" --self-test --out "$out/selftest" || exit 1
ruby "$here/differential.rb" --calm "$calm" --shared "$shared" --quick \
  --known "$here/known-differences.txt" --out "$out/quick"
