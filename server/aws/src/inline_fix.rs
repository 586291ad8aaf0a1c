//! Apply an AccessDenied fix: merge one Allow statement into the denied role's
//! or user's inline policy `iamlens-<name>`, idempotently, after checking that
//! the credentials belong to the principal's account. Also decodes encoded
//! EC2 authorization messages with sts:DecodeAuthorizationMessage.

use super::config::{load_sdk_config, AwsError, AwsErrorKind, AwsOptions};
use iamlens_engine::denied::{DeniedReport, FixTarget, TargetKind};
use serde_json::{json, Value};

/// What applying a fix did.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyOutcome {
    /// The role or user whose inline policy was (or would have been) changed.
    pub target: FixTarget,
    /// `iamlens-<name>`.
    pub policy_name: String,
    /// The statement that is now in the policy.
    pub statement: Value,
    /// False when an equivalent statement was already there (nothing written).
    pub changed: bool,
    /// The inline policy did not exist before.
    pub created: bool,
    /// Statements of the inline policy that were kept as they were.
    pub kept_statements: usize,
}

impl ApplyOutcome {
    /// One sentence for people saying what changed.
    pub fn describe(&self) -> String {
        let sid = self.statement.get("Sid").and_then(Value::as_str).unwrap_or("statement");
        if !self.changed {
            return format!("No change: inline policy {} of {} already allows this ({sid}).", self.policy_name, self.target.describe());
        }
        if self.created {
            format!("Created inline policy {} on {} with statement {sid}.", self.policy_name, self.target.describe())
        } else {
            format!(
                "Added statement {sid} to inline policy {} of {} ({} existing statement{} kept).",
                self.policy_name,
                self.target.describe(),
                self.kept_statements,
                if self.kept_statements == 1 { "" } else { "s" }
            )
        }
    }
}

/// The account the person configured for writes, and what named it (e.g.
/// `--account`, `the iamlens.account setting`, `the Account argument`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredAccount {
    pub account: String,
    pub named_by: String,
}

impl ConfiguredAccount {
    /// `account` named by `named_by`; `None` when no account is configured
    /// (absent, empty or `*`).
    pub fn new(account: Option<&str>, named_by: &str) -> Option<ConfiguredAccount> {
        let account = account.map(str::trim).filter(|a| !a.is_empty() && *a != "*")?;
        Some(ConfiguredAccount { account: account.to_string(), named_by: named_by.to_string() })
    }

    /// Refuse credentials for another account than the configured one.
    fn check(&self, caller: &str) -> Result<(), AwsError> {
        if self.account == caller {
            return Ok(());
        }
        Err(AwsError::new(
            AwsErrorKind::WrongAccount,
            "sts:GetCallerIdentity",
            format!(
                "refusing to apply: your credentials are for account {caller}, but {} says {}; switch credentials (e.g. AWS_PROFILE) or fix the account; nothing was written",
                self.named_by, self.account
            ),
        ))
    }
}

/// Merge the report's fix into the principal's inline policy. Only implicit
/// identity-based denials of a known role or user can be applied, with
/// credentials for the principal's account — and for `configured`, the
/// account the person configured, when there is one.
pub async fn apply_fix(report: &DeniedReport, opts: &AwsOptions, configured: Option<&ConfiguredAccount>) -> Result<ApplyOutcome, AwsError> {
    let (Some(target), Some(statement), Some(policy_name)) =
        (report.details.fix_target.clone(), report.fix_statement().cloned(), report.inline_policy_name())
    else {
        return Err(AwsError::new(AwsErrorKind::Other, "", not_applicable(report)));
    };
    if !report.can_apply() {
        return Err(AwsError::new(AwsErrorKind::Other, "", not_applicable(report)));
    }
    let sdk = load_sdk_config(opts).await;
    let caller = caller_account(&sdk).await?;
    if let Some(configured) = configured {
        configured.check(&caller)?;
    }
    if caller != target.account {
        return Err(AwsError::new(
            AwsErrorKind::WrongAccount,
            "sts:GetCallerIdentity",
            format!(
                "refusing to apply: your credentials are for account {caller}, but the denied principal ({}) is in account {}; use credentials (e.g. AWS_PROFILE) for account {}",
                target.describe(),
                target.account,
                target.account
            ),
        ));
    }
    merge_into_inline_policy(&sdk, target, policy_name, &statement).await
}

