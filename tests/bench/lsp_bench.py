#!/usr/bin/env python3
"""Benchmark `iamlens lsp` over stdio with the real binary.

Measures, on a generated 5,000-line Python file with 500 AWS calls:
  - open → first inlay-hint response (once while editing, and p50/max over
    --opens fresh servers)
  - didChange (one character) → inlay-hint response (viewport of 100 lines, and whole
    file), for typing in a docstring and for typing in an AWS call's argument;
    viewport only for typing `(` in a call (the file stops parsing) and for
    typing in a module-level binding. Each series of keystrokes asks for one
    kind of range, as an editor showing that much does.
and, on a generated workspace of 1,000 files:
  - time from `initialized` to the end of the background index
  - resident memory (VmRSS) of the server once indexed

With --resolve-tooltips the client declares inlayHint.resolveSupport for
"tooltip" (as Neovim 0.10+ and VS Code do): hints come without tooltips, which
are fetched with `inlayHint/resolve` on hover.

Usage: tests/bench/lsp_bench.py [--bin target/release/iamlens] [--edits 400] [--files 1000] [--opens 10] [--resolve-tooltips]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from queue import Queue, Empty

ROOT = Path(__file__).resolve().parents[2]

CALLS = [
    's3.get_object(Bucket="data-{i}", Key=f"in/{{day}}/{i}.json")',
    's3.put_object(Bucket="data-{i}", Key="out/{i}.json", Body=b"x")',
    'table.get_item(Key={{"id": "{i}"}})',
    'sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/q{i}", MessageBody="m")',
    'ddb.query(TableName="orders-{i}", KeyConditionExpression="pk = :p")',
]


def big_module(functions: int = 100, calls_per_function: int = 5) -> str:
    """~5,000 lines, `functions * calls_per_function` AWS calls."""
    out = [
        "import boto3",
        "import os",
        "",
        's3 = boto3.client("s3")',
        'sqs = boto3.client("sqs")',
        'ddb = boto3.client("dynamodb")',
        'table = boto3.resource("dynamodb").Table("users")',
        "",
    ]
    n = 0
    for f in range(functions):
        out += ["", "", f"def handler_{f}(event, day):", f'    """Handle batch {f} — données über ünïcode 😀."""']
        for c in range(calls_per_function):
            out.append(f"    value_{c} = event.get('k{c}')  # plain Python, not AWS")
            out.append(f"    if value_{c}:")
            out.append(f"        {CALLS[c % len(CALLS)].format(i=n)}")
            out.append(f"    log_{c} = str(value_{c}) + 'é'")
            for pad in range(5):
                out.append(f"    x_{c}_{pad} = [i * {pad} for i in range(10)]")
            n += 1
        out.append("    return None")
    return "\n".join(out) + "\n"


class Server:
    def __init__(self, binary: str):
        self.proc = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.queue: Queue = Queue()
        self.next_id = 1
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self) -> None:
        out = self.proc.stdout
        assert out
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                k, _, v = line.decode().partition(":")
                if k.lower() == "content-length":
                    length = int(v)
            msg = json.loads(out.read(length))
            if "method" in msg and "id" in msg:  # a server request: answer null
                self._write({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            self.queue.put((time.perf_counter(), msg))

    def _write(self, msg: dict) -> None:
        body = json.dumps(msg).encode()
        assert self.proc.stdin
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict | None) -> int:
        rid = self.next_id
        self.next_id += 1
        self._write({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return rid

    def wait(self, pred, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                at, msg = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except Empty:
                raise TimeoutError("no matching message")
            if pred(msg):
                return at, msg

    def response(self, rid: int, timeout: float = 60.0):
        return self.wait(lambda m: m.get("id") == rid and "method" not in m, timeout)

    def initialize(self, root: Path | None, resolve_tooltips: bool = False) -> None:
        capabilities = {"general": {"positionEncodings": ["utf-16"]}, "window": {"workDoneProgress": False}}
        if resolve_tooltips:
            capabilities["textDocument"] = {"inlayHint": {"resolveSupport": {"properties": ["tooltip"]}}}
        rid = self.request("initialize", {
            "processId": os.getpid(),
            "capabilities": capabilities,
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}] if root else None,
        })
        self.response(rid)
        self.notify("initialized", {})

    def close(self) -> None:
        try:
            rid = self.request("shutdown", None)
            self.response(rid, 10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bench_editing(binary: str, edits: int, resolve_tooltips: bool = False) -> dict:
    text = big_module()
    lines = text.count("\n")
    calls = sum(text.count(c.split("(")[0]) for c in {c.split("(")[0] for c in CALLS})
    server = Server(binary)
    server.initialize(None, resolve_tooltips)
    uri = "file:///bench/big_module.py"
    hint_params = lambda first, last: {"textDocument": {"uri": uri}, "range": {"start": {"line": first, "character": 0}, "end": {"line": last, "character": 0}}}
    t0 = time.perf_counter()
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}})
    rid = server.request("textDocument/inlayHint", hint_params(0, 100))
    at, msg = server.response(rid)
    open_ms = (at - t0) * 1000
    first_hints = len(msg["result"] or [])
    rid = server.request("textDocument/inlayHint", hint_params(0, lines + 1))
    _, msg = server.response(rid)
    all_hints = len(msg["result"] or [])

    def run_edits(target_line: int, col: int, typed: str = "z", whole_file: bool = False) -> list[float]:
        """Type `typed` and delete it again, `edits` times; after each keystroke
        ask for the hints of the viewport (100 lines around the edit) or, with
        `whole_file`, of the whole file, as an editor showing that much would."""
        nonlocal version
        samples = []
        for n in range(edits):
            version += 1
            if n % 2 == 0:
                change = {"range": {"start": {"line": target_line, "character": col}, "end": {"line": target_line, "character": col}}, "text": typed}
            else:
                change = {"range": {"start": {"line": target_line, "character": col}, "end": {"line": target_line, "character": col + 1}}, "text": ""}
            first, last = (0, lines + 1) if whole_file else (max(0, target_line - 50), target_line + 50)
            t0 = time.perf_counter()
            server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
            rid = server.request("textDocument/inlayHint", hint_params(first, last))
            at, msg = server.response(rid)
            assert "result" in msg, msg
            samples.append((at - t0) * 1000)
        return samples

    # 0. The floor: a hint request with no edit before it (report cached), to
    #    separate the transport's and this script's own latency from the server's work.
    floor = []
    for _ in range(100):
        t0 = time.perf_counter()
        rid = server.request("textDocument/inlayHint", hint_params(2500, 2600))
        at, _ = server.response(rid)
        floor.append((at - t0) * 1000)

    src_lines = text.splitlines()
    version = 1
    # 1. Typing in a docstring in the middle of the file (the analysis is provably unchanged).
    doc_line = next(i for i, l in enumerate(src_lines) if "handler_50" in l) + 1
    doc_col = src_lines[doc_line].index("données")
    doc_viewport, doc_whole = run_edits(doc_line, doc_col), run_edits(doc_line, doc_col, whole_file=True)
    # 2. Typing in code: inside an argument string of an AWS call (the resource ARN changes).
    code_line = next(i for i, l in enumerate(src_lines[doc_line:], doc_line) if 'Key="out/' in l)
    code_col = src_lines[code_line].index('Key="out/') + len('Key="out/')
    code_viewport, code_whole = run_edits(code_line, code_col), run_edits(code_line, code_col, whole_file=True)
    # 3. Typing `(` inside a call (the file stops parsing until it is closed),
    #    and typing in a module-level binding every function may read.
    paren_viewport = run_edits(code_line, src_lines[code_line].index('Key="out/'), "(")
    binding_line = next(i for i, l in enumerate(src_lines) if l.startswith("table = "))
    binding_viewport = run_edits(binding_line, src_lines[binding_line].index('"users"') + 2)
    # 4. With lazy tooltips: hovering a hint (inlayHint/resolve of a current hint).
    resolve_ms: list[float] = []
    if resolve_tooltips:
        _, msg = server.response(server.request("textDocument/inlayHint", hint_params(0, lines + 1)))
        for hint in msg["result"][:200]:
            assert "tooltip" not in hint, hint
            t0 = time.perf_counter()
            at, resolved = server.response(server.request("inlayHint/resolve", hint))
            assert resolved["result"].get("tooltip"), resolved
            resolve_ms.append((at - t0) * 1000)
    server.close()
    extra = {"resolve_tooltip_p50_ms": statistics.median(resolve_ms), "resolve_tooltip_p99_ms": pct(resolve_ms, 99)} if resolve_ms else {}
    return {
        **extra,
        "resolve_tooltips": resolve_tooltips,
        "lines": lines, "calls": calls, "hints_whole_file": all_hints, "hints_first_viewport": first_hints,
        "open_to_first_hints_ms": open_ms,
        "no_edit_hints_viewport_p50_ms": statistics.median(floor), "no_edit_hints_viewport_p99_ms": pct(floor, 99),
        "docstring_edit_to_hints_viewport_p50_ms": statistics.median(doc_viewport), "docstring_edit_to_hints_viewport_p99_ms": pct(doc_viewport, 99),
        "docstring_edit_to_hints_whole_file_p50_ms": statistics.median(doc_whole), "docstring_edit_to_hints_whole_file_p99_ms": pct(doc_whole, 99),
        "code_edit_to_hints_viewport_p50_ms": statistics.median(code_viewport), "code_edit_to_hints_viewport_p99_ms": pct(code_viewport, 99),
        "code_edit_to_hints_whole_file_p50_ms": statistics.median(code_whole), "code_edit_to_hints_whole_file_p99_ms": pct(code_whole, 99),
        "paren_edit_to_hints_viewport_p50_ms": statistics.median(paren_viewport), "paren_edit_to_hints_viewport_p99_ms": pct(paren_viewport, 99),
        "module_binding_edit_to_hints_viewport_p50_ms": statistics.median(binding_viewport), "module_binding_edit_to_hints_viewport_p99_ms": pct(binding_viewport, 99),
        "edits": edits,
    }


def bench_open(binary: str, opens: int, resolve_tooltips: bool) -> dict:
    """open → first hints, each time in a fresh server (a cold start of the
    file: parse, analysis, knowledge decoded on first use): for the first 100
    lines (what VS Code asks for: the visible range) and for the whole buffer
    (what Neovim 0.11 asks for)."""
    text = big_module()
    lines = text.count("\n")
    uri = "file:///bench/big_module.py"
    out = {"opens": opens}
    for name, last in (("viewport", 100), ("whole_buffer", lines)):
        times = []
        for _ in range(opens):
            server = Server(binary)
            server.initialize(None, resolve_tooltips)
            t0 = time.perf_counter()
            server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}})
            rid = server.request("textDocument/inlayHint", {"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": last, "character": 0}}})
            at, msg = server.response(rid)
            assert msg.get("result"), msg
            times.append((at - t0) * 1000)
            server.close()
        out[f"open_to_first_{name}_hints_p50_ms"] = statistics.median(times)
        out[f"open_to_first_{name}_hints_max_ms"] = max(times)
    return out


def bench_index(binary: str, files: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="iamlens-lsp-bench-") as tmp:
        root = Path(tmp)
        for i in range(files):
            pkg = root / f"pkg{i % 20}"
            pkg.mkdir(exist_ok=True)
            body = big_module(functions=4, calls_per_function=5) if i % 2 == 0 else (
                "import json\n\n" + "\n".join(f"def f{j}(x):\n    return json.dumps(x) + '{j}'\n" for j in range(40)))
            (pkg / f"mod{i}.py").write_text(body)
        server = Server(binary)
        t0 = time.perf_counter()
        server.initialize(root)
        at, msg = server.wait(lambda m: m.get("method") == "window/logMessage" and "iamlens: indexed" in m["params"]["message"], 120)
        index_s = at - t0
        time.sleep(0.2)
        rss = server.rss_mb()
        message = msg["params"]["message"]
        server.close()
    return {"files": files, "index_s": index_s, "rss_mb_after_index": rss, "log": message}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "iamlens"))
    ap.add_argument("--edits", type=int, default=400)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--opens", type=int, default=10, help="fresh servers for the open → first hints measure")
    ap.add_argument("--resolve-tooltips", action="store_true", help="client resolves hint tooltips lazily (inlayHint/resolve)")
    args = ap.parse_args()
    result = {
        "editing": bench_editing(args.bin, args.edits, args.resolve_tooltips),
        "open": bench_open(args.bin, args.opens, args.resolve_tooltips),
        "index": bench_index(args.bin, args.files),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
