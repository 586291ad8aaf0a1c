//! The AWS-facing commands and checks: `iamlens.fixAccessDenied` (parse and
//! plan, optionally apply), `iamlens.uploadPolicy`, and the `iamlens.role`
//! check that turns calls the role would deny into diagnostics (and
//! `iamlens.checkRole`, the same check on demand for a scope), and
//! `iamlens.addToRolePolicy` that adds what a `role-denies` diagnostic names
//! to the role's inline policy. The network work lives in `iamlens_aws`; this
//! module only adapts it to the protocol.

use super::consent::{self, Payload, WritePlan};
use super::features::commands::{FixArgs, Scope, ScopeArgs, ADD_TO_ROLE_POLICY, FIX_ACCESS_DENIED, UPLOAD_POLICY};
use super::features::range_of;
use super::positions::Encoding;
use super::state::{DocumentView, State};
use super::types::{invalid_params, request_failed, Client, Diagnostic, DiagnosticSeverity, NumberOrString, RpcError};
use iamlens_aws::{self as aws, AwsOptions, UploadOptions};
use iamlens_engine::denied::{self, DenialOptions};
use iamlens_engine::denied::{FixTarget, TargetKind};
use iamlens_engine::evaluator::check_requirements_for_role;
use iamlens_engine::project_config;
use iamlens_engine::role_check::MODELLED;
use serde::Deserialize;
use serde_json::{json, Value as Json};
use std::sync::Arc;

fn aws_options(state: &State) -> AwsOptions {
    AwsOptions { region: state.settings().region, ..AwsOptions::default() }
}

/// `iamlens.fixAccessDenied {message, apply?, resourceOverride?, planId?}`:
/// the parsed denial and its plan (with a `PlanId` when it can be applied);
/// with `apply: true`, applies the fix once the person consented (see
/// [`consent`](super::consent)).
pub async fn fix_access_denied(state: &State, client: &Client, args: FixArgs) -> Result<Json, RpcError> {
    let settings = state.settings();
    let opts =
        DenialOptions { account: settings.account.clone(), region: settings.region.clone(), resource_override: args.resource_override.clone() };
    let report = denied::analyze(&args.message, &opts).map_err(|e| invalid_params(format!("iamlens.fixAccessDenied: {e}")))?;
    let mut out = serde_json::to_value(&report).map_err(|e| request_failed(format!("cannot serialise the denial: {e}")))?;
    let applicable = report.can_apply() && report.unattended_apply_blocker().is_none();
    let plan =
        || WritePlan { command: FIX_ACCESS_DENIED, description: describe_fix(&report), payload: Payload::Fix { report: Box::new(report.clone()) } };
    if !args.apply {
        if applicable {
            out["PlanId"] = json!(state.plans.offer(plan()));
        }
        return Ok(out);
    }
    if !report.can_apply() {
        return Err(request_failed(
            "iamlens.fixAccessDenied: this denial cannot be fixed by adding an identity-policy statement; see the plan (call without apply)",
        ));
    }
    if let Some(risk) = report.unattended_apply_blocker() {
        return Err(request_failed(format!(
            "iamlens.fixAccessDenied: nothing applied: {risk}; apply it from a terminal with `iamlens fix-access-denied`, which asks you to confirm the risk"
        )));
    }
    // Another account than the setting names is refused before the person is asked.
    if let Some(target) = &report.details.fix_target {
        guard_account(state, &target.account).map_err(|e| request_failed(format!("iamlens.fixAccessDenied: {e}")))?;
    }
    let plan = match args.plan_id.as_deref() {
        Some(id) => state.plans.take(id, FIX_ACCESS_DENIED).map_err(|e| request_failed(format!("iamlens.fixAccessDenied: {e}")))?,
        None => {
            let plan = plan();
            if !consent::ask(client, &plan).await {
                return Ok(consent::not_written(&plan));
            }
            plan
        }
    };
    let Payload::Fix { report } = plan.payload else { return Err(request_failed("iamlens.fixAccessDenied: the plan is not a fix")) };
    if let Some(target) = &report.details.fix_target {
        guard_account(state, &target.account).map_err(|e| request_failed(format!("iamlens.fixAccessDenied: {e}")))?;
    }
    let configured = aws::inline_fix::ConfiguredAccount::new(state.settings().account.as_deref(), "the iamlens.account setting");
    let outcome = aws::inline_fix::apply_fix(&report, &aws_options(state), configured.as_ref()).await.map_err(|e| request_failed(e.to_string()))?;
    if let Json::Object(map) = &mut out {
        map.insert("Applied".into(), json!({"Changed": outcome.changed, "Created": outcome.created, "Description": outcome.describe()}));
    }
    Ok(out)
}

