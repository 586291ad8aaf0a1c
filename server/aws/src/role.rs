//! Read a role's effective permissions from IAM: inline policies, attached
//! managed policies (their default version) and the permissions boundary.
//! Results are cached per role and endpoint for a few minutes, so the
//! language server can check every keystroke without calling IAM each time.

use super::config::{AwsError, AwsErrorKind};
use aws_config::SdkConfig;
use aws_sdk_iam::Client;
use iamlens_engine::evaluator::{PolicyDocument, PolicySet, RolePolicies};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a role's policies are reused before IAM is asked again.
pub const CACHE_TTL: Duration = Duration::from_secs(300);

type CacheKey = (String, String);

fn cache() -> &'static Mutex<HashMap<CacheKey, (Instant, RolePolicies)>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, (Instant, RolePolicies)>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn cache_key(role_name: &str, sdk: &SdkConfig) -> CacheKey {
    let endpoint = sdk.endpoint_url().unwrap_or("").to_string();
    (role_name.to_string(), endpoint)
}

/// The role's policies, from the cache when read less than [`CACHE_TTL`] ago.
pub async fn load_role_policies(role_name: &str, sdk: &SdkConfig) -> Result<RolePolicies, AwsError> {
    let key = cache_key(role_name, sdk);
    if let Some((at, cached)) = cache().lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        if at.elapsed() < CACHE_TTL {
            return Ok(cached.clone());
        }
    }
    let fresh = fetch_role_policies(role_name, sdk).await?;
    cache().lock().unwrap_or_else(|p| p.into_inner()).insert(key, (Instant::now(), fresh.clone()));
    Ok(fresh)
}

/// Forget a cached role (after its policies were changed, e.g. by a code action).
pub fn invalidate_role_cache(role_name: &str) {
    cache().lock().unwrap_or_else(|p| p.into_inner()).retain(|(name, _), _| name != role_name);
}

/// Read the role's policies from IAM, bypassing the cache.
pub async fn fetch_role_policies(role_name: &str, sdk: &SdkConfig) -> Result<RolePolicies, AwsError> {
    let iam = Client::new(sdk);
    let role = iam.get_role().role_name(role_name).send().await.map_err(|e| role_error(role_name, AwsError::from_sdk("iam:GetRole", &e)))?;
    let role = role.role().ok_or_else(|| AwsError::new(AwsErrorKind::Other, "iam:GetRole", format!("IAM returned no role for {role_name}")))?;
    let mut set = PolicySet::default();
    for name in inline_policy_names(&iam, role_name).await? {
        let out =
            iam.get_role_policy().role_name(role_name).policy_name(&name).send().await.map_err(|e| AwsError::from_sdk("iam:GetRolePolicy", &e))?;
        set.identity.push(parse(&format!("inline policy {name}"), out.policy_document())?);
    }
    for arn in attached_policy_arns(&iam, role_name).await? {
        let document = default_version_document(&iam, &arn).await?;
        set.identity.push(parse(&arn, &document)?);
    }
    if let Some(arn) = role.permissions_boundary().and_then(|b| b.permissions_boundary_arn()) {
        let document = default_version_document(&iam, arn).await?;
        set.boundary = Some(parse(&format!("boundary {arn}"), &document)?);
    }
    Ok(RolePolicies { role_name: role_name.to_string(), role_arn: role.arn().to_string(), policies: set })
}

fn role_error(role_name: &str, e: AwsError) -> AwsError {
    if e.kind == AwsErrorKind::NotFound {
        return AwsError { message: format!("role {role_name} does not exist in this account; check the name (not the ARN) and your profile"), ..e };
    }
    e
}

async fn inline_policy_names(iam: &Client, role_name: &str) -> Result<Vec<String>, AwsError> {
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = iam
            .list_role_policies()
            .role_name(role_name)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("iam:ListRolePolicies", &e))?;
        names.extend(page.policy_names().iter().cloned());
        match page.marker().filter(|_| page.is_truncated()) {
            Some(m) => marker = Some(m.to_string()),
            None => return Ok(names),
        }
    }
}

async fn attached_policy_arns(iam: &Client, role_name: &str) -> Result<Vec<String>, AwsError> {
    let mut arns = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = iam
            .list_attached_role_policies()
            .role_name(role_name)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("iam:ListAttachedRolePolicies", &e))?;
        arns.extend(page.attached_policies().iter().filter_map(|p| p.policy_arn()).map(str::to_string));
        match page.marker().filter(|_| page.is_truncated()) {
            Some(m) => marker = Some(m.to_string()),
            None => return Ok(arns),
        }
    }
}

/// The document of a managed policy's default version (URL-decoded).
pub async fn default_version_document(iam: &Client, policy_arn: &str) -> Result<String, AwsError> {
    let policy = iam.get_policy().policy_arn(policy_arn).send().await.map_err(|e| AwsError::from_sdk("iam:GetPolicy", &e))?;
    let version = policy
        .policy()
        .and_then(|p| p.default_version_id())
        .ok_or_else(|| AwsError::new(AwsErrorKind::Other, "iam:GetPolicy", format!("IAM returned no default version for {policy_arn}")))?;
    let out = iam
        .get_policy_version()
        .policy_arn(policy_arn)
        .version_id(version)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("iam:GetPolicyVersion", &e))?;
    let document = out
        .policy_version()
        .and_then(|v| v.document())
        .ok_or_else(|| AwsError::new(AwsErrorKind::Other, "iam:GetPolicyVersion", format!("IAM returned no document for {policy_arn}")))?;
    Ok(decode_document(document))
}

fn parse(name: &str, raw: &str) -> Result<PolicyDocument, AwsError> {
    PolicyDocument::parse(name, &decode_document(raw))
        .map_err(|e| AwsError::new(AwsErrorKind::MalformedPolicy, "iam:GetPolicyVersion", format!("{e}; iamlens cannot evaluate it")))
}

/// IAM returns policy documents URL-encoded (RFC 3986); a document that is
/// already JSON is returned as is.
pub fn decode_document(raw: &str) -> String {
    if raw.trim_start().starts_with('{') {
        return raw.to_string();
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_documents_are_decoded_and_json_passes_through() {
        let raw = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(decode_document(raw), r#"{"Version":"2012-10-17","Statement":[]}"#);
        let json = r#"{"a": "50%25 + x"}"#;
        assert_eq!(decode_document(json), json);
        // A '+' stays a '+' (RFC 3986, not form encoding); a trailing '%' is kept.
        assert_eq!(decode_document("a+b%2"), "a+b%2");
        assert_eq!(decode_document("%E2%9C%93"), "✓");
    }
}
