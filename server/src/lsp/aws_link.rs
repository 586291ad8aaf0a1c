//! The AWS-facing commands and checks: `iamlens.fixAccessDenied` (parse and
//! plan, optionally apply), `iamlens.uploadPolicy`, and the `iamlens.role`
//! check that turns calls the role would deny into diagnostics. The network
//! work lives in `crate::aws`; this module only adapts it to the protocol.

use super::features::commands::{FixArgs, ScopeArgs};
use super::features::range_of;
use super::positions::Encoding;
use super::state::{DocumentView, State};
use super::types::{invalid_params, request_failed, Diagnostic, DiagnosticSeverity, NumberOrString, RpcError};
use crate::aws::{self, AwsOptions, UploadOptions};
use crate::denied::{self, DenialOptions};
use crate::evaluator::check_requirements;
use serde::Deserialize;
use serde_json::{json, Value as Json};
use std::sync::Arc;

/// The default name prefix of uploaded policies (as the CLI's `--upload-policies`).
pub const DEFAULT_PREFIX: &str = "IamPolicyAutopilotGeneratedPolicy";

fn aws_options(state: &State) -> AwsOptions {
    AwsOptions { region: state.settings().region, ..AwsOptions::default() }
}

/// `iamlens.fixAccessDenied {message, apply?, resourceOverride?}`: the parsed
/// denial and its plan; with `apply: true`, applies the fix when it can work.
pub async fn fix_access_denied(state: &State, args: FixArgs) -> Result<Json, RpcError> {
    let settings = state.settings();
    let opts = DenialOptions { account: settings.account.clone(), region: settings.region.clone(), resource_override: args.resource_override.clone() };
    let report = denied::analyze(&args.message, &opts).map_err(|e| invalid_params(format!("iamlens.fixAccessDenied: {e}")))?;
    let mut out = serde_json::to_value(&report).map_err(|e| request_failed(format!("cannot serialise the denial: {e}")))?;
    if args.apply {
        if !report.can_apply() {
            return Err(request_failed(
                "iamlens.fixAccessDenied: this denial cannot be fixed by adding an identity-policy statement; see the plan (call without apply)",
            ));
        }
        let outcome = aws::inline_fix::apply_fix(&report, &aws_options(state)).await.map_err(|e| request_failed(e.to_string()))?;
        if let Json::Object(map) = &mut out {
            map.insert("Applied".into(), json!({"Changed": outcome.changed, "Created": outcome.created, "Description": outcome.describe()}));
        }
    }
    Ok(out)
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
}

/// `iamlens.uploadPolicy`: generate the policy for the scope and create it in IAM.
pub async fn upload_policy(state: Arc<State>, args: UploadArgs) -> Result<Json, RpcError> {
    let scope = args.scope.clone();
    let task_state = state.clone();
    let envelope = tokio::task::spawn_blocking(move || super::features::commands::generate_policy(&task_state, &scope))
        .await
        .map_err(|e| request_failed(format!("iamlens failed while generating the policy: {e}")))??;
    let policies: Vec<Json> = envelope.get("Policies").and_then(Json::as_array).cloned().unwrap_or_default();
    if policies.is_empty() {
        return Err(request_failed("iamlens.uploadPolicy: the code in this scope needs no IAM permissions; nothing to upload"));
    }
    let opts = UploadOptions {
        prefix: args.prefix.unwrap_or_else(|| DEFAULT_PREFIX.into()),
        update: args.update,
        attach_role: args.attach_role,
        attach_user: None,
        dry_run: args.dry_run,
        expected_account: state.settings().account,
    };
    let sdk = aws::load_sdk_config(&aws_options(&state)).await;
    match aws::upload_policies(&policies, &opts, &sdk).await {
        Ok(report) => {
            let summary = report.summary();
            let mut out = serde_json::to_value(&report).map_err(|e| request_failed(e.to_string()))?;
            if let Json::Object(map) = &mut out {
                map.insert("Summary".into(), json!(summary));
            }
            Ok(out)
        }
        Err(failure) => Err(request_failed(format!("iamlens.uploadPolicy: {failure}"))),
    }
}

/// Diagnostics for the calls the role in `iamlens.role` would deny.
/// `Err` carries one sentence for the log when the role cannot be read.
pub async fn role_diagnostics(state: &State, view: &DocumentView, enc: Encoding) -> Result<Vec<Diagnostic>, String> {
    let Some(role) = state.settings().role else { return Ok(Vec::new()) };
    if view.report.requirements.is_empty() {
        return Ok(Vec::new());
    }
    let sdk = aws::load_sdk_config(&aws_options(state)).await;
    let policies = aws::load_role_policies(&role, &sdk).await.map_err(|e| format!("iamlens: cannot check role `{role}`: {e}"))?;
    let mut out = Vec::new();
    for outcome in check_requirements(&view.report.requirements, &policies) {
        if !outcome.decision.is_denied() {
            continue;
        }
        let Some(call) = view.report.analysis.calls.get(outcome.call_index) else { continue };
        let denied: Vec<&str> =
            outcome.resources.iter().filter(|r| r.decision.is_denied()).map(|r| r.resource.as_str()).collect();
        out.push(Diagnostic {
            range: range_of(view, &call.span, enc),
            severity: Some(DiagnosticSeverity::WARNING),
            code: Some(NumberOrString::String("role-denies".into())),
            source: Some(super::features::diagnostics::SOURCE.into()),
            message: format!("role `{role}` would deny {} on {}: {}", outcome.action, denied.join(", "), outcome.decision),
            data: Some(json!({"action": outcome.action, "resources": denied, "role": role})),
            ..Diagnostic::default()
        });
    }
    Ok(out)
}
