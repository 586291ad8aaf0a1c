//! What one AWS API call needs from IAM, straight from the embedded knowledge
//! base: the answer `iamlens lookup` prints and MCP `describe_operation` returns.

use iamlens_knowledge::{ActionRequirement, InjectedMethod, KnowledgeBase, Mapping, Operation, RequirementKind, Service};
use serde_json::{json, Value};
use std::sync::Arc;

/// Why [`describe`] found nothing; each message has did-you-mean suggestions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    UnknownService(String),
    UnknownMethod(String),
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LookupError::UnknownService(message) | LookupError::UnknownMethod(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for LookupError {}

/// The JSON answer (`iamlens lookup --json`) for one service and boto3 method,
/// API operation or injected method.
pub fn describe(kb: &KnowledgeBase, service: &str, method: &str) -> Result<Value, LookupError> {
    with_found(kb, service, method, as_json)
}

/// The same answer as text for people (`iamlens lookup`).
pub fn describe_text(kb: &KnowledgeBase, service: &str, method: &str) -> Result<String, LookupError> {
    with_found(kb, service, method, as_text)
}

fn with_found<T>(kb: &KnowledgeBase, service: &str, method: &str, show: impl Fn(&Service, &Found) -> T) -> Result<T, LookupError> {
    let service = resolve_service(kb, service, method).map_err(LookupError::UnknownService)?;
    let found = match (service.operation_by_method(method), service.injected(method)) {
        (Some(op), _) => Found::Operation(op),
        (None, Some(injected)) => Found::Injected(injected),
        (None, None) => return Err(LookupError::UnknownMethod(unknown_method(&service, method))),
    };
    Ok(show(&service, &found))
}

enum Found<'a> {
    Operation(&'a Operation),
    Injected(&'a InjectedMethod),
}

/// A botocore service name or alias, else an IAM prefix (`states` → stepfunctions;
/// `ses` → the service among ses/sesv2 that has the method).
fn resolve_service(kb: &KnowledgeBase, name: &str, method: &str) -> Result<Arc<Service>, String> {
    if let Some(service) = kb.service(name) {
        return Ok(service);
    }
    let by_prefix: Vec<Arc<Service>> = kb.services_for_iam_prefix(name).iter().filter_map(|s| kb.service(s)).collect();
    if let Some(service) = by_prefix.iter().find(|s| s.operation_by_method(method).is_some() || s.injected(method).is_some()) {
        return Ok(service.clone());
    }
    if let Some(service) = by_prefix.into_iter().next() {
        return Ok(service);
    }
    Err(with_suggestions(
        format!("`{name}` is unknown to this version of the knowledge base (misspelt, or newer than its botocore data)"),
        &kb.nearest_services(name, 3),
        "iamlens lookup s3 get_object",
    ))
}

fn unknown_method(service: &Service, method: &str) -> String {
    with_suggestions(
        format!("{} has no method or operation `{method}`", service.name),
        &service.nearest_methods(method, 3),
        &format!("iamlens lookup {} <boto3_method>", service.name),
    )
}

fn with_suggestions(message: String, suggestions: &[String], example: &str) -> String {
    if suggestions.is_empty() {
        format!("{message}; expected e.g. `{example}`")
    } else {
        format!("{message}; did you mean {}?", suggestions.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "))
    }
}

/// The requirements of a lookup target: an operation's own, or, for an
/// injected method, those of every operation it may perform plus its extras.
fn requirements<'a>(service: &'a Service, found: &'a Found) -> Vec<&'a ActionRequirement> {
    match found {
        Found::Operation(op) => op.requirements.iter().collect(),
        Found::Injected(m) => {
            let mut out: Vec<&ActionRequirement> = Vec::new();
            for req in m.operations.iter().filter_map(|name| service.operation(name)).flat_map(|op| op.requirements.iter()).chain(&m.extra_actions) {
                if !out.iter().any(|seen| seen.action == req.action && seen.kind == req.kind) {
                    out.push(req);
                }
            }
            out
        }
    }
}

fn resources(req: &ActionRequirement) -> Vec<String> {
    if req.resources.is_empty() {
        return vec!["*".to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    for t in &req.resources {
        if !out.contains(&t.arn_template) {
            out.push(t.arn_template.clone());
        }
    }
    out
}

fn kind_label(kind: &RequirementKind) -> (&'static str, Option<Value>) {
    match kind {
        RequirementKind::Primary => ("Primary", None),
        RequirementKind::Dependent => ("Dependent", None),
        RequirementKind::WhenMember { .. } => ("WhenMember", None),
        RequirementKind::PassRole { passed_to_service } => {
            ("PassRole", passed_to_service.as_ref().map(|s| json!({"StringEquals": {"iam:PassedToService": [s]}})))
        }
        RequirementKind::KmsViaService { via_service_template } => {
            ("KmsViaService", Some(json!({"StringEquals": {"kms:ViaService": [via_service_template]}})))
        }
    }
}

fn as_json(service: &Service, found: &Found) -> Value {
    let actions: Vec<Value> = requirements(service, found)
        .into_iter()
        .map(|req| {
            let (kind, condition) = kind_label(&req.kind);
            let mut entry = json!({
                "Action": req.action,
                "Resources": resources(req),
                "ConditionKeys": req.condition_keys,
                "Kind": kind,
                "AccessLevel": req.access_level,
            });
            if let Some(condition) = condition {
                entry["Condition"] = condition;
            }
            if let Some(note) = &req.note {
                entry["Note"] = json!(note);
            }
            entry
        })
        .collect();
    let mut answer = match found {
        Found::Operation(op) => json!({
            "Service": service.name,
            "Operation": op.name,
            "Method": op.method,
            "Actions": actions,
            "RequiresIam": op.requires_iam,
            "Mapping": op.mapping,
        }),
        Found::Injected(m) => json!({
            "Service": service.name,
            "Operation": Value::Null,
            "Operations": m.operations,
            "Method": m.method,
            "Actions": actions,
            "Note": m.note,
        }),
    };
    if let Some(version) = &service.retired {
        answer["RetiredAfterBotocore"] = json!(version);
    }
    answer
}

/// Condition keys for reading: the first dozen, then a count (`--json` has them all).
fn shorten(keys: &[String]) -> String {
    const SHOWN: usize = 12;
    if keys.len() <= SHOWN {
        return keys.join(", ");
    }
    format!("{}, … {} more (see --json)", keys[..SHOWN].join(", "), keys.len() - SHOWN)
}

fn as_text(service: &Service, found: &Found) -> String {
    let mut out = String::new();
    match found {
        Found::Operation(op) => {
            out.push_str(&format!("{} {}  (boto3: {}.{})\n", service.name, op.name, service.name, op.method));
            if let Some(version) = &service.retired {
                out.push_str(&format!("  retired service: botocore dropped it after {version} (end of support); its model is from that release\n"));
            }
            match &op.mapping {
                Mapping::NoIam { reason } => out.push_str(&format!("  needs no IAM permission: {reason}\n")),
                Mapping::KnownGap { reason } | Mapping::Unmapped { reason } => {
                    out.push_str(&format!("  no IAM action is known for this operation: {reason}\n"))
                }
                Mapping::Override { reason } => out.push_str(&format!("  mapping: {reason}\n")),
                Mapping::HttpVerb => out.push_str("  mapping: API Gateway authorizes by HTTP verb on the request path\n"),
                Mapping::Rule => {}
            }
        }
        Found::Injected(m) => {
            out.push_str(&format!("{} {}  (method boto3 adds to the client)\n  {}\n", service.name, m.method, m.note));
            if !m.operations.is_empty() {
                out.push_str(&format!("  performs: {}\n", m.operations.join(", ")));
            }
        }
    }
    for req in requirements(service, found) {
        let level = req.access_level.as_deref().map(|l| format!("  [{l}]")).unwrap_or_default();
        let why = match &req.kind {
            RequirementKind::Primary => String::new(),
            RequirementKind::Dependent => "  (dependent action)".into(),
            RequirementKind::WhenMember { member, replaces_primary: true, unless } => {
                format!("  (instead, when {member} is given{})", without(unless))
            }
            RequirementKind::WhenMember { member, replaces_primary: false, unless } => format!("  (when {member} is given{})", without(unless)),
            RequirementKind::PassRole { passed_to_service: Some(p) } => format!("  (passes a role; iam:PassedToService = {p})"),
            RequirementKind::PassRole { passed_to_service: None } => "  (passes a role)".into(),
            RequirementKind::KmsViaService { via_service_template } => format!("  (KMS on your behalf; kms:ViaService = {via_service_template})"),
        };
        out.push_str(&format!("  {}{level}{why}\n", req.action));
        if req.resources.is_empty() {
            out.push_str("    resource: *\n");
        }
        for target in &req.resources {
            let bound: Vec<String> = target.bindings.iter().map(|b| format!("{} ← {}", b.variable, b.member)).collect();
            let bound = if bound.is_empty() { String::new() } else { format!("   ({})", bound.join(", ")) };
            out.push_str(&format!("    {}{bound}\n", target.arn_template));
        }
        if !req.condition_keys.is_empty() {
            out.push_str(&format!("    condition keys: {}\n", shorten(&req.condition_keys)));
        }
        if let Some(note) = &req.note {
            out.push_str(&format!("    note: {note}\n"));
        }
    }
    out
}

/// ` without DbUser or SecretArn` for a `WhenMember` action that other members rule out.
fn without(unless: &[String]) -> String {
    if unless.is_empty() {
        String::new()
    } else {
        format!(" without {}", unless.join(" or "))
    }
}
