//! AccessDenied messages: find the denial in whatever was pasted, normalise who
//! was denied what on which resource and why, and plan the remedy that can work.
//!
//! Pure: no network, no AWS SDK. [`analyze`] is the entry point used by the CLI
//! (`fix-access-denied`), the LSP (`iamlens.fixAccessDenied`) and MCP
//! (`generate_policy_for_access_denied`, `fix_access_denied`); applying a fix
//! lives in `crate::aws::inline_fix`.

mod catalog;
mod facts;
mod normalize;
mod remedy;
mod structured;
mod text;
mod wording;
mod wrapper;

pub use catalog::{service_key, ActionCatalog, NoCatalog, OperationActions};
pub use facts::NotAPolicy;
pub use normalize::{FixTarget, PrincipalKind, TargetKind};
pub use remedy::{identity_allow_statement, Remedy, RemedyKind};

use facts::RawFacts;
use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// Whether the denial was implicit (nothing allowed it) or explicit (a Deny matched).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Denial {
    Implicit,
    Explicit,
    Unknown,
}

/// Which kind of policy (or setting) denied the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyType {
    IdentityBased,
    ResourceBased,
    ServiceControlPolicy,
    ResourceControlPolicy,
    PermissionsBoundary,
    SessionPolicy,
    VpcEndpointPolicy,
    RoleTrustPolicy,
    /// An S3 bucket setting (Block Public Access, encryption), not a policy.
    BucketSetting,
    /// An AWS error that is not a policy denial (expired credentials, Bedrock model access).
    NotAPolicy,
    Unknown,
}

impl PolicyType {
    /// How the type reads in a sentence (`a service control policy`).
    pub fn phrase(self) -> &'static str {
        match self {
            PolicyType::IdentityBased => "an identity-based policy",
            PolicyType::ResourceBased => "a resource-based policy",
            PolicyType::ServiceControlPolicy => "a service control policy (SCP)",
            PolicyType::ResourceControlPolicy => "a resource control policy (RCP)",
            PolicyType::PermissionsBoundary => "a permissions boundary",
            PolicyType::SessionPolicy => "a session policy",
            PolicyType::VpcEndpointPolicy => "a VPC endpoint policy",
            PolicyType::RoleTrustPolicy => "the role trust policy",
            PolicyType::BucketSetting => "an S3 bucket setting",
            PolicyType::NotAPolicy => "no policy",
            PolicyType::Unknown => "an unknown policy",
        }
    }
}

/// Settings for [`analyze`].
#[derive(Debug, Clone, Default)]
pub struct DenialOptions {
    /// Account id used to turn a bare resource name into an ARN (else the principal's).
    pub account: Option<String>,
    /// Region used to turn a bare resource name into an ARN.
    pub region: Option<String>,
    /// Use this resource ARN instead of the one in the message.
    pub resource_override: Option<String>,
}

/// The parsed denial and its remedy. Serialises to the `fix-access-denied --json`
/// shape; absent facts are `null`, never guessed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeniedReport {
    /// The principal as the message names it.
    pub principal: Option<String>,
    pub principal_kind: Option<PrincipalKind>,
    /// The principal's account (`null` when absent or masked).
    pub account: Option<String>,
    /// Canonical IAM action (`sqs:SendMessage`).
    pub action: Option<String>,
    /// ARN (or `*`); a bare name stays as given when no ARN can be built.
    pub resource: Option<String>,
    /// API operation (`GetObject`), when the wrapper or record names it.
    pub operation: Option<String>,
    pub denial: Denial,
    pub policy_type: PolicyType,
    pub policy_arn: Option<String>,
    pub remedy: Remedy,
    /// The policy document to add (identity policy, resource policy or trust
    /// policy), or `null` when no Allow can fix the denial.
    pub proposed_policy: Option<Value>,
    /// Why the proposed grant lets its holder raise privileges (`iam:PassRole`,
    /// `iam:PutRolePolicy`, ...); absent for other actions. Such a grant is
    /// never applied unattended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privilege_escalation: Option<String>,
    /// Facts beyond the JSON shape, for views and the apply step.
    #[serde(skip)]
    pub details: DenialDetails,
}

