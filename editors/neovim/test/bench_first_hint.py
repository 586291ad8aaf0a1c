#!/usr/bin/env python3
"""Time from starting Neovim on a Python file to iamlens's inlay hints being
there, in a real headless Neovim 0.11 with the plugin (what a user waits for).

Usage: tests/.venv/bin/python editors/neovim/test/bench_first_hint.py [--runs N] [--server PATH]
Prints the median and spread of: plugin setup, server attached (initialize
done), first inlay hints, first code lenses. Server: $IAMLENS_BIN, else
target/release/iamlens when present, else target/debug/iamlens.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]

INIT = r"""
local t0 = vim.uv.hrtime()
local function ms() return (vim.uv.hrtime() - t0) / 1e6 end
vim.opt.rtp:prepend(vim.env.PLUGIN)
require("iamlens").setup({ cmd = { vim.env.SERVER, "lsp" }, region = "us-east-1", account = "123456789012" })
local marks = { setup = ms() }
-- Neovim's own python ftplugin runs before this (it asks python3 for sys.path).
vim.api.nvim_create_autocmd("FileType", { pattern = "python", once = true, callback = function() marks.filetype = ms() end })
vim.api.nvim_create_autocmd("VimEnter", { once = true, callback = function()
  vim.schedule(function()
    vim.wait(20000, function()
      if not marks.attached then
        local c = vim.lsp.get_clients({ name = "iamlens", bufnr = 0 })[1]
        if c and c.initialized then marks.attached = ms() end
      end
      if not marks.hints and #vim.lsp.inlay_hint.get({ bufnr = 0 }) > 0 then marks.hints = ms() end
      if not marks.lenses and #vim.lsp.codelens.get(0) > 0 then marks.lenses = ms() end
      return marks.hints and marks.lenses
    end, 1)
    local f = io.open(vim.env.OUT, "w"); f:write(vim.json.encode(marks)); f:close()
    vim.cmd("qall!")
  end)
end })
"""


def server_path(arg: str | None) -> str:
    if arg:
        return arg
    if os.environ.get("IAMLENS_BIN"):
        return os.environ["IAMLENS_BIN"]
    release = ROOT / "target" / "release" / "iamlens"
    return str(release if release.exists() else ROOT / "target" / "debug" / "iamlens")


def report(key: str, values: list[float], runs: int) -> None:
    values = sorted(values)
    if len(values) < runs:
        print(f"{key:>9}: missing in {runs - len(values)} runs")
        return
    print(f"{key:>9}: median {statistics.median(values):7.1f}   min {values[0]:7.1f}   max {values[-1]:7.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--server")
    args = parser.parse_args()
    server = server_path(args.server)
    nvim = str(Path(sys.executable).parent / "nvim") if (Path(sys.executable).parent / "nvim").exists() else shutil.which("nvim")
    if not nvim or not os.access(server, os.X_OK):
        print(f"need nvim (tests/setup-venv) and a server binary (got {server})", file=sys.stderr)
        return 2
    marks: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(HERE / "demo", ws)
        (ws / "pyproject.toml").write_text("")
        init = Path(tmp) / "init.lua"
        init.write_text(INIT)
        for i in range(args.runs):
            out = Path(tmp) / f"out{i}.json"
            env = dict(os.environ, PLUGIN=str(HERE.parent), SERVER=server, OUT=str(out), XDG_STATE_HOME=str(Path(tmp) / "state"))
            subprocess.run([nvim, "--headless", "--clean", "-i", "NONE", "-n", "-u", str(init), "reports.py"],
                           cwd=ws, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60, check=False)
            for key, value in json.loads(out.read_text()).items():
                marks.setdefault(key, []).append(value)
    print(f"server: {server}")
    print(f"runs: {args.runs} (editors/neovim/test/demo/reports.py, 3 functions, 4 AWS calls)")
    print("milliseconds from Neovim start (the python filetype mark includes Neovim's own python ftplugin):")
    for key in ("setup", "filetype", "attached", "hints", "lenses"):
        report(key, marks.get(key, []), args.runs)
    if len(marks.get("hints", [])) == args.runs:
        print("milliseconds from the python filetype (the plugin + server part):")
        for key in ("attached", "hints", "lenses"):
            report(key, [v - f for v, f in zip(marks[key], marks["filetype"])], args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
