#!/usr/bin/env python3
"""Silent-drop audit of a Python project: every line that calls a method
named like a boto3 operation (with keyword arguments, `**kwargs` or none)
is looked up in `iamlens generate-policies --full-output`: in the policy,
named in a warning, or neither ("silent"). Silent lines are candidates for
review, not verdicts: a project's own wrapper methods (`self.create_cluster(...)`)
and calls on a batch writer (counted at `batch_writer()`) land there too.

  tests/.venv/bin/python tests/bench/silent_drop_audit.py <project dir> --bin target/release/iamlens [--show 40]

Needs botocore (in tests/.venv) for the operation names.
"""
import argparse
import json
import os
import re
import subprocess

from botocore import xform_name
from botocore.session import get_session

# Method names too generic to count as evidence of an AWS call on their own.
GENERIC = {"get", "list", "update", "delete", "create", "put", "send", "describe", "search", "query", "scan", "publish"}
CALL = re.compile(r"\.([a-z][a-z0-9_]*)\(")
ARGS = re.compile(r"\s*(\*\*|[A-Z][A-Za-z]*=|\)|$)")


def operation_methods():
    """Every boto3 method name that is an operation → the IAM actions it may be
    (`<signing name>:<Operation>` for each service that has it)."""
    session = get_session()
    names = {}
    for service in session.get_available_services():
        model = session.get_service_model(service)
        prefix = model.signing_name or model.endpoint_prefix
        for op in model.operation_names:
            names.setdefault(xform_name(op), set()).add(f"{prefix}:{op}".lower())
    for generic in GENERIC:
        names.pop(generic, None)
    return names


def policy_actions(out):
    actions = set()
    for policy in out.get("Policies", []):
        for statement in policy["Policy"]["Statement"]:
            listed = statement["Action"]
            actions.update(a.lower() for a in ([listed] if isinstance(listed, str) else listed))
    return actions


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("project")
    ap.add_argument("--bin", default="target/release/iamlens")
    ap.add_argument("--show", type=int, default=40)
    args = ap.parse_args()
    methods = operation_methods()
    run = subprocess.run([args.bin, "generate-policies", args.project, "--full-output", "--include-tests"], capture_output=True, text=True, check=True)
    out = json.loads(run.stdout)
    granted = policy_actions(out)
    in_policy = {(os.path.realpath(f["File"]), c["Line"]) for f in out.get("Files", []) for c in f["Calls"]}
    warned = {(os.path.realpath(w["File"]), w["Line"]) for w in out.get("Warnings", []) if "Line" in w}
    counts = {"lines": 0, "policy": 0, "warned": 0, "silent": 0, "uncovered": 0}
    silent = []
    for folder, dirs, files in os.walk(args.project):
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules", ".venv", "venv", "site-packages")]
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.realpath(os.path.join(folder, name))
            try:
                lines = open(path, encoding="utf-8").read().splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for number, line in enumerate(lines, 1):
                code = line.split("#", 1)[0]
                for m in CALL.finditer(code):
                    if m.group(1) not in methods or not ARGS.match(code[m.end():]) or code[: m.start()].rstrip().endswith("self"):
                        continue
                    counts["lines"] += 1
                    key = (path, number)
                    kind = "policy" if key in in_policy else "warned" if key in warned else "silent"
                    counts[kind] += 1
                    if kind == "policy":
                        continue
                    # The action may still be granted through another call (a wrapper's own SDK call).
                    covered = bool(methods[m.group(1)] & granted)
                    counts["uncovered"] += not covered
                    if kind == "silent" or not covered:
                        mark = "" if covered else "  [no candidate action granted]"
                        silent.append(f"{kind} {os.path.relpath(path, args.project)}:{number}: {line.strip()[:140]}{mark}")
    print(f"{args.project}: {counts['lines']} lines call an operation name; in the policy {counts['policy']}, warned {counts['warned']}, silent {counts['silent']}; "
          f"{counts['uncovered']} of the warned and silent lines name an operation none of whose actions the policy grants")
    for entry in silent[: args.show]:
        print("  ", entry)


if __name__ == "__main__":
    main()
