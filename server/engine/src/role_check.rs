//! Would a role allow what the code does? Every call site of a set of reports,
//! decided locally by the evaluator against the role's policies and
//! boundary. The CLI (`iamlens check`), the MCP tool `check_role` and the
//! language server's `iamlens.checkRole` present this, with the grants no
//! call needs ([`drift`](crate::drift)).

use crate::drift::{check_drift, Drift};
use crate::evaluator::{check_requirements_for_role, check_requirements_known, combine, CheckOutcome, Context, Decision, PolicySet, RolePolicies};
use crate::model::RequirementSettings;
use crate::{EngineOptions, FileReport};
use serde::Serialize;

/// One call site and what the role decides for it.
#[derive(Debug, Clone, Serialize)]
pub struct CallCheck {
    #[serde(rename = "File")]
    pub file: String,
    /// One-based line and column.
    #[serde(rename = "Line")]
    pub line: u32,
    #[serde(rename = "Column")]
    pub column: u32,
    #[serde(rename = "Call")]
    pub call: String,
    /// `allowed`, `denied` or `depends`.
    #[serde(rename = "Verdict")]
    pub verdict: String,
    #[serde(rename = "Decision")]
    pub decision: Decision,
    /// Each action of the call, decided on its own.
    #[serde(rename = "Actions")]
    pub actions: Vec<CheckOutcome>,
}

/// What a role check reads, said wherever its verdicts are shown: a call the
/// check allows can still be denied by what it does not read.
pub const MODELLED: &str = "reads the role's identity policies (inline and managed) and its permissions boundary; \
service and resource control policies, resource-based policies and session policies are not read, and can still deny";

/// The whole answer: the role, what the check reads, and the drift: how many
/// calls it allows, denies or leaves to run-time values, each call, each
/// missing permission and each grant beyond what the calls need.
#[derive(Debug, Clone, Serialize)]
pub struct RoleCheck {
    #[serde(rename = "Role")]
    pub role: String,
    /// What the check reads ([`MODELLED`]).
    #[serde(rename = "Models")]
    pub models: &'static str,
    #[serde(flatten)]
    pub drift: Drift,
}

/// The role name of `app-role` or `arn:aws:iam::123456789012:role/path/app-role`;
/// `Err` says what is wrong with the text.
pub fn role_name(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let name = match raw.strip_prefix("arn:") {
        Some(_) => match raw.split_once(":role/") {
            Some((_, path_and_name)) => path_and_name.rsplit('/').next().unwrap_or_default(),
            None => return Err(format!("`{raw}` is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)")),
        },
        None => raw,
    };
    if name.is_empty() || name.contains('/') || name.contains(char::is_whitespace) {
        return Err(format!("`{raw}` is not a role name such as `app-role`"));
    }
    Ok(name.to_string())
}

/// Engine options binding requirements to `role`'s account and partition and
/// to `region` (`*` or `None`: any), so ARNs compare like for like with the
/// role's policies.
pub fn role_engine_options(role: &RolePolicies, region: Option<String>) -> EngineOptions {
    let mut arn = role.role_arn.split(':');
    let partition = arn.nth(1).filter(|p| !p.is_empty()).unwrap_or("aws").to_string();
    let account = arn.nth(2).filter(|a| !a.is_empty()).map(str::to_string);
    EngineOptions {
        requirements: RequirementSettings { region: region.filter(|r| r != "*"), account, partition, kms_via_service: true },
        service_hints: Vec::new(),
        environment: Default::default(),
    }
}

/// Every call site of every report, decided against the role.
/// A resource the code names without an account is in the role's account
/// (see [`RolePolicies::bind_requirements`]).
pub fn check_reports(reports: &[FileReport], role: &RolePolicies, region: Option<&str>) -> Vec<CallCheck> {
    calls_of(reports, |report| check_requirements_for_role(&report.requirements, role, region))
}

/// As [`check_reports`], for policies known by other means than a role:
/// `known` is what any request carries.
pub fn check_reports_known(reports: &[FileReport], set: &PolicySet, known: &Context, region: Option<&str>) -> Vec<CallCheck> {
    calls_of(reports, |report| check_requirements_known(&report.requirements, set, known, region))
}

/// Every call site of every report with the outcomes `decide` gives for the
/// report's requirements.
fn calls_of(reports: &[FileReport], decide: impl Fn(&FileReport) -> Vec<CheckOutcome>) -> Vec<CallCheck> {
    let mut out = Vec::new();
    for report in reports {
        let outcomes = decide(report);
        for (index, call) in report.analysis.calls.iter().enumerate() {
            let actions: Vec<CheckOutcome> = outcomes.iter().filter(|o| o.call_index == index).cloned().collect();
            if actions.is_empty() {
                continue;
            }
            let decision = combine(actions.iter().map(|a| a.decision.clone()));
            out.push(CallCheck {
                file: report.path.display().to_string(),
                line: call.span.start.line + 1,
                column: call.span.start.column + 1,
                call: call.text.clone(),
                verdict: decision.verdict().to_string(),
                decision,
                actions,
            });
        }
    }
    out
}

/// Both directions against the role, as `iamlens check --role` computes
/// them; `allowed`: action globs granted for reasons the code does not show.
pub fn check_role(reports: &[FileReport], role: &RolePolicies, region: Option<&str>, allowed: &[String]) -> RoleCheck {
    RoleCheck { role: role.role_arn.clone(), models: MODELLED, drift: check_drift(reports, role, region, allowed) }
}
