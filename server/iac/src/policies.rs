//! The policies the templates grant each function: through its execution
//! role (SAM `Policies`, policy templates, `AWS::IAM::Role` inline and
//! managed policies, `AWS::IAM::Policy`/`ManagedPolicy`/`RolePolicy`
//! attached to the role, CDK grants) or declared by Terraform and Serverless.
//!
//! Documents are returned as JSON with intrinsics evaluated; a part the
//! templates do not give (`${AWS::Region}` without `--region`, an
//! `!ImportValue`) is `*` in the document and named in the policy's notes.
//! Policies whose content is not in the templates (AWS managed policies, a
//! role ARN from elsewhere) are listed as [`OpaquePolicy`], never guessed.

use crate::intrinsics::{Decl, Eval, Origins, Val};
use crate::model::{Function, Location, Part, Pattern};
use crate::sam_templates;
use crate::yaml::{Node, Value};
use serde::Serialize;
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

/// One policy document a function is granted, as the templates declare it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeclaredPolicy {
    /// For people: `OrdersFunction Policies[1] DynamoDBCrudPolicy`, `WorkerRole Policies[0] orders`.
    pub name: String,
    pub declared_at: Location,
    /// `{"Version": ..., "Statement": [...]}` with intrinsics evaluated.
    pub document: Json,
    /// The template line of each statement, in order.
    pub statement_lines: Vec<usize>,
    /// Values the templates do not give, shown as `*` in the document.
    pub unresolved: Vec<String>,
}

/// A policy the function is granted whose content the templates do not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpaquePolicy {
    /// `AWS managed policy AWSLambdaBasicExecutionRole`, `role arn:aws:iam::123456789012:role/ops`.
    pub what: String,
    pub declared_at: Location,
}

impl OpaquePolicy {
    /// The managed policy SAM, CDK and most templates give every function for
    /// its logs: its content is not read, but AWS documents it as CloudWatch
    /// Logs writes only, so it cannot be what lets the code's other calls through.
    pub fn is_basic_execution_role(&self) -> bool {
        let name = self.what.strip_prefix("AWS managed policy ").unwrap_or_default();
        let name = name.split(' ').next().unwrap_or_default();
        matches!(name, "AWSLambdaBasicExecutionRole" | "service-role/AWSLambdaBasicExecutionRole")
    }
}

/// Everything one function is granted by the templates.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct FunctionPolicies {
    /// The function's id, as in [`Function::id`].
    pub function: String,
    /// The template the function is declared in (with the id, the key).
    pub file: PathBuf,
    /// The role the policies attach to: a logical id, address or ARN.
    pub role: Option<String>,
    pub policies: Vec<DeclaredPolicy>,
    pub opaque: Vec<OpaquePolicy>,
    /// What was assumed or not read (generated policies SAM adds, a
    /// permissions boundary, ...).
    pub notes: Vec<String>,
}

/// A JSON document from a template node, intrinsics evaluated; unknown
/// parts become `*` and are recorded in `unresolved`.
pub(crate) fn to_json(eval: &mut Eval, node: &Node, unresolved: &mut BTreeSet<String>) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Str(s) => Json::String(s.clone()),
        Value::Pat(p) => pattern_json(p, unresolved),
        Value::Seq(items) => {
            let mut out = Vec::new();
            for item in items {
                match to_json(eval, item, unresolved) {
                    Json::Null => {}
                    // A list-valued intrinsic inside a list (`!Split`, `!If` of lists) adds its items.
                    Json::Array(inner) if item.is_intrinsic() => out.extend(inner),
                    v => out.push(v),
                }
            }
            Json::Array(out)
        }
        Value::Map(entries) if entries.len() == 1 && entries[0].key == "Fn::If" => {
            // Both branches may hold in some deployment: the grant is their union.
            let branches = entries[0].value.items();
            if branches.len() != 3 {
                return val_json(&eval.eval(node, &mut Origins::new()), node.line, unresolved);
            }
            let (a, b) = (to_json(eval, &branches[1], unresolved), to_json(eval, &branches[2], unresolved));
            unresolved.insert(format!("both branches of the Fn::If on line {} (granted as their union)", node.line));
            match (a, b) {
                (Json::Null, v) | (v, Json::Null) => v,
                (a, b) if a == b => a,
                (a, b) => {
                    let mut out = Vec::new();
                    for v in [a, b] {
                        match v {
                            Json::Array(items) => out.extend(items),
                            v => out.push(v),
                        }
                    }
                    Json::Array(out)
                }
            }
        }
        Value::Map(_) if node.is_intrinsic() => {
            let val = eval.eval(node, &mut Origins::new());
            val_json(&val, node.line, unresolved)
        }
        Value::Map(entries) => {
            let mut out = serde_json::Map::new();
            for e in entries {
                let v = to_json(eval, &e.value, unresolved);
                if !v.is_null() {
                    out.insert(e.key.clone(), v);
                }
            }
            Json::Object(out)
        }
    }
}

