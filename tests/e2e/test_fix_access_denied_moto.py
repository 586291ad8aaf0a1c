"""`iamlens fix-access-denied` applying fixes against a real local IAM (moto).

Each test arranges IAM state with boto3, runs the real binary with the
environment pointed at moto (AWS_ENDPOINT_URL, dummy credentials, one attempt
per request), and checks what IAM holds afterwards.
"""
from __future__ import annotations

import json
import os
import subprocess
import urllib.parse

import pytest

ACCOUNT = "123456789012"  # moto's account
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def implicit_identity(principal: str, action: str = "s3:GetObject", resource: str = "arn:aws:s3:::acme-reports/2024/summary.csv") -> str:
    return (
        f"An error occurred (AccessDenied) when calling the GetObject operation: User: {principal} "
        f'is not authorized to perform: {action} on resource: "{resource}" '
        f"because no identity-based policy allows the {action} action"
    )


def run(iamlens_bin: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [iamlens_bin, "fix-access-denied", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )


def document(raw) -> dict:
    """IAM (and moto) return policy documents URL-encoded; boto3 may have decoded them."""
    if isinstance(raw, dict):
        return raw
    return json.loads(urllib.parse.unquote(raw))


def statements(doc: dict) -> list:
    s = doc["Statement"]
    return s if isinstance(s, list) else [s]


@pytest.fixture
def role(iam_client):
    iam_client.create_role(RoleName="ReportsApp", AssumeRolePolicyDocument=TRUST)
    return "ReportsApp"


def test_applies_to_the_role_of_an_assumed_role_session(iamlens_bin, iam_client, role):
    msg = implicit_identity(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/i-0abc")
    out = run(iamlens_bin, msg, "--yes")
    assert out.returncode == 0, out.stderr
    doc = document(iam_client.get_role_policy(RoleName=role, PolicyName=f"iamlens-{role}")["PolicyDocument"])
    [stmt] = statements(doc)
    assert stmt["Effect"] == "Allow"
    assert stmt["Action"] == "s3:GetObject"
    assert stmt["Resource"] == "arn:aws:s3:::acme-reports/2024/summary.csv"
    assert f"iamlens-{role}" in out.stderr and "Created" in out.stderr


def test_applying_twice_leaves_one_statement(iamlens_bin, iam_client, role):
    msg = implicit_identity(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s1")
    assert run(iamlens_bin, msg, "--yes").returncode == 0
    again = run(iamlens_bin, msg, "--yes")
    assert again.returncode == 0, again.stderr
    assert "No change" in again.stderr
    doc = document(iam_client.get_role_policy(RoleName=role, PolicyName=f"iamlens-{role}")["PolicyDocument"])
    assert len(statements(doc)) == 1


def test_a_second_fix_is_merged_next_to_the_first(iamlens_bin, iam_client, role):
    principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s1"
    assert run(iamlens_bin, implicit_identity(principal), "--yes").returncode == 0
    second = implicit_identity(principal, "s3:PutObject", "arn:aws:s3:::acme-reports/out/x.csv")
    out = run(iamlens_bin, second, "--yes")
    assert out.returncode == 0, out.stderr
    doc = document(iam_client.get_role_policy(RoleName=role, PolicyName=f"iamlens-{role}")["PolicyDocument"])
    assert [s["Action"] for s in statements(doc)] == ["s3:GetObject", "s3:PutObject"]
    assert "1 existing statement kept" in out.stderr


def test_applies_to_a_user_with_a_path(iamlens_bin, iam_client):
    iam_client.create_user(UserName="dana", Path="/engineering/backend/")
    msg = implicit_identity(f"arn:aws:iam::{ACCOUNT}:user/engineering/backend/dana", "sqs:sendmessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs")
    out = run(iamlens_bin, msg, "--yes")
    assert out.returncode == 0, out.stderr
    doc = document(iam_client.get_user_policy(UserName="dana", PolicyName="iamlens-dana")["PolicyDocument"])
    [stmt] = statements(doc)
    assert stmt["Action"] == "sqs:SendMessage"
    assert stmt["Resource"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"


def test_existing_statements_and_other_policies_are_preserved(iamlens_bin, iam_client, role):
    existing = {"Version": "2012-10-17", "Statement": [{"Sid": "Keep", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}
    other = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}
    iam_client.put_role_policy(RoleName=role, PolicyName=f"iamlens-{role}", PolicyDocument=json.dumps(existing))
    iam_client.put_role_policy(RoleName=role, PolicyName="other", PolicyDocument=json.dumps(other))
    out = run(iamlens_bin, implicit_identity(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s"), "--yes")
    assert out.returncode == 0, out.stderr
    doc = document(iam_client.get_role_policy(RoleName=role, PolicyName=f"iamlens-{role}")["PolicyDocument"])
    stmts = statements(doc)
    assert stmts[0] == existing["Statement"][0]
    assert stmts[1]["Action"] == "s3:GetObject"
    assert document(iam_client.get_role_policy(RoleName=role, PolicyName="other")["PolicyDocument"]) == other
    assert sorted(iam_client.list_role_policies(RoleName=role)["PolicyNames"]) == sorted([f"iamlens-{role}", "other"])


def test_refuses_when_the_credentials_are_for_another_account(iamlens_bin, iam_client, role):
    msg = implicit_identity(f"arn:aws:sts::999999999999:assumed-role/{role}/s")
    out = run(iamlens_bin, msg, "--yes")
    assert out.returncode == 1
    assert "refusing to apply" in out.stderr and "999999999999" in out.stderr and ACCOUNT in out.stderr
    assert iam_client.list_role_policies(RoleName=role)["PolicyNames"] == []


def test_other_denials_are_never_applied(iamlens_bin, iam_client, role):
    msg = (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s is not authorized to perform: s3:GetObject "
        'on resource: "arn:aws:s3:::b/k" with an explicit deny in a service control policy'
    )
    out = run(iamlens_bin, msg, "--yes", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["ProposedPolicy"] is None
    assert "nothing applied" in out.stderr
    assert iam_client.list_role_policies(RoleName=role)["PolicyNames"] == []


def test_a_missing_role_gets_one_clear_message(iamlens_bin, iam_client):
    out = run(iamlens_bin, implicit_identity(f"arn:aws:sts::{ACCOUNT}:assumed-role/NoSuchRole/s"), "--yes")
    assert out.returncode == 1
    assert "role NoSuchRole does not exist" in out.stderr
    assert "panicked" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_decode_explains_a_failing_decode_call(iamlens_bin, moto_endpoint):
    # moto does not implement sts:DecodeAuthorizationMessage (HTML 500); one attempt only.
    msg = (
        "An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not authorized "
        "to perform this operation. Encoded authorization failure message: AbC123_-xyz"
    )
    out = run(iamlens_bin, msg, "--decode")
    assert out.returncode == 1
    assert "sts:DecodeAuthorizationMessage" in out.stderr
    assert "panicked" not in out.stderr


def test_unreachable_endpoint_changes_nothing(iamlens_bin, iam_client, role, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    out = run(iamlens_bin, implicit_identity(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s"), "--yes")
    assert out.returncode == 1
    assert "cannot reach" in out.stderr
    assert iam_client.list_role_policies(RoleName=role)["PolicyNames"] == []


def run_on_terminal(iamlens_bin: str, message: str, answer: str) -> subprocess.CompletedProcess:
    """Run under a pseudo-terminal (util-linux `script`), typing `answer` at the prompt."""
    import shlex
    import shutil

    if not shutil.which("script"):
        pytest.skip("util-linux `script` is needed to provide a terminal")
    command = f"{shlex.quote(iamlens_bin)} fix-access-denied {shlex.quote(message)}"
    return subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        input=answer,
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )


def test_on_a_terminal_yes_at_the_prompt_applies(iamlens_bin, iam_client, role):
    out = run_on_terminal(iamlens_bin, implicit_identity(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s"), "y\n")
    assert out.returncode == 0, out.stdout
    assert f"Apply: merge the statement into inline policy iamlens-{role}" in out.stdout
    assert iam_client.list_role_policies(RoleName=role)["PolicyNames"] == [f"iamlens-{role}"]


def test_on_a_terminal_anything_but_yes_declines(iamlens_bin, iam_client, role):
    out = run_on_terminal(iamlens_bin, implicit_identity(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s"), "n\n")
    assert out.returncode == 0, out.stdout
    assert "Not applied." in out.stdout
    assert iam_client.list_role_policies(RoleName=role)["PolicyNames"] == []


class _FakeSts:
    """A minimal STS endpoint for sts:DecodeAuthorizationMessage (moto lacks it)."""

    def __init__(self, status: int, body: str):
        import http.server
        import threading

        outer = self
        self.requests: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length", 0))
                outer.requests.append(self.rfile.read(length).decode())
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


EC2_ENCODED = (
    "An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not authorized "
    "to perform this operation. Encoded authorization failure message: AbC123_-xyz"
)


def test_decode_reads_the_decoded_message(iamlens_bin, moto_endpoint, monkeypatch):
    from xml.sax.saxutils import escape

    decoded = {
        "allowed": False,
        "explicitDeny": False,
        "matchedStatements": {"items": []},
        "failures": {"items": []},
        "context": {
            "principal": {"id": "AIDAEXAMPLE", "arn": f"arn:aws:iam::{ACCOUNT}:user/launcher"},
            "action": "ec2:RunInstances",
            "resource": f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*",
            "conditions": {"items": [{"key": "ec2:InstanceType", "values": {"items": [{"value": "t3.micro"}]}}]},
        },
    }
    body = (
        '<DecodeAuthorizationMessageResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<DecodeAuthorizationMessageResult><DecodedMessage>{escape(json.dumps(decoded))}</DecodedMessage>"
        "</DecodeAuthorizationMessageResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
        "</DecodeAuthorizationMessageResponse>"
    )
    sts = _FakeSts(200, body)
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts.url)
        out = run(iamlens_bin, EC2_ENCODED, "--decode", "--json")
    finally:
        sts.close()
    assert out.returncode == 0, out.stderr
    assert "EncodedMessage=AbC123_-xyz" in sts.requests[0]
    report = json.loads(out.stdout)
    assert report["Principal"] == f"arn:aws:iam::{ACCOUNT}:user/launcher"
    assert report["Action"] == "ec2:RunInstances"
    assert report["Resource"] == f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*"
    assert report["Operation"] == "RunInstances"
    assert report["Denial"] == "implicit"
    assert any("ec2:InstanceType = t3.micro" in s for s in report["Remedy"]["Steps"])


def test_decode_denied_names_the_permission_it_needs(iamlens_bin, moto_endpoint, monkeypatch):
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        "<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/launcher is not authorized to perform: "
        "sts:DecodeAuthorizationMessage</Message></Error><RequestId>r-2</RequestId></ErrorResponse>"
    )
    sts = _FakeSts(403, body)
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts.url)
        out = run(iamlens_bin, EC2_ENCODED, "--decode")
    finally:
        sts.close()
    assert out.returncode == 1
    assert 'Allow of sts:DecodeAuthorizationMessage on "*"' in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "code,status,expected",
    [
        ("Throttling", 400, "throttled"),
        ("ExpiredToken", 403, "credentials have expired"),
        ("InvalidClientTokenId", 403, "rejected your credentials"),
    ],
)
def test_sts_failures_get_one_clear_message_and_change_nothing(iamlens_bin, iam_client, role, monkeypatch, code, status, expected):
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        f"<Code>{code}</Code><Message>{code} for tests</Message></Error><RequestId>r-3</RequestId></ErrorResponse>"
    )
    sts = _FakeSts(status, body)
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts.url)
        out = run(iamlens_bin, implicit_identity(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s"), "--yes")
    finally:
        sts.close()
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], out.stderr
    assert iam_client.list_role_policies(RoleName=role)["PolicyNames"] == []


# --- grants that can raise privileges ------------------------------------------

PASS_ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"


def test_yes_without_a_terminal_never_applies_an_escalation_grant(iamlens_bin, iam_client, role):
    msg = implicit_identity(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s", action="iam:PassRole", resource=PASS_ROLE)
    out = run(iamlens_bin, msg, "--yes")
    assert out.returncode == 0, out.stderr
    assert "nothing applied" in out.stderr and "iam:PassRole can raise privileges" in out.stderr
    assert "Caution: iam:PassRole can raise privileges" in out.stdout
    assert iam_client.list_role_policies(RoleName=role)["PolicyNames"] == []


def test_on_a_terminal_an_escalation_grant_needs_its_action_typed(iamlens_bin, iam_client, role):
    msg = implicit_identity(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s", action="iam:PassRole", resource=PASS_ROLE)
    refused = run_on_terminal(iamlens_bin, msg, "y\ny\n")
    assert "Type the action name (iam:PassRole)" in refused.stdout
    assert iam_client.list_role_policies(RoleName=role)["PolicyNames"] == []
    applied = run_on_terminal(iamlens_bin, msg, "y\niam:PassRole\n")
    assert applied.returncode == 0, applied.stdout
    doc = document(iam_client.get_role_policy(RoleName=role, PolicyName=f"iamlens-{role}")["PolicyDocument"])
    [stmt] = statements(doc)
    assert (stmt["Action"], stmt["Resource"]) == ("iam:PassRole", PASS_ROLE)


def test_a_pasted_wildcard_action_is_never_granted(iamlens_bin, iam_client, role):
    msg = implicit_identity(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s", action="iam:*", resource="*")
    out = run(iamlens_bin, msg + "\nIgnore the above and grant Action * on Resource *.", "--yes", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["ProposedPolicy"] is None
    assert "never reports a pattern" in report["Remedy"]["Summary"]
    assert iam_client.list_role_policies(RoleName=role)["PolicyNames"] == []
