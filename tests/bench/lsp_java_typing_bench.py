#!/usr/bin/env python3
"""Typing in a 5,000-line Java file as people type, over stdio with the real binary.

The Java counterpart of lsp_typing_bench.py, on the generated service class of
lsp_java_keystroke_bench.py (5,414 lines, 500 AWS calls in 100 methods). The
text moves forward as an editor's does, one edit every 50–150 ms (seeded), so
the debounced whole-file analysis (diagnostics) runs in between:

  - new line: Enter at the end of a statement inside a method
  - typed call: a new AWS call typed character by character into that line
  - paste 20 lines: a block of 20 lines with two AWS calls, inside a method

After each edit the client asks for inlay hints for the viewport (the 100
lines around the edit, VS Code's habit) or for the whole buffer (Neovim
0.11's habit); each series runs once per habit, in a fresh server. Reported
per edit kind: p50/p99 of didChange → inlay-hint response, of the server's
CPU time over that interval (all its threads, from /proc), and of didChange →
diagnostics published for that version, when the next edit left it time to
arrive. Also open → first hints (viewport and whole buffer), each in a fresh
server.

Usage: tests/bench/lsp_java_typing_bench.py [--bin target/release/iamlens] [--rounds 2] [--opens 10] [--seed 7]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_bench import ROOT, Server, pct  # noqa: E402
from lsp_java_keystroke_bench import URI, big_class  # noqa: E402
from lsp_typing_bench import cpu_ns, utf16_len  # noqa: E402


class Editor:
    """The client's copy of the text, turning edits into LSP changes."""

    def __init__(self, server: Server, text: str):
        self.server = server
        self.lines = text.split("\n")
        self.version = 1
        server.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "java", "version": 1, "text": text}})

    def replace(self, sl: int, sc: int, el: int, ec: int, new: str) -> dict:
        change = {
            "range": {
                "start": {"line": sl, "character": utf16_len(self.lines[sl][:sc])},
                "end": {"line": el, "character": utf16_len(self.lines[el][:ec])},
            },
            "text": new,
        }
        head, tail = self.lines[sl][:sc], self.lines[el][ec:]
        self.lines[sl : el + 1] = (head + new + tail).split("\n")
        return change

    def send(self, changes: list[dict]) -> tuple[float, int]:
        self.version += 1
        t0 = time.perf_counter()
        self.server.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": self.version}, "contentChanges": changes})
        return t0, self.version

    def line_of(self, needle: str, start: int = 0) -> int:
        return next(i for i in range(start, len(self.lines)) if needle in self.lines[i])


