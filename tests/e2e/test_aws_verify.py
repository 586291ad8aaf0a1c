"""`generate-policies --verify` over the whole fixture corpus: the local
evaluator must find every requirement allowed by the generated policy and no
action granted beyond them, whatever the shaping flags. This guards the
generator itself."""
from __future__ import annotations

import json
import subprocess

import pytest

FLAGS = [
    [],
    ["-r", "us-east-1", "-a", "123456789012"],
    ["-r", "eu-west-1", "--minimize-policy-size"],
    ["--resource-cutoff", "0"],
    ["--resource-cutoff", "1", "--minimize-policy-size"],
    ["--no-kms-via-service"],
]


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: " ".join(f) or "defaults")
def test_generated_policies_allow_exactly_what_the_code_needs(iamlens_bin, repo_root, flags):
    corpus = repo_root / "tests" / "fixtures" / "python"
    proc = subprocess.run(
        [iamlens_bin, "generate-policies", str(corpus), "--verify", *flags],
        capture_output=True,
        text=True,
        timeout=120,
    )
    problems = [line for line in proc.stderr.splitlines() if line.startswith("verify:")]
    assert proc.returncode == 0, "\n".join(problems) or proc.stderr
    report = json.loads(proc.stdout)["Verification"]
    assert report["Checked"] > 50, "the corpus yields many requirements"
    assert report["NotAllowed"] == [] and report["Unneeded"] == [] and report["Errors"] == []