/// Merge `statement` into the inline policy `policy_name` of `target`
/// (created when missing) with [`merge_statement`]: idempotent, existing
/// statements kept. The caller has checked the credentials' account.
pub async fn merge_into_inline_policy(
    sdk: &aws_config::SdkConfig,
    target: FixTarget,
    policy_name: String,
    statement: &Value,
) -> Result<ApplyOutcome, AwsError> {
    let iam = aws_sdk_iam::Client::new(sdk);
    let existing = read_inline_policy(&iam, &target, &policy_name).await?;
    let created = existing.is_none();
    let merged = merge_statement(existing.as_ref(), statement).map_err(|why| {
        AwsError::new(
            AwsErrorKind::MalformedPolicy,
            put_action(&target),
            format!("inline policy {policy_name} of {}: {why}; fix or delete it, then retry", target.describe()),
        )
    })?;
    if let Some(document) = &merged.document {
        write_inline_policy(&iam, &target, &policy_name, document).await?;
    }
    Ok(ApplyOutcome {
        target,
        policy_name,
        statement: merged.statement,
        changed: merged.document.is_some(),
        created: created && merged.document.is_some(),
        kept_statements: merged.kept,
    })
}

fn not_applicable(report: &DeniedReport) -> String {
    format!("cannot apply: {}", report.apply_blocker().unwrap_or_else(|| "nothing to apply".into()))
}

fn get_action(t: &FixTarget) -> &'static str {
    match t.kind {
        TargetKind::Role => "iam:GetRolePolicy",
        TargetKind::User => "iam:GetUserPolicy",
    }
}

fn put_action(t: &FixTarget) -> &'static str {
    match t.kind {
        TargetKind::Role => "iam:PutRolePolicy",
        TargetKind::User => "iam:PutUserPolicy",
    }
}

async fn caller_account(sdk: &aws_config::SdkConfig) -> Result<String, AwsError> {
    let sts = aws_sdk_sts::Client::new(sdk);
    let out = sts.get_caller_identity().send().await.map_err(|e| AwsError::from_sdk("sts:GetCallerIdentity", &e))?;
    out.account()
        .map(str::to_string)
        .ok_or_else(|| AwsError::new(AwsErrorKind::Other, "sts:GetCallerIdentity", "sts:GetCallerIdentity returned no account id"))
}

/// The current inline policy document, `None` when there is none.
async fn read_inline_policy(iam: &aws_sdk_iam::Client, t: &FixTarget, name: &str) -> Result<Option<Value>, AwsError> {
    let raw = match t.kind {
        TargetKind::Role => iam
            .get_role_policy()
            .role_name(&t.name)
            .policy_name(name)
            .send()
            .await
            .map(|o| o.policy_document().to_string())
            .map_err(|e| AwsError::from_sdk(get_action(t), &e)),
        TargetKind::User => iam
            .get_user_policy()
            .user_name(&t.name)
            .policy_name(name)
            .send()
            .await
            .map(|o| o.policy_document().to_string())
            .map_err(|e| AwsError::from_sdk(get_action(t), &e)),
    };
    match raw {
        Ok(doc) => parse_document(&doc).map(Some).map_err(|why| {
            AwsError::new(
                AwsErrorKind::MalformedPolicy,
                get_action(t),
                format!("inline policy {name} of {} is not valid JSON ({why}); fix or delete it, then retry", t.describe()),
            )
        }),
        Err(e) if e.kind == AwsErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

async fn write_inline_policy(iam: &aws_sdk_iam::Client, t: &FixTarget, name: &str, document: &Value) -> Result<(), AwsError> {
    let body = serde_json::to_string(document).unwrap_or_default();
    let result = match t.kind {
        TargetKind::Role => iam
            .put_role_policy()
            .role_name(&t.name)
            .policy_name(name)
            .policy_document(body)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| AwsError::from_sdk(put_action(t), &e)),
        TargetKind::User => iam
            .put_user_policy()
            .user_name(&t.name)
            .policy_name(name)
            .policy_document(body)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| AwsError::from_sdk(put_action(t), &e)),
    };
    result.map_err(|mut e| {
        if e.kind == AwsErrorKind::NotFound {
            e.message = format!("{} does not exist in account {}; check the name in the message", t.describe(), t.account);
        }
        e
    })
}

