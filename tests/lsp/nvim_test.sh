#!/usr/bin/env bash
# End-to-end test of `calm lsp` with a real editor client: Neovim's built-in LSP
# client, headless, runs the scripted editing session tests/lsp/nvim_session.lua
# on a scratch copy of tests/lsp/editing_sample.rb.
#
#   tests/lsp/nvim_test.sh CALM_BINARY SOURCE_DIR
#
# Exit status: 0 pass, 1 fail, 77 skip (no nvim), 2 usage. The session script ends
# nvim itself (qall!/cquit); the trailing `-c "cquit 3"` only runs when the script
# could not be loaded, and `timeout` bounds the rest.
set -u

if [ $# -ne 2 ]; then
  echo "usage: $0 CALM_BINARY SOURCE_DIR" >&2
  exit 2
fi
calm=$1
source_dir=$2

if ! command -v nvim >/dev/null 2>&1; then
  echo "SKIP: nvim not installed (apt-get install neovim)"
  exit 77
fi
case $calm in /*) ;; *) calm=$PWD/$calm ;; esac
case $source_dir in /*) ;; *) source_dir=$PWD/$source_dir ;; esac
if [ ! -x "$calm" ]; then
  echo "FAIL: $calm is not executable" >&2
  exit 1
fi
lsp_dir=$source_dir/tests/lsp

scratch=$(mktemp -d "${TMPDIR:-/tmp}/calm-nvim-lsp.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
cp "$lsp_dir/editing_sample.rb" "$scratch/membership.rb" || exit 1

# Neovim writes its LSP log (at level debug: every message) under XDG_CACHE_HOME and
# its state under XDG_STATE_HOME/XDG_DATA_HOME: keep all of it in the scratch dir.
export XDG_CACHE_HOME=$scratch/cache XDG_STATE_HOME=$scratch/state XDG_DATA_HOME=$scratch/data
export XDG_CONFIG_HOME=$scratch/config
export CALM=$calm CALM_LSP_FILE=$scratch/membership.rb CALM_LSP_SCRATCH=$scratch

cd "$scratch" || exit 1
timeout -k 5 60 nvim --headless --clean -n -u NONE -i NONE \
  -c "lua vim.lsp.set_log_level('debug')" \
  -c "luafile $lsp_dir/nvim_session.lua" -c "cquit 3" </dev/null
status=$?

if [ $status -ne 0 ]; then
  [ $status -eq 124 ] && echo "FAIL: nvim did not finish within 60 s"
  log=$(find "$scratch/cache" -name 'lsp.log' 2>/dev/null | head -n 1)
  if [ -n "$log" ]; then
    echo "--- last lines of Neovim's LSP log ($log):"
    tail -n 40 "$log" | cut -c 1-400
  fi
  echo "FAIL: nvim LSP session (status $status)"
  exit 1
fi
exit 0
