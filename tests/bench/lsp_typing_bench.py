#!/usr/bin/env python3
"""Benchmark `iamlens lsp` under typing as people type, over stdio with the real binary.

On the generated 5,000-line Python file with 500 AWS calls of lsp_bench.py,
the text moves forward as an editor's would, one edit every 50–150 ms
(seeded), so the debounced whole-file analysis (diagnostics) runs in between:

  - new line: Enter at the end of a statement inside a function
  - typed call: a new AWS call typed character by character into a new line
  - paste 20 lines: a block of 20 lines with two AWS calls, inside a function
  - replace-all: several changes in one didChange (a rename in one function)
  - delete function: a whole top-level function removed at once
  - paste 200 lines / undo it: a large paste and its undo

After each edit the client asks for inlay hints, either for the viewport (the
100 lines around the edit, VS Code's habit) or for the whole buffer (Neovim
0.11's habit); each series is run once per habit, in a fresh server. Reported
per edit kind: p50/p99 of didChange → inlay-hint response, of the server's
CPU time over that interval (all its threads, from /proc: steadier than
wall-clock time on a shared machine), and of didChange →
diagnostics published for that version (the whole-file analysis, including the
server's 40 ms debounce), when the next edit left it time to arrive.

Also: the old alternating keystroke (type a character in a call's argument,
delete it again, hints at once, no pause) as its own row, and open → first
hints (viewport and whole buffer) in fresh servers.

Usage: tests/bench/lsp_typing_bench.py [--bin target/release/iamlens] [--rounds 2] [--opens 10] [--seed 7]
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
from lsp_bench import ROOT, Server, big_module, bench_open, pct  # noqa: E402

URI = "file:///bench/big_module.py"
DEBOUNCE_MS = 40


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


class Editor:
    """The client's copy of the text, turning edits into LSP changes."""

    def __init__(self, server: Server, text: str):
        self.server = server
        self.lines = text.split("\n")
        self.version = 1
        server.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "python", "version": 1, "text": text}})

    def text(self) -> str:
        return "\n".join(self.lines)

    def replace(self, sl: int, sc: int, el: int, ec: int, new: str) -> dict:
        """Replace (line, python index) sl:sc..el:ec with `new`; returns the LSP change."""
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

    def function_end(self, def_line: int) -> int:
        """The line after the function starting at `def_line` (its last body line + 1)."""
        i = def_line + 1
        while i < len(self.lines) and (self.lines[i].startswith(" ") or self.lines[i] == ""):
            i += 1
        while self.lines[i - 1] == "":
            i -= 1
        return i


