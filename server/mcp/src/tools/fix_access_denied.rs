//! `fix_access_denied` (peer-compatible): plan the fix for a pasted
//! AccessDenied error and apply it (merge one Allow statement into the denied
//! role's or user's inline policy `iamlens-<name>`) only after the user
//! confirms, or when the server was started with `--allow-unattended-apply`.
//! The confirmation itself is `mcp::confirm`; this module builds the answers.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use iamlens_aws::inline_fix::ApplyOutcome;
use iamlens_engine::denied::DeniedReport;

use super::access_denied::{self, AccessDeniedInput};
use super::ToolError;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FixAccessDeniedInput {
    /// The AccessDenied error as printed (CLI, SDK exception, CloudTrail record, console).
    pub error_message: String,
    /// Use this resource ARN instead of the one in the message (e.g. a wider `arn:aws:s3:::bucket/*`).
    #[serde(default)]
    pub resource_override: Option<String>,
    /// Account id used to turn a bare resource name into an ARN.
    #[serde(default)]
    pub account: Option<String>,
    /// Region used to turn a bare resource name into an ARN.
    #[serde(default)]
    pub region: Option<String>,
}

/// What happened: `applied`, `unchanged` (already allowed), `planned` (not
/// applied: could not ask), `declined` (the user said no), `not-applicable`
/// (no identity-policy Allow can fix this denial).
pub fn output_schema() -> Value {
    json!({
        "type": "object",
        "required": ["Status", "Applied", "Message", "Denial"],
        "properties": {
            "Status": {"enum": ["applied", "unchanged", "planned", "declined", "not-applicable"]},
            "Applied": {"type": "boolean"},
            "Message": {"type": "string"},
            "Denial": access_denied::report_schema(),
            "Change": {
                "type": ["object", "null"],
                "required": ["Principal", "PolicyName", "Statement"],
                "properties": {
                    "Principal": {"type": "string"},
                    "PolicyName": {"type": "string"},
                    "Statement": {"type": "object"},
                    "CreatedPolicy": {"type": "boolean"}
                }
            },
            "HowToApply": {"type": ["string", "null"]}
        }
    })
}

pub fn analyze(input: &FixAccessDeniedInput) -> Result<DeniedReport, ToolError> {
    access_denied::analyze(&AccessDeniedInput {
        error_message: input.error_message.clone(),
        account: input.account.clone(),
        region: input.region.clone(),
        resource_override: input.resource_override.clone(),
    })
}

/// The change an applicable report would make (principal, policy, statement).
fn planned_change(report: &DeniedReport) -> Value {
    json!({
        "Principal": report.details.fix_target.as_ref().map(|t| t.describe()),
        "PolicyName": report.inline_policy_name(),
        "Statement": report.fix_statement(),
    })
}

/// A fingerprint of exactly what would be applied.
pub fn plan_id(report: &DeniedReport) -> String {
    let mut hasher = DefaultHasher::new();
    planned_change(report).to_string().hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// The question put to the user.
pub fn question(report: &DeniedReport) -> String {
    let statement = report.fix_statement().map(|s| serde_json::to_string_pretty(s).unwrap_or_default()).unwrap_or_default();
    let risk = match report.unattended_apply_blocker() {
        Some(risk) => format!("\nCAUTION: {risk}. Apply only if you trust the caller with what it allows."),
        None => String::new(),
    };
    format!(
        "iamlens will add this statement to inline policy `{}` of {} in AWS:\n{statement}{risk}\nApply it now?",
        report.inline_policy_name().unwrap_or_default(),
        report.details.fix_target.as_ref().map(|t| t.describe()).unwrap_or_default(),
    )
}

fn how_to_apply(input: &FixAccessDeniedInput) -> String {
    let mut command = String::from("iamlens fix-access-denied --yes");
    if let Some(o) = &input.resource_override {
        command.push_str(&format!(" --resource-override '{o}'"));
    }
    command.push_str(" '<the error message>'");
    format!(
        "Review the statement, then apply it yourself: run `{command}` with AWS credentials for the principal's account, \
or call this tool from an MCP client that supports elicitation so iamlens can ask you, \
or restart the server with `iamlens mcp-server --allow-unattended-apply` to let agents apply fixes without asking."
    )
}

fn answer(status: &str, applied: bool, message: String, report: &DeniedReport, change: Value, how: Option<String>) -> Value {
    json!({
        "Status": status,
        "Applied": applied,
        "Message": message,
        "Denial": access_denied::report_json(report),
        "Change": change,
        "HowToApply": how,
    })
}

/// No identity-policy Allow can fix this denial: say what can.
pub fn not_applicable(report: &DeniedReport) -> Value {
    let message = format!(
        "iamlens cannot apply this fix: {} {}",
        report.remedy.summary,
        if report.remedy.steps.is_empty() { String::new() } else { format!("Steps: {}", report.remedy.steps.join(" ")) }
    );
    answer("not-applicable", false, message.trim().to_string(), report, Value::Null, None)
}

/// Applicable but not applied, because the user could not be asked.
pub fn planned(report: &DeniedReport, input: &FixAccessDeniedInput, why: &str) -> Value {
    let message = format!("Not applied: {why}. The fix is planned below.");
    answer("planned", false, message, report, planned_change(report), Some(how_to_apply(input)))
}

pub fn declined(report: &DeniedReport, input: &FixAccessDeniedInput) -> Value {
    answer("declined", false, "Not applied: you declined the change.".into(), report, planned_change(report), Some(how_to_apply(input)))
}

pub fn applied(report: &DeniedReport, outcome: &ApplyOutcome) -> Value {
    let change = json!({
        "Principal": outcome.target.describe(),
        "PolicyName": outcome.policy_name,
        "Statement": outcome.statement,
        "CreatedPolicy": outcome.created,
    });
    let status = if outcome.changed { "applied" } else { "unchanged" };
    answer(status, outcome.changed, outcome.describe(), report, change, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMPLICIT: &str = "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action";
    const SCP: &str = "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in a service control policy";

    fn input(message: &str) -> FixAccessDeniedInput {
        FixAccessDeniedInput { error_message: message.into(), resource_override: None, account: None, region: None }
    }

    #[test]
    fn an_implicit_identity_denial_is_planned_with_how_to_apply() {
        let report = analyze(&input(IMPLICIT)).unwrap();
        assert!(report.can_apply());
        let out = planned(&report, &input(IMPLICIT), "no elicitation");
        assert_eq!(out["Status"], "planned");
        assert_eq!(out["Applied"], false);
        assert_eq!(out["Change"]["PolicyName"], "iamlens-dev");
        assert!(out["HowToApply"].as_str().unwrap().contains("--allow-unattended-apply"));
        assert!(question(&report).contains("iamlens-dev"));
    }

    #[test]
    fn an_scp_denial_is_not_applicable() {
        let report = analyze(&input(SCP)).unwrap();
        assert!(!report.can_apply());
        let out = not_applicable(&report);
        assert_eq!(out["Status"], "not-applicable");
        assert_eq!(out["Change"], Value::Null);
    }

    #[test]
    fn plan_ids_differ_when_the_change_differs() {
        let a = analyze(&input(IMPLICIT)).unwrap();
        let mut wider = input(IMPLICIT);
        wider.resource_override = Some("arn:aws:s3:::b/*".into());
        let b = analyze(&wider).unwrap();
        assert_eq!(plan_id(&a), plan_id(&analyze(&input(IMPLICIT)).unwrap()));
        assert_ne!(plan_id(&a), plan_id(&b));
    }
}
