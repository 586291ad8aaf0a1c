"""Calls the SDK or the service makes with the caller's credentials around
an operation, found in botocore's models:

- endpoint discovery: an operation with the `endpointdiscovery` trait marked
  `required` cannot be sent before the SDK calls the service's endpoint
  operation (`endpointoperation`, Timestream's DescribeEndpoints), so the
  caller needs that action too. (DynamoDB's trait is optional and off by
  default in boto3: not required.)
- credentials fetched for a data API: an operation or input member whose
  documentation names a credential-fetching action (Redshift Data API
  `DbUser` → redshift:GetClusterCredentials, a secret ARN →
  secretsmanager:GetSecretValue). Each mention must be carried by a
  requirement of the operation (a `[[when_member]]` or `[[operation]]`
  override) or be reviewed away (`[[no_on_behalf]]`); the generator stops
  otherwise, so a new botocore release cannot add one silently."""

import re

CREDENTIAL_ACTION = re.compile(
    r"\b(secretsmanager:GetSecretValue|redshift:GetClusterCredentials(?:WithIAM)?|redshift-serverless:GetCredentials"
    r"|sts:GetServiceBearerToken|rds-db:connect)\b")
TAGS = re.compile(r"<[^>]+>")


def endpoint_operation(model):
    """The service's endpoint-discovery operation (`DescribeEndpoints`), if any."""
    for name, op in model["operations"].items():
        if op.get("endpointoperation"):
            return name
    return None


def requires_discovery(op):
    return bool((op.get("endpointdiscovery") or {}).get("required"))


def credential_mentions(model, op):
    """[(member path or "-" for the operation's own text, action)] in model order."""
    out = []

    def add(where, doc):
        for action in CREDENTIAL_ACTION.findall(TAGS.sub(" ", doc or "")):
            if (where, action) not in out:
                out.append((where, action))

    add("-", op.get("documentation"))
    shape_name = op.get("input", {}).get("shape")
    if shape_name:
        _walk(model, shape_name, [], (), add)
    return out


def _walk(model, shape_name, path, stack, add):
    shape = model["shapes"][shape_name]
    if shape_name in stack or len(path) > 10:
        return
    stack = stack + (shape_name,)
    kind = shape.get("type")
    if kind == "list":
        _walk(model, shape["member"]["shape"], path, stack, add)
    elif kind == "map":
        _walk(model, shape["value"]["shape"], path, stack, add)
    elif kind == "structure":
        for name, ref in shape.get("members", {}).items():
            member_path = path + [name]
            add(".".join(member_path), ref.get("documentation"))
            _walk(model, ref["shape"], member_path, stack, add)
