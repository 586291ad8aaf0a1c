"""Load and validate the curated overrides in knowledge/overrides/*.toml.

Every entry names what it changes and carries a one-line `reason`. Unknown
tables or keys, a missing reason, or two entries for the same operation stop
the generator with a message naming the file and entry."""

import tomllib
from pathlib import Path

OVERRIDES = Path(__file__).resolve().parent.parent / "overrides"

# table name → (required keys, optional keys)
SCHEMA = {
    "prefix": ({"service", "iam_prefix", "reason"}, set()),
    "operation": ({"service", "actions", "reason"}, {"operation", "operations", "requires"}),
    "http_verb": ({"services", "iam_prefix", "reason"}, set()),
    "no_iam": ({"service", "reason"}, {"operation", "operations"}),
    "unmapped": ({"service", "reason"}, {"operation", "operations"}),
    "binding": ({"variable", "member", "form", "reason"}, {"iam_prefix", "service", "resource_type", "operations"}),
    "pass_role": ({"service", "reason"}, {"operation", "operations", "members"}),
    "no_pass_role": ({"service", "reason"}, {"operation", "operations", "members"}),
    "principal": ({"service", "principal", "reason"}, set()),
    "kms": ({"service", "actions", "reason"}, {"operation", "operations", "key_member", "via"}),
    "injected": ({"service", "method", "operations", "note", "reason"}, {"args", "extra_actions", "resource", "identifiers"}),
    "privilege_escalation": ({"action", "reason"}, set()),
    "when_member": ({"service", "member", "actions", "reason"}, {"operation", "operations", "replaces_primary", "unless", "bind"}),
    "no_on_behalf": ({"service", "action", "reason"}, {"operation", "operations"}),
    "terraform": ({"terraform", "cloudformation", "reason"}, set()),
}
FORMS = {"name", "name_or_arn", "arn", "queue_url", "path_name", "secret_name", "copy_source_bucket", "copy_source_key",
         "task_definition_family", "task_definition_revision", "bedrock_foundation_model", "bedrock_inference_profile", "ssm_document"}


class Overrides:
    def __init__(self):
        self.entries = {name: [] for name in SCHEMA}

    def ops(self, entry):
        """Operation names an entry applies to; ['*'] means all."""
        if "operation" in entry:
            return [entry["operation"]]
        return list(entry.get("operations", ["*"]))


def _fail(path, table, i, msg):
    raise SystemExit(f"overrides: {path.name}: [[{table}]] #{i + 1}: {msg}")


def load():
    o = Overrides()
    seen_ops = {}
    for path in sorted(OVERRIDES.glob("*.toml")):
        with open(path, "rb") as f:
            try:
                doc = tomllib.load(f)
            except tomllib.TOMLDecodeError as e:
                raise SystemExit(f"overrides: {path.name}: {e}")
        for table, entries in doc.items():
            if table not in SCHEMA:
                raise SystemExit(f"overrides: {path.name}: unknown table [[{table}]]; expected one of {', '.join(sorted(SCHEMA))}")
            required, optional = SCHEMA[table]
            for i, entry in enumerate(entries):
                missing = required - entry.keys()
                if missing:
                    _fail(path, table, i, f"missing {', '.join(sorted(missing))}")
                unknown = entry.keys() - required - optional
                if unknown:
                    _fail(path, table, i, f"unknown key(s) {', '.join(sorted(unknown))}")
                if not str(entry["reason"]).strip() or "\n" in entry["reason"]:
                    _fail(path, table, i, "reason must be one non-empty line")
                if table == "binding" and entry["form"] not in FORMS:
                    _fail(path, table, i, f"form {entry['form']!r} is not one of {', '.join(sorted(FORMS))}")
                if table == "operation":
                    for op in o.ops(entry):
                        key = (entry["service"], op)
                        if key in seen_ops:
                            _fail(path, table, i, f"{entry['service']} {op} is already overridden in {seen_ops[key]}")
                        seen_ops[key] = path.name
                entry = dict(entry)
                entry["_file"] = path.name
                o.entries[table].append(entry)
    return o
