"""`generate-policies` on a SAM template that uses the AWS::LanguageExtensions
transform: a `Fn::ForEach` loop deploys one function per tenant, each wired
to its own table, so each gets a policy for its own table only; a loop whose
collection the templates do not give is a `Template` warning naming the file,
line and loop, and never fails the run."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

REGION, ACCOUNT = "eu-west-1", "123456789012"

TEMPLATE = """\
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Parameters:
  Tenants:
    Type: CommaDelimitedList
    Default: "acme,globex"
Resources:
  Fn::ForEach::Tenants:
    - Tenant
    - !Ref Tenants
    - ${Tenant}Orders:
        Type: AWS::DynamoDB::Table
        Properties:
          TableName: !Sub "${Tenant}-orders"
          BillingMode: PAY_PER_REQUEST
          AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
          KeySchema: [{AttributeName: id, KeyType: HASH}]
      ${Tenant}Reader:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/
          Handler: app.handler
          Runtime: python3.12
          Environment:
            Variables:
              TABLE_NAME: !Ref
                Fn::Sub: "${Tenant}Orders"
"""

APP = """\
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    return table.get_item(Key={"id": event["id"]}).get("Item")
"""


def project(tmp_path: Path, template: str) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src/app.py").write_text(APP)
    (tmp_path / "template.yaml").write_text(template)
    return tmp_path


def generate(iamlens_bin: str, path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [iamlens_bin, "generate-policies", str(path), "-r", REGION, "-a", ACCOUNT, *extra], capture_output=True, text=True, timeout=120
    )


def tables_by_function(envelope: dict) -> dict:
    out: dict = {}
    for entry in envelope["Policies"]:
        for statement in entry["Policy"]["Statement"]:
            if "dynamodb:GetItem" in statement["Action"]:
                out.setdefault(entry["Function"]["Id"], []).extend(statement["Resource"])
    return out


def test_each_function_a_loop_deploys_gets_its_own_table(iamlens_bin, tmp_path):
    done = generate(iamlens_bin, project(tmp_path, TEMPLATE))
    assert done.returncode == 0, done.stderr
    envelope = json.loads(done.stdout)
    assert tables_by_function(envelope) == {
        "acmeReader": [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/acme-orders"],
        "globexReader": [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/globex-orders"],
    }
    assert not [w for w in envelope["Warnings"] if w["Kind"] == "Template"], envelope["Warnings"]
    # The parameter decides what the loop deploys.
    overridden = json.loads(generate(iamlens_bin, tmp_path, "--parameter-overrides", "Tenants=initech").stdout)
    assert tables_by_function(overridden) == {"initechReader": [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/initech-orders"]}


def test_a_loop_over_an_unknown_collection_is_named_and_the_code_keeps_its_wildcard(iamlens_bin, tmp_path):
    unknown = TEMPLATE.replace('    Default: "acme,globex"\n', "")
    done = generate(iamlens_bin, project(tmp_path, unknown))
    assert done.returncode == 0, done.stderr
    envelope = json.loads(done.stdout)
    [warning] = [w for w in envelope["Warnings"] if w["Kind"] == "Template"]
    assert warning["Line"] == 6 and warning["File"].endswith("template.yaml"), warning
    assert "Fn::ForEach::Tenants: its collection is not known" in warning["Message"], warning
    assert f"{warning['File']}:6: " in done.stderr
    # No function is known, so the code's own reading stands: any table.
    [policy] = envelope["Policies"]
    assert f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*" in json.dumps(policy)
