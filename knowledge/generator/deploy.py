"""The deploy-permissions artifact, data/deploy.tsv.zst: per CloudFormation
resource type, the permissions its resource provider's create, read, update
and delete handlers list (cfn-lint's copy of the provider schemas), and the
reviewed Terraform → CloudFormation type table (overrides/terraform-types.toml).

One zstd frame of UTF-8 text, loaded by knowledge/src/deploy.rs on first use:

    # comment lines (sources)
    R <TAB> type <TAB> create <TAB> read <TAB> update <TAB> delete
    T <TAB> terraform type <TAB> CloudFormation type <TAB> reason

Permission lists are space-separated, sorted and deduplicated. An action the
IAM data knows is spelt as the IAM data spells it (IAM action names are
case-insensitive; the schemas mix `Batch:` and `batch:`); one it does not know
is kept as the schema spells it, prefix lower-cased (the loader's callers
decide what to do with it). Types whose schema has no handlers are left out."""

HANDLERS = ("create", "read", "update", "delete")


def canonical(action, prefixes):
    prefix, sep, name = action.partition(":")
    if not sep or not prefix or not name:
        return None
    known = prefixes.get(prefix.lower(), {}).get("actions", {}).get(name.lower())
    if known is not None:
        return known["name"]
    return f"{prefix.lower()}:{name}"


def build(handlers, terraform_entries, prefixes, cfn_lint_version, region):
    lines = [
        f"# iamlens deploy permissions: CloudFormation resource provider schemas from cfn-lint {cfn_lint_version} ({region}), "
        "handlers create/read/update/delete; Terraform types from knowledge/overrides/terraform-types.toml\n",
    ]
    for resource_type in sorted(handlers):
        h = handlers[resource_type]
        if h is None:
            continue
        if "\t" in resource_type:
            raise SystemExit(f"deploy: resource type {resource_type!r} has a tab")
        columns = []
        for name in HANDLERS:
            actions = sorted({a for a in (canonical(p, prefixes) for p in h.get(name, [])) if a})
            if any(" " in a or "\t" in a for a in actions):
                raise SystemExit(f"deploy: {resource_type} {name}: a permission contains whitespace")
            columns.append(" ".join(actions))
        lines.append("R\t" + resource_type + "\t" + "\t".join(columns) + "\n")
    seen = {}
    for e in sorted(terraform_entries, key=lambda e: e["terraform"]):
        tf, cfn = e["terraform"], e["cloudformation"]
        if tf in seen:
            raise SystemExit(f"overrides: {e['_file']}: [[terraform]] {tf} is listed twice")
        seen[tf] = cfn
        if not tf.startswith("aws_"):
            raise SystemExit(f"overrides: {e['_file']}: [[terraform]] {tf} is not an AWS provider resource type")
        if handlers.get(cfn) is None:
            raise SystemExit(f"overrides: {e['_file']}: [[terraform]] {tf} → {cfn}: no provider schema with handlers for that type")
        lines.append(f"T\t{tf}\t{cfn}\t{e['reason']}\n")
    return "".join(lines).encode()
