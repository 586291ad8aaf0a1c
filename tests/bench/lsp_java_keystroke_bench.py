#!/usr/bin/env python3
"""Keystroke → inlay hints in a 5,000-line Java file, over stdio with the real binary.

The Java counterpart of lsp_bench.py's keystroke rows (whose edit scripts are
Python's): a generated service class of ~5,300 lines with 500 AWS calls in
100 methods; a character typed into a call's string argument and deleted
again, alternately, each keystroke followed at once by an inlay-hint request
for the viewport (100 lines around the edit) or the whole file. Reports
open → first viewport hints and p50/p99 of didChange → hint response.

Usage: tests/bench/lsp_java_keystroke_bench.py [--bin target/release/iamlens] [--edits 200]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_bench import ROOT, Server, pct  # noqa: E402

URI = "file:///bench/BigService.java"

CALLS = [
    's3.getObject(r -> r.bucket("data-{i}").key("in/" + day + "/{i}.json"));',
    's3.deleteObject(r -> r.bucket("data-{i}").key("out/{i}.json"));',
    'sqs.sendMessage(r -> r.queueUrl("https://sqs.us-east-1.amazonaws.com/123456789012/q{i}").messageBody("m"));',
    'ddb.describeTable(r -> r.tableName("orders-{i}"));',
    'ddb.query(r -> r.tableName("orders-{i}").keyConditionExpression("pk = :p"));',
]


def big_class(methods: int = 100, calls_per_method: int = 5) -> str:
    """~5,300 lines, `methods * calls_per_method` AWS calls."""
    out = [
        "package com.acme.big;",
        "",
        "import java.util.ArrayList;",
        "import java.util.List;",
        "import java.util.Map;",
        "import software.amazon.awssdk.services.dynamodb.DynamoDbClient;",
        "import software.amazon.awssdk.services.s3.S3Client;",
        "import software.amazon.awssdk.services.sqs.SqsClient;",
        "",
        "public class BigService {",
        "    private final S3Client s3 = S3Client.create();",
        "    private final SqsClient sqs = SqsClient.create();",
        "    private final DynamoDbClient ddb = DynamoDbClient.create();",
    ]
    n = 0
    for m in range(methods):
        out += ["", f"    /** Handle batch {m} — données über ünïcode. */", f"    public void handler{m}(Map<String, String> event, String day) {{"]
        for c in range(calls_per_method):
            out.append(f'        String value{c} = event.get("k{c}"); // plain Java, not AWS')
            out.append(f"        if (value{c} != null) {{")
            out.append(f"            {CALLS[c % len(CALLS)].format(i=n)}")
            out.append("        }")
            out.append(f'        String log{c} = String.valueOf(value{c}) + "é";')
            for pad in range(5):
                out.append(f"        List<Integer> x{c}_{pad} = new ArrayList<>(List.of({pad}, {pad + 1}, {pad + 2}));")
            n += 1
        out.append("    }")
    out.append("}")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "iamlens"))
    ap.add_argument("--edits", type=int, default=200)
    args = ap.parse_args()

    text = big_class()
    lines = text.splitlines()
    server = Server(args.bin)
    server.initialize(None)

    def hints(first: int, last: int) -> dict:
        return {"textDocument": {"uri": URI}, "range": {"start": {"line": first, "character": 0}, "end": {"line": last, "character": 0}}}

    t0 = time.perf_counter()
    server.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "java", "version": 1, "text": text}})
    at, msg = server.response(server.request("textDocument/inlayHint", hints(0, 100)))
    open_ms = (at - t0) * 1000
    first = len(msg.get("result") or [])
    _, msg = server.response(server.request("textDocument/inlayHint", hints(0, len(lines) + 1)))
    total = len(msg.get("result") or [])
    # The edit: inside the bucket name of a call in the middle of the file (ASCII, so UTF-16 columns are byte columns).
    target = next(i for i, line in enumerate(lines) if '"data-250"' in line)
    col = lines[target].index('"data-250"') + 6
    version = 1

    def keystrokes(whole_file: bool) -> list[float]:
        nonlocal version
        samples = []
        for n in range(args.edits):
            version += 1
            end = col if n % 2 == 0 else col + 1
            change = {"range": {"start": {"line": target, "character": col}, "end": {"line": target, "character": end}}, "text": "z" if n % 2 == 0 else ""}
            first_line, last_line = (0, len(lines) + 1) if whole_file else (max(0, target - 50), target + 50)
            t = time.perf_counter()
            server.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": version}, "contentChanges": [change]})
            at, msg = server.response(server.request("textDocument/inlayHint", hints(first_line, last_line)))
            assert "result" in msg, msg
            samples.append((at - t) * 1000)
        return samples

    viewport = keystrokes(False)
    whole = keystrokes(True)
    server.close()
    print(f"file: {len(lines)} lines, {text.count('r -> r.')} AWS calls; hints: {first} in the first 100 lines, {total} in all")
    print(f"open → first viewport hints: {open_ms:.1f} ms")
    print(f"{'keystroke in a call argument':<34}{'p50 ms':>8}{'p99 ms':>8}")
    for label, s in (("  → viewport hints (100 lines)", viewport), ("  → whole-file hints", whole)):
        print(f"{label:<34}{pct(s, 50):>8.1f}{pct(s, 99):>8.1f}")


if __name__ == "__main__":
    main()