fn val_json(val: &Val, line: usize, unresolved: &mut BTreeSet<String>) -> Json {
    match val {
        Val::Str(p) => pattern_json(p, unresolved),
        Val::List(items) => Json::Array(items.iter().map(|v| val_json(v, line, unresolved)).filter(|v| !v.is_null()).collect()),
        Val::NoValue => Json::Null,
        Val::Unknown => {
            unresolved.insert(format!("a value on line {line} the templates do not give (read as *)"));
            json!("*")
        }
    }
}

fn pattern_json(p: &Pattern, unresolved: &mut BTreeSet<String>) -> Json {
    if p.0.iter().any(|part| matches!(part, Part::Unknown)) {
        unresolved.insert(p.display());
    }
    Json::String(p.display())
}

/// A policy document node → a [`DeclaredPolicy`] (`None` when it has no Statement).
fn declared(eval: &mut Eval, name: String, node: &Node) -> Option<DeclaredPolicy> {
    let statement = node.get("Statement")?;
    let statement_lines = match &statement.value {
        Value::Seq(items) => items.iter().map(|i| i.line).collect(),
        _ => vec![statement.line],
    };
    let mut unresolved = BTreeSet::new();
    let document = to_json(eval, node, &mut unresolved);
    Some(DeclaredPolicy {
        name,
        declared_at: Location { file: eval.template.file.clone(), line: node.line },
        document,
        statement_lines,
        unresolved: unresolved.into_iter().collect(),
    })
}

/// The logical id a `{Ref: X}` or `{Fn::GetAtt: X.Arn}` names.
pub(crate) fn referenced_id(node: &Node) -> Option<String> {
    let entry = node.entries().first().filter(|_| node.entries().len() == 1)?;
    match entry.key.as_str() {
        "Ref" => entry.value.as_str().map(str::to_string),
        "Fn::GetAtt" => match &entry.value.value {
            Value::Str(s) => s.split('.').next().map(str::to_string),
            Value::Seq(items) => items.first().and_then(Node::as_str).map(str::to_string),
            _ => None,
        },
        _ => None,
    }
}

/// A list property that may also be a single value.
fn list(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Null => vec![],
        _ => vec![node],
    }
}

fn managed(eval: &mut Eval, node: &Node) -> OpaquePolicy {
    let at = Location { file: eval.template.file.clone(), line: node.line };
    let text = eval.eval(node, &mut Origins::new()).pattern().display();
    let what = match text.split_once(":policy/") {
        Some((prefix, name)) if prefix.ends_with(":iam::aws") => format!("AWS managed policy {name}"),
        _ if !text.contains(':') => format!("AWS managed policy {text}"),
        _ => format!("managed policy {text}"),
    };
    OpaquePolicy { what, declared_at: at }
}

/// What the template attaches to each declared role.
#[derive(Default)]
struct Attached {
    policies: HashMap<String, Vec<DeclaredPolicy>>,
    opaque: HashMap<String, Vec<OpaquePolicy>>,
}