/// The fix in one paragraph: the statement and where it goes.
fn describe_fix(report: &denied::DeniedReport) -> String {
    let statement = report.fix_statement().map(|s| s.to_string()).unwrap_or_default();
    let target = report.details.fix_target.as_ref();
    format!(
        "add {statement} to inline policy {} of {} in account {}",
        report.inline_policy_name().unwrap_or_default(),
        target.map(|t| t.describe()).unwrap_or_default(),
        target.map(|t| t.account.as_str()).unwrap_or("(unknown)"),
    )
}

/// Refuse a write to `account` when the `iamlens.account` setting names another.
fn guard_account(state: &State, account: &str) -> Result<(), String> {
    match state.settings().account {
        Some(expected) if expected != account => Err(format!(
            "refusing to write: the iamlens.account setting is {expected}, but this change is for account {account}; nothing was written"
        )),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadArgs {
    #[serde(flatten)]
    pub scope: ScopeArgs,
    pub prefix: Option<String>,
    #[serde(default)]
    pub update: bool,
    #[serde(default)]
    pub dry_run: bool,
    pub attach_role: Option<String>,
    /// The id a dry run returned: write exactly that plan.
    pub plan_id: Option<String>,
}

/// `iamlens.uploadPolicy`: generate the policy for the scope and create it in
/// IAM. A dry run previews every IAM call and returns a `PlanId`; a write
/// presents it (or the server asks the person) and writes exactly that plan.
pub async fn upload_policy(state: Arc<State>, client: &Client, args: UploadArgs) -> Result<Json, RpcError> {
    let fail = |e: String| request_failed(format!("iamlens.uploadPolicy: {e}"));
    let sdk = state.aws_sdk().await;
    if let (Some(id), false) = (args.plan_id.as_deref(), args.dry_run) {
        let plan = state.plans.take(id, UPLOAD_POLICY).map_err(fail)?;
        let Payload::Upload { policies, options } = plan.payload else { return Err(fail("the plan is not an upload".into())) };
        // The plan is pinned to the account it was previewed in; the setting
        // may have changed since.
        if let Some(account) = options.expected_account.as_deref() {
            guard_account(&state, account).map_err(fail)?;
        }
        return upload_report(aws::upload_policies(&policies, &options, &sdk).await.map_err(|e| fail(e.to_string()))?);
    }
    let scope = args.scope.clone();
    let task_state = state.clone();
    let envelope = tokio::task::spawn_blocking(move || super::features::commands::generate_policy(&task_state, &scope))
        .await
        .map_err(|e| request_failed(format!("iamlens failed while generating the policy: {e}")))??;
    let policies: Vec<Json> = envelope.get("Policies").and_then(Json::as_array).cloned().unwrap_or_default();
    if policies.is_empty() {
        return Err(request_failed("iamlens.uploadPolicy: the code in this scope needs no IAM permissions; nothing to upload"));
    }
    let mut options = UploadOptions {
        prefix: args.prefix.unwrap_or_else(|| aws::DEFAULT_POLICY_PREFIX.into()),
        update: args.update,
        attach_role: args.attach_role,
        attach_user: None,
        dry_run: true,
        expected_account: None,
    };
    // Every upload is previewed first: the dry run names the account and the
    // policies, and lists each IAM call the write would make.
    let preview = aws::upload_policies(&policies, &options, &sdk).await.map_err(|e| fail(e.to_string()))?;
    // Another account than the setting names is refused before the person is
    // asked; the write is pinned to the account the person was shown.
    guard_account(&state, &preview.account).map_err(fail)?;
    options.dry_run = false;
    options.expected_account = Some(preview.account.clone());
    let plan = WritePlan {
        command: UPLOAD_POLICY,
        description: describe_upload(&preview, &policies),
        payload: Payload::Upload { policies: policies.clone(), options: options.clone() },
    };
    if args.dry_run {
        let description = plan.description.clone();
        let mut out = upload_report(preview)?;
        out["PlanId"] = json!(state.plans.offer(plan));
        out["Plan"] = json!(description);
        return Ok(out);
    }
    if !consent::ask(client, &plan).await {
        return Ok(consent::not_written(&plan));
    }
    upload_report(aws::upload_policies(&policies, &options, &sdk).await.map_err(|e| fail(e.to_string()))?)
}

fn upload_report(report: aws::UploadReport) -> Result<Json, RpcError> {
    let summary = report.summary();
    let mut out = serde_json::to_value(&report).map_err(|e| request_failed(e.to_string()))?;
    if let Json::Object(map) = &mut out {
        map.insert("Summary".into(), json!(summary));
    }
    Ok(out)
}

/// The upload in words: each IAM change, the account, and what the
/// statements allow.
fn describe_upload(preview: &aws::UploadReport, policies: &[Json]) -> String {
    let mut lines = vec![format!("in account {}:", preview.account)];
    lines.extend(preview.summary().into_iter().map(|l| format!("- {l}")));
    let statements: Vec<&Json> = policies.iter().filter_map(|p| p.pointer("/Policy/Statement").and_then(Json::as_array)).flatten().collect();
    const SHOWN: usize = 12;
    for statement in statements.iter().take(SHOWN) {
        let list = |v: &Json| match v {
            Json::Array(items) => items.iter().filter_map(Json::as_str).collect::<Vec<_>>().join(", "),
            other => other.as_str().unwrap_or_default().to_string(),
        };
        lines.push(format!("  allow {} on {}", list(&statement["Action"]), list(&statement["Resource"])));
    }
    if statements.len() > SHOWN {
        lines.push(format!("  … and {} more statements", statements.len() - SHOWN));
    }
    lines.join("\n")
}

/// `iamlens.checkRole {role?, scope?, uri?, position?, allow?}`: would the
/// role (default: the `iamlens.role` setting) allow every call of the scope,
/// and what does it grant beyond them? Read-only: reads the role's policies
/// and decides locally, as `iamlens check --role` does.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckRoleArgs {
    #[serde(flatten)]
    pub scope: ScopeArgs,
    pub role: Option<String>,
    /// Action globs granted for reasons the code does not show (never
    /// excess), beside the `[check] allow` of the project's `.iamlens.toml`.
    #[serde(default)]
    pub allow: Vec<String>,
}

pub async fn check_role(state: Arc<State>, args: CheckRoleArgs) -> Result<Json, RpcError> {
    let role = args
        .role
        .clone()
        .or(state.settings().role)
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| invalid_params("iamlens.checkRole: no role given; pass \"role\" or set the iamlens.role setting"))?;
    let role = iamlens_engine::role_check::role_name(&role).map_err(|why| invalid_params(format!("iamlens.checkRole: {why}")))?;
    let allowed = allowed_grants(&state, &args)?;
    let sdk = state.aws_sdk().await;
    let policies =
        aws::load_role_policies(&role, &sdk).await.map_err(|e| request_failed(format!("iamlens.checkRole: cannot read role `{role}`: {e}")))?;
    let region = state.settings().region;
    let scope = args.scope;
    let task_state = state.clone();
    let reports = tokio::task::spawn_blocking(move || super::features::commands::scoped_reports(&task_state, &scope))
        .await
        .map_err(|e| request_failed(format!("iamlens failed while analysing the scope: {e}")))??;
    Ok(json!(iamlens_engine::role_check::check_role(&reports, &policies, region.as_deref(), &allowed)))
}

