"""Infrastructure as code in the editor: the language server's lenses name
the functions a file belongs to and the resources their templates bind, and
the three views agree on the per-function policies of a tree with templates:
`generate-policies`, the language server's workspace `iamlens.generatePolicy`
(pytest-lsp client) and the editor-embedded MCP endpoint's `workspace_policy`
(the official MCP Python client) each give one policy per function, with its
own environment bound."""
from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from lsprotocol import types

from lsp_support import execute, open_doc, start_client, wait_for_index

REGION, ACCOUNT = "eu-west-1", "123456789012"
PROJECTS = ["sam-orders", "cdk-app", "terraform-app", "serverless-app"]

# A fourth function runs get_order's code against another table.
ARCHIVE_READER = """
  ArchiveReaderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./src/get_order
      Handler: app.handler
      Environment:
        Variables:
          TABLE_NAME: !Ref ArchiveTable

  ArchiveTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${Stage}-orders-archive"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: orderId
          AttributeType: S
      KeySchema:
        - AttributeName: orderId
          KeyType: HASH
"""


def copy(repo_root: Path, tmp_path: Path, project: str) -> Path:
    target = tmp_path / project
    shutil.copytree(repo_root / "tests/fixtures/iac" / project, target)
    return target


def cli_envelope(iamlens_bin: str, repo_root: Path, project: Path, *extra: str) -> dict:
    done = subprocess.run(
        [iamlens_bin, "generate-policies", str(project), "-r", REGION, "-a", ACCOUNT, *extra],
        cwd=repo_root, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def by_function(envelope: dict) -> dict:
    """Function id (None: code no function runs) → its policies, as compact JSON text."""
    out: dict = {}
    for entry in envelope["Policies"]:
        function = entry.get("Function")
        key = function["Id"] if function else None
        out.setdefault(key, []).append(json.dumps(entry, sort_keys=True))
    return out


async def lens_titles(client, uri: str) -> list[str]:
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    return [lens.command.title for lens in lenses or [] if lens.command]


@pytest.mark.asyncio
async def test_lenses_name_the_functions_and_bound_resources_and_say_when_functions_differ(iamlens_bin, repo_root, tmp_path):
    project = copy(repo_root, tmp_path, "sam-orders")
    template = project / "template.yaml"
    text = template.read_text()
    template.write_text(text.replace("\nOutputs:", ARCHIVE_READER + "\nOutputs:", 1))
    client, _, _ = await start_client(iamlens_bin, root=project, options={"iamlens": {"region": REGION, "account": ACCOUNT}})
    try:
        await wait_for_index(client)
        create = project / "src/create_order/app.py"
        titles = await lens_titles(client, open_doc(client, create, create.read_text()))
        assert titles and all(t.endswith(" · CreateOrderFunction ← OrdersTable, ReceiptsBucket, OrderEventsQueue") for t in titles), titles
        # Two functions run get_order's code, each with its own table: the lens names both, not one.
        shared = project / "src/get_order/app.py"
        titles = await lens_titles(client, open_doc(client, shared, shared.read_text()))
        assert titles and all(t.endswith(" · differs by function: GetOrderFunction ← OrdersTable; ArchiveReaderFunction ← ArchiveTable") for t in titles), titles
        # Code no template deploys keeps the plain summary.
        loose = project / "scripts/report.py"
        loose.parent.mkdir()
        loose_text = 'import boto3\n\nboto3.client("s3").list_buckets()\n'
        loose.write_text(loose_text)
        assert await lens_titles(client, open_doc(client, loose, loose_text)) == ["IAM: 1 action · 1 service"]
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
@pytest.mark.parametrize("project_name", PROJECTS)
async def test_cli_language_server_and_mcp_workspace_give_the_same_per_function_policies(iamlens_bin, repo_root, tmp_path, project_name):
    from test_mcp_embedded import MODES, client_for, discovery

    project = copy(repo_root, tmp_path, project_name)
    cli = cli_envelope(iamlens_bin, repo_root, project)
    cli_merged = cli_envelope(iamlens_bin, repo_root, project, "--merged")
    functions = {k for k in by_function(cli) if k is not None}
    assert len(functions) >= 2, by_function(cli)

    options = {"iamlens": {"region": REGION, "account": ACCOUNT, "mcp": {"enable": True}}}
    client, _, _ = await start_client(iamlens_bin, root=project, options=options)
    try:
        await wait_for_index(client)
        lsp = await execute(client, "iamlens.generatePolicy", {"scope": "workspace"})
        lsp_merged = await execute(client, "iamlens.generatePolicy", {"scope": "workspace", "merged": True})
        async with client_for(discovery(project), MODES[0]) as mcp_client:
            result = await mcp_client.call_tool("workspace_policy", {})
            assert not result.is_error, result.content
            mcp = result.structured_content
            merged = await mcp_client.call_tool("workspace_policy", {"Merged": True})
            mcp_merged = merged.structured_content
    finally:
        await client.shutdown_session()

    assert by_function(lsp) == by_function(cli), f"{project_name}: the language server's workspace policy differs from generate-policies"
    assert by_function(mcp) == by_function(cli), f"{project_name}: MCP's workspace_policy differs from generate-policies"
    assert lsp_merged["Policies"] == cli_merged["Policies"], f"{project_name}: merged differs (language server)"
    assert mcp_merged["Policies"] == cli_merged["Policies"], f"{project_name}: merged differs (MCP)"
    # Each function's files carry its own environment: no wildcard where the template names the resource.
    template_warnings = lambda envelope: sorted(w["Message"] for w in envelope["Warnings"] if w["Kind"] in ("Template", "OutsideFunctions"))  # noqa: E731
    assert template_warnings(lsp) == template_warnings(mcp) == template_warnings(cli)


@pytest.mark.asyncio
async def test_unsaved_edits_in_a_function_are_bound_to_its_own_environment(iamlens_bin, repo_root, tmp_path):
    project = copy(repo_root, tmp_path, "sam-orders")
    source = project / "src/get_order/app.py"
    edited = source.read_text().replace(
        "    item = response.get(\"Item\")",
        "    dynamodb.delete_item(TableName=TABLE_NAME, Key={\"orderId\": {\"S\": order_id}})\n    item = response.get(\"Item\")",
    )
    client, _, _ = await start_client(iamlens_bin, root=project, options={"iamlens": {"region": REGION, "account": ACCOUNT}})
    try:
        await wait_for_index(client)
        open_doc(client, source, edited)
        live = await execute(client, "iamlens.generatePolicy", {"scope": "workspace"})
    finally:
        await client.shutdown_session()
    # The same text, saved: generate-policies must print what the editor showed before the save.
    source.write_text(edited)
    saved = cli_envelope(iamlens_bin, repo_root, project)
    assert by_function(live) == by_function(saved)
    get_order = " ".join(by_function(live)["GetOrderFunction"])
    assert "dynamodb:DeleteItem" in get_order and f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/dev-orders" in get_order, get_order
    assert "dynamodb:DeleteItem" not in " ".join(by_function(live)["CreateOrderFunction"])


@pytest.mark.asyncio
async def test_a_module_the_handler_starts_importing_joins_its_function_once_saved(iamlens_bin, repo_root, tmp_path):
    project = copy(repo_root, tmp_path, "sam-orders")
    audit = project / "src/get_order/audit.py"
    audit_text = (
        'import os\n\nimport boto3\n\n\ndef record(order_id):\n'
        '    boto3.client("dynamodb").put_item(TableName=os.environ["TABLE_NAME"], Item={"orderId": {"S": order_id}})\n'
    )
    audit.write_text(audit_text)
    client, _, _ = await start_client(iamlens_bin, root=project, options={"iamlens": {"region": REGION, "account": ACCOUNT}})
    try:
        await wait_for_index(client)
        audit_uri = open_doc(client, audit, audit_text)
        before = await lens_titles(client, audit_uri)
        assert before and not any("Function" in t for t in before), "no handler imports it yet"
        # The handler starts importing it: edited, written and saved as an editor does.
        handler = project / "src/get_order/app.py"
        edited = handler.read_text().replace("import boto3\n", "import boto3\n\nimport audit\n", 1)
        handler_uri = open_doc(client, handler, edited)
        handler.write_text(edited)
        client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=handler_uri)))
        expected = " · GetOrderFunction ← OrdersTable"
        deadline = asyncio.get_running_loop().time() + 15
        after = before
        while asyncio.get_running_loop().time() < deadline and not all(t.endswith(expected) for t in after):
            await asyncio.sleep(0.1)
            after = await lens_titles(client, audit_uri)
        assert after and all(t.endswith(expected) for t in after), after
        live = await execute(client, "iamlens.generatePolicy", {"scope": "workspace"})
    finally:
        await client.shutdown_session()
    # What a fresh run over the saved files says, the editor says too.
    assert by_function(live) == by_function(cli_envelope(iamlens_bin, repo_root, project))
    assert "dynamodb:PutItem" in " ".join(by_function(live)["GetOrderFunction"])


