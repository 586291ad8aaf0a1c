//! Requirements against policies: which calls a role would deny
//! ([`check_requirements`]), and whether a generated policy grants exactly
//! what the code needs ([`verify`]).

use super::context::Context;
use super::decide::{evaluate, Decision, PolicySet, Request, StatementRef};
use super::document::{Effect, PolicyDocument};
use super::glob::{covers, literal, overlaps, tokens};
use super::tri::push_unique;
use crate::model::Requirement;
use serde::Serialize;
use std::collections::BTreeSet;

/// A role's effective identity policies and boundary, as read from IAM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolePolicies {
    pub role_name: String,
    pub role_arn: String,
    pub policies: PolicySet,
}

/// The decision for one resource of a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceDecision {
    pub resource: String,
    pub decision: Decision,
}

/// The decision for one requirement (one action of one call site).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckOutcome {
    /// Index into the requirements passed in.
    pub requirement_index: usize,
    /// The requirement's `call_index` (into the file's `analysis.calls`).
    pub call_index: usize,
    pub action: String,
    /// Every resource decided on its own.
    pub resources: Vec<ResourceDecision>,
    /// All resources together: a deny of any resource denies the call.
    pub decision: Decision,
}

/// Evaluate every requirement against a role's policies, with nothing known
/// about the run-time context beyond what the requirements themselves say.
pub fn check_requirements(requirements: &[Requirement], role: &RolePolicies) -> Vec<CheckOutcome> {
    check_requirements_for_role(requirements, role, None)
}

/// As [`check_requirements`], knowing what any request of the role carries
/// (see [`RolePolicies::known_context`]) and the region the code calls when a
/// requirement's ARNs do not say (`aws:RequestedRegion`).
/// Resources the code names without an account are taken to be in the role's
/// account ([`RolePolicies::bind_requirements`]), whatever settings the
/// requirements were made with.
pub fn check_requirements_for_role(requirements: &[Requirement], role: &RolePolicies, region: Option<&str>) -> Vec<CheckOutcome> {
    check_requirements_known(&role.bind_requirements(requirements), &role.policies, &role.known_context(), region)
}

/// As [`check_requirements_for_role`], for policies known by other means than
/// a role (policy files): `known` is what any request carries.
pub fn check_requirements_known(requirements: &[Requirement], set: &PolicySet, known: &Context, region: Option<&str>) -> Vec<CheckOutcome> {
    requirements
        .iter()
        .enumerate()
        .flat_map(|(i, req)| {
            let mut ctx = known.clone();
            if let Some(r) = requested_region(req, region) {
                ctx = ctx.with("aws:RequestedRegion", r);
            }
            let mut out = check_requirements_in(std::slice::from_ref(req), set, &ctx);
            for o in &mut out {
                o.requirement_index = i;
                if o.decision.is_denied() && on_callers_behalf(req) {
                    o.decision = Decision::Depends { on: vec![behalf_reason(req, &o.decision)] };
                }
            }
            out
        })
        .collect()
}

/// A permission the service uses on the caller's behalf only for some data
/// (KMS for an SSE-KMS bucket or queue), recognisable by its `kms:ViaService`
/// condition: the code is not denied unless the data is encrypted that way.
fn on_callers_behalf(req: &Requirement) -> bool {
    req.conditions.iter().any(|(_, key, _)| key.eq_ignore_ascii_case("kms:ViaService"))
}

fn behalf_reason(req: &Requirement, decision: &Decision) -> String {
    let when = req.note.clone().unwrap_or_else(|| "only when the data uses a customer-managed KMS key".to_string());
    format!("{} is needed {when}; the role would deny it ({decision})", req.action)
}

impl RolePolicies {
    /// The account the role is in (from its ARN).
    pub fn account(&self) -> Option<&str> {
        self.role_arn.split(':').nth(4).filter(|a| !a.is_empty() && *a != "*")
    }

    /// `requirements` with every ARN that leaves its account open (`*`) bound
    /// to the role's account: the code runs as the role, so a resource it
    /// names without an account is in the role's account. This is what
    /// analysing with the role's account gives (`role_check::role_engine_options`,
    /// as `iamlens check --role` does), so every view decides alike whatever
    /// account its settings name; ARNs that name an account keep it.
    pub fn bind_requirements(&self, requirements: &[Requirement]) -> Vec<Requirement> {
        let Some(account) = self.account() else { return requirements.to_vec() };
        let bind = |arn: &String| -> String {
            let parts: Vec<&str> = arn.splitn(6, ':').collect();
            match parts.as_slice() {
                ["arn", partition, service, region, "*", rest] => format!("arn:{partition}:{service}:{region}:{account}:{rest}"),
                _ => arn.clone(),
            }
        };
        requirements.iter().map(|r| Requirement { resources: r.resources.iter().map(bind).collect(), ..r.clone() }).collect()
    }

