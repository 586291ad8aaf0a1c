"""Helpers for the language-server suites: start `iamlens lsp` under a pytest-lsp
client, write a workspace, open documents, and compute UTF-16 columns the way
an editor does."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Union

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf16_col(line: str, needle: str, *, end: bool = False) -> int:
    """UTF-16 column of `needle` in `line` (its end when `end`)."""
    i = line.index(needle)
    if end:
        i += len(needle)
    return utf16_len(line[:i])


def position_of(text: str, needle: str, *, end: bool = False, occurrence: int = 0) -> types.Position:
    """LSP position (UTF-16) of `needle` in `text`; lines split like an editor (\\n, \\r\\n, \\r)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    offset = start + (len(needle) if end else 0)
    before = text[:offset]
    lines = before.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return types.Position(line=len(lines) - 1, character=utf16_len(lines[-1]))


class Recorder:
    """Counts the refresh requests the server sends to the client, and answers
    its `window/showMessageRequest` (the consent before a write to AWS) with
    `consent_answer`: an action title, or None to dismiss the request."""

    def __init__(self) -> None:
        self.inlay_hint_refresh = 0
        self.code_lens_refresh = 0
        self.consent_answer: str | None = None
        self.consent_requests: list[types.ShowMessageRequestParams] = []


def read_code_actions_by_shape(client: LanguageClient) -> None:
    """lsprotocol reads every code action that has a `command` as a bare
    Command (its hook checks for the key, not its type), losing the action's
    kind, diagnostics and arguments. A bare Command's `command` is a string;
    a CodeAction's is an object."""
    converter = client.protocol._converter

    def hook(obj: Any, _: type) -> Union[types.Command, types.CodeAction]:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)


async def start_client(
    iamlens_bin: str,
    *,
    capabilities: types.ClientCapabilities | None = None,
    root: Path | None = None,
    options: dict[str, Any] | None = None,
    args: tuple[str, ...] = (),
) -> tuple[LanguageClient, Recorder, types.InitializeResult]:
    client = await ClientServerConfig(server_command=[iamlens_bin, "lsp", *args]).start()
    read_code_actions_by_shape(client)
    recorder = Recorder()

    @client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def _inlay_refresh(_params: Any) -> None:
        recorder.inlay_hint_refresh += 1

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def _lens_refresh(_params: Any) -> None:
        recorder.code_lens_refresh += 1

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def _message_request(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
        recorder.consent_requests.append(params)
        offered = [a.title for a in params.actions or []]
        return types.MessageActionItem(title=recorder.consent_answer) if recorder.consent_answer in offered else None

    caps = capabilities or client_capabilities("visual-studio-code")
    folders = [types.WorkspaceFolder(uri=root.as_uri(), name=root.name)] if root else None
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            workspace_folders=folders,
            root_uri=root.as_uri() if root else None,
            initialization_options=options,
        )
    )
    return client, recorder, result


def open_doc(client: LanguageClient, path: Path, text: str, version: int = 1, language_id: str = "python") -> str:
    """Opens `path` with `text` as an editor does (`language_id`: the LSP id,
    e.g. python, typescript, javascriptreact, go)."""
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language_id, version=version, text=text)
        )
    )
    return uri


def change_doc(client: LanguageClient, uri: str, version: int, start: types.Position, end: types.Position, new_text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text=new_text)
            ],
        )
    )


async def inlay_hints(client: LanguageClient, uri: str, lines: int = 10_000, *, resolve: bool = True) -> list[types.InlayHint]:
    """The hints of the first `lines` lines; with `resolve`, tooltips left for
    `inlayHint/resolve` are fetched the way an editor does on hover."""
    result = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=lines, character=0)),
        )
    )
    hints = list(result or [])
    if resolve:
        hints = [await client.inlay_hint_resolve_async(h) if h.tooltip is None and h.data is not None else h for h in hints]
    return hints


async def wait_for(predicate, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def wait_for_index(client: LanguageClient, timeout: float = 20.0) -> None:
    await wait_for(lambda: any("iamlens: indexed" in m.message for m in client.log_messages), timeout, "workspace index")


async def execute(client: LanguageClient, command: str, argument: dict[str, Any] | None = None) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=[argument] if argument is not None else None)
    )


def label_text(hint: types.InlayHint) -> str:
    if isinstance(hint.label, str):
        return hint.label
    return "".join(part.value for part in hint.label)


def tooltip_text(hint: types.InlayHint) -> str:
    tip = hint.tooltip
    if tip is None:
        return ""
    return tip if isinstance(tip, str) else tip.value
