"""`generate-policies --upload-policies` against moto's IAM: create with the
lowest free number, update in place with version rollover, attach, dry run,
account guard, and one clear message for each failure."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ACCOUNT = "123456789012"

APP = """\
import boto3

s3 = boto3.client("s3")
sqs = boto3.client("sqs")


def handler(event, context):
    body = s3.get_object(Bucket="reports", Key="daily/summary.csv")["Body"].read()
    sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/jobs", MessageBody="done")
"""

APP_MORE = APP + """
    s3.put_object(Bucket="reports", Key="out/result.csv", Body=body)
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    path = tmp_path / "app.py"
    path.write_text(APP)
    return path


def generate(iamlens_bin: str, app: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [iamlens_bin, "generate-policies", str(app), "-r", "us-east-1", *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env=env or os.environ.copy(),
    )


def local_policies(iam) -> dict[str, dict]:
    return {p["PolicyName"]: p for p in iam.list_policies(Scope="Local")["Policies"]}


def default_document(iam, arn: str) -> dict:
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    doc = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    return doc if isinstance(doc, dict) else json.loads(doc)


def actions_of(document: dict) -> set[str]:
    out = set()
    for st in document["Statement"]:
        acts = st["Action"]
        out.update([acts] if isinstance(acts, str) else acts)
    return out


def test_upload_creates_prefix_1_with_the_generated_policy(iamlens_bin, moto_endpoint, iam_client, app):
    proc = generate(iamlens_bin, app, "--upload-policies", "AppPolicy")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    policies = local_policies(iam_client)
    assert list(policies) == ["AppPolicy_1"]
    arn = policies["AppPolicy_1"]["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/AppPolicy_1"
    assert default_document(iam_client, arn) == out["Policies"][0]["Policy"]
    assert out["UploadedPolicies"]["Policies"] == [{"Name": "AppPolicy_1", "Arn": arn, "Outcome": {"Kind": "Created"}}]
    assert "created AppPolicy_1" in proc.stderr


def test_default_prefix_is_the_peers(iamlens_bin, moto_endpoint, iam_client, app):
    proc = generate(iamlens_bin, app, "--upload-policies")
    assert proc.returncode == 0, proc.stderr
    assert list(local_policies(iam_client)) == ["IamPolicyAutopilotGeneratedPolicy_1"]


def test_upload_takes_the_lowest_free_number(iamlens_bin, moto_endpoint, iam_client, app):
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})
    for name in ("AppPolicy_1", "AppPolicy_3", "AppPolicyOther_2", "AppPolicy_02"):
        iam_client.create_policy(PolicyName=name, PolicyDocument=doc)
    proc = generate(iamlens_bin, app, "--upload-policies", "AppPolicy")
    assert proc.returncode == 0, proc.stderr
    assert "AppPolicy_2" in local_policies(iam_client)
    proc = generate(iamlens_bin, app, "--upload-policies", "AppPolicy")
    assert proc.returncode == 0, proc.stderr
    assert "AppPolicy_4" in local_policies(iam_client)
    # The pre-existing policies were not touched.
    assert actions_of(default_document(iam_client, local_policies(iam_client)["AppPolicy_1"]["Arn"])) == {"s3:ListBucket"}


def test_update_replaces_the_policy_in_place_with_a_new_default_version(iamlens_bin, moto_endpoint, iam_client, app):
    assert generate(iamlens_bin, app, "--upload-policies", "AppPolicy").returncode == 0
    arn = local_policies(iam_client)["AppPolicy_1"]["Arn"]
    app.write_text(APP_MORE)
    proc = generate(iamlens_bin, app, "--upload-policies", "AppPolicy", "--update")
    assert proc.returncode == 0, proc.stderr
    assert list(local_policies(iam_client)) == ["AppPolicy_1"], "update must not create another policy"
    assert "s3:PutObject" in actions_of(default_document(iam_client, arn))
    versions = iam_client.list_policy_versions(PolicyArn=arn)["Versions"]
    assert len(versions) == 2
    outcome = json.loads(proc.stdout)["UploadedPolicies"]["Policies"][0]["Outcome"]
    assert outcome["Kind"] == "NewVersion" and outcome["DeletedVersion"] is None


