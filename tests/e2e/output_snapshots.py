"""What the CLI, the language server and the MCP endpoint say about the fixture
corpus (tests/fixtures/python), collected deterministically so that two
binaries can be compared output for output.

`collect(binary)` returns {"cli": {...}, "lsp": {...}, "mcp": {...}}, each a
dict name → JSON value. Run as a script to (re)write the committed snapshot:

    tests/.venv/bin/python tests/e2e/output_snapshots.py --bin target/debug/iamlens --write

which writes tests/fixtures/outputs/{cli,lsp,mcp}.json. test_outputs_unchanged.py
compares a binary's outputs with those files.

What is recorded is what iamlens sends, as exactly as the clients allow:
  - CLI: stdout and stderr verbatim (split into lines at "\\n", so joining
    them with "\\n" gives the bytes back) and the exit code.
  - LSP: the JSON of every response and notification as it came off the wire
    (captured before lsprotocol reads it, so no field is dropped), in the
    server's own key order.
  - MCP: the whole tool result; a text block that is byte for byte the compact
    JSON of the structured content is recorded as STRUCTURED_TEXT instead of a
    second copy.
Keys iamlens decides keep iamlens's order (a reordering is a byte difference);
the names this module chooses are sorted. The only rewriting is for what is
not iamlens's to decide: the temporary workspace path (→ <WORKSPACE>).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "python"
DENIED = REPO_ROOT / "tests" / "denied"
OUTPUTS = REPO_ROOT / "tests" / "fixtures" / "outputs"
PARTS = ("cli", "lsp", "mcp")

REGION = "us-east-1"
ACCOUNT = "123456789012"
PLACEHOLDER = "<WORKSPACE>"
STRUCTURED_TEXT = "<the compact JSON of structuredContent, byte for byte>"

# `--explain '*'` on a few fixtures: KMS via-service, cross-module, resources API, dynamic keys.
EXPLAINED = [
    "kms_envelope_encryption.py",
    "lambda_s3_to_dynamodb_etl.py",
    "project_shared_client",
    "s3_upload_download.py",
    "sqs_resource_queue.py",
]
# Denials with different shapes: implicit identity-based, explicit resource-based, JS v3 with options.
DENIED_MESSAGES = [
    "01-boto3-identity-implicit-assumed-role",
    "04-resource-based-explicit-kms",
    "26-js-v3-secret-name-with-region",
]
SUBCOMMANDS = ["generate-policies", "fix-access-denied", "lookup", "check", "deploy-policy", "lsp", "mcp-server", "version"]


def fixtures() -> list[str]:
    """The fixtures as the CLI and MCP take them: every .py file and every project directory."""
    return sorted(p.name for p in FIXTURES.iterdir() if p.suffix == ".py" or (p.is_dir() and not p.name.startswith(".")))


def python_files(root: Path = FIXTURES) -> list[str]:
    """Every .py file of the corpus, relative to its root, in POSIX form."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))


# Variables that could change what the binary prints (log level, backtraces, help width, colour).
_UNSET = ("RUST_LOG", "RUST_BACKTRACE", "COLUMNS", "LINES", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "FORCE_COLOR")


