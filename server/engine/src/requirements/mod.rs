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
mod collections;
mod kms;
pub mod reuse;
mod scoping;

use crate::model::{CallVia, Finding, FindingKind, Requirement, RequirementSettings, SdkCall, Value};
use arn::{bind_target, fill};
use binding::{member_value, member_values};
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
        let operation_actions: &[ActionRequirement] =
            service.operation(&call.operation).or_else(|| service.operation_by_method(&call.operation)).map_or(&[], |op| op.requirements.as_slice());
        // Borrowed on the common path: the language server runs this for every
        // call of a file on each keystroke.
        let extra_actions = match &call.via {
            CallVia::Injected { method } => service.injected(method).map_or(&[][..], |i| i.extra_actions.as_slice()),
            _ => &[],
        };
        if extra_actions.is_empty() {
            add_call_requirements(call, index, operation_actions, settings, &mut out);
        } else {
            let actions: Vec<ActionRequirement> = operation_actions.iter().chain(extra_actions).cloned().collect();
            add_call_requirements(call, index, &actions, settings, &mut out);
        }
    }
    out
}

/// Whether `--service-hints` keep this call (always, when there are none).
pub fn call_kept_by_hints(call: &SdkCall, service_hints: &[String]) -> bool {
    if service_hints.is_empty() {
        return true;
    }
    match KnowledgeBase::embedded().service(&call.service) {
        Some(service) => hints_keep(service_hints, &service),
        None => service_hints.iter().any(|h| h.eq_ignore_ascii_case(&call.service)),
    }
}

/// Why a call that IAM authorizes yields no action: the knowledge base knows
/// the operation but cannot map it (usually newer than the IAM data). `None`
/// when the call maps, needs no IAM, or is unknown (analysis reports those).
pub fn unmapped_reason(call: &SdkCall) -> Option<String> {
    let service = KnowledgeBase::embedded().service(&call.service)?;
    let op = service.operation(&call.operation).or_else(|| service.operation_by_method(&call.operation))?;
    if !op.requires_iam || !op.requirements.is_empty() {
        return None;
    }
    Some(match &op.mapping {
        iamlens_knowledge::Mapping::Unmapped { reason }
        | iamlens_knowledge::Mapping::KnownGap { reason }
        | iamlens_knowledge::Mapping::Override { reason } => reason.clone(),
        _ => "no IAM action is known for it".to_string(),
    })
}

/// A hint names a service by botocore name (`stepfunctions`) or IAM prefix (`states`).
fn hints_keep(hints: &[String], service: &Service) -> bool {
    hints.is_empty() || hints.iter().any(|h| h.eq_ignore_ascii_case(&service.name) || h.eq_ignore_ascii_case(&service.iam_prefix))
}