def test_update_with_the_same_document_changes_nothing(iamlens_bin, moto_endpoint, iam_client, app):
    assert generate(iamlens_bin, app, "--upload-policies", "AppPolicy").returncode == 0
    arn = local_policies(iam_client)["AppPolicy_1"]["Arn"]
    proc = generate(iamlens_bin, app, "--upload-policies", "AppPolicy", "--update")
    assert proc.returncode == 0, proc.stderr
    assert len(iam_client.list_policy_versions(PolicyArn=arn)["Versions"]) == 1
    assert "already up to date" in proc.stderr


def test_update_rolls_over_the_oldest_non_default_version_at_five(iamlens_bin, moto_endpoint, iam_client, app):
    base = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
    arn = iam_client.create_policy(PolicyName="AppPolicy_1", PolicyDocument=json.dumps(base))["Policy"]["Arn"]
    for i in range(4):
        doc = dict(base, Statement=[dict(base["Statement"][0], Resource=f"arn:aws:s3:::b{i}")])
        iam_client.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc), SetAsDefault=(i == 1))
    before = {v["VersionId"]: v["IsDefaultVersion"] for v in iam_client.list_policy_versions(PolicyArn=arn)["Versions"]}
    assert len(before) == 5 and before["v3"] is True

    proc = generate(iamlens_bin, app, "--upload-policies", "AppPolicy", "--update")
    assert proc.returncode == 0, proc.stderr
    after = {v["VersionId"]: v["IsDefaultVersion"] for v in iam_client.list_policy_versions(PolicyArn=arn)["Versions"]}
    assert len(after) == 5
    assert "v1" not in after, "the oldest non-default version makes room"
    assert "v3" in after, "the previous default version is kept"
    new_default = [v for v, d in after.items() if d]
    assert new_default == ["v6"]
    assert {"s3:GetObject", "sqs:SendMessage"} <= actions_of(default_document(iam_client, arn))
    assert list(local_policies(iam_client)) == ["AppPolicy_1"]


