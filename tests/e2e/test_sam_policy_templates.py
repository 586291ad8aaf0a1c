"""Every SAM policy template iamlens expands (knowledge/data/
sam-policy-templates.json.zst, from the pinned aws-sam-translator) against
the official translator's own expansion (`PolicyTemplatesProcessor`, the
same pinned version in tests/requirements.txt): one SAM function declaring
all of them, checked with `iamlens check --format json`, each document
compared statement for statement once the translator's `Fn::Sub` is
resolved with the same region and account."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor

REGION, ACCOUNT = "eu-west-1", "123456789012"


def resolve(node):
    """The translator's output with `Fn::Sub` and pseudo-parameter `Ref`s resolved."""
    pseudo = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
    if isinstance(node, list):
        return [resolve(n) for n in node]
    if isinstance(node, dict):
        if set(node) == {"Fn::Sub"}:
            arg = node["Fn::Sub"]
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], resolve(arg[1]))
            return re.sub(r"\$\{([^}]+)\}", lambda m: str(variables.get(m.group(1), pseudo.get(m.group(1), m.group(0)))), text)
        if set(node) == {"Ref"} and node["Ref"] in pseudo:
            return pseudo[node["Ref"]]
        return {k: resolve(v) for k, v in node.items()}
    return node


def test_every_policy_template_expands_as_the_translator_does(iamlens_bin, tmp_path):
    processor = PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())
    names = sorted(processor.policy_templates)
    assert len(names) >= 80
    lines = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Transform: AWS::Serverless-2016-10-31",
        "Resources:",
        "  AllTemplatesFunction:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        "      CodeUri: src/",
        "      Handler: app.handler",
        "      Runtime: python3.12",
        "      Policies:",
    ]
    params = {}
    for name in names:
        values = {p: f"{p.lower()}-value" for p in processor.policy_templates[name].parameters}
        params[name] = values
        if values:
            lines.append(f"        - {name}:")
            lines.extend(f"            {k}: {v}" for k, v in values.items())
        else:
            lines.append(f"        - {name}: {{}}")
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return None\n")
    (tmp_path / "template.yaml").write_text("\n".join(lines) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.run(
        [iamlens_bin, "check", "--format", "json", "--region", REGION, "--account", ACCOUNT],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "warning:" not in proc.stderr, proc.stderr
    [function] = json.loads(proc.stdout)["Functions"]
    ours = {p["Name"].split()[-1]: p for p in function["Policies"]}
    assert sorted(ours) == names
    for name in names:
        expected = resolve(processor.convert(name, params[name]))["Statement"]
        got = ours[name]["Document"]["Statement"]
        assert got == expected, name
        assert ours[name]["Unresolved"] == [], name
