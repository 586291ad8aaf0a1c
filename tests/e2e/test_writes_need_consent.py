"""Every path that writes to IAM, in one place, against moto's IAM (which keeps
what was written; read back through boto3, documents URL-decoded).

The write paths: the language server's `iamlens.uploadPolicy` (the server asks,
or a dry run's plan id is presented), its quick fix `iamlens.addToRolePolicy`,
its `iamlens.fixAccessDenied`, the CLI's `generate-policies --upload-policies`
and `fix-access-denied --yes`, and MCP's `fix_access_denied` in both protocol
eras (standalone, and served by the language server). For each, three cells:

- without consent (a dismissed or cancelled request, a preview, no terminal,
  a declined elicitation) nothing is written;
- with consent exactly the document the person was shown is written, and
  nothing else;
- against another account than the configured one (`account` setting, `-a`,
  `Account`) nothing is written, and the message names both accounts.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import textwrap
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
from lsprotocol import types

from lsp_support import change_doc, execute, open_doc, position_of, start_client, wait_for, wait_for_index
from test_mcp import answering, check_structured, stdio_client_with_env, tool_schemas

ACCOUNT = "123456789012"  # moto's account: the caller's
OTHER = "111122223333"  # the account the settings name in the wrong-account cells
ROLE = "app-role"
INLINE = ("inline policy", f"role/{ROLE}", f"iamlens-{ROLE}")
PREFIX = "ConsentTest"
TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})
QUEUE_URL = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"

APP = textwrap.dedent(
    f"""\
    import boto3

    s3 = boto3.client("s3")
    sqs = boto3.client("sqs")


    def read_report():
        return s3.get_object(Bucket="reports", Key="2024/summary.csv")


    def enqueue(body):
        sqs.send_message(QueueUrl="{QUEUE_URL}", MessageBody=body)
    """
)

DENIAL = (
    "An error occurred (AccessDenied) when calling the SendMessage operation: "
    f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE}/worker is not authorized to perform: "
    f'sqs:SendMessage on resource: "{QUEUE_ARN}" because no identity-based policy allows the sqs:SendMessage action'
)

WRITE = "Write to IAM"
SCENARIOS = ["no-consent", "consent", "wrong-account"]


def document(raw) -> dict:
    """IAM (and moto) return policy documents URL-encoded; boto3 may have decoded them."""
    return raw if isinstance(raw, dict) else json.loads(urllib.parse.unquote(raw))


def iam_state(iam) -> dict:
    """Everything a write path could have changed: each managed policy's
    default document and version count, each inline policy, each attachment."""
    state: dict = {}
    for p in iam.list_policies(Scope="Local")["Policies"]:
        version = iam.get_policy_version(PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])["PolicyVersion"]
        state[("managed policy", p["PolicyName"])] = document(version["Document"])
        state[("versions of", p["PolicyName"])] = len(iam.list_policy_versions(PolicyArn=p["Arn"])["Versions"])
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            state[("inline policy", f"role/{name}", policy)] = document(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])
        state[("attached to", f"role/{name}")] = sorted(a["PolicyArn"] for a in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"])
    for user in iam.list_users()["Users"]:
        name = user["UserName"]
        for policy in iam.list_user_policies(UserName=name)["PolicyNames"]:
            state[("inline policy", f"user/{name}", policy)] = document(iam.get_user_policy(UserName=name, PolicyName=policy)["PolicyDocument"])
        state[("attached to", f"user/{name}")] = sorted(a["PolicyArn"] for a in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"])
    return state


def written(before: dict, after: dict) -> dict:
    """What a write path changed: new or changed entries (version counts aside)."""
    assert set(before) <= set(after), f"something was deleted: {set(before) - set(after)}"
    return {k: v for k, v in after.items() if before.get(k) != v and k[0] != "versions of"}


def inline(statement: dict) -> dict:
    """The inline policy a fix creates: the one statement it showed."""
    return {"Version": "2012-10-17", "Statement": [statement]}


def allow_lines(doc: dict) -> list[str]:
    """A policy's statements as the language server's upload request lists them."""
    def listed(v):
        return ", ".join(v) if isinstance(v, list) else v

    return [f"allow {listed(s['Action'])} on {listed(s['Resource'])}" for s in doc["Statement"]]


def statement_in(message: str, before: str, after: str) -> dict:
    """The JSON statement a consent message shows between `before` and `after`."""
    match = re.search(re.escape(before) + r"(\{.*\})" + re.escape(after), message, re.S)
    assert match, f"no statement in {message!r}"
    return json.loads(match.group(1))


@dataclass
class Seen:
    """What a write path showed (`shown`: the IAM entries it said it would
    write, with their documents) and the message it ended with."""

    shown: dict
    message: str


@dataclass
class Ctx:
    iamlens_bin: str
    iam: object
    workspace: Path


# --- the language server ------------------------------------------------------

def lsp_options(scenario: str, **extra) -> dict:
    options = {"kmsViaService": False, **extra}
    if scenario == "wrong-account":
        options["account"] = OTHER
    return {"iamlens": options}


async def lsp_client(ctx: Ctx, options: dict):
    client, recorder, _ = await start_client(ctx.iamlens_bin, root=ctx.workspace, options=options)
    client.recorder = recorder
    await wait_for_index(client)
    return client


async def lsp_upload_asked(ctx: Ctx, scenario: str) -> Seen:
    """`iamlens.uploadPolicy` without a plan: the server asks the person."""
    client = await lsp_client(ctx, lsp_options(scenario))
    try:
        uri = open_doc(client, ctx.workspace / "app.py", APP)
        args = {"scope": "file", "uri": uri, "prefix": PREFIX}
        client.recorder.consent_answer = WRITE
        if scenario == "wrong-account":
            with pytest.raises(Exception) as refused:
                await execute(client, "iamlens.uploadPolicy", args)
            assert not client.recorder.consent_requests, "refused before asking"
            return Seen({}, str(refused.value))
        generated = await execute(client, "iamlens.generatePolicy", {"scope": "file", "uri": uri})
        [policy] = generated["Policies"]
        client.recorder.consent_answer = WRITE if scenario == "consent" else None
        out = await execute(client, "iamlens.uploadPolicy", args)
        [request] = client.recorder.consent_requests
        assert [a.title for a in request.actions] == [WRITE, "Cancel"]
        assert f"would create {PREFIX}_1" in request.message and f"in account {ACCOUNT}" in request.message, request.message
        # Every statement is shown, as it is written.
        assert [line.strip() for line in request.message.splitlines() if line.strip().startswith("allow ")] == allow_lines(policy["Policy"])
        assert out.get("Written", True) is (scenario == "consent"), out
        return Seen({("managed policy", f"{PREFIX}_1"): policy["Policy"]}, json.dumps(out))
    finally:
        await client.shutdown_session()


async def lsp_upload_planned(ctx: Ctx, scenario: str) -> Seen:
    """`iamlens.uploadPolicy`: a dry run's plan id, presented later, writes the
    plan as previewed (the buffer edited in between changes nothing). The
    account is checked again when the plan is written."""
    client = await lsp_client(ctx, lsp_options("consent"))
    try:
        uri = open_doc(client, ctx.workspace / "app.py", APP)
        generated = await execute(client, "iamlens.generatePolicy", {"scope": "file", "uri": uri})
        [policy] = generated["Policies"]
        dry = await execute(client, "iamlens.uploadPolicy", {"scope": "file", "uri": uri, "prefix": PREFIX, "dryRun": True})
        assert f"would create {PREFIX}_1" in dry["Plan"] and f"in account {ACCOUNT}" in dry["Plan"], dry
        assert [line.strip() for line in dry["Plan"].splitlines() if line.strip().startswith("allow ")] == allow_lines(policy["Policy"])
        shown = {("managed policy", f"{PREFIX}_1"): policy["Policy"]}
        if scenario == "no-consent":
            return Seen(shown, dry["Plan"])
        at = position_of(APP, "def read_report")
        change_doc(client, uri, 2, at, at, "def extra():\n    s3.delete_bucket(Bucket='x')\n\n\n")
        if scenario == "wrong-account":
            # The person now says which account writes may go to: not this one.
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=lsp_options("wrong-account")))
            await asyncio.sleep(0.2)
            with pytest.raises(Exception) as refused:
                await execute(client, "iamlens.uploadPolicy", {"scope": "file", "uri": uri, "prefix": PREFIX, "planId": dry["PlanId"]})
            return Seen({}, str(refused.value))
        out = await execute(client, "iamlens.uploadPolicy", {"scope": "file", "uri": uri, "prefix": PREFIX, "planId": dry["PlanId"]})
        assert not client.recorder.consent_requests, "the preview was the consent"
        return Seen(shown, json.dumps(out))
    finally:
        await client.shutdown_session()


async def lsp_quick_fix(ctx: Ctx, scenario: str) -> Seen:
    """The `role-denies` quick fix "Add … to inline policy … (writes to IAM)"."""
    client = await lsp_client(ctx, lsp_options(scenario, role=ROLE))
    try:
        uri = open_doc(client, ctx.workspace / "app.py", APP)
        denials = lambda: [d for d in client.diagnostics.get(uri, []) if d.code == "role-denies"]  # noqa: E731
        await wait_for(denials, what="role-denies diagnostics")
        [denied] = denials()
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=denied.range,
            context=types.CodeActionContext(diagnostics=[denied]),
        ))
        [quick_fix] = [a for a in actions if a.title.endswith("(writes to IAM)")]
        client.recorder.consent_answer = "Cancel" if scenario == "no-consent" else WRITE
        if scenario == "wrong-account":
            with pytest.raises(Exception) as refused:
                await execute(client, quick_fix.command.command, quick_fix.command.arguments[0])
            assert not client.recorder.consent_requests, "refused before asking"
            return Seen({}, str(refused.value))
        out = await execute(client, quick_fix.command.command, quick_fix.command.arguments[0])
        [request] = client.recorder.consent_requests
        assert f"in account {ACCOUNT}" in request.message and f"role {ROLE}" in request.message, request.message
        statement = statement_in(request.message, "add ", " to inline policy")
        assert (statement["Action"], statement["Resource"]) == ("sqs:SendMessage", QUEUE_ARN)
        return Seen({INLINE: inline(statement)}, json.dumps(out))
    finally:
        await client.shutdown_session()


async def lsp_fix_access_denied(ctx: Ctx, scenario: str) -> Seen:
    """`iamlens.fixAccessDenied` with `apply`: the server asks the person."""
    client = await lsp_client(ctx, lsp_options(scenario))
    try:
        client.recorder.consent_answer = None if scenario == "no-consent" else WRITE
        if scenario == "wrong-account":
            with pytest.raises(Exception) as refused:
                await execute(client, "iamlens.fixAccessDenied", {"message": DENIAL, "apply": True})
            assert not client.recorder.consent_requests, "refused before asking"
            return Seen({}, str(refused.value))
        preview = await execute(client, "iamlens.fixAccessDenied", {"message": DENIAL})
        out = await execute(client, "iamlens.fixAccessDenied", {"message": DENIAL, "apply": True})
        [request] = client.recorder.consent_requests
        assert f"in account {ACCOUNT}" in request.message, request.message
        statement = statement_in(request.message, "add ", " to inline policy")
        assert inline(statement) == preview["ProposedPolicy"]
        return Seen({INLINE: inline(statement)}, json.dumps(out))
    finally:
        await client.shutdown_session()


# --- the CLI --------------------------------------------------------------------

def cli(ctx: Ctx, *args: str) -> subprocess.CompletedProcess:
    # No terminal: stdin is not one, so nothing can be confirmed by typing.
    return subprocess.run([ctx.iamlens_bin, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, env=os.environ.copy())


async def cli_upload(ctx: Ctx, scenario: str) -> Seen:
    """`generate-policies --upload-policies`: `--dry-run` is the preview; the
    upload without it is the consent."""
    app = str(ctx.workspace / "app.py")
    if scenario == "wrong-account":
        proc = cli(ctx, "generate-policies", app, "-r", "us-east-1", "-a", OTHER, "--upload-policies", PREFIX)
        assert proc.returncode == 1, proc.stderr
        assert f"your credentials are for account {ACCOUNT}, but --account says {OTHER}" in proc.stderr
        assert json.loads(proc.stdout)["Policies"], "the policies are still printed"
        return Seen({}, proc.stderr)
    dry = cli(ctx, "generate-policies", app, "-r", "us-east-1", "--upload-policies", PREFIX, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    preview = json.loads(dry.stdout)
    names = [p["Name"] for p in preview["UploadedPolicies"]["Policies"]]
    shown = {("managed policy", name): p["Policy"] for name, p in zip(names, preview["Policies"])}
    assert names == [f"{PREFIX}_1"] and f"would call iam:CreatePolicy {PREFIX}_1" in dry.stderr
    if scenario == "no-consent":
        return Seen(shown, dry.stderr)
    proc = cli(ctx, "generate-policies", app, "-r", "us-east-1", "--upload-policies", PREFIX)
    assert proc.returncode == 0, proc.stderr
    return Seen(shown, proc.stderr)


async def cli_fix(ctx: Ctx, scenario: str) -> Seen:
    """`fix-access-denied`: the plan is printed; only `--yes` (or a person at a
    terminal) applies it."""
    preview = cli(ctx, "fix-access-denied", DENIAL, "--json")
    assert preview.returncode == 0, preview.stderr
    shown = {INLINE: json.loads(preview.stdout)["ProposedPolicy"]}
    if scenario == "no-consent":
        assert "--yes" in preview.stderr
        return Seen(shown, preview.stderr)
    if scenario == "wrong-account":
        proc = cli(ctx, "fix-access-denied", DENIAL, "-a", OTHER, "--yes")
        assert proc.returncode == 1, proc.stderr
        return Seen({}, proc.stderr)
    proc = cli(ctx, "fix-access-denied", DENIAL, "--yes")
    assert proc.returncode == 0, proc.stderr
    return Seen(shown, proc.stderr)


# --- MCP ------------------------------------------------------------------------

async def mcp_fix(ctx: Ctx, scenario: str, mode: str) -> Seen:
    """`fix_access_denied`: elicitation asks the person (a server-to-client
    request in the session era, an input-required result in the stateless one)."""
    asked: list[str] = []
    answer = False if scenario == "no-consent" else True
    args = {"ErrorMessage": DENIAL, **({"Account": OTHER} if scenario == "wrong-account" else {})}
    async with stdio_client_with_env(ctx.iamlens_bin, mode, elicitation_callback=answering(answer, asked)) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool("fix_access_denied", args)
        if scenario == "wrong-account":
            assert result.is_error, result
            return Seen({}, " ".join(block.text for block in result.content))
        data = check_structured(result, tools["fix_access_denied"])
    [question] = asked
    assert f"role {ROLE}" in question and f"iamlens-{ROLE}" in question, question
    statement = statement_in(question, ":\n", "\nApply it now?")
    assert statement == data["Change"]["Statement"]
    assert data["Applied"] is (scenario == "consent"), data
    return Seen({INLINE: inline(statement)}, data["Message"])


async def mcp_fix_embedded(ctx: Ctx, scenario: str) -> Seen:
    """`fix_access_denied` on the endpoint a language server serves: the
    configured account is the editor's `iamlens.account` setting."""
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    editor = await lsp_client(ctx, lsp_options(scenario, mcp={"enable": True}))
    try:
        discovery = ctx.workspace / ".iamlens" / "mcp.json"
        await wait_for(lambda: discovery.exists() and discovery.read_text(), what="the MCP discovery file")
        endpoint = json.loads(discovery.read_text())
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {endpoint['token']}"})
        asked: list[str] = []
        answer = scenario != "no-consent"
        target = streamable_http_client(endpoint["url"], http_client=http)
        async with Client(target, mode="legacy", read_timeout_seconds=60, elicitation_callback=answering(answer, asked)) as client:
            tools = await tool_schemas(client)
            result = await client.call_tool("fix_access_denied", {"ErrorMessage": DENIAL})
            if scenario == "wrong-account":
                assert result.is_error, result
                return Seen({}, " ".join(block.text for block in result.content))
            data = check_structured(result, tools["fix_access_denied"])
    finally:
        await editor.shutdown_session()
    [question] = asked
    statement = statement_in(question, ":\n", "\nApply it now?")
    assert statement == data["Change"]["Statement"] and data["Applied"] is (scenario == "consent"), data
    return Seen({INLINE: inline(statement)}, data["Message"])


