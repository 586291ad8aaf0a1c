//! SdkCall → IAM Requirements: actions, bound resource ARNs, conditions.
//!
//! The knowledge base says which actions an operation needs and how its inputs
//! fill each action's ARN templates; this stage applies that to what analysis
//! knows of the call's arguments. Nothing is granted beyond the operation's
//! own requirements, and no resource is wider than the code allows: a part of
//! an ARN is `*` only where the value is unknown (and then a `DynamicResource`
//! finding says which parameter to pin down).

pub mod arn;
pub mod binding;

use crate::model::{CallVia, Finding, FindingKind, Requirement, RequirementSettings, SdkCall};
use arn::{bind_target, fill};
use binding::member_value;
use iamlens_knowledge::{ActionRequirement, KnowledgeBase, RequirementKind, ResourceTarget, Service};

/// What the requirements stage derives from a file's calls.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    pub requirements: Vec<Requirement>,
    /// `DynamicResource` findings: resources that kept a wildcard because a value is only known at run time.
    pub findings: Vec<Finding>,
}

/// Requirements for `calls` (those whose service `service_hints` keeps; all when empty).
/// `requirements[i].call_index` indexes `calls`.
pub fn requirements_for_calls(calls: &[SdkCall], settings: &RequirementSettings, service_hints: &[String]) -> Derived {
    let kb = KnowledgeBase::embedded();
    let mut out = Derived::default();
    for (index, call) in calls.iter().enumerate() {
        // Unknown services and methods were already reported by analysis.
        let Some(service) = kb.service(&call.service) else { continue };
        if !hints_keep(service_hints, &service) {
            continue;
        }
        let mut actions: Vec<ActionRequirement> = service
            .operation(&call.operation)
            .or_else(|| service.operation_by_method(&call.operation))
            .map(|op| op.requirements.clone())
            .unwrap_or_default();
        if let CallVia::Injected { method } = &call.via {
            if let Some(injected) = service.injected(method) {
                actions.extend(injected.extra_actions.iter().cloned());
            }
        }
        add_call_requirements(call, index, &actions, settings, &mut out);
    }
    out
}

/// A hint names a service by botocore name (`stepfunctions`) or IAM prefix (`states`).
fn hints_keep(hints: &[String], service: &Service) -> bool {
    hints.is_empty() || hints.iter().any(|h| h.eq_ignore_ascii_case(&service.name) || h.eq_ignore_ascii_case(&service.iam_prefix))
}

/// Requirements (and dynamic-resource findings) of one call needing `actions`.
pub fn add_call_requirements(
    call: &SdkCall,
    call_index: usize,
    actions: &[ActionRequirement],
    settings: &RequirementSettings,
    out: &mut Derived,
) {
    let mut reported_members: Vec<String> = Vec::new();
    let mut call_region: Option<String> = None;
    // Primary actions first: their resources tell the region KMS conditions use.
    let ordered = actions.iter().filter(|a| a.kind == RequirementKind::Primary).chain(actions.iter().filter(|a| a.kind != RequirementKind::Primary));
    for action in ordered {
        if matches!(action.kind, RequirementKind::KmsViaService { .. }) && !settings.kms_via_service {
            continue;
        }
        let targets = select_targets(&action.resources, call);
        let mut resources: Vec<String> = Vec::new();
        for target in &targets {
            let bound = bind_target(target, &call.args, settings);
            for member in bound.dynamic_members {
                if !reported_members.contains(&member) {
                    out.findings.push(dynamic_finding(call, &action.action, &member, &bound.arn));
                    reported_members.push(member);
                }
            }
            if !resources.contains(&bound.arn) {
                resources.push(bound.arn);
            }
        }
        if resources.is_empty() {
            resources.push("*".to_string());
        }
        if action.kind == RequirementKind::Primary && call_region.is_none() {
            call_region = resources.iter().find_map(|arn| concrete_region(arn));
        }
        out.requirements.push(Requirement {
            action: action.action.clone(),
            resources,
            conditions: conditions(&action.kind, call_region.as_deref(), settings),
            access_level: action.access_level.clone(),
            arn_templates: targets.iter().map(|t| t.arn_template.clone()).collect(),
            note: action.note.clone(),
            call_index,
        });
    }
}

/// Which resource types of an action this call touches: the required ones,
/// plus optional ones whose identifying members the call passes (a DynamoDB
/// `IndexName` → the index). An optional type that refines a required one
/// (`table/T/index/I` under `table/T`) replaces it: the call only touches the
/// index. With nothing required or given, every type the action lists.
fn select_targets<'a>(targets: &'a [ResourceTarget], call: &SdkCall) -> Vec<&'a ResourceTarget> {
    let given = |t: &ResourceTarget| !t.bindings.is_empty() && t.bindings.iter().all(|b| member_value(&call.args, &b.member).is_some());
    let optional: Vec<&ResourceTarget> = targets.iter().filter(|t| !t.required && given(t)).collect();
    let refines = |specific: &ResourceTarget, general: &ResourceTarget| {
        specific.arn_template.len() > general.arn_template.len() && specific.arn_template.starts_with(&general.arn_template)
    };
    let mut chosen: Vec<&ResourceTarget> =
        targets.iter().filter(|t| t.required && !optional.iter().any(|o| refines(o, t))).collect();
    chosen.extend(optional);
    if chosen.is_empty() {
        chosen = targets.iter().collect();
    }
    chosen
}

/// The condition block an action carries by its kind.
fn conditions(kind: &RequirementKind, call_region: Option<&str>, settings: &RequirementSettings) -> Vec<(String, String, Vec<String>)> {
    match kind {
        RequirementKind::KmsViaService { via_service_template } => {
            let region = call_region.map(str::to_string).or_else(|| settings.region.clone());
            let value = fill(via_service_template, |name| match name {
                "Region" => region.clone(),
                "Partition" => Some(settings.partition.clone()),
                "Account" => settings.account.clone(),
                _ => None,
            });
            vec![(string_operator(&value), "kms:ViaService".to_string(), vec![value])]
        }
        RequirementKind::PassRole { passed_to_service: Some(principal) } => {
            vec![("StringEquals".to_string(), "iam:PassedToService".to_string(), vec![principal.clone()])]
        }
        _ => Vec::new(),
    }
}

/// `StringLike` only when the value holds a wildcard, so exact values stay exact.
fn string_operator(value: &str) -> String {
    if value.contains('*') || value.contains('?') { "StringLike" } else { "StringEquals" }.to_string()
}

fn concrete_region(arn: &str) -> Option<String> {
    let region = arn.split(':').nth(3)?;
    (!region.is_empty() && !region.contains('*')).then(|| region.to_string())
}

fn dynamic_finding(call: &SdkCall, action: &str, member: &str, arn: &str) -> Finding {
    Finding {
        span: call.span,
        kind: FindingKind::DynamicResource { action: action.to_string(), parameter: member.to_string() },
        message: format!(
            "`{member}` is only known at run time, so {action} is granted on `{arn}`; use a literal or module-level constant to narrow it"
        ),
    }
}

#[cfg(test)]
mod tests;