    /// What every request of this role carries: it is made by a session of
    /// the role (`aws:PrincipalArn`, `aws:PrincipalAccount`,
    /// `aws:PrincipalType`), over TLS, and without the IAM-user-only
    /// `aws:username`.
    pub fn known_context(&self) -> Context {
        let mut ctx = Context::new().with("aws:SecureTransport", "true").with("aws:PrincipalType", "AssumedRole").without("aws:username");
        if !self.role_arn.is_empty() {
            ctx = ctx.with("aws:PrincipalArn", self.role_arn.clone());
            if let Some(account) = self.role_arn.split(':').nth(4).filter(|a| !a.is_empty()) {
                ctx = ctx.with("aws:PrincipalAccount", account);
                // The code's resources are taken to be in the role's account (as
                // its requirements are bound to it); an ARN naming another wins.
                ctx = ctx.with("aws:ResourceAccount", account);
            }
        }
        ctx
    }
}

/// IAM prefixes whose API is served from one global endpoint: the requested
/// region is not the code's region there, so it stays unknown.
const GLOBAL_PREFIXES: &[&str] = &["iam", "cloudfront", "route53", "organizations", "waf", "globalaccelerator", "budgets", "ce"];

/// The region a requirement's request goes to: the region of its ARNs when
/// they name one, else the code's region; `None` for global services.
fn requested_region(req: &Requirement, default: Option<&str>) -> Option<String> {
    let prefix = req.action.split(':').next().unwrap_or("").to_ascii_lowercase();
    if GLOBAL_PREFIXES.contains(&prefix.as_str()) {
        return None;
    }
    let from_arn = req.resources.iter().filter_map(|r| r.split(':').nth(3)).find(|region| !region.is_empty() && !region.contains(['*', '?']));
    from_arn.map(str::to_string).or_else(|| default.map(str::to_string))
}

/// As [`check_requirements`], with known context keys (`aws:RequestedRegion`, ...).
pub fn check_requirements_in(requirements: &[Requirement], set: &PolicySet, known: &Context) -> Vec<CheckOutcome> {
    requirements
        .iter()
        .enumerate()
        .map(|(i, req)| {
            let contexts: Vec<Context> = requirement_contexts(req).iter().map(|c| c.merged_with(known)).collect();
            let resources: Vec<String> = if req.resources.is_empty() { vec!["*".to_string()] } else { req.resources.clone() };
            let decided: Vec<ResourceDecision> = resources
                .into_iter()
                .map(|resource| {
                    let account = arn_account(&resource);
                    let each = contexts.iter().map(|ctx| {
                        let located;
                        let ctx = match account {
                            Some(account) => {
                                located = ctx.clone().with("aws:ResourceAccount", account);
                                &located
                            }
                            None => ctx,
                        };
                        evaluate(set, &Request { action: &req.action, resource: &resource, context: ctx })
                    });
                    ResourceDecision { decision: combine(each), resource }
                })
                .collect();
            CheckOutcome {
                requirement_index: i,
                call_index: req.call_index,
                action: req.action.clone(),
                decision: combine(decided.iter().map(|d| d.decision.clone())),
                resources: decided,
            }
        })
        .collect()
}

/// Several decisions that must all allow: the strongest denial wins, then
/// "depends" (with every reason), then the first allow.
pub fn combine(decisions: impl IntoIterator<Item = Decision>) -> Decision {
    let mut first_allow = None;
    let mut implicit = None;
    let mut boundary = None;
    let mut depends: Vec<String> = Vec::new();
    let mut any_depends = false;
    for d in decisions {
        match d {
            Decision::ExplicitDeny { .. } => return d,
            Decision::DeniedByBoundary { .. } => boundary = boundary.or(Some(d)),
            Decision::ImplicitDeny => implicit = implicit.or(Some(d)),
            Decision::Depends { on } => {
                any_depends = true;
                push_unique(&mut depends, on)
            }
            Decision::Allowed { .. } => first_allow = first_allow.or(Some(d)),
        }
    }
    if let Some(d) = implicit.or(boundary) {
        return d;
    }
    if any_depends {
        return Decision::Depends { on: depends };
    }
    first_allow.unwrap_or(Decision::ImplicitDeny)
}

/// The account an ARN names, when it names one exactly (S3 ARNs name none).
fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty() && !a.contains(['*', '?']))
}

/// Most contexts a requirement's condition values may multiply into.
const MAX_CONTEXTS: usize = 16;