/// Requirements (and dynamic-resource findings) of one call needing `actions`.
pub fn add_call_requirements(call: &SdkCall, call_index: usize, actions: &[ActionRequirement], settings: &RequirementSettings, out: &mut Derived) {
    // A client made for a literal region reaches resources there, whatever `--region` says.
    let client_settings = call.region.as_ref().map(|region| RequirementSettings { region: Some(region.clone()), ..settings.clone() });
    let settings = client_settings.as_ref().unwrap_or(settings);
    let variants = collections::arg_variants(call).unwrap_or_else(|| vec![call.args.clone()]);
    let performed = collections::transaction_actions(call);
    let kms_applies = settings.kms_via_service && kms::kms_may_apply(call);
    // The run-time parts of this call's resources: one finding for them all.
    let mut dynamic: Option<(String, String)> = None;
    let mut dynamic_members: Vec<String> = Vec::new();
    // KMS keys live with the resource they protect: its region and account,
    // when the primary resource spells them out (a topic ARN in eu-west-1).
    let mut resource_settings: Option<RequirementSettings> = None;
    // A member that changes what authorizes the call (`VersionId`): its actions instead of the primary ones.
    let replaced =
        actions.iter().any(|a| matches!(&a.kind, RequirementKind::WhenMember { replaces_primary: true, .. }) && member_condition_met(&a.kind, call));
    // Primary actions first, so their resources are known when KMS is bound.
    let ordered = actions.iter().filter(|a| a.kind == RequirementKind::Primary).chain(actions.iter().filter(|a| a.kind != RequirementKind::Primary));
    for action in ordered {
        let is_kms = matches!(action.kind, RequirementKind::KmsViaService { .. });
        let not_performed = performed.as_ref().is_some_and(|p| !p.iter().any(|a| a.eq_ignore_ascii_case(&action.action)));
        if (is_kms && !kms_applies) || (action.kind == RequirementKind::Primary && (not_performed || replaced)) || role_not_passed(action, call) {
            continue;
        }
        if !member_condition_met(&action.kind, call) {
            continue;
        }
        let action_settings = if is_kms { resource_settings.as_ref().unwrap_or(settings) } else { settings };
        let targets = select_targets(&action.resources, call, &variants[0]);
        let roles = passed_roles(action, call);
        let action_variants = roles.as_ref().unwrap_or(&variants);
        let mut resources: Vec<String> = Vec::new();
        for (target, args) in targets.iter().flat_map(|t| action_variants.iter().map(move |args| (t, args))) {
            let bound = bind_target(target, args, action_settings);
            if bound.not_this_type {
                continue;
            }
            for member in bound.dynamic_members {
                dynamic.get_or_insert_with(|| (action.action.clone(), bound.arn.clone()));
                if !dynamic_members.contains(&member) {
                    dynamic_members.push(member);
                }
            }
            if !resources.contains(&bound.arn) {
                resources.push(bound.arn);
            }
        }
        if resources.is_empty() {
            resources.push("*".to_string());
        }
        let requirement = Requirement {
            action: action.action.clone(),
            conditions: [conditions(&action.kind, action_settings), scoping::request_conditions(call, &action.action)].concat(),
            access_level: action.access_level.clone(),
            arn_templates: targets.iter().map(|t| t.arn_template.clone()).collect(),
            note: action.note.clone(),
            call_index,
            resources,
        };
        if action.kind == RequirementKind::Primary && resource_settings.is_none() {
            resource_settings = requirement.resources.iter().find_map(|arn| located_settings(arn, settings));
        }
        out.requirements.push(requirement);
    }
    if let Some((action, arn)) = dynamic {
        out.findings.push(dynamic_finding(call, &action, &dynamic_members, &arn));
    }
}

/// Which resource types of an action this call touches: the required ones,
/// plus optional ones whose identifying members the call passes (a DynamoDB
/// `IndexName` → the index). An optional type that refines a required one
/// (`table/T/index/I` under `table/T`) replaces it: the call only touches the
/// index. With nothing required or given, none: IAM then authorizes the
/// action on `*` (e.g. `cloudwatch:PutMetricData` lists an optional type the
/// plain call never touches; naming it would make the call fail).
fn select_targets<'a>(targets: &'a [ResourceTarget], call: &SdkCall, args: &[(String, Value)]) -> Vec<&'a ResourceTarget> {
    let given = |t: &ResourceTarget| {
        if !t.bindings.is_empty() {
            return t.bindings.iter().all(|b| member_value(&call.args, &b.member).is_some());
        }
        // No bindings: given when every variable is a member the call passes by that name.
        let vars: Vec<&str> =
            arn::template_variables(&t.arn_template).into_iter().filter(|v| !matches!(*v, "Partition" | "Region" | "Account")).collect();
        !vars.is_empty() && vars.iter().all(|v| args.iter().any(|(k, _)| k == v))
    };
    let optional: Vec<&ResourceTarget> = targets.iter().filter(|t| !t.required && given(t)).collect();
    let refines = |specific: &ResourceTarget, general: &ResourceTarget| {
        specific.arn_template.len() > general.arn_template.len() && specific.arn_template.starts_with(&general.arn_template)
    };
    let mut chosen: Vec<&ResourceTarget> = targets.iter().filter(|t| t.required && !optional.iter().any(|o| refines(o, t))).collect();
    chosen.extend(optional);
    chosen
}

/// `iam:PassRole` whose role member names several roles (list items each
/// with a `RoleArn`, a list of role ARNs): one argument list per role, so each
/// gets its own ARN. `None` for other actions and single roles.
fn passed_roles(action: &ActionRequirement, call: &SdkCall) -> Option<Vec<Vec<(String, Value)>>> {
    if !matches!(action.kind, RequirementKind::PassRole { .. }) {
        return None;
    }
    let [binding] = action.resources.iter().flat_map(|t| t.bindings.iter()).collect::<Vec<_>>()[..] else { return None };
    let values = member_values(&call.args, &binding.member);
    let through_list =
        binding.member.split('.').count() > 1 || values.len() > 1 || matches!(member_value(&call.args, &binding.member), Some(Value::List(_)));
    (through_list && !values.is_empty()).then(|| values.into_iter().map(|v| vec![(binding.member.clone(), v.clone())]).collect())
}

