"""The MCP tools on the languages besides Python, with the official MCP client
over stdio (both protocol eras): `explain_code` on pasted TypeScript, Go and
JavaScript (`Language`), and `generate_application_policies` on a directory
mixing Python, TypeScript and Go."""
from __future__ import annotations

import json
import textwrap
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError

from language_sources import ALERT_GO, QUEUE_JS, REPORTS_TS
from test_mcp import MODES, actions_of, check_structured, tool_schemas

APP_PY = textwrap.dedent(
    """\
    import boto3

    table = boto3.resource("dynamodb").Table("orders")


    def save_order(order):
        table.put_item(Item=order)
    """
)


@asynccontextmanager
async def stdio_client(iamlens_bin: str, mode: str):
    target = StdioServerParameters(command=iamlens_bin, args=["mcp-server", "-t", "stdio"])
    async with Client(target, mode=mode, read_timeout_seconds=60) as client:
        yield client


def call_actions(data: dict) -> dict[str, set[str]]:
    """Operation → its actions, less the KMS actions services take on the
    caller's behalf (explain_code lists them; the engine's suites test them)."""
    return {c["Operation"]: {a["Action"] for a in c["Actions"] if not a["Action"].startswith("kms:")} for c in data["Calls"]}


def action_named(call: dict, name: str) -> dict:
    [action] = [a for a in call["Actions"] if a["Action"] == name]
    return action


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_explain_code_reads_pasted_typescript(iamlens_bin, mode):
    async with stdio_client(iamlens_bin, mode) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool(
            "explain_code", {"Source": REPORTS_TS, "Language": "typescript", "Region": "us-east-1", "Account": "123456789012"}
        )
        data = check_structured(result, tools["explain_code"])
        assert data["ImportsAwsSdk"] is True
        [call] = data["Calls"]
        assert (call["Service"], call["Operation"]) == ("s3", "GetObject")
        assert call["Line"] == 6
        assert call_actions(data) == {"GetObject": {"s3:GetObject"}}
        assert action_named(call, "s3:GetObject")["Resources"] == ["arn:aws:s3:::reports/*"]
        assert [f["Kind"] for f in data["Findings"]] == ["DynamicResource"], data["Findings"]


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_explain_code_reads_pasted_go_and_javascript(iamlens_bin, mode):
    async with stdio_client(iamlens_bin, mode) as client:
        tools = await tool_schemas(client)
        go = check_structured(await client.call_tool("explain_code", {"Source": ALERT_GO, "Language": "go"}), tools["explain_code"])
        assert call_actions(go) == {"Publish": {"sns:Publish"}}
        assert action_named(go["Calls"][0], "sns:Publish")["Resources"] == ["arn:aws:sns:us-east-1:123456789012:alerts"]
        js = check_structured(await client.call_tool("explain_code", {"Source": QUEUE_JS, "Language": "javascript"}), tools["explain_code"])
        assert call_actions(js) == {"SendMessage": {"sqs:SendMessage"}}
        assert action_named(js["Calls"][0], "sqs:SendMessage")["Resources"] == ["arn:aws:sqs:us-east-1:123456789012:jobs"]


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_explain_code_language_decides_how_source_is_read(iamlens_bin, mode):
    async with stdio_client(iamlens_bin, mode) as client:
        tools = await tool_schemas(client)
        # The TypeScript source read as Python (the default) is not AWS code.
        as_python = check_structured(await client.call_tool("explain_code", {"Source": REPORTS_TS}), tools["explain_code"])
        assert as_python["Calls"] == []
        with pytest.raises(MCPError) as unknown:
            await client.call_tool("explain_code", {"Source": REPORTS_TS, "Language": "cobol"})
        message = str(unknown.value)
        assert "Language" in message
        # The front-ends' names (`javascript` reads TypeScript too).
        for language in ("python", "javascript", "go"):
            assert f"`{language}`" in message, message


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_explain_code_reads_a_typescript_file_by_path(iamlens_bin, mode, tmp_path: Path):
    path = tmp_path / "reports.ts"
    path.write_text(REPORTS_TS)
    async with stdio_client(iamlens_bin, mode) as client:
        tools = await tool_schemas(client)
        data = check_structured(await client.call_tool("explain_code", {"Path": str(path)}), tools["explain_code"])
        assert call_actions(data) == {"GetObject": {"s3:GetObject"}}


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_generate_application_policies_on_a_directory_mixing_python_and_typescript(iamlens_bin, mode, tmp_path: Path):
    (tmp_path / "app.py").write_text(APP_PY)
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "reports.ts").write_text(REPORTS_TS)
    async with stdio_client(iamlens_bin, mode) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool(
            "generate_application_policies",
            {"SourceFiles": [str(tmp_path)], "Region": "us-east-1", "Account": "123456789012"},
        )
        data = check_structured(result, tools["generate_application_policies"])
        found = actions_of(data)
        assert {"dynamodb:PutItem", "s3:GetObject"} <= found, found
        # Nothing but the two files' services (and the KMS actions S3 takes on the caller's behalf).
        assert {a.split(":")[0] for a in found} <= {"dynamodb", "s3", "kms"}, found
        text = json.dumps(data["Policies"])
        assert "arn:aws:dynamodb:us-east-1:123456789012:table/orders" in text
        assert "arn:aws:s3:::reports/*" in text


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_generate_application_policies_reads_go_and_typescript_files_given_one_by_one(iamlens_bin, mode, tmp_path: Path):
    (tmp_path / "reports.ts").write_text(REPORTS_TS)
    (tmp_path / "alert.go").write_text(ALERT_GO)
    async with stdio_client(iamlens_bin, mode) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool(
            "generate_application_policies", {"SourceFiles": [str(tmp_path / "reports.ts"), str(tmp_path / "alert.go")]}
        )
        data = check_structured(result, tools["generate_application_policies"])
        assert {"s3:GetObject", "sns:Publish"} <= actions_of(data)