def cpu_ns(pid: int) -> int:
    """CPU time the process's threads have run, in ns (schedstat): a measure
    of the server's own work that contention from other processes inflates
    far less than wall-clock latency."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    return total


class Run:
    """One server, one hint habit; collects samples per edit kind."""

    def __init__(self, binary: str, whole_buffer: bool, seed: int):
        self.server = Server(binary)
        self.server.initialize(None, resolve_tooltips=True)
        self.diags: dict[int, float] = {}
        self.editor = Editor(self.server, big_module())
        self.whole_buffer = whole_buffer
        self.rng = random.Random(seed)
        self.hints: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.analysis: dict[str, list[float]] = {}
        self.pending: list[tuple[str, int, float]] = []  # kind, version, sent at
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
        """Read what arrives for `seconds` (diagnostics), as an idle editor would."""
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
        """Let the whole-file analysis of the current text finish."""
        version = self.editor.version
        deadline = time.monotonic() + 30
        while version not in self.diags and time.monotonic() < deadline:
            self.drain(0.05)
        self.collect()
        self.pending = []

    # --- the edit kinds -------------------------------------------------

    def new_lines(self, count: int) -> None:
        ed = self.editor
        for k in range(count):
            line = ed.line_of("return None", ed.line_of(f"def handler_{10 + 4 * k}("))
            ed_line = line - 1
            self.edit("new line", [ed.replace(ed_line, len(ed.lines[ed_line]), ed_line, len(ed.lines[ed_line]), "\n    ")], ed_line + 1)
            # The empty line stays, as it does while someone thinks.

    def typed_calls(self, count: int) -> None:
        ed = self.editor
        for k in range(count):
            def_line = ed.line_of(f"def handler_{30 + 5 * k}(")
            at = ed.line_of("return None", def_line)
            self.edit("new line", [ed.replace(at - 1, len(ed.lines[at - 1]), at - 1, len(ed.lines[at - 1]), "\n    ")], at)
            call = f's3.delete_object(Bucket="typed-{k}", Key=f"in/{{day}}/{k}.json")'
            for ch in call:
                col = len(ed.lines[at])
                self.edit("typed call (per keystroke)", [ed.replace(at, col, at, col, ch)], at)
            self.settle()

    def pastes(self, count: int) -> None:
        ed = self.editor
        block = [f"    pasted_{{k}}_{j} = event.get('p{j}')" for j in range(18)]
        block.insert(6, '    s3.get_object(Bucket="pasted-{k}", Key="a")')
        block.insert(14, '    sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/p{k}", MessageBody="m")')
        for k in range(count):
            at = ed.line_of("return None", ed.line_of(f"def handler_{12 + 6 * k}("))
            text = "\n".join(line.format(k=k) for line in block) + "\n"
            self.edit("paste 20 lines", [ed.replace(at, 0, at, 0, text)], at + 10)

    def replace_all(self, count: int) -> None:
        """A rename of one function's locals: 20 changes in one didChange,
        bottom to top as VS Code sends them."""
        ed = self.editor
        for k in range(count):
            start = ed.line_of(f"def handler_{40 + k}(")
            end = ed.function_end(start)
            places = [(i, ed.lines[i].index("value_0")) for i in range(start, end) if "value_0" in ed.lines[i]]
            places += [(i, ed.lines[i].index("log_")) for i in range(start, end) if "log_" in ed.lines[i]]
            places = sorted(places, reverse=True)[:20]
            changes = [ed.replace(i, col, i, col + 1, "V") for i, col in places]
            self.edit("replace-all (up to 20 changes in one didChange)", changes, start)

    def delete_functions(self, count: int, round_: int) -> None:
        ed = self.editor
        for k in range(count):
            start = ed.line_of(f"def handler_{70 + 2 * count * round_ + 2 * k}(")
            end = ed.function_end(start)
            self.edit("delete a function", [ed.replace(start, 0, end + 2, 0, "")], start)

    def large_paste_and_undo(self, count: int) -> None:
        ed = self.editor
        block = big_module(functions=4, calls_per_function=5).split("\n")[8:]  # four functions, 20 calls
        text = "\n".join(block).replace("def handler_", "def pasted_handler_") + "\n"
        for k in range(count):
            at = ed.line_of(f"def handler_{20 + 3 * k}(")
            self.edit("paste 200 lines", [ed.replace(at, 0, at, 0, text)], at + 100)
            added = text.count("\n")
            self.edit("undo of the 200-line paste", [ed.replace(at, 0, at + added, 0, "")], at)

    def alternating(self, count: int) -> None:
        """The old series: a character typed then deleted, hints at once, no pause."""
        ed = self.editor
        at = ed.line_of('Key="out/', ed.line_of("def handler_50("))
        col = ed.lines[at].index('Key="out/') + len('Key="out/')
        kind = "alternating keystroke, no pause (old series)"
        for n in range(count):
            change = ed.replace(at, col, at, col, "z") if n % 2 == 0 else ed.replace(at, col, at, col + 1, "")
            cpu0 = cpu_ns(self.server.proc.pid)
            t0, _ = ed.send([change])
            done = self.hints_request(at)
            self.hints.setdefault(kind, []).append((done - t0) * 1000)
            self.cpu.setdefault(kind, []).append((cpu_ns(self.server.proc.pid) - cpu0) / 1e6)

    def close(self) -> None:
        self.server.close()


def series(binary: str, whole_buffer: bool, rounds: int, seed: int) -> dict:
    run = Run(binary, whole_buffer, seed)
    for round_ in range(rounds):
        run.new_lines(10)
        run.settle()
        run.typed_calls(2)
        run.pastes(8)
        run.settle()
        run.replace_all(5)
        run.settle()
        run.delete_functions(6, round_)
        run.settle()
        run.large_paste_and_undo(4)
        run.settle()
    run.alternating(200)
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "iamlens"))
    ap.add_argument("--rounds", type=int, default=2, help="repetitions of the whole edit script per habit")
    ap.add_argument("--opens", type=int, default=10, help="fresh servers for open → first hints")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    result = {
        "viewport": series(args.bin, False, args.rounds, args.seed),
        "whole_buffer": series(args.bin, True, args.rounds, args.seed),
        "open": bench_open(args.bin, args.opens, True),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