/// A `WhenMember` action applies when the call gives its member and none of
/// the members that rule it out; other kinds always apply.
fn member_condition_met(kind: &RequirementKind, call: &SdkCall) -> bool {
    match kind {
        RequirementKind::WhenMember { member, unless, .. } => {
            member_value(&call.args, member).is_some() && unless.iter().all(|other| member_value(&call.args, other).is_none())
        }
        _ => true,
    }
}

/// `iam:PassRole` bound to role members the call does not pass: no role is
/// handed over (`update_function_configuration(Timeout=30)` passes no role).
/// A call whose arguments iamlens could not read (an opaque `**spread`) keeps
/// it, as does a role the service finds inside the request (no bound member).
fn role_not_passed(action: &ActionRequirement, call: &SdkCall) -> bool {
    if !matches!(action.kind, RequirementKind::PassRole { .. }) || call.args.is_empty() {
        return false;
    }
    let mut role_members = action.resources.iter().flat_map(|t| t.bindings.iter().map(|b| b.member.as_str())).peekable();
    role_members.peek().is_some() && !role_members.any(|member| member_value(&call.args, member).is_some())
}

/// The condition block an action carries by its kind.
fn conditions(kind: &RequirementKind, settings: &RequirementSettings) -> Vec<(String, String, Vec<String>)> {
    match kind {
        RequirementKind::KmsViaService { via_service_template } => {
            let value = fill(via_service_template, |name| match name {
                "Region" => settings.region.clone(),
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

/// `settings` with the region and account an ARN spells out, if it spells out both.
fn located_settings(arn: &str, settings: &RequirementSettings) -> Option<RequirementSettings> {
    let mut fields = arn.split(':');
    let region = fields.nth(3)?;
    let account = fields.next()?;
    let concrete = |s: &str| !s.is_empty() && !s.contains('*') && !s.contains('?');
    (concrete(region) && concrete(account)).then(|| RequirementSettings {
        region: Some(region.to_string()),
        account: Some(account.to_string()),
        ..settings.clone()
    })
}

/// One finding per call, naming every run-time part of its resources and
/// the first grant they widen; a part read from an environment variable no
/// template binds names that variable.
fn dynamic_finding(call: &SdkCall, action: &str, members: &[String], arn: &str) -> Finding {
    let mut variables: Vec<String> = Vec::new();
    let mut from_env: Vec<&String> = Vec::new();
    let mut other: Vec<&String> = Vec::new();
    for member in members {
        let read = call.arg(member).map(crate::environment::variables_read).unwrap_or_default();
        if read.is_empty() {
            other.push(member);
        }
        for name in read {
            if !from_env.contains(&member) {
                from_env.push(member);
            }
            if !variables.contains(&name) {
                variables.push(name);
            }
        }
    }
    let mut reasons = Vec::new();
    if !from_env.is_empty() {
        let (list, verb) = listed(&from_env);
        let names: Vec<&String> = variables.iter().collect();
        let (vars, _) = listed(&names);
        let (s, it) = if variables.len() == 1 { ("", "it") } else { ("s", "them") };
        reasons.push(format!("{list} {verb} read from environment variable{s} {vars}, and no template iamlens read sets {it}"));
    }
    if !other.is_empty() {
        let (list, verb) = listed(&other);
        reasons.push(format!("{list} {verb} only known at run time"));
    }
    let remedy = if from_env.is_empty() {
        "use a literal or module-level constant to narrow it"
    } else {
        "point iamlens at the template that deploys this code (--iac) to narrow it"
    };
    Finding {
        span: call.span,
        kind: FindingKind::DynamicResource { action: action.to_string(), parameter: members.join(", ") },
        message: format!("{}, so {action} is granted on `{arn}`; {remedy}", reasons.join("; ")),
    }
}

/// `` `a` ``, `` `a` and `b` ``, with the verb that agrees.
fn listed(items: &[&String]) -> (String, &'static str) {
    let named: Vec<String> = items.iter().map(|m| format!("`{m}`")).collect();
    match named.as_slice() {
        [one] => (one.clone(), "is"),
        [rest @ .., last] => (format!("{} and {last}", rest.join(", ")), "are"),
        [] => (String::new(), "is"),
    }
}

#[cfg(test)]
mod tests;
