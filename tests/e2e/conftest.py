"""Shared fixtures for the end-to-end suites: the built binary and a local moto server.

Every suite drives the real `iamlens` binary. AWS tests talk to moto's server on
127.0.0.1, started once per session by this file and reset before each test that
uses it.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def iamlens_bin() -> str:
    """Path of the iamlens binary under test ($IAMLENS_BIN, else target/debug/iamlens)."""
    path = os.environ.get("IAMLENS_BIN") or str(REPO_ROOT / "target" / "debug" / "iamlens")
    if not os.access(path, os.X_OK):
        pytest.fail(f"iamlens binary not found at {path}: run `cargo build -p iamlens` first (tests/run does)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, deadline: float) -> None:
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except Exception as exc:  # noqa: BLE001 - retried until the deadline
            last = exc
            time.sleep(0.1)
    raise RuntimeError(f"moto server did not answer at {url}: {last}")


@pytest.fixture(scope="session")
def _moto_server():
    moto = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
    if not moto:
        pytest.fail("moto_server not found: tests/setup-venv installs moto[server]")
    port = _free_port()
    proc = subprocess.Popen(
        [moto, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_http(endpoint + "/moto-api/", time.monotonic() + 30)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def moto_endpoint(_moto_server, monkeypatch) -> str:
    """A clean moto server (state reset) with the AWS environment pointed at it.

    Sets AWS_ENDPOINT_URL, dummy credentials and region in this test's
    environment, so subprocesses started with os.environ inherit them.
    """
    req = urllib.request.Request(_moto_server + "/moto-api/reset", method="POST")
    urllib.request.urlopen(req, timeout=5).read()
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", _moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    return _moto_server


@pytest.fixture
def iam_client(moto_endpoint):
    """A boto3 IAM client on the moto server, for arranging and checking state."""
    import boto3

    return boto3.client("iam", endpoint_url=moto_endpoint, region_name="us-east-1")