/// The request contexts a requirement implies: a condition such as
/// `StringEquals kms:ViaService [s3.us-east-1.amazonaws.com]` says the request
/// carries that value; several values mean one context per value.
fn requirement_contexts(req: &Requirement) -> Vec<Context> {
    let mut contexts = vec![Context::new()];
    for (operator, key, values) in &req.conditions {
        let exact = matches!(operator.as_str(), "StringEquals" | "ArnEquals" | "StringEqualsIgnoreCase" | "Bool" | "NumericEquals");
        let like = matches!(operator.as_str(), "StringLike" | "ArnLike");
        if !(exact || like) || values.is_empty() || contexts.len() * values.len() > MAX_CONTEXTS {
            continue;
        }
        // `StringLike kms:ViaService s3.*.amazonaws.com`: the value is one the
        // pattern matches, which part is unknown.
        contexts = contexts
            .iter()
            .flat_map(|c| {
                values.iter().map(move |v| {
                    if like && v.contains(['*', '?']) {
                        c.clone().with_pattern(key, v.clone())
                    } else {
                        c.clone().with(key, v.clone())
                    }
                })
            })
            .collect();
    }
    contexts
}

/// A requirement the generated policy does not allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyFailure {
    pub action: String,
    pub resource: String,
    pub call_index: usize,
    pub decision: Decision,
}

/// An Allow statement granting actions no requirement needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnneededGrant {
    pub statement: StatementRef,
    /// The pattern as written in the policy (`s3:Get*`).
    pub pattern: String,
    /// The actions it grants that no requirement needs (the pattern itself
    /// when the knowledge base cannot list what it matches).
    pub actions: Vec<String>,
}

/// A resource pattern broader than what the requirement it serves needs
/// (a cutoff, a wildcard, a merged statement): said, not a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BroaderGrant {
    pub statement: StatementRef,
    pub action: String,
    /// What the policy grants.
    pub granted: String,
    /// What the code needs.
    pub needed: String,
}

/// What `--verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyReport {
    pub checked: usize,
    pub not_allowed: Vec<VerifyFailure>,
    pub unneeded: Vec<UnneededGrant>,
    /// Grants broader than the requirements they serve (not failures).
    pub broader: Vec<BroaderGrant>,
    /// Policies that could not be read as IAM policies.
    pub errors: Vec<String>,
}

impl VerifyReport {
    /// Every requirement allowed, nothing extra granted, every policy readable.
    pub fn ok(&self) -> bool {
        self.not_allowed.is_empty() && self.unneeded.is_empty() && self.errors.is_empty()
    }

    /// One line per grant broader than what it serves, for people.
    pub fn notes(&self) -> Vec<String> {
        self.broader
            .iter()
            .map(|b| format!("{} grants {} on {}, broader than the {} the code needs", b.statement, b.action, b.granted, b.needed))
            .collect()
    }

    /// One line per problem, for people.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self.errors.clone();
        out.extend(self.not_allowed.iter().map(|f| format!("{} on {} is not allowed: {}", f.action, f.resource, f.decision)));
        out.extend(self.unneeded.iter().map(|u| format!("{} grants {} ({}), which no call needs", u.statement, u.actions.join(", "), u.pattern)));
        out
    }
}

/// Run the evaluator over generated policy documents and the requirements they
/// were generated from. Policies are named `policy 1`, `policy 2`, ... in the report.
pub fn verify(policies: &[serde_json::Value], requirements: &[Requirement]) -> VerifyReport {
    verify_with_catalog(policies, requirements, &embedded_actions)
}

/// [`verify`] for requirements bound to `account`: resources whose ARN names
/// no account (S3) are taken to be in it, as the policy writer's
/// `aws:ResourceAccount` condition assumes.
pub fn verify_in_account(policies: &[serde_json::Value], requirements: &[Requirement], account: Option<&str>) -> VerifyReport {
    let known = account.map_or_else(Context::new, |a| Context::new().with("aws:ResourceAccount", a));
    verify_against(policies, requirements, &embedded_actions, &known)
}

/// The actions an action pattern grants (`s3:Get*` → every `s3:Get...`
/// action), or `None` when unknown. [`verify`] uses the embedded IAM data.
pub type ActionCatalog<'a> = dyn Fn(&str) -> Option<Vec<String>> + 'a;

/// As [`verify`], listing what wildcard actions grant with `catalog`.
pub fn verify_with_catalog(policies: &[serde_json::Value], requirements: &[Requirement], catalog: &ActionCatalog) -> VerifyReport {
    verify_against(policies, requirements, catalog, &Context::new())
}