def server_env() -> dict[str, str]:
    """The environment for the binary: nothing from the caller's AWS setup, no credentials, no IMDS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in _UNSET}
    env.update(
        {
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    return env


def _mine(record: dict[str, Any]) -> dict[str, Any]:
    """A dict whose keys this module chose, in sorted order (the values are left as they are)."""
    return {k: record[k] for k in sorted(record)}


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="backslashreplace").split("\n")


def _normalise(value: Any, root: Path | None) -> Any:
    """`value` with the temporary workspace path replaced by <WORKSPACE> (nothing else is touched)."""
    if root is None:
        return value
    needles = sorted({str(root), str(root.resolve())}, key=len, reverse=True)

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            for needle in needles:
                v = v.replace(needle, PLACEHOLDER)
            return v
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {walk(k): walk(x) for k, x in v.items()}
        return v

    return walk(value)


# --- CLI ---------------------------------------------------------------------


def collect_cli(binary: str) -> dict[str, Any]:
    """Each command runs from the repository root on the committed fixtures (relative paths, as a user types them)."""
    out: dict[str, Any] = {}
    env = server_env()

    def run(name: str, args: list[str], stdin: bytes | None = None) -> None:
        proc = subprocess.run(
            [binary, *args],
            cwd=REPO_ROOT,
            env=env,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=60,
        )
        out[name] = {"args": args, "exit": proc.returncode, "stderr": _lines(proc.stderr), "stdout": _lines(proc.stdout)}

    rel = FIXTURES.relative_to(REPO_ROOT).as_posix()
    common = ["--region", REGION, "--account", ACCOUNT, "--pretty"]
    for fixture in fixtures():
        run(f"generate-policies/{fixture}", ["generate-policies", f"{rel}/{fixture}", *common])
    for fixture in EXPLAINED:
        run(f"generate-policies --explain */{fixture}", ["generate-policies", f"{rel}/{fixture}", *common, "--explain", "*"])
    run("lookup s3 get_object --json", ["lookup", "s3", "get_object", "--json"])
    for stem in DENIED_MESSAGES:
        message = (DENIED / f"{stem}.txt").read_text()
        args = ["fix-access-denied", "--json"]
        opts_file = DENIED / f"{stem}.opts.json"
        if opts_file.exists():
            for key, value in json.loads(opts_file.read_text()).items():
                args += [f"--{key.replace('_', '-')}", value]
        run(f"fix-access-denied --json/{stem}", [*args, message])
    run("version", ["version"])
    run("--help", ["--help"])
    for sub in SUBCOMMANDS:
        run(f"{sub} --help", [sub, "--help"])
    return dict(sorted(out.items()))


# --- LSP ---------------------------------------------------------------------


class Wire:
    """The server's messages as JSON, before lsprotocol reads them.

    pygls decodes each message with json.loads(object_hook=protocol.structure_message);
    the hook sees the innermost objects first, so when it reaches the message
    itself its payload is still plain JSON in the server's key order."""

    def __init__(self, client) -> None:
        self.responses: list[tuple[Any, dict[str, Any]]] = []
        self.diagnostics: dict[str, dict[str, Any]] = {}
        self.publishes = 0
        self.last_publish = time.monotonic()
        self.log: list[dict[str, Any]] = []
        protocol = client.protocol
        structure = protocol.structure_message

        def hook(data: dict[str, Any]):
            if "jsonrpc" in data:
                method = data.get("method")
                if method is None and "id" in data:
                    self.responses.append((data["id"], json.loads(json.dumps(data))))
                elif method == "textDocument/publishDiagnostics":
                    params = json.loads(json.dumps(data["params"]))
                    self.diagnostics[params["uri"]] = params
                    self.publishes += 1
                    self.last_publish = time.monotonic()
                elif method in ("window/logMessage", "window/showMessage"):
                    self.log.append({"method": method, **json.loads(json.dumps(data["params"]))})
            return structure(data)

        protocol.structure_message = hook

    def take(self) -> dict[str, Any]:
        """The one response that arrived since the last take (requests are made one at a time)."""
        assert len(self.responses) == 1, f"expected one response, got {[i for i, _ in self.responses]}"
        _, message = self.responses.pop()
        if "error" in message:
            return {"error": message["error"]}
        return {"result": message.get("result")}


def _client_capabilities():
    """VS Code (pytest-lsp's profile) with what vscode-languageclient 9 adds for inlay hints:
    tooltips left for inlayHint/resolve, and refresh requests."""
    from lsprotocol import types
    from pytest_lsp import client_capabilities

    caps = client_capabilities("visual-studio-code")
    caps.text_document.inlay_hint = types.InlayHintClientCapabilities(
        dynamic_registration=True,
        resolve_support=types.ClientInlayHintResolveOptions(
            properties=["tooltip", "textEdits", "label.tooltip", "label.location", "label.command"]
        ),
    )
    caps.workspace.inlay_hint = types.InlayHintWorkspaceClientCapabilities(refresh_support=True)
    return caps


def _utf16_to_index(line: str, character: int) -> int:
    units = 0
    for i, ch in enumerate(line):
        if units >= character:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


def _index_to_utf16(line: str, index: int) -> int:
    return len(line[:index].encode("utf-16-le")) // 2


