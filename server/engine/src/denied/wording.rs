//! The core denial sentence, in every wording AWS uses:
//! `User: <principal> is not authorized to perform: <action> [on resource: <resource>] [<reason>]`.

use super::facts::RawFacts;
use super::text::{floor_boundary, starts_with_ci, token_at, trim_token, Haystack, MAX_TOKEN};
use super::{Denial, PolicyType};

const PHRASE: &str = "not authorized to perform";

/// Phrases that end the resource part of the sentence.
const RESOURCE_ENDS: [&str; 10] = [
    " because",
    " with an explicit deny",
    " with an implicit deny",
    ". ",
    " (Service:",
    " (Status Code",
    "\"",
    "<",
    " Encoded authorization",
    ", status code",
];

/// Policy types as AWS names them in the reason clause, longest first where
/// one is a prefix of another.
const POLICY_TYPES: [(&str, PolicyType); 13] = [
    ("identity-based policy", PolicyType::IdentityBased),
    ("identity based policy", PolicyType::IdentityBased),
    ("resource-based policy", PolicyType::ResourceBased),
    ("resource based policy", PolicyType::ResourceBased),
    ("service control policy", PolicyType::ServiceControlPolicy),
    ("resource control policy", PolicyType::ResourceControlPolicy),
    ("permissions boundary", PolicyType::PermissionsBoundary),
    ("permission boundary", PolicyType::PermissionsBoundary),
    ("session policy", PolicyType::SessionPolicy),
    ("vpc endpoint policy", PolicyType::VpcEndpointPolicy),
    ("role trust policy", PolicyType::RoleTrustPolicy),
    ("trust policy", PolicyType::RoleTrustPolicy),
    ("scp", PolicyType::ServiceControlPolicy),
];

/// Find the first denial sentence that names an action and extract its facts.
pub fn parse(t: &str) -> RawFacts {
    let h = Haystack::new(t);
    let mut facts = RawFacts::default();
    let mut from = 0;
    while let Some(at) = h.find(PHRASE, from) {
        from = at + PHRASE.len();
        facts.looks_denied = true;
        let mut i = skip_spaces(t, from);
        if t[i..].starts_with(':') {
            i = skip_spaces(t, i + 1);
        }
        let action = trim_token(token_at(t, i));
        if !is_action(action) {
            continue;
        }
        facts.has_denial_sentence = true;
        facts.principal = principal_before(t, at);
        facts.action = Some(action.to_string());
        let after_action = i + token_at(t, i).len();
        let reason_at = resource_after(&h, after_action, &mut facts);
        reason(&h, reason_at, &mut facts);
        let mut next = reason_at;
        while let Some(again) = h.find(PHRASE, next) {
            next = again + PHRASE.len();
            let j = skip_spaces(t, if t[next..].starts_with(':') { next + 1 } else { next });
            if is_action(trim_token(token_at(t, skip_spaces(t, j)))) {
                facts.more_denials += 1;
            }
        }
        return facts;
    }
    // "User: arn:... is not authorized to access this resource" (API Gateway).
    if let Some(at) = h.find("not authorized to access this resource", 0) {
        facts.looks_denied = true;
        facts.principal = principal_before(t, at);
        facts.resource_unnamed = true;
    }
    facts
}

fn skip_spaces(t: &str, mut i: usize) -> usize {
    while t.as_bytes().get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// `prefix:Name` where the prefix is a plausible IAM service prefix.
pub fn is_action(s: &str) -> bool {
    let Some((prefix, name)) = s.split_once(':') else { return false };
    !prefix.is_empty()
        && prefix.len() <= 40
        && prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'-' || b == b'_')
}

/// The principal named before `is not authorized`: the token before `is`,
/// when it is an ARN, `anonymous` or a service principal.
fn principal_before(t: &str, at: usize) -> Option<String> {
    let window_start = floor_boundary(t, at.saturating_sub(MAX_TOKEN + 8));
    let before = t[window_start..at].trim_end();
    let before = before.strip_suffix("is").or_else(|| before.strip_suffix("Is"))?;
    if !before.ends_with(' ') {
        return None;
    }
    let before = before.trim_end();
    let start = before.rfind(' ').map(|p| p + 1).unwrap_or(0);
    let mut token = trim_token(&before[start..]);
    if token.len() > 5 && starts_with_ci(token, 0, "user:") {
        token = &token[5..];
    }
    let lower = token.to_ascii_lowercase();
    let plausible = lower.starts_with("arn:") || lower == "anonymous" || lower.ends_with(".amazonaws.com");
    plausible.then(|| token.to_string())
}

/// Read `on resource: X` / `on this resource` after the action; returns where
/// the reason clause starts.
fn resource_after(h: &Haystack, after_action: usize, facts: &mut RawFacts) -> usize {
    let t = h.text;
    let mut i = skip_spaces(t, after_action);
    if h.starts_with(i, "on this resource") {
        facts.resource_unnamed = true;
        return i + "on this resource".len();
    }
    if !h.starts_with(i, "on resource") {
        return after_action;
    }
    i += "on resource".len();
    if t[i..].starts_with('s') {
        i += 1;
    }
    if t[i..].starts_with(':') {
        i += 1;
    }
    i = skip_spaces(t, i);
    if let Some(quoted) = t[i..].strip_prefix('"') {
        if let Some(close) = quoted.find('"') {
            let value = quoted[..close].trim();
            if !value.is_empty() {
                facts.resource = Some(value.to_string());
            }
            return i + 1 + close + 1;
        }
    }
    let end = RESOURCE_ENDS.iter().filter_map(|e| h.find(e, i)).min().unwrap_or(t.len());
    let value = t[i..end].trim().trim_end_matches(['.', ',', ';', ')']).trim();
    if !value.is_empty() {
        facts.resource = Some(value.to_string());
    }
    end
}