fn verify_against(policies: &[serde_json::Value], requirements: &[Requirement], catalog: &ActionCatalog, known: &Context) -> VerifyReport {
    let mut report = VerifyReport::default();
    let mut set = PolicySet::default();
    for (i, value) in policies.iter().enumerate() {
        // Accept the envelope item `{"Policy": {...}, "PolicyType": ...}` or the document itself.
        let doc = value.get("Policy").unwrap_or(value);
        match PolicyDocument::from_value(&format!("policy {}", i + 1), doc) {
            Ok(d) => set.identity.push(d),
            Err(e) => report.errors.push(e.to_string()),
        }
    }
    for outcome in check_requirements_in(requirements, &set, known) {
        report.checked += 1;
        for r in outcome.resources {
            if !r.decision.is_allowed() {
                report.not_allowed.push(VerifyFailure {
                    action: outcome.action.clone(),
                    resource: r.resource,
                    call_index: outcome.call_index,
                    decision: r.decision,
                });
            }
        }
    }
    report.unneeded = unneeded_grants(&set, requirements, catalog);
    report.broader = broader_grants(&set, requirements);
    report
}

/// Resource patterns that grant a needed action on more than the resources
/// the requirements name: each (statement, action, pattern) once, with the
/// first requirement it serves.
fn broader_grants(set: &PolicySet, requirements: &[Requirement]) -> Vec<BroaderGrant> {
    let mut out: Vec<BroaderGrant> = Vec::new();
    for doc in &set.identity {
        for st in doc.statements.iter().filter(|s| s.effect == Effect::Allow && !s.actions.negated) {
            let Some(resources) = st.resources.as_ref().filter(|r| !r.negated) else { continue };
            for req in requirements {
                if !st.actions.patterns.iter().any(|a| overlaps(&tokens(a, true), &literal(&req.action, true))) {
                    continue;
                }
                for granted in &resources.patterns {
                    if req.resources.contains(granted) || out.iter().any(|b| b.action == req.action && &b.granted == granted) {
                        continue;
                    }
                    let g = tokens(granted, false);
                    let served = req.resources.iter().find(|needed| {
                        let n = tokens(needed, false);
                        covers(&g, &n) && !covers(&n, &g)
                    });
                    if let Some(needed) = served {
                        out.push(BroaderGrant {
                            statement: StatementRef { policy: doc.name.clone(), sid: st.sid.clone(), index: st.index },
                            action: req.action.clone(),
                            granted: granted.clone(),
                            needed: needed.clone(),
                        });
                    }
                }
            }
        }
    }
    out
}

/// Allowed actions that no requirement needs, statement by statement.
fn unneeded_grants(set: &PolicySet, requirements: &[Requirement], catalog: &ActionCatalog) -> Vec<UnneededGrant> {
    let needed: BTreeSet<String> = requirements.iter().map(|r| r.action.to_ascii_lowercase()).collect();
    let is_needed = |pattern: &str| needed.iter().any(|a| overlaps(&tokens(pattern, true), &literal(a, true)));
    let mut out = Vec::new();
    for doc in &set.identity {
        for st in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
            let statement = StatementRef { policy: doc.name.clone(), sid: st.sid.clone(), index: st.index };
            if st.actions.negated {
                out.push(UnneededGrant {
                    statement,
                    pattern: format!("NotAction {}", st.actions.patterns.join(", ")),
                    actions: vec!["every other action".to_string()],
                });
                continue;
            }
            for pattern in &st.actions.patterns {
                let extra: Vec<String> = match known_actions(pattern, catalog) {
                    Some(actions) => actions.into_iter().filter(|a| !needed.contains(&a.to_ascii_lowercase())).collect(),
                    None if is_needed(pattern) => Vec::new(),
                    None => vec![pattern.clone()],
                };
                if !extra.is_empty() {
                    out.push(UnneededGrant { statement: statement.clone(), pattern: pattern.clone(), actions: extra });
                }
            }
        }
    }
    out
}

/// The actions an action pattern grants; `None` when the catalog does not
/// know, or the pattern spans prefixes (`*`, `s*:Get*`).
pub(super) fn known_actions(pattern: &str, catalog: &ActionCatalog) -> Option<Vec<String>> {
    let (prefix, name) = pattern.split_once(':')?;
    if prefix.contains(['*', '?']) {
        return None;
    }
    if !name.contains(['*', '?']) {
        return Some(vec![pattern.to_string()]);
    }
    let pat = tokens(pattern, true);
    let all = catalog(prefix)?;
    Some(all.into_iter().filter(|a| overlaps(&pat, &literal(a, true))).collect())
}

/// Every action of an IAM prefix, from the embedded knowledge base.
pub(super) fn embedded_actions(prefix: &str) -> Option<Vec<String>> {
    let data = iamlens_knowledge::KnowledgeBase::embedded().iam_prefix(prefix)?;
    Some(data.actions.values().map(|a| a.name.clone()).collect())
}
