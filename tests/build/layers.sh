#!/usr/bin/env bash
# The layers the build enforces (cmake/CalmLibrary.cmake), checked on a configured build:
#  1. for every library L and every library M that L does not depend on (directly or not),
#     including a header of M with L's include directories fails, and L's own headers and
#     those of its dependencies are found;
#  2. every .cpp under a library's folder is in its source list, and only there;
#  3. no compile command has the project root or a source folder as an include
#     directory, and no source includes a path that climbs ("../");
#  4. docs/architecture.md's library table is the graph CMake built.
# Usage: layers.sh SOURCE_DIR BUILD_DIR CXX
set -uo pipefail
src=$1 build=$2 cxx=$3
layers=$build/layers.txt
stage=$build/include
fail=0
err() { echo "layers: $*" >&2; fail=1; }
[[ -f $layers ]] || { echo "layers: $layers missing (configure first)" >&2; exit 1; }

declare -A prefix dir deps
libs=()
while read -r name p d ds; do
  libs+=("$name"); prefix[$name]=$p; dir[$name]=$d
  [[ $ds == - ]] && deps[$name]="" || deps[$name]=${ds//,/ }
done < "$layers"

closure() {  # the library and everything below it
  local -A seen=()
  local todo=("$1") l
  while ((${#todo[@]})); do
    l=${todo[-1]}; unset 'todo[-1]'
    [[ -n ${seen[$l]:-} ]] && continue
    seen[$l]=1
    for d in ${deps[$l]}; do todo+=("$d"); done
  done
  echo "${!seen[@]}"
}

a_header() {  # one header of a library, as it is included
  local h
  h=$(cd "$src/${dir[$1]}" && find . -maxdepth 1 -name '*.h' | sort | head -n 1)
  echo "${prefix[$1]}/${h#./}"
}

empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
probe() {  # probe INCLUDE FLAGS...: true when the header is found
  # From an empty folder: a quoted include from standard input is looked up in the
  # current directory first.
  # Without the standard headers (-nostdinc) the preprocessor stops at the first
  # include it cannot find: the probed header itself, or one inside it once found.
  local inc=$1 out; shift
  out=$(cd "$empty" && printf '#include "%s"\n' "$inc" |
        "$cxx" -std=c++20 -nostdinc -E -x c++ - "$@" -o /dev/null 2>&1)
  [[ $out != *"$inc: No such file"* ]]
}

sys_flags=()
checked=0
for l in "${libs[@]}"; do
  flags=("${sys_flags[@]}")
  below=" $(closure "$l") "
  for d in $below; do flags+=(-I "$stage/$d"); done
  for m in "${libs[@]}"; do
    h=$(a_header "$m")
    if [[ $below == *" $m "* ]]; then
      probe "$h" "${flags[@]}" || err "$l cannot include $h, a header of $m below it"
    else
      probe "$h" "${flags[@]}" && err "$l can include $h, but $m is not below it"
    fi
    checked=$((checked + 1))
  done
done
echo "layers: $checked include probes over ${#libs[@]} libraries"

# 2. Source lists: every .cpp of a library folder is compiled, for that library only.
cc=$build/compile_commands.json
for l in "${libs[@]}"; do
  while IFS= read -r f; do
    n=$(grep -c "\"file\": \"$src/${dir[$l]}/$f\"" "$cc")
    [[ $n -ge 1 ]] || err "${dir[$l]}/$f is in no source list (add it to ${dir[$l]}/CMakeLists.txt)"
  done < <(cd "$src/${dir[$l]}" && find . -name '*.cpp' | sed 's|^\./||' | sort)
done

# ... and every test .cpp is in its test binary's source list (tests/CMakeLists.txt).
while IFS= read -r f; do
  n=$(grep -c "\"file\": \"$src/tests/$f\"" "$cc")
  [[ $n -ge 1 ]] || err "tests/$f is in no source list (add it to tests/CMakeLists.txt)"
done < <(cd "$src/tests" && find . -name '*.cpp' -not -path './fuzz/*' | sed 's|^\./||' | sort)

# 3. No project root or source folder as an include directory; no climbing includes.
for d in "$src" "$src/runtime" "$src/analyzer"; do
  grep -qE -- "-I$d( |\")" "$cc" && err "a compile command includes $d"
done
if grep -rnE '#include "\.\./' "$src/runtime" "$src/analyzer" "$src/viz" "$src/cli" >&2; then
  err "an include climbs out of its folder (above)"
fi

# 4. The library table in docs/architecture.md is the graph CMake built.
want=$(while read -r name p d ds; do echo "| \`$name\` | \`$d/\` | ${ds//,/, } |"; done < "$layers" |
       sed 's/| - |$/| (none) |/')
have=$(sed -n '/<!-- libraries: begin -->/,/<!-- libraries: end -->/p' "$src/docs/architecture.md" |
       grep '^| `calm_')
if [[ "$want" != "$have" ]]; then
  err "docs/architecture.md's library table differs from the build; it should read:"
  echo "$want" >&2
fi
((fail)) && exit 1
echo "layers: ok"