/// Facts the JSON shape leaves out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DenialDetails {
    /// `aws`, `aws-cn`, `aws-us-gov` (from the principal or resource ARN, else `aws`).
    pub partition: String,
    /// The role or user whose inline policy an identity-based fix changes.
    pub fix_target: Option<FixTarget>,
    /// Name of the denying policy, when the message gives it (` (Name)`).
    pub policy_name: Option<String>,
    /// AWS error code (`AccessDenied`).
    pub error_code: Option<String>,
    /// Encoded EC2 authorization failure message, for `--decode`.
    pub encoded_message: Option<String>,
    /// Further actions the operation needs besides `Action` (from the knowledge base).
    pub other_actions: Vec<String>,
    /// The resource is a bare name that could not be made an ARN.
    pub resource_is_bare: bool,
    /// Broader S3 forms for an object-level denial (`arn:aws:s3:::bucket/prefix/*`).
    pub alternative_resources: Vec<String>,
    /// Request context conditions from a decoded authorization message.
    pub conditions: Vec<String>,
    /// The message does not name the resource ("on this resource").
    pub resource_unnamed: bool,
    /// Which non-policy error this is, when `PolicyType` is `not-a-policy`.
    pub not_a_policy: Option<NotAPolicy>,
    /// A VPC endpoint policy denial enforced through a service control policy.
    pub through_scp: bool,
    /// The reason clause when it names no policy type (bucket settings, KMS).
    pub reason_text: Option<String>,
    /// The principal's account was masked in the message (`********1234`).
    pub account_masked: bool,
    /// Why iamlens will not write this identity fix itself (a role managed by
    /// IAM Identity Center, a resource the message does not name).
    pub apply_refusal: Option<String>,
    /// Further denials in the pasted text; the report covers the first.
    pub more_denials: usize,
}

impl DeniedReport {
    /// Whether `--yes` may apply this fix: an implicit identity-based denial of
    /// a known role or user that iamlens may edit, with a statement to merge.
    pub fn can_apply(&self) -> bool {
        self.apply_blocker().is_none()
    }

    /// Why this fix must not be applied without a person confirming it, and
    /// confirming the risk by name: the grant can raise privileges. `None`
    /// for ordinary grants.
    pub fn unattended_apply_blocker(&self) -> Option<String> {
        let why = self.privilege_escalation.as_deref()?;
        let action = self.action.as_deref().unwrap_or("the action");
        Some(format!("{action} can raise privileges ({why}); it is applied only after a person confirms that risk"))
    }

    /// Why this fix cannot be applied automatically, in one sentence; `None`
    /// when it can.
    pub fn apply_blocker(&self) -> Option<String> {
        if self.remedy.kind != RemedyKind::AddIdentityPolicyStatement || self.fix_statement().is_none() {
            return Some(format!("only an implicit identity-based denial can be fixed by adding an Allow; this one is {}", self.cause()));
        }
        if let Some(why) = &self.details.apply_refusal {
            return Some(why.clone());
        }
        if self.details.fix_target.is_none() {
            return Some("the message does not name an IAM role or user in a known account; attach the proposed statement by hand".into());
        }
        None
    }

    /// The cause in words: `an explicit deny in a service control policy (SCP)`.
    pub fn cause(&self) -> String {
        match (self.denial, self.policy_type) {
            (_, PolicyType::NotAPolicy) => "not a policy denial".into(),
            (Denial::Implicit, PolicyType::Unknown) => "an implicit deny (no policy allowed it; the message does not say which policy type)".into(),
            (Denial::Explicit, PolicyType::Unknown) => "an explicit deny in a policy the message does not name".into(),
            (Denial::Unknown, PolicyType::Unknown) => "a denial whose cause the message does not state".into(),
            (Denial::Explicit, t) => format!("an explicit deny in {}", t.phrase()),
            (Denial::Implicit, t) => format!("an implicit deny by {}", t.phrase()),
            (Denial::Unknown, t) => format!("a denial by {}", t.phrase()),
        }
    }

    /// The one statement an identity-based fix merges into the inline policy.
    pub fn fix_statement(&self) -> Option<&Value> {
        if self.remedy.kind != RemedyKind::AddIdentityPolicyStatement {
            return None;
        }
        self.proposed_policy.as_ref()?.get("Statement")?.get(0)
    }

    /// The inline policy name iamlens merges fixes into: `iamlens-<principal-name>`.
    pub fn inline_policy_name(&self) -> Option<String> {
        self.details.fix_target.as_ref().map(|t| inline_policy_name(&t.name))
    }
}

/// `iamlens-<name>`, cut to IAM's 128-character limit for policy names.
pub fn inline_policy_name(principal_name: &str) -> String {
    let mut name = format!("iamlens-{principal_name}");
    name.truncate(128);
    name
}

/// Why a message could not be analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DenialParseError {
    /// Nothing was given.
    Empty,
    /// The text holds no AWS error at all.
    NotAnAwsError,
    /// `--resource-override` is not an ARN.
    BadResourceOverride(String),
}

