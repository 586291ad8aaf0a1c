#!/usr/bin/env bash
# Records editors/neovim/capture.txt: a real Neovim session (in tmux) with the
# plugin rendering iamlens's inlay hints and code lenses on test/demo/reports.py,
# then the result of :IamlensGeneratePolicy file.
# Needs tmux, the venv's nvim (tests/setup-venv) and a built server.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
nvim="${NVIM:-$root/tests/.venv/bin/nvim}"
server="${IAMLENS_BIN:-$root/target/debug/iamlens}"
out="$here/../capture.txt"
session="iamlens-capture-$$"
tmp="$(mktemp -d)"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$tmp"' EXIT

cp -r "$here/demo" "$tmp/demo"
touch "$tmp/demo/pyproject.toml"
cat > "$tmp/init.lua" <<LUA
vim.opt.rtp:prepend("$here/..")
vim.o.number = true
vim.o.shortmess = vim.o.shortmess .. "I"
require("iamlens").setup({ cmd = { "$server", "lsp" }, region = "us-east-1", account = "123456789012" })
LUA

tmux new-session -d -s "$session" -x 150 -y 24 -c "$tmp/demo" \
  "XDG_STATE_HOME=$tmp/state '$nvim' --clean -i NONE -n -u '$tmp/init.lua' reports.py"
sleep "${CAPTURE_WAIT:-4}"
{
  echo "# Neovim 0.11 + editors/neovim, iamlens lsp on editors/neovim/test/demo/reports.py"
  echo "# (recorded by editors/neovim/test/capture.sh with tmux capture-pane)"
  echo "# Code lenses end the def lines; inlay hints follow each AWS call."
  echo
  tmux capture-pane -p -t "$session"
  echo
  echo "# :IamlensGeneratePolicy file"
  echo
} > "$out"
tmux send-keys -t "$session" ":IamlensGeneratePolicy file" Enter
sleep 2
tmux send-keys -t "$session" ":resize 16" Enter
sleep 1
tmux capture-pane -p -t "$session" >> "$out"
echo "wrote $out"
