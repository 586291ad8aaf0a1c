//! Normalisation: principal kind and fix target, canonical action casing, and
//! resources as ARNs where the message gives only a name.

use super::catalog::ActionCatalog;
use serde::Serialize;

/// What kind of identity was denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalKind {
    User,
    Role,
    /// A role session (`arn:aws:sts::…:assumed-role/Role/session`); fixes go to the role.
    AssumedRole,
    Root,
    Anonymous,
    /// An STS federated user (`arn:aws:sts::…:federated-user/name`).
    Federated,
    /// An AWS service principal (`lambda.amazonaws.com`).
    Service,
}

/// Whose policy an identity-based fix changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixTarget {
    pub kind: TargetKind,
    /// Role or user name, without path.
    pub name: String,
    /// IAM path (`/division/`) when the message shows it; `None` for roles
    /// seen through a session ARN (sessions do not show the path).
    pub path: Option<String>,
    pub account: String,
    pub partition: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Role,
    User,
}

impl FixTarget {
    /// The IAM ARN of the role or user (path `/` when unknown).
    pub fn arn(&self) -> String {
        let kind = match self.kind {
            TargetKind::Role => "role",
            TargetKind::User => "user",
        };
        format!("arn:{}:iam::{}:{kind}{}{}", self.partition, self.account, self.path.as_deref().unwrap_or("/"), self.name)
    }

    /// `role MyRole` / `user alice`, for sentences.
    pub fn describe(&self) -> String {
        match self.kind {
            TargetKind::Role => format!("role {}", self.name),
            TargetKind::User => format!("user {}", self.name),
        }
    }
}

/// A principal as the message names it, classified.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Principal {
    pub kind: Option<PrincipalKind>,
    /// 12-digit account id; `None` when absent or masked (`********1234`).
    pub account: Option<String>,
    pub partition: Option<String>,
    /// The role or user an identity policy fix applies to.
    pub target: Option<FixTarget>,
    /// The account was shown masked (API Gateway).
    pub account_masked: bool,
}

/// Classify `raw` (`arn:aws:iam::1:user/a`, `arn:aws:sts::1:assumed-role/R/s`,
/// `anonymous`, `lambda.amazonaws.com`).
pub fn principal(raw: &str) -> Principal {
    let mut p = Principal::default();
    if raw.eq_ignore_ascii_case("anonymous") || raw == "*" {
        p.kind = Some(PrincipalKind::Anonymous);
        return p;
    }
    if raw.ends_with(".amazonaws.com") {
        p.kind = Some(PrincipalKind::Service);
        return p;
    }
    let Some(arn) = Arn::parse(raw) else { return p };
    p.partition = Some(arn.partition.to_string());
    if is_account_id(arn.account) {
        p.account = Some(arn.account.to_string());
    } else {
        p.account_masked = arn.account.contains('*');
    }
    let target = |kind: TargetKind, name: &str, path: Option<String>| {
        p.account.clone().map(|account| FixTarget { kind, name: name.to_string(), path, account, partition: arn.partition.to_string() })
    };
    let (kind, target) = match (arn.service, arn.resource.split_once('/')) {
        ("iam", None) if arn.resource == "root" => (Some(PrincipalKind::Root), None),
        ("iam", Some(("user", rest))) => {
            let (path, name) = split_path(rest);
            (Some(PrincipalKind::User), target(TargetKind::User, name, Some(path)))
        }
        ("iam", Some(("role", rest))) => {
            let (path, name) = split_path(rest);
            (Some(PrincipalKind::Role), target(TargetKind::Role, name, Some(path)))
        }
        ("sts", Some(("assumed-role", rest))) => {
            let role = rest.split('/').next().unwrap_or(rest);
            (Some(PrincipalKind::AssumedRole), target(TargetKind::Role, role, None))
        }
        ("sts", Some(("federated-user", _))) => (Some(PrincipalKind::Federated), None),
        _ => (None, None),
    };
    p.kind = kind;
    p.target = target.filter(|t| !t.name.is_empty());
    p
}

/// `division/team/bob` → (`/division/team/`, `bob`).
fn split_path(rest: &str) -> (String, &str) {
    match rest.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name),
        None => ("/".to_string(), rest),
    }
}

pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The parts of an ARN (`arn:partition:service:region:account:resource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(s: &'a str) -> Option<Arn<'a>> {
        let mut parts = s.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let arn = Arn { partition: parts.next()?, service: parts.next()?, region: parts.next()?, account: parts.next()?, resource: parts.next()? };
        (!arn.partition.is_empty() && !arn.service.is_empty()).then_some(arn)
    }
}

/// Canonical IAM casing: the prefix in lowercase, the name as the catalog
/// spells it (kept as written when the catalog does not know it).
pub fn action(raw: &str, catalog: &dyn ActionCatalog) -> String {
    let (prefix, name) = raw.split_once(':').unwrap_or(("", raw));
    let lowered = format!("{}:{name}", prefix.to_ascii_lowercase());
    catalog.canonical_action(&lowered).unwrap_or(lowered)
}

/// A resource as the policy needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalResource {
    pub value: String,
    /// The message gave only a name and no ARN could be built from it.
    pub bare: bool,
    /// The ARN was built from a bare name in the message.
    pub built: bool,
}

/// Turn a bare name into an ARN when the account (and region, for regional
/// services) are known: Secrets Manager secret names, IAM `policy NAME` /
/// `role NAME` / `user NAME`, S3 bucket names.
pub fn resource(raw: &str, action_prefix: Option<&str>, partition: &str, account: Option<&str>, region: Option<&str>) -> NormalResource {
    let raw = raw.trim();
    if raw == "*" || raw.starts_with("arn:") {
        return NormalResource { value: raw.to_string(), bare: false, built: false };
    }
    let built = |value: String| NormalResource { value, bare: false, built: true };
    let (word, name) = raw.split_once(' ').map(|(w, n)| (w.to_ascii_lowercase(), n.trim())).unwrap_or_default();
    if matches!(word.as_str(), "policy" | "role" | "user" | "group" | "instance-profile") && !name.is_empty() && !name.contains(' ') {
        if let Some(account) = account {
            return built(format!("arn:{partition}:iam::{account}:{word}/{name}"));
        }
    }
    match action_prefix {
        Some("secretsmanager") if !raw.contains(' ') => {
            if let (Some(account), Some(region)) = (account, region) {
                // Secret ARNs end in a random 6-character suffix the message does not show.
                return built(format!("arn:{partition}:secretsmanager:{region}:{account}:secret:{raw}-??????"));
            }
        }
        Some("s3") if is_bucket_name(raw) => return built(format!("arn:{partition}:s3:::{raw}")),
        _ => {}
    }
    NormalResource { value: raw.to_string(), bare: true, built: false }
}

fn is_bucket_name(s: &str) -> bool {
    (3..=63).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::denied::catalog::NoCatalog;

    #[test]
    fn principals_are_classified_with_their_fix_target() {
        let p = principal("arn:aws:sts::123456789012:assumed-role/AppRole/i-0abc");
        assert_eq!(p.kind, Some(PrincipalKind::AssumedRole));
        assert_eq!(p.target.as_ref().unwrap().arn(), "arn:aws:iam::123456789012:role/AppRole");
        let p = principal("arn:aws-us-gov:iam::123456789012:user/division/team/bob");
        assert_eq!(p.kind, Some(PrincipalKind::User));
        let t = p.target.unwrap();
        assert_eq!((t.name.as_str(), t.path.as_deref()), ("bob", Some("/division/team/")));
        assert_eq!(t.arn(), "arn:aws-us-gov:iam::123456789012:user/division/team/bob");
        assert_eq!(principal("arn:aws:iam::123456789012:root").kind, Some(PrincipalKind::Root));
        assert_eq!(principal("anonymous").kind, Some(PrincipalKind::Anonymous));
        let masked = principal("arn:aws:sts::********1234:assumed-role/R/s");
        assert!(masked.account_masked && masked.account.is_none() && masked.target.is_none());
    }

    #[test]
    fn action_prefix_is_lowercased_without_a_catalog() {
        assert_eq!(action("SNS:Publish", &NoCatalog), "sns:Publish");
    }

    #[test]
    fn bare_names_become_arns_only_when_account_and_region_are_known() {
        let r = resource("prod/db", Some("secretsmanager"), "aws", Some("123456789012"), Some("eu-west-1"));
        assert_eq!(r.value, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-??????");
        let r = resource("prod/db", Some("secretsmanager"), "aws", Some("123456789012"), None);
        assert!(r.bare && r.value == "prod/db");
        let r = resource("policy MyPolicy", Some("iam"), "aws", Some("123456789012"), None);
        assert_eq!(r.value, "arn:aws:iam::123456789012:policy/MyPolicy");
    }
}
