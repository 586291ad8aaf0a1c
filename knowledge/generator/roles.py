"""Input members that take an IAM role, found in botocore's shapes.

A candidate is a string member (or a list of strings), top-level or nested in
structures, lists and maps (`Target.RoleArn`, `Targets.RoleArn` for each list
item, `IamRoles`), whose name ends in `Role`, `RoleArn` or `RoleName` (or their
plurals) in any casing. A `…RoleArn` member is a role
ARN by its name; a `…Role`/`…RoleName` member must also be documented as an
IAM role. Members whose documentation says they are something else (an LDAP or
Snowflake role, an instance profile) are reported as such, not passed."""

import re

ROLE_NAME = re.compile(r"(?i)role(arn|name)?s?$")
ARN_NAME = re.compile(r"(?i)arns?$")
IAM_DOC = re.compile(r"(?i)\bIAM\b|\bARN\b|Amazon Resource Name|Identity and Access Management|assume|service role|execution role|service-linked role")
# Roles that are not IAM roles, or IAM facts that are no role ARN.
NOT_IAM_DOC = re.compile(r"(?i)\bLDAP\b|SAML assertion|Snowflake|Not supported|database role|Valid values")
# An instance profile is not a role ARN, unless the text also calls it an IAM role
# (EMR's JobFlowRole: a profile named like its role).
INSTANCE_PROFILE = re.compile(r"(?i)instance profile")
IAM_ROLE = re.compile(r"(?i)\bIAM role")
MAX_DEPTH = 10
TAGS = re.compile(r"<[^>]+>")


def _doc(ref, target):
    return TAGS.sub("", (ref.get("documentation") or "") + " " + (target.get("documentation") or ""))


def candidates(model, op):
    """[(member path, verdict)] for every role-named string member of the
    operation's input, in model order; verdict is None for an IAM role and
    the reason otherwise."""
    shape_name = op.get("input", {}).get("shape")
    if not shape_name:
        return []
    out = []
    _walk(model, shape_name, [], (), out)
    seen = set()
    unique = []
    for path, verdict in out:
        if path not in seen:
            seen.add(path)
            unique.append((path, verdict))
    return unique


def _walk(model, shape_name, path, stack, out):
    shape = model["shapes"][shape_name]
    kind = shape.get("type")
    if shape_name in stack or len(path) > MAX_DEPTH:
        return
    stack = stack + (shape_name,)
    if kind == "list":
        _walk(model, shape["member"]["shape"], path, stack, out)
    elif kind == "map":
        _walk(model, shape["value"]["shape"], path, stack, out)
    elif kind == "structure":
        for name, ref in shape.get("members", {}).items():
            target = model["shapes"][ref["shape"]]
            member_path = path + [name]
            item = model["shapes"][target["member"]["shape"]] if target.get("type") == "list" else None
            if target.get("type") == "string" or (item is not None and item.get("type") == "string"):
                # A string, or a list of strings (`IamRoles`: each one a role).
                if "enum" not in target and "enum" not in (item or {}) and ROLE_NAME.search(name):
                    out.append((".".join(member_path), _verdict(name, _doc(ref, target))))
            else:
                _walk(model, ref["shape"], member_path, stack, out)


def _verdict(name, doc):
    if NOT_IAM_DOC.search(doc):
        return "not-an-iam-role: documented as " + NOT_IAM_DOC.search(doc).group(0)
    if INSTANCE_PROFILE.search(doc) and not IAM_ROLE.search(doc):
        return "not-an-iam-role: documented as an instance profile"
    if not ARN_NAME.search(name) and not IAM_DOC.search(doc):
        return "not-an-iam-role: named like a role, not documented as an IAM role"
    return None