impl fmt::Display for DenialParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DenialParseError::Empty => f.write_str("the error message is empty; paste the whole AccessDenied error (or pipe it on standard input)"),
            DenialParseError::NotAnAwsError => f.write_str(
                "no AWS access-denied error found in the text; paste the complete error as printed (e.g. `An error occurred (AccessDenied) when calling …` or `User: … is not authorized to perform: …`)",
            ),
            DenialParseError::BadResourceOverride(v) => {
                write!(f, "--resource-override `{v}` is not an ARN; give a full ARN such as arn:aws:s3:::my-bucket/*")
            }
        }
    }
}

impl std::error::Error for DenialParseError {}

/// Analyse a pasted message with the embedded knowledge base.
pub fn analyze(message: &str, opts: &DenialOptions) -> Result<DeniedReport, DenialParseError> {
    analyze_with(message, opts, catalog::embedded())
}

/// Analyse a pasted message against `catalog`.
pub fn analyze_with(message: &str, opts: &DenialOptions, catalog: &dyn ActionCatalog) -> Result<DeniedReport, DenialParseError> {
    if message.trim().is_empty() {
        return Err(DenialParseError::Empty);
    }
    if let Some(o) = &opts.resource_override {
        if !(o.starts_with("arn:") && normalize::Arn::parse(o).is_some()) && o != "*" {
            return Err(DenialParseError::BadResourceOverride(o.clone()));
        }
    }
    let facts = extract(message);
    let recognised =
        facts.has_denial_sentence || facts.looks_denied || facts.not_a_policy.is_some() || facts.error_code.is_some() && facts.operation.is_some();
    if !recognised {
        return Err(DenialParseError::NotAnAwsError);
    }
    let mut report = build(facts, opts, catalog);
    remedy::plan(&mut report, catalog);
    Ok(report)
}

/// All facts in the message: structured records first, then the sentence in
/// the (cleaned) text, then the wrapper around it.
fn extract(message: &str) -> RawFacts {
    let from_text = |text: &str| {
        let cleaned = text::clean(text);
        let mut facts = wording::parse(&cleaned);
        facts.fill_from(wrapper::scan(&cleaned));
        facts
    };
    let Some((outer, inner)) = structured::from_json(message) else { return with_code_signal(from_text(message)) };
    let mut facts = inner.as_deref().map(from_text).unwrap_or_default();
    if !facts.has_denial_sentence && !outer.has_denial_sentence {
        // A structured log line may carry the denial in a field we do not
        // know (`"error": "..."`): read the whole text as well.
        facts.fill_from(from_text(message));
    }
    // The record's own facts (userIdentity, eventName) fill what the message
    // leaves out; its error code is authoritative.
    let code = outer.error_code.clone();
    facts.fill_from(outer);
    if code.is_some() {
        facts.error_code = code;
    }
    with_code_signal(facts)
}

fn with_code_signal(mut facts: RawFacts) -> RawFacts {
    if facts.error_code.as_deref().is_some_and(|c| c.contains("UnauthorizedOperation") || c.contains("AccessDenied")) {
        facts.looks_denied = true;
    }
    facts
}

