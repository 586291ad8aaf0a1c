"""Operation → IAM requirements: the naming rule, curated overrides, API
Gateway's HTTP-verb actions, iam:PassRole and KMS-on-your-behalf actions.

Output dicts have the serde shape of the Rust `ActionRequirement` / `Mapping`."""

import re

STANDARD_VARS = {"Partition", "Region", "Account"}
VAR = re.compile(r"\$\{([^}]+)\}")
ARN_MEMBERS = ("ResourceArn", "ResourceARN", "Arn", "ARN", "ResourceName")
# Operations that read, list, delete, detach or assume take role ARNs only as
# identifiers or filters: the service assumes no role for them.
NOT_HANDING_VERBS = (r"(Get|List|Describe|Search|Delete|Cancel|Remove|Disassociate|Detach|Tag|Untag|Assume|Stop|Terminate|Deregister"
                     r"|Validate|Check|Verify|Preview|Estimate|Lookup|Batch(Get|Delete|Describe|Disassociate|Detach))[A-Z]")
# Services where a role in the input is the subject of the call (IAM manages
# roles, STS assumes them, Identity Center maps them), never handed to a service.
ROLE_SUBJECT_SERVICES = {"iam", "sts", "sso-admin", "identitystore"}


class GeneratorError(SystemExit):
    pass


def _unique(items):
    return list(dict.fromkeys(items))


