"""The MCP endpoint embedded in a running language server: discovery file,
bearer token, Origin check, and the live workspace (unsaved edits included),
with the official Python MCP client in both protocol eras.

The language server is driven by a tiny stdio JSON-RPC client below: it opens
the workspace with `iamlens.mcp.enable`, then plays the editor (didOpen with
text that differs from the file on disk).
"""
from __future__ import annotations

import asyncio
import json
import queue
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import jsonschema
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.shared._httpx_utils import create_mcp_http_client

MODES = ["legacy", "2026-07-28"]

ON_DISK = """\
import boto3

s3 = boto3.client("s3")


def load(key):
    return s3.get_object(Bucket="reports-bucket", Key=key)
"""

# What the editor shows: saved file plus an edit not yet written to disk.
UNSAVED = ON_DISK + """

sqs = boto3.client("sqs")


def notify(body):
    sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/jobs", MessageBody=body)
"""


class LspDriver:
    """Just enough of an LSP client: framed JSON-RPC over the server's stdio."""

    def __init__(self, binary: str, root: Path, *extra_args: str):
        self.proc = subprocess.Popen(
            [binary, "lsp", "--stdio", *extra_args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.root = root
        self.next_id = 0
        self.responses: dict[int, queue.Queue] = {}
        self.log_messages: list[str] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self):
        for _ in iter(self.proc.stderr.readline, b""):
            pass

    def _send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        with self.lock:
            self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            self.proc.stdin.flush()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(stream.read(length))
            if "id" in message and "method" in message:
                # A request from the server (registerCapability, progress): accept it.
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "id" in message:
                self.responses.setdefault(message["id"], queue.Queue()).put(message)
            elif message.get("method") == "window/logMessage":
                self.log_messages.append(message["params"]["message"])

    def request(self, method: str, params: dict | None, timeout: float = 30) -> dict:
        self.next_id += 1
        rid = self.next_id
        box = self.responses.setdefault(rid, queue.Queue())
        message = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)
        return box.get(timeout=timeout)

    def notify(self, method: str, params: dict | None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)

    def start(self, settings: dict) -> None:
        uri = self.root.as_uri()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "ws"}],
                "capabilities": {},
                "initializationOptions": settings,
            },
        )
        self.notify("initialized", {})

    def open(self, path: Path, text: str) -> None:
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": path.as_uri(), "languageId": "python", "version": 1, "text": text}},
        )

    def stop(self) -> int:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            return self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            return self.proc.wait(timeout=10)


def wait_for(predicate, timeout: float = 20, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(ON_DISK)
    return tmp_path


@pytest.fixture
def editor(iamlens_bin, workspace):
    driver = LspDriver(iamlens_bin, workspace)
    driver.start({"iamlens": {"mcp": {"enable": True}, "region": "us-east-1", "account": "123456789012"}})
    yield driver
    driver.stop()


def discovery(workspace: Path) -> dict:
    file = workspace / ".iamlens" / "mcp.json"
    return json.loads(wait_for(lambda: file.exists() and file.read_text(), what="the discovery file"))


def client_for(endpoint: dict, mode: str, token: str | None = "from-discovery") -> Client:
    headers = {}
    if token == "from-discovery":
        headers["Authorization"] = f"Bearer {endpoint['token']}"
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    http = create_mcp_http_client(headers=headers)
    return Client(streamable_http_client(endpoint["url"], http_client=http), mode=mode, read_timeout_seconds=60)


def policy_actions(envelope: dict) -> set[str]:
    found = set()
    for policy in envelope["Policies"]:
        for statement in policy["Policy"]["Statement"]:
            found.update(statement["Action"])
    return found


def test_discovery_file_is_written_git_ignored_and_logged(editor, workspace):
    endpoint = discovery(workspace)
    assert endpoint["url"].startswith("http://127.0.0.1:") and endpoint["url"].endswith("/mcp")
    assert len(endpoint["token"]) >= 32
    ignore = (workspace / ".iamlens" / ".gitignore").read_text().splitlines()
    assert "*" in ignore
    wait_for(lambda: any(endpoint["url"] in m for m in editor.log_messages), what="window/logMessage with the URL")


def test_discovery_file_is_removed_when_the_editor_closes(iamlens_bin, workspace):
    driver = LspDriver(iamlens_bin, workspace)
    driver.start({"iamlens": {"mcp": {"enable": True}}})
    discovery(workspace)
    assert driver.stop() == 0
    assert not (workspace / ".iamlens" / "mcp.json").exists()


def test_no_endpoint_unless_enabled(iamlens_bin, workspace):
    driver = LspDriver(iamlens_bin, workspace)
    driver.start({"iamlens": {}})
    time.sleep(1.0)
    assert not (workspace / ".iamlens" / "mcp.json").exists()
    driver.stop()


def test_mcp_port_flag_serves_on_that_port(iamlens_bin, workspace):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    driver = LspDriver(iamlens_bin, workspace, "--mcp-port", str(port))
    driver.start({})
    try:
        endpoint = discovery(workspace)
        assert endpoint["url"] == f"http://127.0.0.1:{port}/mcp"
        assert raw_post(endpoint["url"], {"Authorization": f"Bearer {endpoint['token']}"}) == 200
    finally:
        driver.stop()


def test_turning_the_setting_off_stops_the_endpoint(editor, workspace):
    endpoint = discovery(workspace)
    editor.notify("workspace/didChangeConfiguration", {"settings": {"iamlens": {"mcp": {"enable": False}}}})
    wait_for(lambda: not (workspace / ".iamlens" / "mcp.json").exists(), what="the discovery file to go")
    port = int(endpoint["url"].split(":")[2].split("/")[0])

    def refused() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return False
        except ConnectionRefusedError:
            return True

    wait_for(refused, what="the endpoint to stop listening")


def raw_post(url: str, headers: dict) -> int:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    }
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_requests_without_the_token_are_refused(editor, workspace):
    endpoint = discovery(workspace)
    assert raw_post(endpoint["url"], {}) == 401
    assert raw_post(endpoint["url"], {"Authorization": "Bearer wrong"}) == 401
    assert raw_post(endpoint["url"], {"Authorization": f"Bearer {endpoint['token']}"}) == 200


