"""Infrastructure as code: `generate-policies` on projects whose templates
(SAM, CDK's cdk.out, Terraform with a plan, Serverless) say which code each
function runs and what its environment variables hold. One policy per
function, with the ARNs the templates give; hand-reviewed goldens in
tests/fixtures/expected-iac (IAMLENS_UPDATE_GOLDEN=1 rewrites them: review
the diff), each verified by iamlens's own evaluator (`--verify`). The MCP
tool takes the same path."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from test_mcp import MODES, check_structured, tool_schemas

REGION, ACCOUNT = "eu-west-1", "123456789012"

# Each fixture with the flags a person would pass for it.
PROJECTS = {
    "sam-orders": ["--stack-name", "orders-dev"],
    "cdk-app": [],
    "terraform-app": [],
    "serverless-app": [],
}


def run(iamlens_bin: str, repo_root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([iamlens_bin, "generate-policies", *args], cwd=repo_root, capture_output=True, text=True, timeout=120)


def generate(iamlens_bin: str, repo_root: Path, project: str, *extra: str) -> dict:
    done = run(iamlens_bin, repo_root, f"tests/fixtures/iac/{project}", "-r", REGION, "-a", ACCOUNT, *PROJECTS.get(project, []), *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def per_function(envelope: dict) -> dict[str, dict[str, list[str]]]:
    """Function id → action → resources (KMS actions taken on the caller's behalf left out)."""
    out: dict[str, dict[str, list[str]]] = {}
    for policy in envelope["Policies"]:
        function = policy["Function"]["Id"] if policy.get("Function") else None
        actions = out.setdefault(function, {})
        for statement in policy["Policy"]["Statement"]:
            for action in statement["Action"]:
                if not action.startswith("kms:"):
                    actions.setdefault(action, []).extend(statement["Resource"])
    return out


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_per_function_policies_match_the_reviewed_goldens_and_verify(iamlens_bin, repo_root, project):
    done = run(iamlens_bin, repo_root, f"tests/fixtures/iac/{project}", "-r", REGION, "-a", ACCOUNT, *PROJECTS[project], "--pretty")
    assert done.returncode == 0, done.stderr
    golden = repo_root / "tests/fixtures/expected-iac" / f"{project}.json"
    if os.environ.get("IAMLENS_UPDATE_GOLDEN"):
        golden.write_text(done.stdout)
    assert done.stdout == golden.read_text(), f"{project}: output differs from {golden} (IAMLENS_UPDATE_GOLDEN=1 rewrites it; review the diff)"
    verified = run(iamlens_bin, repo_root, f"tests/fixtures/iac/{project}", "-r", REGION, "-a", ACCOUNT, *PROJECTS[project], "--verify")
    assert verified.returncode == 0, verified.stderr
    report = json.loads(verified.stdout)["Verification"]
    assert len(report) == len({p["Function"]["Id"] if p.get("Function") else None for p in json.loads(verified.stdout)["Policies"]})


def test_sam_functions_get_only_their_own_resources(iamlens_bin, repo_root):
    functions = per_function(generate(iamlens_bin, repo_root, "sam-orders"))
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/dev-orders"
    assert functions["CreateOrderFunction"]["dynamodb:PutItem"] == [table]
    assert functions["CreateOrderFunction"]["sqs:SendMessage"] == [f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-dev-OrderEventsQueue-*"]
    assert functions["GetOrderFunction"] == {"dynamodb:GetItem": [table]}, "the reader may not write, queue or publish"
    assert "dynamodb:PutItem" not in functions["NotifyFunction"]
    assert set(functions) == {"CreateOrderFunction", "GetOrderFunction", "NotifyFunction"}


def test_template_parameters_and_the_stack_name_narrow_generated_names(iamlens_bin, repo_root, tmp_path):
    prod = per_function(generate(iamlens_bin, repo_root, "sam-orders", "--parameter-overrides", "Stage=prod"))
    assert prod["GetOrderFunction"]["dynamodb:GetItem"] == [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/prod-orders"]
    project = tmp_path / "sam-orders"
    shutil.copytree(repo_root / "tests/fixtures/iac/sam-orders", project)
    (project / "samconfig.toml").unlink()
    done = run(iamlens_bin, repo_root, str(project), "-r", REGION, "-a", ACCOUNT)
    unnamed = per_function(json.loads(done.stdout))
    # Without the stack name the generated queue name could be anything CloudFormation makes.
    assert unnamed["CreateOrderFunction"]["sqs:SendMessage"] == [f"arn:aws:sqs:{REGION}:{ACCOUNT}:*"]


def test_samconfig_beside_the_template_gives_what_sam_deploy_is_told(iamlens_bin, repo_root, tmp_path):
    project = tmp_path / "sam-orders"
    shutil.copytree(repo_root / "tests/fixtures/iac/sam-orders", project)
    # The fixture's own samconfig.toml deploys stack `orders-dev` with Stage=dev; say prod instead.
    (project / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\nstack_name = "orders-dev"\nparameter_overrides = "Stage=prod"\n'
    )
    done = run(iamlens_bin, repo_root, str(project), "-r", REGION, "-a", ACCOUNT)
    assert done.returncode == 0, done.stderr
    configured = per_function(json.loads(done.stdout))
    assert configured["GetOrderFunction"]["dynamodb:GetItem"] == [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/prod-orders"]
    assert configured["CreateOrderFunction"]["sqs:SendMessage"] != [f"arn:aws:sqs:{REGION}:{ACCOUNT}:*"], "the stack name narrows the generated queue name"
    # The command line wins over the file.
    told = per_function(json.loads(run(iamlens_bin, repo_root, str(project), "-r", REGION, "-a", ACCOUNT, "--parameter-overrides", "Stage=dev").stdout))
    assert told["GetOrderFunction"]["dynamodb:GetItem"] == [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/dev-orders"]
    # A broken file is named, and nothing of it is used.
    (project / "samconfig.toml").write_text("[default.deploy.parameters\n")
    broken = run(iamlens_bin, repo_root, str(project), "-r", REGION, "-a", ACCOUNT)
    assert broken.returncode == 0 and "samconfig.toml: not valid TOML" in broken.stderr, broken.stderr


def test_merged_is_one_union_policy_and_no_iac_is_the_code_alone(iamlens_bin, repo_root):
    merged = generate(iamlens_bin, repo_root, "sam-orders", "--merged")
    assert all("Function" not in p for p in merged["Policies"])
    union = per_function(merged)[None]
    assert {"dynamodb:PutItem", "dynamodb:GetItem", "sqs:SendMessage", "sns:Publish"} <= set(union)
    alone = generate(iamlens_bin, repo_root, "sam-orders", "--no-iac")
    assert per_function(alone)[None]["dynamodb:GetItem"] == [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*"]
    messages = [w["Message"] for w in alone["Warnings"] if w["Kind"] == "DynamicResource"]
    assert any("environment variable `TABLE_NAME`" in m and "--iac" in m for m in messages), messages


def test_iac_points_at_a_template_for_code_given_elsewhere(iamlens_bin, repo_root):
    done = run(
        iamlens_bin, repo_root, "tests/fixtures/iac/sam-orders/src", "--iac", "tests/fixtures/iac/sam-orders/template.yaml",
        "--stack-name", "orders-dev", "-r", REGION, "-a", ACCOUNT,
    )
    assert done.returncode == 0, done.stderr
    assert set(per_function(json.loads(done.stdout))) == {"CreateOrderFunction", "GetOrderFunction", "NotifyFunction"}
    missing = run(iamlens_bin, repo_root, "tests/fixtures/iac/sam-orders", "--iac", "no/such/template.yaml")
    assert missing.returncode == 2 and "--iac: no/such/template.yaml does not exist" in missing.stderr


def test_terraform_plan_values_and_module_functions(iamlens_bin, repo_root):
    functions = per_function(generate(iamlens_bin, repo_root, "terraform-app"))
    assert set(functions) == {"aws_lambda_function.orders", "aws_lambda_function.dispatcher", "module.notifier.aws_lambda_function.this[0]"}
    orders = functions["aws_lambda_function.orders"]
    assert orders["dynamodb:PutItem"] == [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/shop-prod-orders"]
    assert orders["s3:PutObject"] == ["arn:aws:s3:::prod-reports/orders/*.json"], "the bucket is `${var.env}-reports` with env=prod from terraform.tfvars"
    # The Go function reads os.Getenv too.
    assert functions["aws_lambda_function.dispatcher"]["sns:Publish"] == [f"arn:aws:sns:{REGION}:{ACCOUNT}:shop-prod-order-events"]


def test_cdk_functions_map_back_to_their_source_directories(iamlens_bin, repo_root):
    envelope = generate(iamlens_bin, repo_root, "cdk-app")
    functions = per_function(envelope)
    ingest = functions["IngestFunction8F3E2B1C"]
    assert ingest["s3:GetObject"] == ["arn:aws:s3:::ingeststack-ingestbucket2b8d1a7c-*/*"]
    assert "ReportFunction3B6A9E2D" in functions, "the esbuild bundle names lambda/report/index.ts"
    assert None not in functions, "every file with AWS calls is some function's code"


def test_serverless_stage_and_self_references(iamlens_bin, repo_root):
    dev = per_function(generate(iamlens_bin, repo_root, "serverless-app"))
    assert dev["createInvoice"]["dynamodb:PutItem"] == [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/invoices-dev-invoices"]
    prod = per_function(generate(iamlens_bin, repo_root, "serverless-app", "--stage", "prod"))
    assert prod["createInvoice"]["dynamodb:PutItem"] == [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/invoices-prod-invoices"]


@pytest.mark.parametrize("project", ["malformed", "terraform-malformed"])
def test_bad_templates_never_fail_a_run_and_are_named(iamlens_bin, repo_root, project):
    done = run(iamlens_bin, repo_root, f"tests/fixtures/iac/{project}", "-r", REGION, "-a", ACCOUNT)
    assert done.returncode == 0, done.stderr
    warnings = json.loads(done.stdout)["Warnings"]
    template = [w for w in warnings if w["Kind"] == "Template"]
    assert template, warnings
    for w in template:
        assert w["Line"] >= 1 and w["File"].startswith(f"tests/fixtures/iac/{project}/"), w
        assert f"warning: {w['File']}:{w['Line']}: " in done.stderr


def test_files_outside_every_function_are_named(iamlens_bin, repo_root, tmp_path):
    project = tmp_path / "app"
    shutil.copytree(repo_root / "tests/fixtures/iac/sam-orders", project)
    (project / "scripts").mkdir()
    (project / "scripts" / "backfill.py").write_text('import boto3\nboto3.client("s3").list_buckets()\n')
    done = run(iamlens_bin, repo_root, str(project), "--stack-name", "orders-dev")
    assert done.returncode == 0, done.stderr
    envelope = json.loads(done.stdout)
    assert per_function(envelope)[None] == {"s3:ListAllMyBuckets": ["*"]}
    [outside] = [w for w in envelope["Warnings"] if w["Kind"] == "OutsideFunctions"]
    assert "backfill.py" in outside["Message"] and '"Function": null' in outside["Message"]


def test_uploading_per_function_policies_asks_for_merged(iamlens_bin, repo_root):
    done = run(iamlens_bin, repo_root, "tests/fixtures/iac/sam-orders", "--upload-policies", "--dry-run")
    assert done.returncode == 2
    assert "--merged" in done.stderr and "--no-iac" in done.stderr


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_mcp_generate_reads_the_templates_too(iamlens_bin, repo_root, mode):
    target = StdioServerParameters(command=iamlens_bin, args=["mcp-server", "-t", "stdio"])
    async with Client(target, mode=mode, read_timeout_seconds=60) as client:
        tools = await tool_schemas(client)
        args = {"SourceFiles": [str(repo_root / "tests/fixtures/iac/sam-orders")], "Region": REGION, "Account": ACCOUNT, "StackName": "orders-dev"}
        data = check_structured(await client.call_tool("generate_application_policies", args), tools["generate_application_policies"])
        cli = generate(iamlens_bin, repo_root, "sam-orders")
        assert per_function(data) == per_function(cli)
        merged = check_structured(
            await client.call_tool("generate_application_policies", {**args, "ReadTemplates": False}), tools["generate_application_policies"]
        )
        assert all("Function" not in p for p in merged["Policies"])


def test_snippet_formats_need_one_policy(iamlens_bin, repo_root):
    done = run(iamlens_bin, repo_root, "tests/fixtures/iac/sam-orders", "--format", "terraform")
    assert done.returncode == 2 and "--merged" in done.stderr
    merged = run(iamlens_bin, repo_root, "tests/fixtures/iac/sam-orders", "--format", "terraform", "--merged")
    assert merged.returncode == 0 and 'data "aws_iam_policy_document"' in merged.stdout


@pytest.mark.asyncio
async def test_language_server_hints_and_hovers_show_the_template_resource(iamlens_bin, repo_root, tmp_path):
    from lsprotocol import types

    from lsp_support import inlay_hints, label_text, open_doc, position_of, start_client, wait_for_index

    project = tmp_path / "orders"
    shutil.copytree(repo_root / "tests/fixtures/iac/sam-orders", project)
    source = project / "src/get_order/app.py"
    text = source.read_text()
    client, _, _ = await start_client(iamlens_bin, root=project, options={"iamlens": {"region": REGION, "account": ACCOUNT}})
    try:
        await wait_for_index(client)
        uri = open_doc(client, source, text)
        labels = [label_text(h) for h in await inlay_hints(client, uri)]
        assert "dynamodb:GetItem +1 ← OrdersTable" in labels, labels  # +1: kms:Decrypt on the caller's behalf
        at = position_of(text, "get_item(")
        hover = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=at))
        assert hover is not None
        value = hover.contents.value
        assert f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/dev-orders" in value, value
        assert "`TableName` ← `TABLE_NAME` ← `OrdersTable`" in value, value
        # A file no template deploys keeps the wildcard and says which variable it waits for.
        loose = project / "scripts" / "report.py"
        loose.parent.mkdir()
        loose_text = 'import os\nimport boto3\n\nboto3.client("dynamodb").get_item(TableName=os.environ["TABLE_NAME"], Key={})\n'
        loose.write_text(loose_text)
        loose_uri = open_doc(client, loose, loose_text)
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=loose_uri), position=position_of(loose_text, "get_item("))
        )
        assert f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*" in hover.contents.value
        assert "no template in the workspace sets it" in hover.contents.value
    finally:
        await client.shutdown_session()
