#!/usr/bin/env python3
"""Scale: a generated workspace of N files (half AWS code, as lsp_bench.py's
index benchmark generates them), measured two ways with the real binary:

  - `iamlens lsp` with the workspace as its folder: time from `initialize`
    to the end of the background index, and resident memory (VmRSS) once
    indexed;
  - `iamlens generate-policies` over the same directory: wall time, CPU and
    peak RSS from the child's rusage.

Usage: tests/bench/scale_bench.py [--bin target/release/iamlens] [--files 10000]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_bench import ROOT, Server, big_module  # noqa: E402


def write_workspace(root: Path, files: int) -> None:
    aws = big_module(functions=4, calls_per_function=5)
    plain = "import json\n\n" + "\n".join(f"def f{j}(x):\n    return json.dumps(x) + '{j}'\n" for j in range(40))
    for i in range(files):
        pkg = root / f"pkg{i % 100}"
        pkg.mkdir(exist_ok=True)
        (pkg / f"mod{i}.py").write_text(aws if i % 2 == 0 else plain)


def index(binary: str, root: Path) -> dict:
    server = Server(binary)
    t0 = time.perf_counter()
    server.initialize(root)
    at, msg = server.wait(lambda m: m.get("method") == "window/logMessage" and "iamlens: indexed" in m["params"]["message"], 600)
    time.sleep(0.2)
    rss = server.rss_mb()
    server.close()
    return {"index_s": at - t0, "rss_mib_after_index": rss, "log": msg["params"]["message"]}


def generate(binary: str, root: Path) -> dict:
    t0 = time.perf_counter()
    pid = os.spawnv(os.P_NOWAIT, binary, [binary, "generate-policies", str(root), "--region", "us-east-1", "--account", "123456789012"])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mib": usage.ru_maxrss / 1024, "exit": os.waitstatus_to_exitcode(status)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "iamlens"))
    ap.add_argument("--files", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="iamlens-scale-") as tmp:
        root = Path(tmp)
        write_workspace(root, args.files)
        # The policy (stdout) and one warning per file (stderr) are not measured.
        devnull = os.open(os.devnull, os.O_WRONLY)
        saved = (os.dup(1), os.dup(2))
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            gen = generate(args.bin, root)
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
        result = {"files": args.files, "lsp_index": index(args.bin, root), "generate_policies": gen}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
