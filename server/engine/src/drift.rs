//! A drift check: the code read against the policies it runs with, in both
//! directions. **Missing**: a call some policy does not allow (which call,
//! which action on which resource, and the statement that denies or that none
//! allows). **Excess**: a grant no call read needs, with the narrower grant
//! that would serve the same calls. One comparison for every source of
//! policies (a live role, policy files): the CLI's `iamlens check` presents
//! it, and the language server's `iamlens.checkRole` and MCP's `check_role`
//! through [`role_check::check_role`](crate::role_check::check_role).

use crate::evaluator::{excess_grants, Context, Decision, ExcessGrant, PolicySet, RolePolicies};
use crate::model::Requirement;
use crate::role_check::{check_reports, check_reports_known, CallCheck};
use crate::FileReport;
use serde::Serialize;

/// What "excess" is relative to, said wherever excess is shown.
pub const EXCESS_IS_RELATIVE: &str = "excess is relative to the code that was read: a grant used by code outside these paths, \
by a tool or at deploy time looks unneeded here; record such grants with --allow ACTION_GLOB or in .iamlens.toml ([check] allow = [...])";

/// One action on one resource of one call that the policies do not allow.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MissingPermission {
    pub file: String,
    /// One-based line and column of the call.
    pub line: u32,
    pub column: u32,
    pub call: String,
    pub action: String,
    pub resource: String,
    /// The statement that denies, the boundary, or that none allows.
    pub decision: Decision,
}

impl MissingPermission {
    /// `s3:PutObject on arn:aws:s3:::reports/out.csv for s3.put_object(...): denied implicitly: ...`
    pub fn summary(&self) -> String {
        format!("{} on {} for {}: {}", self.action, self.resource, self.call, self.decision)
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DriftSummary {
    pub allowed: usize,
    pub denied: usize,
    pub depends: usize,
    pub missing: usize,
    pub excess: usize,
}

/// Both directions of one comparison.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Drift {
    pub summary: DriftSummary,
    /// Every call and what the policies decide for it.
    pub calls: Vec<CallCheck>,
    /// Each denied action and resource, call by call.
    pub missing: Vec<MissingPermission>,
    /// Each statement granting more than the calls read need.
    pub excess: Vec<ExcessGrant>,
    /// The action globs recorded as needed for reasons the code does not show.
    pub allowed: Vec<String>,
    /// [`EXCESS_IS_RELATIVE`].
    pub excess_is_relative: &'static str,
}

/// Compare the code's reports with `policies` (requests carry what any
/// request of that role carries, `region` is where the code calls when its
/// ARNs do not say). A resource the code names without an account is in the
/// role's account, for both directions. `allowed`: action globs granted for
/// reasons the code does not show, never counted as excess.
pub fn check_drift(reports: &[FileReport], policies: &RolePolicies, region: Option<&str>, allowed: &[String]) -> Drift {
    let calls = check_reports(reports, policies, region);
    let requirements = policies.bind_requirements(&requirements_of(reports));
    drift_of(calls, &requirements, &policies.policies, allowed)
}

/// What any request of code running in `account` carries, when the role is
/// not known (policy files): TLS, and the account as the caller's and, for
/// ARNs that name none (S3), the resource's — as the requirements are bound to it.
pub fn account_context(account: Option<&str>) -> Context {
    let ctx = Context::new().with("aws:SecureTransport", "true");
    match account {
        Some(account) => ctx.with("aws:PrincipalAccount", account).with("aws:ResourceAccount", account),
        None => ctx,
    }
}

/// As [`check_drift`], for policies known by other means than a role:
/// `known` is what any request carries (see [`account_context`]).
pub fn check_drift_known(reports: &[FileReport], set: &PolicySet, known: &Context, region: Option<&str>, allowed: &[String]) -> Drift {
    let calls = check_reports_known(reports, set, known, region);
    drift_of(calls, &requirements_of(reports), set, allowed)
}

fn requirements_of(reports: &[FileReport]) -> Vec<Requirement> {
    reports.iter().flat_map(|r| r.requirements.iter().cloned()).collect()
}

/// Both directions from the calls as decided and the requirements they were
/// decided for.
fn drift_of(calls: Vec<CallCheck>, requirements: &[Requirement], set: &PolicySet, allowed: &[String]) -> Drift {
    let mut missing = Vec::new();
    for call in &calls {
        // An action is missing when its decision denies: a permission used on
        // the caller's behalf only for some data (KMS) depends instead.
        for outcome in call.actions.iter().filter(|o| o.decision.is_denied()) {
            for r in outcome.resources.iter().filter(|r| r.decision.is_denied()) {
                missing.push(MissingPermission {
                    file: call.file.clone(),
                    line: call.line,
                    column: call.column,
                    call: call.call.clone(),
                    action: outcome.action.clone(),
                    resource: r.resource.clone(),
                    decision: r.decision.clone(),
                });
            }
        }
    }
    let excess = excess_grants(set, requirements, allowed);
    let count = |v: &str| calls.iter().filter(|c| c.verdict == v).count();
    let summary =
        DriftSummary { allowed: count("allowed"), denied: count("denied"), depends: count("depends"), missing: missing.len(), excess: excess.len() };
    Drift { summary, calls, missing, excess, allowed: allowed.to_vec(), excess_is_relative: EXCESS_IS_RELATIVE }
}