/// IAM returns policy documents URL-encoded (RFC 3986); accept both forms.
pub fn parse_document(raw: &str) -> Result<Value, String> {
    let trimmed = raw.trim();
    if trimmed.starts_with('{') {
        if let Ok(v) = serde_json::from_str(trimmed) {
            return Ok(v);
        }
    }
    let decoded = percent_decode(trimmed);
    serde_json::from_str(&decoded).map_err(|e| e.to_string())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The result of merging one statement into a policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The document to write; `None` when an equivalent statement is already there.
    pub document: Option<Value>,
    /// The statement as it is in the policy (the existing one when unchanged).
    pub statement: Value,
    /// Existing statements kept.
    pub kept: usize,
}

/// Merge `statement` into `existing` (or a new document). Existing statements
/// are kept verbatim; a statement that already allows the same action on the
/// same resource (without conditions) means nothing to do.
pub fn merge_statement(existing: Option<&Value>, statement: &Value) -> Result<Merged, String> {
    let mut document = existing.cloned().unwrap_or_else(|| json!({"Version": "2012-10-17", "Statement": []}));
    let obj = document.as_object_mut().ok_or("the policy document is not a JSON object")?;
    let statements = match obj.remove("Statement") {
        None => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(single @ Value::Object(_)) => vec![single],
        Some(_) => return Err("its Statement is neither an object nor a list".into()),
    };
    if let Some(found) = statements.iter().find(|s| covers(s, statement)) {
        return Ok(Merged { document: None, statement: found.clone(), kept: statements.len() });
    }
    let mut statement = statement.clone();
    let sid = statement.get("Sid").and_then(Value::as_str).unwrap_or("Iamlens").to_string();
    let taken = |candidate: &str| statements.iter().any(|s| s.get("Sid").and_then(Value::as_str) == Some(candidate));
    if taken(&sid) {
        let free = (2..).map(|n| format!("{sid}{n}")).find(|c| !taken(c)).unwrap_or(sid.clone());
        statement["Sid"] = Value::String(free);
    }
    let kept = statements.len();
    let mut all = statements;
    all.push(statement.clone());
    obj.insert("Statement".into(), Value::Array(all));
    Ok(Merged { document: Some(document), statement, kept })
}

/// Whether `existing` already allows everything `wanted` allows.
fn covers(existing: &Value, wanted: &Value) -> bool {
    let effect = |s: &Value| s.get("Effect").and_then(Value::as_str).map(str::to_string);
    if effect(existing).as_deref() != Some("Allow")
        || existing.get("Condition").is_some()
        || existing.get("NotAction").is_some()
        || existing.get("NotResource").is_some()
    {
        return false;
    }
    let list = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            _ => Vec::new(),
        }
    };
    let have_actions = list(existing.get("Action"));
    let have_resources = list(existing.get("Resource"));
    list(wanted.get("Action")).iter().all(|a| have_actions.iter().any(|h| h.eq_ignore_ascii_case(a)))
        && list(wanted.get("Resource")).iter().all(|r| have_resources.iter().any(|h| h == r))
}

