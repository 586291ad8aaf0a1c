"""`iamlens lsp` at the protocol level: lifecycle, encodings, and robustness
against bad input. Driven over stdio by raw JSON-RPC framing (for the
malformed cases) and by pytest-lsp's client."""
from __future__ import annotations

import json
import subprocess
import time

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from lsp_support import inlay_hints, open_doc, start_client


def frame(payload: dict | bytes) -> bytes:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class RawServer:
    """The binary on pipes, read message by message."""

    def __init__(self, iamlens_bin: str):
        self.proc = subprocess.Popen([iamlens_bin, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def send(self, payload: dict | bytes) -> None:
        assert self.proc.stdin
        self.proc.stdin.write(frame(payload))
        self.proc.stdin.flush()

    def read(self) -> dict:
        assert self.proc.stdout
        length = None
        while True:
            line = self.proc.stdout.readline()
            assert line, "server closed stdout"
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        assert length is not None
        return json.loads(self.proc.stdout.read(length))

    def response(self, id_: int) -> dict:
        """The response to request `id_`, skipping notifications and server requests."""
        for _ in range(200):
            msg = self.read()
            if msg.get("id") == id_ and "method" not in msg:
                return msg
        raise AssertionError(f"no response to request {id_}")

    def initialize(self) -> dict:
        self.send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "processId": None}})
        result = self.response(1)
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        return result

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)


@pytest.fixture
def raw(iamlens_bin):
    server = RawServer(iamlens_bin)
    yield server
    server.close()


def test_shutdown_then_exit_ends_the_process_with_code_0_while_stdin_stays_open(raw):
    raw.initialize()
    raw.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    assert raw.response(2)["result"] is None
    raw.send({"jsonrpc": "2.0", "method": "exit"})
    started = time.monotonic()
    # stdin is still open: the process must leave on its own.
    assert raw.proc.wait(timeout=5) == 0
    assert time.monotonic() - started < 2


def test_exit_without_shutdown_exits_with_code_1(raw):
    raw.initialize()
    raw.send({"jsonrpc": "2.0", "method": "exit"})
    assert raw.proc.wait(timeout=5) == 1


def test_malformed_json_gets_a_parse_error_and_the_server_keeps_serving(raw):
    raw.initialize()
    raw.send(b'{"jsonrpc": "2.0", "id": 5, "method": ')
    err = raw.read()
    assert err["error"]["code"] == -32700
    raw.send({"jsonrpc": "2.0", "id": 6, "method": "shutdown"})
    assert raw.response(6)["result"] is None


def test_a_malformed_header_skips_the_body_it_announced(raw):
    raw.initialize()
    # A header block with a line that is not a header: its body (a request
    # that must not run) is skipped, and the stream stays framed.
    skipped = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "shutdown"}).encode()
    assert raw.proc.stdin
    raw.proc.stdin.write(b"Content-Length: %d\r\nthis is not a header\r\n\r\n" % len(skipped) + skipped)
    raw.send({"jsonrpc": "2.0", "id": 8, "method": "workspace/executeCommand", "params": {"command": "no.such.command", "arguments": []}})
    err = raw.read()
    assert err["id"] is None and err["error"]["code"] == -32700, err
    while (answer := raw.read()).get("id") != 8 or "method" in answer:
        assert answer.get("id") != 7, f"the skipped body ran: {answer}"
    assert answer["error"]["code"] == -32602, answer
    raw.send({"jsonrpc": "2.0", "id": 9, "method": "shutdown"})
    assert raw.response(9)["result"] is None
    raw.send({"jsonrpc": "2.0", "method": "exit"})
    assert raw.proc.wait(timeout=5) == 0


def test_unknown_method_gets_method_not_found(raw):
    raw.initialize()
    raw.send({"jsonrpc": "2.0", "id": 3, "method": "iamlens/noSuchThing", "params": {}})
    assert raw.response(3)["error"]["code"] == -32601


