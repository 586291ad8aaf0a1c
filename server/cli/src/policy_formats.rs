//! `generate-policies --format`: the generated policies as the snippet each
//! infrastructure tool takes, deterministic (statements and keys in the
//! order the engine wrote them):
//!
//! - `json` (the default): the `{"Policies": [...], "Warnings": [...]}` envelope, unchanged;
//! - `yaml`: each policy document, one YAML document per policy;
//! - `terraform`: `data "aws_iam_policy_document"` blocks;
//! - `cloudformation`: `AWS::IAM::ManagedPolicy` resources, to paste under `Resources:`;
//! - `sam`: a function's `Policies:` list of policy documents;
//! - `cdk-typescript`: `new iam.PolicyStatement({...})` (aws-cdk-lib/aws-iam);
//! - `cdk-python`: `iam.PolicyStatement(...)` (aws_cdk.aws_iam);
//! - `serverless`: the Serverless Framework's `provider.iam.role.statements`.

use super::GenerateArgs;
use serde_json::{Map, Value};

/// `generate-policies --format`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyFormat {
    Json,
    Yaml,
    Terraform,
    Cloudformation,
    Sam,
    CdkTypescript,
    CdkPython,
    Serverless,
}

/// Flags that only the JSON envelope can carry; `Err` says which to drop.
pub fn validate(args: &GenerateArgs) -> Result<(), String> {
    let Some(format) = args.format.filter(|f| *f != PolicyFormat::Json) else { return Ok(()) };
    let name = format_name(format);
    for (set, flag) in [(args.full_output, "--full-output"), (!args.explain.is_empty(), "--explain")] {
        if set {
            return Err(format!("{flag} adds to the JSON envelope; leave it out with --format {name}, or use --format json"));
        }
    }
    Ok(())
}

fn format_name(format: PolicyFormat) -> String {
    use clap::ValueEnum;
    format.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default()
}

/// What `generate-policies` prints: the envelope as JSON (as it always has),
/// or the policies in `args.format`.
pub fn print(envelope: &Value, args: &GenerateArgs) {
    let text = match args.format.unwrap_or(PolicyFormat::Json) {
        PolicyFormat::Json => {
            let text = if args.pretty { serde_json::to_string_pretty(envelope) } else { serde_json::to_string(envelope) };
            match text {
                Ok(text) => format!("{text}\n"),
                Err(err) => {
                    eprintln!("iamlens: could not print the policies: {err}");
                    return;
                }
            }
        }
        format => render(format, &documents(envelope)),
    };
    super::write_stdout(&text);
}

/// The policy documents of the envelope.
fn documents(envelope: &Value) -> Vec<Map<String, Value>> {
    envelope["Policies"].as_array().into_iter().flatten().filter_map(|p| p.get("Policy").and_then(Value::as_object).cloned()).collect()
}

/// The policies in `format` (not `json`, which is the envelope itself).
pub fn render(format: PolicyFormat, docs: &[Map<String, Value>]) -> String {
    match format {
        PolicyFormat::Json => serde_json::to_string_pretty(&docs).unwrap_or_default() + "\n",
        PolicyFormat::Yaml => yaml_documents(docs),
        PolicyFormat::Terraform => terraform(docs),
        PolicyFormat::Cloudformation => cloudformation(docs),
        PolicyFormat::Sam => sam(docs),
        PolicyFormat::CdkTypescript => cdk_typescript(docs),
        PolicyFormat::CdkPython => cdk_python(docs),
        PolicyFormat::Serverless => serverless(docs),
    }
}

fn statements(docs: &[Map<String, Value>]) -> Vec<&Map<String, Value>> {
    docs.iter().flat_map(|d| statement_list(d)).collect()
}

fn statement_list(doc: &Map<String, Value>) -> Vec<&Map<String, Value>> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(one)) => vec![one],
        _ => Vec::new(),
    }
}

/// A string or a list of strings as a list.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string)).collect(),
        Some(other) => vec![other.to_string()],
        None => Vec::new(),
    }
}