/// Normalise raw facts into a report (remedy still empty).
fn build(f: RawFacts, opts: &DenialOptions, catalog: &dyn ActionCatalog) -> DeniedReport {
    let mut f = f;
    if let Some(service) = f.trusted_service.clone() {
        // "The role … cannot be assumed by Lambda": the service is the caller,
        // and the role's trust policy is what must allow it.
        f.principal.get_or_insert(service);
        f.policy_type.get_or_insert(PolicyType::RoleTrustPolicy);
    }
    let principal = f.principal.as_deref().map(normalize::principal).unwrap_or_default();
    let resource_arn_partition = f.resource.as_deref().and_then(normalize::Arn::parse).map(|a| a.partition.to_string());
    let partition = principal.partition.clone().or(resource_arn_partition).unwrap_or_else(|| "aws".to_string());

    let mut other_actions = Vec::new();
    let service_hint = f.service_hint.clone().or_else(|| {
        // An ARN names its service; decoded EC2 messages may drop the action prefix.
        f.resource.as_deref().and_then(normalize::Arn::parse).map(|a| a.service.to_string())
    });
    let action = match f.action.as_deref() {
        Some(a) if wording::is_action(a) => Some(normalize::action(a, catalog)),
        Some(bare) => catalog
            .operation_actions(service_hint.as_deref(), bare)
            .and_then(|ops| ops.actions.into_iter().next())
            .or_else(|| service_hint.as_deref().map(|s| normalize::action(&format!("{}:{bare}", service_key(s)), catalog))),
        None => f.operation.as_deref().and_then(|op| catalog.operation_actions(service_hint.as_deref(), op)).and_then(|ops| {
            let mut it = ops.actions.into_iter();
            let first = it.next();
            other_actions = it.collect();
            first
        }),
    };
    let action_prefix = action.as_deref().and_then(|a| a.split_once(':')).map(|(p, _)| p.to_string());

    let account_for_arns = opts.account.clone().or_else(|| principal.account.clone());
    let (resource, resource_is_bare, _built) = match (&opts.resource_override, &f.resource) {
        (Some(o), _) => (Some(o.clone()), false, false),
        (None, Some(r)) => {
            let n = normalize::resource(r, action_prefix.as_deref(), &partition, account_for_arns.as_deref(), opts.region.as_deref());
            (Some(n.value), n.bare, n.built)
        }
        (None, None) => (None, false, false),
    };
    let alternative_resources = resource.as_deref().map(s3_prefix_forms).unwrap_or_default();

    let not_a_policy = f.not_a_policy.is_some() && !f.has_denial_sentence;
    let policy_type = match f.policy_type {
        _ if not_a_policy => PolicyType::NotAPolicy,
        // A role's resource-based policy is its trust policy.
        Some(PolicyType::ResourceBased) if action.as_deref().is_some_and(is_role_trust_action) => PolicyType::RoleTrustPolicy,
        Some(t) => t,
        // A federated caller (web identity, SAML) holds no identity policy yet:
        // only the role's trust policy decides.
        None if matches!(action.as_deref(), Some("sts:AssumeRoleWithWebIdentity" | "sts:AssumeRoleWithSAML")) => PolicyType::RoleTrustPolicy,
        // KMS: "... because the resource does not exist in this Region, no
        // resource-based policies allow access, or a resource-based policy
        // explicitly denies access": the key policy (or the key's Region).
        None if f.setting_reason.as_deref().is_some_and(|r| r.contains("no resource-based policies allow access")) => PolicyType::ResourceBased,
        // Nothing but a resource-based policy applies to an unsigned request.
        None if principal.kind == Some(PrincipalKind::Anonymous) && f.denial == Some(Denial::Explicit) => PolicyType::ResourceBased,
        None => PolicyType::Unknown,
    };
    let denial = if not_a_policy { Denial::Unknown } else { f.denial.unwrap_or(Denial::Unknown) };

    DeniedReport {
        principal: f.principal.clone(),
        principal_kind: principal.kind,
        account: principal.account.clone(),
        action,
        resource,
        operation: f.operation.clone(),
        denial,
        policy_type,
        policy_arn: f.policy_arn.clone(),
        remedy: Remedy::default(),
        proposed_policy: None,
        privilege_escalation: None,
        details: DenialDetails {
            partition,
            fix_target: principal.target.clone(),
            policy_name: f.policy_name.clone(),
            error_code: f.error_code.clone(),
            encoded_message: f.encoded_message.clone(),
            other_actions,
            resource_is_bare,
            alternative_resources,
            conditions: f.conditions.clone(),
            resource_unnamed: f.resource_unnamed && f.resource.is_none(),
            not_a_policy: if not_a_policy { f.not_a_policy } else { None },
            through_scp: f.through_scp,
            reason_text: f.setting_reason.clone(),
            account_masked: principal.account_masked,
            apply_refusal: None,
            more_denials: f.more_denials,
        },
    }
}

/// Actions authorised by the target role's trust policy.
fn is_role_trust_action(action: &str) -> bool {
    matches!(
        action,
        "sts:AssumeRole" | "sts:AssumeRoleWithWebIdentity" | "sts:AssumeRoleWithSAML" | "sts:TagSession" | "sts:SetSourceIdentity" | "sts:SetContext"
    )
}

/// For an S3 object ARN, the broader forms a user may prefer: the key's
/// prefix (`bucket/reports/*`) and the whole bucket (`bucket/*`).
fn s3_prefix_forms(resource: &str) -> Vec<String> {
    let Some(arn) = normalize::Arn::parse(resource) else { return Vec::new() };
    if arn.service != "s3" || !arn.region.is_empty() || !arn.account.is_empty() {
        return Vec::new();
    }
    let Some((bucket, key)) = arn.resource.split_once('/') else { return Vec::new() };
    if key.is_empty() || key == "*" {
        return Vec::new();
    }
    let base = format!("arn:{}:s3:::{bucket}", arn.partition);
    let mut out = Vec::new();
    if let Some((prefix, _)) = key.rsplit_once('/') {
        out.push(format!("{base}/{prefix}/*"));
    }
    out.push(format!("{base}/*"));
    out
}