@pytest.mark.asyncio
async def test_the_stack_name_and_parameters_set_in_the_editor_narrow_generated_names_as_the_cli_flags_do(iamlens_bin, repo_root, tmp_path):
    project = copy(repo_root, tmp_path, "sam-orders")
    (project / "samconfig.toml").unlink()
    deployed_as = ("--stack-name", "orders-prod", "--parameter-overrides", "Stage=prod")
    cli = by_function(cli_envelope(iamlens_bin, repo_root, project, *deployed_as))
    cli_unnamed = by_function(cli_envelope(iamlens_bin, repo_root, project))
    assert cli != cli_unnamed, "the stack name and the stage change what the templates name"

    options = {"iamlens": {"region": REGION, "account": ACCOUNT, "stackName": "orders-prod", "parameterOverrides": {"Stage": "prod"}}}
    client, _, _ = await start_client(iamlens_bin, root=project, options=options)
    try:
        await wait_for_index(client)
        assert by_function(await execute(client, "iamlens.generatePolicy", {"scope": "workspace"})) == cli
        # Cleared in the editor: back to what the templates alone say.
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"iamlens": {"stackName": None, "parameterOverrides": {}}})
        )
        for _ in range(100):
            unnamed = by_function(await execute(client, "iamlens.generatePolicy", {"scope": "workspace"}))
            if unnamed == cli_unnamed:
                break
            await asyncio.sleep(0.1)
        assert unnamed == cli_unnamed
    finally:
        await client.shutdown_session()
