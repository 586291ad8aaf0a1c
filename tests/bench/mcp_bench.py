#!/usr/bin/env python3
"""Benchmark the MCP endpoint with the official Python MCP client and the real binary.

Measures, for stdio and standalone streamable HTTP, in both protocol eras:
  - connect: process start (stdio) or TCP connect (HTTP) → handshake done → first tools/list answered
  - generate_application_policies over the fixture corpus (tests/fixtures/python), per call
  - explain_code on one file, per call
  - search_actions ("send message"), per call
and, once, generate_application_policies over a generated 1,000-file project.

Figures are wall-clock as the agent sees them (client included). Median and p95 of N calls.

Usage: tests/.venv/bin/python tests/bench/mcp_bench.py [--bin target/release/iamlens] [--calls 50] [--files 1000]
"""
from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

from mcp import Client, StdioServerParameters  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402
from mcp.shared._httpx_utils import create_mcp_http_client  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "python"

CALL_TEMPLATES = [
    's3.get_object(Bucket="data-{i}", Key=f"in/{{day}}/{i}.json")',
    'table.put_item(Item={{"id": "{i}"}})',
    'sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/q{i}", MessageBody="m")',
]


def generated_project(root: Path, files: int) -> Path:
    for n in range(files):
        body = ["import boto3", "", 's3 = boto3.client("s3")', 'sqs = boto3.client("sqs")',
                'table = boto3.resource("dynamodb").Table("orders")', "", "", f"def handler_{n}(day):"]
        body += ["    " + t.format(i=n * 3 + k) for k, t in enumerate(CALL_TEMPLATES)]
        (root / f"module_{n}.py").write_text("\n".join(body) + "\n")
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def summary(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"median {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms   (n={len(ms)})"


async def timed_calls(client: Client, name: str, args: dict, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        result = await client.call_tool(name, args)
        out.append(time.perf_counter() - start)
        if result.is_error:
            raise RuntimeError(f"{name} failed: {result.content}")
    return out


def resolve(target):
    """A stdio target as is; an HTTP target is a factory of authenticated transports."""
    return target() if callable(target) else target


async def connect_time(target, mode: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        async with Client(resolve(target), mode=mode) as client:
            await client.list_tools()
            out.append(time.perf_counter() - start)
    return out


async def bench(target, label: str, mode: str, calls: int) -> None:
    print(f"\n{label}, {mode}")
    print(f"  connect + tools/list               {summary(await connect_time(target, mode, max(5, calls // 5)))}")
    corpus_files = [str(p) for p in sorted(CORPUS.rglob("*.py"))]
    one_file = corpus_files[0]
    async with Client(resolve(target), mode=mode) as client:
        gen = await timed_calls(client, "generate_application_policies", {"SourceFiles": [str(CORPUS)]}, calls)
        print(f"  {'generate (fixture corpus, ' + str(len(corpus_files)) + ' files)':34} {summary(gen)}")
        exp = await timed_calls(client, "explain_code", {"Path": one_file}, calls)
        print(f"  explain_code (one file)            {summary(exp)}")
        sea = await timed_calls(client, "search_actions", {"Query": "send message"}, calls)
        print(f"  search_actions                     {summary(sea)}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / "target" / "release" / "iamlens"))
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()

    stdio = StdioServerParameters(command=args.bin, args=["mcp-server", "-t", "stdio"])
    for mode in ("legacy", "2026-07-28"):
        await bench(stdio, "stdio", mode, args.calls)

    port = free_port()
    token_dir = tempfile.TemporaryDirectory()
    token_file = Path(token_dir.name) / "token"
    server = subprocess.Popen(
        [args.bin, "mcp-server", "-t", "http", "-p", str(port), "--token-file", str(token_file)], stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        while not token_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        headers = {"Authorization": f"Bearer {token_file.read_text().strip()}"}
        url = f"http://127.0.0.1:{port}/mcp"
        for mode in ("legacy", "2026-07-28"):
            # A fresh HTTP client per connection, as an agent would open one.
            await bench(lambda: streamable_http_client(url, http_client=create_mcp_http_client(headers=headers)), "streamable HTTP", mode, args.calls)
    finally:
        server.terminate()
        server.wait(timeout=5)
        token_dir.cleanup()

    with tempfile.TemporaryDirectory() as tmp:
        project = generated_project(Path(tmp), args.files)
        async with Client(stdio, mode="2026-07-28") as client:
            samples = await timed_calls(client, "generate_application_policies", {"SourceFiles": [str(project)]}, 5)
        print(f"\nstdio, 2026-07-28: generate over {args.files} generated files   {summary(samples)}")


if __name__ == "__main__":
    asyncio.run(main())
