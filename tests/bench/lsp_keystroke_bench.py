#!/usr/bin/env python3
"""Typing → inlay hints in a 5,000-line TypeScript or Go file, over stdio with the real binary.

A generated file of ~5,000 lines with ~500 AWS SDK calls:
  - typescript: SDK v3 clients in module constants and class fields,
    `client.send(new XCommand({...}))` in top-level functions and methods;
  - go: SDK v2 clients in struct fields, `s.db.GetItem(ctx, &dynamodb.GetItemInput{...})`
    in methods, and a package-level client used by plain functions.

Series (each edit followed at once by an inlay-hint request, for the 100 lines
around the edit — VS Code's viewport — or for the whole buffer — Neovim's —
each habit in a fresh server):
  - alternating keystroke: one character typed into a call's string argument
    and deleted again, 50–150 ms (seeded) between edits so the debounced
    whole-file analysis runs in between;
  - typed call (per keystroke): a new AWS call typed key by key into a new line;
  - paste 20 lines: a block with two AWS calls pasted inside a function.
Also open → first hints (viewport and whole buffer) over fresh servers.
p50/p99 of didChange → hint response per row, and of the server's CPU time
over that interval (all threads, from /proc).

Usage: tests/bench/lsp_keystroke_bench.py --language typescript|go [--bin target/release/iamlens]
       [--edits 200] [--opens 10] [--seed 7] [--json]
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
from lsp_typing_bench import cpu_ns, utf16_len  # noqa: E402

# --- generated files ---------------------------------------------------------

TS_CALLS = [
    'await {c}.send(new GetObjectCommand({{ Bucket: "data-{i}", Key: `in/${{day}}/{i}.json` }}));',
    'await {c}.send(new DeleteObjectCommand({{ Bucket: "data-{i}", Key: "out/{i}.json" }}));',
    'await {q}.send(new SendMessageCommand({{ QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q{i}", MessageBody: "m" }}));',
    'await {d}.send(new DescribeTableCommand({{ TableName: "orders-{i}" }}));',
    'await {d}.send(new QueryCommand({{ TableName: "orders-{i}", KeyConditionExpression: "pk = :p" }}));',
]


def typescript_file(units: int = 100, calls_per_unit: int = 5) -> str:
    """~5,100 lines: in each block of ten units, five top-level functions
    using module constants, then a class whose fields hold the clients with
    five methods."""
    out = [
        'import { S3Client, GetObjectCommand, DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";',
        'import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";',
        'import { DynamoDBClient, DescribeTableCommand, QueryCommand } from "@aws-sdk/client-dynamodb";',
        "",
        'const s3 = new S3Client({ region: "us-east-1" });',
        "const sqs = new SQSClient({});",
        "const ddb = new DynamoDBClient({});",
    ]

    def body(u: int, indent: str, names: dict) -> list[str]:
        lines = []
        for c in range(calls_per_unit):
            n = u * calls_per_unit + c
            lines.append(f"{indent}const value{c} = event[\"k{c}\"]; // plain code, not AWS")
            lines.append(f"{indent}if (value{c} !== undefined) {{")
            lines.append(f"{indent}  {TS_CALLS[c % len(TS_CALLS)].format(i=n, **names)}")
            lines.append(f"{indent}}}")
            lines.append(f"{indent}const log{c} = String(value{c}) + \"é\";")
            for pad in range(4):
                lines.append(f"{indent}const x{c}_{pad}: number[] = [{pad}, {pad + 1}, {pad + 2}].map((v) => v * 2);")
        return lines

    for block in range(0, units, 10):
        for u in range(block, min(block + 10, units), 2):
            out += ["", f"/** Handle batch {u} — données über ünïcode. */", f"export async function handler{u}(event: Record<string, string>, day: string): Promise<void> {{"]
            out += body(u, "  ", {"c": "s3", "q": "sqs", "d": "ddb"})
            out.append("}")
        out += ["", f"export class Service{block} {{", "  private readonly s3 = new S3Client({});",
                "  private readonly sqs = new SQSClient({});", "  private readonly ddb = new DynamoDBClient({});"]
        for u in range(block + 1, min(block + 10, units), 2):
            out += ["", f"  /** Handle batch {u} — données über ünïcode. */", f"  async handler{u}(event: Record<string, string>, day: string): Promise<void> {{"]
            out += body(u, "    ", {"c": "this.s3", "q": "this.sqs", "d": "this.ddb"})
            out.append("  }")
        out.append("}")
    return "\n".join(out) + "\n"


GO_CALLS = [
    '{c}.GetObject(ctx, &s3.GetObjectInput{{Bucket: aws.String("data-{i}"), Key: aws.String("in/" + day + "/{i}.json")}})',
    '{c}.DeleteObject(ctx, &s3.DeleteObjectInput{{Bucket: aws.String("data-{i}"), Key: aws.String("out/{i}.json")}})',
    '{q}.SendMessage(ctx, &sqs.SendMessageInput{{QueueUrl: aws.String("https://sqs.us-east-1.amazonaws.com/123456789012/q{i}"), MessageBody: aws.String("m")}})',
    '{d}.GetItem(ctx, &dynamodb.GetItemInput{{TableName: aws.String("orders-{i}")}})',
    '{d}.Query(ctx, &dynamodb.QueryInput{{TableName: aws.String("orders-{i}"), KeyConditionExpression: aws.String("pk = :p")}})',
]


def go_file(units: int = 100, calls_per_unit: int = 5) -> str:
    """~5,100 lines: most units are methods of a struct whose fields hold the
    clients, every fifth a plain function using package-level clients."""
    out = [
        "package bench",
        "",
        "import (",
        '\t"context"',
        '\t"strconv"',
        "",
        '\t"github.com/aws/aws-sdk-go-v2/aws"',
        '\t"github.com/aws/aws-sdk-go-v2/service/dynamodb"',
        '\t"github.com/aws/aws-sdk-go-v2/service/s3"',
        '\t"github.com/aws/aws-sdk-go-v2/service/sqs"',
        ")",
        "",
        "var (",
        "\tshared3  = s3.New(s3.Options{})",
        "\tsharedQ  = sqs.New(sqs.Options{})",
        "\tsharedDB = dynamodb.New(dynamodb.Options{})",
        ")",
        "",
        "type Service struct {",
        "\tdb  *dynamodb.Client",
        "\ts3  *s3.Client",
        "\tsqs *sqs.Client",
        "}",
    ]
    n = 0
    for u in range(units):
        if u % 5 == 4:
            out += ["", f"// Handler{u} handles batch {u} — données über ünïcode.", f"func Handler{u}(ctx context.Context, event map[string]string, day string) error {{"]
            names = {"c": "shared3", "q": "sharedQ", "d": "sharedDB"}
        else:
            out += ["", f"// Handler{u} handles batch {u} — données über ünïcode.", f"func (s *Service) Handler{u}(ctx context.Context, event map[string]string, day string) error {{"]
            names = {"c": "s.s3", "q": "s.sqs", "d": "s.db"}
        for c in range(calls_per_unit):
            out.append(f'\tvalue{c} := event["k{c}"] // plain Go, not AWS')
            out.append(f'\tif value{c} != "" {{')
            out.append(f"\t\tif _, err := {GO_CALLS[c % len(GO_CALLS)].format(i=n, **names)}; err != nil {{")
            out.append("\t\t\treturn err")
            out.append("\t\t}")
            out.append("\t}")
            for pad in range(2):
                out.append(f"\tx{c}_{pad} := strconv.Itoa(len(value{c}) + {pad})")
            out.append(f"\t_, _ = x{c}_0, x{c}_1")
            n += 1
        out.append("\treturn nil")
        out.append("}")
    return "\n".join(out) + "\n"


LANGUAGES = {
    # language id, file, generator, a call's string argument to type into,
    # a typed call, a pasted block (two calls) inside a function.
    "typescript": {
        "uri": "file:///bench/big_service.ts",
        "text": typescript_file,
        "target": '"data-250"',
        "typed": 'await s3.send(new PutObjectCommand({ Bucket: "typed-{k}", Key: "a" }));',
        "typed_anchor": "handler{u}(",
        "indent": "  ",
        "paste": ['  const pasted{k}_{j} = event["p{j}"];' for j in range(18)],
        "paste_calls": ['  await s3.send(new GetObjectCommand({ Bucket: "pasted-{k}", Key: "a" }));',
                        '  await sqs.send(new SendMessageCommand({ QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/p{k}", MessageBody: "m" }));'],
    },
    "go": {
        "uri": "file:///bench/big_service.go",
        "text": go_file,
        "target": '"orders-253"',
        "typed": 'shared3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("typed-{k}"), Key: aws.String("a")})',
        "typed_anchor": "Handler{u}(",
        "indent": "\t",
        "paste": ['\tpasted{k}_{j} := event["p{j}"]; _ = pasted{k}_{j}' for j in range(18)],
        "paste_calls": ['\tshared3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pasted-{k}"), Key: aws.String("a")})',
                        '\tsharedQ.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String("https://sqs.us-east-1.amazonaws.com/123456789012/p{k}"), MessageBody: aws.String("m")})'],
    },
}

# --- the editor and the series -------------------------------------------------


def fill(template: str, **values: int) -> str:
    """`{k}`-style placeholders filled (the code's own braces left alone)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


class Run:
    """One server, one hint habit, the client's copy of the text."""

    def __init__(self, binary: str, language: str, whole_buffer: bool, seed: int):
        self.lang = LANGUAGES[language]
        self.uri = self.lang["uri"]
        self.server = Server(binary)
        self.server.initialize(None)
        text = self.lang["text"]()
        self.lines = text.split("\n")
        self.version = 1
        self.diags: set[int] = set()
        self.server.notify("textDocument/didOpen", {"textDocument": {"uri": self.uri, "languageId": language, "version": 1, "text": text}})
        self.whole_buffer = whole_buffer
        self.rng = random.Random(seed)
        self.hints: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.counts: dict[str, int] = {}
        self.hints_request(0)  # the first analysis, off the clock
        self.settle()

    def _note(self, msg: dict) -> bool:
        if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"].get("uri") == self.uri:
            if msg["params"].get("version") is not None:
                self.diags.add(msg["params"]["version"])
        return True

    def hints_request(self, line: int) -> tuple[float, int]:
        last = len(self.lines)
        first, end = (0, last) if self.whole_buffer else (max(0, line - 50), min(last, line + 50))
        params = {"textDocument": {"uri": self.uri}, "range": {"start": {"line": first, "character": 0}, "end": {"line": end, "character": 0}}}
        rid = self.server.request("textDocument/inlayHint", params)
        at, msg = self.server.wait(lambda m: self._note(m) and m.get("id") == rid and "method" not in m)
        assert "result" in msg, msg
        return at, len(msg["result"] or [])

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        try:
            while True:
                self.server.wait(lambda m: self._note(m) and False, max(0.0, end - time.monotonic()))
        except TimeoutError:
            pass

    def settle(self) -> None:
        deadline = time.monotonic() + 30
        while self.version not in self.diags and time.monotonic() < deadline:
            self.drain(0.05)

    def replace(self, sl: int, sc: int, el: int, ec: int, new: str) -> dict:
        change = {"range": {"start": {"line": sl, "character": utf16_len(self.lines[sl][:sc])},
                            "end": {"line": el, "character": utf16_len(self.lines[el][:ec])}}, "text": new}
        head, tail = self.lines[sl][:sc], self.lines[el][ec:]
        self.lines[sl : el + 1] = (head + new + tail).split("\n")
        return change

    def line_of(self, needle: str, start: int = 0) -> int:
        return next(i for i in range(start, len(self.lines)) if needle in self.lines[i])

    def edit(self, kind: str, change: dict, line: int) -> None:
        cpu0 = cpu_ns(self.server.proc.pid)
        self.version += 1
        t0 = time.perf_counter()
        self.server.notify("textDocument/didChange", {"textDocument": {"uri": self.uri, "version": self.version}, "contentChanges": [change]})
        at, count = self.hints_request(line)
        self.hints.setdefault(kind, []).append((at - t0) * 1000)
        self.cpu.setdefault(kind, []).append((cpu_ns(self.server.proc.pid) - cpu0) / 1e6)
        self.counts[kind] = count
        self.drain(self.rng.uniform(0.05, 0.15))

    # --- series ---

    def alternating(self, edits: int) -> None:
        at = self.line_of(self.lang["target"])
        col = self.lines[at].index(self.lang["target"]) + 3
        for n in range(edits):
            change = self.replace(at, col, at, col, "z") if n % 2 == 0 else self.replace(at, col, at, col + 1, "")
            self.edit("alternating keystroke in a call argument", change, at)

    def typed_calls(self, count: int) -> None:
        for k in range(count):
            at = self.line_of(self.lang["typed_anchor"].format(u=30 + 10 * k)) + 1
            # Enter at the end of the function's first line, then the call key by key.
            self.edit("typed call (per keystroke)", self.replace(at, len(self.lines[at]), at, len(self.lines[at]), "\n" + self.lang["indent"]), at + 1)
            at += 1
            for ch in fill(self.lang["typed"], k=k):
                col = len(self.lines[at])
                self.edit("typed call (per keystroke)", self.replace(at, col, at, col, ch), at)
            self.settle()

    def pastes(self, count: int) -> None:
        for k in range(count):
            at = self.line_of(self.lang["typed_anchor"].format(u=12 + 6 * k)) + 1
            block = [fill(line, k=k, j=j) for j, line in enumerate(self.lang["paste"])]
            block.insert(6, fill(self.lang["paste_calls"][0], k=k))
            block.insert(14, fill(self.lang["paste_calls"][1], k=k))
            self.edit("paste 20 lines", self.replace(at, 0, at, 0, "\n".join(block) + "\n"), at + 10)
        self.settle()

    def close(self) -> None:
        self.server.close()


def series(binary: str, language: str, whole_buffer: bool, edits: int, seed: int) -> dict:
    started = time.monotonic()
    run = Run(binary, language, whole_buffer, seed)
    progress = lambda what: print(f"[{time.monotonic() - started:6.1f}s] {'whole buffer' if whole_buffer else 'viewport'}: {what}", file=sys.stderr)
    progress("opened")
    run.alternating(edits)
    run.settle()
    progress("alternating keystrokes done")
    run.typed_calls(2)
    progress("typed calls done")
    run.pastes(8)
    progress("pastes done")
    run.close()
    return {
        kind: {
            "n": len(samples),
            "hints_last": run.counts[kind],
            "p50_ms": statistics.median(samples),
            "p99_ms": pct(samples, 99),
            "server_cpu_p50_ms": statistics.median(run.cpu[kind]),
            "server_cpu_p99_ms": pct(run.cpu[kind], 99),
        }
        for kind, samples in run.hints.items()
    }


def opens(binary: str, language: str, count: int) -> dict:
    lang = LANGUAGES[language]
    text = lang["text"]()
    lines = text.count("\n")
    out = {}
    for name, last in (("viewport", 100), ("whole_buffer", lines)):
        times, hints = [], 0
        for _ in range(count):
            server = Server(binary)
            server.initialize(None)
            t0 = time.perf_counter()
            server.notify("textDocument/didOpen", {"textDocument": {"uri": lang["uri"], "languageId": language, "version": 1, "text": text}})
            params = {"textDocument": {"uri": lang["uri"]}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": last, "character": 0}}}
            at, msg = server.response(server.request("textDocument/inlayHint", params))
            hints = len(msg.get("result") or [])
            assert hints, msg
            times.append((at - t0) * 1000)
            server.close()
        out[name] = {"n": count, "hints": hints, "p50_ms": statistics.median(times), "p99_ms": pct(times, 99)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--language", choices=sorted(LANGUAGES), required=True)
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "iamlens"))
    ap.add_argument("--edits", type=int, default=200, help="alternating keystrokes per habit")
    ap.add_argument("--opens", type=int, default=10, help="fresh servers for open → first hints")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print the raw numbers as JSON")
    args = ap.parse_args()
    text = LANGUAGES[args.language]["text"]()
    result = {
        "file": {"lines": text.count("\n"), "aws_calls": text.count("Command({") + text.count("Input{")},
        "viewport": series(args.bin, args.language, False, args.edits, args.seed),
        "whole_buffer": series(args.bin, args.language, True, args.edits, args.seed),
        "open": opens(args.bin, args.language, args.opens),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    f = result["file"]
    print(f"{args.language}: {f['lines']} lines, {f['aws_calls']} AWS calls")
    print(f"{'row':<62}{'n':>5}{'p50 ms':>9}{'p99 ms':>9}{'cpu p50':>9}{'cpu p99':>9}")
    for habit, label in (("viewport", "viewport hints (100 lines)"), ("whole_buffer", "whole-buffer hints")):
        for kind, row in result[habit].items():
            print(f"{kind + ' → ' + label:<62}{row['n']:>5}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['server_cpu_p50_ms']:>9.1f}{row['server_cpu_p99_ms']:>9.1f}")
    for name, row in result["open"].items():
        print(f"{'open → first ' + name.replace('_', '-') + ' hints':<62}{row['n']:>5}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}")


if __name__ == "__main__":
    main()