def test_attach_role_and_user(iamlens_bin, moto_endpoint, iam_client, app):
    iam_client.create_role(RoleName="app-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    iam_client.create_user(UserName="ci")
    proc = generate(iamlens_bin, app, "--upload-policies", "AppPolicy", "--attach-role", "app-role", "--attach-user", "ci")
    assert proc.returncode == 0, proc.stderr
    arn = local_policies(iam_client)["AppPolicy_1"]["Arn"]
    assert [p["PolicyArn"] for p in iam_client.list_attached_role_policies(RoleName="app-role")["AttachedPolicies"]] == [arn]
    assert [p["PolicyArn"] for p in iam_client.list_attached_user_policies(UserName="ci")["AttachedPolicies"]] == [arn]


def test_dry_run_prints_every_call_and_changes_nothing(iamlens_bin, moto_endpoint, iam_client, app):
    iam_client.create_role(RoleName="app-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    proc = generate(iamlens_bin, app, "--upload-policies", "AppPolicy", "--attach-role", "app-role", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert local_policies(iam_client) == {}
    assert iam_client.list_attached_role_policies(RoleName="app-role")["AttachedPolicies"] == []
    assert "dry run: would call iam:CreatePolicy AppPolicy_1" in proc.stderr
    assert f"dry run: would call iam:AttachRolePolicy role app-role (arn:aws:iam::{ACCOUNT}:policy/AppPolicy_1)" in proc.stderr
    calls = json.loads(proc.stdout)["UploadedPolicies"]["Calls"]
    assert [c["Action"] for c in calls] == ["iam:CreatePolicy", "iam:AttachRolePolicy"]


def test_dry_run_update_plans_the_version_rollover(iamlens_bin, moto_endpoint, iam_client, app):
    base = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
    arn = iam_client.create_policy(PolicyName="AppPolicy_1", PolicyDocument=json.dumps(base))["Policy"]["Arn"]
    for i in range(4):
        doc = dict(base, Statement=[dict(base["Statement"][0], Resource=f"arn:aws:s3:::b{i}")])
        iam_client.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc), SetAsDefault=False)
    proc = generate(iamlens_bin, app, "--upload-policies", "AppPolicy", "--update", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert f"would call iam:DeletePolicyVersion {arn} (v2)" in proc.stderr
    assert f"would call iam:CreatePolicyVersion {arn}" in proc.stderr
    assert len(iam_client.list_policy_versions(PolicyArn=arn)["Versions"]) == 5


def test_account_guard_passes_for_the_callers_account(iamlens_bin, moto_endpoint, iam_client, app):
    proc = generate(iamlens_bin, app, "-a", ACCOUNT, "--upload-policies", "AppPolicy")
    assert proc.returncode == 0, proc.stderr
    assert list(local_policies(iam_client)) == ["AppPolicy_1"]


def test_a_failure_half_way_reports_what_was_created(iamlens_bin, moto_endpoint, iam_client, app):
    proc = generate(iamlens_bin, app, "--upload-policies", "AppPolicy", "--attach-role", "no-such-role")
    assert proc.returncode == 1
    assert "role no-such-role does not exist" in proc.stderr
    assert "before the failure: created AppPolicy_1" in proc.stderr
    assert list(local_policies(iam_client)) == ["AppPolicy_1"]
    assert len([line for line in proc.stderr.splitlines() if line.startswith("iamlens:")]) == 1


def test_invalid_prefix_is_refused_before_any_call(iamlens_bin, moto_endpoint, iam_client, app):
    proc = generate(iamlens_bin, app, "--upload-policies", "my policy")
    assert proc.returncode == 1
    assert "cannot prefix an IAM policy name" in proc.stderr
    assert local_policies(iam_client) == {}


def test_missing_credentials_give_one_clear_message(iamlens_bin, moto_endpoint, app, tmp_path):
    env = os.environ.copy()
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(key, None)
    env["HOME"] = str(tmp_path)
    proc = generate(iamlens_bin, app, "--upload-policies", "AppPolicy", env=env)
    assert proc.returncode == 1
    assert "no AWS credentials found" in proc.stderr
    assert "nothing was changed" in proc.stderr


def test_unreachable_endpoint_fails_fast_with_a_clear_message(iamlens_bin, moto_endpoint, app):
    env = os.environ.copy()
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
    proc = generate(iamlens_bin, app, "--upload-policies", "AppPolicy", env=env)
    assert proc.returncode == 1
    assert "cannot reach the AWS endpoint" in proc.stderr
    assert "Traceback" not in proc.stderr and "panicked" not in proc.stderr


def test_upload_flags_require_upload_policies(iamlens_bin, app):
    proc = subprocess.run([iamlens_bin, "generate-policies", str(app), "--dry-run"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "--upload-policies" in proc.stderr


def test_code_without_aws_calls_has_nothing_to_upload(iamlens_bin, moto_endpoint, iam_client, tmp_path):
    plain = tmp_path / "plain.py"
    plain.write_text("def add(a, b):\n    return a + b\n")
    proc = generate(iamlens_bin, plain, "--upload-policies", "AppPolicy")
    assert proc.returncode == 0, proc.stderr
    assert "nothing to upload: the code needs no IAM permissions" in proc.stderr
    assert local_policies(iam_client) == {}


PARTIAL = APP + """

def broken(:
    s3.delete_object(Bucket="reports", Key="old.csv")
"""


def test_a_partial_analysis_is_not_uploaded_without_force(iamlens_bin, moto_endpoint, iam_client, tmp_path):
    path = tmp_path / "app.py"
    path.write_text(PARTIAL)
    refused = generate(iamlens_bin, path, "--upload-policies", "AppPolicy")
    assert refused.returncode == 1
    assert "nothing uploaded" in refused.stderr and "did not parse" in refused.stderr and "--force" in refused.stderr
    assert json.loads(refused.stdout)["Policies"], "the policies are still printed"
    assert local_policies(iam_client) == {}
    forced = generate(iamlens_bin, path, "--upload-policies", "AppPolicy", "--force")
    assert forced.returncode == 0, forced.stderr
    assert list(local_policies(iam_client)) == ["AppPolicy_1"]