class Mapper:
    def __init__(self, iam, overrides):
        self.iam = iam
        self.o = overrides
        self.bindings = overrides.entries["binding"]
        self.principals = {e["service"]: e["principal"] for e in overrides.entries["principal"]}
        # (service, operation, member path, verdict) of every role-named member: data/pass-role.tsv.
        self.pass_role_rows = []
        # (service, operation, class, member path or "-", action, verdict): data/on-behalf.tsv.
        self.on_behalf_rows = []

    # ---- IAM lookups -------------------------------------------------------
    def action_info(self, action):
        prefix, _, name = action.partition(":")
        p = self.iam.get(prefix)
        return p["actions"].get(name.lower()) if p else None

    def require_action(self, action, where):
        info = self.action_info(action)
        if info is None:
            raise GeneratorError(f"overrides: {where}: action {action} is not in the IAM data; fix the name or mark the operation [[unmapped]]")
        return info

    # ---- bindings ----------------------------------------------------------
    def _curated_binding(self, service, prefix, resource_type, variable, members, op_name):
        for b in self.bindings:
            if b.get("service", service) != service or b.get("iam_prefix", prefix) != prefix:
                continue
            if b.get("resource_type", resource_type) != resource_type or b["variable"] != variable:
                continue
            if "operations" in b and op_name not in b["operations"]:
                continue
            root = b["member"].split(".")[0]
            if root in members:
                return {"variable": variable, "member": b["member"], "form": b["form"]}
        return None

    @staticmethod
    def _heuristic_binding(variable, members):
        strings = {m["name"].lower(): m["name"] for m in members.values() if m["shape_type"] == "string"}
        v = variable.lower()
        if v in strings:
            return strings[v], "name"
        for suffix in ("name", "id"):
            if v.endswith(suffix) and v[: -len(suffix)] in strings and v[: -len(suffix)]:
                return strings[v[: -len(suffix)]], "name"
        for suffix in ("name", "id"):
            if v.endswith(suffix):
                for arn in ("arn",):
                    cand = v[: -len(suffix)] + arn
                    if cand in strings:
                        return strings[cand], "arn"
        if v == "queuename" and "queueurl" in strings:
            return strings["queueurl"], "queue_url"
        return None

    def bind(self, service, prefix, resource_type, template, members, op_name, explicit=None):
        """Bindings for a template's variables from the operation's members."""
        variables = [v for v in _unique(VAR.findall(template)) if v not in STANDARD_VARS]
        out = []
        for variable in variables:
            if explicit is not None:
                # `"<resource type>.<Variable>"` binds the variable of that resource type only.
                spec = explicit.get(f"{resource_type}.{variable}", explicit.get(variable))
                if spec is not None:
                    member, _, form = spec.partition(":")
                    out.append({"variable": variable, "member": member, "form": form or "name"})
                continue
            curated = self._curated_binding(service, prefix, resource_type, variable, members, op_name)
            if curated:
                out.append(dict(curated, curated=True))
                continue
            found = self._heuristic_binding(variable, members)
            if found:
                out.append({"variable": variable, "member": found[0], "form": found[1]})
        if explicit is None and not out and variables:
            by_lower = {m.lower(): m for m in members}
            for name in ARN_MEMBERS:
                member = by_lower.get(name.lower())
                if member and members[member]["shape_type"] == "string" and name != "ResourceName":
                    out.append({"variable": variables[-1], "member": member, "form": "arn"})
                    break
        # A lone name can also be given as a full ARN (S3 access points, Lambda, KMS, DynamoDB ...).
        if len(out) == 1 and out[0]["form"] == "name" and len(variables) == 1 and not out[0].get("curated"):
            out[0]["form"] = "name_or_arn"
        # Region and Account come from the run's settings unless a curated binding
        # names a member that says them (SQS QueueOwnerAWSAccountId).
        if explicit is None:
            for variable in _unique(VAR.findall(template)):
                if variable in STANDARD_VARS - {"Partition"}:
                    curated = self._curated_binding(service, prefix, resource_type, variable, members, op_name)
                    if curated:
                        out.append(curated)
        return [{k: v for k, v in b.items() if k != "curated"} for b in out]

    # ---- requirements ------------------------------------------------------
    def requirement(self, service, action, members, op_name, kind, spec=None, note=None):
        info = self.require_action(action, f"{service['name']} {op_name}")
        prefix = action.split(":")[0]
        spec = spec or {}
        explicit = spec.get("bind")
        only = spec.get("resource")
        only = [only] if isinstance(only, str) else only
        targets = []
        keys = list(info["condition_keys"])
        for rt in info["resource_types"]:
            keys.extend(rt["condition_keys"])
            if only and rt["name"] not in only:
                continue
            rt_info = self.iam[prefix]["resource_types"].get(rt["name"].lower())
            if rt_info is None:
                continue
            keys.extend(rt_info["condition_keys"])
            for template in rt_info["arn_templates"]:
                targets.append({
                    "resource_type": rt_info["name"],
                    "arn_template": template,
                    "required": rt["required"],
                    "bindings": self.bind(service["name"], prefix, rt_info["name"], template, members, op_name, explicit),
                })
        if only and {t["resource_type"] for t in targets} != set(only):
            raise GeneratorError(f"overrides: {service['name']} {op_name}: {action} has no resource type {only!r}")
        return {
            "action": info["name"],
            "kind": kind,
            "access_level": info["access_level"] or None,
            "resources": targets,
            "condition_keys": _unique(keys),
            "note": spec.get("note", note),
        }

    # ---- API Gateway HTTP verbs -------------------------------------------
    def http_verb_requirement(self, service, op, members, prefix):
        verb = op["http_method"].upper()
        action = f"{prefix}:{verb}"
        info = self.require_action(action, f"{service['name']} {op['name']}")
        path = op["request_uri"].split("?")[0].replace("+}", "}")
        labels = {m["location_name"]: m["name"] for m in members.values() if m.get("location") == "uri"}
        template = f"arn:${{Partition}}:{prefix}:${{Region}}::" + re.sub(r"\{([^}]+)\}", lambda m: "${" + m.group(1) + "}", path)
        shape = re.sub(r"\$\{[^}]+\}", "*", template.split("::", 1)[1])
        resource_type = None
        for rt in self.iam[prefix]["resource_types"].values():
            for t in rt["arn_templates"]:
                if re.sub(r"\$\{[^}]+\}", "*", t.split(":", 5)[-1]).lstrip(":") == shape:
                    resource_type = rt["name"]
        bindings = [{"variable": label, "member": labels[label], "form": "name"} for label in _unique(VAR.findall(template)) if label in labels]
        return {
            "action": info["name"],
            "kind": {"kind": "primary"},
            "access_level": info["access_level"] or None,
            "resources": [{"resource_type": resource_type or "path", "arn_template": template, "required": True, "bindings": bindings}],
            "condition_keys": list(info["condition_keys"]),
            "note": None,
        }

    # ---- extras ------------------------------------------------------------
    def pass_role(self, service, op, members, primaries, role_members):
        """`iam:PassRole` for each input member (top-level or nested) that
        takes a role the service will assume; `role_members` is
        `roles.candidates()`. Every candidate and its verdict goes to the
        reviewed report (`data/pass-role.tsv`)."""
        curated = self._entry("pass_role", service["name"], op["name"])
        listed = any("iam:PassRole" in (self.action_info(p["action"]) or {}).get("dependent_actions", []) for p in primaries)
        passed = []
        for path, verdict in role_members:
            if service["name"] in ROLE_SUBJECT_SERVICES:
                verdict = "role-is-the-subject: the call manages or assumes the role itself"
            verdict = verdict or self._not_passed(service["name"], op["name"], path, listed)
            if curated is not None and "members" in curated:
                verdict = None if path in curated["members"] else (
                    f"curated, role left a wildcard: {curated['reason']}" if not curated["members"] else f"curated: {curated['reason']}")
            self.pass_role_rows.append((service["name"], op["name"], path, verdict or "passed"))
            if verdict is None:
                passed.append(path)
        if curated is not None:
            passed = curated.get("members", passed)
            reason = curated["reason"]
            for path in passed:
                if path not in {p for p, _ in role_members}:
                    self.pass_role_rows.append((service["name"], op["name"], path, "passed"))
        else:
            if not passed:
                return []
            if listed:
                reason = f"the IAM documentation lists iam:PassRole as a dependent action of {primaries[0]['action']}"
            else:
                reason = "the service assumes the role this member names (botocore documents it as an IAM role)"
        out = []
        principal = self.principals.get(service["name"])
        kind = {"kind": "pass_role", "passed_to_service": principal}
        if not passed:
            # The role travels inside the request or a referenced definition: the role ARN stays a wildcard.
            return [self.requirement(service, "iam:PassRole", {}, op["name"], kind, spec={"bind": {}},
                                     note=f"a role is handed to {service['name']}: {reason}")]
        for member in passed:
            if member.split(".")[0] not in members:
                raise GeneratorError(f"overrides: [[pass_role]] {service['name']} {op['name']}: no member {member}")
            out.append(self.requirement(service, "iam:PassRole", members, op["name"], kind,
                                        spec={"bind": {"RoleNameWithPath": f"{member}:name_or_arn"}},
                                        note=f"{member} hands a role to {service['name']}: {reason}"))
        return out

    def _not_passed(self, service_name, op_name, path, documented):
        """Why a documented role member hands no role to the service, or None."""
        for e in self.o.entries["no_pass_role"]:
            if e["service"] == service_name and self._matches(e, op_name) and path in e.get("members", [path]):
                return f"reviewed: {e['reason']}"
        # The IAM documentation listing iam:PassRole as a dependent action wins over the verb.
        if re.match(NOT_HANDING_VERBS, op_name) and not documented:
            return "identifier-or-filter: a read, delete or detach names a role, it hands none over"
        return None

    def kms(self, service, op, members):
        out = []
        for e in self.o.entries["kms"]:
            if e["service"] != service["name"] or not self._matches(e, op["name"]):
                continue
            via = e.get("via", service["endpoint_prefix"])
            key_member = e.get("key_member")
            bind = {"KeyId": f"{key_member}:name_or_arn"} if key_member and key_member in members else {}
            for action in e["actions"]:
                out.append(self.requirement(service, action, members, op["name"],
                                            {"kind": "kms_via_service", "via_service_template": f"{via}.${{Region}}.amazonaws.com"},
                                            spec={"bind": bind, "resource": "key"},
                                            note=f"only when the data uses a customer-managed KMS key: {e['reason']}"))
        return out

    def when_member(self, service, op, members):
        """Actions a call needs only when it passes a member (`VersionId` → the
        version actions; `Tagging` on an upload → s3:PutObjectTagging; a
        Redshift Data API `DbUser` → redshift:GetClusterCredentials), and,
        with `unless`, does not pass any of those."""
        out = []
        for e in self.o.entries["when_member"]:
            if e["service"] != service["name"] or not self._matches(e, op["name"]):
                continue
            for member in [e["member"], *e.get("unless", [])]:
                if member.split(".")[0] not in members:
                    raise GeneratorError(f"overrides: {e['_file']}: [[when_member]] {service['name']} {op['name']}: no member {member}")
            kind = {"kind": "when_member", "member": e["member"], "replaces_primary": bool(e.get("replaces_primary", False))}
            if e.get("unless"):
                kind["unless"] = list(e["unless"])
            spec = {"bind": e["bind"]} if "bind" in e else None
            given = e["member"] + (f" (and none of {', '.join(e['unless'])})" if e.get("unless") else "")
            for action in e["actions"]:
                out.append(self.requirement(service, action, members, op["name"], kind, spec=spec, note=f"{given} is given: {e['reason']}"))
        return out

    def endpoint_discovery(self, service, op, members, primaries):
        """The endpoint operation the SDK calls before an operation whose
        model requires endpoint discovery (Timestream: DescribeEndpoints)."""
        endpoint_op = op.get("discovery")
        if not endpoint_op:
            return []
        action = f"{service['iam_prefix']}:{endpoint_op}"
        if any(p["action"] == self.require_action(action, f"{service['name']} {op['name']}")["name"] for p in primaries):
            return []
        return [self.requirement(service, action, members, op["name"], {"kind": "dependent"},
                                 note=f"the SDK calls {endpoint_op} before {op['name']} to discover the endpoint (endpoint discovery is required by the service model)")]

    def check_on_behalf(self, service, op, requirements):
        """Every documented credential fetch is carried by a requirement or reviewed away; rows for data/on-behalf.tsv."""
        actions = {r["action"].lower() for r in requirements}
        for where, action in op.get("credential_mentions", []):
            reviewed = next((e for e in self.o.entries["no_on_behalf"]
                             if e["service"] == service["name"] and self._matches(e, op["name"]) and e["action"] == action), None)
            if action.lower() in actions:
                verdict = "carried"
            elif reviewed is not None:
                verdict = f"reviewed: {reviewed['reason']}"
            else:
                raise GeneratorError(f"{service['name']} {op['name']}: the documentation of {where} names {action}, which no requirement "
                                     f"carries; add a [[when_member]] or [[operation]] entry, or a reviewed [[no_on_behalf]] entry "
                                     f"(overrides/on-behalf.toml)")
            self.on_behalf_rows.append((service["name"], op["name"], "credentials", where, action, verdict))
        for r in requirements:
            if r["kind"]["kind"] == "dependent" and op.get("discovery") and r["action"].endswith(":" + op["discovery"]):
                self.on_behalf_rows.append((service["name"], op["name"], "endpoint-discovery", "-", r["action"], "carried"))

    # ---- override lookup ---------------------------------------------------
    def _matches(self, entry, op_name):
        ops = self.o.ops(entry)
        return "*" in ops or op_name in ops

    def _entry(self, table, service_name, op_name):
        for e in self.o.entries[table]:
            if e["service"] == service_name and self._matches(e, op_name):
                return e
        return None

    def _applies(self, table, service_name, op_name):
        return self._entry(table, service_name, op_name) is not None

    # ---- the mapping -------------------------------------------------------
    def map_operation(self, service, op, members, role_members=()):
        """(requires_iam, requirements, mapping) for one operation."""
        name = op["name"]
        if service["auth"] == "bearer":
            return False, [], {"source": "no_iam", "reason": "bearer-token service: IAM does not authorize its calls"}
        if op["unsigned"]:
            return False, [], {"source": "no_iam", "reason": "unsigned operation: called without AWS credentials"}
        no_iam = self._entry("no_iam", service["name"], name)
        if no_iam is not None:
            return False, [], {"source": "no_iam", "reason": no_iam["reason"]}
        prefix = service["iam_prefix"]
        override = self._entry("operation", service["name"], name)
        if override is not None:
            primaries = []
            for spec in override["actions"]:
                spec = {"action": spec} if isinstance(spec, str) else dict(spec)
                if spec["action"] == "@rule":
                    spec["action"] = f"{prefix}:{name}"
                primaries.append(self.requirement(service, spec["action"], members, name, {"kind": "primary"}, spec=spec))
            mapping = {"source": "override", "reason": override["reason"]}
        elif any(service["name"] in e["services"] for e in self.o.entries["http_verb"]):
            verb_prefix = next(e["iam_prefix"] for e in self.o.entries["http_verb"] if service["name"] in e["services"])
            primaries = [self.http_verb_requirement(service, op, members, verb_prefix)]
            mapping = {"source": "http_verb"}
        elif self.action_info(f"{prefix}:{name}") is not None:
            primaries = [self.requirement(service, f"{prefix}:{name}", members, name, {"kind": "primary"})]
            mapping = {"source": "rule"}
        else:
            gap = self._entry("unmapped", service["name"], name)
            if gap is not None:
                return True, [], {"source": "known_gap", "reason": gap["reason"]}
            return True, [], {"source": "unmapped", "reason": f"the IAM data has no action {prefix}:{name}"}
        gap = self._entry("unmapped", service["name"], name)
        if gap is not None and name in self.o.ops(gap):
            raise GeneratorError(f"overrides: {gap['_file']}: {service['name']} {name} is marked [[unmapped]] but now maps to "
                                 f"{primaries[0]['action']}; remove it from the list")
        extras = (self.pass_role(service, op, members, primaries, role_members) + self.kms(service, op, members)
                  + self.when_member(service, op, members) + self.endpoint_discovery(service, op, members, primaries))
        self.check_on_behalf(service, op, primaries + extras)
        return True, primaries + extras, mapping