/// Classify the reason clause: implicit/explicit, which policy type, its ARN
/// and name, or a bucket setting.
fn reason(h: &Haystack, at: usize, facts: &mut RawFacts) {
    let t = h.text;
    let mut i = skip_spaces(t, at);
    if h.starts_with(i, "because no ") {
        facts.denial = Some(Denial::Implicit);
        i += "because no ".len();
        policy_type_at(h, i, facts);
    } else if h.starts_with(i, "with an explicit deny") {
        facts.denial = Some(Denial::Explicit);
        i += "with an explicit deny".len();
        i = skip_spaces(t, i);
        for word in ["in a ", "in an ", "in the ", "in "] {
            if h.starts_with(i, word) {
                i += word.len();
                break;
            }
        }
        policy_type_at(h, i, facts);
    } else if h.starts_with(i, "because") {
        let clause = sentence_from(t, i);
        let lower = clause.to_ascii_lowercase();
        if ["block public access", "blockpublic", "public access", "encryption", "object ownership", "acls are disabled"]
            .iter()
            .any(|k| lower.contains(k))
        {
            facts.policy_type = Some(PolicyType::BucketSetting);
            facts.denial = Some(Denial::Explicit);
        }
        // Other reasons (KMS: "the resource does not exist in this Region, no
        // resource-based policies allow access, or … explicitly denies access")
        // list possibilities, so the denial stays unknown.
        facts.setting_reason = Some(clause.to_string());
    }
}

/// The policy type phrase at `i`, then an optional `transitively through …`,
/// `: <policy ARN>` and ` (<name>)`.
fn policy_type_at(h: &Haystack, i: usize, facts: &mut RawFacts) {
    let t = h.text;
    let Some((phrase, kind)) = POLICY_TYPES.iter().find(|(p, _)| h.starts_with(i, p)) else {
        facts.setting_reason = Some(sentence_from(t, i).to_string());
        return;
    };
    facts.policy_type = Some(*kind);
    let mut j = i + phrase.len();
    if h.starts_with(j, " transitively through a service control policy") {
        facts.through_scp = true;
        j += " transitively through a service control policy".len();
    }
    if !t[j..].starts_with(':') {
        return;
    }
    j = skip_spaces(t, j + 1);
    let arn = trim_token(token_at(t, j));
    if !arn.starts_with("arn:") {
        return;
    }
    facts.policy_arn = Some(arn.to_string());
    j = skip_spaces(t, j + token_at(t, j).len());
    if let Some(rest) = t[j..].strip_prefix('(') {
        if let Some(close) = rest.find(')') {
            let name = rest[..close].trim();
            if !name.is_empty() && name.len() <= 128 && !name.contains(' ') {
                facts.policy_name = Some(name.to_string());
            }
        }
    }
}

/// The clause from `i` to the end of its sentence, at most 300 bytes.
fn sentence_from(t: &str, i: usize) -> &str {
    let rest = &t[i..];
    let mut end = rest.find(". ").map(|e| e + 1).unwrap_or(rest.len()).min(300);
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    rest[..end].trim_end_matches(['"', '<', ' '])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modern_wording_with_policy_arn_and_name() {
        let f = parse("User: arn:aws:iam::123456789012:user/dev/ana is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::b/k\" with an explicit deny in a service control policy: arn:aws:organizations::111122223333:policy/o-abc/service_control_policy/p-123 (DenyS3Writes)");
        assert_eq!(f.principal.as_deref(), Some("arn:aws:iam::123456789012:user/dev/ana"));
        assert_eq!(f.action.as_deref(), Some("s3:PutObject"));
        assert_eq!(f.resource.as_deref(), Some("arn:aws:s3:::b/k"));
        assert_eq!(f.denial, Some(Denial::Explicit));
        assert_eq!(f.policy_type, Some(PolicyType::ServiceControlPolicy));
        assert_eq!(f.policy_arn.as_deref(), Some("arn:aws:organizations::111122223333:policy/o-abc/service_control_policy/p-123"));
        assert_eq!(f.policy_name.as_deref(), Some("DenyS3Writes"));
    }

    #[test]
    fn old_wording_without_reason() {
        let f = parse("User: arn:aws:iam::1:user/x is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::2:role/y");
        assert_eq!(f.resource.as_deref(), Some("arn:aws:iam::2:role/y"));
        assert_eq!(f.denial, None);
        assert_eq!(f.policy_type, None);
    }

    #[test]
    fn ec2_generic_sentence_is_skipped_for_the_specific_one() {
        let f = parse("You are not authorized to perform this operation. User: arn:aws:iam::1:user/x is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:1:instance/* because no identity-based policy allows the ec2:RunInstances action. Encoded authorization failure message: abc");
        assert_eq!(f.action.as_deref(), Some("ec2:RunInstances"));
        assert_eq!(f.resource.as_deref(), Some("arn:aws:ec2:us-east-1:1:instance/*"));
        assert_eq!(f.policy_type, Some(PolicyType::IdentityBased));
        assert_eq!(f.denial, Some(Denial::Implicit));
    }

    #[test]
    fn bare_resource_names_with_spaces_are_kept() {
        let f = parse("User: arn:aws:iam::1:user/x is not authorized to perform: iam:GetPolicy on resource: policy MyPolicy because no identity-based policy allows the iam:GetPolicy action");
        assert_eq!(f.resource.as_deref(), Some("policy MyPolicy"));
    }
}