PATHS = {
    "lsp-upload-asked": lsp_upload_asked,
    "lsp-upload-plan": lsp_upload_planned,
    "lsp-quick-fix": lsp_quick_fix,
    "lsp-fix-access-denied": lsp_fix_access_denied,
    "cli-upload": cli_upload,
    "cli-fix-access-denied": cli_fix,
    "mcp-fix-legacy": lambda ctx, scenario: mcp_fix(ctx, scenario, "legacy"),
    "mcp-fix-2026-07-28": lambda ctx, scenario: mcp_fix(ctx, scenario, "2026-07-28"),
    "mcp-fix-in-the-editor": mcp_fix_embedded,
}


@pytest.fixture
def ctx(iamlens_bin, moto_endpoint, iam_client, tmp_path) -> Ctx:
    """A role whose own inline policy allows the report read, not the enqueue."""
    iam_client.create_role(RoleName=ROLE, AssumeRolePolicyDocument=TRUST)
    read = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}
    iam_client.put_role_policy(RoleName=ROLE, PolicyName="read", PolicyDocument=json.dumps(read))
    (tmp_path / "app.py").write_text(APP)
    return Ctx(iamlens_bin, iam_client, tmp_path)


@pytest.mark.asyncio
@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("path", list(PATHS))
async def test_writes_need_consent(ctx, path, scenario):
    before = iam_state(ctx.iam)
    seen = await PATHS[path](ctx, scenario)
    changed = written(before, iam_state(ctx.iam))
    if scenario == "consent":
        assert seen.shown, "the person was shown what would be written"
        # Exactly the shown documents, where they were said to go, and nothing else.
        assert changed == seen.shown, seen.message
    elif scenario == "no-consent":
        assert seen.shown, "the person was shown what would be written"
        assert changed == {}, seen.message
    else:
        assert changed == {}, seen.message
        assert OTHER in seen.message and ACCOUNT in seen.message, seen.message
        assert "nothing" in seen.message.lower(), seen.message
