"""One settings type, the same answer in every view: for every fixture of the
corpus, the policies `generate-policies` prints, the language server's
`iamlens.generatePolicy` for that file returns and MCP's
`generate_application_policies` returns are byte-identical (same region and
account in all three). Read from the snapshots test_outputs_unchanged.py checks
the binary against, so a view that drifts fails here even when its snapshot
was accepted."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

OUTPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "outputs"


def load(name: str) -> dict:
    return json.loads((OUTPUTS / f"{name}.json").read_text())


def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def cli_policies(entry: dict):
    return json.loads("\n".join(entry["stdout"]))["Policies"]


def lsp_policies(entry: dict):
    [generated] = [c for c in entry["workspace/executeCommand"] if c["command"] == "iamlens.generatePolicy" and c["argument"].get("scope") == "file"]
    return generated["result"]["Policies"]


def fixtures_in_all_views() -> list[str]:
    cli, lsp, mcp = load("cli"), load("lsp"), load("mcp")
    names = []
    for key in cli:
        if key.startswith("generate-policies/") and key.endswith(".py") and key.count("/") == 1:
            name = key.split("/", 1)[1]
            if f"file/{name}" in lsp and f"legacy/generate_application_policies/{name}" in mcp:
                names.append(name)
    return sorted(names)


NAMES = fixtures_in_all_views()


def test_the_corpus_is_compared_in_all_three_views():
    assert len(NAMES) >= 45, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_cli_lsp_and_mcp_print_the_same_policies(name):
    cli = cli_policies(load("cli")[f"generate-policies/{name}"])
    lsp = lsp_policies(load("lsp")[f"file/{name}"])
    mcp = load("mcp")[f"legacy/generate_application_policies/{name}"]["result"]["structuredContent"]["Policies"]
    assert compact(cli) == compact(lsp), f"{name}: CLI and language server differ"
    assert compact(cli) == compact(mcp), f"{name}: CLI and MCP differ"
