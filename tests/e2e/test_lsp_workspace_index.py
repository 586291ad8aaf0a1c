"""A workspace policy asked for while the background index is still running
waits for it: the answer covers every file, not just the ones indexed so far."""
from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from lsp_support import execute, start_client

FILES = 600


def topic(i: int) -> str:
    return f"arn:aws:sns:us-east-1:123456789012:topic-{i}"


@pytest.fixture
def big_workspace(tmp_path: Path) -> Path:
    for i in range(FILES):
        (tmp_path / f"publisher_{i}.py").write_text(
            f'import boto3\n\n\ndef send(m):\n    boto3.client("sns").publish(TopicArn="{topic(i)}", Message=m)\n'
        )
    return tmp_path


def resources(envelope) -> set[str]:
    out: set[str] = set()
    for policy in envelope["Policies"]:
        for st in policy["Policy"]["Statement"]:
            res = st["Resource"]
            out.update([res] if isinstance(res, str) else res)
    return out


@pytest.mark.asyncio
async def test_workspace_policy_sent_during_indexing_covers_every_file(iamlens_bin, big_workspace):
    # A cutoff above the file count keeps one ARN per file in the policy.
    client, _, _ = await start_client(iamlens_bin, root=big_workspace, options={"iamlens": {"resourceCutoff": FILES + 1}})
    try:
        # No wait for "indexed …": the request races the background index.
        envelope = await execute(client, "iamlens.generatePolicy", {"scope": "workspace"})
        topics = {r for r in resources(envelope) if r.startswith("arn:aws:sns:")}
        assert topics == {topic(i) for i in range(FILES)}
        assert not [w for w in envelope["Warnings"] if w["Kind"] == "IndexIncomplete"]
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_mcp_workspace_policy_sent_during_indexing_covers_every_file(iamlens_bin, big_workspace):
    # The embedded endpoint's driver and client helpers live with its own suite.
    from test_mcp_embedded import MODES, LspDriver, client_for, discovery

    editor = LspDriver(iamlens_bin, big_workspace)
    editor.start({"iamlens": {"mcp": {"enable": True}}})
    try:
        endpoint = discovery(big_workspace)
        async with client_for(endpoint, MODES[0]) as client:
            result = await client.call_tool("workspace_policy", {"ResourceCutoff": FILES + 1})
            assert not result.is_error, result.content
            data = result.structured_content
        assert len(data["Files"]) == FILES
        topics = {r for r in resources(data) if r.startswith("arn:aws:sns:")}
        assert topics == {topic(i) for i in range(FILES)}
    finally:
        editor.stop()


@pytest.mark.asyncio
async def test_folders_changed_during_indexing_leave_the_index_of_the_new_folders(iamlens_bin, big_workspace, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    (other / "queue.py").write_text('import boto3\n\nboto3.client("sqs").send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/jobs", MessageBody="m")\n')
    # No work-done progress: the first pass starts at once, before the folder change arrives.
    caps = types.ClientCapabilities()
    client, _, _ = await start_client(iamlens_bin, capabilities=caps, root=big_workspace, options={"iamlens": {"resourceCutoff": FILES + 1}})
    try:
        # While the big folder is being indexed, the editor swaps it for another.
        client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=other.as_uri(), name="other")],
                removed=[types.WorkspaceFolder(uri=big_workspace.as_uri(), name=big_workspace.name)],
            )
        ))
        envelope = await execute(client, "iamlens.generatePolicy", {"scope": "workspace"})
        found = resources(envelope)
        assert "arn:aws:sqs:us-east-1:123456789012:jobs" in found
        assert not [r for r in found if r.startswith("arn:aws:sns:")], "the removed folder's files are gone"
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_workspace_policy_right_after_a_region_change_uses_the_new_region(iamlens_bin, tmp_path):
    tables = 300
    for i in range(tables):
        (tmp_path / f"reader_{i}.py").write_text(f'import boto3\n\n\ndef get(k):\n    return boto3.resource("dynamodb").Table("t{i}").get_item(Key=k)\n')
    settings = {"resourceCutoff": tables + 1, "account": "123456789012", "kmsViaService": False}
    client, _, _ = await start_client(iamlens_bin, root=tmp_path, options={"iamlens": {**settings, "region": "us-east-1"}})
    try:
        before = await execute(client, "iamlens.generatePolicy", {"scope": "workspace"})
        assert f"arn:aws:dynamodb:us-east-1:123456789012:table/t{tables - 1}" in resources(before)
        # The closed files are re-analysed in the background; the request waits for it.
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"iamlens": {"region": "eu-west-1"}}))
        after = await execute(client, "iamlens.generatePolicy", {"scope": "workspace"})
        assert resources(after) == {f"arn:aws:dynamodb:eu-west-1:123456789012:table/t{i}" for i in range(tables)}
    finally:
        await client.shutdown_session()