/// The policies of one template's functions.
pub(crate) fn cfn(eval: &mut Eval, functions: &[Function], sam: bool) -> Vec<FunctionPolicies> {
    let template = eval.template;
    let attached = attached(eval);
    let mut out = Vec::new();
    for function in functions {
        let Some(decl) = template.resource(&function.id) else { continue };
        let mut fp = FunctionPolicies { function: function.id.clone(), file: template.file.clone(), ..FunctionPolicies::default() };
        let is_sam = sam && decl.resource_type == "AWS::Serverless::Function";
        let role_node = decl.prop("Role");
        let role = match role_node {
            Some(node) => referenced_id(node).filter(|id| template.resource(id).is_some()).ok_or(node),
            None if is_sam => Ok(format!("{}Role", decl.id)),
            None => {
                fp.notes.push(format!("{} names no Role; no policy is known", decl.id));
                out.push(fp);
                continue;
            }
        };
        match role {
            Ok(role) => {
                fp.role = Some(role.clone());
                if is_sam && role_node.is_none() {
                    sam_policies(eval, decl, &mut fp);
                    fp.opaque.push(OpaquePolicy {
                        what: "AWS managed policy AWSLambdaBasicExecutionRole (SAM adds it to the role it creates)".into(),
                        declared_at: Location { file: template.file.clone(), line: decl.line },
                    });
                } else if is_sam && decl.prop("Policies").is_some() {
                    fp.notes.push(format!("{} names its Role, so SAM does not apply its Policies; the role's policies are checked", decl.id));
                }
                if let Some(role_decl) = template.resource(&role) {
                    role_policies(eval, role_decl, &mut fp);
                }
                fp.policies.extend(attached.policies.get(&role).cloned().unwrap_or_default());
                fp.opaque.extend(attached.opaque.get(&role).cloned().unwrap_or_default());
            }
            Err(node) => {
                let arn = eval.eval(node, &mut Origins::new()).pattern().display();
                fp.role = Some(arn.clone());
                fp.opaque.push(OpaquePolicy {
                    what: format!("role {arn}, not declared in the templates read"),
                    declared_at: Location { file: template.file.clone(), line: node.line },
                });
            }
        }
        out.push(fp);
    }
    out
}

/// `AWS::IAM::Role` `Policies`, `ManagedPolicyArns` and `PermissionsBoundary`.
fn role_policies(eval: &mut Eval, role: &Decl, fp: &mut FunctionPolicies) {
    if role.resource_type != "AWS::IAM::Role" {
        return;
    }
    for (i, p) in role.prop("Policies").map(list).unwrap_or_default().into_iter().enumerate() {
        let name = p.get("PolicyName").map(|n| eval.eval(n, &mut Origins::new()).pattern().display()).unwrap_or_else(|| i.to_string());
        if let Some(doc) = p.get("PolicyDocument").and_then(|d| declared(eval, format!("{} Policies[{i}] {name}", role.id), d)) {
            fp.policies.push(doc);
        }
    }
    for arn in role.prop("ManagedPolicyArns").map(list).unwrap_or_default() {
        match referenced_id(arn).and_then(|id| managed_document(eval, &id)) {
            Some(doc) => fp.policies.push(doc),
            None => fp.opaque.push(managed(eval, arn)),
        }
    }
    if role.prop("PermissionsBoundary").is_some() {
        fp.notes.push(format!("{}'s PermissionsBoundary is not read; it can still deny", role.id));
    }
}

/// The document of an `AWS::IAM::ManagedPolicy` declared in the template.
fn managed_document(eval: &mut Eval, id: &str) -> Option<DeclaredPolicy> {
    let decl = eval.template.resource(id).filter(|d| d.resource_type == "AWS::IAM::ManagedPolicy")?;
    let doc = decl.prop("PolicyDocument")?;
    declared(eval, id.to_string(), doc)
}