def _call_name_position(lines: list[str], line: int, character: int) -> dict[str, int] | None:
    """Where the method name of the call that ends at (line, character) is: the
    identifier before the "(" matching the ")" just before the hint. One
    character into the name, like a mouse over it."""
    if line >= len(lines):
        return None
    text = "\n".join(lines)
    offset = sum(len(l) + 1 for l in lines[:line]) + _utf16_to_index(lines[line], character)
    i = offset - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i < 0 or text[i] != ")":
        return None
    depth = 0
    while i >= 0:
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                break
        i -= 1
    if i < 0:
        return None
    i -= 1
    while i >= 0 and text[i] in " \t\n":
        i -= 1
    end = i + 1
    while i >= 0 and (text[i].isalnum() or text[i] == "_"):
        i -= 1
    start = i + 1
    if start == end:
        return None
    name_line = text.count("\n", 0, start)
    line_start = text.rfind("\n", 0, start) + 1
    return {"line": name_line, "character": _index_to_utf16(lines[name_line], start - line_start + 1)}


async def _collect_lsp(binary: str, root: Path) -> dict[str, Any]:
    from lsprotocol import types
    from pytest_lsp import ClientServerConfig

    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:  # run as a script
        sys.path.insert(0, here)
    from lsp_support import read_code_actions_by_shape, wait_for

    client = await ClientServerConfig(server_command=[binary, "lsp"], server_env=server_env()).start()
    read_code_actions_by_shape(client)
    wire = Wire(client)
    converter = client.protocol._converter

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(_params: Any) -> None:
        return None

    @client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def _inlay_refresh(_params: Any) -> None:
        return None

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def _lens_refresh(_params: Any) -> None:
        return None

    out: dict[str, Any] = {}
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=_client_capabilities(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
                root_uri=root.as_uri(),
                initialization_options={"iamlens": {"region": REGION, "account": ACCOUNT}},
            )
        )
        out["initialize"] = wire.take()
        await wait_for(lambda: any("iamlens: indexed" in m["message"] for m in wire.log), 60, "workspace index")

        async def request(call) -> dict[str, Any]:
            try:
                await call
            except Exception:  # noqa: BLE001 - the error response is what is recorded
                pass
            return wire.take()

        async def execute(command: str, argument: Any) -> dict[str, Any]:
            return await request(
                client.workspace_execute_command_async(types.ExecuteCommandParams(command=command, arguments=[argument]))
            )

        files = python_files(root)
        uris = {}
        for rel in files:
            path = root / rel
            text = path.read_text()
            lines = text.split("\n")
            uri = path.as_uri()
            uris[rel] = uri
            doc = types.TextDocumentIdentifier(uri=uri)
            client.text_document_did_open(
                types.DidOpenTextDocumentParams(
                    text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
                )
            )
            record: dict[str, Any] = {}
            whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=len(lines) + 1, character=0))
            hints = await request(client.text_document_inlay_hint_async(types.InlayHintParams(text_document=doc, range=whole)))
            record["inlayHint"] = hints
            resolved = []
            for hint in hints.get("result") or []:
                if hint.get("tooltip") is None and hint.get("data") is not None:
                    typed = converter.structure(hint, types.InlayHint)
                    resolved.append(await request(client.inlay_hint_resolve_async(typed)))
                else:
                    resolved.append(None)
            record["inlayHint/resolve"] = resolved

            lenses = await request(client.text_document_code_lens_async(types.CodeLensParams(text_document=doc)))
            record["codeLens"] = lenses
            commands = [{"command": "iamlens.generatePolicy", "argument": {"scope": "file", "uri": uri}}]
            for lens in lenses.get("result") or []:
                cmd = lens.get("command") or {}
                for argument in cmd.get("arguments") or [None]:
                    item = {"command": cmd.get("command"), "argument": argument}
                    if item not in commands:
                        commands.append(item)

            hovers = []
            explains = []
            seen_lines = set()
            for hint in hints.get("result") or []:
                pos = hint["position"]
                if pos["line"] in seen_lines:
                    continue
                seen_lines.add(pos["line"])
                # On the call's name, as a mouse would; just before the hint when no name is found.
                at_name = _call_name_position(lines, pos["line"], pos["character"])
                at = at_name or {"line": pos["line"], "character": max(pos["character"] - 1, 0)}
                hover = await request(
                    client.text_document_hover_async(types.HoverParams(text_document=doc, position=types.Position(**at)))
                )
                hovers.append(_mine({"position": at, **hover}))
                if at_name is not None:
                    commands.append({"command": "iamlens.explain", "argument": {"uri": uri, "position": at_name}})
            record["hover"] = hovers
            executed = []
            for item in commands:
                executed.append(_mine({**item, **await execute(item["command"], item["argument"])}))
            record["workspace/executeCommand"] = executed
            out[f"file/{rel}"] = _mine(record)

        # Diagnostics: every open document's, once the server has been quiet for a second.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            quiet = time.monotonic() - wire.last_publish > 1.0
            if quiet and all(uri in wire.diagnostics for uri in uris.values()):
                break
            await asyncio.sleep(0.05)
        for rel, uri in uris.items():
            published = wire.diagnostics.get(uri)
            out[f"file/{rel}"]["textDocument/publishDiagnostics"] = published
            diags = (published or {}).get("diagnostics") or []
            actions = []
            for diag in diags:
                typed = converter.structure(diag, types.Diagnostic)
                result = await request(
                    client.text_document_code_action_async(
                        types.CodeActionParams(
                            text_document=types.TextDocumentIdentifier(uri=uri),
                            range=typed.range,
                            context=types.CodeActionContext(diagnostics=[typed]),
                        )
                    )
                )
                actions.append(_mine({"diagnostic": diag, **result}))
            out[f"file/{rel}"] = _mine({**out[f"file/{rel}"], "textDocument/codeAction": actions})
        # Documents the server published for without being opened (none expected).
        out["publishDiagnostics for unopened documents"] = sorted(
            (params for uri, params in wire.diagnostics.items() if uri not in uris.values()), key=lambda p: p["uri"]
        )
        out["workspace/executeCommand iamlens.generatePolicy workspace"] = await execute(
            "iamlens.generatePolicy", {"scope": "workspace"}
        )
        # Log lines are sorted: the server writes them from concurrent tasks.
        out["window/logMessage"] = sorted(wire.log, key=lambda m: json.dumps(m, sort_keys=True))
        await client.shutdown_session()
        out["shutdown"] = wire.take()
    finally:
        if client._server and client._server.returncode is None:
            client._server.kill()
            await client._server.wait()
        await client.stop()
    out = {k: out[k] for k in sorted(out)}
    return _normalise(out, root)


