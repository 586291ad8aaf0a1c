"""`iamlens check --policy FILE` on the fixture project tests/fixtures/check:
a policy exactly right, one missing a call, one whose Deny takes a call back,
one over-broad — in every output format (text, json, SARIF validated against
the pinned SARIF 2.1.0 schema, GitHub workflow annotations), with the exit
codes CI relies on, --fail-on excess, --allow and .iamlens.toml."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "check"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())
HANDLER = "app/handler.py"
SEND_LINE = 15  # sqs.send_message(...) in app/handler.py
QUEUE = "arn:aws:sqs:us-east-1:123456789012:invoice-events"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The fixture copied to a repository of its own, so no .iamlens.toml above it is read."""
    dest = tmp_path / "project"
    shutil.copytree(FIXTURE, dest)
    (dest / ".git").mkdir()
    return dest


def check(iamlens_bin: str, cwd: Path, policy: str, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [iamlens_bin, "check", "--policy", policy, "app", *extra], cwd=cwd, capture_output=True, text=True, timeout=60, env=env
    )


def as_json(iamlens_bin: str, cwd: Path, policy: str, *extra: str) -> tuple[int, dict]:
    proc = check(iamlens_bin, cwd, policy, "--format", "json", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def sarif(iamlens_bin: str, cwd: Path, policy: str, *extra: str) -> tuple[int, dict]:
    proc = check(iamlens_bin, cwd, policy, "--format", "sarif", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    log = json.loads(proc.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return proc.returncode, log


def annotations(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    """`::level k=v,k=v::message` lines as (level, properties, message)."""
    out = []
    for line in stdout.splitlines():
        m = re.fullmatch(r"::(error|warning|notice) ([^:]*)::(.*)", line)
        if m:
            props = dict(p.split("=", 1) for p in m.group(2).split(","))
            out.append((m.group(1), props, m.group(3)))
    return out


# --- exactly right ---------------------------------------------------------


def test_exact_policy_passes_with_no_finding_in_any_format(iamlens_bin, project):
    proc = check(iamlens_bin, project, "exact.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "policy exact.json: 3 call(s) allowed, 0 denied, 0 depend on run-time values" in proc.stdout
    assert "0 missing permissions, 0 statements grant beyond what the calls read need" in proc.stdout
    assert "excess is relative to the code that was read" in proc.stdout
    assert proc.stderr == ""

    code, out = as_json(iamlens_bin, project, "exact.json")
    assert code == 0
    assert out["PolicyFiles"] == ["exact.json"]
    assert out["Missing"] == [] and out["Excess"] == []
    assert out["Summary"] == {"Allowed": 3, "Denied": 0, "Depends": 0, "Missing": 0, "Excess": 0}

    code, log = sarif(iamlens_bin, project, "exact.json")
    assert code == 0 and log["runs"][0]["results"] == []

    github = check(iamlens_bin, project, "exact.json", "--format", "github")
    assert github.returncode == 0
    assert annotations(github.stdout) == []
    # Still fine when excess fails the check: there is none.
    assert check(iamlens_bin, project, "exact.json", "--fail-on", "excess").returncode == 0


def test_what_generate_policies_prints_checks_clean(iamlens_bin, project):
    """The {"Policies": [...]} envelope is read as it is printed, and the generated policy is exactly right."""
    gen = subprocess.run(
        [iamlens_bin, "generate-policies", "app", "--region", "us-east-1", "--account", "123456789012"],
        cwd=project, capture_output=True, text=True, timeout=60,
    )
    assert gen.returncode == 0, gen.stderr
    (project / "generated.json").write_text(gen.stdout)
    proc = check(iamlens_bin, project, "generated.json", "--fail-on", "excess")
    assert proc.returncode == 0, proc.stdout
    assert "0 missing permissions, 0 statements grant" in proc.stdout


# --- missing ----------------------------------------------------------------


def test_missing_call_fails_and_is_named_in_every_format(iamlens_bin, project):
    proc = check(iamlens_bin, project, "missing.json")
    assert proc.returncode == 1
    assert f"{HANDLER}:{SEND_LINE}:5: denied sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=key)" in proc.stdout
    assert f"denied sqs:SendMessage on {QUEUE}: denied implicitly: no policy statement allows it" in proc.stdout
    assert "1 missing permission, 0 statements grant" in proc.stdout

    code, out = as_json(iamlens_bin, project, "missing.json")
    assert code == 1
    [missing] = out["Missing"]
    assert missing["File"] == HANDLER and missing["Line"] == SEND_LINE and missing["Column"] == 5
    assert missing["Action"] == "sqs:SendMessage" and missing["Resource"] == QUEUE
    assert missing["Call"].startswith("sqs.send_message(")
    assert missing["Decision"] == {"Decision": "ImplicitDeny"}

    code, log = sarif(iamlens_bin, project, "missing.json")
    assert code == 1
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "iamlens/missing-permission" and result["level"] == "error"
    loc = result["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": HANDLER, "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": SEND_LINE, "startColumn": 5}
    assert "sqs:SendMessage" in result["message"]["text"] and "no policy statement allows it" in result["message"]["text"]

    github = check(iamlens_bin, project, "missing.json", "--format", "github")
    assert github.returncode == 1
    [(level, props, message)] = annotations(github.stdout)
    assert level == "error"
    assert props == {"file": HANDLER, "line": str(SEND_LINE), "col": "5", "title": "iamlens%3A missing sqs%3ASendMessage"}
    assert message.startswith(f"sqs:SendMessage on {QUEUE} for sqs.send_message(")


def test_sarif_names_files_outside_the_current_directory_by_absolute_uri(iamlens_bin, project):
    """Paths under the current directory are relative to the source root; others are file:// URIs."""
    proc = subprocess.run(
        [iamlens_bin, "check", "--policy", str(project / "missing.json"), str(project / "app"), "--format", "sarif"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    [result] = log["runs"][0]["results"]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (project / HANDLER).as_uri()}


def test_explicit_deny_names_the_statement(iamlens_bin, project):
    code, out = as_json(iamlens_bin, project, "denied.json")
    assert code == 1
    [missing] = out["Missing"]
    assert missing["Decision"] == {"Decision": "ExplicitDeny", "By": {"Policy": "denied.json", "Sid": "NoQueueWrites", "Index": 5}}
    text = check(iamlens_bin, project, "denied.json").stdout
    assert 'denied explicitly by statement "NoQueueWrites" of denied.json' in text


# --- excess -----------------------------------------------------------------


def test_over_broad_policy_reports_excess_with_the_narrower_grant(iamlens_bin, project):
    proc = check(iamlens_bin, project, "broad.json")
    assert proc.returncode == 0, "excess alone does not fail the check by default"
    lines = proc.stdout.splitlines()
    data = next(line for line in lines if line.startswith("broad.json:4: excess:"))
    assert 'statement "Data" of broad.json grants s3:* on *' in data
    assert "narrower: s3:GetObject on arn:aws:s3:::invoices/*" in data
    logs = next(line for line in lines if line.startswith("broad.json:49: excess:"))
    assert "which no call in the code read needs" in logs
    assert "0 missing permissions, 2 statements grant beyond what the calls read need" in proc.stdout
    assert "excess is relative to the code that was read" in proc.stdout

    code, out = as_json(iamlens_bin, project, "broad.json")
    assert code == 0
    data, logs = out["Excess"]
    assert data["File"] == "broad.json" and data["Line"] == 4
    assert data["Statement"] == {"Policy": "broad.json", "Sid": "Data", "Index": 0}
    assert data["GrantedActions"] == ["s3:*"] and data["GrantedResources"] == ["*"]
    assert data["NeededActions"] == ["s3:GetObject"] and data["NeededResources"] == ["arn:aws:s3:::invoices/*"]
    assert "s3:DeleteObject" in data["UnneededActions"] and "s3:GetObject" not in data["UnneededActions"]
    assert data["BroaderResources"] == [{"Granted": "*", "Needed": ["arn:aws:s3:::invoices/*"]}]
    assert logs["Line"] == 49 and logs["NeededActions"] == [] and logs["Statement"]["Sid"] == "Logs"
    assert "relative to the code that was read" in out["ExcessIsRelative"]

    code, log = sarif(iamlens_bin, project, "broad.json")
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["iamlens/excess-grant"] * 2
    assert {r["level"] for r in results} == {"warning"}
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results] == [4, 49]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {"broad.json"}

    github = check(iamlens_bin, project, "broad.json", "--format", "github")
    found = annotations(github.stdout)
    assert [(level, props["file"], props["line"]) for level, props, _ in found] == [("warning", "broad.json", "4"), ("warning", "broad.json", "49")]
    assert "narrower: s3:GetObject on arn:aws:s3:::invoices/*" in found[0][2]


def test_fail_on_excess_fails_and_allow_silences(iamlens_bin, project):
    assert check(iamlens_bin, project, "broad.json", "--fail-on", "excess").returncode == 1
    # Allowing the logs grants leaves the S3 one.
    proc = check(iamlens_bin, project, "broad.json", "--fail-on", "excess", "--allow", "logs:*")
    assert proc.returncode == 1
    assert "broad.json:49:" not in proc.stdout and "broad.json:4: excess:" in proc.stdout
    assert "(granted for reasons the code does not show, never excess: logs:*)" in proc.stdout
    # Allowing both: nothing is excess.
    proc = check(iamlens_bin, project, "broad.json", "--fail-on", "excess", "--allow", "logs:*", "--allow", "s3:*")
    assert proc.returncode == 0, proc.stdout
    assert "0 statements grant beyond" in proc.stdout


def test_iamlens_toml_records_allowed_grants(iamlens_bin, project):
    (project / ".iamlens.toml").write_text('[check]\n# the Lambda runtime writes logs\nallow = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]\n')
    code, out = as_json(iamlens_bin, project, "broad.json")
    assert [e["Statement"]["Sid"] for e in out["Excess"]] == ["Data"]
    assert out["Allowed"] == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    # --allow adds to the file's list.
    proc = check(iamlens_bin, project, "broad.json", "--fail-on", "excess", "--allow", "s3:*")
    assert proc.returncode == 0, proc.stdout
    # --config names another file.
    (project / "ci.toml").write_text('[check]\nallow = ["s3:*"]\n')
    code, out = as_json(iamlens_bin, project, "broad.json", "--config", "ci.toml")
    assert [e["Statement"]["Sid"] for e in out["Excess"]] == ["Logs"]


# --- errors for people --------------------------------------------------------


@pytest.mark.parametrize(
    "setup, args, message",
    [
        (None, ["--policy", "nope.json"], "iamlens: --policy nope.json: cannot read it"),
        ("not json", ["--policy", "bad.json"], "iamlens: --policy bad.json: not valid JSON (line 1, column 2"),
        ('{"Version": "2012-10-17"}', ["--policy", "bad.json"], "iamlens: --policy bad.json: not an IAM policy document"),
        ('{"Statement": [{"Action": "s3:*", "Resource": "*"}]}', ["--policy", "bad.json"], "iamlens: --policy bad.json: statement 1 has no Effect"),
        (None, ["--policy", "app"], "iamlens: --policy app: is a directory; pass one policy JSON file to each --policy"),
        (None, ["--policy", "exact.json", "--allow", "logs"], 'iamlens: --allow: "logs" is not an action glob'),
        ("[check]\nallow = 1\n", ["--policy", "exact.json", "--config", "bad.json"], "iamlens: bad.json: [check] allow must be a list of action globs"),
    ],
)
def test_bad_input_is_one_clear_message(iamlens_bin, project, setup, args, message):
    if setup is not None:
        (project / "bad.json").write_text(setup)
    proc = subprocess.run([iamlens_bin, "check", *args, "app"], cwd=project, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(message), proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "panicked" not in proc.stderr


def test_role_and_policy_are_exclusive_and_one_is_needed(iamlens_bin, project):
    both = subprocess.run([iamlens_bin, "check", "--role", "r", "--policy", "exact.json", "app"], cwd=project, capture_output=True, text=True)
    assert both.returncode == 2 and "cannot be used with" in both.stderr
    neither = subprocess.run([iamlens_bin, "check", "app"], cwd=project, capture_output=True, text=True)
    # Neither: the policies the templates declare; with no template, a usage error naming all three sources.
    assert neither.returncode == 2 and "no --role or --policy" in neither.stderr and "--iac TEMPLATE" in neither.stderr


def test_the_corpus_checks_clean_against_its_generated_policies(iamlens_bin, tmp_path):
    """generate-policies and check agree: on the whole Python corpus (two
    policies in the envelope), every call is allowed without depending on
    run-time values, and the only excess is the resource patterns the
    generator's cutoff widened — never an action no call needs."""
    corpus = ROOT / "tests" / "fixtures" / "python"
    flags = ["-r", "us-east-1", "-a", "123456789012"]
    gen = subprocess.run([iamlens_bin, "generate-policies", str(corpus), *flags], capture_output=True, text=True, timeout=120)
    assert gen.returncode == 0, gen.stderr
    policy = tmp_path / "corpus-policy.json"
    policy.write_text(gen.stdout)
    assert len(json.loads(gen.stdout)["Policies"]) == 2
    proc = subprocess.run([iamlens_bin, "check", "--policy", str(policy), str(corpus), *flags, "--format", "json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["Summary"]["Denied"] == 0 and out["Summary"]["Depends"] == 0 and out["Missing"] == []
    assert out["Summary"]["Allowed"] == len(out["Calls"]) > 50
    for excess in out["Excess"]:
        assert excess["UnneededActions"] == [] and excess["UnusedResources"] == [], excess
        assert all("*" in b["Granted"] for b in excess["BroaderResources"]), excess
