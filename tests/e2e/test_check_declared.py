"""`iamlens check` without --role/--policy: each deployed function's calls
against the policies its templates declare (tests/fixtures/check-declared:
SAM with inline policies and policy templates, plain CloudFormation roles
with attached policies, a CDK cloud assembly, Terraform roles with
jsonencode / aws_iam_policy_document policies, a Serverless app with
per-function roles) — per function, missing at the
call, excess at the template line, exit codes, and SARIF validated against
the pinned 2.1.0 schema."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "check-declared"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())


def project(tmp_path: Path, name: str) -> Path:
    """A fixture copied to a repository of its own (no .iamlens.toml above it)."""
    dest = tmp_path / name
    shutil.copytree(FIXTURES / name, dest)
    (dest / ".git").mkdir()
    return dest


def run(iamlens_bin: str, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run([iamlens_bin, "check", *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


def as_json(iamlens_bin: str, cwd: Path, *args: str) -> tuple[int, dict]:
    proc = run(iamlens_bin, cwd, "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def functions(report: dict) -> dict[str, dict]:
    return {f["Function"]: f for f in report["Functions"]}


def line_of(path: Path, text: str) -> int:
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return n
    raise AssertionError(f"{text!r} not in {path}")


def test_sam_inline_policies_and_policy_templates_per_function(iamlens_bin, tmp_path):
    cwd = project(tmp_path, "sam")
    code, report = as_json(iamlens_bin, cwd)
    assert code == 1
    fs = functions(report)
    assert set(fs) == {"GetInvoiceFunction", "StoreReceiptFunction", "ReportFunction"}

    exact = fs["GetInvoiceFunction"]
    assert exact["Checked"] and exact["Summary"]["Missing"] == 0 and exact["Summary"]["Excess"] == 0
    assert exact["Role"] == "GetInvoiceFunctionRole"
    assert any("AWSLambdaBasicExecutionRole" in n for n in exact["NotChecked"])

    missing = fs["StoreReceiptFunction"]
    assert [(m["Action"], m["Resource"]) for m in missing["Missing"]] == [("sqs:SendMessage", "arn:aws:sqs:*:*:invoice-jobs")]
    send = line_of(cwd / "src/store_receipt/app.py", "sqs.send_message")
    assert missing["Missing"][0]["File"].endswith("src/store_receipt/app.py") and missing["Missing"][0]["Line"] == send
    assert missing["Summary"]["Excess"] == 0

    broad = fs["ReportFunction"]
    assert broad["Summary"]["Missing"] == 0
    template = cwd / "template.yaml"
    lines = sorted(e["Line"] for e in broad["Excess"])
    assert lines == [line_of(template, "- S3ReadPolicy:"), line_of(template, "- DynamoDBCrudPolicy:")]
    assert all(e["File"] == "template.yaml" for e in broad["Excess"])
    # The policy templates were expanded to their statements, the bucket bound to its name.
    s3_read = next(p for p in broad["Policies"] if p["Name"].endswith("S3ReadPolicy"))
    resources = s3_read["Document"]["Statement"][0]["Resource"]
    assert resources == ["arn:aws:s3:::acme-invoice-receipts", "arn:aws:s3:::acme-invoice-receipts/*"]
    assert report["Summary"] == {"Functions": 3, "Missing": 1, "Excess": 2, "NotChecked": 0, "FilesRunByNoFunction": 0}


def test_exit_codes_and_fail_on_excess(iamlens_bin, tmp_path):
    exact = project(tmp_path, "sam-exact")
    assert run(iamlens_bin, exact).returncode == 0
    assert run(iamlens_bin, exact, "--fail-on", "excess").returncode == 0
    cdk = project(tmp_path, "cdk")
    proc = run(iamlens_bin, cdk)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # over-broad only
    assert run(iamlens_bin, cdk, "--fail-on", "excess").returncode == 1
    assert run(iamlens_bin, cdk, "--fail-on", "excess", "--allow", "dynamodb:*").returncode == 0


def test_text_names_each_function_its_policies_and_the_template_lines(iamlens_bin, tmp_path):
    cwd = project(tmp_path, "sam")
    proc = run(iamlens_bin, cwd)
    assert proc.returncode == 1
    out = proc.stdout
    assert "== StoreReceiptFunction (template.yaml:" in out
    assert re.search(r"src/store_receipt/app\.py:\d+:\d+: denied sqs\.send_message", out)
    assert f"template.yaml:{line_of(cwd / 'template.yaml', '- DynamoDBCrudPolicy:')}: excess: statement 1 of ReportFunction Policies[1] DynamoDBCrudPolicy" in out
    assert "not checked: AWS managed policy AWSLambdaBasicExecutionRole" in out
    assert "declared policies of 3 functions: 1 missing permission, 2 statements grant" in out


def test_cloudformation_roles_inline_attached_and_managed_policies(iamlens_bin, tmp_path):
    cwd = project(tmp_path, "cloudformation")
    code, report = as_json(iamlens_bin, cwd, "--region", "eu-west-1", "--account", "123456789012")
    assert code == 1
    fs = functions(report)
    ingest = fs["IngestFunction"]
    assert ingest["Role"] == "IngestRole"
    assert [p["Name"] for p in ingest["Policies"]] == ["IngestRole Policies[0] documents-table", "IngestQueuePolicy"]
    assert ingest["Summary"]["Missing"] == 0 and ingest["Summary"]["Excess"] == 0
    assert ingest["NotChecked"] == ["AWS managed policy service-role/AWSLambdaBasicExecutionRole (content unknown; AWS documents it as CloudWatch Logs writes only)"]

    archive = fs["ArchiveFunction"]
    assert [(m["Action"], m["Resource"]) for m in archive["Missing"]] == [
        ("sqs:DeleteMessage", "arn:aws:sqs:eu-west-1:123456789012:documents-to-archive")
    ]
    # `!Sub arn:${AWS::Partition}:s3:::${ArchiveBucket}/documents/*` resolved through the parameter default.
    archive_doc = archive["Policies"][0]["Document"]
    assert archive_doc["Statement"][0]["Resource"] == "arn:aws:s3:::acme-documents-archive/documents/*"

    audit = fs["AuditFunction"]
    template = cwd / "template.yaml"
    [excess] = audit["Excess"]
    assert (excess["File"], excess["Line"]) == ("template.yaml", line_of(template, "Action: s3:*") - 1)
    assert excess["NeededActions"] == ["s3:ListBucket"]


def test_cdk_grants_on_the_service_role(iamlens_bin, tmp_path):
    cwd = project(tmp_path, "cdk")
    code, report = as_json(iamlens_bin, cwd)
    assert code == 0
    fs = functions(report)
    ingest = next(f for name, f in fs.items() if name.startswith("IngestFunction"))
    assert ingest["Role"].startswith("IngestFunctionServiceRole")
    assert ingest["Summary"]["Missing"] == 0 and ingest["Summary"]["Excess"] == 0
    # The stack's environment (aws://123456789012/eu-west-1) binds the code's ARNs too.
    put = [a for c in ingest["Calls"] for a in c["Actions"] if a["Action"] == "dynamodb:PutItem"]
    assert put and put[0]["Resources"][0]["Resource"].startswith("arn:aws:dynamodb:eu-west-1:123456789012:table/IngestStack-IngestTable5A2F9D3E-")
    report_fn = next(f for name, f in fs.items() if name.startswith("ReportFunction"))
    [excess] = report_fn["Excess"]
    assert excess["File"] == "cdk.out/IngestStack.template.json"
    assert "dynamodb:Scan" in excess["GrantedActions"] and "dynamodb:GetItem" in excess["GrantedActions"]


def test_sarif_is_valid_and_points_at_the_call_and_the_template_line(iamlens_bin, tmp_path):
    cwd = project(tmp_path, "sam")
    proc = run(iamlens_bin, cwd, "--format", "sarif")
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    errors = [r for r in results if r["level"] == "error"]
    warnings = [r for r in results if r["level"] == "warning"]
    assert len(errors) == 1 and len(warnings) == 2
    where = errors[0]["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "src/store_receipt/app.py"
    assert where["region"]["startLine"] == line_of(cwd / "src/store_receipt/app.py", "sqs.send_message")
    assert errors[0]["properties"]["function"] == "StoreReceiptFunction"
    template_lines = sorted(w["locations"][0]["physicalLocation"]["region"]["startLine"] for w in warnings)
    assert template_lines == [line_of(cwd / "template.yaml", "- S3ReadPolicy:"), line_of(cwd / "template.yaml", "- DynamoDBCrudPolicy:")]
    assert {w["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for w in warnings} == {"template.yaml"}


def test_github_annotations_at_the_call_and_the_template(iamlens_bin, tmp_path):
    cwd = project(tmp_path, "cloudformation")
    proc = run(iamlens_bin, cwd, "--format", "github", "--region", "eu-west-1", "--account", "123456789012")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    errors = [l for l in lines if l.startswith("::error ")]
    warnings = [l for l in lines if l.startswith("::warning ")]
    assert len(errors) == 1 and "file=src/archive/handler.py" in errors[0] and "sqs%3ADeleteMessage" in errors[0]
    assert len(warnings) == 1 and f"file=template.yaml,line={line_of(cwd / 'template.yaml', 'Action: s3:*') - 1}" in warnings[0]


def test_no_templates_is_a_usage_error(iamlens_bin, tmp_path):
    cwd = tmp_path / "plain"
    cwd.mkdir()
    (cwd / ".git").mkdir()
    (cwd / "app.py").write_text("import boto3\nboto3.client('s3').list_buckets()\n")
    proc = run(iamlens_bin, cwd)
    assert proc.returncode == 2
    assert "no --role or --policy" in proc.stderr and "--iac" in proc.stderr


def test_explicit_iac_and_conflicts(iamlens_bin, tmp_path):
    cwd = project(tmp_path, "sam")
    code, report = as_json(iamlens_bin, cwd, "--iac", "template.yaml")
    assert code == 1 and report["Summary"]["Functions"] == 3
    proc = run(iamlens_bin, cwd, "--iac", "template.yaml", "--policy", "x.json")
    assert proc.returncode == 2
    proc = run(iamlens_bin, cwd, "--iac", "missing.yaml")
    assert proc.returncode == 2 and "--iac: missing.yaml does not exist" in proc.stderr


def test_terraform_role_policies_documents_and_attachments(iamlens_bin, tmp_path):
    cwd = project(tmp_path, "terraform")
    code, report = as_json(iamlens_bin, cwd, "--account", "123456789012")
    assert code == 1
    fs = functions(report)
    main = cwd / "main.tf"

    api = fs["aws_lambda_function.api"]
    assert api["Role"] == "aws_iam_role.api"
    assert [p["Name"] for p in api["Policies"]] == ["aws_iam_role_policy.api"]
    assert api["Summary"]["Missing"] == 0 and api["Summary"]["Excess"] == 0
    # jsonencode({...}) with the table's ARN from the configuration (region from the provider, account given).
    assert api["Policies"][0]["Document"]["Statement"][0]["Resource"] == "arn:aws:dynamodb:eu-west-1:123456789012:table/shop-prod-orders"

    worker = fs["aws_lambda_function.worker"]
    assert [p["Name"] for p in worker["Policies"]] == ["aws_iam_policy.worker"]
    assert worker["Policies"][0]["Document"]["Statement"][0]["Sid"] == "ConsumeJobs"
    assert worker["NotChecked"] == ["AWS managed policy service-role/AWSLambdaBasicExecutionRole (content unknown; AWS documents it as CloudWatch Logs writes only)"]
    assert [(m["Action"], m["Resource"]) for m in worker["Missing"]] == [("s3:PutObject", "arn:aws:s3:::shop-prod-exports/jobs/*.json")]

    export = fs["aws_lambda_function.export"]
    [excess] = export["Excess"]
    assert excess["File"] == "main.tf"
    # The statement's own line inside jsonencode({...}).
    assert excess["Line"] == line_of(main, 'Action   = "s3:*"') - 2
    assert excess["NeededActions"] == ["s3:GetObject"]


def test_serverless_shared_and_per_function_roles(iamlens_bin, tmp_path):
    cwd = project(tmp_path, "serverless")
    code, report = as_json(iamlens_bin, cwd)
    assert code == 1
    fs = functions(report)
    yml = cwd / "serverless.yml"
    assert fs["createInvoice"]["Summary"]["Missing"] == 0 and fs["createInvoice"]["Summary"]["Excess"] == 0
    assert fs["createInvoice"]["Role"] == "createInvoice (serverless-iam-roles-per-function)"
    render = fs["renderPdf"]
    assert [m["Action"] for m in render["Missing"]] == ["s3:PutObject"]
    shared = fs["listInvoices"]
    assert shared["Role"] == "IamRoleLambdaExecution"
    [excess] = shared["Excess"]
    assert (excess["File"], excess["Line"]) == ("serverless.yml", line_of(yml, "Action: dynamodb:*") - 1)
    assert "dynamodb:*" in excess["GrantedActions"]


def test_serverless_function_statements_without_the_plugin_are_not_applied(iamlens_bin, tmp_path):
    cwd = project(tmp_path, "serverless")
    yml = cwd / "serverless.yml"
    yml.write_text(yml.read_text().replace("plugins:\n  - serverless-iam-roles-per-function\n", ""))
    _, report = as_json(iamlens_bin, cwd)
    create = functions(report)["createInvoice"]
    assert create["Role"] == "IamRoleLambdaExecution"
    assert any("serverless-iam-roles-per-function plugin" in n for n in create["Notes"])
    assert [p["Name"] for p in create["Policies"]] == ["provider.iam.role.statements"]


@pytest.mark.parametrize("fixture", ["sam", "cloudformation", "cdk", "sam-exact", "terraform", "serverless"])
def test_every_fixture_reads_without_template_warnings(iamlens_bin, tmp_path, fixture):
    cwd = project(tmp_path, fixture)
    proc = run(iamlens_bin, cwd, "--format", "json")
    assert proc.returncode in (0, 1)
    assert "warning:" not in proc.stderr, proc.stderr


def test_changed_files_only_use_the_current_directorys_templates(iamlens_bin, tmp_path):
    """What the pre-commit hook passes: only the changed files; the functions that run none of them are not checked."""
    cwd = project(tmp_path, "sam")
    code, report = as_json(iamlens_bin, cwd, "src/store_receipt/app.py")
    assert code == 1
    fs = functions(report)
    assert [m["Action"] for m in fs["StoreReceiptFunction"]["Missing"]] == ["sqs:SendMessage"]
    assert not fs["ReportFunction"]["Checked"] and not fs["GetInvoiceFunction"]["Checked"]
    assert fs["ReportFunction"]["WhyNotChecked"].startswith("its code was not read")
    code, report = as_json(iamlens_bin, cwd, "src/get_invoice/app.py")
    assert code == 0 and report["Summary"]["Missing"] == 0 and report["Summary"]["Excess"] == 0


def test_terraform_plan_functions_take_the_configurations_policies(iamlens_bin, tmp_path):
    """tests/fixtures/iac/terraform-app: functions come from plan.json, policies from the .tf beside it;
    its role is granted nothing, so every call is missing; the registry module's role is not read."""
    dest = tmp_path / "terraform-app"
    shutil.copytree(ROOT / "tests" / "fixtures" / "iac" / "terraform-app", dest)
    (dest / ".git").mkdir()
    code, report = as_json(iamlens_bin, dest)
    assert code == 1
    fs = functions(report)
    orders = fs["aws_lambda_function.orders"]
    assert orders["Template"] == "plan.json" and orders["Role"] == "aws_iam_role.lambda" and orders["Checked"]
    assert orders["Policies"] == [] and len(orders["Missing"]) >= 4
    notifier = fs["module.notifier.aws_lambda_function.this[0]"]
    assert not notifier["Checked"] and any("registry module" in n for n in notifier["Notes"])