/// `AWS::IAM::Policy` / `ManagedPolicy` (`Roles: [!Ref R]`) and
/// `AWS::IAM::RolePolicy` (`RoleName: !Ref R`), by the role they attach to.
fn attached(eval: &mut Eval) -> Attached {
    let template = eval.template;
    let mut out = Attached::default();
    for decl in &template.resources {
        let roles: Vec<&Node> = match decl.resource_type.as_str() {
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => decl.prop("Roles").map(list).unwrap_or_default(),
            "AWS::IAM::RolePolicy" => decl.prop("RoleName").into_iter().collect(),
            _ => continue,
        };
        let Some(doc) = decl.prop("PolicyDocument") else { continue };
        let Some(policy) = declared(eval, decl.id.clone(), doc) else { continue };
        for role in roles {
            // A role declared elsewhere is no function's of this template: nothing to bind.
            if let Some(id) = referenced_id(role).or_else(|| role_by_name(eval, role)) {
                out.policies.entry(id).or_default().push(policy.clone());
            }
        }
    }
    out
}

/// A role named by its physical name (`Roles: [my-role]`) → its logical id.
fn role_by_name(eval: &mut Eval, node: &Node) -> Option<String> {
    let name = eval.eval(node, &mut Origins::new()).pattern().as_exact()?;
    let template = eval.template;
    template
        .resources
        .iter()
        .filter(|d| d.resource_type == "AWS::IAM::Role")
        .map(|d| d.id.clone())
        .find(|id| eval.physical_name(id).as_exact().as_deref() == Some(name.as_str()))
}

/// SAM `Policies`: inline documents, managed policy names/ARNs, policy templates.
fn sam_policies(eval: &mut Eval, decl: &Decl, fp: &mut FunctionPolicies) {
    let Some(policies) = decl.prop("Policies") else { return };
    let file = eval.template.file.clone();
    for (i, item) in list(policies).into_iter().enumerate() {
        let at = Location { file: file.clone(), line: item.line };
        match &item.value {
            Value::Str(_) | Value::Pat(_) => fp.opaque.push(managed(eval, item)),
            Value::Map(_) if item.is_intrinsic() => match referenced_id(item).and_then(|id| managed_document(eval, &id)) {
                Some(doc) => fp.policies.push(doc),
                None => fp.opaque.push(managed(eval, item)),
            },
            Value::Map(_) if item.get("Statement").is_some() => {
                if let Some(doc) = declared(eval, format!("{} Policies[{i}]", decl.id), item) {
                    fp.policies.push(doc);
                }
            }
            Value::Map(entries) if entries.len() == 1 => {
                let (name, args) = (&entries[0].key, &entries[0].value);
                match sam_templates::embedded().templates.get(name) {
                    Some(template) => {
                        let values: BTreeMap<String, Node> = args.entries().iter().map(|e| (e.key.clone(), e.value.clone())).collect();
                        let (statements, missing) = template.expand(&values, item.line);
                        if !missing.is_empty() {
                            fp.notes.push(format!("line {}: {name} does not give {}; SAM rejects it", item.line, missing.join(", ")));
                            continue;
                        }
                        let document = Node {
                            line: item.line,
                            value: Value::Map(vec![
                                entry("Version", Node { line: item.line, value: Value::Str("2012-10-17".into()) }),
                                entry("Statement", Node { line: item.line, value: Value::Seq(statements) }),
                            ]),
                        };
                        if let Some(doc) = declared(eval, format!("{} Policies[{i}] {name}", decl.id), &document) {
                            fp.policies.push(doc);
                        }
                    }
                    None => {
                        fp.opaque.push(OpaquePolicy { what: format!("{name}, not a SAM policy template iamlens knows"), declared_at: at });
                    }
                }
            }
            _ => fp.notes.push(format!("line {}: Policies[{i}] is not a policy name, document or template; it is not read", item.line)),
        }
    }
}

fn entry(key: &str, value: Node) -> crate::yaml::Entry {
    crate::yaml::Entry { key: key.into(), line: value.line, value }
}