# --- MCP ---------------------------------------------------------------------


def _tool_result(result) -> dict[str, Any]:
    data = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    structured = data.get("structuredContent")
    if structured is not None:
        compact = json.dumps(structured, separators=(",", ":"), ensure_ascii=False)
        for block in data.get("content", []):
            if block.get("type") == "text" and block.get("text") == compact:
                block["text"] = STRUCTURED_TEXT
    return data


async def _mcp_session(binary: str, root: Path, mode: str, calls: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    from mcp import Client, StdioServerParameters
    from mcp.shared.exceptions import MCPError

    target = StdioServerParameters(command=binary, args=["mcp-server", "-t", "stdio"], env=server_env(), cwd=str(root))
    out: dict[str, Any] = {}
    async with Client(target, mode=mode, read_timeout_seconds=60) as client:
        out["protocol_version"] = client.protocol_version
        out["server_info"] = (
            client.server_info.model_dump(mode="json", by_alias=True, exclude_none=True) if client.server_info is not None else None
        )
        out["server_capabilities"] = (
            client.server_capabilities.model_dump(mode="json", by_alias=True, exclude_none=True)
            if client.server_capabilities is not None
            else None
        )
        out["instructions"] = client.instructions
        out["tools/list"] = (await client.list_tools()).model_dump(mode="json", by_alias=True, exclude_none=True)
        for name, tool, arguments in calls:
            try:
                out[name] = {"arguments": arguments, "result": _tool_result(await client.call_tool(tool, arguments))}
            except MCPError as err:
                out[name] = {"arguments": arguments, "error": {"code": err.error.code, "message": err.error.message}}
    return out


async def _collect_mcp(binary: str, root: Path) -> dict[str, Any]:
    calls = []
    for fixture in fixtures():
        calls.append(
            (
                f"generate_application_policies/{fixture}",
                "generate_application_policies",
                {"SourceFiles": [str(root / fixture)], "Region": REGION, "Account": ACCOUNT},
            )
        )
    for rel in python_files(root):
        calls.append((f"explain_code/{rel}", "explain_code", {"Path": str(root / rel)}))
    out = {f"legacy/{k}": v for k, v in (await _mcp_session(binary, root, "legacy", calls)).items()}
    # `auto` discovers the stateless revision (server/discover, no initialize):
    # its own handshake and envelope, the same tools (one call is enough).
    stateless = await _mcp_session(binary, root, "auto", calls[:1])
    out.update({f"auto/{k}": v for k, v in stateless.items()})
    out = {k: out[k] for k in sorted(out)}
    return _normalise(out, root)


# --- all ---------------------------------------------------------------------


def _workspace(tmp: Path) -> Path:
    """A copy of the corpus to serve as the editor's workspace (the server must not write into the repository)."""
    root = tmp / "python"
    shutil.copytree(FIXTURES, root)
    return root


def collect(binary: str, parts: tuple[str, ...] = PARTS) -> dict[str, dict[str, Any]]:
    binary = str(Path(binary).resolve())
    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="iamlens-outputs-") as tmp:
        root = _workspace(Path(tmp))
        for part in parts:
            if part == "cli":
                out["cli"] = collect_cli(binary)
            elif part == "lsp":
                out["lsp"] = asyncio.run(_collect_lsp(binary, root))
            elif part == "mcp":
                out["mcp"] = asyncio.run(_collect_mcp(binary, root))
            else:
                raise ValueError(f"unknown part {part!r}")
    return out


