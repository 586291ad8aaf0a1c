"""`iamlens generate-policies` on a tree mixing Python, TypeScript, JavaScript
and Go: one policy with every language's actions; test files (a `tests/`
directory, `test_*.py`, `*_test.go`, `*.test.ts`) left out unless
`--include-tests`; `--language` restricts a run to one language."""
from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from language_sources import ALERT_GO, QUEUE_JS, REPORTS_TS

APP_PY = textwrap.dedent(
    """\
    import boto3

    table = boto3.client("dynamodb")


    def order(order_id):
        return table.get_item(TableName="orders", Key={"id": {"S": order_id}})
    """
)

# Test code: it creates and deletes things the application never does.
TEST_PY = textwrap.dedent(
    """\
    import boto3


    def test_reports_bucket_exists():
        boto3.client("s3").create_bucket(Bucket="reports")
    """
)

ALERT_TEST_GO = textwrap.dedent(
    """\
    package notify

    import (
    \t"context"
    \t"testing"

    \t"github.com/aws/aws-sdk-go-v2/aws"
    \t"github.com/aws/aws-sdk-go-v2/config"
    \t"github.com/aws/aws-sdk-go-v2/service/sns"
    )

    func TestAlert(t *testing.T) {
    \tctx := context.Background()
    \tcfg, _ := config.LoadDefaultConfig(ctx)
    \tclient := sns.NewFromConfig(cfg)
    \tclient.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:scratch")})
    }
    """
)

REPORTS_TEST_TS = textwrap.dedent(
    """\
    import { S3Client, DeleteObjectCommand } from "@aws-sdk/client-s3";
    import { get } from "./reports";

    const s3 = new S3Client({});

    afterEach(async () => {
      await s3.send(new DeleteObjectCommand({ Bucket: "reports", Key: "fixture.csv" }));
    });

    test("get reads the report", async () => {
      await get("fixture.csv");
    });
    """
)

APP_ACTIONS = {"dynamodb:GetItem", "s3:GetObject", "sqs:SendMessage", "sns:Publish"}
TEST_ACTIONS = {"s3:CreateBucket", "sns:DeleteTopic", "s3:DeleteObject"}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "web").mkdir(parents=True)
    (root / "lib").mkdir()
    (root / "notify").mkdir()
    (root / "tests").mkdir()
    (root / "app.py").write_text(APP_PY)
    (root / "web" / "reports.ts").write_text(REPORTS_TS)
    (root / "lib" / "queue.js").write_text(QUEUE_JS)
    (root / "notify" / "alert.go").write_text(ALERT_GO)
    (root / "notify" / "alert_test.go").write_text(ALERT_TEST_GO)
    (root / "web" / "reports.test.ts").write_text(REPORTS_TEST_TS)
    (root / "tests" / "test_reports.py").write_text(TEST_PY)
    return root


def run(iamlens_bin: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [iamlens_bin, "generate-policies", "--no-kms-via-service", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )


def policy(out: subprocess.CompletedProcess) -> dict:
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def actions(envelope: dict) -> set[str]:
    found: set[str] = set()
    for p in envelope["Policies"]:
        for st in p["Policy"]["Statement"]:
            a = st["Action"]
            found.update([a] if isinstance(a, str) else a)
    return found


def resources(envelope: dict) -> set[str]:
    found: set[str] = set()
    for p in envelope["Policies"]:
        for st in p["Policy"]["Statement"]:
            r = st["Resource"]
            found.update([r] if isinstance(r, str) else r)
    return found


def test_a_mixed_tree_gives_one_policy_with_every_languages_actions(iamlens_bin, tree):
    out = run(iamlens_bin, "--region", "us-east-1", "--account", "123456789012", ".", cwd=tree)
    envelope = policy(out)
    assert len(envelope["Policies"]) == 1
    assert actions(envelope) == APP_ACTIONS
    assert resources(envelope) == {
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
        "arn:aws:s3:::reports/*",
        "arn:aws:sqs:us-east-1:123456789012:jobs",
        "arn:aws:sns:us-east-1:123456789012:alerts",
    }
    # The test files were left out, and stderr says so (and how to read them).
    assert "left out 3 test files" in out.stderr, out.stderr
    assert "--include-tests" in out.stderr
    files = {w["File"] for w in envelope["Warnings"]}
    assert not any("test" in Path(f).name for f in files), files


def test_include_tests_reads_the_test_files_of_every_language(iamlens_bin, tree):
    out = run(iamlens_bin, "--include-tests", ".", cwd=tree)
    envelope = policy(out)
    assert actions(envelope) == APP_ACTIONS | TEST_ACTIONS
    assert "arn:aws:sns:us-east-1:123456789012:scratch" in resources(envelope)
    assert "left out" not in out.stderr, out.stderr


def test_a_test_file_named_on_the_command_line_is_read(iamlens_bin, tree):
    # Only directory walks leave tests out; a file given by name is what was asked for.
    envelope = policy(run(iamlens_bin, "notify/alert_test.go", cwd=tree))
    assert actions(envelope) == {"sns:DeleteTopic"}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("go", {"sns:Publish"}),
        ("python", {"dynamodb:GetItem"}),
        # One front-end reads JavaScript and TypeScript: either name selects both.
        ("typescript", {"s3:GetObject", "sqs:SendMessage"}),
        ("javascript", {"s3:GetObject", "sqs:SendMessage"}),
    ],
)
def test_language_restricts_the_run_to_one_front_end(iamlens_bin, tree, language, expected):
    out = run(iamlens_bin, "--language", language, ".", cwd=tree)
    assert actions(policy(out)) == expected
    # Only that language's test file counts as left out.
    assert "left out 1 test file" in out.stderr, out.stderr


def test_language_go_with_include_tests_reads_the_go_test_file_only(iamlens_bin, tree):
    out = run(iamlens_bin, "--language", "go", "--include-tests", ".", cwd=tree)
    assert actions(policy(out)) == {"sns:Publish", "sns:DeleteTopic"}


def test_an_unknown_language_is_refused_with_the_known_ones(iamlens_bin, tree):
    out = run(iamlens_bin, "--language", "cobol", ".", cwd=tree)
    assert out.returncode != 0
    assert out.stdout == ""
    for name in ("python", "javascript", "go"):
        assert name in out.stderr, out.stderr
