"""The MCP endpoint end to end: the official Python MCP client against the real
binary, over stdio and standalone streamable HTTP, in both protocol eras (the
initialize/session era and the stateless 2026-07-28 revision).

Every tool is called; every structured result is validated against the output
schema the server declares, and must equal the JSON in its text content.
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import asynccontextmanager
from pathlib import Path

import jsonschema
import mcp.types as mcp_types
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError

MODES = ["legacy", "2026-07-28"]
TRANSPORTS = ["stdio", "http"]

APP = """\
import boto3

s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table("orders")


def load_report(key):
    return s3.get_object(Bucket="reports-bucket", Key=key)["Body"].read()


def save_order(order):
    table.put_item(Item=order)
"""

NOT_AWS = """\
class Cache:
    def get_item(self, Key):
        return None


db = Cache()
db.get_item(Key={"id": 1})
"""

EXPECTED_TOOLS = {
    "generate_application_policies",
    "generate_policy_for_access_denied",
    "fix_access_denied",
    "explain_code",
    "search_actions",
    "describe_operation",
    "check_role",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "not_aws.py").write_text(NOT_AWS)
    return tmp_path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"iamlens mcp-server exited early: {proc.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"iamlens mcp-server did not listen on {port}")


class AuthUrl(str):
    """The endpoint URL of a standalone HTTP server, with the bearer token it wrote."""

    token: str

    def auth(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


def _read_token(path: Path, deadline: float) -> str:
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.05)
    raise RuntimeError(f"iamlens mcp-server wrote no token to {path}")


def start_http(iamlens_bin: str, token_file: Path, env: dict | None = None) -> tuple[subprocess.Popen, AuthUrl]:
    port = _free_port()
    proc = subprocess.Popen(
        [iamlens_bin, "mcp-server", "-t", "http", "-p", str(port), "-b", "127.0.0.1", "--token-file", str(token_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    _wait_port(port, proc, time.monotonic() + 20)
    url = AuthUrl(f"http://127.0.0.1:{port}/mcp")
    url.token = _read_token(token_file, time.monotonic() + 20)
    return proc, url


def http_client_target(url: AuthUrl):
    """What `Client` connects to: the endpoint with its bearer token."""
    return streamable_http_client(url, http_client=create_mcp_http_client(headers=url.auth()))


@pytest.fixture(scope="module")
def http_url(iamlens_bin, tmp_path_factory):
    proc, url = start_http(iamlens_bin, tmp_path_factory.mktemp("mcp-http") / "token")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


@asynccontextmanager
async def connect(transport: str, mode: str, iamlens_bin: str, http_url_factory):
    if transport == "stdio":
        target = StdioServerParameters(command=iamlens_bin, args=["mcp-server", "-t", "stdio"])
    else:
        target = http_client_target(http_url_factory())
    async with Client(target, mode=mode, read_timeout_seconds=60) as client:
        yield client


@pytest.fixture
def open_client(iamlens_bin, request):
    """`open_client(transport, mode)` → an async context manager yielding a connected client."""

    def factory(transport: str, mode: str):
        return connect(transport, mode, iamlens_bin, lambda: request.getfixturevalue("http_url"))

    return factory


async def tool_schemas(client: Client) -> dict:
    listed = await client.list_tools()
    return {tool.name: tool for tool in listed.tools}


def check_structured(result, tool) -> dict:
    """The result is a success whose structured content fits the declared schema
    and is the same JSON as its text content."""
    assert not result.is_error, f"{tool.name} failed: {result.content}"
    assert tool.output_schema, f"{tool.name} declares no output schema"
    data = result.structured_content
    jsonschema.validate(data, tool.output_schema)
    texts = [block.text for block in result.content if getattr(block, "type", None) == "text"]
    assert texts and json.loads(texts[0]) == data
    return data


def actions_of(envelope: dict) -> set[str]:
    found = set()
    for policy in envelope["Policies"]:
        for statement in policy["Policy"]["Statement"]:
            acts = statement["Action"]
            found.update([acts] if isinstance(acts, str) else acts)
    return found


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_server_names_iamlens_and_lists_tools_with_schemas(open_client, iamlens_bin, transport, mode):
    async with open_client(transport, mode) as client:
        # `auto` probes server/discover: iamlens speaks the stateless revision.
        assert client.protocol_version == ("2025-11-25" if mode == "legacy" else "2026-07-28")
        assert client.server_info.name == "iamlens"
        version = subprocess.run([iamlens_bin, "version"], capture_output=True, text=True, timeout=20).stdout.split()[1]
        assert client.server_info.version == version
        tools = await tool_schemas(client)
        assert EXPECTED_TOOLS <= set(tools), sorted(tools)
        # The editor-only tool is not offered by a standalone server.
        assert "workspace_policy" not in tools
        for tool in tools.values():
            assert tool.description
            assert tool.input_schema["type"] == "object"
            assert tool.output_schema and tool.output_schema["type"] == "object"


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_generate_application_policies_scopes_literal_resources(open_client, transport, mode, project):
    async with open_client(transport, mode) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool(
            "generate_application_policies",
            {"SourceFiles": [str(project / "app.py")], "Region": "us-east-1", "Account": "123456789012"},
        )
        data = check_structured(result, tools["generate_application_policies"])
        assert {"s3:GetObject", "dynamodb:PutItem"} <= actions_of(data)
        resources = json.dumps(data["Policies"])
        assert "arn:aws:s3:::reports-bucket/*" in resources
        assert "arn:aws:dynamodb:us-east-1:123456789012:table/orders" in resources


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_generate_honours_peer_options_and_explains(open_client, mode, project):
    async with open_client("stdio", mode) as client:
        tools = await tool_schemas(client)
        hinted = await client.call_tool(
            "generate_application_policies", {"SourceFiles": [str(project / "app.py")], "ServiceHints": ["s3"]}
        )
        actions = actions_of(check_structured(hinted, tools["generate_application_policies"]))
        assert "s3:GetObject" in actions and "dynamodb:PutItem" not in actions

        explained = await client.call_tool(
            "generate_application_policies", {"SourceFiles": [str(project / "app.py")], "Explain": ["dynamodb:*"]}
        )
        data = check_structured(explained, tools["generate_application_policies"])
        assert [(e["Action"], e["Line"]) for e in data["Explanations"]] == [("dynamodb:PutItem", 12)]

        with pytest.raises(MCPError) as bad_region:
            await client.call_tool("generate_application_policies", {"SourceFiles": [str(project)], "Region": "Frankfurt"})
        assert "Region" in str(bad_region.value)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_generate_accepts_a_directory_and_ignores_code_without_aws(open_client, mode, project):
    async with open_client("stdio", mode) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool("generate_application_policies", {"SourceFiles": [str(project)]})
        data = check_structured(result, tools["generate_application_policies"])
        assert "dynamodb:GetItem" not in actions_of(data)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_explain_code_lists_calls_with_actions(open_client, transport, mode, project):
    async with open_client(transport, mode) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool("explain_code", {"Path": str(project / "app.py")})
        data = check_structured(result, tools["explain_code"])
        assert data["ImportsAwsSdk"] is True
        get_object = next(c for c in data["Calls"] if c["Operation"] == "GetObject")
        assert get_object["Service"] == "s3"
        assert get_object["Line"] == 8
        assert any(a["Action"] == "s3:GetObject" for a in get_object["Actions"])

        pasted = await client.call_tool("explain_code", {"Source": NOT_AWS})
        data = check_structured(pasted, tools["explain_code"])
        assert data["ImportsAwsSdk"] is False and data["Calls"] == []


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_explain_code_reports_what_it_could_not_parse(open_client, mode):
    broken = 'import boto3\ns3 = boto3.client("s3")\ndef broken(:\n    pass\ns3.list_buckets()\n'
    async with open_client("stdio", mode) as client:
        tools = await tool_schemas(client)
        data = check_structured(await client.call_tool("explain_code", {"Source": broken}), tools["explain_code"])
        assert any(f["Kind"] == "SyntaxError" for f in data["Findings"])
        # What could be recovered is still analysed.
        assert any(c["Operation"] == "ListBuckets" for c in data["Calls"])


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_search_actions_finds_pass_role(open_client, transport, mode):
    async with open_client(transport, mode) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool("search_actions", {"Query": "PassRole", "Limit": 10})
        data = check_structured(result, tools["search_actions"])
        assert "iam:PassRole" in [a["Action"] for a in data["Actions"]]


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_describe_operation_matches_iamlens_lookup(open_client, iamlens_bin, transport, mode):
    lookup = subprocess.run(
        [iamlens_bin, "lookup", "sqs", "send_message", "--json"], capture_output=True, text=True, timeout=20
    )
    assert lookup.returncode == 0, lookup.stderr
    async with open_client(transport, mode) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool("describe_operation", {"Service": "sqs", "Operation": "SendMessage"})
        data = check_structured(result, tools["describe_operation"])
        assert data == json.loads(lookup.stdout)
        send = next(a for a in data["Actions"] if a["Action"] == "sqs:SendMessage")
        assert any("${QueueName}" in r for r in send["Resources"])

        with pytest.raises(MCPError) as typo:
            await client.call_tool("describe_operation", {"Service": "sqs", "Operation": "send_mesage"})
        assert "Operation" in str(typo.value) and "send_message" in str(typo.value)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_concurrent_calls_each_get_their_own_answer(open_client, transport, mode, project):
    queries = ["send message", "get object", "put item", "pass role", "decrypt", "receive message"] * 3
    async with open_client(transport, mode) as client:
        results = await asyncio.gather(*(client.call_tool("search_actions", {"Query": q, "Limit": 50}) for q in queries))
        for query, result in zip(queries, results):
            assert not result.is_error
            assert result.structured_content["Query"] == query
            words = query.split()
            assert all(all(w in a["Action"].lower() for w in words) for a in result.structured_content["Actions"])


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_bad_arguments_are_protocol_errors_naming_the_argument(open_client, mode):
    async with open_client("stdio", mode) as client:
        with pytest.raises(MCPError) as missing:
            await client.call_tool("generate_application_policies", {})
        assert "SourceFiles" in str(missing.value)
        assert missing.value.error.code == -32602

        with pytest.raises(MCPError) as relative:
            await client.call_tool("generate_application_policies", {"SourceFiles": ["app.py"]})
        assert "SourceFiles" in str(relative.value) and "absolute" in str(relative.value)

        with pytest.raises(MCPError) as typed:
            await client.call_tool("search_actions", {"Query": "s3", "Limit": "ten"})
        assert "Limit" in str(typed.value)

        with pytest.raises(MCPError) as unknown:
            await client.call_tool("generate_policies", {"SourceFiles": ["/a.py"]})
        assert unknown.value.error.code == -32602
        assert "generate_application_policies" in str(unknown.value)

        with pytest.raises(MCPError) as editor_only:
            await client.call_tool("workspace_policy", {})
        assert "embedded in the editor" in str(editor_only.value)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_tool_failures_are_error_results_an_agent_can_act_on(open_client, mode, tmp_path):
    missing = tmp_path / "does_not_exist.py"
    async with open_client("stdio", mode) as client:
        result = await client.call_tool("generate_application_policies", {"SourceFiles": [str(missing)]})
        assert result.is_error
        message = " ".join(block.text for block in result.content)
        assert str(missing) in message


# --- HTTP security -----------------------------------------------------------

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "raw-test", "version": "0"},
    },
}


def post(url: str, body: dict, headers: dict | None = None) -> tuple[int, dict, str]:
    """POST to the endpoint, with its bearer token unless `headers` says otherwise."""
    auth = url.auth() if isinstance(url, AuthUrl) else {}
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream", **auth, **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def test_http_rejects_foreign_origin(http_url):
    status, _, _ = post(http_url, INITIALIZE, {"Origin": "http://evil.example"})
    assert status == 403
    status, headers, _ = post(http_url, INITIALIZE, {"Origin": "http://localhost:5173"})
    assert status == 200
    assert "mcp-session-id" in {k.lower() for k in headers}


@pytest.mark.parametrize("version", ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"])
def test_older_session_era_clients_get_their_own_version(http_url, version):
    body = json.loads(json.dumps(INITIALIZE))
    body["params"]["protocolVersion"] = version
    status, _, text = post(http_url, body)
    assert status == 200, text
    payload = json.loads(text[text.index("{"):].splitlines()[0])
    assert payload["result"]["protocolVersion"] == version
    assert payload["result"]["serverInfo"]["name"] == "iamlens"


def test_http_rejects_foreign_host(http_url):
    port = http_url.split(":")[2].split("/")[0]
    status, _, _ = post(http_url, INITIALIZE, {"Host": f"attacker.example:{port}"})
    assert status == 403


def test_http_discover_names_iamlens_without_a_session(http_url):
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "server/discover",
        "params": {
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientInfo": {"name": "raw-test", "version": "0"},
                "io.modelcontextprotocol/clientCapabilities": {},
            }
        },
    }
    status, headers, text = post(
        http_url, body, {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "server/discover"}
    )
    assert status == 200, text
    assert "mcp-session-id" not in {k.lower() for k in headers}
    payload = json.loads(text[text.index("{"):]) if not text.startswith("{") else json.loads(text)
    result = payload["result"]
    assert "2026-07-28" in result["supportedVersions"]
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "iamlens"


def test_http_stateless_headers_must_match_the_body(http_url):
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw-test", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "search_actions", "arguments": {"Query": "PassRole"}, "_meta": meta},
    }
    headers = {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call"}
    status, _, text = post(http_url, call, {**headers, "Mcp-Name": "explain_code"})
    assert status == 400 and "-32020" in text
    status, _, text = post(http_url, call, {**headers, "Mcp-Name": "search_actions"})
    assert status == 200 and "iam:PassRole" in text


def test_http_refuses_a_public_bind(iamlens_bin):
    out = subprocess.run(
        [iamlens_bin, "mcp-server", "-t", "http", "-b", "0.0.0.0", "-p", str(_free_port())],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert out.returncode == 2
    assert "loopback" in out.stderr


def test_unknown_transport_is_a_usage_error(iamlens_bin):
    out = subprocess.run([iamlens_bin, "mcp-server", "-t", "sse"], capture_output=True, text=True, timeout=20)
    assert out.returncode == 2
    assert "`-t stdio` or `-t http`" in out.stderr


# --- AccessDenied: explain, and fix only with the user's consent ---------------

IMPLICIT_DENIAL = (
    "An error occurred (AccessDenied) when calling the GetObject operation: User: "
    "arn:aws:iam::123456789012:user/dev is not authorized to perform: s3:GetObject on resource: "
    "arn:aws:s3:::reports-bucket/q1.csv because no identity-based policy allows the s3:GetObject action"
)
SCP_DENIAL = (
    "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: s3:GetObject on resource: "
    "arn:aws:s3:::reports-bucket/q1.csv with an explicit deny in a service control policy"
)


def answering(apply: bool | None, asked: list):
    """An elicitation callback that records the question and answers it."""

    async def callback(context, params):
        asked.append(params.message)
        if apply is None:
            return mcp_types.ElicitResult(action="decline")
        return mcp_types.ElicitResult(action="accept", content={"apply": apply})

    return callback


@asynccontextmanager
async def stdio_client_with_env(iamlens_bin, mode, *extra_args, **client_kwargs):
    params = StdioServerParameters(
        command=iamlens_bin, args=["mcp-server", "-t", "stdio", *extra_args], env=dict(os.environ)
    )
    async with Client(params, mode=mode, read_timeout_seconds=60, **client_kwargs) as client:
        yield client


def inline_policy(iam_client, user: str):
    try:
        return iam_client.get_user_policy(UserName=user, PolicyName=f"iamlens-{user}")["PolicyDocument"]
    except iam_client.exceptions.NoSuchEntityException:
        return None


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_generate_policy_for_access_denied_explains_the_denial(open_client, transport, mode):
    async with open_client(transport, mode) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool("generate_policy_for_access_denied", {"ErrorMessage": IMPLICIT_DENIAL})
        data = check_structured(result, tools["generate_policy_for_access_denied"])
        assert data["Action"] == "s3:GetObject"
        assert data["Resource"] == "arn:aws:s3:::reports-bucket/q1.csv"
        assert data["PolicyType"] == "identity-based"
        statement = data["ProposedPolicy"]["Statement"][0]
        assert statement["Effect"] == "Allow"

        with pytest.raises(MCPError) as not_aws:
            await client.call_tool("generate_policy_for_access_denied", {"ErrorMessage": "hello"})
        assert "ErrorMessage" in str(not_aws.value)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_fix_access_denied_without_elicitation_only_plans(iamlens_bin, mode, moto_endpoint, iam_client):
    iam_client.create_user(UserName="dev")
    async with stdio_client_with_env(iamlens_bin, mode) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool("fix_access_denied", {"ErrorMessage": IMPLICIT_DENIAL})
        data = check_structured(result, tools["fix_access_denied"])
        assert data["Status"] == "planned" and data["Applied"] is False
        assert data["Change"]["PolicyName"] == "iamlens-dev"
        assert "--allow-unattended-apply" in data["HowToApply"]
    assert inline_policy(iam_client, "dev") is None


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("answer", [False, None], ids=["says-no", "declines"])
async def test_fix_access_denied_does_nothing_when_the_user_refuses(iamlens_bin, mode, answer, moto_endpoint, iam_client):
    iam_client.create_user(UserName="dev")
    asked: list[str] = []
    async with stdio_client_with_env(iamlens_bin, mode, elicitation_callback=answering(answer, asked)) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool("fix_access_denied", {"ErrorMessage": IMPLICIT_DENIAL})
        data = check_structured(result, tools["fix_access_denied"])
        assert data["Status"] == "declined" and data["Applied"] is False
    assert asked
    assert inline_policy(iam_client, "dev") is None


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_fix_access_denied_unattended_opt_in_applies_without_asking(iamlens_bin, mode, moto_endpoint, iam_client):
    iam_client.create_user(UserName="dev")
    async with stdio_client_with_env(iamlens_bin, mode, "--allow-unattended-apply") as client:
        tools = await tool_schemas(client)
        result = await client.call_tool("fix_access_denied", {"ErrorMessage": IMPLICIT_DENIAL})
        data = check_structured(result, tools["fix_access_denied"])
        assert data["Status"] == "applied"
        again = await client.call_tool("fix_access_denied", {"ErrorMessage": IMPLICIT_DENIAL})
        assert check_structured(again, tools["fix_access_denied"])["Status"] == "unchanged"
    assert inline_policy(iam_client, "dev") is not None


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_fix_access_denied_never_applies_what_an_allow_cannot_fix(iamlens_bin, mode, moto_endpoint, iam_client):
    iam_client.create_user(UserName="dev")
    asked: list[str] = []
    async with stdio_client_with_env(
        iamlens_bin, mode, "--allow-unattended-apply", elicitation_callback=answering(True, asked)
    ) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool("fix_access_denied", {"ErrorMessage": SCP_DENIAL})
        data = check_structured(result, tools["fix_access_denied"])
        assert data["Status"] == "not-applicable" and data["Change"] is None
        assert "service control policy" in data["Message"].lower() or "scp" in data["Message"].lower()
    assert not asked
    assert inline_policy(iam_client, "dev") is None


@pytest.mark.asyncio
async def test_fix_access_denied_apply_failure_is_an_error_result(iamlens_bin, moto_endpoint):
    # The user does not exist in the account: AWS refuses, the agent is told why.
    async with stdio_client_with_env(iamlens_bin, "legacy", "--allow-unattended-apply") as client:
        result = await client.call_tool("fix_access_denied", {"ErrorMessage": IMPLICIT_DENIAL})
        assert result.is_error
        assert "not applied" in " ".join(block.text for block in result.content)


# --- check_role: the live role against the code (moto) -------------------------

TRUST = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
)
# s3:GetObject on the bucket, plus kms:Decrypt for SSE-KMS objects (iamlens asks for it via kms:ViaService).
READ_REPORTS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports-bucket/*"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
        ],
    }
)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_check_role_decides_every_call(iamlens_bin, mode, project, moto_endpoint, iam_client):
    iam_client.create_role(RoleName="app-role", AssumeRolePolicyDocument=TRUST)
    iam_client.put_role_policy(RoleName="app-role", PolicyName="read", PolicyDocument=READ_REPORTS)
    async with stdio_client_with_env(iamlens_bin, mode) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool(
            "check_role",
            {"RoleName": "arn:aws:iam::123456789012:role/app-role", "SourceFiles": [str(project / "app.py")], "Region": "us-east-1"},
        )
        data = check_structured(result, tools["check_role"])
        assert data["Role"].endswith(":role/app-role")
        verdicts = {call["Line"]: call["Verdict"] for call in data["Calls"]}
        assert verdicts[8] == "allowed"  # s3.get_object on reports-bucket
        assert verdicts[12] == "denied"  # table.put_item: nothing allows dynamodb:PutItem
        assert data["Summary"]["Denied"] >= 1
        # Both directions, as `iamlens check --role`: the write is missing, and
        # kms:Decrypt on every key is more than the code needs.
        assert ("dynamodb:PutItem", 12) in {(m["Action"], m["Line"]) for m in data["Missing"]}, data["Missing"]
        assert data["Summary"]["Missing"] == len(data["Missing"]) and data["Summary"]["Excess"] == len(data["Excess"])
        kms = [g for g in data["Excess"] if g["GrantedActions"] == ["kms:Decrypt"]]
        assert kms and kms[0]["Statement"]["Index"] == 1, data["Excess"]
        # The project's .iamlens.toml and Allow record grants the code does not show.
        (project / ".iamlens.toml").write_text('[check]\nallow = ["kms:*"]\n')
        args = {"RoleName": "app-role", "SourceFiles": [str(project / "app.py")], "Region": "us-east-1"}
        excused = check_structured(await client.call_tool("check_role", {**args, "Allow": ["s3:GetObject"]}), tools["check_role"])
        assert (excused["Excess"], excused["Allowed"]) == ([], ["kms:*", "s3:GetObject"]), excused["Excess"]
        with pytest.raises(MCPError) as bad_glob:
            await client.call_tool("check_role", {**args, "Allow": ["kms"]})
        assert "Allow" in str(bad_glob.value) and "is not an action glob" in str(bad_glob.value)
        (project / ".iamlens.toml").write_text("[check]\nallow = [1]\n")
        bad_file = await client.call_tool("check_role", args)
        assert bad_file.is_error and ".iamlens.toml: [check] allow must hold strings" in bad_file.content[0].text

        missing = await client.call_tool("check_role", {"RoleName": "no-such-role", "SourceFiles": [str(project)]})
        assert missing.is_error
        assert "no-such-role" in " ".join(block.text for block in missing.content)

        with pytest.raises(MCPError) as no_files:
            await client.call_tool("check_role", {"RoleName": "app-role"})
        assert "SourceFiles" in str(no_files.value)


def test_http_session_lifecycle_in_the_session_era(http_url):
    status, headers, _ = post(http_url, INITIALIZE)
    assert status == 200
    session = {k.lower(): v for k, v in headers.items()}["mcp-session-id"]
    request = urllib.request.Request(
        http_url, method="DELETE", headers={"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25", **http_url.auth()}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204  # what the official clients expect
    ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
    status, _, _ = post(http_url, ping, {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"})
    assert status == 404  # the session is gone: the client must initialize again


@pytest.fixture
def http_url_with_aws(iamlens_bin, moto_endpoint, tmp_path):
    """A standalone HTTP server that talks to moto (started after the AWS environment is set)."""
    proc, url = start_http(iamlens_bin, tmp_path / "token", env=dict(os.environ))
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=5)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_fix_access_denied_over_http_asks_then_applies(http_url_with_aws, mode, iam_client):
    iam_client.create_user(UserName="dev")
    asked: list[str] = []
    async with Client(http_client_target(http_url_with_aws), mode=mode, elicitation_callback=answering(True, asked)) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool("fix_access_denied", {"ErrorMessage": IMPLICIT_DENIAL})
        data = check_structured(result, tools["fix_access_denied"])
        assert data["Status"] == "applied", data
    assert len(asked) == 1
    assert "s3:GetObject" in json.dumps(inline_policy(iam_client, "dev"))


def stateless_call(url: str, name: str, arguments: dict, extra: dict | None = None, capabilities: dict | None = None):
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw-test", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": capabilities if capabilities is not None else {"elicitation": {}},
    }
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments, "_meta": meta, **(extra or {})},
    }
    status, _, text = post(url, body, {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": name})
    assert status == 200, text
    payload = text[text.index("{"):] if not text.startswith("{") else text
    return json.loads(payload.splitlines()[0])["result"]


def test_stateless_confirmation_is_bound_to_the_plan(http_url_with_aws, iam_client):
    """An answer given for another plan (or a forged state) never applies a fix."""
    iam_client.create_user(UserName="dev")
    args = {"ErrorMessage": IMPLICIT_DENIAL}
    yes = {"confirm_apply": {"action": "accept", "content": {"apply": True}}}

    first = stateless_call(http_url_with_aws, "fix_access_denied", args)
    assert first["resultType"] == "input_required"
    question = first["inputRequests"]["confirm_apply"]
    assert question["method"] == "elicitation/create" and "iamlens-dev" in question["params"]["message"]
    state = first["requestState"]

    forged = stateless_call(
        http_url_with_aws, "fix_access_denied", args, {"inputResponses": yes, "requestState": "iamlens-confirm:0000"}
    )
    assert forged["resultType"] == "input_required"  # asked again, nothing applied
    assert inline_policy(iam_client, "dev") is None

    wider = {"ErrorMessage": IMPLICIT_DENIAL, "ResourceOverride": "arn:aws:s3:::reports-bucket/*"}
    other_plan = stateless_call(http_url_with_aws, "fix_access_denied", wider, {"inputResponses": yes, "requestState": state})
    assert other_plan["resultType"] == "input_required"
    assert inline_policy(iam_client, "dev") is None

    confirmed = stateless_call(http_url_with_aws, "fix_access_denied", args, {"inputResponses": yes, "requestState": state})
    assert confirmed["structuredContent"]["Status"] == "applied"
    assert inline_policy(iam_client, "dev") is not None

    # The same answer again is a replay: asked anew, never taken.
    iam_client.delete_user_policy(UserName="dev", PolicyName="iamlens-dev")
    replayed = stateless_call(http_url_with_aws, "fix_access_denied", args, {"inputResponses": yes, "requestState": state})
    assert replayed["resultType"] == "input_required"
    assert inline_policy(iam_client, "dev") is None


def test_stateless_confirmation_from_another_server_is_refused(iamlens_bin, moto_endpoint, iam_client, tmp_path):
    """A state issued by another iamlens process (another secret) is worthless here."""
    iam_client.create_user(UserName="dev")
    args = {"ErrorMessage": IMPLICIT_DENIAL}
    yes = {"confirm_apply": {"action": "accept", "content": {"apply": True}}}
    first_proc, first = start_http(iamlens_bin, tmp_path / "a.token", env=dict(os.environ))
    second_proc, second = start_http(iamlens_bin, tmp_path / "b.token", env=dict(os.environ))
    try:
        state = stateless_call(first, "fix_access_denied", args)["requestState"]
        elsewhere = stateless_call(second, "fix_access_denied", args, {"inputResponses": yes, "requestState": state})
        assert elsewhere["resultType"] == "input_required"
        assert inline_policy(iam_client, "dev") is None
    finally:
        for proc in (first_proc, second_proc):
            proc.terminate()
            proc.wait(timeout=5)


def test_standalone_http_requires_its_bearer_token(http_url):
    assert post(str(http_url), INITIALIZE)[0] == 401
    assert post(str(http_url), INITIALIZE, {"Authorization": "Bearer wrong"})[0] == 401
    status, _, text = post(http_url, INITIALIZE)
    assert status == 200, text


def test_standalone_token_file_is_readable_by_its_owner_only(iamlens_bin, tmp_path):
    proc, url = start_http(iamlens_bin, tmp_path / "dir" / "token")
    try:
        mode = (tmp_path / "dir" / "token").stat().st_mode & 0o777
        assert mode == 0o600, oct(mode)
        assert len(url.token) >= 32
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_stateless_client_without_elicitation_gets_the_plan(http_url_with_aws, iam_client):
    iam_client.create_user(UserName="dev")
    result = stateless_call(http_url_with_aws, "fix_access_denied", {"ErrorMessage": IMPLICIT_DENIAL}, capabilities={})
    assert result["resultType"] == "complete"
    assert result["structuredContent"]["Status"] == "planned"
    assert "elicitation" in result["structuredContent"]["Message"]
    assert inline_policy(iam_client, "dev") is None


PASS_ROLE_DENIAL = (
    "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:PassRole on resource: "
    "arn:aws:iam::123456789012:role/ecsTaskExecutionRole because no identity-based policy allows the iam:PassRole action"
)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_unattended_apply_still_asks_before_an_escalation_grant(iamlens_bin, mode, moto_endpoint, iam_client):
    iam_client.create_user(UserName="dev")
    asked: list[str] = []
    async with stdio_client_with_env(
        iamlens_bin, mode, "--allow-unattended-apply", elicitation_callback=answering(False, asked)
    ) as client:
        tools = await tool_schemas(client)
        result = await client.call_tool("fix_access_denied", {"ErrorMessage": PASS_ROLE_DENIAL})
        data = check_structured(result, tools["fix_access_denied"])
        assert data["Status"] == "declined" and data["Applied"] is False
    assert asked and "iam:PassRole can raise privileges" in asked[0]
    assert inline_policy(iam_client, "dev") is None