/// Serverless Framework: the role it generates (`IamRoleLambdaExecution`)
/// holds `provider.iam.role.statements` (or the older
/// `provider.iamRoleStatements`) and `managedPolicies`, shared by every
/// function; with the `serverless-iam-roles-per-function` plugin a
/// function's own `iamRoleStatements` make its own role. A `role:` naming a
/// role of `resources:` takes that role's policies.
pub(crate) fn serverless(eval: &mut Eval, root: &Node, functions: &[Function]) -> Vec<FunctionPolicies> {
    let template = eval.template;
    let file = template.file.clone();
    let provider = root.get("provider");
    let provider_role = provider.and_then(|p| p.path(&["iam", "role"]));
    let statements = provider_role.and_then(|r| r.get("statements")).or_else(|| provider.and_then(|p| p.get("iamRoleStatements")));
    let managed_policies = provider_role.and_then(|r| r.get("managedPolicies")).or_else(|| provider.and_then(|p| p.get("iamManagedPolicies")));
    let per_function_plugin = root.get("plugins").is_some_and(|p| {
        let names: Vec<&Node> = match p.get("modules") {
            Some(modules) => list(modules),
            None => list(p),
        };
        names.iter().any(|n| n.as_str() == Some("serverless-iam-roles-per-function"))
    });
    let attached = attached(eval);
    let entries = root.get("functions").map(Node::entries).unwrap_or_default();
    let mut out = Vec::new();
    for function in functions {
        let mut fp =
            FunctionPolicies { function: function.id.clone(), file: file.clone(), role: function.role.clone(), ..FunctionPolicies::default() };
        let own = entries.iter().find(|e| e.key == function.id).and_then(|e| e.value.get("iamRoleStatements"));
        let inherit = entries.iter().find(|e| e.key == function.id).and_then(|e| e.value.get("iamRoleStatementsInherit")).is_some_and(Node::is_true);
        match &function.role {
            Some(role) if template.resource(role).is_some() => {
                if let Some(decl) = template.resource(role) {
                    role_policies(eval, decl, &mut fp);
                }
                fp.policies.extend(attached.policies.get(role).cloned().unwrap_or_default());
                fp.opaque.extend(attached.opaque.get(role).cloned().unwrap_or_default());
            }
            Some(role) => fp
                .opaque
                .push(OpaquePolicy { what: format!("role {role}, not declared in the templates read"), declared_at: function.declared_at.clone() }),
            None => {
                let own = own.filter(|_| per_function_plugin);
                if let Some(own) = own {
                    fp.role = Some(format!("{} (serverless-iam-roles-per-function)", function.id));
                    push_statements(eval, &mut fp, format!("{} iamRoleStatements", function.id), own);
                }
                if own.is_none() || inherit {
                    if own.is_none() {
                        fp.role = Some("IamRoleLambdaExecution".into());
                    }
                    if let Some(statements) = statements {
                        push_statements(eval, &mut fp, "provider.iam.role.statements".into(), statements);
                    }
                    for arn in managed_policies.map(list).unwrap_or_default() {
                        fp.opaque.push(managed(eval, arn));
                    }
                    fp.notes.push(
                        "the functions share the role Serverless generates (IamRoleLambdaExecution); its CloudWatch Logs statements are not read"
                            .into(),
                    );
                }
                if let (Some(_), false) =
                    (entries.iter().find(|e| e.key == function.id).and_then(|e| e.value.get("iamRoleStatements")), per_function_plugin)
                {
                    fp.notes.push(format!("{}'s iamRoleStatements need the serverless-iam-roles-per-function plugin, which the plugins do not list; they are not applied", function.id));
                }
            }
        }
        out.push(fp);
    }
    out
}

fn push_statements(eval: &mut Eval, fp: &mut FunctionPolicies, name: String, statements: &Node) {
    let document = Node {
        line: statements.line,
        value: Value::Map(vec![
            entry("Version", Node { line: statements.line, value: Value::Str("2012-10-17".into()) }),
            entry("Statement", statements.clone()),
        ]),
    };
    if let Some(doc) = declared(eval, name, &document) {
        fp.policies.push(doc);
    }
}
