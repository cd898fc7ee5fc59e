#!/usr/bin/env bash
# Installs the Debian packages calm needs, if any are missing. Idempotent and
# quick when everything is present. Needs root (or sudo) only to install.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  nodejs npm
  libboost-graph-dev libgraphviz-dev nlohmann-json3-dev doctest-dev libtree-sitter-dev zlib1g-dev
)
# Optional test tools: installed when CALM_TEST_TOOLS=1 (CI sets it).
# clang: the fuzz smoke (scripts/fuzz-smoke.sh); python3-jsonschema: the scenario schema test;
# neovim: the editor that drives `calm lsp` in tests/lsp/nvim_test.sh
TEST_PACKAGES=(valgrind chromium clang libclang-rt-14-dev python3-jsonschema neovim)

want=("${PACKAGES[@]}")
if [[ "${CALM_TEST_TOOLS:-0}" == 1 ]]; then want+=("${TEST_PACKAGES[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm may come with Node.js from elsewhere: accept any working npm.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm/}"); missing=("${missing[@]/nodejs/}")
fi
clean=()
for p in "${missing[@]}"; do [[ -n "$p" ]] && clean+=("$p"); done

if ((${#clean[@]})); then
  echo "calm: installing ${clean[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${clean[@]}" >/dev/null
fi

# Test tools from npm, when CALM_TEST_TOOLS=1: Microsoft's SARIF validator
# (Sarif.Multitool, a self-contained .NET executable), used by the checks tests to
# validate `calm check --format sarif`. Installed under .tools/ (git-ignored).
SARIF_MULTITOOL_VERSION=5.7.0
if [[ "${CALM_TEST_TOOLS:-0}" == 1 ]]; then
  ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  MULTITOOL="$ROOT/.tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
  if [[ ! -x "$MULTITOOL" ]]; then
    echo "calm: installing @microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION into .tools/"
    npm install --prefix "$ROOT/.tools" --no-audit --no-fund \
      "@microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION" >/dev/null
    chmod u+x "$MULTITOOL"  # npm may skip the package's postinstall script
  fi
fi
