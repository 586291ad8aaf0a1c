"""`iamlens check --role NAME` against a role in moto's IAM: inline and managed
policies (URL-encoded by IAM), explicit denies, permissions boundaries,
conditions that depend on run time, and clear errors."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ACCOUNT = "123456789012"
TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})

APP = """\
import boto3

s3 = boto3.client("s3")
sqs = boto3.client("sqs")


def handler(event, context):
    body = s3.get_object(Bucket="reports", Key="daily/summary.csv")["Body"].read()
    s3.put_object(Bucket="reports", Key="out/result.csv", Body=body)
    sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/jobs", MessageBody="done")
"""


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource, **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.fixture
def app(tmp_path: Path) -> Path:
    path = tmp_path / "app.py"
    path.write_text(APP)
    return path


def check(iamlens_bin: str, role: str, *paths: Path, extra: tuple = ()) -> subprocess.CompletedProcess:
    return subprocess.run(
        [iamlens_bin, "check", "--role", role, *map(str, paths), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )


def check_json(iamlens_bin: str, role: str, app: Path) -> tuple[int, dict[str, dict]]:
    proc = check(iamlens_bin, role, app, extra=("--json",))
    assert proc.returncode in (0, 1), proc.stderr
    out = json.loads(proc.stdout)
    assert out["Role"] == f"arn:aws:iam::{ACCOUNT}:role/{role}"
    by_call = {}
    for c in out["Calls"]:
        op = c["Call"].split("(")[0].split(".")[-1]
        by_call[op] = c
    return proc.returncode, by_call


def action(call: dict, name: str) -> dict:
    """The decision for one action of a call (`s3:GetObject`)."""
    [outcome] = [a for a in call["Actions"] if a["Action"] == name]
    return outcome["Decision"]


# The SDK calls also need KMS on the caller's behalf when the data is SSE-KMS
# encrypted; a role that grants it through the services (kms:ViaService):
KMS_VIA_SERVICES = allow(
    ["kms:Decrypt", "kms:GenerateDataKey"],
    "*",
    Condition={"StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"]}},
)


def make_role(iam, name="app-role", **kw):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST, **kw)


def test_inline_and_managed_policies_decide_each_call(iamlens_bin, moto_endpoint, iam_client, app):
    make_role(iam_client)
    iam_client.put_role_policy(RoleName="app-role", PolicyName="read", PolicyDocument=doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")))
    arn = iam_client.create_policy(PolicyName="queue", PolicyDocument=doc(allow("sqs:SendMessage", "arn:aws:sqs:*:123456789012:jobs")))["Policy"]["Arn"]
    iam_client.attach_role_policy(RoleName="app-role", PolicyArn=arn)

    code, calls = check_json(iamlens_bin, "app-role", app)
    assert code == 1, "a denied call fails the check"
    assert action(calls["get_object"], "s3:GetObject")["By"]["Policy"] == "inline policy read"
    assert action(calls["send_message"], "sqs:SendMessage")["By"]["Policy"] == arn
    assert calls["put_object"]["Verdict"] == "denied"
    assert calls["put_object"]["Decision"] == {"Decision": "ImplicitDeny"}
    assert calls["put_object"]["Line"] == 9
    # KMS is needed only for SSE-KMS data, which the role does not cover: that depends, it is no denial.
    assert calls["get_object"]["Verdict"] == "depends"
    kms = action(calls["get_object"], "kms:Decrypt")
    assert kms["Decision"] == "Depends"
    assert "only when the data uses a customer-managed KMS key" in kms["On"][0]


def test_everything_allowed_exits_zero_with_a_summary(iamlens_bin, moto_endpoint, iam_client, app):
    make_role(iam_client)
    iam_client.put_role_policy(RoleName="app-role", PolicyName="all", PolicyDocument=doc(
        allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::reports/*"),
        allow("sqs:SendMessage", "*"),
        KMS_VIA_SERVICES,
    ))
    proc = check(iamlens_bin, "app-role", app)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"role arn:aws:iam::{ACCOUNT}:role/app-role: 3 call(s) allowed, 0 denied, 0 depend on run-time values" in proc.stdout
    assert f"{app}:9:5: allowed s3.put_object(" in proc.stdout
    # "Allowed" is relative to what the check reads: it says so, in text and JSON.
    assert "service and resource control policies, resource-based policies and session policies are not read" in proc.stdout
    as_json = json.loads(check(iamlens_bin, "app-role", app, extra=("--json",)).stdout)
    assert "permissions boundary" in as_json["Models"] and "not read" in as_json["Models"]


def test_explicit_deny_names_the_statement(iamlens_bin, moto_endpoint, iam_client, app):
    make_role(iam_client)
    iam_client.put_role_policy(RoleName="app-role", PolicyName="broad", PolicyDocument=doc(
        allow("*", "*"),
        {"Sid": "NoWrites", "Effect": "Deny", "Action": "s3:Put*", "Resource": "*"},
    ))
    code, calls = check_json(iamlens_bin, "app-role", app)
    assert code == 1
    decision = calls["put_object"]["Decision"]
    assert decision["Decision"] == "ExplicitDeny"
    assert decision["By"] == {"Policy": "inline policy broad", "Sid": "NoWrites", "Index": 1}
    assert calls["get_object"]["Verdict"] == "allowed"
    assert calls["put_object"]["Line"] == 9


def test_permissions_boundary_limits_what_identity_policies_allow(iamlens_bin, moto_endpoint, iam_client, app):
    boundary = iam_client.create_policy(PolicyName="boundary", PolicyDocument=doc(allow(["s3:GetObject", "sqs:*", "kms:*"], "*")))["Policy"]["Arn"]
    make_role(iam_client, PermissionsBoundary=boundary)
    iam_client.put_role_policy(RoleName="app-role", PolicyName="all", PolicyDocument=doc(allow(["s3:*", "sqs:*"], "*"), KMS_VIA_SERVICES))
    code, calls = check_json(iamlens_bin, "app-role", app)
    assert code == 1
    assert calls["get_object"]["Verdict"] == "allowed"
    assert calls["put_object"]["Decision"] == {"Decision": "DeniedByBoundary", "Boundary": f"boundary {boundary}"}


def test_unknown_condition_is_reported_as_depends(iamlens_bin, moto_endpoint, iam_client, app):
    make_role(iam_client)
    iam_client.put_role_policy(RoleName="app-role", PolicyName="vpc", PolicyDocument=doc(
        allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::reports/*", Condition={"StringEquals": {"aws:SourceVpce": "vpce-1a2b"}}),
        allow("sqs:SendMessage", "*"),
        KMS_VIA_SERVICES,
    ))
    code, calls = check_json(iamlens_bin, "app-role", app)
    assert code == 0, "depends is not a denial"
    assert calls["get_object"]["Verdict"] == "depends"
    assert "depends on condition StringEquals aws:SourceVpce" in " ".join(calls["get_object"]["Decision"]["On"])
    assert calls["send_message"]["Verdict"] == "allowed"


def test_policy_scoped_to_part_of_a_dynamic_resource_depends(iamlens_bin, moto_endpoint, iam_client, tmp_path):
    app = tmp_path / "dyn.py"
    app.write_text('import boto3\n\ns3 = boto3.client("s3")\n\n\ndef f(key):\n    return s3.get_object(Bucket="reports", Key=key)\n')
    make_role(iam_client)
    iam_client.put_role_policy(RoleName="app-role", PolicyName="p", PolicyDocument=doc(allow("s3:GetObject", "arn:aws:s3:::reports/public/*"), KMS_VIA_SERVICES))
    code, calls = check_json(iamlens_bin, "app-role", app)
    assert code == 0
    assert calls["get_object"]["Verdict"] == "depends"
    assert "only for some run-time values" in " ".join(calls["get_object"]["Decision"]["On"])
    assert action(calls["get_object"], "kms:Decrypt")["Decision"] == "Allowed"


def test_region_condition_is_known_from_the_arns_and_the_configured_region(iamlens_bin, moto_endpoint, iam_client, app):
    make_role(iam_client)
    in_region = {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    iam_client.put_role_policy(RoleName="app-role", PolicyName="regional", PolicyDocument=doc(
        allow(["s3:GetObject", "s3:PutObject", "sqs:SendMessage", "kms:*"], "*", Condition=in_region),
    ))
    code, calls = check_json(iamlens_bin, "app-role", app)
    assert code == 0
    assert {c["Verdict"] for c in calls.values()} == {"allowed"}
    proc = check(iamlens_bin, "app-role", app, extra=("--json", "--region", "eu-west-1"))
    eu = {c["Call"].split("(")[0]: c for c in json.loads(proc.stdout)["Calls"]}
    # S3 ARNs name no region, so the code's region decides; the queue URL says us-east-1.
    assert eu["s3.get_object"]["Verdict"] == "denied"
    assert action(eu["sqs.send_message"], "sqs:SendMessage")["Decision"] == "Allowed"


def test_missing_role_gives_one_clear_message(iamlens_bin, moto_endpoint, app):
    proc = check(iamlens_bin, "no-such-role", app)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "iamlens: role no-such-role does not exist in this account; check the name (not the ARN) and your profile"


def test_a_role_arn_names_the_role_and_another_arn_is_a_usage_error(iamlens_bin, moto_endpoint, iam_client, app):
    # As in the language server and MCP: the role by name or by ARN (path included).
    make_role(iam_client, Path="/service/")
    iam_client.put_role_policy(RoleName="app-role", PolicyName="read", PolicyDocument=doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")))
    by_name = check(iamlens_bin, "app-role", app, extra=("--json",))
    by_arn = check(iamlens_bin, f"arn:aws:iam::{ACCOUNT}:role/service/app-role", app, extra=("--json",))
    assert by_arn.returncode == by_name.returncode == 1, by_arn.stderr
    assert json.loads(by_arn.stdout) == json.loads(by_name.stdout)
    proc = check(iamlens_bin, f"arn:aws:iam::{ACCOUNT}:user/app-role", app)
    assert proc.returncode == 2
    assert "is not a role ARN" in proc.stderr


def test_a_role_holding_the_uploaded_policies_allows_every_call(iamlens_bin, moto_endpoint, iam_client, repo_root):
    """Round trip: generate → upload + attach → check finds nothing denied.
    The corpus holds a fixture with a syntax error on purpose: --force."""
    corpus = repo_root / "tests" / "fixtures" / "python"
    make_role(iam_client)
    up = subprocess.run(
        [iamlens_bin, "generate-policies", str(corpus), "-r", "us-east-1", "-a", ACCOUNT, "--upload-policies", "Fixtures", "--attach-role", "app-role", "--force"],
        capture_output=True, text=True, timeout=120, env=os.environ.copy(),
    )
    assert up.returncode == 0, up.stderr
    proc = check(iamlens_bin, "app-role", corpus, extra=("--json", "--region", "us-east-1"))
    calls = json.loads(proc.stdout)["Calls"]
    assert len(calls) > 50
    not_allowed = [f'{c["File"]}:{c["Line"]} {c["Verdict"]}: {c["Decision"]}' for c in calls if c["Verdict"] != "allowed"]
    assert not_allowed == [], "\n".join(not_allowed)
    assert proc.returncode == 0


def test_missing_path_is_reported_before_any_aws_call(iamlens_bin, tmp_path):
    env = os.environ.copy()
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
    proc = subprocess.run([iamlens_bin, "check", "--role", "app-role", str(tmp_path / "nope.py")], capture_output=True, text=True, timeout=30, env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"iamlens: {tmp_path / 'nope.py'}: no such file or directory; pass existing source files or directories"


def test_role_grants_no_call_needs_are_excess(iamlens_bin, moto_endpoint, iam_client, app):
    """The role path shares the drift check: excess is reported (no policy file
    to point at, so no file:line), and fails the check only with --fail-on excess."""
    make_role(iam_client)
    iam_client.put_role_policy(RoleName="app-role", PolicyName="wide", PolicyDocument=doc(
        {"Sid": "Reports", **allow("s3:*", "arn:aws:s3:::reports/*")},
        allow("sqs:SendMessage", "*"),
        KMS_VIA_SERVICES,
    ))
    proc = check(iamlens_bin, "app-role", app)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    excess = [line for line in proc.stdout.splitlines() if line.startswith("excess: ")]
    assert any('statement "Reports" of inline policy wide grants s3:* on arn:aws:s3:::reports/*' in line
               and "narrower: s3:GetObject, s3:PutObject on arn:aws:s3:::reports/daily/summary.csv, arn:aws:s3:::reports/out/result.csv" in line
               for line in excess), excess
    assert "excess is relative to the code that was read" in proc.stdout
    assert check(iamlens_bin, "app-role", app, extra=("--fail-on", "excess")).returncode == 1
    out = json.loads(check(iamlens_bin, "app-role", app, extra=("--format", "json")).stdout)
    assert out["Role"] == f"arn:aws:iam::{ACCOUNT}:role/app-role"
    assert out["Missing"] == []
    reports = next(e for e in out["Excess"] if e["Statement"]["Sid"] == "Reports")
    assert "File" not in reports and reports["NeededActions"] == ["s3:GetObject", "s3:PutObject"]
    github = check(iamlens_bin, "app-role", app, extra=("--format", "github")).stdout
    assert "::warning title=iamlens%3A excess grant::" in github
