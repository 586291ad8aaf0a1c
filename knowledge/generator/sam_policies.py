"""The SAM policy templates artifact, data/sam-policy-templates.json.zst:
every policy template of the pinned aws-sam-translator (its
policy_templates.json: `S3ReadPolicy`, `DynamoDBCrudPolicy`, ...), reduced to
what expanding one needs — its parameter names and its statements, with the
parameters as `{"Ref": "<Parameter>"}` and CloudFormation intrinsics
(`Fn::Sub`, `AWS::Partition`, ...) as SAM writes them. Descriptions are left
out. Read by server/iac/src/sam_templates.rs; no network at run time.

One zstd frame of compact JSON with sorted keys:

    {"source": "aws-sam-translator <version>", "version": "<templates version>",
     "templates": {"<Name>": {"parameters": [...], "statements": [...]}}}"""

import json
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / ".cache" / "src" / "aws-sam-translator"
TEMPLATES = SRC / "samtranslator" / "policy_templates_data" / "policy_templates.json"


def build(sam_version):
    with open(TEMPLATES, encoding="utf-8") as f:
        data = json.load(f)
    templates = {}
    for name, template in data["Templates"].items():
        statements = template["Definition"]["Statement"]
        if isinstance(statements, dict):
            statements = [statements]
        if not statements:
            raise SystemExit(f"sam_policies: template {name} has no statement")
        templates[name] = {"parameters": sorted(template.get("Parameters", {})), "statements": statements}
    out = {"source": f"aws-sam-translator {sam_version}", "version": data["Version"], "templates": templates}
    return json.dumps(out, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