/// The action globs a role check allows: the `.iamlens.toml` found from the
/// scope's document (the workspace folders for the workspace scope) upwards,
/// then the command's `allow`.
fn allowed_grants(state: &State, args: &CheckRoleArgs) -> Result<Vec<String>, RpcError> {
    let from = match (&args.scope.uri, args.scope.scope()) {
        (Some(uri), Scope::File | Scope::Function) => vec![super::state::uri_to_path(uri)],
        _ => state.workspace.folders(),
    };
    let config = project_config::load_for(&from).map_err(|why| request_failed(format!("iamlens.checkRole: {why}")))?;
    project_config::allowed(&config, &args.allow).map_err(|why| invalid_params(format!("iamlens.checkRole: allow: {why}")))
}

/// Diagnostics for the calls the role in `iamlens.role` would deny.
/// `Err` carries one sentence for the log when the role cannot be read.
pub async fn role_diagnostics(state: &State, view: &DocumentView, enc: Encoding) -> Result<Vec<Diagnostic>, String> {
    let Some(role) = state.settings().role else { return Ok(Vec::new()) };
    if view.report.requirements.is_empty() {
        return Ok(Vec::new());
    }
    let sdk = state.aws_sdk().await;
    let policies = aws::load_role_policies(&role, &sdk).await.map_err(|e| format!("iamlens: cannot check role `{role}`: {e}"))?;
    let region = state.settings().region;
    let mut out = Vec::new();
    for outcome in check_requirements_for_role(&view.report.requirements, &policies, region.as_deref()) {
        let Some(call) = view.report.analysis.calls.get(outcome.call_index) else { continue };
        if outcome.decision.is_denied() {
            let denied: Vec<&str> = outcome.resources.iter().filter(|r| r.decision.is_denied()).map(|r| r.resource.as_str()).collect();
            out.push(Diagnostic {
                range: range_of(view, &call.span, enc),
                severity: Some(DiagnosticSeverity::WARNING),
                code: Some(NumberOrString::String("role-denies".into())),
                source: Some(super::features::diagnostics::SOURCE.into()),
                message: format!("role `{role}` would deny {} on {}: {} (the check {MODELLED})", outcome.action, denied.join(", "), outcome.decision),
                data: Some(json!({"action": outcome.action, "resources": denied, "role": role})),
                ..Diagnostic::default()
            });
        } else if outcome.decision.verdict() == "depends" {
            // Allowed only under conditions the code does not settle: said, not hidden.
            let depends: Vec<&str> = outcome.resources.iter().filter(|r| r.decision.verdict() == "depends").map(|r| r.resource.as_str()).collect();
            out.push(Diagnostic {
                range: range_of(view, &call.span, enc),
                severity: Some(DiagnosticSeverity::INFORMATION),
                code: Some(NumberOrString::String("role-depends".into())),
                source: Some(super::features::diagnostics::SOURCE.into()),
                message: format!(
                    "role `{role}` allows {} on {} only when a condition holds: {} (the check {MODELLED})",
                    outcome.action,
                    depends.join(", "),
                    outcome.decision
                ),
                data: Some(json!({"action": outcome.action, "resources": depends, "role": role})),
                ..Diagnostic::default()
            });
        }
    }
    Ok(out)
}

