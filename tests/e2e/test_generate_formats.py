"""`generate-policies --format ...`: every format is read back by its own
ecosystem's parser and must say exactly what the JSON policy says —
PyYAML (yaml, serverless), python-hcl2 (terraform), cfn-lint on a minimal
template (cloudformation, sam), Python's ast (cdk-python) and the TypeScript
compiler against a declaration of aws-cdk-lib's PolicyStatement API
(cdk-typescript). Run on the check fixture (one policy) and the Python corpus
(two policies, conditions). The default output stays the JSON envelope."""
from __future__ import annotations

import ast
import json
import subprocess
import textwrap
from pathlib import Path

import hcl2
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TSC = ROOT / "tests" / "node" / "node_modules" / ".bin" / "tsc"
CFN_LINT = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "cfn-lint"
PROJECTS = {"check-app": ROOT / "tests" / "fixtures" / "check" / "app", "python-corpus": ROOT / "tests" / "fixtures" / "python"}
FLAGS = ["-r", "us-east-1", "-a", "123456789012"]


def generate(iamlens_bin: str, project: Path, *extra: str) -> str:
    proc = subprocess.run([iamlens_bin, "generate-policies", str(project), *FLAGS, *extra], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def case(request, iamlens_bin) -> tuple[str, Path, list[dict]]:
    """(project name, path, the policy documents of the JSON envelope)."""
    project = PROJECTS[request.param]
    envelope = json.loads(generate(iamlens_bin, project))
    return request.param, project, [p["Policy"] for p in envelope["Policies"]]


def without_id(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "Id"}


def all_statements(docs: list[dict]) -> list[dict]:
    return [s for d in docs for s in d["Statement"]]


def test_default_output_is_the_json_envelope(iamlens_bin):
    project = PROJECTS["check-app"]
    default = generate(iamlens_bin, project)
    assert generate(iamlens_bin, project, "--format", "json") == default
    assert generate(iamlens_bin, project, "--pretty", "--format", "json") == generate(iamlens_bin, project, "--pretty")
    assert set(json.loads(default)) == {"Policies", "Warnings"}


def test_every_format_is_deterministic(iamlens_bin):
    project = PROJECTS["python-corpus"]
    for fmt in ["yaml", "terraform", "cloudformation", "sam", "cdk-typescript", "cdk-python", "serverless"]:
        assert generate(iamlens_bin, project, "--format", fmt) == generate(iamlens_bin, project, "--format", fmt), fmt


def test_yaml_is_each_policy_document(iamlens_bin, case):
    _, project, docs = case
    assert list(yaml.safe_load_all(generate(iamlens_bin, project, "--format", "yaml"))) == docs


def test_serverless_is_the_roles_statements(iamlens_bin, case):
    _, project, docs = case
    parsed = yaml.safe_load(generate(iamlens_bin, project, "--format", "serverless"))
    assert parsed == {"provider": {"iam": {"role": {"statements": all_statements(docs)}}}}


def hcl_string(raw: str) -> str:
    """A python-hcl2 string (quotes and escapes kept) as the value Terraform reads."""
    return json.loads(raw).replace("$${", "${").replace("%%{", "%{")


def test_terraform_is_an_aws_iam_policy_document(iamlens_bin, case):
    _, project, docs = case
    parsed = hcl2.loads(generate(iamlens_bin, project, "--format", "terraform"))
    blocks = [b['"aws_iam_policy_document"'] for b in parsed["data"]]
    names = [hcl_string(name) for block in blocks for name in block]
    assert names == (["iamlens"] if len(docs) == 1 else [f"iamlens_{i + 1}" for i in range(len(docs))])
    for block, doc in zip([v for block in blocks for v in block.values()], docs):
        assert hcl_string(block["version"]) == doc["Version"]
        read = []
        for st in block["statement"]:
            out = {"Effect": hcl_string(st["effect"]), "Action": [hcl_string(a) for a in st["actions"]], "Resource": [hcl_string(r) for r in st["resources"]]}
            for c in st.get("condition", []):
                test, variable = hcl_string(c["test"]), hcl_string(c["variable"])
                out.setdefault("Condition", {}).setdefault(test, {})[variable] = [hcl_string(v) for v in c["values"]]
            read.append(out)
        assert read == doc["Statement"]


def cfn_lint(tmp_path: Path, template: str) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(template)
    proc = subprocess.run([str(CFN_LINT), "--format", "parseable", str(path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"cfn-lint:\n{proc.stdout}{proc.stderr}\n{template}"


def test_cloudformation_is_managed_policies_cfn_lint_accepts(iamlens_bin, case, tmp_path):
    _, project, docs = case
    snippet = generate(iamlens_bin, project, "--format", "cloudformation")
    template = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + textwrap.indent(snippet, "  ")
    cfn_lint(tmp_path, template)
    resources = yaml.safe_load(template)["Resources"]
    assert {r["Type"] for r in resources.values()} == {"AWS::IAM::ManagedPolicy"}
    assert [r["Properties"]["PolicyDocument"] for r in resources.values()] == [without_id(d) for d in docs]


def test_sam_is_a_functions_policies_cfn_lint_accepts(iamlens_bin, case, tmp_path):
    _, project, docs = case
    snippet = generate(iamlens_bin, project, "--format", "sam")
    template = textwrap.dedent("""\
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Worker:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: handler.handler
              InlineCode: "def handler(event, context): pass"
        """) + textwrap.indent(snippet, " " * 6)
    cfn_lint(tmp_path, template)
    policies = yaml.safe_load(template)["Resources"]["Worker"]["Properties"]["Policies"]
    assert policies == [without_id(d) for d in docs]


CDK_PYTHON_ARGS = {"sid", "effect", "actions", "not_actions", "resources", "not_resources", "conditions", "principals", "not_principals"}


def test_cdk_python_is_policy_statement_calls(iamlens_bin, case):
    _, project, docs = case
    tree = ast.parse(generate(iamlens_bin, project, "--format", "cdk-python"))
    [assign] = tree.body
    assert isinstance(assign, ast.Assign) and assign.targets[0].id == "iamlens_statements"
    read = []
    for call in assign.value.elts:
        assert isinstance(call, ast.Call) and ast.unparse(call.func) == "iam.PolicyStatement" and not call.args
        kwargs = {k.arg: k.value for k in call.keywords}
        assert set(kwargs) <= CDK_PYTHON_ARGS, set(kwargs) - CDK_PYTHON_ARGS
        assert ast.unparse(kwargs["effect"]) in ("iam.Effect.ALLOW", "iam.Effect.DENY")
        out = {"Effect": "Allow" if ast.unparse(kwargs["effect"]).endswith("ALLOW") else "Deny", "Action": ast.literal_eval(kwargs["actions"]), "Resource": ast.literal_eval(kwargs["resources"])}
        if "conditions" in kwargs:
            out["Condition"] = ast.literal_eval(kwargs["conditions"])
        read.append(out)
    assert read == all_statements(docs)


# aws-cdk-lib's aws-iam API as far as the snippet uses it (PolicyStatementProps
# and Effect, as declared in aws-cdk-lib/aws-iam/lib/policy-statement.d.ts).
CDK_IAM_DECLARATION = """\
declare namespace iam {
  enum Effect { ALLOW = "Allow", DENY = "Deny" }
  interface PolicyStatementProps {
    readonly sid?: string;
    readonly effect?: Effect;
    readonly actions?: string[];
    readonly notActions?: string[];
    readonly resources?: string[];
    readonly notResources?: string[];
    readonly conditions?: { [key: string]: any };
  }
  class PolicyStatement {
    constructor(props?: PolicyStatementProps);
  }
}
"""


def tsc(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    assert TSC.exists(), "the TypeScript compiler is installed by tests/setup-node"
    (tmp_path / "cdk-iam.d.ts").write_text(CDK_IAM_DECLARATION)
    (tmp_path / "statements.ts").write_text(source)
    return subprocess.run(
        [str(TSC), "--noEmit", "--strict", "--target", "es2020", "--module", "es2020", "cdk-iam.d.ts", "statements.ts"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )


def test_cdk_typescript_type_checks_against_the_cdk_api(iamlens_bin, case, tmp_path):
    _, project, docs = case
    source = generate(iamlens_bin, project, "--format", "cdk-typescript")
    proc = tsc(tmp_path, source)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert source.count("new iam.PolicyStatement({") == len(all_statements(docs))
    # The compiler does read the properties: a misspelt one fails.
    broken = tsc(tmp_path, source.replace("    actions:", "    action:", 1))
    assert broken.returncode != 0 and "action" in broken.stdout


def test_envelope_only_flags_are_refused_with_other_formats(iamlens_bin):
    proc = subprocess.run([iamlens_bin, "generate-policies", str(PROJECTS["check-app"]), "--format", "terraform", "--explain", "*"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "iamlens: --explain adds to the JSON envelope; leave it out with --format terraform, or use --format json"
