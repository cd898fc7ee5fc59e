#!/usr/bin/env bash
# A misspelt diagnostic id does not compile (runtime/base/diagnostic_ids.h): the same
# one-line use of Diagnostics::error compiles with a registered id and fails, naming the
# registry, with a misspelt one. Compiled against calm_base's exported headers only.
# Usage: diagnostic_id_typo.sh BUILD_DIR CXX
set -uo pipefail
build=$1 cxx=$2
inc=$build/include/calm_base
[[ -d $inc ]] || { echo "diagnostic ids: $inc missing (configure first)" >&2; exit 1; }
compile() {  # compile ID: compiles a use of ID, prints the compiler's messages
  printf '#include "base/diagnostic.h"\nvoid f(calm::Diagnostics& d) { d.error("%s", "m", {}); }\n' "$1" |
    "$cxx" -std=c++20 -fsyntax-only -x c++ -I "$inc" - 2>&1
}
fail=0
if ! out=$(compile calm-parse-error); then
  echo "diagnostic ids: a registered id does not compile:" >&2
  echo "$out" >&2
  fail=1
fi
if out=$(compile calm-parse-eror); then
  echo "diagnostic ids: a misspelt id (calm-parse-eror) compiles" >&2
  fail=1
elif [[ $out != *unknown_diagnostic_id_see_kDiagnosticIds* ]]; then
  echo "diagnostic ids: a misspelt id fails, but the error does not name the registry:" >&2
  echo "$out" >&2
  fail=1
fi
((fail)) && exit 1
echo "diagnostic ids: a misspelt id does not compile"
