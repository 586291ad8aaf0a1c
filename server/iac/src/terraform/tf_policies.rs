//! The policies a Terraform module grants its functions' roles:
//! `aws_iam_role` (`inline_policy`, `managed_policy_arns`),
//! `aws_iam_role_policy`, `aws_iam_policy` attached by
//! `aws_iam_role_policy_attachment` / `aws_iam_policy_attachment`; documents
//! written as `jsonencode({...})`, as `data.aws_iam_policy_document.x.json`,
//! or as a JSON string or heredoc. Other expressions (`file(...)`,
//! `templatefile(...)`, module outputs) are listed as not read.
//!
//! References between these blocks are read from the expressions' shape
//! (`aws_iam_role.lambda.name`), not their values; repeated blocks (`count`,
//! `for_each`) are matched by their address without the instance key.

use super::hcl_eval::{Iter, Scope, Value};
use super::{traversal_path, Item};
use crate::model::{Function, Location, Part, Pattern};
use crate::policies::{DeclaredPolicy, FunctionPolicies, OpaquePolicy};
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::Block;
use hcl_edit::Span;
use serde_json::{json, Value as Json};
use std::collections::{BTreeSet, HashMap};

/// What one module grants, by role address.
#[derive(Default)]
struct Grants {
    policies: HashMap<String, Vec<DeclaredPolicy>>,
    opaque: HashMap<String, Vec<OpaquePolicy>>,
}

/// The policies of the module's `functions` (those declared in it).
pub(super) fn declared(scope: &Scope, resources: &[Item], data: &[Item], prefix: &str, functions: &[Function]) -> Vec<FunctionPolicies> {
    let reader = Reader { scope, resources, data, prefix };
    let grants = reader.grants();
    functions
        .iter()
        .map(|f| {
            let mut fp =
                FunctionPolicies { function: f.id.clone(), file: f.declared_at.file.clone(), role: f.role.clone(), ..FunctionPolicies::default() };
            match f.role.as_deref().map(without_instance) {
                Some(role) if reader.find("aws_iam_role", role).is_some() => {
                    fp.policies.extend(grants.policies.get(role).cloned().unwrap_or_default());
                    fp.opaque.extend(grants.opaque.get(role).cloned().unwrap_or_default());
                    if reader.find("aws_iam_role", role).is_some_and(|r| r.block.body.has_attribute("permissions_boundary")) {
                        fp.notes.push(format!("{role}'s permissions_boundary is not read; it can still deny"));
                    }
                }
                Some(role) => fp.opaque.push(OpaquePolicy {
                    what: format!("role {role}, not declared in the Terraform read (its policies are not known)"),
                    declared_at: f.declared_at.clone(),
                }),
                None => fp.notes.push(format!("{}'s role is not known from the configuration; no policy is read", f.id)),
            }
            fp
        })
        .collect()
}

/// `aws_iam_role.x[0]` → `aws_iam_role.x`.
fn without_instance(address: &str) -> &str {
    address.split_once('[').map_or(address, |(base, _)| base)
}

struct Reader<'a, 's> {
    scope: &'a Scope<'s>,
    resources: &'a [Item<'a>],
    data: &'a [Item<'a>],
    prefix: &'a str,
}

