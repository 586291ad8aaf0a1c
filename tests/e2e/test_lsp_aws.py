"""`iamlens lsp` against a local IAM (moto): the commands and the role check
that talk to AWS. Every test starts the server after `moto_endpoint`, so the
server process inherits the environment pointing it at moto."""
from __future__ import annotations

import json
import textwrap
import urllib.parse
from pathlib import Path

import pytest
from lsprotocol import types

from lsp_support import change_doc, execute, open_doc, position_of, start_client, wait_for, wait_for_index

ACCOUNT = "123456789012"  # moto's account
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

# KMS actions taken on the caller's behalf are off: one action per call.
OPTIONS = {"iamlens": {"kmsViaService": False}}


def document(raw) -> dict:
    """IAM (and moto) return policy documents URL-encoded; boto3 may have decoded them."""
    return raw if isinstance(raw, dict) else json.loads(urllib.parse.unquote(raw))


def statements(doc: dict) -> list:
    s = doc["Statement"]
    return s if isinstance(s, list) else [s]


def allow(action: str, resource: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


@pytest.fixture
def app_role(iam_client) -> str:
    iam_client.create_role(RoleName="app-role", AssumeRolePolicyDocument=TRUST)
    iam_client.put_role_policy(RoleName="app-role", PolicyName="read", PolicyDocument=allow("s3:GetObject", "arn:aws:s3:::reports/*"))
    return "app-role"


async def started(iamlens_bin, workspace, options=OPTIONS):
    client, recorder, _ = await start_client(iamlens_bin, root=workspace, options=options)
    client.recorder = recorder
    await wait_for_index(client)
    return client


WRITE = "Write to IAM"


def local_policies(iam_client, prefix: str) -> list[dict]:
    return [p for p in iam_client.list_policies(Scope="Local")["Policies"] if p["PolicyName"].startswith(prefix)]


def role_denials(client, uri) -> list[types.Diagnostic]:
    return [d for d in client.diagnostics.get(uri, []) if d.code == "role-denies"]


@pytest.mark.asyncio
async def test_upload_policy_writes_exactly_the_previewed_plan_once(iamlens_bin, moto_endpoint, iam_client, workspace):
    client = await started(iamlens_bin, workspace)
    try:
        uri = open_doc(client, workspace / "app.py", APP)
        dry = await execute(client, "iamlens.uploadPolicy", {"scope": "file", "uri": uri, "prefix": "LspTest", "dryRun": True})
        assert dry["Summary"] and dry["PlanId"] and "LspTest_1" in dry["Plan"] and ACCOUNT in dry["Plan"], dry
        assert not local_policies(iam_client, "LspTest")

        # The buffer changes after the preview: what is written is still what was shown.
        change_doc(client, uri, 2, position_of(APP, "def read_report"), position_of(APP, "def read_report"), "def extra():\n    s3.delete_bucket(Bucket='x')\n\n\n")
        done = await execute(client, "iamlens.uploadPolicy", {"scope": "file", "uri": uri, "prefix": "LspTest", "planId": dry["PlanId"]})
        assert not client.recorder.consent_requests, "the preview was the consent"
        [policy] = local_policies(iam_client, "LspTest")
        assert policy["PolicyName"] == "LspTest_1", done
        version = iam_client.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
        granted = {(s["Action"] if isinstance(s["Action"], str) else tuple(s["Action"])) for s in statements(document(version["PolicyVersion"]["Document"]))}
        flat = {a for g in granted for a in ([g] if isinstance(g, str) else g)}
        assert {"s3:GetObject", "sqs:SendMessage"} <= flat and "s3:DeleteBucket" not in flat

        # A plan is written once.
        with pytest.raises(Exception, match="already written"):
            await execute(client, "iamlens.uploadPolicy", {"scope": "file", "uri": uri, "prefix": "LspTest", "planId": dry["PlanId"]})
        assert len(local_policies(iam_client, "LspTest")) == 1
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_upload_policy_asks_the_person_and_writes_what_it_showed(iamlens_bin, moto_endpoint, iam_client, workspace):
    client = await started(iamlens_bin, workspace)
    try:
        client.recorder.consent_answer = WRITE
        uri = open_doc(client, workspace / "app.py", APP)
        out = await execute(client, "iamlens.uploadPolicy", {"scope": "file", "uri": uri})
        [request] = client.recorder.consent_requests
        # One default prefix everywhere: the CLI's.
        assert "IamPolicyAutopilotGeneratedPolicy_1" in request.message, request.message
        assert [p["PolicyName"] for p in local_policies(iam_client, "IamPolicyAutopilotGeneratedPolicy")] == ["IamPolicyAutopilotGeneratedPolicy_1"], out
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_fix_access_denied_applies_once_to_the_roles_inline_policy(iamlens_bin, moto_endpoint, iam_client, app_role, workspace):
    client = await started(iamlens_bin, workspace)
    message = (
        "An error occurred (AccessDenied) when calling the SendMessage operation: "
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{app_role}/worker is not authorized to perform: "
        f'sqs:SendMessage on resource: "{QUEUE_ARN}" because no identity-based policy allows the sqs:SendMessage action'
    )
    try:
        plan = await execute(client, "iamlens.fixAccessDenied", {"message": message})
        assert "Applied" not in plan
        with pytest.raises(Exception):
            iam_client.get_role_policy(RoleName=app_role, PolicyName=f"iamlens-{app_role}")

        # Without consent nothing is written.
        refused = await execute(client, "iamlens.fixAccessDenied", {"message": message, "apply": True})
        assert refused["Written"] is False and len(client.recorder.consent_requests) == 1
        assert iam_client.list_role_policies(RoleName=app_role)["PolicyNames"] == ["read"]

        # The preview's plan, presented: applied without another question.
        first = await execute(client, "iamlens.fixAccessDenied", {"message": message, "apply": True, "planId": plan["PlanId"]})
        assert first["Applied"]["Changed"] is True and first["Applied"]["Created"] is True, first
        assert len(client.recorder.consent_requests) == 1
        client.recorder.consent_answer = WRITE
        again = await execute(client, "iamlens.fixAccessDenied", {"message": message, "apply": True})
        assert again["Applied"]["Changed"] is False, again
        assert len(client.recorder.consent_requests) == 2 and QUEUE_ARN in client.recorder.consent_requests[1].message

        doc = document(iam_client.get_role_policy(RoleName=app_role, PolicyName=f"iamlens-{app_role}")["PolicyDocument"])
        [stmt] = statements(doc)
        assert (stmt["Effect"], stmt["Action"], stmt["Resource"]) == ("Allow", "sqs:SendMessage", QUEUE_ARN)
        # The role's other inline policy is untouched.
        assert statements(document(iam_client.get_role_policy(RoleName=app_role, PolicyName="read")["PolicyDocument"]))[0]["Action"] == "s3:GetObject"
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_role_setting_flags_denied_calls_and_the_add_to_policy_action_clears_them(iamlens_bin, moto_endpoint, iam_client, app_role, workspace):
    client = await started(iamlens_bin, workspace, {"iamlens": {"kmsViaService": False, "role": app_role}})
    try:
        uri = open_doc(client, workspace / "app.py", APP)
        await wait_for(lambda: role_denials(client, uri), what="role-denies diagnostics")
        [denied] = role_denials(client, uri)
        # The call the role's policy allows has no diagnostic; the other names action and resource.
        assert denied.range.start.line == position_of(APP, "sqs.send_message").line
        assert "sqs:SendMessage" in denied.message and QUEUE_ARN in denied.message
        assert "app-role" in denied.message
        # What the check reads, and what it does not (which can still deny).
        assert "permissions boundary" in denied.message and "session policies are not read" in denied.message

        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=denied.range,
            context=types.CodeActionContext(diagnostics=[denied]),
        ))
        titles = [a.title for a in actions]
        preview = next(a for a in actions if a.title == f"Add sqs:SendMessage on {QUEUE_ARN} to a policy")
        confirmed = next(a for a in actions if a.title.endswith("(writes to IAM)"))
        assert "inline policy iamlens-app-role of role `app-role`" in confirmed.title, titles

        shown = await execute(client, preview.command.command, preview.command.arguments[0])
        statement = dict(shown["Statement"])
        sid = statement.pop("Sid")
        assert sid.startswith("IamlensSqsSendMessage") and sid.isalnum(), sid
        assert statement == {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": QUEUE_ARN}
        assert "apply" in shown["Confirm"] and "Applied" not in shown
        # Editors drop command results, so the statement is also shown to the user.
        await wait_for(lambda: any(f'"Sid":"{sid}"' in m.message for m in client.messages), what="the statement shown")
        with pytest.raises(Exception):
            iam_client.get_role_policy(RoleName=app_role, PolicyName=f"iamlens-{app_role}")
        assert role_denials(client, uri), "nothing was written, the denial stays"

        # The quick fix runs with one click in any client: the server asks first.
        client.recorder.consent_answer = "Cancel"
        declined = await execute(client, confirmed.command.command, confirmed.command.arguments[0])
        assert declined["Written"] is False
        assert iam_client.list_role_policies(RoleName=app_role)["PolicyNames"] == ["read"]
        client.recorder.consent_answer = WRITE
        applied = await execute(client, confirmed.command.command, confirmed.command.arguments[0])
        assert applied["Applied"]["Changed"] is True, applied
        assert "inline policy iamlens-app-role of role app-role" in client.recorder.consent_requests[-1].message
        doc = document(iam_client.get_role_policy(RoleName=app_role, PolicyName=f"iamlens-{app_role}")["PolicyDocument"])
        assert statements(doc) == [shown["Statement"]]
        # The role is read again (not from the cache): the diagnostic is gone.
        await wait_for(lambda: not role_denials(client, uri), what="the role-denies diagnostic to clear")

        again = await execute(client, confirmed.command.command, confirmed.command.arguments[0])
        assert again["Applied"]["Changed"] is False
        doc = document(iam_client.get_role_policy(RoleName=app_role, PolicyName=f"iamlens-{app_role}")["PolicyDocument"])
        assert len(statements(doc)) == 1
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_add_to_role_policy_refuses_bad_arguments_and_a_missing_role(iamlens_bin, moto_endpoint, iam_client, workspace):
    client = await started(iamlens_bin, workspace)
    try:
        with pytest.raises(Exception, match="no role given"):
            await execute(client, "iamlens.addToRolePolicy", {"action": "s3:GetObject", "resources": ["*"]})
        with pytest.raises(Exception, match="service:Action"):
            await execute(client, "iamlens.addToRolePolicy", {"action": "s3:*", "resources": ["*"], "role": "r"})
        client.recorder.consent_answer = WRITE
        with pytest.raises(Exception, match="cannot read role `ghost`"):
            await execute(client, "iamlens.addToRolePolicy", {"action": "s3:GetObject", "resources": ["*"], "role": "ghost", "apply": True})
        assert not iam_client.list_roles()["Roles"]
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_role_check_uses_the_configured_region_for_requested_region_conditions(iamlens_bin, moto_endpoint, iam_client, workspace):
    # S3 object ARNs carry no region: only the `region` setting says where the call goes.
    iam_client.create_role(RoleName="eu-app", AssumeRolePolicyDocument=TRUST)
    iam_client.put_role_policy(RoleName="eu-app", PolicyName="eu-only", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Action": ["s3:GetObject", "sqs:SendMessage"], "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
        }],
    }))
    client = await started(iamlens_bin, workspace, {"iamlens": {"kmsViaService": False, "role": "eu-app", "region": "us-east-1"}})
    try:
        uri = open_doc(client, workspace / "app.py", APP)
        get_line = position_of(APP, "s3.get_object").line
        await wait_for(lambda: any(d.range.start.line == get_line for d in role_denials(client, uri)), what="a denial of s3:GetObject in us-east-1")
        # The queue's ARN says us-east-1 whatever the setting: denied too.
        assert any("sqs:SendMessage" in d.message for d in role_denials(client, uri))

        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"iamlens": {"region": "eu-west-1"}}))
        await wait_for(lambda: not any(d.range.start.line == get_line for d in role_denials(client, uri)), what="s3:GetObject allowed in eu-west-1")
        assert [d for d in role_denials(client, uri) if "sqs:SendMessage" in d.message], "the queue stays in us-east-1"
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_check_role_command_decides_every_call_of_a_scope_read_only(iamlens_bin, moto_endpoint, iam_client, app_role, workspace):
    client = await started(iamlens_bin, workspace)
    try:
        uri = open_doc(client, workspace / "app.py", APP)
        # The file: the role's policy allows the report read, not the enqueue.
        out = await execute(client, "iamlens.checkRole", {"role": app_role, "scope": "file", "uri": uri})
        assert out["Role"] == f"arn:aws:iam::{ACCOUNT}:role/{app_role}"
        # Both directions, as `iamlens check --role`: the enqueue is missing, and
        # `reports/*` is broader than the one object the code reads.
        assert out["Summary"] == {"Allowed": 1, "Denied": 1, "Depends": 0, "Missing": 1, "Excess": 1}
        assert [(m["Action"], m["Line"]) for m in out["Missing"]] == [("sqs:SendMessage", position_of(APP, "sqs.send_message").line + 1)]
        [excess] = out["Excess"]
        assert excess["BroaderResources"] == [{"Granted": "arn:aws:s3:::reports/*", "Needed": ["arn:aws:s3:::reports/2024/summary.csv"]}], excess
        assert (out["Allowed"], "relative to the code that was read" in out["ExcessIsRelative"]) == ([], True)
        verdicts = {c["Call"].split("(")[0]: c["Verdict"] for c in out["Calls"]}
        assert verdicts == {"s3.get_object": "allowed", "sqs.send_message": "denied"}
        denied = next(c for c in out["Calls"] if c["Verdict"] == "denied")
        assert denied["Line"] == position_of(APP, "sqs.send_message").line + 1
        assert denied["Actions"][0]["Action"] == "sqs:SendMessage"
        assert out["Incomplete"] is None
        # One function, and the workspace (the index waited for), say the same of their calls.
        at = position_of(APP, "s3.get_object")
        # (The role by ARN, as the editors' prompts accept it.)
        one = await execute(client, "iamlens.checkRole", {"role": f"arn:aws:iam::{ACCOUNT}:role/{app_role}", "scope": "function", "uri": uri, "position": {"line": at.line, "character": at.character}})
        assert one["Summary"] == {"Allowed": 1, "Denied": 0, "Depends": 0, "Missing": 0, "Excess": 1}
        # Allow rules: given with the command, and the project's .iamlens.toml.
        excused = await execute(client, "iamlens.checkRole", {"role": app_role, "scope": "file", "uri": uri, "allow": ["s3:Get*"]})
        assert (excused["Summary"]["Excess"], excused["Allowed"]) == (0, ["s3:Get*"])
        (workspace / ".iamlens.toml").write_text('[check]\nallow = ["s3:GetObject"]\n')
        excused = await execute(client, "iamlens.checkRole", {"role": app_role, "scope": "file", "uri": uri})
        assert (excused["Summary"]["Excess"], excused["Allowed"]) == (0, ["s3:GetObject"])
        with pytest.raises(Exception, match='allow: "s3" is not an action glob'):
            await execute(client, "iamlens.checkRole", {"role": app_role, "scope": "file", "uri": uri, "allow": ["s3"]})
        (workspace / ".iamlens.toml").write_text('[check]\nallow = "s3:GetObject"\n')
        with pytest.raises(Exception, match=r"\.iamlens\.toml: \[check\] allow must be a list"):
            await execute(client, "iamlens.checkRole", {"role": app_role, "scope": "file", "uri": uri})
        (workspace / ".iamlens.toml").unlink()
        whole = await execute(client, "iamlens.checkRole", {"role": app_role})
        assert whole["Summary"]["Denied"] == 1 and whole["Summary"]["Allowed"] == 1
        # Nothing was written to the role.
        assert iam_client.list_role_policies(RoleName=app_role)["PolicyNames"] == ["read"]
        # No role anywhere, or one that does not exist: a clear refusal.
        with pytest.raises(Exception, match="no role given"):
            await execute(client, "iamlens.checkRole", {"scope": "file", "uri": uri})
        with pytest.raises(Exception, match="not a role ARN"):
            await execute(client, "iamlens.checkRole", {"role": "arn:aws:iam::1:user/bob", "scope": "file", "uri": uri})
        with pytest.raises(Exception, match="cannot read role `ghost`"):
            await execute(client, "iamlens.checkRole", {"role": "ghost", "scope": "file", "uri": uri})
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_a_call_allowed_only_under_a_condition_is_an_information_diagnostic(iamlens_bin, moto_endpoint, iam_client, workspace):
    iam_client.create_role(RoleName="vpc-role", AssumeRolePolicyDocument=TRUST)
    iam_client.put_role_policy(RoleName="vpc-role", PolicyName="vpc", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b"}}},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
        ],
    }))
    client = await started(iamlens_bin, workspace, {"iamlens": {"kmsViaService": False, "role": "vpc-role"}})
    try:
        uri = open_doc(client, workspace / "app.py", APP)
        depends = lambda: [d for d in client.diagnostics.get(uri, []) if d.code == "role-depends"]  # noqa: E731
        await wait_for(depends, what="role-depends diagnostics")
        [info] = depends()
        assert info.severity == types.DiagnosticSeverity.Information
        assert info.range.start.line == position_of(APP, "s3.get_object").line
        assert "only when a condition holds" in info.message and "aws:SourceVpce" in info.message
        assert "permissions boundary" in info.message and "session policies are not read" in info.message
        assert not role_denials(client, uri), "the other call is allowed outright"
    finally:
        await client.shutdown_session()