def dumps(value: Any) -> str:
    """The snapshot file's text: pretty, UTF-8, keys in the order they are in (sorted where this module chose them)."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def snapshot_path(part: str) -> Path:
    return OUTPUTS / f"{part}.json"


def load(part: str) -> Any:
    return json.loads(snapshot_path(part).read_text(encoding="utf-8"))


def differences(old: Any, new: Any, path: str = "", limit: int = 20) -> list[str]:
    """The first `limit` places where `new` differs from `old`, key order included."""
    found: list[str] = []

    def show(v: Any) -> str:
        text = json.dumps(v, ensure_ascii=False)
        return text if len(text) <= 400 else text[:400] + f"… ({len(text)} chars)"

    def walk(a: Any, b: Any, where: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in a:
                if key not in b:
                    found.append(f"{where}/{key}: only in the snapshot: {show(a[key])}")
            for key in b:
                if key not in a:
                    found.append(f"{where}/{key}: new: {show(b[key])}")
            for key in a:
                if key in b:
                    walk(a[key], b[key], f"{where}/{key}")
            common_a = [k for k in a if k in b]
            common_b = [k for k in b if k in a]
            if common_a != common_b and len(found) < limit:
                found.append(f"{where}: key order changed: {common_a} → {common_b}")
        elif isinstance(a, list) and isinstance(b, list):
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{where}[{i}]")
            if len(a) != len(b) and len(found) < limit:
                extra = a[len(b):] if len(a) > len(b) else b[len(a):]
                found.append(f"{where}: {len(a)} items in the snapshot, {len(b)} now; extra: {show(extra)}")
        elif a != b or type(a) is not type(b):
            found.append(f"{where}: snapshot {show(a)} ≠ now {show(b)}")

    walk(old, new, path)
    return found[:limit]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, help="the iamlens binary")
    parser.add_argument("--write", action="store_true", help="write tests/fixtures/outputs/{cli,lsp,mcp}.json")
    parser.add_argument("--part", action="append", choices=PARTS, help="only these parts (repeatable)")
    parser.add_argument("--out", type=Path, help="write the snapshot files into this directory instead")
    args = parser.parse_args(argv)
    parts = tuple(args.part or PARTS)
    started = time.monotonic()
    outputs = collect(args.bin, parts)
    elapsed = time.monotonic() - started
    directory = args.out or (OUTPUTS if args.write else None)
    if directory is None:
        for part in parts:
            sys.stdout.write(f"== {part}\n{dumps(outputs[part])}")
    else:
        directory.mkdir(parents=True, exist_ok=True)
        for part in parts:
            (directory / f"{part}.json").write_text(dumps(outputs[part]), encoding="utf-8")
            print(f"wrote {directory / f'{part}.json'} ({len(outputs[part])} entries)", file=sys.stderr)
    print(f"collected in {elapsed:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
