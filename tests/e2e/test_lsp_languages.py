"""`iamlens lsp` on the languages besides Python: TypeScript (AWS SDK v3),
JavaScript (CommonJS, SDK v2) and Go (SDK v2), opened with their LSP language
ids as an editor opens them. Inlay hints, hover, code lenses, diagnostics,
the generatePolicy command and incremental edits, then a workspace mixing
Python, TypeScript and Go behind one workspace policy."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types

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

REPORTS_TS = textwrap.dedent(
    """\
    import { S3Client, GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";

    const s3 = new S3Client({});

    export async function getReport(key: string) {
      return s3.send(new GetObjectCommand({ Bucket: "reports", Key: key }));
    }

    export async function listReports() {
      return s3.send(new ListObjectsV2Command({ Bucket: "reports" }));
    }
    """
)

# A typo in the name of a v3 command: the command class does not exist in @aws-sdk/client-s3.
TYPO_COMMAND_TS = textwrap.dedent(
    """\
    import { S3Client, GetObjectCommandd } from "@aws-sdk/client-s3";

    const s3 = new S3Client({});

    export async function getReport(key: string) {
      return s3.send(new GetObjectCommandd({ Bucket: "reports", Key: key }));
    }
    """
)

# A typo in a method of the v3 aggregated client.
TYPO_METHOD_TS = textwrap.dedent(
    """\
    import { S3 } from "@aws-sdk/client-s3";

    const s3 = new S3({});

    export async function getReport(key: string) {
      return s3.getObjectt({ Bucket: "reports", Key: key });
    }
    """
)

QUEUE_JS = textwrap.dedent(
    """\
    const AWS = require("aws-sdk");

    const sqs = new AWS.SQS({ region: "us-east-1" });

    async function enqueue(body) {
      return sqs.sendMessage({ QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/jobs", MessageBody: body }).promise();
    }

    function ping() {
      return new AWS.SQS().sendMessage({ QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/jobs", MessageBody: "x" }).promise();
    }

    function fetchReport() {
      return new AWS.S3().getObjectt({ Bucket: "reports", Key: "daily.csv" }).promise();
    }

    module.exports = { enqueue, ping, fetchReport };
    """
)

REPORTS_GO = textwrap.dedent(
    """\
    package reports

    import (
    \t"context"

    \t"github.com/aws/aws-sdk-go-v2/aws"
    \t"github.com/aws/aws-sdk-go-v2/config"
    \t"github.com/aws/aws-sdk-go-v2/service/s3"
    )

    func Get(ctx context.Context, k string) (*s3.GetObjectOutput, error) {
    \tcfg, err := config.LoadDefaultConfig(ctx)
    \tif err != nil {
    \t\treturn nil, err
    \t}
    \tclient := s3.NewFromConfig(cfg)
    \treturn client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("reports"), Key: aws.String(k)})
    }

    func Put(ctx context.Context, client *s3.Client, k string, body []byte) error {
    \t_, err := client.PutObjectt(ctx, &s3.PutObjectInput{Bucket: aws.String("reports"), Key: aws.String(k)})
    \treturn err
    }
    """
)

# TypeScript without any AWS SDK: a `send` method and a `Command`-like class of its own.
PLAIN_TS = textwrap.dedent(
    """\
    class GetObjectCommand {
      constructor(readonly input: { Bucket: string; Key: string }) {}
    }

    const bus = { send: (message: unknown) => message };

    export function publish(key: string) {
      return bus.send(new GetObjectCommand({ Bucket: "reports", Key: key }));
    }
    """
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "package.json").write_text('{"name": "reports", "dependencies": {"@aws-sdk/client-s3": "^3.600.0"}}\n')
    (tmp_path / "go.mod").write_text("module example.com/reports\n\ngo 1.22\n")
    return tmp_path


@pytest_asyncio.fixture
async def editor(iamlens_bin, workspace):
    # KMS actions taken on the caller's behalf are off: one action per call.
    client, recorder, _ = await start_client(iamlens_bin, root=workspace, options={"iamlens": {"kmsViaService": False}})
    client.recorder = recorder  # type: ignore[attr-defined]
    await wait_for_index(client)
    yield client
    await client.shutdown_session()


def open_file(client, workspace: Path, name: str, text: str, language_id: str) -> str:
    path = workspace / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return open_doc(client, path, text, language_id=language_id)


def hints_by_line(hints) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for h in hints:
        out.setdefault(h.position.line, []).append(label_text(h))
    return out


def hint_on(hints, line: int):
    found = [h for h in hints if h.position.line == line]
    assert found, f"no hint on line {line}: {[(h.position.line, label_text(h)) for h in hints]}"
    assert len(found) == 1, [label_text(h) for h in found]
    return found[0]


def line_of(text: str, needle: str) -> int:
    return position_of(text, needle).line


def actions(envelope) -> set[str]:
    out: set[str] = set()
    for policy in envelope["Policies"]:
        for st in policy["Policy"]["Statement"]:
            acts = st["Action"]
            out.update([acts] if isinstance(acts, str) else acts)
    return out


def resources(envelope) -> set[str]:
    out: set[str] = set()
    for policy in envelope["Policies"]:
        for st in policy["Policy"]["Statement"]:
            res = st["Resource"]
            out.update([res] if isinstance(res, str) else res)
    return out


async def hover(client, uri: str, at: types.Position):
    return await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=at))


async def lenses(client, uri: str):
    return await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))) or []


async def diagnostics(client, uri: str, code: str):
    await wait_for(lambda: any(d.code == code for d in client.diagnostics.get(uri, [])), what=f"a {code} diagnostic")
    return [d for d in client.diagnostics[uri] if d.code == code]


# --- TypeScript (SDK v3) ---------------------------------------------------------


@pytest.mark.asyncio
async def test_typescript_hints_name_each_commands_action_at_the_end_of_the_send(editor, workspace):
    uri = open_file(editor, workspace, "src/reports.ts", REPORTS_TS, "typescript")
    hints = await inlay_hints(editor, uri)
    get_line = line_of(REPORTS_TS, "new GetObjectCommand")
    list_line = line_of(REPORTS_TS, "new ListObjectsV2Command")
    assert hints_by_line(hints) == {get_line: ["s3:GetObject"], list_line: ["s3:ListBucket"]}
    get = hint_on(hints, get_line)
    assert get.position.character == utf16_col(REPORTS_TS.splitlines()[get_line], "Key: key }))", end=True)
    assert "arn:aws:s3:::reports/*" in tooltip_text(get)
    assert "arn:aws:s3:::reports" in tooltip_text(hint_on(hints, list_line))


@pytest.mark.asyncio
async def test_typescript_hover_on_the_send_explains_the_action_and_its_arn(editor, workspace):
    uri = open_file(editor, workspace, "src/reports.ts", REPORTS_TS, "typescript")
    at = position_of(REPORTS_TS, "send(new GetObjectCommand")
    found = await hover(editor, uri, types.Position(line=at.line, character=at.character + 2))
    assert found is not None
    value = found.contents.value
    assert "s3:GetObject" in value and "Read" in value
    assert "arn:aws:s3:::reports/*" in value
    assert "${BucketName}" in value  # the ARN template it was bound from
    assert found.range.start.line == at.line
    # Away from any call (the import line): nothing.
    assert await hover(editor, uri, types.Position(line=0, character=3)) is None


@pytest.mark.asyncio
async def test_typescript_code_lens_per_function(editor, workspace):
    uri = open_file(editor, workspace, "src/reports.ts", REPORTS_TS, "typescript")
    found = await lenses(editor, uri)
    by_line = {lens.range.start.line: lens.command for lens in found if lens.command.arguments[0]["scope"] == "function"}
    get_fn = line_of(REPORTS_TS, "export async function getReport")
    list_fn = line_of(REPORTS_TS, "export async function listReports")
    assert set(by_line) == {get_fn, list_fn}, found
    for command in by_line.values():
        assert command.title == "IAM: 1 action · 1 service"
        assert command.command == "iamlens.generatePolicy"
    fn = await execute(editor, "iamlens.generatePolicy", by_line[list_fn].arguments[0])
    assert actions(fn) == {"s3:ListBucket"}
    assert resources(fn) == {"arn:aws:s3:::reports"}


@pytest.mark.asyncio
async def test_typescript_generate_policy_for_the_file_binds_the_bucket(editor, workspace):
    uri = open_file(editor, workspace, "src/reports.ts", REPORTS_TS, "typescript")
    envelope = await execute(editor, "iamlens.generatePolicy", {"scope": "file", "uri": uri})
    assert actions(envelope) == {"s3:GetObject", "s3:ListBucket"}
    assert resources(envelope) == {"arn:aws:s3:::reports/*", "arn:aws:s3:::reports"}
    assert envelope["Policies"][0]["Policy"]["Version"] == "2012-10-17"
    at = position_of(REPORTS_TS, "s3.send(new GetObjectCommand")
    explained = await execute(editor, "iamlens.explain", {"uri": uri, "position": {"line": at.line, "character": at.character + 4}})
    call = explained["Calls"][0]
    assert (call["Service"], call["Operation"]) == ("s3", "GetObject")


@pytest.mark.asyncio
async def test_typescript_edits_to_the_bucket_literal_update_the_hints(editor, workspace):
    uri = open_file(editor, workspace, "src/reports.ts", REPORTS_TS, "typescript")
    get_line = line_of(REPORTS_TS, "new GetObjectCommand")
    assert "arn:aws:s3:::reports/*" in tooltip_text(hint_on(await inlay_hints(editor, uri), get_line))
    # Typing one character at a time inside "reports": "reports" → "reports-2".
    closing = position_of(REPORTS_TS, 'Bucket: "reports"', end=True)
    at = types.Position(line=closing.line, character=closing.character - 1)
    change_doc(editor, uri, 2, at, at, "-")
    at2 = types.Position(line=at.line, character=at.character + 1)
    change_doc(editor, uri, 3, at2, at2, "2")
    hint = hint_on(await inlay_hints(editor, uri), get_line)
    assert label_text(hint) == "s3:GetObject"
    assert "arn:aws:s3:::reports-2/*" in tooltip_text(hint)
    edited = REPORTS_TS.splitlines()[get_line].replace('"reports"', '"reports-2"')
    assert hint.position.character == utf16_col(edited, "Key: key }))", end=True)
    envelope = await execute(editor, "iamlens.generatePolicy", {"scope": "file", "uri": uri})
    assert "arn:aws:s3:::reports-2/*" in resources(envelope)
    # The other command's bucket did not change.
    assert "arn:aws:s3:::reports" in resources(envelope)


@pytest.mark.asyncio
async def test_typescript_typo_in_a_client_method_is_an_error_with_the_right_name(editor, workspace):
    uri = open_file(editor, workspace, "src/typo.ts", TYPO_METHOD_TS, "typescript")
    [unknown] = await diagnostics(editor, uri, "unknown-method")
    assert unknown.severity == types.DiagnosticSeverity.Error
    assert "getObjectt" in unknown.message and "getObject" in unknown.message.replace("getObjectt", "")
    assert unknown.range.start == position_of(TYPO_METHOD_TS, "getObjectt")
    assert await inlay_hints(editor, uri) == []


@pytest.mark.asyncio
async def test_typescript_typo_in_a_command_class_is_an_unknown_method_error(editor, workspace):
    uri = open_file(editor, workspace, "src/typo.ts", TYPO_COMMAND_TS, "typescript")
    await wait_for(lambda: uri in editor.diagnostics, what="diagnostics for typo.ts")
    unknown = [d for d in editor.diagnostics[uri] if d.code == "unknown-method"]
    assert len(unknown) == 1, [(d.code, d.message) for d in editor.diagnostics[uri]]
    assert unknown[0].severity == types.DiagnosticSeverity.Error
    assert "GetObjectCommandd" in unknown[0].message
    assert "`GetObjectCommand`" in unknown[0].message


@pytest.mark.asyncio
async def test_a_typescript_file_without_the_aws_sdk_gets_no_hints(editor, workspace):
    uri = open_file(editor, workspace, "src/bus.ts", PLAIN_TS, "typescript")
    assert await inlay_hints(editor, uri) == []
    assert await lenses(editor, uri) == []
    envelope = await execute(editor, "iamlens.generatePolicy", {"scope": "file", "uri": uri})
    assert envelope["Policies"] == []
    await wait_for(lambda: uri in editor.diagnostics, what="diagnostics for bus.ts")
    assert list(editor.diagnostics[uri]) == []


@pytest.mark.asyncio
async def test_tsx_and_mts_files_are_read_as_typescript(editor, workspace):
    for name, language_id in (("src/Report.tsx", "typescriptreact"), ("src/report.mts", "typescript")):
        uri = open_file(editor, workspace, name, REPORTS_TS, language_id)
        labels = hints_by_line(await inlay_hints(editor, uri))
        assert labels == {line_of(REPORTS_TS, "new GetObjectCommand"): ["s3:GetObject"],
                          line_of(REPORTS_TS, "new ListObjectsV2Command"): ["s3:ListBucket"]}, name


@pytest.mark.asyncio
async def test_other_editors_language_ids_fall_back_to_the_files_extension(editor, workspace):
    # Helix names TSX `tsx` and Go `go`; an id the server does not know is read by extension.
    for name, language_id in (("src/View.tsx", "tsx"), ("src/report.ts", "ts"), ("lib/queue.cjs", "js")):
        text = QUEUE_JS if name.endswith(".cjs") else REPORTS_TS
        uri = open_file(editor, workspace, name, text, language_id)
        labels = {label for labels in hints_by_line(await inlay_hints(editor, uri)).values() for label in labels}
        assert labels == ({"sqs:SendMessage"} if name.endswith(".cjs") else {"s3:GetObject", "s3:ListBucket"}), name


# --- JavaScript (CommonJS, SDK v2) -----------------------------------------------


@pytest.mark.asyncio
async def test_javascript_commonjs_v2_hints_hover_lenses_and_policy(editor, workspace):
    uri = open_file(editor, workspace, "lib/queue.js", QUEUE_JS, "javascript")
    hints = await inlay_hints(editor, uri)
    enqueue_line = line_of(QUEUE_JS, "sqs.sendMessage(")
    ping_line = line_of(QUEUE_JS, "new AWS.SQS().sendMessage(")
    assert hints_by_line(hints) == {enqueue_line: ["sqs:SendMessage"], ping_line: ["sqs:SendMessage"]}
    assert "arn:aws:sqs:us-east-1:123456789012:jobs" in tooltip_text(hint_on(hints, ping_line))

    at = position_of(QUEUE_JS, "sendMessage(", occurrence=1)
    found = await hover(editor, uri, types.Position(line=at.line, character=at.character + 4))
    assert found is not None and "sqs:SendMessage" in found.contents.value
    assert "arn:aws:sqs:us-east-1:123456789012:jobs" in found.contents.value

    by_line = {lens.range.start.line: lens.command.title for lens in await lenses(editor, uri)}
    assert by_line[line_of(QUEUE_JS, "async function enqueue")] == "IAM: 1 action · 1 service"
    assert by_line[line_of(QUEUE_JS, "function ping")] == "IAM: 1 action · 1 service"
    assert line_of(QUEUE_JS, "function fetchReport") not in by_line, "a typo'd call grants nothing"

    envelope = await execute(editor, "iamlens.generatePolicy", {"scope": "file", "uri": uri})
    assert actions(envelope) == {"sqs:SendMessage"}
    assert resources(envelope) == {"arn:aws:sqs:us-east-1:123456789012:jobs"}


@pytest.mark.asyncio
async def test_javascript_typo_in_a_v2_method_is_an_error_with_the_right_name(editor, workspace):
    uri = open_file(editor, workspace, "lib/queue.js", QUEUE_JS, "javascript")
    [unknown] = await diagnostics(editor, uri, "unknown-method")
    assert unknown.severity == types.DiagnosticSeverity.Error
    assert "`getObjectt`" in unknown.message and "`getObject`" in unknown.message
    assert unknown.range.start == position_of(QUEUE_JS, "getObjectt")


# --- Go (SDK v2) ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_go_hints_hover_lens_and_policy(editor, workspace):
    uri = open_file(editor, workspace, "reports.go", REPORTS_GO, "go")
    hints = await inlay_hints(editor, uri)
    get_line = line_of(REPORTS_GO, "client.GetObject(")
    assert hints_by_line(hints) == {get_line: ["s3:GetObject"]}
    hint = hint_on(hints, get_line)
    assert hint.position.character == utf16_col(REPORTS_GO.splitlines()[get_line], "aws.String(k)})", end=True)
    assert "arn:aws:s3:::reports/*" in tooltip_text(hint)

    at = position_of(REPORTS_GO, "GetObject(ctx")
    found = await hover(editor, uri, types.Position(line=at.line, character=at.character + 3))
    assert found is not None
    assert "s3:GetObject" in found.contents.value and "arn:aws:s3:::reports/*" in found.contents.value
    assert found.range.start == at

    found_lenses = [lens for lens in await lenses(editor, uri) if lens.command.arguments[0]["scope"] == "function"]
    assert [(lens.range.start.line, lens.command.title) for lens in found_lenses] == [
        (line_of(REPORTS_GO, "func Get("), "IAM: 1 action · 1 service")
    ]

    envelope = await execute(editor, "iamlens.generatePolicy", {"scope": "file", "uri": uri})
    assert actions(envelope) == {"s3:GetObject"}
    assert resources(envelope) == {"arn:aws:s3:::reports/*"}


@pytest.mark.asyncio
async def test_go_typo_in_an_operation_is_an_error_with_the_right_name(editor, workspace):
    uri = open_file(editor, workspace, "reports.go", REPORTS_GO, "go")
    [unknown] = await diagnostics(editor, uri, "unknown-method")
    assert unknown.severity == types.DiagnosticSeverity.Error
    assert "`PutObjectt`" in unknown.message and "`PutObject`" in unknown.message
    assert unknown.range.start == position_of(REPORTS_GO, "PutObjectt")


@pytest.mark.asyncio
async def test_go_edits_fix_the_typo_and_change_the_bucket(editor, workspace):
    uri = open_file(editor, workspace, "reports.go", REPORTS_GO, "go")
    await diagnostics(editor, uri, "unknown-method")
    # Delete the extra "t" of PutObjectt: the call now needs s3:PutObject.
    typo_end = position_of(REPORTS_GO, "PutObjectt", end=True)
    change_doc(editor, uri, 2, types.Position(line=typo_end.line, character=typo_end.character - 1), typo_end, "")
    put_line = typo_end.line
    hints = await inlay_hints(editor, uri)
    assert hints_by_line(hints).get(put_line) == ["s3:PutObject"], hints_by_line(hints)
    # Type in the GetObject call's bucket literal: "reports" → "reportsx".
    get_bucket = position_of(REPORTS_GO, 'aws.String("reports")', end=True)
    at = types.Position(line=get_bucket.line, character=get_bucket.character - 2)
    change_doc(editor, uri, 3, at, at, "x")
    hint = hint_on(await inlay_hints(editor, uri), get_bucket.line)
    assert label_text(hint) == "s3:GetObject"
    assert "arn:aws:s3:::reportsx/*" in tooltip_text(hint)
    await wait_for(lambda: not any(d.code == "unknown-method" for d in editor.diagnostics.get(uri, [])),
                   what="the typo's diagnostic to go")
    envelope = await execute(editor, "iamlens.generatePolicy", {"scope": "file", "uri": uri})
    assert actions(envelope) == {"s3:GetObject", "s3:PutObject"}
    assert {"arn:aws:s3:::reportsx/*", "arn:aws:s3:::reports/*"} <= resources(envelope)


# --- a workspace mixing languages ------------------------------------------------

APP_PY = textwrap.dedent(
    """\
    import boto3

    table = boto3.client("dynamodb")


    def order(order_id):
        return table.get_item(TableName="orders", Key={"id": {"S": order_id}})
    """
)

NOTIFY_GO = textwrap.dedent(
    """\
    package notify

    import (
    \t"context"

    \t"github.com/aws/aws-sdk-go-v2/aws"
    \t"github.com/aws/aws-sdk-go-v2/service/sns"
    )

    func Alert(ctx context.Context, client *sns.Client, msg string) error {
    \t_, err := client.Publish(ctx, &sns.PublishInput{
    \t\tTopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:alerts"),
    \t\tMessage:  aws.String(msg),
    \t})
    \treturn err
    }
    """
)


@pytest.mark.asyncio
async def test_workspace_policy_covers_python_typescript_and_go_files(iamlens_bin, workspace):
    (workspace / "app.py").write_text(APP_PY)
    (workspace / "web").mkdir()
    (workspace / "web" / "reports.ts").write_text(REPORTS_TS)
    (workspace / "notify").mkdir()
    (workspace / "notify" / "alert.go").write_text(NOTIFY_GO)
    client, _, _ = await start_client(
        iamlens_bin, root=workspace, options={"iamlens": {"kmsViaService": False, "region": "us-east-1", "account": "123456789012"}})
    try:
        await wait_for_index(client)
        # None of the files is open: the workspace policy comes from the index.
        envelope = await execute(client, "iamlens.generatePolicy", {"scope": "workspace"})
        assert actions(envelope) == {"dynamodb:GetItem", "s3:GetObject", "s3:ListBucket", "sns:Publish"}
        assert {
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            "arn:aws:s3:::reports/*",
            "arn:aws:s3:::reports",
            "arn:aws:sns:us-east-1:123456789012:alerts",
        } == resources(envelope)
        assert not [w for w in envelope["Warnings"] if w["Kind"] == "IndexIncomplete"]

        # An unsaved edit to the open TypeScript file is in the workspace policy at once.
        uri = open_doc(client, workspace / "web" / "reports.ts", REPORTS_TS, language_id="typescript")
        # ListObjectsV2Command → DeleteBucketCommand, in the call and then in the import.
        for version, occurrence in ((2, 1), (3, 0)):
            start = position_of(REPORTS_TS, "ListObjectsV2Command", occurrence=occurrence)
            end = position_of(REPORTS_TS, "ListObjectsV2Command", occurrence=occurrence, end=True)
            change_doc(client, uri, version, start, end, "DeleteBucketCommand")
        edited = await execute(client, "iamlens.generatePolicy", {"scope": "workspace"})
        assert actions(edited) == {"dynamodb:GetItem", "s3:GetObject", "s3:DeleteBucket", "sns:Publish"}
    finally:
        await client.shutdown_session()


REPORTS_JAVA = """\
package com.acme.reports;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.sqs.SqsClient;

public class ReportReader {
    private final S3Client s3 = S3Client.create();
    private final SqsClient sqs = SqsClient.create();

    public byte[] read(String key) {
        return s3.getObjectAsBytes(GetObjectRequest.builder().bucket("reports").key(key).build()).asByteArray();
    }

    public void announce(String key) {
        sqs.sendMessag(r -> r.queueUrl("https://sqs.us-east-1.amazonaws.com/123456789012/jobs").messageBody(key));
    }
}
"""


@pytest.mark.asyncio
async def test_java_hints_lens_typo_and_policy(editor, workspace):
    uri = open_file(editor, workspace, "ReportReader.java", REPORTS_JAVA, "java")
    hints = await inlay_hints(editor, uri)
    read_line = line_of(REPORTS_JAVA, "s3.getObjectAsBytes(")
    assert hints_by_line(hints).get(read_line) == ["s3:GetObject"], hints_by_line(hints)
    assert "arn:aws:s3:::reports/*" in tooltip_text(hint_on(hints, read_line))

    found_lenses = [lens for lens in await lenses(editor, uri) if lens.command.arguments[0]["scope"] == "function"]
    assert (line_of(REPORTS_JAVA, "public byte[] read("), "IAM: 1 action · 1 service") in [
        (lens.range.start.line, lens.command.title) for lens in found_lenses
    ]

    [unknown] = await diagnostics(editor, uri, "unknown-method")
    assert "`sendMessag`" in unknown.message and "`sendMessage`" in unknown.message

    envelope = await execute(editor, "iamlens.generatePolicy", {"scope": "file", "uri": uri})
    assert actions(envelope) == {"s3:GetObject"}
    assert resources(envelope) == {"arn:aws:s3:::reports/*"}
