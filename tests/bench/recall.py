#!/usr/bin/env python3
"""Recall and extras of `iamlens generate-policies` on a project against a
hand-reviewed list of the IAM actions its code needs.

  tests/.venv/bin/python tests/bench/recall.py <project dir> tests/bench/recall/<project>.txt --bin target/release/iamlens

The list: one action per line; `#` starts a comment (the header says which
project and commit it was made for, and how). Prints the recall (needed
actions the policy grants / needed actions), the needed actions it misses,
and the granted actions the list does not have (candidates for a false
positive, or for an addition to the list after review).
"""
import argparse
import json
import subprocess


def granted(out):
    actions = set()
    for policy in out.get("Policies", []):
        for statement in policy["Policy"]["Statement"]:
            listed = statement["Action"]
            actions.update([listed] if isinstance(listed, str) else listed)
    return actions


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("project")
    ap.add_argument("needed")
    ap.add_argument("--bin", default="target/release/iamlens")
    args = ap.parse_args()
    needed = {line.split("#", 1)[0].strip() for line in open(args.needed, encoding="utf-8")} - {""}
    run = subprocess.run([args.bin, "generate-policies", args.project, "-r", "us-east-1", "-a", "123456789012"], capture_output=True, text=True, check=True)
    got = granted(json.loads(run.stdout))
    found = got & needed
    print(f"{args.project}: needed {len(needed)}, granted {len(found)}, recall {len(found) / len(needed):.3f}")
    print("  missed:", ", ".join(sorted(needed - got)) or "none")
    print("  not in the list:", ", ".join(sorted(got - needed)) or "none")


if __name__ == "__main__":
    main()
