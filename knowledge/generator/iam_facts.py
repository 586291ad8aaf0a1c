"""IAM facts per prefix, in the shape of the Rust `IamPrefix` type."""


def split_arns(arn):
    """Some resource types list several ARN formats separated by ', '."""
    return [a.strip() for a in arn.split(", ") if a.strip()]


def build_prefixes(iam_data, dependent_actions):
    out = {}
    for prefix, data in iam_data.items():
        actions = {}
        for key, a in sorted(data["actions"].items()):
            name = f'{prefix}:{a["name"]}'
            deps = set(dependent_actions.get(name.lower(), []))
            rts = []
            for rt in a.get("resourceTypes", []):
                deps.update(rt.get("dependentActions") or [])
                rts.append({"name": rt["name"], "required": bool(rt.get("required")), "condition_keys": list(rt.get("conditionKeys") or [])})
            deps.update(a.get("dependentActions") or [])
            actions[key.lower()] = {
                "name": name,
                "access_level": a.get("accessLevel", ""),
                "description": a.get("description", ""),
                "resource_types": rts,
                "condition_keys": list(a.get("conditionKeys") or []),
                "dependent_actions": sorted(deps),
            }
        resource_types = {}
        for key, rt in sorted(data["resourceTypes"].items()):
            arns = split_arns(rt["arn"])
            resource_types[key.lower()] = {
                "prefix": prefix,
                "name": rt["key"],
                "arn_template": arns[0] if arns else "",
                "arn_templates": arns,
                "condition_keys": list(rt.get("conditionKeys") or []),
            }
        condition_keys = {}
        for key, ck in sorted(data["conditionKeys"].items()):
            condition_keys[key.lower()] = {"key": ck["key"], "value_type": ck.get("type", ""), "description": ck.get("description", "")}
        out[prefix] = {
            "prefix": prefix,
            "service_name": data["name"],
            "actions": actions,
            "resource_types": resource_types,
            "condition_keys": condition_keys,
        }
    return out
