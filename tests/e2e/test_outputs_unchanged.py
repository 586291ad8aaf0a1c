"""The CLI, the language server and the MCP endpoint say exactly what the
committed snapshot says about the fixture corpus (tests/fixtures/outputs).

The snapshot was written by output_snapshots.py; any difference in what
iamlens prints, sends or returns (a key order included) fails here, with the
first differences listed. One language server and one MCP server serve the
whole corpus.
"""
from __future__ import annotations

import json

import pytest

import output_snapshots as snapshots

ACCEPT = (
    "to accept a reviewed change, run tests/.venv/bin/python tests/e2e/output_snapshots.py "
    "--bin target/debug/iamlens --write and review git diff tests/fixtures/outputs"
)


def compare(part: str, now: dict) -> None:
    path = snapshots.snapshot_path(part)
    if not path.exists():
        pytest.fail(f"no snapshot at {path.relative_to(snapshots.REPO_ROOT)}; {ACCEPT}", pytrace=False)
    text = path.read_text(encoding="utf-8")
    if snapshots.dumps(now) == text:
        return
    before = json.loads(text)
    changed = [
        name
        for name in sorted(set(before) | set(now))
        if json.dumps(before.get(name), ensure_ascii=False) != json.dumps(now.get(name), ensure_ascii=False)
    ]
    found = snapshots.differences(before, now)
    lines = [
        f"{part} outputs differ from {path.relative_to(snapshots.REPO_ROOT)}: {len(changed)} of {len(before)} entries changed",
        "changed entries: " + ", ".join(changed[:30]) + (f", … ({len(changed) - 30} more)" if len(changed) > 30 else ""),
        "first differences:",
        *(f"  {d}" for d in found),
    ]
    if not found:
        lines.append("  (same values; the file's formatting differs)")
    lines.append(ACCEPT)
    pytest.fail("\n".join(lines), pytrace=False)


@pytest.mark.parametrize("part", snapshots.PARTS)
def test_outputs_match_the_snapshot(iamlens_bin, part):
    now = snapshots.collect(iamlens_bin, (part,))[part]
    compare(part, now)
