//! The remedy that can actually work for each kind of denial. Only an implicit
//! identity-based denial gets an identity-policy Allow; every other kind gets
//! the change its owner must make, or precise guidance.

use super::catalog::ActionCatalog;
use super::normalize::{Arn, FixTarget, PrincipalKind, TargetKind};
use super::{Denial, DeniedReport, NotAPolicy, PolicyType};
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Remedy {
    pub kind: RemedyKind,
    /// One sentence: what must change, and who can change it.
    pub summary: String,
    /// Concrete steps, commands included.
    pub steps: Vec<String>,
}

impl Default for Remedy {
    fn default() -> Self {
        Remedy { kind: RemedyKind::Investigate, summary: String::new(), steps: Vec::new() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemedyKind {
    /// Add an Allow to the principal's identity policy (the only kind `--yes` applies).
    AddIdentityPolicyStatement,
    /// The resource owner adds a statement naming the principal to the resource's policy.
    AddResourcePolicyStatement,
    /// The role's trust policy must allow the caller.
    UpdateTrustPolicy,
    /// An explicit Deny matched: that statement (or the request) must change.
    RemoveExplicitDeny,
    /// A service or resource control policy of the organisation.
    OrganizationPolicy,
    UpdatePermissionsBoundary,
    UpdateSessionPolicy,
    UpdateVpcEndpointPolicy,
    /// An S3 bucket setting (Block Public Access, encryption) refused it.
    ChangeBucketSetting,
    /// Not a policy denial: credentials, clock, model access.
    NoPolicyChange,
    /// The message does not say enough: what is unknown and how to find it.
    Investigate,
}

/// Fill `report.remedy` and `report.proposed_policy`.
pub fn plan(r: &mut DeniedReport, catalog: &dyn ActionCatalog) {
    let mut steps = Vec::new();
    if let Some(pattern) = r.action.as_deref().filter(|a| is_action_pattern(a)) {
        // AWS names the one action it evaluated; a pattern in its place means
        // the text was written or edited by someone, and is no basis for a grant.
        let summary = format!(
            "`{pattern}` is an action pattern, and AWS never reports a pattern in a denial: this text is not an AccessDenied message iamlens can fix; no policy is proposed."
        );
        steps.push("Paste the error exactly as the SDK, CLI or CloudTrail printed it; it names one action such as `s3:GetObject`.".into());
        r.details.apply_refusal = Some(format!("`{pattern}` is not an action AWS reports in a denial; nothing is granted from it"));
        r.remedy = Remedy { kind: RemedyKind::Investigate, summary, steps };
        r.proposed_policy = None;
        return;
    }
    let (kind, summary, policy) = match (r.policy_type, r.denial) {
        (PolicyType::NotAPolicy, _) => not_a_policy(r, &mut steps),
        (PolicyType::BucketSetting, _) => bucket_setting(r, &mut steps),
        (PolicyType::ServiceControlPolicy | PolicyType::ResourceControlPolicy, _) => organization(r, &mut steps),
        (_, Denial::Explicit) => explicit(r, &mut steps),
        (PolicyType::IdentityBased, Denial::Implicit) => identity(r, catalog, &mut steps),
        (PolicyType::ResourceBased, Denial::Implicit) => resource_based(r, catalog, &mut steps),
        (PolicyType::ResourceBased, Denial::Unknown) if r.action.as_deref().is_some_and(|a| a.starts_with("kms:")) => kms_key(r, &mut steps),
        (PolicyType::RoleTrustPolicy, _) => trust(r, &mut steps),
        (PolicyType::PermissionsBoundary, _) => boundary(r, &mut steps),
        (PolicyType::SessionPolicy, _) => session(r, &mut steps),
        (PolicyType::VpcEndpointPolicy, _) => endpoint(r, &mut steps),
        _ => investigate(r, catalog, &mut steps),
    };
    common_notes(r, &mut steps);
    // Flagged where a grant is proposed: that is what someone may apply. A
    // trust policy letting an AWS service assume its own role is routine.
    let service_trust = r.principal_kind == Some(PrincipalKind::Service);
    r.privilege_escalation = policy.as_ref().filter(|_| !service_trust).and(r.action.as_deref()).and_then(|a| catalog.privilege_escalation(a));
    if let Some(why) = &r.privilege_escalation {
        steps.insert(0, format!("Caution: {} can raise privileges ({why}). Grant it only on the exact resource, and only if the caller is trusted with what it allows.", action_or(r)));
    }
    r.remedy = Remedy { kind, summary, steps };
    r.proposed_policy = policy;
}

type Plan = (RemedyKind, String, Option<Value>);

/// `iam:*`, `*`, `s3:Get*`, `ec2:Describe?nstances`: not one action.
fn is_action_pattern(action: &str) -> bool {
    action.contains(['*', '?'])
}

fn action_or(r: &DeniedReport) -> &str {
    r.action.as_deref().unwrap_or("the action")
}

fn resource_or(r: &DeniedReport) -> &str {
    r.resource.as_deref().unwrap_or("the resource")
}

/// Who, in words: `role AppRole`, `user bob`, or the principal as given.
fn who(r: &DeniedReport) -> String {
    match (&r.details.fix_target, &r.principal) {
        (Some(t), _) => t.describe(),
        (None, Some(p)) => p.clone(),
        (None, None) => "the caller".to_string(),
    }
}

/// A deterministic statement id, so re-applying the same fix finds it again.
/// The identity-policy Allow that grants one action on the given resources, as
/// iamlens merges it into an inline policy: a stable Sid naming the action and
/// the resources, so applying the same grant twice leaves one statement.
pub fn identity_allow_statement(action: &str, resources: &[String]) -> Value {
    let resource = match resources {
        [one] => json!(one),
        many => json!(many),
    };
    json!({"Sid": statement_id(action, &resources.join(",")), "Effect": "Allow", "Action": action, "Resource": resource})
}

pub fn statement_id(action: &str, resource: &str) -> String {
    let name: String = action.split([':', '*']).flat_map(capitalise).filter(|c| c.is_ascii_alphanumeric()).collect();
    let mut hash: u32 = 0x811c_9dc5;
    for b in resource.bytes() {
        hash = (hash ^ b as u32).wrapping_mul(0x0100_0193);
    }
    format!("Iamlens{name}{hash:08x}")
}

fn capitalise(s: &str) -> Vec<char> {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => Vec::new(),
    }
}

fn policy(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The resource for an Allow: the one in the message, `*` for actions that
/// cannot be scoped, else `*` with a warning to narrow it.
fn allow_resource(r: &mut DeniedReport, catalog: &dyn ActionCatalog, steps: &mut Vec<String>) -> String {
    if let Some(res) = r.resource.as_deref().filter(|res| *res != "*") {
        return res.to_string();
    }
    let action = action_or(r);
    if catalog.supports_resource_scoping(action) == Some(false) {
        return "*".into();
    }
    steps.push(
        "The message does not name a specific resource, so the statement uses \"*\"; narrow it to the ARN your code uses (pass --resource-override ARN) before applying.".into(),
    );
    r.details.apply_refusal =
        Some("the message does not name a specific resource, and iamlens will not grant it on \"*\"; pass --resource-override ARN".into());
    "*".into()
}

/// Roles that AWS manages for someone else: editing them is refused or undone.
/// Returns where the statement must go instead.
fn managed_role_owner(t: &FixTarget) -> Option<String> {
    if t.kind != TargetKind::Role {
        return None;
    }
    if let Some(rest) = t.name.strip_prefix("AWSReservedSSO_") {
        let permission_set = rest.rsplit_once('_').map(|(set, _)| set).unwrap_or(rest);
        return Some(format!(
            "Role {} belongs to the IAM Identity Center permission set {permission_set}: add the statement to that permission set's inline policy (`aws sso-admin put-inline-policy-to-permission-set --instance-arn … --permission-set-arn … --inline-policy file://policy.json`, then provision it); IAM Identity Center reverts edits made to the role itself, so iamlens does not apply it.",
            t.name
        ));
    }
    if t.name.starts_with("AWSServiceRoleFor") || t.path.as_deref().is_some_and(|p| p.starts_with("/aws-service-role/")) {
        return Some(format!("Role {} is a service-linked role: its permissions are defined by the AWS service and cannot be edited; check the service's own configuration instead.", t.name));
    }
    None
}

fn identity(r: &mut DeniedReport, catalog: &dyn ActionCatalog, steps: &mut Vec<String>) -> Plan {
    let Some(action) = r.action.clone() else { return investigate(r, catalog, steps) };
    let resource = allow_resource(r, catalog, steps);
    let statement = identity_allow_statement(&action, std::slice::from_ref(&resource));
    let summary = format!("No identity-based policy of {} allows {action}; add an Allow for it on {resource}.", who(r));
    if let Some(owner) = r.details.fix_target.as_ref().and_then(managed_role_owner) {
        steps.push(owner);
        r.details.apply_refusal = Some(format!(
            "{} is managed by AWS for someone else (IAM Identity Center or a service); change its owner's policy as the plan says",
            who(r)
        ));
        return (RemedyKind::AddIdentityPolicyStatement, summary, Some(policy(vec![statement])));
    }
    match &r.details.fix_target {
        Some(t) => {
            let name = super::inline_policy_name(&t.name);
            let (get, put, flag) = match t.kind {
                TargetKind::Role => ("get-role-policy", "put-role-policy", "--role-name"),
                TargetKind::User => ("get-user-policy", "put-user-policy", "--user-name"),
            };
            steps.push(format!("Merge the statement below into the inline policy {name} of {} (`iamlens fix-access-denied --yes` does this idempotently; other statements and policies are kept).", t.describe()));
            steps.push(format!("By hand: `aws iam {get} {flag} {} --policy-name {name}`, add the statement, then `aws iam {put} {flag} {} --policy-name {name} --policy-document file://policy.json`.", t.name, t.name));
            if r.principal_kind == Some(PrincipalKind::AssumedRole) {
                steps.push(format!("The denied principal is a session of role {}; the fix goes to the role, and new sessions pick it up (existing sessions within seconds).", t.name));
            }
        }
        None => steps.push(format!("Attach the statement below to the identity that made the request ({}); iamlens cannot apply it because the message does not name an IAM role or user in a known account.", who(r))),
    }
    (RemedyKind::AddIdentityPolicyStatement, summary, Some(policy(vec![statement])))
}

/// The policy a resource owner edits, per service.
fn resource_policy_name(prefix: &str) -> (&'static str, &'static str) {
    match prefix {
        "s3" => ("bucket policy", "aws s3api get-bucket-policy --bucket BUCKET, then aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json"),
        "kms" => ("key policy", "aws kms get-key-policy --key-id KEY --policy-name default, then aws kms put-key-policy --key-id KEY --policy-name default --policy file://policy.json"),
        "sqs" => ("queue policy", "aws sqs get-queue-attributes --queue-url URL --attribute-names Policy, then aws sqs set-queue-attributes --queue-url URL --attributes Policy=..."),
        "sns" => ("topic policy", "aws sns get-topic-attributes --topic-arn ARN, then aws sns set-topic-attributes --topic-arn ARN --attribute-name Policy --attribute-value file://policy.json"),
        "lambda" => ("function policy", "aws lambda add-permission --function-name FUNCTION --statement-id ID --action ACTION --principal PRINCIPAL"),
        "secretsmanager" => ("secret resource policy", "aws secretsmanager get-resource-policy --secret-id SECRET, then aws secretsmanager put-resource-policy --secret-id SECRET --resource-policy file://policy.json"),
        "ecr" => ("repository policy", "aws ecr get-repository-policy --repository-name REPO, then aws ecr set-repository-policy --repository-name REPO --policy-text file://policy.json"),
        "glacier" => ("vault access policy", "aws glacier get-vault-access-policy / set-vault-access-policy"),
        "execute-api" => ("API resource policy", "edit the API's resource policy in API Gateway and redeploy the stage"),
        _ => ("resource-based policy", "edit the resource's policy with the service's console or CLI"),
    }
}

fn resource_based(r: &mut DeniedReport, catalog: &dyn ActionCatalog, steps: &mut Vec<String>) -> Plan {
    let Some(action) = r.action.clone() else { return investigate(r, catalog, steps) };
    let prefix = action.split(':').next().unwrap_or("").to_string();
    let (policy_name, how) = resource_policy_name(&prefix);
    let resource = allow_resource(r, catalog, steps);
    let summary =
        format!("The {policy_name} of {resource} does not allow {} to perform {action}; its owner must add a statement for this principal.", who(r));
    let principal_arn = r.details.fix_target.as_ref().map(|t| t.arn()).or_else(|| r.principal.clone().filter(|p| p.starts_with("arn:")));
    let Some(principal_arn) = principal_arn.filter(|_| r.principal_kind != Some(PrincipalKind::Anonymous)) else {
        steps.push("The request was anonymous (unsigned): sign it with credentials that the resource policy allows, rather than opening the resource to everyone.".into());
        return (RemedyKind::AddResourcePolicyStatement, summary, None);
    };
    let statement = json!({
        "Sid": statement_id(&action, &resource),
        "Effect": "Allow",
        "Principal": {"AWS": principal_arn},
        "Action": action,
        "Resource": resource,
    });
    steps.push(format!("Ask the owner of {resource} to add the statement below to its {policy_name} ({how})."));
    if r.details.fix_target.as_ref().is_some_and(|t| t.kind == TargetKind::Role && t.path.is_none()) {
        steps.push(format!("The role ARN was built from the session ARN; if role {} has a path (e.g. /service-role/), use its full ARN from `aws iam get-role --role-name {}`.", r.details.fix_target.as_ref().map(|t| t.name.as_str()).unwrap_or(""), r.details.fix_target.as_ref().map(|t| t.name.as_str()).unwrap_or("")));
    }
    let resource_account = r.resource.as_deref().and_then(Arn::parse).map(|a| a.account.to_string()).filter(|a| !a.is_empty());
    match (&resource_account, &r.account) {
        (Some(res), Some(me)) if res != me => {
            steps.push(format!("This is cross-account ({me} → {res}): the caller's own identity policy must also allow {action} on the resource."))
        }
        _ => {}
    }
    (RemedyKind::AddResourcePolicyStatement, summary, Some(policy(vec![statement])))
}

fn trust(r: &DeniedReport, steps: &mut Vec<String>) -> Plan {
    let action = r.action.clone().unwrap_or_else(|| "sts:AssumeRole".into());
    let role = r.resource.clone().unwrap_or_else(|| "the role".into());
    let summary = format!("The trust policy of {role} does not let {} assume it; the role's owner must add the caller to its trust policy.", who(r));
    let caller = r.details.fix_target.as_ref().map(|t| t.arn()).or_else(|| r.principal.clone().filter(|p| p.starts_with("arn:")));
    let role_name = Arn::parse(&role).and_then(|a| a.resource.rsplit('/').next().map(str::to_string)).unwrap_or_else(|| "ROLE".into());
    steps.push(format!("Show the current trust policy: `aws iam get-role --role-name {role_name} --query Role.AssumeRolePolicyDocument`."));
    steps.push(format!(
        "Add the statement below to it: `aws iam update-assume-role-policy --role-name {role_name} --policy-document file://trust.json`."
    ));
    if matches!(action.as_str(), "sts:AssumeRoleWithWebIdentity" | "sts:AssumeRoleWithSAML") {
        // A federated caller has no identity policy: only the trust policy decides.
        steps.push("For web identity or SAML the trust policy must name the identity provider as a `Federated` principal, and its conditions (the token's `aud`/`sub`, or `SAML:aud`) must match the token the caller presented.".into());
        return (RemedyKind::UpdateTrustPolicy, summary, None);
    }
    steps.push(format!("The caller also needs an identity-based Allow for {action} on {role} (unless both are in the same account and the trust policy names the caller's ARN)."));
    if r.principal_kind == Some(PrincipalKind::Service) {
        let service = r.principal.clone().unwrap_or_default();
        steps.pop();
        steps.push(
            "If the role was created seconds ago, IAM may not have propagated it yet: retry after about 10 seconds before changing anything.".into(),
        );
        let policy = policy(vec![json!({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})]);
        return (
            RemedyKind::UpdateTrustPolicy,
            format!("The trust policy of {role} does not let {service} assume it; add the service to the role's trust policy."),
            Some(policy),
        );
    }
    let policy = caller.map(|c| policy(vec![json!({"Effect": "Allow", "Principal": {"AWS": c}, "Action": action})]));
    (RemedyKind::UpdateTrustPolicy, summary, policy)
}

/// KMS's "the resource does not exist in this Region, no resource-based
/// policies allow access, or a resource-based policy explicitly denies
/// access": the key policy decides (or the key is not where the client
/// looked). No identity policy can fix it alone.
fn kms_key(r: &DeniedReport, steps: &mut Vec<String>) -> Plan {
    let action = action_or(r).to_string();
    let key = resource_or(r).to_string();
    let summary = format!(
        "Either the KMS key {key} does not exist in the Region the client used (a key in another Region, or a wrong key ID), or its key policy does not allow {} to perform {action} (or denies it); an identity-policy change alone cannot fix either.",
        who(r)
    );
    steps.push(
        "Check the key first: `aws kms describe-key --key-id <key ARN> --region <the key's Region>`; a client in another Region cannot use it."
            .into(),
    );
    steps.push(format!("If the key exists, its owner must allow the caller in the key policy (`aws kms get-key-policy --key-id <key> --policy-name default`), or remove the Deny that names it; a key policy that delegates to IAM (\"arn:aws:iam::<account>:root\") also needs an identity-based Allow for {action}."));
    let principal_arn = r.details.fix_target.as_ref().map(|t| t.arn()).or_else(|| r.principal.clone().filter(|p| p.starts_with("arn:")));
    // Key policies name the key itself as "*".
    let policy = principal_arn.map(|p| policy(vec![json!({"Effect": "Allow", "Principal": {"AWS": p}, "Action": action, "Resource": "*"})]));
    (RemedyKind::AddResourcePolicyStatement, summary, policy)
}

fn explicit(r: &DeniedReport, steps: &mut Vec<String>) -> Plan {
    let action = action_or(r).to_string();
    let place = match (&r.policy_arn, &r.details.policy_name) {
        (Some(arn), Some(name)) => format!("{} {arn} ({name})", r.policy_type.phrase()),
        (Some(arn), None) => format!("{} {arn}", r.policy_type.phrase()),
        (None, _) => r.policy_type.phrase().to_string(),
    };
    let summary = format!(
        "An explicit Deny in {place} blocks {action} for {}; no Allow can override it: that Deny statement, or the request, must change.",
        who(r)
    );
    let target = r.details.fix_target.as_ref();
    match r.policy_type {
        PolicyType::IdentityBased => {
            if let Some(t) = target {
                let (list, inline) = match t.kind {
                    TargetKind::Role => ("list-attached-role-policies --role-name", "list-role-policies --role-name"),
                    TargetKind::User => ("list-attached-user-policies --user-name", "list-user-policies --user-name"),
                };
                steps.push(format!("Find the Deny for {action}: `aws iam {list} {}` and `aws iam {inline} {}` (and the policies of the user's groups).", t.name, t.name));
            } else {
                steps.push(format!("Find the Deny for {action} among the policies attached to {}.", who(r)));
            }
        }
        PolicyType::ResourceBased => {
            let prefix = action.split(':').next().unwrap_or("");
            let (name, how) = resource_policy_name(prefix);
            steps.push(format!("The Deny is in the {name} of {} ({how}).", resource_or(r)));
            if prefix == "s3" && r.principal_kind == Some(PrincipalKind::Root) {
                let bucket = r.resource.as_deref().and_then(Arn::parse).map(|a| a.resource.split('/').next().unwrap_or("").to_string()).unwrap_or_else(|| "BUCKET".into());
                steps.push(format!("The account's root user can always delete a bucket policy that locks everyone out: with root credentials run `aws s3api delete-bucket-policy --bucket {bucket}`, then put back a corrected policy."));
            }
        }
        PolicyType::PermissionsBoundary => steps.push(boundary_lookup(r)),
        PolicyType::SessionPolicy => steps.push("The Deny is in the session policy passed when the session was created (the Policy / PolicyArns of AssumeRole, AssumeRoleWithWebIdentity or GetFederationToken); start a new session without it.".into()),
        PolicyType::VpcEndpointPolicy => {
            steps.push(endpoint_lookup(r));
            if r.details.through_scp {
                let scp = r.policy_arn.as_deref().map(|a| format!(" ({a})")).unwrap_or_default();
                steps.push(format!("The Deny reaches this request through a service control policy{scp}: requests must use the VPC endpoints that policy names; ask the organisation's administrator which ones, or call from inside that network."));
            }
        }
        PolicyType::RoleTrustPolicy => steps.push(format!("The Deny is in the trust policy of {}: `aws iam get-role --role-name NAME --query Role.AssumeRolePolicyDocument`.", resource_or(r))),
        _ => steps.push(format!("The message does not say which policy holds the Deny; check the identity policies of {}, the resource's policy, permissions boundary, session policy and the organisation's SCPs. CloudTrail shows the same denial: `aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue={}`.", who(r), r.operation.as_deref().unwrap_or("OPERATION"))),
    }
    steps.push("Read the Deny's Condition: explicit denies usually guard MFA (aws:MultiFactorAuthPresent), source network (aws:SourceIp, aws:SourceVpce), region (aws:RequestedRegion) or tags. Meeting the condition lets the request through; otherwise the statement's owner must narrow it.".into());
    (RemedyKind::RemoveExplicitDeny, summary, None)
}

fn organization(r: &DeniedReport, steps: &mut Vec<String>) -> Plan {
    let action = action_or(r).to_string();
    let label = if r.policy_type == PolicyType::ServiceControlPolicy { "service control policy (SCP)" } else { "resource control policy (RCP)" };
    let what = match r.denial {
        Denial::Explicit => format!("An explicit Deny in a {label}"),
        _ => format!("No {label} allows {action}, which"),
    };
    let named = match (&r.policy_arn, &r.details.policy_name) {
        (Some(arn), Some(name)) => format!(" ({name}, {arn})"),
        (Some(arn), None) => format!(" ({arn})"),
        _ => String::new(),
    };
    let summary = format!(
        "{what}{named} blocks {action} for {}; only the organisation's administrator can change it, and no IAM policy in this account can.",
        who(r)
    );
    match &r.policy_arn {
        Some(arn) => {
            let id = arn.rsplit('/').next().unwrap_or(arn);
            steps.push(format!("Ask your AWS Organizations administrator to review policy {id}: `aws organizations describe-policy --policy-id {id}` (run in the management or delegated administrator account)."));
        }
        None => steps.push(format!("Ask your AWS Organizations administrator which {label} applies to this account: `aws organizations list-policies-for-target --target-id ACCOUNT_ID --filter {}`.", if r.policy_type == PolicyType::ServiceControlPolicy { "SERVICE_CONTROL_POLICY" } else { "RESOURCE_CONTROL_POLICY" })),
    }
    if r.denial == Denial::Explicit {
        steps.push("Check the Deny's Condition (e.g. aws:RequestedRegion, aws:PrincipalTag, aws:SourceVpce): a request that meets it passes without any policy change.".into());
    } else {
        steps.push(format!("The {label} must allow {action} (SCPs and RCPs only filter; the identity or resource policy must still allow it too)."));
    }
    (RemedyKind::OrganizationPolicy, summary, None)
}

fn boundary_lookup(r: &DeniedReport) -> String {
    if let Some(arn) = &r.policy_arn {
        return format!("The boundary is {arn}: `aws iam get-policy --policy-arn {arn}` shows its default version; read it with `aws iam get-policy-version --policy-arn {arn} --version-id VERSION`.");
    }
    match &r.details.fix_target {
        Some(t) if t.kind == TargetKind::Role => {
            format!("Find the boundary: `aws iam get-role --role-name {} --query Role.PermissionsBoundary.PermissionsBoundaryArn`.", t.name)
        }
        Some(t) => format!("Find the boundary: `aws iam get-user --user-name {} --query User.PermissionsBoundary.PermissionsBoundaryArn`.", t.name),
        None => {
            "Find the permissions boundary of the role or user that made the request (`aws iam get-role … --query Role.PermissionsBoundary`).".into()
        }
    }
}

fn boundary(r: &DeniedReport, steps: &mut Vec<String>) -> Plan {
    let action = action_or(r).to_string();
    let summary = format!(
        "The permissions boundary of {} does not allow {action}; the boundary policy must allow it too (an identity Allow alone cannot help).",
        who(r)
    );
    steps.push(boundary_lookup(r));
    steps.push(format!("Whoever owns that managed policy must add {action} on {} to it; boundaries are usually set by an administrator on purpose, so ask before changing one.", resource_or(r)));
    (RemedyKind::UpdatePermissionsBoundary, summary, None)
}

fn session(r: &DeniedReport, steps: &mut Vec<String>) -> Plan {
    let action = action_or(r).to_string();
    let summary = format!(
        "The session policy of this session does not allow {action}; the session must be created with a session policy that allows it (or none)."
    );
    steps.push("A session policy is the Policy / PolicyArns passed to AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML or GetFederationToken: find the code or tool that creates the session (SDK, CI action, SSO tool) and add the action there.".into());
    steps.push(format!("Then start a new session; the role's own policies must also allow {action}."));
    (RemedyKind::UpdateSessionPolicy, summary, None)
}

fn endpoint_lookup(r: &DeniedReport) -> String {
    let service = r.action.as_deref().and_then(|a| a.split(':').next()).unwrap_or("SERVICE");
    format!("Find the endpoint the request went through: `aws ec2 describe-vpc-endpoints --filters Name=service-name,Values=com.amazonaws.REGION.{service} --query 'VpcEndpoints[].[VpcEndpointId,PolicyDocument]'`.")
}

fn endpoint(r: &DeniedReport, steps: &mut Vec<String>) -> Plan {
    let action = action_or(r).to_string();
    let mut summary =
        format!("The VPC endpoint policy on the request's path does not allow {action} on {}; the endpoint's owner must allow it.", resource_or(r));
    if r.details.through_scp {
        summary.push_str(" The denial is enforced through a service control policy, so the organisation's administrator is involved.");
    }
    steps.push(endpoint_lookup(r));
    steps.push(format!("Add {action} on {} for this principal to the endpoint policy (`aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-… --policy-document file://endpoint-policy.json`).", resource_or(r)));
    (RemedyKind::UpdateVpcEndpointPolicy, summary, None)
}

fn bucket_setting(r: &DeniedReport, steps: &mut Vec<String>) -> Plan {
    let reason = r.details.reason_text.clone().unwrap_or_default();
    let lower = reason.to_ascii_lowercase();
    let bucket = r
        .resource
        .as_deref()
        .and_then(Arn::parse)
        .map(|a| a.resource.split('/').next().unwrap_or("").to_string())
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| "BUCKET".into());
    let summary = format!(
        "S3 refused {} because of a bucket setting, not a policy ({}); no IAM policy change helps.",
        action_or(r),
        reason.trim_end_matches('.')
    );
    if lower.contains("public") {
        steps.push(format!("Block Public Access is on: `aws s3api get-public-access-block --bucket {bucket}` (and `aws s3control get-public-access-block --account-id ACCOUNT` for the account level)."));
        steps.push(
            "Prefer granting specific principals over a public policy or ACL; turn the block off only if the bucket must really be public.".into(),
        );
    } else if lower.contains("encryption") {
        steps.push(format!("The bucket restricts encryption types: `aws s3api get-bucket-encryption --bucket {bucket}`; send the request with an allowed encryption (e.g. SSE-KMS) or ask the owner to change the setting."));
    } else {
        steps.push(format!("Check the bucket's ownership and ACL settings: `aws s3api get-bucket-ownership-controls --bucket {bucket}`."));
    }
    (RemedyKind::ChangeBucketSetting, summary, None)
}

fn not_a_policy(r: &DeniedReport, steps: &mut Vec<String>) -> Plan {
    let (summary, step): (&str, &str) = match r.details.not_a_policy {
        Some(NotAPolicy::BedrockModelAccess) => (
            "This is not a policy denial: the account has no access to this Bedrock model.",
            "Enable the model in the Bedrock console (Model access) for this region, or use an inference profile / model ID the account has access to; no IAM change is needed for this error.",
        ),
        Some(NotAPolicy::ExpiredCredentials) => (
            "This is not a policy denial: the credentials have expired.",
            "Refresh them (`aws sso login`, re-run the tool that issues the session, or restart the process so it picks up new credentials), then retry.",
        ),
        Some(NotAPolicy::InvalidCredentials) => (
            "This is not a policy denial: AWS rejected the credentials or the request signature.",
            "Check the access key, secret and profile in use (`aws sts get-caller-identity`), and that the clock is correct.",
        ),
        Some(NotAPolicy::NoCredentials) => (
            "This is not a policy denial: no credentials were found.",
            "Configure credentials (`aws configure`, `aws sso login`, AWS_PROFILE, or an instance/task role).",
        ),
        Some(NotAPolicy::ClockSkew) => (
            "This is not a policy denial: the machine's clock differs too much from AWS time.",
            "Synchronise the clock (NTP) and retry.",
        ),
        Some(NotAPolicy::NotSubscribed) => (
            "This is not a policy denial: the account is not subscribed to (or opted in for) this service or region.",
            "Enable the service or opt in to the region for the account, then retry.",
        ),
        None => ("This is not a policy denial.", "No policy change is needed."),
    };
    steps.push(step.to_string());
    (RemedyKind::NoPolicyChange, summary.to_string(), None)
}

fn investigate(r: &DeniedReport, catalog: &dyn ActionCatalog, steps: &mut Vec<String>) -> Plan {
    let mut unknown = Vec::new();
    if r.principal.is_none() {
        unknown.push("who made the request");
    }
    if r.action.is_none() {
        unknown.push("which action was denied");
    }
    if r.resource.is_none() && !r.details.resource_unnamed {
        unknown.push("the resource");
    }
    if r.denial == Denial::Unknown || r.policy_type == PolicyType::Unknown {
        unknown.push("which policy denied it");
    }
    let summary = if unknown.is_empty() {
        format!("{} was denied {}, but the message does not say enough to choose a fix.", who(r), action_or(r))
    } else {
        format!("The message does not say {}; find that out before changing any policy.", join_words(&unknown))
    };
    if r.principal.is_none() {
        steps.push("Learn who made the request: run `aws sts get-caller-identity` with the same credentials (same profile, environment or role) as the failing code.".into());
    }
    match (&r.action, &r.operation) {
        (Some(a), Some(op))
            if r.principal.is_none()
                || r.denial == Denial::Unknown
                    && r.policy_type == PolicyType::Unknown
                    && r.details.reason_text.is_none()
                    && !r.has_sentence_facts() =>
        {
            steps.push(format!(
                "The {op} operation needs {a}{}.",
                if r.details.other_actions.is_empty() { String::new() } else { format!(" (and {})", r.details.other_actions.join(", ")) }
            ));
        }
        (None, Some(op)) => {
            steps.push(format!("The message names only the {op} operation; `iamlens lookup SERVICE {op}` shows the IAM actions it needs."))
        }
        _ => {}
    }
    if let Some(reason) = &r.details.reason_text {
        steps.push(format!("AWS gave this reason: {reason}"));
    }
    if matches!(r.action.as_deref(), Some("sts:AssumeRoleWithWebIdentity" | "sts:AssumeRoleWithSAML")) {
        steps.push("For web identity and SAML the usual cause is the role's trust policy: it must trust the identity provider (Principal.Federated) and its conditions (e.g. token.actions.githubusercontent.com:sub / :aud) must match the token exactly: `aws iam get-role --role-name NAME --query Role.AssumeRolePolicyDocument`.".into());
    } else if r.action.as_deref() == Some("sts:AssumeRole") {
        let role_name = r
            .resource
            .as_deref()
            .and_then(Arn::parse)
            .and_then(|a| a.resource.rsplit('/').next().map(str::to_string))
            .unwrap_or_else(|| "NAME".into());
        steps.push(format!("For sts:AssumeRole the usual cause is the target role's trust policy: it must allow {} (`aws iam get-role --role-name {role_name} --query Role.AssumeRolePolicyDocument`, run in the role's account).", who(r)));
        steps.push(format!("The caller also needs an identity-based Allow for sts:AssumeRole on {}.", resource_or(r)));
    } else if r.action.as_deref().is_some_and(|a| a.starts_with("kms:")) && r.details.resource_unnamed {
        steps.push("For KMS: check that the key exists in this region and account (`aws kms describe-key --key-id KEY`), then that its key policy allows the caller.".into());
    }
    if r.principal_kind == Some(PrincipalKind::Root) {
        steps.push("The root user is never denied for lack of an identity policy: the denial comes from a resource-based policy (an explicit Deny, e.g. a bucket or key policy), or from an SCP or RCP of the organisation (member accounts).".into());
        if r.action.as_deref().is_some_and(|a| a.starts_with("s3:")) {
            steps.push("If a bucket policy locks everyone out, the root user can still delete it: `aws s3api delete-bucket-policy --bucket BUCKET` with root credentials.".into());
        }
    } else if let Some(action) = r.action.as_ref().filter(|a| !a.starts_with("sts:AssumeRole")) {
        let resource = r.resource.clone().filter(|_| !r.details.resource_is_bare).unwrap_or_else(|| {
            if catalog.supports_resource_scoping(action) == Some(false) {
                "*".into()
            } else {
                "RESOURCE_ARN".into()
            }
        });
        steps.push(format!(
            "If the cause is a missing identity-based Allow (the most common one), add {{\"Effect\": \"Allow\", \"Action\": \"{action}\", \"Resource\": \"{resource}\"}} to {}; if it still fails, check the resource's policy, permissions boundary, session policy and SCPs.",
            who(r)
        ));
    }
    // CloudTrail's event name is the API operation; most share the action's name.
    let event = r
        .operation
        .clone()
        .or_else(|| r.action.as_deref().and_then(|a| a.split_once(':')).map(|(_, n)| n.to_string()))
        .unwrap_or_else(|| "OPERATION".into());
    steps.push(format!("CloudTrail records the full denial (principal, action, resource and often the reason): `aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue={event} --max-results 5`."));
    if r.details.encoded_message.is_some() {
        steps.push("The message carries an encoded authorization failure message: re-run with --decode (needs sts:DecodeAuthorizationMessage) to see the exact principal, action, resource and conditions.".into());
    }
    (RemedyKind::Investigate, summary, None)
}

impl DeniedReport {
    /// The message stated the denial sentence itself (principal and action).
    fn has_sentence_facts(&self) -> bool {
        self.principal.is_some() && self.action.is_some()
    }
}

fn join_words(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
    }
}

/// Notes that apply to every plan: flagged bare resources, broader S3 forms,
/// masked accounts, decoded conditions.
fn common_notes(r: &DeniedReport, steps: &mut Vec<String>) {
    if r.details.resource_is_bare {
        if let Some(res) = &r.resource {
            steps.push(format!("The resource \"{res}\" is a bare name, not an ARN: pass --account and --region (or --resource-override ARN) so iamlens can build the ARN."));
        }
    }
    if !r.details.alternative_resources.is_empty() && matches!(r.remedy_kind_hint(), Some(true)) {
        steps.push(format!(
            "The statement covers exactly {}; to cover more objects use {} (via --resource-override).",
            resource_or(r),
            r.details.alternative_resources.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(" or ")
        ));
    }
    if r.details.more_denials > 0 {
        let n = r.details.more_denials;
        steps.push(format!(
            "The text holds {n} more denial{} after this one; this plan covers the first: paste the others separately once it is fixed.",
            if n == 1 { "" } else { "s" }
        ));
    }
    if r.details.account_masked {
        steps
            .push("The account id is masked in the message (API Gateway does this); use your own account id (`aws sts get-caller-identity`).".into());
    }
    if !r.details.conditions.is_empty() {
        steps.push(format!("Request context from the decoded message: {}.", r.details.conditions.join("; ")));
    }
}

impl DeniedReport {
    /// Whether the plan proposes an Allow on the resource (then broader S3 forms help).
    fn remedy_kind_hint(&self) -> Option<bool> {
        Some(
            matches!(self.policy_type, PolicyType::IdentityBased | PolicyType::ResourceBased | PolicyType::Unknown)
                && self.denial != Denial::Explicit,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{identity_allow_statement, statement_id, RemedyKind};
    use crate::denied::{analyze_with, DenialOptions, DeniedReport, NoCatalog};

    fn plan(message: &str) -> DeniedReport {
        analyze_with(message, &DenialOptions::default(), &NoCatalog).expect("a denial")
    }

    fn steps(r: &DeniedReport) -> String {
        r.remedy.steps.join("\n")
    }

    const ROLE: &str = "User: arn:aws:sts::123456789012:assumed-role/App/s is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/T";

    #[test]
    fn boundary_denials_point_at_the_boundary_of_the_role() {
        let r = plan(&format!("{ROLE} because no permissions boundary allows the dynamodb:PutItem action"));
        assert_eq!(r.remedy.kind, RemedyKind::UpdatePermissionsBoundary);
        assert!(steps(&r).contains("aws iam get-role --role-name App --query Role.PermissionsBoundary.PermissionsBoundaryArn"), "{}", steps(&r));
        assert!(r.proposed_policy.is_none() && !r.can_apply());
    }

    #[test]
    fn session_policy_denials_send_the_user_to_the_session_creator() {
        let r = plan(&format!("{ROLE} because no session policy allows the dynamodb:PutItem action"));
        assert_eq!(r.remedy.kind, RemedyKind::UpdateSessionPolicy);
        assert!(steps(&r).contains("AssumeRole"));
        assert!(r.proposed_policy.is_none());
    }

    #[test]
    fn explicit_denies_explain_conditions_and_never_allow() {
        let r = plan(&format!("{ROLE} with an explicit deny in an identity-based policy"));
        assert_eq!(r.remedy.kind, RemedyKind::RemoveExplicitDeny);
        assert!(steps(&r).contains("list-attached-role-policies --role-name App"));
        assert!(steps(&r).contains("aws:MultiFactorAuthPresent"));
        assert!(r.proposed_policy.is_none() && !r.can_apply());
    }

    #[test]
    fn scp_denials_name_the_policy_id_to_review() {
        let r = plan(&format!("{ROLE} with an explicit deny in a service control policy: arn:aws:organizations::111122223333:policy/o-x/service_control_policy/p-abc123 (NoProdWrites)"));
        assert_eq!(r.remedy.kind, RemedyKind::OrganizationPolicy);
        assert!(r.remedy.summary.contains("NoProdWrites") && r.remedy.summary.contains("administrator"), "{}", r.remedy.summary);
        assert!(steps(&r).contains("aws organizations describe-policy --policy-id p-abc123"));
    }

    #[test]
    fn trust_policy_fix_names_the_caller_role() {
        let r = plan("User: arn:aws:sts::123456789012:assumed-role/ci/gh is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/deploy because no resource-based policy allows the sts:AssumeRole action");
        assert_eq!(r.remedy.kind, RemedyKind::UpdateTrustPolicy);
        let policy = r.proposed_policy.as_ref().unwrap();
        assert_eq!(policy["Statement"][0]["Principal"]["AWS"], "arn:aws:iam::123456789012:role/ci");
        assert!(steps(&r).contains("update-assume-role-policy --role-name deploy"));
        assert!(!r.can_apply());
    }

    #[test]
    fn resource_policies_name_the_principal_and_flag_cross_account() {
        let r = plan("User: arn:aws:iam::111122223333:user/u is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:444455556666:q because no resource-based policy allows the sqs:SendMessage action");
        assert_eq!(r.remedy.kind, RemedyKind::AddResourcePolicyStatement);
        assert_eq!(r.proposed_policy.as_ref().unwrap()["Statement"][0]["Principal"]["AWS"], "arn:aws:iam::111122223333:user/u");
        assert!(steps(&r).contains("cross-account"), "{}", steps(&r));
        assert!(!r.can_apply());
    }

    #[test]
    fn anonymous_requests_are_never_opened_to_everyone() {
        let r = plan("User: anonymous is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" because no resource-based policy allows the s3:GetObject action");
        assert!(r.proposed_policy.is_none());
        assert!(steps(&r).contains("sign it"));
    }

    #[test]
    fn identity_center_roles_get_the_statement_but_no_apply() {
        let r = plan("User: arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_abc123/me is not authorized to perform: s3:ListBucket on resource: \"arn:aws:s3:::b\" because no identity-based policy allows the s3:ListBucket action");
        assert!(r.proposed_policy.is_some());
        assert!(r.apply_blocker().unwrap().contains("IAM Identity Center"));
        assert!(steps(&r).contains("permission set Dev"), "{}", steps(&r));
    }

    #[test]
    fn a_scopable_action_without_resource_is_not_applied_on_star() {
        let r = plan("User: arn:aws:iam::123456789012:user/u is not authorized to perform: s3:GetObject because no identity-based policy allows the s3:GetObject action");
        assert_eq!(r.proposed_policy.as_ref().unwrap()["Statement"][0]["Resource"], "*");
        assert!(r.apply_blocker().unwrap().contains("--resource-override"));
        let scoped = analyze_with(
            "User: arn:aws:iam::123456789012:user/u is not authorized to perform: s3:GetObject because no identity-based policy allows the s3:GetObject action",
            &DenialOptions { resource_override: Some("arn:aws:s3:::b/*".into()), ..Default::default() },
            &NoCatalog,
        )
        .unwrap();
        assert!(scoped.can_apply());
    }

    #[test]
    fn unknown_causes_say_how_to_find_out() {
        let r = plan("An error occurred (AccessDenied) when calling the PutItem operation: Access Denied");
        assert_eq!(r.remedy.kind, RemedyKind::Investigate);
        assert!(r.remedy.summary.contains("who made the request"));
        assert!(steps(&r).contains("aws sts get-caller-identity"));
        assert!(steps(&r).contains("AttributeValue=PutItem"));
    }

    #[test]
    fn an_identity_allow_names_the_action_in_its_sid_and_keeps_one_resource_a_string() {
        let one = identity_allow_statement("s3:GetObject", &["arn:aws:s3:::b/k".into()]);
        assert_eq!(one["Sid"], statement_id("s3:GetObject", "arn:aws:s3:::b/k"));
        assert_eq!(one["Effect"], "Allow");
        assert_eq!(one["Action"], "s3:GetObject");
        assert_eq!(one["Resource"], "arn:aws:s3:::b/k");
        let two = identity_allow_statement("dynamodb:GetItem", &["arn:a".into(), "arn:b".into()]);
        assert_eq!(two["Resource"], serde_json::json!(["arn:a", "arn:b"]));
        assert!(two["Sid"].as_str().unwrap().starts_with("IamlensDynamodbGetItem"));
        assert_ne!(two["Sid"], identity_allow_statement("dynamodb:GetItem", &["arn:a".into()])["Sid"]);
    }

    #[test]
    fn statement_ids_are_stable_and_iam_safe() {
        let a = statement_id("s3:GetObject", "arn:aws:s3:::b/k");
        assert_eq!(a, statement_id("s3:GetObject", "arn:aws:s3:::b/k"));
        assert_ne!(a, statement_id("s3:GetObject", "arn:aws:s3:::b/other"));
        assert!(a.starts_with("IamlensS3GetObject"));
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