def test_github_notices_for_functions_not_checked(iamlens_bin, tmp_path):
    cwd = project(tmp_path, "sam")
    proc = run(iamlens_bin, cwd, "--format", "github", "src/get_invoice/app.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    notices = [l for l in proc.stdout.splitlines() if l.startswith("::notice ")]
    assert len(notices) == 2
    assert all("file=template.yaml" in n and "not checked" in n for n in notices)
    assert proc.stdout.splitlines()[-1].startswith("declared policies of 3 functions: 0 missing permissions")


def test_a_function_with_only_the_logs_policy_is_checked(iamlens_bin, tmp_path):
    """No `Policies`: SAM's role has only AWSLambdaBasicExecutionRole (logs), so every other call is missing."""
    cwd = tmp_path / "bare"
    (cwd / "src").mkdir(parents=True)
    (cwd / ".git").mkdir()
    (cwd / "src" / "app.py").write_text("import boto3\n\n\ndef handler(event, context):\n    return boto3.client('s3').list_buckets()\n")
    (cwd / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Bare:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n"
    )
    code, report = as_json(iamlens_bin, cwd)
    assert code == 1
    [bare] = report["Functions"]
    assert bare["Checked"] and [m["Action"] for m in bare["Missing"]] == ["s3:ListAllMyBuckets"]
    assert bare["NotChecked"] == ["AWS managed policy AWSLambdaBasicExecutionRole (SAM adds it to the role it creates) (content unknown; AWS documents it as CloudWatch Logs writes only)"]