/// `iamlens.addToRolePolicy {action, resources, role?, apply?}`: what a
/// `role-denies` diagnostic names, as a statement.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddToRoleArgs {
    pub action: String,
    pub resources: Vec<String>,
    /// Default: the `iamlens.role` setting.
    pub role: Option<String>,
    /// Nothing is written to IAM without `apply: true` and the person's consent.
    #[serde(default)]
    pub apply: bool,
    /// The id a preview (`apply: false`) returned: write exactly that plan.
    pub plan_id: Option<String>,
    /// A preview for a client that shows the plan itself: the server does not
    /// also show it as a message.
    #[serde(default)]
    pub quiet: bool,
}

impl AddToRoleArgs {
    fn validate(&self) -> Result<(), String> {
        let Some((service, name)) = self.action.split_once(':') else {
            return Err(format!("action `{}` is not of the form service:Action (e.g. s3:GetObject)", self.action));
        };
        let word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !word(service) || !word(name) {
            return Err(format!("action `{}` is not of the form service:Action (e.g. s3:GetObject); wildcards are not added", self.action));
        }
        if self.resources.is_empty() || self.resources.iter().any(|r| r.trim().is_empty()) {
            return Err("resources must list at least one ARN (or \"*\"), none empty".into());
        }
        Ok(())
    }
}

/// The role named by the ARN IAM returned, as the target of an inline-policy merge.
fn role_target(role_name: &str, role_arn: &str) -> Result<FixTarget, String> {
    // arn:<partition>:iam::<account>:role<path><name>
    let parts: Vec<&str> = role_arn.splitn(6, ':').collect();
    let (Some(partition), Some(account), Some(resource)) = (parts.get(1), parts.get(4), parts.get(5)) else {
        return Err(format!("IAM returned an unexpected ARN for role {role_name}: `{role_arn}`"));
    };
    let path = resource.strip_prefix("role").and_then(|rest| rest.strip_suffix(role_name)).filter(|p| p.starts_with('/'));
    Ok(FixTarget {
        kind: TargetKind::Role,
        name: role_name.to_string(),
        path: path.map(str::to_string),
        account: account.to_string(),
        partition: partition.to_string(),
    })
}

