"""`iamlens lsp` end to end: a real workspace, a real client (pytest-lsp on
pygls), the real binary. Asserts on content: exact actions, ARNs bound from
the code, UTF-16 columns on lines with non-ASCII text, CRLF files."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import client_capabilities

from lsp_support import (
    change_doc,
    execute,
    inlay_hints,
    label_text,
    open_doc,
    position_of,
    start_client,
    tooltip_text,
    utf16_col,
    wait_for,
    wait_for_index,
)

HANDLER = textwrap.dedent(
    """\
    import os
    import boto3

    from app.clients import make_queue_client

    s3 = boto3.client("s3")
    table = boto3.resource("dynamodb").Table("users")
    BUCKET = "my-data-bucket"


    def handler(event, context):
        greeting = "héllo wörld 😀"; obj = s3.get_object(Bucket=BUCKET, Key="config/settings.json")
        table.get_item(Key={"id": event["id"]})
        return obj


    def notify(body):
        sqs = make_queue_client()
        sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/jobs", MessageBody=body)


    def fetch_dynamic(key):
        return s3.get_object(Bucket=os.environ["DATA_BUCKET"], Key=key)
    """
)

CLIENTS = textwrap.dedent(
    """\
    import boto3


    def make_queue_client():
        return boto3.client("sqs", region_name="us-east-1")
    """
)

WORKER = textwrap.dedent(
    """\
    import boto3

    sns = boto3.client("sns")


    def publish(message):
        sns.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:alerts", Message=message)
    """
)

TYPO = "import boto3\n\ns3 = boto3.client('s3')\ns3.get_objects(Bucket='b', Key='k')\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "clients.py").write_text(CLIENTS)
    (tmp_path / "app" / "handler.py").write_text(HANDLER)
    (tmp_path / "worker.py").write_text(WORKER)
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "secret.py").write_text(
        "import boto3\nboto3.client('secretsmanager').get_secret_value(SecretId='x')\n")
    (tmp_path / ".gitignore").write_text("ignored/\n")
    (tmp_path / ".git").mkdir()  # .gitignore applies inside a repository
    return tmp_path


def modern_vscode() -> types.ClientCapabilities:
    """VS Code ≥ 1.67 (vscode-languageclient 8+): the 1.65 profile plus inlay-hint refresh."""
    caps = client_capabilities("visual-studio-code")
    caps.workspace.inlay_hint = types.InlayHintWorkspaceClientCapabilities(refresh_support=True)
    return caps


@pytest_asyncio.fixture
async def vscode(iamlens_bin, workspace):
    # KMS actions taken on the caller's behalf are off here so labels name one
    # action each; test_kms_via_service_actions_follow_the_setting covers them.
    client, recorder, _ = await start_client(
        iamlens_bin, capabilities=modern_vscode(), root=workspace, options={"iamlens": {"kmsViaService": False}})
    client.recorder = recorder  # type: ignore[attr-defined]
    await wait_for_index(client)
    yield client
    await client.shutdown_session()


def hint_on(hints, line: int):
    found = [h for h in hints if h.position.line == line]
    assert found, f"no hint on line {line}: {[(h.position.line, label_text(h)) for h in hints]}"
    return found[0]


@pytest.mark.asyncio
async def test_inlay_hints_name_the_action_at_the_end_of_each_call_in_utf16(vscode, workspace):
    uri = open_doc(vscode, workspace / "app" / "handler.py", HANDLER)
    hints = await inlay_hints(vscode, uri)
    get_line = HANDLER.splitlines().index(next(l for l in HANDLER.splitlines() if "greeting" in l))
    hint = hint_on(hints, get_line)
    assert label_text(hint) == "s3:GetObject"
    line_text = HANDLER.splitlines()[get_line]
    # UTF-16 column: "é", "ö" count 1, "😀" counts 2.
    assert hint.position.character == utf16_col(line_text, 'Key="config/settings.json")', end=True)
    assert hint.position.character != len(line_text.encode())  # not bytes
    tip = tooltip_text(hint)
    assert "`s3:GetObject`" in tip
    assert "arn:aws:s3:::my-data-bucket/config/settings.json" in tip
    # Resources API: Table("users").get_item → dynamodb:GetItem on the table.
    item = hint_on(hints, get_line + 1)
    assert label_text(item) == "dynamodb:GetItem"
    assert "table/users" in tooltip_text(item)


@pytest.mark.asyncio
async def test_a_client_factory_in_another_module_resolves(vscode, workspace):
    uri = open_doc(vscode, workspace / "app" / "handler.py", HANDLER)
    hints = await inlay_hints(vscode, uri)
    line = position_of(HANDLER, "sqs.send_message").line
    hint = hint_on(hints, line)
    assert label_text(hint) == "sqs:SendMessage"
    assert "arn:aws:sqs:us-east-1:123456789012:jobs" in tooltip_text(hint)


@pytest.mark.asyncio
async def test_crlf_documents_get_hints_on_the_right_line_and_column(vscode, workspace):
    crlf = HANDLER.replace("\n", "\r\n")
    uri = open_doc(vscode, workspace / "app" / "handler.py", crlf)
    hints = await inlay_hints(vscode, uri)
    want = position_of(crlf, 'Key="config/settings.json")', end=True)
    hint = hint_on(hints, want.line)
    assert (hint.position.line, hint.position.character) == (want.line, want.character)


@pytest.mark.asyncio
async def test_incremental_edits_show_up_in_hints_before_saving(vscode, workspace):
    uri = open_doc(vscode, workspace / "app" / "handler.py", HANDLER)
    start = position_of(HANDLER, "get_object(Bucket=BUCKET")
    end = types.Position(line=start.line, character=start.character + len("get_object"))
    change_doc(vscode, uri, 2, start, end, "put_object")
    hints = await inlay_hints(vscode, uri)
    assert label_text(hint_on(hints, start.line)) == "s3:PutObject"
    # One character at a time, with non-ASCII text in front: "put_object" → "delete_object".
    change_doc(vscode, uri, 3, start, types.Position(line=start.line, character=start.character + 3), "delete")
    hints = await inlay_hints(vscode, uri)
    hint = hint_on(hints, start.line)
    assert label_text(hint) == "s3:DeleteObject"
    edited_line = HANDLER.splitlines()[start.line].replace("get_object", "delete_object", 1)
    assert hint.position.character == utf16_col(edited_line, 'Key="config/settings.json")', end=True)


@pytest.mark.asyncio
async def test_hover_on_the_method_name_explains_actions_resources_and_templates(vscode, workspace):
    uri = open_doc(vscode, workspace / "app" / "handler.py", HANDLER)
    at = position_of(HANDLER, "get_object(Bucket=BUCKET")
    at.character += 3
    hover = await vscode.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=at))
    assert hover is not None
    value = hover.contents.value
    assert "s3:GetObject" in value and "Read" in value
    assert "arn:aws:s3:::my-data-bucket/config/settings.json" in value
    assert "${BucketName}" in value  # the ARN template it was bound from
    assert hover.range.start == position_of(HANDLER, "get_object(Bucket=BUCKET")
    # Away from any call: nothing.
    nothing = await vscode.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=2)))
    assert nothing is None


@pytest.mark.asyncio
async def test_code_lenses_summarise_each_function_and_the_module(vscode, workspace):
    uri = open_doc(vscode, workspace / "app" / "handler.py", HANDLER)
    lenses = await vscode.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    by_line = {lens.range.start.line: lens for lens in lenses}
    handler_line = position_of(HANDLER, "def handler").line
    notify_line = position_of(HANDLER, "def notify").line
    assert by_line[handler_line].command.title == "IAM: 2 actions · 2 services"
    assert by_line[notify_line].command.title == "IAM: 1 action · 1 service"
    cmd = by_line[handler_line].command
    assert cmd.command == "iamlens.generatePolicy"
    assert cmd.arguments[0]["scope"] == "function"
    module = [lens for lens in lenses if lens.command.arguments[0]["scope"] == "file"]
    assert len(module) == 1 and module[0].command.title == "IAM: 3 actions · 3 services"


@pytest.mark.asyncio
async def test_diagnostics_for_typos_with_a_quick_fix_and_dynamic_resources(vscode, workspace):
    typo_uri = open_doc(vscode, workspace / "typo.py", TYPO)
    await wait_for(lambda: typo_uri in vscode.diagnostics, what="diagnostics for typo.py")
    diags = vscode.diagnostics[typo_uri]
    unknown = [d for d in diags if d.code == "unknown-method"]
    assert len(unknown) == 1 and unknown[0].severity == types.DiagnosticSeverity.Error
    assert "get_objects" in unknown[0].message
    actions = await vscode.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=typo_uri),
        range=unknown[0].range,
        context=types.CodeActionContext(diagnostics=[unknown[0]]),
    ))
    fix = next(a for a in actions if a.kind == types.CodeActionKind.QuickFix)
    assert fix.title == "Change `get_objects` to `get_object`"
    edit = fix.edit.changes[typo_uri][0]
    assert edit.new_text == "get_object"
    assert edit.range == types.Range(start=position_of(TYPO, "get_objects"), end=position_of(TYPO, "get_objects", end=True))

    uri = open_doc(vscode, workspace / "app" / "handler.py", HANDLER)
    await wait_for(lambda: uri in vscode.diagnostics, what="diagnostics for handler.py")
    dynamic = [d for d in vscode.diagnostics[uri] if d.code == "dynamic-resource"]
    assert dynamic and all(d.severity == types.DiagnosticSeverity.Hint for d in dynamic)
    assert {d.range.start.line for d in dynamic} == {position_of(HANDLER, 'os.environ["DATA_BUCKET"]').line}


@pytest.mark.asyncio
async def test_ambiguous_receiver_is_information_listing_candidates(vscode, workspace):
    text = "import boto3\n\ndef tags(client):\n    return client.list_tags_for_resource(ResourceArn='arn:aws:x')\n"
    uri = open_doc(vscode, workspace / "amb.py", text)
    await wait_for(lambda: uri in vscode.diagnostics, what="diagnostics for amb.py")
    amb = [d for d in vscode.diagnostics[uri] if d.code == "ambiguous-receiver"]
    assert len(amb) == 1 and amb[0].severity == types.DiagnosticSeverity.Information
    assert len(amb[0].data["candidates"]) >= 2


@pytest.mark.asyncio
async def test_generate_policy_for_function_file_and_workspace(vscode, workspace):
    uri = open_doc(vscode, workspace / "app" / "handler.py", HANDLER)

    def actions(envelope) -> set[str]:
        out = set()
        for policy in envelope["Policies"]:
            for st in policy["Policy"]["Statement"]:
                acts = st["Action"]
                out.update([acts] if isinstance(acts, str) else acts)
        return out

    def resources(envelope) -> set[str]:
        out = set()
        for policy in envelope["Policies"]:
            for st in policy["Policy"]["Statement"]:
                res = st["Resource"]
                out.update([res] if isinstance(res, str) else res)
        return out

    inside_handler = {"line": position_of(HANDLER, "obj = s3").line, "character": 8}
    fn = await execute(vscode, "iamlens.generatePolicy", {"scope": "function", "uri": uri, "position": inside_handler})
    assert actions(fn) == {"s3:GetObject", "dynamodb:GetItem"}
    assert "arn:aws:s3:::my-data-bucket/config/settings.json" in resources(fn)
    assert fn["Policies"][0]["Policy"]["Version"] == "2012-10-17"

    file_ = await execute(vscode, "iamlens.generatePolicy", {"scope": "file", "uri": uri})
    assert actions(file_) == {"s3:GetObject", "dynamodb:GetItem", "sqs:SendMessage"}
    assert any(w for w in file_["Warnings"]), "the dynamic bucket is a warning"

    ws = await execute(vscode, "iamlens.generatePolicy", {"scope": "workspace"})
    # Closed files come from the background index; .gitignore'd files do not.
    assert "sns:Publish" in actions(ws)
    assert "arn:aws:sns:us-east-1:123456789012:alerts" in resources(ws)
    assert "secretsmanager:GetSecretValue" not in actions(ws)
    assert actions(file_) <= actions(ws)

    # Unsaved edits are in the policy at once.
    start = position_of(HANDLER, "get_object(Bucket=BUCKET")
    change_doc(vscode, uri, 2, start, types.Position(line=start.line, character=start.character + 3), "put")
    edited = await execute(vscode, "iamlens.generatePolicy", {"scope": "file", "uri": uri})
    assert "s3:PutObject" in actions(edited)
    # get_object is still called in fetch_dynamic, so GetObject stays, now only on the dynamic bucket.
    assert "arn:aws:s3:::my-data-bucket/config/settings.json" in resources(edited)


@pytest.mark.asyncio
async def test_explain_and_command_errors(vscode, workspace):
    uri = open_doc(vscode, workspace / "app" / "handler.py", HANDLER)
    at = position_of(HANDLER, "get_object(Bucket=BUCKET")
    out = await execute(vscode, "iamlens.explain", {"uri": uri, "position": {"line": at.line, "character": at.character + 1}})
    call = out["Calls"][0]
    assert (call["Service"], call["Operation"]) == ("s3", "GetObject")
    assert call["Actions"][0]["Action"] == "s3:GetObject"
    assert "arn:aws:s3:::my-data-bucket/config/settings.json" in call["Actions"][0]["Resources"]

    with pytest.raises(Exception, match="scope"):
        await execute(vscode, "iamlens.generatePolicy", {"scope": "galaxy"})
    with pytest.raises(Exception, match="unknown command"):
        await execute(vscode, "iamlens.nope", {})
    with pytest.raises(Exception, match="not open"):
        await execute(vscode, "iamlens.explain", {"uri": (workspace / "worker.py").as_uri(), "position": {"line": 0, "character": 0}})
    with pytest.raises(Exception, match="message"):
        await execute(vscode, "iamlens.fixAccessDenied", {"message": "  "})


@pytest.mark.asyncio
async def test_settings_change_rebinds_arns_and_refreshes_when_supported(vscode, workspace):
    uri = open_doc(vscode, workspace / "app" / "handler.py", HANDLER)
    line = position_of(HANDLER, "table.get_item").line
    before = tooltip_text(hint_on(await inlay_hints(vscode, uri), line))
    assert "arn:aws:dynamodb:*:*:table/users" in before
    vscode.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"iamlens": {"region": "eu-west-1", "account": "111122223333"}}))
    await wait_for(lambda: vscode.recorder.inlay_hint_refresh >= 1, what="inlay hint refresh")
    await wait_for(lambda: vscode.recorder.code_lens_refresh >= 1, what="code lens refresh")
    after = tooltip_text(hint_on(await inlay_hints(vscode, uri), line))
    assert "arn:aws:dynamodb:eu-west-1:111122223333:table/users" in after
    # Inlay hints off: none; code lenses stay.
    vscode.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"inlayHints": {"enable": False}}))
    await wait_for(lambda: vscode.recorder.inlay_hint_refresh >= 2, what="second refresh")
    assert await inlay_hints(vscode, uri) == []


@pytest.mark.asyncio
async def test_neovim_gets_no_code_lens_refresh_and_initialization_options_apply(iamlens_bin, workspace):
    caps = client_capabilities("neovim@v0.11.0")
    client, recorder, result = await start_client(
        iamlens_bin, capabilities=caps, root=workspace,
        options={"iamlens": {"region": "us-west-2", "account": "123456789012"}})
    try:
        assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
        uri = open_doc(client, workspace / "app" / "handler.py", HANDLER)
        line = position_of(HANDLER, "table.get_item").line
        hints = await inlay_hints(client, uri)
        assert "arn:aws:dynamodb:us-west-2:123456789012:table/users" in tooltip_text(hint_on(hints, line))
        # UTF-8 columns when negotiated.
        get_line = position_of(HANDLER, "greeting").line
        text_line = HANDLER.splitlines()[get_line]
        end = text_line.index('Key="config/settings.json")') + len('Key="config/settings.json")')
        assert hint_on(hints, get_line).position.character == len(text_line[:end].encode())
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"region": "eu-north-1"}))
        await wait_for(lambda: recorder.inlay_hint_refresh >= 1, what="inlay hint refresh")
        assert recorder.code_lens_refresh == 0
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_indexing_reports_work_done_progress(iamlens_bin, workspace):
    caps = client_capabilities("visual-studio-code")
    client, _, _ = await start_client(iamlens_bin, capabilities=caps, root=workspace)
    try:
        await wait_for_index(client)
        await wait_for(lambda: any(
            any(isinstance(v, types.WorkDoneProgressEnd) for v in values) for values in client.progress_reports.values()),
            what="progress end")
        values = next(iter(client.progress_reports.values()))
        assert isinstance(values[0], types.WorkDoneProgressBegin)
        assert "index" in values[0].title
        end = values[-1]
        assert isinstance(end, types.WorkDoneProgressEnd) and "3 use AWS" in end.message
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_no_inlay_hint_refresh_for_a_client_that_cannot_take_it(iamlens_bin, workspace):
    # VS Code 1.65 supports code-lens refresh but predates inlay-hint refresh.
    client, recorder, _ = await start_client(iamlens_bin, capabilities=client_capabilities("visual-studio-code@v1.65.2"), root=workspace)
    try:
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"iamlens": {"account": "123456789012"}}))
        await wait_for(lambda: recorder.code_lens_refresh >= 1, what="code lens refresh")
        assert recorder.inlay_hint_refresh == 0
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_watched_file_events_and_saves_keep_the_workspace_policy_current(vscode, workspace):
    def actions(envelope) -> set[str]:
        return {a for p in envelope["Policies"] for st in p["Policy"]["Statement"]
                for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}

    assert "lambda:InvokeFunction" not in actions(await execute(vscode, "iamlens.generatePolicy", {"scope": "workspace"}))
    new_file = workspace / "invoker.py"
    new_file.write_text("import boto3\n\nboto3.client('lambda').invoke(FunctionName='resize')\n")
    vscode.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=new_file.as_uri(), type=types.FileChangeType.Created)]))
    async def has(action: str) -> bool:
        return action in actions(await execute(vscode, "iamlens.generatePolicy", {"scope": "workspace"}))
    for _ in range(100):
        if await has("lambda:InvokeFunction"):
            break
    assert await has("lambda:InvokeFunction")

    new_file.unlink()
    vscode.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=new_file.as_uri(), type=types.FileChangeType.Deleted)]))
    for _ in range(100):
        if not await has("lambda:InvokeFunction"):
            break
    assert not await has("lambda:InvokeFunction")


@pytest.mark.asyncio
async def test_mcp_endpoint_starts_from_settings_and_its_discovery_file_goes_with_the_server(iamlens_bin, workspace):
    import json as _json

    client, _, _ = await start_client(iamlens_bin, root=workspace, options={"iamlens": {"mcp": {"enable": True}}})
    discovery = workspace / ".iamlens" / "mcp.json"
    try:
        await wait_for(discovery.exists, what="MCP discovery file")
        record = _json.loads(discovery.read_text())
        assert record["url"].startswith("http://127.0.0.1:") and record["url"].endswith("/mcp")
        await wait_for(lambda: any(record["url"] in m.message for m in client.log_messages), what="endpoint URL in the log")
    finally:
        await client.shutdown_session()
    assert not discovery.exists()


@pytest.mark.asyncio
async def test_discovery_files_follow_workspace_folders_added_and_removed(iamlens_bin, workspace, tmp_path_factory):
    import json as _json

    client, _, _ = await start_client(iamlens_bin, root=workspace, options={"iamlens": {"mcp": {"enable": True}}})
    first = workspace / ".iamlens" / "mcp.json"
    second_root = tmp_path_factory.mktemp("second")
    (second_root / "jobs.py").write_text(WORKER)
    second = second_root / ".iamlens" / "mcp.json"
    try:
        await wait_for(first.exists, what="MCP discovery file")
        folder = types.WorkspaceFolder(uri=second_root.as_uri(), name="second")
        client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(added=[folder], removed=[])))
        await wait_for(second.exists, what="discovery file in the added folder")
        assert _json.loads(second.read_text())["url"] == _json.loads(first.read_text())["url"]
        assert (second_root / ".iamlens" / ".gitignore").exists()
        client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(added=[], removed=[folder])))
        await wait_for(lambda: not second.exists(), what="discovery file gone from the removed folder")
        assert first.exists()
    finally:
        await client.shutdown_session()
    assert not first.exists()


@pytest.mark.asyncio
async def test_kms_via_service_actions_follow_the_setting(iamlens_bin, workspace):
    client, recorder, _ = await start_client(iamlens_bin, capabilities=modern_vscode(), root=workspace)
    try:
        uri = open_doc(client, workspace / "app" / "handler.py", HANDLER)
        line = position_of(HANDLER, "greeting").line
        hint = hint_on(await inlay_hints(client, uri), line)
        tip = tooltip_text(hint)
        assert "`kms:Decrypt`" in tip and "kms:ViaService" in tip and "s3.*.amazonaws.com" in tip
        listed = set(re.findall(r"^- `([^`]+)`", tip, re.M))
        assert "s3:GetObject" in listed and len(listed) >= 2
        assert label_text(hint) == f"s3:GetObject +{len(listed) - 1}"
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"iamlens": {"kmsViaService": False}}))
        await wait_for(lambda: recorder.inlay_hint_refresh >= 1, what="inlay hint refresh")
        hint = hint_on(await inlay_hints(client, uri), line)
        assert label_text(hint) == "s3:GetObject"
        assert "kms:" not in tooltip_text(hint)
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_typing_in_comments_and_docstrings_moves_hints_with_their_calls(vscode, workspace):
    text = HANDLER.replace("def handler(event, context):\n", 'def handler(event, context):\n    """Read the settings — über."""\n    # cache it\n')
    uri = open_doc(vscode, workspace / "app" / "handler.py", text)
    call_end = position_of(text, 'Key="config/settings.json")', end=True)
    assert (call_end.line, label_text(hint_on(await inlay_hints(vscode, uri), call_end.line))) == (call_end.line, "s3:GetObject")
    # Two new lines inside the docstring, then a word at the end of the comment.
    change_doc(vscode, uri, 2, position_of(text, "über"), position_of(text, "über"), "one\n    two\n    ")
    comment_end = position_of(text, "# cache it", end=True)
    comment_end.line += 2
    change_doc(vscode, uri, 3, comment_end, comment_end, " — for later 😀")
    edited = text.replace("über", "one\n    two\n    über").replace("# cache it", "# cache it — for later 😀")
    want = position_of(edited, 'Key="config/settings.json")', end=True)
    assert want.line == call_end.line + 2
    hints = await inlay_hints(vscode, uri)
    hint = hint_on(hints, want.line)
    assert (label_text(hint), hint.position.character) == ("s3:GetObject", want.character)
    assert "arn:aws:s3:::my-data-bucket/config/settings.json" in tooltip_text(hint)
    # Policies and lenses follow too.
    lenses = await vscode.text_document_code_lens_async(types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert position_of(edited, "def notify").line in {lens.range.start.line for lens in lenses}


@pytest.mark.asyncio
async def test_tooltips_come_from_inlay_hint_resolve_when_the_client_resolves_them(iamlens_bin, workspace):
    # Neovim 0.11 lists "tooltip" in inlayHint.resolveSupport: hints arrive without it.
    client, _, result = await start_client(iamlens_bin, capabilities=client_capabilities("neovim@v0.11.0"), root=workspace)
    try:
        assert result.capabilities.inlay_hint_provider.resolve_provider is True
        await wait_for_index(client)
        uri = open_doc(client, workspace / "app" / "handler.py", HANDLER)
        line = position_of(HANDLER, "table.get_item").line
        lazy = hint_on(await inlay_hints(client, uri, resolve=False), line)
        assert lazy.tooltip is None and label_text(lazy).startswith("dynamodb:GetItem")
        resolved = await client.inlay_hint_resolve_async(lazy)
        assert "`dynamodb:GetItem`" in tooltip_text(resolved) and "table/users" in tooltip_text(resolved)
        assert label_text(resolved) == label_text(lazy) and resolved.position == lazy.position

        # A hint from before an edit is returned as it was: no tooltip from another version.
        start = position_of(HANDLER, "def handler")
        change_doc(client, uri, 2, start, start, "# moved\n")
        await inlay_hints(client, uri, resolve=False)
        stale = await client.inlay_hint_resolve_async(lazy)
        assert stale.tooltip is None
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_typing_an_unclosed_paren_keeps_viewport_hints_and_refreshes_once_settled(vscode, workspace):
    # A long module: the viewport (the first function) is a small part of it.
    filler = "".join(f"\n\ndef extra_{i}(key):\n    return s3.head_object(Bucket=BUCKET, Key=key)\n" for i in range(40))
    text = HANDLER + filler
    uri = open_doc(vscode, workspace / "app" / "handler.py", text)
    get_line = position_of(text, "get_object(Bucket=BUCKET").line
    viewport = get_line + 3
    assert label_text(hint_on(await inlay_hints(vscode, uri, viewport), get_line)) == "s3:GetObject"
    refreshes = vscode.recorder.inlay_hint_refresh
    # "(" typed in notify(): everything after it stops parsing until it is closed.
    at = position_of(text, "make_queue_client()")
    change_doc(vscode, uri, 2, at, at, "(")
    hint = hint_on(await inlay_hints(vscode, uri, viewport), get_line)
    assert label_text(hint) == "s3:GetObject"
    assert "arn:aws:s3:::my-data-bucket/config/settings.json" in tooltip_text(hint)
    # The whole-file analysis that follows parses afresh; the client is told to fetch hints again.
    await wait_for(lambda: vscode.recorder.inlay_hint_refresh > refreshes, what="inlay hint refresh once settled")
    last_line = position_of(text, "def extra_39").line + 1
    settled = await inlay_hints(vscode, uri)
    assert label_text(hint_on(settled, get_line)) == "s3:GetObject"
    assert last_line not in {h.position.line for h in settled}, "calls after the unclosed paren do not parse"
    # Closing it brings every call back, in the viewport and in the whole file.
    closing = types.Position(line=at.line, character=at.character + 1 + len("make_queue_client()"))
    change_doc(vscode, uri, 3, closing, closing, ")")
    assert label_text(hint_on(await inlay_hints(vscode, uri, viewport), get_line)) == "s3:GetObject"
    # (HeadObject is authorized as s3:GetObject.)
    assert label_text(hint_on(await inlay_hints(vscode, uri), last_line)) == "s3:GetObject"


@pytest.mark.asyncio
async def test_viewport_hints_after_an_edit_equal_the_whole_file_hints_there(vscode, workspace):
    # The viewport after an edit comes from an analysis of the statements in
    # view only; it must say exactly what the whole-file analysis says there.
    filler = "".join(f"\n\ndef extra_{i}(key):\n    return s3.put_object(Bucket=BUCKET, Key=f'x/{i}/{{key}}', Body=b'')\n" for i in range(40))
    text = HANDLER + filler
    uri = open_doc(vscode, workspace / "app" / "handler.py", text)
    await inlay_hints(vscode, uri)
    # Change a bucket name the viewport's calls read, inside one function.
    at = position_of(text, "def extra_20")
    at = types.Position(line=at.line + 1, character=len("    return s3.put_object(Bucket="))
    change_doc(vscode, uri, 2, at, types.Position(line=at.line, character=at.character + len("BUCKET")), "'other-bucket'")
    first, last = at.line - 12, at.line + 12
    result = await vscode.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=first, character=0), end=types.Position(line=last, character=0))))
    viewport = [await vscode.inlay_hint_resolve_async(h) for h in result]
    whole = [h for h in await inlay_hints(vscode, uri) if first <= h.position.line < last]  # the range ends at column 0 of `last`
    assert len(viewport) == len(whole) >= 6
    def key(h):
        return (h.position.line, h.position.character, label_text(h), tooltip_text(h))
    assert [key(h) for h in viewport] == [key(h) for h in whole]
    edited = next(h for h in viewport if h.position.line == at.line)
    assert "arn:aws:s3:::other-bucket/x/20/*" in tooltip_text(edited)