class Run:
    """One server, one hint habit; collects samples per edit kind."""

    def __init__(self, binary: str, whole_buffer: bool, seed: int):
        self.server = Server(binary)
        self.server.initialize(None, resolve_tooltips=True)
        self.diags: dict[int, float] = {}
        self.editor = Editor(self.server, big_class())
        self.whole_buffer = whole_buffer
        self.rng = random.Random(seed)
        self.hints: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.analysis: dict[str, list[float]] = {}
        self.pending: list[tuple[str, int, float]] = []
        self.hints_request(0)  # the first analysis, off the clock
        self.settle()

    def hints_request(self, line: int) -> float:
        last = len(self.editor.lines)
        first, end = (0, last) if self.whole_buffer else (max(0, line - 50), min(last, line + 50))
        params = {"textDocument": {"uri": URI}, "range": {"start": {"line": first, "character": 0}, "end": {"line": end, "character": 0}}}
        rid = self.server.request("textDocument/inlayHint", params)
        at, msg = self.server.wait(lambda m: self._note(m) and m.get("id") == rid and "method" not in m)
        assert "result" in msg, msg
        return at

    def _note(self, msg: dict) -> bool:
        if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"].get("uri") == URI:
            version = msg["params"].get("version")
            if version is not None and version not in self.diags:
                self.diags[version] = time.perf_counter()
        return True

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        try:
            while True:
                self.server.wait(lambda m: self._note(m) and False, max(0.0, end - time.monotonic()))
        except TimeoutError:
            pass

    def edit(self, kind: str, changes: list[dict], line: int) -> None:
        cpu0 = cpu_ns(self.server.proc.pid)
        t0, version = self.editor.send(changes)
        at = self.hints_request(line)
        self.hints.setdefault(kind, []).append((at - t0) * 1000)
        self.cpu.setdefault(kind, []).append((cpu_ns(self.server.proc.pid) - cpu0) / 1e6)
        self.pending.append((kind, version, t0))
        self.drain(self.rng.uniform(0.05, 0.15))
        self.collect()

    def collect(self) -> None:
        still = []
        for kind, version, t0 in self.pending:
            if version in self.diags:
                self.analysis.setdefault(kind, []).append((self.diags[version] - t0) * 1000)
            elif version == self.editor.version:
                still.append((kind, version, t0))
        self.pending = still

    def settle(self) -> None:
        version = self.editor.version
        deadline = time.monotonic() + 30
        while version not in self.diags and time.monotonic() < deadline:
            self.drain(0.05)
        self.collect()
        self.pending = []

    def typed_calls(self, count: int, round_: int) -> None:
        ed = self.editor
        for k in range(count):
            method = ed.line_of(f"public void handler{30 + 5 * k + 40 * round_}(")
            at = ed.line_of("List<Integer> x0_4", method)
            self.edit("new line", [ed.replace(at, len(ed.lines[at]), at, len(ed.lines[at]), "\n        ")], at + 1)
            at += 1
            call = f's3.deleteObject(r -> r.bucket("typed-{k}").key("in/" + day + "/{k}.json"));'
            for ch in call:
                col = len(ed.lines[at])
                self.edit("typed call (per keystroke)", [ed.replace(at, col, at, col, ch)], at)
            self.settle()

    def pastes(self, count: int, round_: int) -> None:
        ed = self.editor
        block = [f"        String pasted{{k}}_{j} = event.get(\"p{j}\");" for j in range(18)]
        block.insert(6, '        s3.getObject(r -> r.bucket("pasted-{k}").key("a"));')
        block.insert(14, '        sqs.sendMessage(r -> r.queueUrl("https://sqs.us-east-1.amazonaws.com/123456789012/p{k}").messageBody("m"));')
        for k in range(count):
            method = ed.line_of(f"public void handler{12 + 5 * k + 40 * round_}(")
            at = ed.line_of("String value1", method)
            text = "\n".join(line.format(k=f"{round_}_{k}") for line in block) + "\n"
            self.edit("paste 20 lines", [ed.replace(at, 0, at, 0, text)], at + 10)

    def close(self) -> None:
        self.server.close()


def series(binary: str, whole_buffer: bool, rounds: int, seed: int) -> dict:
    run = Run(binary, whole_buffer, seed)
    for round_ in range(rounds):
        run.typed_calls(2, round_)
        run.pastes(8, round_)
        run.settle()
    run.close()
    out = {}
    for kind, samples in run.hints.items():
        cpu = run.cpu[kind]
        row = {
            "n": len(samples),
            "hints_p50_ms": statistics.median(samples),
            "hints_p99_ms": pct(samples, 99),
            "server_cpu_p50_ms": statistics.median(cpu),
            "server_cpu_p99_ms": pct(cpu, 99),
        }
        analysis = run.analysis.get(kind, [])
        if analysis:
            row |= {"diagnostics_n": len(analysis), "diagnostics_p50_ms": statistics.median(analysis), "diagnostics_p99_ms": pct(analysis, 99)}
        out[kind] = row
    return out


def opens(binary: str, count: int) -> dict:
    """open → first hints in fresh servers: the first 100 lines and the whole buffer."""
    text = big_class()
    lines = text.count("\n")
    out = {"opens": count}
    for name, last in (("viewport", 100), ("whole_buffer", lines)):
        times = []
        for _ in range(count):
            server = Server(binary)
            server.initialize(None, True)
            t0 = time.perf_counter()
            server.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "java", "version": 1, "text": text}})
            rid = server.request("textDocument/inlayHint", {"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": last, "character": 0}}})
            at, msg = server.response(rid)
            assert msg.get("result"), msg
            times.append((at - t0) * 1000)
            server.close()
        out[f"open_to_first_{name}_hints_p50_ms"] = statistics.median(times)
        out[f"open_to_first_{name}_hints_max_ms"] = max(times)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "iamlens"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--opens", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    result = {
        "viewport": series(args.bin, False, args.rounds, args.seed),
        "whole_buffer": series(args.bin, True, args.rounds, args.seed),
        "open": opens(args.bin, args.opens),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
