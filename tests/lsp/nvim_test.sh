#!/usr/bin/env bash
# End-to-end test of `calm lsp` with a real editor client: Neovim's built-in LSP
# client, headless, runs the scripted editing session tests/lsp/nvim_session.lua
#   1. on a scratch copy of tests/lsp/editing_sample.rb (CALM_LSP_MODE=sample);
#   2. when SOURCE_DIR/../shared/corpus exists (it is not part of the repository), on a
#      scratch copy of one real program of it (CALM_LSP_MODE=corpus): its diagnostics
#      must be those of `calm check`; a rule gets `.notin(...)`, the point of order that
#      raises is allowed with the quick fix. Skipped, saying so, without the corpus.
#
#   tests/lsp/nvim_test.sh CALM_BINARY SOURCE_DIR
#
# Exit status: 0 pass, 1 fail, 77 skip (no nvim), 2 usage. The session script ends
# nvim itself (qall!/cquit, within its 45 s limit); the trailing `-c "cquit 3"` only
# runs when the script could not be loaded, and `timeout` bounds the rest (50 s a
# session: both stay under ctest's 120 s).
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
corpus=$source_dir/../shared/corpus

# The corpus session: bud-sandbox's chat (ChatProtocol, ChatServer, Members; requires
# only bud, so the copy is analysed alone as in place), whose server registers every
# client that connects: `nodelist <= connect{...}` becomes `...}.notin(leader)`.
corpus_file=bud-sandbox/chat/chat.rb
corpus_rule='nodelist <= connect{|c| [c.client, c.nick]}'
corpus_insert='.notin(leader)'

scratch=$(mktemp -d "${TMPDIR:-/tmp}/calm-nvim-lsp.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

# run_session NAME FILE [VAR=VALUE...]: runs nvim_session.lua on FILE (inside
# $scratch/NAME) with the extra environment; prints Neovim's LSP log when it fails.
run_session() {
  local name=$1 file=$2 dir=$scratch/$1
  shift 2
  echo "--- $name session on ${file#$scratch/}"
  # Neovim writes its LSP log (at level debug: every message) under XDG_CACHE_HOME and
  # its state under XDG_STATE_HOME/XDG_DATA_HOME: keep all of it in the scratch dir.
  (cd "$dir" &&
    env "$@" XDG_CACHE_HOME="$dir/.cache" XDG_STATE_HOME="$dir/.state" \
      XDG_DATA_HOME="$dir/.data" XDG_CONFIG_HOME="$dir/.config" \
      CALM="$calm" CALM_LSP_FILE="$file" CALM_LSP_SCRATCH="$dir" \
      timeout -k 5 50 nvim --headless --clean -n -u NONE -i NONE \
        -c "lua vim.lsp.set_log_level('debug')" \
        -c "luafile $lsp_dir/nvim_session.lua" -c "cquit 3" </dev/null)
  local status=$?
  if [ $status -ne 0 ]; then
    [ $status -eq 124 ] && echo "FAIL: nvim did not finish within 50 s"
    local log
    log=$(find "$dir/.cache" -name 'lsp.log' 2>/dev/null | head -n 1)
    if [ -n "$log" ]; then
      echo "--- last lines of Neovim's LSP log ($log):"
      tail -n 40 "$log" | cut -c 1-400
    fi
    echo "FAIL: nvim LSP $name session (status $status)"
    return 1
  fi
}

mkdir "$scratch/sample" && cp "$lsp_dir/editing_sample.rb" "$scratch/sample/membership.rb" || exit 1
run_session sample "$scratch/sample/membership.rb" CALM_LSP_MODE=sample || exit 1

if [ ! -d "$corpus" ]; then
  echo "SKIP: corpus session: $corpus not found (the corpus is not part of the repository)"
  exit 0
fi
if [ ! -f "$corpus/$corpus_file" ]; then
  echo "FAIL: corpus session: $corpus exists but has no $corpus_file"
  exit 1
fi
# A copy, read at run time: the session edits it, and nothing of the corpus is kept.
mkdir "$scratch/corpus" && cp "$corpus/$corpus_file" "$scratch/corpus/" || exit 1
chmod u+w "$scratch/corpus/$(basename "$corpus_file")"
run_session corpus "$scratch/corpus/$(basename "$corpus_file")" CALM_LSP_MODE=corpus \
  CALM_LSP_RULE="$corpus_rule" CALM_LSP_INSERT="$corpus_insert" || exit 1
exit 0