impl Reader<'_, '_> {
    /// The block `ty.name` as an address (`module.x.aws_iam_role.r`).
    fn find(&self, ty: &str, address: &str) -> Option<&Item<'_>> {
        let name = address.strip_prefix(self.prefix)?.strip_prefix(ty)?.strip_prefix('.')?;
        self.resources.iter().find(|r| r.label(0) == ty && r.label(1) == name)
    }

    fn address(&self, item: &Item) -> String {
        format!("{}{}.{}", self.prefix, item.label(0), item.label(1))
    }

    /// The address an attribute refers to when it is `<ty>.<name>.<attr>`.
    fn reference(&self, e: &Expression, ty: &str) -> Option<String> {
        let path = traversal_path(e)?;
        (path.len() >= 2 && path[0] == ty).then(|| format!("{}{ty}.{}", self.prefix, path[1]))
    }

    fn grants(&self) -> Grants {
        let mut out = Grants::default();
        for item in self.resources {
            let body = &item.block.body;
            match item.label(0) {
                "aws_iam_role" => {
                    let role = self.address(item);
                    for (i, inline) in body.get_blocks("inline_policy").enumerate() {
                        let name = self.text(inline, "name").unwrap_or_else(|| i.to_string());
                        let Some(policy) = inline.body.get_attribute("policy") else { continue };
                        let inner = Item { block: inline, ..*item };
                        match self.document(&inner, &policy.value, format!("{role} inline_policy {name}")) {
                            Ok(doc) => out.policies.entry(role.clone()).or_default().push(doc),
                            Err(what) => {
                                out.opaque.entry(role.clone()).or_default().push(OpaquePolicy { what, declared_at: inner.attr_at("policy") })
                            }
                        }
                    }
                    if let Some(arns) = body.get_attribute("managed_policy_arns") {
                        let items: Vec<&Expression> = match &arns.value {
                            Expression::Array(items) => items.iter().collect(),
                            other => vec![other],
                        };
                        for arn in items {
                            self.attach(&mut out, &role, arn, item.attr_at("managed_policy_arns"));
                        }
                    }
                }
                "aws_iam_role_policy" => {
                    // A role of another module is no function's of this one: nothing to bind.
                    let Some(role) = body.get_attribute("role").and_then(|a| self.reference(&a.value, "aws_iam_role")) else { continue };
                    let Some(policy) = body.get_attribute("policy") else { continue };
                    match self.document(item, &policy.value, self.address(item)) {
                        Ok(doc) => out.policies.entry(role).or_default().push(doc),
                        Err(what) => out.opaque.entry(role).or_default().push(OpaquePolicy { what, declared_at: item.attr_at("policy") }),
                    }
                }
                "aws_iam_role_policy_attachment" | "aws_iam_policy_attachment" => {
                    let roles: Vec<&Expression> = match (body.get_attribute("role"), body.get_attribute("roles")) {
                        (Some(role), _) => vec![&role.value],
                        (None, Some(roles)) => match &roles.value {
                            Expression::Array(items) => items.iter().collect(),
                            _ => vec![],
                        },
                        _ => vec![],
                    };
                    let Some(arn) = body.get_attribute("policy_arn") else { continue };
                    for role in roles.into_iter().filter_map(|r| self.reference(r, "aws_iam_role")) {
                        self.attach(&mut out, &role, &arn.value, item.attr_at("policy_arn"));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// `policy_arn` / a `managed_policy_arns` item: an `aws_iam_policy` of the
    /// module (its document) or an ARN (content unknown).
    fn attach(&self, out: &mut Grants, role: &str, arn: &Expression, at: Location) {
        if let Some(address) = self.reference(arn, "aws_iam_policy") {
            let Some(policy) = self.find("aws_iam_policy", &address) else { return };
            let Some(document) = policy.block.body.get_attribute("policy") else { return };
            match self.document(policy, &document.value, address.clone()) {
                Ok(doc) => out.policies.entry(role.to_string()).or_default().push(doc),
                Err(what) => out.opaque.entry(role.to_string()).or_default().push(OpaquePolicy { what, declared_at: policy.attr_at("policy") }),
            }
            return;
        }
        let text = self.scope.eval(arn, &Iter::default(), 0).pattern().display();
        let what = match text.split_once(":iam::aws:policy/") {
            Some((_, name)) => format!("AWS managed policy {name}"),
            None => format!("managed policy {text}"),
        };
        out.opaque.entry(role.to_string()).or_default().push(OpaquePolicy { what, declared_at: at });
    }

    fn text(&self, block: &Block, name: &str) -> Option<String> {
        self.scope.arg(block, name, &Iter::default(), 0).map(|v| v.pattern().display())
    }

    /// A policy attribute → its document; `Err(what)` when it is not readable.
    fn document(&self, item: &Item, e: &Expression, name: String) -> Result<DeclaredPolicy, String> {
        let declared_at = Location { file: item.file.path.clone(), line: self.line(item, e) };
        let mut unresolved = BTreeSet::new();
        let (document, statement_lines) = match e {
            Expression::FuncCall(f) if f.name.name.as_str() == "jsonencode" && f.args.len() == 1 => {
                let arg = f.args.iter().next().expect("one argument");
                let value = self.scope.eval(arg, &Iter::default(), 0);
                let lines = self.statement_lines(item, arg);
                (to_json(&value, &mut unresolved), lines)
            }
            _ => match traversal_path(e).as_deref() {
                Some(["data", "aws_iam_policy_document", name, "json" | "minified_json"]) => {
                    let Some(data) = self.data.iter().find(|d| d.label(0) == "aws_iam_policy_document" && d.label(1) == *name) else {
                        return Err(format!("data.aws_iam_policy_document.{name}, not declared in this module"));
                    };
                    self.policy_document(data, &mut unresolved)?
                }
                _ => {
                    let value = self.scope.eval(e, &Iter::default(), 0);
                    let Value::Str(pattern, _) = &value else { return Err(format!("{name}: a policy expression iamlens does not read")) };
                    let text = pattern.display();
                    let parsed: Json = serde_json::from_str(&text).map_err(|_| format!("{name}: a policy expression iamlens does not read"))?;
                    if pattern.0.iter().any(|p| matches!(p, Part::Unknown)) {
                        unresolved.insert(format!("parts of {name}'s policy text (read as *)"));
                    }
                    let n = parsed.get("Statement").and_then(Json::as_array).map_or(1, Vec::len);
                    (parsed, vec![declared_at.line; n])
                }
            },
        };
        if document.get("Statement").is_none() {
            return Err(format!("{name}: the policy has no Statement iamlens can read"));
        }
        Ok(DeclaredPolicy { name, declared_at, document, statement_lines, unresolved: unresolved.into_iter().collect() })
    }

    fn line(&self, item: &Item, e: &Expression) -> usize {
        match e.span() {
            Some(span) if !item.file.json => item.file.line(span.start + item.offset),
            _ => item.at().line,
        }
    }

    /// The line of each item of `Statement` in a `jsonencode({...})` argument.
    fn statement_lines(&self, item: &Item, e: &Expression) -> Vec<usize> {
        let Expression::Object(obj) = e else { return vec![] };
        for (key, value) in obj.iter() {
            let key = match key {
                ObjectKey::Ident(id) => id.as_str().to_string(),
                ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                _ => continue,
            };
            if key == "Statement" {
                return match value.expr() {
                    Expression::Array(items) => items.iter().map(|i| self.line(item, i)).collect(),
                    other => vec![self.line(item, other)],
                };
            }
        }
        vec![]
    }

    /// `data "aws_iam_policy_document"`: its `statement` blocks as a document.
    fn policy_document(&self, data: &Item, unresolved: &mut BTreeSet<String>) -> Result<(Json, Vec<usize>), String> {
        let body = &data.block.body;
        for unsupported in ["source_policy_documents", "override_policy_documents", "source_json", "override_json"] {
            if body.has_attribute(unsupported) {
                return Err(format!(
                    "data.aws_iam_policy_document.{} merges other documents ({unsupported}), which iamlens does not read",
                    data.label(1)
                ));
            }
        }
        if body.get_blocks("dynamic").next().is_some() {
            return Err(format!("data.aws_iam_policy_document.{} has dynamic statements, which iamlens does not read", data.label(1)));
        }
        let it = Iter::default();
        let mut statements = Vec::new();
        let mut lines = Vec::new();
        for block in body.get_blocks("statement") {
            let mut st = serde_json::Map::new();
            let arg = |name: &str| self.scope.arg(block, name, &it, 0);
            if let Some(sid) = arg("sid") {
                st.insert("Sid".into(), to_json(&sid, unresolved));
            }
            st.insert("Effect".into(), arg("effect").map(|v| to_json(&v, unresolved)).unwrap_or(json!("Allow")));
            for (attr, key) in [("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"), ("not_resources", "NotResource")] {
                if let Some(v) = arg(attr) {
                    st.insert(key.into(), to_json(&v, unresolved));
                }
            }
            let mut condition = serde_json::Map::new();
            for c in block.body.get_blocks("condition") {
                let carg = |name: &str| self.scope.arg(c, name, &it, 0);
                let (Some(test), Some(variable), Some(values)) = (carg("test"), carg("variable"), carg("values")) else { continue };
                let entry = condition.entry(test.pattern().display()).or_insert_with(|| json!({}));
                entry[variable.pattern().display()] = to_json(&values, unresolved);
            }
            if !condition.is_empty() {
                st.insert("Condition".into(), Json::Object(condition));
            }
            lines.push(Item { block, ..*data }.at().line);
            statements.push(Json::Object(st));
        }
        Ok((json!({"Version": "2012-10-17", "Statement": statements}), lines))
    }
}

/// An evaluated HCL value as JSON; unknown parts become `*`, recorded.
fn to_json(value: &Value, unresolved: &mut BTreeSet<String>) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Str(p, _) => pattern(p, unresolved),
        Value::List(items) => Json::Array(items.iter().map(|v| to_json(v, unresolved)).collect()),
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v, unresolved))).collect()),
        Value::Unknown => {
            unresolved.insert("a value the configuration does not give (read as *)".into());
            json!("*")
        }
    }
}

fn pattern(p: &Pattern, unresolved: &mut BTreeSet<String>) -> Json {
    if p.0.iter().any(|part| matches!(part, Part::Unknown)) {
        unresolved.insert(p.display());
    }
    Json::String(p.display())
}
