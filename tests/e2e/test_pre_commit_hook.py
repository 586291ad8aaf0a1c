"""The repository's .pre-commit-hooks.yaml, run by the `pre-commit` package
on a project that uses it: a commit whose code makes a call the policy does
not allow fails, one that matches passes; the whole-repository hook reads
every file and, with --fail-on excess, fails on an over-broad policy."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "pre-commit"
FIXTURE = ROOT / "tests" / "fixtures" / "check"


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout.strip()


@pytest.fixture
def hooks_repo(tmp_path: Path) -> tuple[Path, str]:
    """A repository holding this repository's .pre-commit-hooks.yaml, committed."""
    repo = tmp_path / "hooks"
    repo.mkdir()
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", repo / ".pre-commit-hooks.yaml")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "hooks")
    return repo, git(repo, "rev-parse", "HEAD")


def project(tmp_path: Path, hooks: tuple[Path, str], hook: str, args: list[str]) -> Path:
    repo = tmp_path / "project"
    shutil.copytree(FIXTURE, repo)
    quoted = ", ".join(args)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks[0]}\n    rev: {hooks[1]}\n    hooks:\n      - id: {hook}\n        args: [{quoted}]\n"
    )
    git(repo, "init", "-q")
    git(repo, "add", ".")
    return repo


def run_hooks(iamlens_bin: str, repo: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PATH"] = f"{Path(iamlens_bin).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    return subprocess.run([str(PRE_COMMIT), "run", "--all-files", "--color", "never"], cwd=repo, capture_output=True, text=True, timeout=300, env=env)


def test_changed_files_hook_fails_on_a_missing_permission(iamlens_bin, hooks_repo, tmp_path):
    repo = project(tmp_path, hooks_repo, "iamlens-check", ["--policy", "missing.json"])
    proc = run_hooks(iamlens_bin, repo, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "iamlens check (changed files)" in proc.stdout and "Failed" in proc.stdout
    assert "app/handler.py:15:5: denied sqs.send_message(" in proc.stdout


def test_changed_files_hook_passes_when_the_policy_matches(iamlens_bin, hooks_repo, tmp_path):
    repo = project(tmp_path, hooks_repo, "iamlens-check", ["--policy", "exact.json"])
    proc = run_hooks(iamlens_bin, repo, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "iamlens check (changed files)" in proc.stdout and "Passed" in proc.stdout


def test_whole_repository_hook_fails_on_excess_when_asked(iamlens_bin, hooks_repo, tmp_path):
    repo = project(tmp_path, hooks_repo, "iamlens-check-all", ["--policy", "broad.json", "--fail-on", "excess"])
    proc = run_hooks(iamlens_bin, repo, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "broad.json:4: excess:" in proc.stdout
    (repo / ".iamlens.toml").write_text('[check]\nallow = ["s3:*", "logs:*"]\n')
    git(repo, "add", ".")
    proc = run_hooks(iamlens_bin, repo, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def readme_blocks(language: str) -> list[str]:
    """The fenced code blocks of README's "Use it in CI" section in `language`."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Use it in CI", 1)[1].split("\n## ", 1)[0]
    return [b.split("\n", 1)[1] for b in section.split("```")[1::2] if b.startswith(language + "\n")]


def test_readme_ci_snippets_are_what_iamlens_reads(iamlens_bin, tmp_path):
    import yaml

    [toml] = readme_blocks("toml")
    repo = tmp_path / "project"
    shutil.copytree(FIXTURE, repo)
    (repo / ".git").mkdir()
    (repo / ".iamlens.toml").write_text(toml)
    proc = subprocess.run([iamlens_bin, "check", "--policy", "broad.json", "app"], cwd=repo, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "never excess: logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents" in proc.stdout
    workflow, pre_commit = (yaml.safe_load(b) for b in readme_blocks("yaml"))
    steps = workflow["jobs"]["iamlens"]["steps"]
    assert any("--format sarif" in s.get("run", "") for s in steps)
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    hook_ids = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {h["id"] for h in pre_commit["repos"][0]["hooks"]} <= hook_ids