/// Decode an encoded EC2 authorization failure message; returns the decoded JSON text.
pub async fn decode_authorization_message(encoded: &str, opts: &AwsOptions) -> Result<String, AwsError> {
    let sdk = load_sdk_config(opts).await;
    let sts = aws_sdk_sts::Client::new(&sdk);
    let out = sts
        .decode_authorization_message()
        .encoded_message(encoded)
        .send()
        .await
        .map_err(|e| explain_decode_failure(AwsError::from_sdk("sts:DecodeAuthorizationMessage", &e)))?;
    out.decoded_message()
        .map(str::to_string)
        .ok_or_else(|| AwsError::new(AwsErrorKind::Other, "sts:DecodeAuthorizationMessage", "sts:DecodeAuthorizationMessage returned no message"))
}

/// Say what a failed decode needs: the permission when it was denied, else
/// how to decode by other means.
pub fn explain_decode_failure(mut err: AwsError) -> AwsError {
    match err.kind {
        AwsErrorKind::AccessDenied => {
            err.message = "cannot decode the message: your identity is not allowed sts:DecodeAuthorizationMessage; ask for an Allow of sts:DecodeAuthorizationMessage on \"*\" (it reveals only why requests were denied), or decode with credentials that have it".into();
        }
        AwsErrorKind::Other => {
            err.message = format!(
                "{}; the encoded message was not decoded: run `aws sts decode-authorization-message --encoded-message …` with other credentials and paste its output",
                err.message
            );
        }
        _ => {}
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(sid: &str, action: &str, resource: &str) -> Value {
        json!({"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource})
    }

    #[test]
    fn a_denied_decode_names_the_permission_it_needs() {
        let denied = super::super::config::from_service_code("sts:DecodeAuthorizationMessage", "AccessDenied", "");
        let e = explain_decode_failure(denied);
        assert!(e.message.contains("sts:DecodeAuthorizationMessage on \"*\""), "{}", e.message);
        let other = explain_decode_failure(AwsError::new(
            AwsErrorKind::Other,
            "sts:DecodeAuthorizationMessage",
            "sts:DecodeAuthorizationMessage failed (Unknown)",
        ));
        assert!(other.message.contains("aws sts decode-authorization-message"), "{}", other.message);
    }

    #[test]
    fn url_encoded_documents_are_decoded() {
        let v = parse_document("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D").unwrap();
        assert_eq!(v["Version"], "2012-10-17");
        assert!(parse_document("%7Bnot json").is_err());
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn merging_twice_leaves_one_statement() {
        let s = stmt("IamlensS3GetObject1", "s3:GetObject", "arn:aws:s3:::b/k");
        let first = merge_statement(None, &s).unwrap();
        let doc = first.document.unwrap();
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 1);
        let second = merge_statement(Some(&doc), &s).unwrap();
        assert!(second.document.is_none());
    }

    #[test]
    fn existing_statements_are_kept_and_sids_stay_unique() {
        let existing = json!({"Version": "2012-10-17", "Statement": {"Sid": "X", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "*"}});
        let merged = merge_statement(Some(&existing), &stmt("X", "s3:GetObject", "arn:aws:s3:::b/k")).unwrap();
        let doc = merged.document.unwrap();
        let all = doc["Statement"].as_array().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0], existing["Statement"]);
        assert_eq!(all[1]["Sid"], "X2");
        assert_eq!(merged.kept, 1);
    }

    #[test]
    fn a_broader_allow_covers_the_fix_but_a_conditional_one_does_not() {
        let broad = json!({"Statement": [{"Effect": "Allow", "Action": ["s3:getobject", "s3:PutObject"], "Resource": ["arn:aws:s3:::b/k"]}]});
        assert!(merge_statement(Some(&broad), &stmt("A", "s3:GetObject", "arn:aws:s3:::b/k")).unwrap().document.is_none());
        let conditional = json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/k", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]});
        assert!(merge_statement(Some(&conditional), &stmt("A", "s3:GetObject", "arn:aws:s3:::b/k")).unwrap().document.is_some());
    }
}