/// `Condition` as (operator, key, values), in document order.
fn conditions(st: &Map<String, Value>) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    for (op, keys) in st.get("Condition").and_then(Value::as_object).into_iter().flatten() {
        for (key, values) in keys.as_object().into_iter().flatten() {
            out.push((op.clone(), key.clone(), strings(Some(values))));
        }
    }
    out
}

/// A document without the `Id` the IAM console and the snippets do not need.
fn bare(doc: &Map<String, Value>) -> Value {
    let mut doc = doc.clone();
    doc.shift_remove("Id");
    Value::Object(doc)
}

// --- YAML ---------------------------------------------------------------------

fn yaml_documents(docs: &[Map<String, Value>]) -> String {
    let mut out = String::new();
    for doc in docs {
        out.push_str("---\n");
        yaml(&Value::Object(doc.clone()), 0, &mut out);
    }
    out
}

/// A YAML scalar: plain when it cannot be read as anything but this string,
/// else double-quoted (a JSON string is a valid YAML double-quoted scalar).
fn yaml_scalar(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/*@".contains(c))
                && !s.contains(": ")
                && !matches!(s.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n");
            if plain {
                s.clone()
            } else {
                serde_json::to_string(s).unwrap_or_default()
            }
        }
        other => other.to_string(),
    }
}

/// Block-style YAML for `v`, at `indent` spaces (maps and lists; a value
/// already on a `key:` line continues on the next line).
fn yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, val) in map {
                out.push_str(&format!("{pad}{}:", yaml_scalar(&Value::String(k.clone()))));
                yaml_value_after_key(val, indent, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&format!("{pad}-"));
                match item {
                    Value::Object(map) if !map.is_empty() => {
                        // The first key on the dash's line, the rest under it.
                        let mut first = true;
                        for (k, val) in map {
                            let key = yaml_scalar(&Value::String(k.clone()));
                            if first {
                                out.push_str(&format!(" {key}:"));
                                first = false;
                            } else {
                                out.push_str(&format!("{pad}  {key}:"));
                            }
                            yaml_value_after_key(val, indent + 2, out);
                        }
                    }
                    Value::Array(inner) if !inner.is_empty() => {
                        out.push('\n');
                        yaml(item, indent + 2, out);
                    }
                    other => out.push_str(&format!(" {}\n", yaml_flow(other))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", yaml_flow(other))),
    }
}

fn yaml_value_after_key(val: &Value, indent: usize, out: &mut String) {
    match val {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            yaml(val, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            yaml(val, indent + 2, out);
        }
        other => out.push_str(&format!(" {}\n", yaml_flow(other))),
    }
}

/// Scalars, and empty maps and lists.
fn yaml_flow(v: &Value) -> String {
    match v {
        Value::Object(_) => "{}".to_string(),
        Value::Array(_) => "[]".to_string(),
        other => yaml_scalar(other),
    }
}

/// `value` as YAML under `path` (`["provider", "iam"]`), each level indented by two.
fn yaml_under(path: &[&str], value: &Value) -> String {
    let mut out = String::new();
    for (depth, key) in path.iter().enumerate() {
        out.push_str(&format!("{}{key}:\n", " ".repeat(depth * 2)));
    }
    yaml(value, path.len() * 2, &mut out);
    out
}

// --- CloudFormation, SAM, Serverless -------------------------------------------

fn logical_id(base: &str, i: usize, n: usize) -> String {
    if n == 1 {
        base.to_string()
    } else {
        format!("{base}{}", i + 1)
    }
}

fn cloudformation(docs: &[Map<String, Value>]) -> String {
    let mut resources = Map::new();
    for (i, doc) in docs.iter().enumerate() {
        let mut properties = Map::new();
        properties.insert("Description".into(), Value::String("Least-privilege policy generated by iamlens from the code".into()));
        properties.insert("PolicyDocument".into(), bare(doc));
        let mut resource = Map::new();
        resource.insert("Type".into(), Value::String("AWS::IAM::ManagedPolicy".into()));
        resource.insert("Properties".into(), Value::Object(properties));
        resources.insert(logical_id("IamlensPolicy", i, docs.len()), Value::Object(resource));
    }
    let mut out = String::from("# AWS::IAM::ManagedPolicy resources: paste under Resources: and attach with Roles: [!Ref YourRole]\n");
    yaml(&Value::Object(resources), 0, &mut out);
    out
}

fn sam(docs: &[Map<String, Value>]) -> String {
    let list: Vec<Value> = docs.iter().map(bare).collect();
    let mut out = String::from("# A function's Policies: paste under the Properties of your AWS::Serverless::Function\n");
    out.push_str(&yaml_under(&["Policies"], &Value::Array(list)));
    out
}

fn serverless(docs: &[Map<String, Value>]) -> String {
    let list: Vec<Value> = statements(docs).into_iter().map(|s| Value::Object(s.clone())).collect();
    let mut out = String::from("# serverless.yml: the role's statements (Serverless Framework v3 and later)\n");
    out.push_str(&yaml_under(&["provider", "iam", "role", "statements"], &Value::Array(list)));
    out
}

// --- Terraform ------------------------------------------------------------------

/// An HCL quoted string: JSON escaping, plus `${`/`%{` doubled so that
/// policy variables (`${aws:username}`) stay literal instead of interpolating.
fn hcl_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default().replace("${", "$${").replace("%{", "%%{")
}

fn hcl_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| hcl_string(s)).collect();
    format!("[{}]", quoted.join(", "))
}

fn terraform(docs: &[Map<String, Value>]) -> String {
    let mut out = String::new();
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let name = if docs.len() == 1 { "iamlens".to_string() } else { format!("iamlens_{}", i + 1) };
        out.push_str(&format!("data \"aws_iam_policy_document\" \"{name}\" {{\n"));
        if let Some(version) = doc.get("Version").and_then(Value::as_str) {
            out.push_str(&format!("  version = {}\n", hcl_string(version)));
        }
        for st in statement_list(doc) {
            out.push_str("\n  statement {\n");
            if let Some(sid) = st.get("Sid").and_then(Value::as_str) {
                out.push_str(&format!("    sid       = {}\n", hcl_string(sid)));
            }
            let effect = st.get("Effect").and_then(Value::as_str).unwrap_or("Allow");
            out.push_str(&format!("    effect    = {}\n", hcl_string(effect)));
            for (key, attr) in [("Action", "actions"), ("NotAction", "not_actions"), ("Resource", "resources"), ("NotResource", "not_resources")] {
                if st.contains_key(key) {
                    out.push_str(&format!("    {attr:<9} = {}\n", hcl_list(&strings(st.get(key)))));
                }
            }
            for (op, key, values) in conditions(st) {
                out.push_str("\n    condition {\n");
                out.push_str(&format!("      test     = {}\n", hcl_string(&op)));
                out.push_str(&format!("      variable = {}\n", hcl_string(&key)));
                out.push_str(&format!("      values   = {}\n", hcl_list(&values)));
                out.push_str("    }\n");
            }
            out.push_str("  }\n");
        }
        out.push_str("}\n");
    }
    out
}

// --- CDK ---------------------------------------------------------------------------

/// A string literal for TypeScript or Python: JSON's escaping is valid in both.
fn literal(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn literal_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| literal(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// `{"StringEquals": {"kms:ViaService": ["..."]}}` as a TypeScript or Python literal.
fn conditions_literal(st: &Map<String, Value>) -> Option<String> {
    let condition = st.get("Condition")?.as_object()?;
    let ops: Vec<String> = condition
        .iter()
        .map(|(op, keys)| {
            let keys: Vec<String> = keys
                .as_object()
                .into_iter()
                .flatten()
                .map(|(key, values)| format!("{}: {}", literal(key), literal_list(&strings(Some(values)))))
                .collect();
            format!("{}: {{{}}}", literal(op), keys.join(", "))
        })
        .collect();
    Some(format!("{{{}}}", ops.join(", ")))
}

fn cdk_typescript(docs: &[Map<String, Value>]) -> String {
    let mut out = String::from("// import * as iam from \"aws-cdk-lib/aws-iam\";\n");
    out.push_str("// Least-privilege statements generated by iamlens; add each with role.addToPolicy(statement).\n");
    out.push_str("export const iamlensStatements: iam.PolicyStatement[] = [\n");
    for st in statements(docs) {
        out.push_str("  new iam.PolicyStatement({\n");
        if let Some(sid) = st.get("Sid").and_then(Value::as_str) {
            out.push_str(&format!("    sid: {},\n", literal(sid)));
        }
        let effect = if st.get("Effect").and_then(Value::as_str) == Some("Deny") { "DENY" } else { "ALLOW" };
        out.push_str(&format!("    effect: iam.Effect.{effect},\n"));
        for (key, prop) in [("Action", "actions"), ("NotAction", "notActions"), ("Resource", "resources"), ("NotResource", "notResources")] {
            if st.contains_key(key) {
                out.push_str(&format!("    {prop}: {},\n", literal_list(&strings(st.get(key)))));
            }
        }
        if let Some(conditions) = conditions_literal(st) {
            out.push_str(&format!("    conditions: {conditions},\n"));
        }
        out.push_str("  }),\n");
    }
    out.push_str("];\n");
    out
}

fn cdk_python(docs: &[Map<String, Value>]) -> String {
    let mut out = String::from("# from aws_cdk import aws_iam as iam\n");
    out.push_str("# Least-privilege statements generated by iamlens; add each with role.add_to_policy(statement).\n");
    out.push_str("iamlens_statements = [\n");
    for st in statements(docs) {
        out.push_str("    iam.PolicyStatement(\n");
        if let Some(sid) = st.get("Sid").and_then(Value::as_str) {
            out.push_str(&format!("        sid={},\n", literal(sid)));
        }
        let effect = if st.get("Effect").and_then(Value::as_str) == Some("Deny") { "DENY" } else { "ALLOW" };
        out.push_str(&format!("        effect=iam.Effect.{effect},\n"));
        for (key, arg) in [("Action", "actions"), ("NotAction", "not_actions"), ("Resource", "resources"), ("NotResource", "not_resources")] {
            if st.contains_key(key) {
                out.push_str(&format!("        {arg}={},\n", literal_list(&strings(st.get(key)))));
            }
        }
        if let Some(conditions) = conditions_literal(st) {
            out.push_str(&format!("        conditions={conditions},\n"));
        }
        out.push_str("    ),\n");
    }
    out.push_str("]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn docs(v: Value) -> Vec<Map<String, Value>> {
        vec![v.as_object().unwrap().clone()]
    }

    #[test]
    fn yaml_quotes_what_would_read_as_something_else() {
        for (s, want) in [
            ("s3:GetObject", "s3:GetObject"),
            ("arn:aws:s3:::invoices/*", "arn:aws:s3:::invoices/*"),
            ("*", "\"*\""),
            ("2012-10-17", "\"2012-10-17\""),
            ("yes", "\"yes\""),
            ("a: b", "\"a: b\""),
            ("arn:aws:s3:::home/${aws:username}/*", "\"arn:aws:s3:::home/${aws:username}/*\""),
            ("", "\"\""),
        ] {
            assert_eq!(yaml_scalar(&json!(s)), want, "{s}");
        }
    }

    #[test]
    fn yaml_blocks_nest_lists_of_maps() {
        let out = yaml_documents(&docs(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}),
        ));
        assert_eq!(
            out,
            "---\nVersion: \"2012-10-17\"\nStatement:\n  - Effect: Allow\n    Action:\n      - s3:GetObject\n    Resource: \"*\"\n    Condition:\n      Bool:\n        aws:SecureTransport: \"true\"\n"
        );
    }

    #[test]
    fn terraform_keeps_policy_variables_literal() {
        let out = terraform(&docs(
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]}),
        ));
        assert!(out.contains(r#"resources = ["arn:aws:s3:::home/$${aws:username}/*"]"#), "{out}");
    }
}
