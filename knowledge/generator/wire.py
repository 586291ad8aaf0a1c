"""The compact on-disk shape of service and IAM-prefix blobs (decoded by
knowledge/src/wire.rs). Facts that the IAM data already holds (ARN templates,
condition keys, access levels) are not repeated per operation: the loader
joins them back in. Boto3 method names are not stored: the loader derives
them with its port of botocore's xform_name, which a test checks on every
operation."""

SHAPE_CODES = {
    "string": "s", "structure": "o", "list": "l", "map": "m", "integer": "i", "long": "i", "boolean": "b",
    "blob": "B", "timestamp": "t", "double": "f", "float": "f", "union": "u", "bigdecimal": "f", "biginteger": "i",
    "document": "d",
}
FORM_CODES = {
    "name": "n", "name_or_arn": "na", "arn": "a", "queue_url": "q", "path_name": "p", "secret_name": "sn",
    "copy_source_bucket": "cb", "copy_source_key": "ck",
    "task_definition_family": "tf", "task_definition_revision": "tr",
    "bedrock_foundation_model": "bf", "bedrock_inference_profile": "bi", "ssm_document": "sd",
}
LEVEL_CODES = {"Read": "R", "Write": "W", "List": "L", "Tagging": "T", "Permissions management": "P", "": ""}


def member(m):
    code = SHAPE_CODES.get(m["shape_type"])
    if code is None:
        raise SystemExit(f"wire: unknown shape type {m['shape_type']!r}; add it to SHAPE_CODES and wire.rs")
    return ("!" if m["required"] else "") + m["name"] + ":" + code


def requirement(req, iam):
    """A requirement dict (mapping.py) → wire. Only what the IAM data cannot give back."""
    out = {"a": req["action"]}
    if req["kind"]["kind"] != "primary":
        out["k"] = req["kind"]
    if req.get("note"):
        out["n"] = req["note"]
    prefix, _, name = req["action"].partition(":")
    info = iam[prefix]["actions"][name.lower()]
    listed = {rt["name"] for rt in info["resource_types"]}
    types = []
    bindings = {}
    custom = []
    for t in req["resources"]:
        if t["resource_type"] not in listed or t["arn_template"] not in iam[prefix]["resource_types"].get(t["resource_type"].lower(), {}).get("arn_templates", []):
            custom.append([t["resource_type"], t["arn_template"]])
        types.append(t["resource_type"])
        for b in t["bindings"]:
            row = [b["variable"], b["member"], FORM_CODES[b["form"]]]
            if row not in bindings.setdefault(t["resource_type"], []):
                bindings[t["resource_type"]].append(row)
    if custom:
        out["t"] = custom
    elif set(types) != listed:
        out["r"] = sorted(set(types))
    if bindings:
        out["b"] = bindings
    return out


def service(s, iam):
    mappings = []
    ops = []
    for op in s["operations"].values():
        m = op["mapping"]
        if m["source"] == "unmapped":
            m = {"source": "unmapped"}  # the loader words the reason from the action name
        if m not in mappings:
            mappings.append(m)
        flags = (1 if op["deprecated"] else 0) | (2 if op["requires_iam"] else 0)
        ops.append([
            op["name"], op["http_method"], op["request_uri"], flags,
            [member(x) for x in op["input_members"]], mappings.index(m),
            [requirement(r, iam) for r in op["requirements"]],
        ])
    return {
        "name": s["name"], "iam_prefix": s["iam_prefix"], "signing_name": s["signing_name"],
        "endpoint_prefix": s["endpoint_prefix"], "service_id": s["service_id"], "protocol": s["protocol"],
        "api_version": s["api_version"], "auth": s["auth"],
        **({"retired": s["retired"]} if s["retired"] else {}),
        "ops": ops, "mappings": mappings,
        "paginators": s["paginators"],
        "waiters": [[w["name"], w["operation"]] for w in s["waiters"].values()],
        "resources": s["resources"],
        "injected": [dict(m, extra_actions=[requirement(r, iam) for r in m["extra_actions"]]) for m in s["injected"]],
    }


def prefix(p):
    return {
        "prefix": p["prefix"], "service_name": p["service_name"],
        "actions": [
            [a["name"].split(":", 1)[1], LEVEL_CODES.get(a["access_level"], a["access_level"]),
             [[rt["name"], 1 if rt["required"] else 0, rt["condition_keys"]] for rt in a["resource_types"]],
             a["condition_keys"], a["dependent_actions"]]
            for a in p["actions"].values()
        ],
        "resource_types": [[rt["name"], rt["arn_templates"], rt["condition_keys"]] for rt in p["resource_types"].values()],
        "condition_keys": [[ck["key"], ck["value_type"]] for ck in p["condition_keys"].values()],
    }