/// `iamlens.addToRolePolicy`: the statement and where it would go; with
/// `apply: true`, merges it into the role's inline policy `iamlens-<role>`
/// (idempotent) and forgets the cached role so the next check sees it.
/// Returns whether IAM was changed, so the caller refreshes diagnostics.
pub async fn add_to_role_policy(state: &State, client: &Client, args: AddToRoleArgs) -> Result<(Json, bool), RpcError> {
    let fail = |e: String| request_failed(format!("iamlens.addToRolePolicy: {e}"));
    args.validate().map_err(|e| invalid_params(format!("iamlens.addToRolePolicy: {e}")))?;
    let Some(role) = args.role.clone().or(state.settings().role).filter(|r| !r.trim().is_empty()) else {
        return Err(invalid_params(
            "iamlens.addToRolePolicy: no role given and the `iamlens.role` setting is empty; pass {\"role\": \"<role name>\"}",
        ));
    };
    let statement = iamlens_engine::denied::identity_allow_statement(&args.action, &args.resources);
    let policy_name = denied::inline_policy_name(&role);
    let mut out = json!({"Role": role, "PolicyName": policy_name, "Statement": statement});
    let plan = |role: String, policy_name: String, statement: Json, account: Option<&str>| WritePlan {
        command: ADD_TO_ROLE_POLICY,
        description: match account {
            Some(account) => format!("add {statement} to inline policy {policy_name} of role {role} in account {account}"),
            None => format!("add {statement} to inline policy {policy_name} of role {role}"),
        },
        payload: Payload::RoleStatement { role, policy_name, statement },
    };
    if !args.apply {
        out["PlanId"] = json!(state.plans.offer(plan(role.clone(), policy_name.clone(), statement.clone(), None)));
        out["Confirm"] = json!(format!(
            "Nothing was written. Run iamlens.addToRolePolicy again with \"apply\": true to add this statement to inline policy {policy_name} of role {role}."
        ));
        return Ok((out, false));
    }
    let presented = match args.plan_id.as_deref() {
        Some(id) => Some(state.plans.take(id, ADD_TO_ROLE_POLICY).map_err(fail)?),
        None => None,
    };
    let (role, policy_name, statement) = match presented.as_ref().map(|p| &p.payload) {
        Some(Payload::RoleStatement { role, policy_name, statement }) => (role.clone(), policy_name.clone(), statement.clone()),
        Some(_) => return Err(fail("the plan is not a role statement".into())),
        None => (role, policy_name, statement),
    };
    let sdk = state.aws_sdk().await;
    // Read fresh, before the person is asked: the role's ARN gives the account
    // and path, and a role that does not exist or is in another account than
    // the setting names fails here, before anything is asked or written.
    aws::invalidate_role_cache(&role);
    let policies = aws::load_role_policies(&role, &sdk).await.map_err(|e| fail(format!("cannot read role `{role}`: {e}")))?;
    let target = role_target(&role, &policies.role_arn).map_err(fail)?;
    guard_account(state, &target.account).map_err(fail)?;
    if presented.is_none() {
        let plan = plan(role.clone(), policy_name.clone(), statement.clone(), Some(&target.account));
        if !consent::ask(client, &plan).await {
            return Ok((consent::not_written(&plan), false));
        }
    }
    let outcome = aws::inline_fix::merge_into_inline_policy(&sdk, target, policy_name, &statement).await.map_err(|e| fail(e.to_string()))?;
    aws::invalidate_role_cache(&role);
    out["Statement"] = outcome.statement.clone();
    out["Applied"] = json!({"Changed": outcome.changed, "Created": outcome.created, "Description": outcome.describe()});
    Ok((out, outcome.changed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_actions_and_empty_resources_are_refused_with_the_reason() {
        let args = |action: &str, resources: Vec<&str>| AddToRoleArgs {
            action: action.into(),
            resources: resources.into_iter().map(String::from).collect(),
            role: None,
            apply: false,
            plan_id: None,
            quiet: false,
        };
        assert!(args("s3:GetObject", vec!["*"]).validate().is_ok());
        assert!(args("s3:*", vec!["*"]).validate().unwrap_err().contains("wildcards"));
        assert!(args("GetObject", vec!["*"]).validate().unwrap_err().contains("service:Action"));
        assert!(args("s3:GetObject", vec![]).validate().unwrap_err().contains("at least one"));
    }

    #[test]
    fn role_target_reads_account_partition_and_path_from_the_arn() {
        let t = role_target("app", "arn:aws-cn:iam::111122223333:role/service/app").unwrap();
        assert_eq!((t.account.as_str(), t.partition.as_str(), t.path.as_deref()), ("111122223333", "aws-cn", Some("/service/")));
        assert_eq!(t.arn(), "arn:aws-cn:iam::111122223333:role/service/app");
        assert!(role_target("app", "not-an-arn").is_err());
    }
}