def test_requests_for_unopened_documents_answer_null(raw):
    raw.initialize()
    uri = "file:///nowhere/never_opened.py"
    rng = {"start": {"line": 0, "character": 0}, "end": {"line": 10, "character": 0}}
    raw.send({"jsonrpc": "2.0", "id": 4, "method": "textDocument/inlayHint", "params": {"textDocument": {"uri": uri}, "range": rng}})
    assert raw.response(4) == {"jsonrpc": "2.0", "id": 4, "result": None}
    raw.send({"jsonrpc": "2.0", "id": 5, "method": "textDocument/hover", "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}})
    assert raw.response(5)["result"] is None


def test_stdout_carries_only_protocol_messages(raw):
    raw.initialize()
    raw.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    raw.response(2)
    raw.send({"jsonrpc": "2.0", "method": "exit"})
    raw.proc.wait(timeout=5)
    assert raw.proc.stdout
    rest = raw.proc.stdout.read()
    # Anything left must still be framed JSON-RPC.
    assert rest == b"" or rest.startswith(b"Content-Length:")


@pytest.mark.asyncio
async def test_initialize_advertises_features_and_negotiates_utf16_by_default(iamlens_bin):
    # This VS Code profile sends no general.positionEncodings: UTF-16 is the default.
    client, _, result = await start_client(iamlens_bin, capabilities=client_capabilities("visual-studio-code"))
    try:
        caps = result.capabilities
        assert result.server_info and result.server_info.name == "iamlens"
        assert caps.position_encoding == types.PositionEncodingKind.Utf16
        sync = caps.text_document_sync
        assert isinstance(sync, types.TextDocumentSyncOptions) and sync.change == types.TextDocumentSyncKind.Incremental
        assert caps.inlay_hint_provider and caps.code_lens_provider and caps.hover_provider
        assert caps.execute_command_provider is not None
        assert set(caps.execute_command_provider.commands) == {
            "iamlens.generatePolicy", "iamlens.explain", "iamlens.fixAccessDenied", "iamlens.uploadPolicy", "iamlens.addToRolePolicy",
            "iamlens.checkRole"}
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_utf8_is_chosen_when_the_client_offers_it(iamlens_bin):
    caps = client_capabilities("neovim@v0.11.0")
    assert types.PositionEncodingKind.Utf8 in caps.general.position_encodings
    client, _, result = await start_client(iamlens_bin, capabilities=caps)
    try:
        assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    finally:
        await client.shutdown_session()


@pytest.mark.asyncio
async def test_hostile_documents_get_answers_not_crashes(iamlens_bin, tmp_path):
    client, _, _ = await start_client(iamlens_bin, root=tmp_path)
    try:
        # Binary junk, a file mid-edit with syntax errors, and a 10 MB file.
        junk = "".join(chr(c) for c in range(1, 0x2FF)) + "\x00\ufffd" * 100
        uri_junk = open_doc(client, tmp_path / "junk.py", junk)
        broken = "import boto3\ns3 = boto3.client('s3')\ndef f(:\n    s3.get_object(Bucket='b', Key=\n"
        uri_broken = open_doc(client, tmp_path / "broken.py", broken)
        line = "import boto3\n" + "x = 'é' * 3  # padding padding padding padding padding padding\n" * 160_000
        assert len(line.encode()) > 10_000_000
        uri_big = open_doc(client, tmp_path / "big.py", line)
        for uri in (uri_junk, uri_broken, uri_big):
            assert isinstance(await inlay_hints(client, uri), list)
        # Ranges far past the end are clamped, not rejected.
        far = types.Range(start=types.Position(line=10**6, character=10**6), end=types.Position(line=10**7, character=0))
        hints = await client.text_document_inlay_hint_async(
            types.InlayHintParams(text_document=types.TextDocumentIdentifier(uri=uri_broken), range=far))
        assert list(hints) == []
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri_broken, version=2),
            content_changes=[types.TextDocumentContentChangePartial(range=far, text="\nprint('tail')\n")]))
        lens = await client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri_broken)))
        assert isinstance(lens, (list, tuple))
    finally:
        await client.shutdown_session()


def test_a_cancelled_request_is_answered_and_the_server_keeps_serving(raw, tmp_path):
    raw.initialize()
    uri = (tmp_path / "c.py").as_uri()
    text = "import boto3\ns3 = boto3.client('s3')\n" + "s3.get_object(Bucket='b', Key='k')\n" * 2000
    raw.send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
              "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}})
    rng = {"start": {"line": 0, "character": 0}, "end": {"line": 3000, "character": 0}}
    raw.send({"jsonrpc": "2.0", "id": 7, "method": "textDocument/inlayHint", "params": {"textDocument": {"uri": uri}, "range": rng}})
    raw.send({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 7}})
    answer = raw.response(7)
    # Either it finished first, or it was cancelled with RequestCancelled.
    assert "result" in answer or answer["error"]["code"] == -32800
    raw.send({"jsonrpc": "2.0", "id": 8, "method": "textDocument/inlayHint", "params": {"textDocument": {"uri": uri}, "range": rng}})
    hints = raw.response(8)["result"]
    assert len(hints) == 2000 and hints[0]["label"].startswith("s3:GetObject")
