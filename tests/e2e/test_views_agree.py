"""One settings type, the same answer in every view. For every fixture of the
corpus, the policies `generate-policies` prints, the language server's
`iamlens.generatePolicy` for that file returns and MCP's
`generate_application_policies` returns are byte-identical (same region and
account in all three). Read from the snapshots test_outputs_unchanged.py checks
the binary against, so a view that drifts fails here even when its snapshot
was accepted. And a role checked in every view (`check --role`,
`iamlens.checkRole`, `check_role`) against moto gets the same verdicts, the
same missing permissions and the same excess grants, under the same allow
rules (`.iamlens.toml` and the allow given with the check)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

OUTPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "outputs"


def load(name: str) -> dict:
    return json.loads((OUTPUTS / f"{name}.json").read_text())


def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def cli_policies(entry: dict):
    return json.loads("\n".join(entry["stdout"]))["Policies"]


def lsp_policies(entry: dict):
    [generated] = [c for c in entry["workspace/executeCommand"] if c["command"] == "iamlens.generatePolicy" and c["argument"].get("scope") == "file"]
    return generated["result"]["Policies"]


def fixtures_in_all_views() -> list[str]:
    cli, lsp, mcp = load("cli"), load("lsp"), load("mcp")
    names = []
    for key in cli:
        if key.startswith("generate-policies/") and key.endswith(".py") and key.count("/") == 1:
            name = key.split("/", 1)[1]
            if f"file/{name}" in lsp and f"legacy/generate_application_policies/{name}" in mcp:
                names.append(name)
    return sorted(names)


NAMES = fixtures_in_all_views()


def test_the_corpus_is_compared_in_all_three_views():
    assert len(NAMES) >= 45, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_cli_lsp_and_mcp_print_the_same_policies(name):
    cli = cli_policies(load("cli")[f"generate-policies/{name}"])
    lsp = lsp_policies(load("lsp")[f"file/{name}"])
    mcp = load("mcp")[f"legacy/generate_application_policies/{name}"]["result"]["structuredContent"]["Policies"]
    assert compact(cli) == compact(lsp), f"{name}: CLI and language server differ"
    assert compact(cli) == compact(mcp), f"{name}: CLI and MCP differ"


# --- role checks: `check --role`, `iamlens.checkRole` and `check_role` -----------

ROLE_APP = '''\
import boto3

s3 = boto3.client("s3")
sqs = boto3.client("sqs")
table = boto3.resource("dynamodb").Table("orders")


def read_report():
    return s3.get_object(Bucket="reports", Key="2024/summary.csv")


def enqueue(body):
    sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/jobs", MessageBody=body)


def save(order):
    table.put_item(Item=order)


def load(key):
    return table.get_item(Key=key)
'''

# Allowed (the report read: SSE-KMS decrypts granted through S3 only), denied by
# a named statement (the enqueue), depends on a condition the code does not
# settle (the write), and allowed on a table ARN that names the account (the
# read: the code names no account, the role's account binds it).
ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com", "dynamodb.us-east-1.amazonaws.com"]}}},
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
        {"Sid": "NoQueueWrites", "Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*"},
        {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b"}}},
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/orders"},
        # Grants no call needs: excess, unless an allow rule records them.
        {"Sid": "OldExports", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::reports/*"},
        {"Sid": "RuntimeLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"},
        {"Sid": "Tracing", "Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"},
    ],
}
# The project records the runtime's logs; each check is given the tracing.
PROJECT_ALLOW = '[check]\n# The Lambda runtime writes the logs.\nallow = ["logs:*"]\n'
GIVEN_ALLOW = "xray:PutTraceSegments"
ROLE_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
MODELS = ("permissions boundary", "not read")


def verdicts(calls: list[dict]) -> dict:
    """Each call site (line, column, call) and its verdict, decision and
    per-action decisions: what must agree across views."""
    return {
        (c["Line"], c["Column"], c["Call"]): (c["Verdict"], compact(c["Decision"]), compact(sorted((a["Action"], compact(a["Decision"])) for a in c["Actions"])))
        for c in calls
    }


@pytest.mark.asyncio
async def test_role_verdicts_agree_in_cli_lsp_and_mcp(iamlens_bin, moto_endpoint, iam_client, tmp_path):
    import os
    import subprocess

    from lsp_support import execute, open_doc, start_client, wait_for_index
    from test_mcp import check_structured, stdio_client_with_env, tool_schemas

    iam_client.create_role(RoleName="app-role", Path="/service/", AssumeRolePolicyDocument=json.dumps(ROLE_TRUST))
    iam_client.put_role_policy(RoleName="app-role", PolicyName="app", PolicyDocument=json.dumps(ROLE_POLICY))
    role_arn = "arn:aws:iam::123456789012:role/service/app-role"
    app = tmp_path / "app.py"
    app.write_text(ROLE_APP)
    # A repository of its own, so no .iamlens.toml above it is read.
    (tmp_path / ".git").mkdir()
    (tmp_path / ".iamlens.toml").write_text(PROJECT_ALLOW)

    def cli_check(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [iamlens_bin, "check", "--role", role_arn, "-r", "us-east-1", str(app), *extra],
            capture_output=True, text=True, timeout=60, env=os.environ.copy(), cwd=tmp_path,
        )

    # Every view is given the role by its ARN, the region and the allowed glob.
    proc = cli_check("--allow", GIVEN_ALLOW, "--json")
    assert proc.returncode == 1, proc.stderr
    cli = json.loads(proc.stdout)
    text = cli_check("--allow", GIVEN_ALLOW).stdout
    (tmp_path / "no-rules.toml").write_text("")
    unexcused_cli = json.loads(cli_check("--config", "no-rules.toml", "--json").stdout)

    client, _, _ = await start_client(iamlens_bin, root=tmp_path, options={"iamlens": {"region": "us-east-1"}})
    try:
        await wait_for_index(client)
        uri = open_doc(client, app, ROLE_APP)
        lsp = await execute(client, "iamlens.checkRole", {"role": role_arn, "scope": "file", "uri": uri, "allow": [GIVEN_ALLOW]})
        unexcused_lsp = await execute(client, "iamlens.checkRole", {"role": role_arn, "scope": "file", "uri": uri})
    finally:
        await client.shutdown_session()

    async with stdio_client_with_env(iamlens_bin, "2026-07-28") as mcp_client:
        tools = await tool_schemas(mcp_client)
        args = {"RoleName": role_arn, "SourceFiles": [str(app)], "Region": "us-east-1"}
        result = await mcp_client.call_tool("check_role", {**args, "Allow": [GIVEN_ALLOW]})
        mcp = check_structured(result, tools["check_role"])
        unexcused_mcp = check_structured(await mcp_client.call_tool("check_role", args), tools["check_role"])

    expected = {"s3.get_object": "allowed", "sqs.send_message": "denied", "table.put_item": "depends", "table.get_item": "allowed"}
    for name, view in (("CLI", cli), ("language server", lsp), ("MCP", mcp)):
        got = {c["Call"].split("(")[0]: c["Verdict"] for c in view["Calls"]}
        assert got == expected, f"{name}: {got}"
        denied = next(c for c in view["Calls"] if c["Verdict"] == "denied")
        assert denied["Decision"]["Decision"] == "ExplicitDeny" and "NoQueueWrites" in compact(denied["Decision"]), f"{name}: {denied['Decision']}"
        # Each says what it models.
        assert all(m in view["Models"] for m in MODELS), f"{name}: {view.get('Models')}"
    assert verdicts(lsp["Calls"]) == verdicts(cli["Calls"]), "CLI and language server differ"
    assert verdicts(mcp["Calls"]) == verdicts(cli["Calls"]), "CLI and MCP differ"
    assert "service and resource control policies, resource-based policies and session policies are not read" in text

    # Missing: the denied enqueue, the same in every view.
    for name, view in (("language server", lsp), ("MCP", mcp)):
        assert compact(view["Missing"]) == compact(cli["Missing"]), f"CLI and {name} differ on missing"
    [missing] = cli["Missing"]
    assert (missing["Action"], missing["Resource"]) == ("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs"), missing

    # Excess: the same grants, the same narrower grants, the same allow rules.
    for name, view in (("language server", lsp), ("MCP", mcp)):
        assert compact(view["Excess"]) == compact(cli["Excess"]), f"CLI and {name} differ on excess"
        assert compact(view["Summary"]) == compact(cli["Summary"]), f"CLI and {name} differ on the summary"
        assert view["Allowed"] == cli["Allowed"] == ["logs:*", GIVEN_ALLOW], f"{name}: {view['Allowed']}"
        assert "excess is relative to the code that was read" in view["ExcessIsRelative"], name
    excess = {(g["Statement"]["Sid"], g["Statement"]["Index"]): g for g in cli["Excess"]}
    # `sqs:*` on `*` narrows to the one send the code makes.
    sqs = excess[(None, 2)]
    assert (sqs["GrantedActions"], sqs["NeededActions"], sqs["NeededResources"]) == (
        ["sqs:*"], ["sqs:SendMessage"], ["arn:aws:sqs:us-east-1:123456789012:jobs"]
    ), sqs
    # No call writes reports: the whole statement is unneeded.
    old = excess[("OldExports", 6)]
    assert (old["NeededActions"], old["NeededResources"]) == ([], []), old
    # The logs (.iamlens.toml) and the tracing (allowed with the check) are not excess...
    assert not {sid for sid, _ in excess} & {"RuntimeLogs", "Tracing"}, sorted(excess, key=str)
    assert cli["Summary"]["Excess"] == len(cli["Excess"])
    # ...and are when no rule records them: the project's file in the CLI
    # (an empty --config), the given glob in the language server and MCP.
    sids = lambda view: {g["Statement"]["Sid"] for g in view["Excess"]}  # noqa: E731
    assert {"RuntimeLogs", "Tracing"} <= sids(unexcused_cli), sids(unexcused_cli)
    for name, view in (("language server", unexcused_lsp), ("MCP", unexcused_mcp)):
        assert "Tracing" in sids(view) and "RuntimeLogs" not in sids(view), f"{name}: {sids(view)}"
        assert view["Allowed"] == ["logs:*"], f"{name}: {view['Allowed']}"
