"""Where users install from: `pip install iamlens` and `cargo install`.

The wheel is built by maturin (pinned in tests/requirements.txt) from
server/cli/pyproject.toml, with the workspace's target directory and the debug
profile tests/run has just built, so it costs the packing and not a second
build. It is installed into a fresh venv with `pip install --no-index`, and the
`iamlens` command the venv gets must print its version and a policy."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CARGO_TOML = ROOT / "Cargo.toml"
CLI_MANIFEST = ROOT / "server" / "cli" / "Cargo.toml"
FIXTURE = ROOT / "tests" / "fixtures" / "python" / "athena_report.py"
EXPECTED = ROOT / "tests" / "fixtures" / "expected" / "athena_report.json"


def workspace_version() -> str:
    import tomllib

    return tomllib.loads(CARGO_TOML.read_text())["workspace"]["package"]["version"]


def run(*args, timeout=600, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, args))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    maturin = shutil.which("maturin", path=str(Path(sys.executable).parent))
    if not maturin:
        pytest.fail("maturin not found next to the test venv's python: tests/setup-venv installs it from tests/requirements.txt")
    out = tmp_path_factory.mktemp("wheels")
    # --profile dev: the binary tests/run built in target/debug, reused as is.
    run(maturin, "build", "--locked", "--profile", "dev", "--manifest-path", CLI_MANIFEST, "--out", out, cwd=ROOT)
    [built] = list(out.glob("*.whl"))
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", env_dir)
    run(env_dir / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index", wheel)
    return env_dir


def test_wheel_metadata_names_the_crate_version_license_and_platforms(wheel):
    version = workspace_version()
    assert wheel.name.startswith(f"iamlens-{version}-py3-none-"), wheel.name
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(f"iamlens-{version}.dist-info/METADATA").decode()
    # The binary is the wheel's one script; no Python package comes with it.
    assert f"iamlens-{version}.data/scripts/iamlens" in names, names
    assert f"iamlens-{version}.dist-info/licenses/LICENSE" in names, names
    headers = [line for line in metadata.split("\n\n", 1)[0].splitlines()]
    for header in (
        "Name: iamlens",
        f"Version: {version}",
        "License-Expression: Apache-2.0",
        "Classifier: Operating System :: POSIX :: Linux",
        "Classifier: Operating System :: MacOS",
        "Description-Content-Type: text/markdown; charset=UTF-8; variant=GFM",
    ):
        assert header in headers, f"{header!r} not in {headers}"
    assert any(h.startswith("Requires-Python: >=") for h in headers), headers
    assert any(h.startswith("Summary: ") and "IAM" in h for h in headers), headers
    # The long description is the README.
    assert metadata.split("\n\n", 1)[1].startswith("# iamlens\n")


def test_pip_installed_command_prints_its_version(venv):
    proc = run(venv / "bin" / "iamlens", "--version")
    assert proc.stdout.startswith(f"iamlens {workspace_version()} (knowledge: "), proc.stdout
    assert "botocore" in proc.stdout


def test_pip_installed_command_generates_the_policy(venv, tmp_path):
    # Run from elsewhere with only the venv on PATH: the command, not the checkout.
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = run("iamlens", "generate-policies", FIXTURE, "--region", "us-east-1", "--account", "123456789012", cwd=tmp_path, env=env, timeout=120)
    out = json.loads(proc.stdout)
    [policy] = out["Policies"]
    statements = {tuple(s["Action"]): s["Resource"] for s in policy["Policy"]["Statement"]}
    assert statements[("athena:StartQueryExecution",)] == ["arn:aws:athena:us-east-1:123456789012:workgroup/analytics"], statements
    assert out == json.loads(EXPECTED.read_text())


def test_cargo_install_from_the_repository_still_works(tmp_path):
    cargo = shutil.which("cargo")
    if not cargo:
        pytest.fail("cargo not found on PATH")
    # --debug and the workspace's target directory: the build tests/run made.
    run(cargo, "install", "--quiet", "--locked", "--debug", "--path", ROOT / "server" / "cli", "--root", tmp_path / "root", cwd=ROOT)
    proc = run(tmp_path / "root" / "bin" / "iamlens", "--version")
    assert proc.stdout.startswith(f"iamlens {workspace_version()} "), proc.stdout