def test_foreign_origin_is_refused_even_with_the_token(editor, workspace):
    endpoint = discovery(workspace)
    auth = {"Authorization": f"Bearer {endpoint['token']}"}
    assert raw_post(endpoint["url"], {**auth, "Origin": "http://evil.example"}) == 403


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_the_python_client_without_token_cannot_connect(editor, workspace, mode):
    endpoint = discovery(workspace)
    with pytest.raises(BaseException) as refused:
        async with client_for(endpoint, mode, token=None) as client:
            await client.list_tools()
    # The client reports the HTTP 401 as an MCPError (inside anyio's exception groups).
    assert any(isinstance(e, MCPError) for e in leaves(refused.value)), refused.value


def leaves(error: BaseException):
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from leaves(inner)
    else:
        yield error


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_workspace_policy_sees_unsaved_edits(editor, workspace, mode):
    endpoint = discovery(workspace)
    async with client_for(endpoint, mode) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert "workspace_policy" in tools

        async def workspace_policy(args=None) -> dict:
            result = await client.call_tool("workspace_policy", args or {})
            assert not result.is_error, result.content
            jsonschema.validate(result.structured_content, tools["workspace_policy"].output_schema)
            return result.structured_content

        # The background index finds app.py as saved on disk.
        async def indexed():
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                data = await workspace_policy()
                if data["Files"]:
                    return data
                await asyncio.sleep(0.1)
            raise AssertionError("the workspace index never reported app.py")

        saved = await indexed()
        assert saved["Files"] == [str(workspace / "app.py")]
        assert saved["Incomplete"] is None  # the index had finished
        assert "s3:GetObject" in policy_actions(saved)
        assert "sqs:SendMessage" not in policy_actions(saved)
        assert "arn:aws:s3:::reports-bucket/" in json.dumps(saved["Policies"])

        # The editor opens the file with an unsaved edit: the agent sees it.
        editor.open(workspace / "app.py", UNSAVED)
        deadline = time.monotonic() + 20
        live = await workspace_policy()
        while "sqs:SendMessage" not in policy_actions(live) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            live = await workspace_policy()
        assert "sqs:SendMessage" in policy_actions(live)
        assert "arn:aws:sqs:us-east-1:123456789012:jobs" in json.dumps(live["Policies"])

        explained = await client.call_tool("explain_code", {"Path": str(workspace / "app.py")})
        jsonschema.validate(explained.structured_content, tools["explain_code"].output_schema)
        operations = [c["Operation"] for c in explained.structured_content["Calls"]]
        assert "SendMessage" in operations

        # A folder outside the workspace is a bad argument naming `Folder`.
        with pytest.raises(MCPError) as outside:
            await client.call_tool("workspace_policy", {"Folder": "/etc"})
        assert "Folder" in str(outside.value)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_every_tool_answers_through_the_embedded_endpoint(editor, workspace, mode):
    endpoint = discovery(workspace)
    async with client_for(endpoint, mode) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        calls = {
            "generate_application_policies": {"SourceFiles": ["app.py"]},  # relative: the workspace folder
            "explain_code": {"Source": ON_DISK},
            "search_actions": {"Query": "send message"},
            "describe_operation": {"Service": "s3", "Operation": "get_object"},
            "generate_policy_for_access_denied": {
                "ErrorMessage": "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
                "sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:jobs because no "
                "identity-based policy allows the sqs:SendMessage action"
            },
            "workspace_policy": {},
        }
        for name, args in calls.items():
            result = await client.call_tool(name, args)
            assert not result.is_error, (name, result.content)
            jsonschema.validate(result.structured_content, tools[name].output_schema)
        generated = await client.call_tool("generate_application_policies", {"SourceFiles": ["app.py"]})
        assert "s3:GetObject" in policy_actions(generated.structured_content)


@pytest.mark.asyncio
async def test_check_role_covers_the_workspace_under_its_allow_rules(moto_endpoint, iam_client, workspace, editor):
    """Embedded, check_role reads the live workspace and the workspace
    folder's .iamlens.toml (the editor was started with the moto environment)."""
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports-bucket/*"},
            {"Sid": "OldQueue", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
            {"Sid": "RuntimeLogs", "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"},
        ],
    }
    iam_client.create_role(RoleName="app-role", AssumeRolePolicyDocument=json.dumps(trust))
    iam_client.put_role_policy(RoleName="app-role", PolicyName="app", PolicyDocument=json.dumps(policy))
    (workspace / ".iamlens.toml").write_text('[check]\nallow = ["logs:*"]\n')
    endpoint = discovery(workspace)
    async with client_for(endpoint, "2026-07-28") as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        result = await client.call_tool("check_role", {"RoleName": "app-role"})
        assert not result.is_error, result.content
        data = result.structured_content
        jsonschema.validate(data, tools["check_role"].output_schema)
    assert [c["Call"].split("(")[0] for c in data["Calls"]] == ["s3.get_object"], data["Calls"]
    assert data["Missing"] == []
    # The queue no call uses is excess; the logs the project records are not.
    assert [g["Statement"]["Sid"] for g in data["Excess"]] == ["OldQueue"], data["Excess"]
    assert data["Allowed"] == ["logs:*"]
