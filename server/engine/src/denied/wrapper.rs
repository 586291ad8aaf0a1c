//! What SDKs, CLIs and log formats wrap around the AWS message: the error code,
//! the API operation and the service, plus errors that no policy causes.

use super::facts::{NotAPolicy, RawFacts};
use super::text::{floor_boundary, token_at, trim_token, Haystack};

/// Error codes that mean an authorization failure, most specific first.
const DENIAL_CODES: [&str; 9] = [
    "Client.UnauthorizedOperation",
    "UnauthorizedOperation",
    "AccessDeniedException",
    "AccessDenied",
    "AuthorizationErrorException",
    "AuthorizationError",
    "UnauthorizedAccess",
    "AllAccessDisabled",
    "Forbidden",
];

/// Errors that look like denials but no policy change fixes.
const NOT_A_POLICY: [(&str, NotAPolicy); 14] = [
    ("don't have access to the model", NotAPolicy::BedrockModelAccess),
    ("do not have access to the model", NotAPolicy::BedrockModelAccess),
    ("ExpiredToken", NotAPolicy::ExpiredCredentials),
    ("security token included in the request is expired", NotAPolicy::ExpiredCredentials),
    ("provided token has expired", NotAPolicy::ExpiredCredentials),
    ("InvalidClientTokenId", NotAPolicy::InvalidCredentials),
    ("security token included in the request is invalid", NotAPolicy::InvalidCredentials),
    ("UnrecognizedClientException", NotAPolicy::InvalidCredentials),
    ("SignatureDoesNotMatch", NotAPolicy::InvalidCredentials),
    ("Unable to locate credentials", NotAPolicy::NoCredentials),
    ("NoCredentialProviders", NotAPolicy::NoCredentials),
    ("failed to retrieve credentials", NotAPolicy::NoCredentials),
    ("RequestTimeTooSkewed", NotAPolicy::ClockSkew),
    ("OptInRequired", NotAPolicy::NotSubscribed),
];

/// Services reporting that they could not assume a role: the phrase, the
/// service principal, and what ends the role ARN that follows the phrase.
const SERVICE_ASSUME: [(&str, &str, Option<char>); 3] = [
    ("cannot be assumed by Lambda", "lambda.amazonaws.com", None),
    ("ECS was unable to assume the role '", "ecs-tasks.amazonaws.com", Some('\'')),
    ("CodeBuild is not authorized to perform: sts:AssumeRole on ", "codebuild.amazonaws.com", Some(' ')),
];

/// Scan `t` (cleaned text) for wrapper facts.
pub fn scan(t: &str) -> RawFacts {
    let h = &Haystack::new(t);
    let mut f = RawFacts::default();
    boto3(h, &mut f);
    go_v2(h, &mut f);
    java(h, &mut f);
    xml(h, &mut f);
    js_v3(h, &mut f);
    if let Some(at) = h.find("encoded authorization failure message:", 0) {
        let blob = trim_token(token_at(t, skip(t, at + "encoded authorization failure message:".len())));
        if !blob.is_empty() {
            f.encoded_message = Some(blob.to_string());
        }
        f.looks_denied = true;
    }
    if f.error_code.is_none() {
        f.error_code = DENIAL_CODES.iter().find(|c| contains_word(h, c)).map(|c| c.to_string());
    }
    if h.find("you are not authorized to perform this operation", 0).is_some() && f.error_code.is_none() {
        f.error_code = Some("UnauthorizedOperation".into());
    }
    for (phrase, service, end) in SERVICE_ASSUME {
        let Some(at) = h.find(phrase, 0) else { continue };
        f.trusted_service = Some(service.to_string());
        f.action = Some("sts:AssumeRole".into());
        f.looks_denied = true;
        if let Some(end) = end {
            let start = at + phrase.len();
            let role = until(t, start, &[end], 2048).or_else(|| Some(token_at(t, start)).filter(|s| !s.is_empty()));
            f.resource = role.map(|r| trim_token(r).to_string()).filter(|r| r.starts_with("arn:"));
        }
        break;
    }
    f.not_a_policy = NOT_A_POLICY.iter().find(|(k, _)| h.contains(k)).map(|(_, v)| *v);
    let code_denies = f.error_code.as_deref().is_some_and(|c| DENIAL_CODES.iter().any(|d| d.eq_ignore_ascii_case(c)) || c == "403");
    // Only AWS-shaped signals: "Access denied for user" (MySQL) or a bare
    // "not authorized" from another system is not an AWS denial.
    let http_403 = h.contains("status code: 403") || h.contains("statuscode: 403");
    f.looks_denied |= code_denies || t.contains("Access Denied") || (http_403 && (f.service_hint.is_some() || f.operation.is_some()));
    f
}

fn skip(t: &str, mut i: usize) -> usize {
    while t.as_bytes().get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// `needle` in `t`, not inside a longer identifier (so `AccessDenied` does not
/// match inside `AccessDeniedException`).
fn contains_word(h: &Haystack, needle: &str) -> bool {
    let t = h.text;
    let b = t.as_bytes();
    let mut from = 0;
    while let Some(at) = h.find(needle, from) {
        let end = at + needle.len();
        let before_ok = at == 0 || !b[at - 1].is_ascii_alphanumeric();
        let after_ok = end >= b.len() || !b[end].is_ascii_alphanumeric();
        if before_ok && after_ok {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The text from `start` up to the first of `ends`, within `limit` bytes.
fn until<'a>(t: &'a str, start: usize, ends: &[char], limit: usize) -> Option<&'a str> {
    let rest = &t[start..];
    let window = &rest[..floor_boundary(rest, limit)];
    let end = window.find(ends)?;
    let value = window[..end].trim();
    (!value.is_empty()).then_some(value)
}

/// boto3 / AWS CLI: `An error occurred (AccessDenied) when calling the GetObject operation: …`.
fn boto3(h: &Haystack, f: &mut RawFacts) {
    let t = h.text;
    let Some(at) = h.find("an error occurred (", 0) else { return };
    let start = at + "an error occurred (".len();
    f.error_code = until(t, start, &[')'], 100).map(str::to_string);
    if let Some(call) = h.find("when calling the ", start) {
        let op_start = call + "when calling the ".len();
        let op = token_at(t, op_start);
        if t[op_start + op.len()..].trim_start().to_ascii_lowercase().starts_with("operation") {
            f.operation = Some(trim_token(op).to_string());
        }
    }
}

/// Go SDK v2 / Terraform: `operation error S3: GetObject, https response error
/// StatusCode: 403, RequestID: …, api error AccessDenied: …`.
fn go_v2(h: &Haystack, f: &mut RawFacts) {
    let t = h.text;
    if let Some(at) = h.find("operation error ", 0) {
        let start = at + "operation error ".len();
        if let Some(service) = until(t, start, &[':'], 60) {
            f.service_hint.get_or_insert_with(|| service.to_string());
            let op_start = skip(t, start + t[start..].find(':').unwrap_or(0) + 1);
            if let Some(op) = until(t, op_start, &[',', ' '], 100) {
                f.operation.get_or_insert_with(|| op.to_string());
            }
        }
    }
    if let Some(at) = h.find("api error ", 0) {
        if let Some(code) = until(t, at + "api error ".len(), &[':'], 100) {
            if !code.contains(' ') {
                f.error_code.get_or_insert_with(|| code.to_string());
            }
        }
    }
}

/// Java v2 `(Service: S3, Status Code: 403, Request ID: …)` and Java v1
/// `(Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; …)`.
fn java(h: &Haystack, f: &mut RawFacts) {
    let t = h.text;
    if let Some(at) = h.find("(service: ", 0) {
        if let Some(service) = until(t, at + "(service: ".len(), &[',', ';', ')'], 80) {
            f.service_hint.get_or_insert_with(|| service.to_string());
        }
    }
    if let Some(at) = h.find("error code: ", 0) {
        if let Some(code) = until(t, at + "error code: ".len(), &[',', ';', ')'], 100) {
            f.error_code.get_or_insert_with(|| code.to_string());
        }
    }
}

/// XML error bodies: `<Error><Code>AccessDenied</Code><Message>…</Message></Error>`.
fn xml(h: &Haystack, f: &mut RawFacts) {
    if let Some(code) = h.between("<Code>", "</Code>") {
        let code = code.trim();
        if !code.is_empty() && code.len() <= 100 {
            f.error_code.get_or_insert_with(|| code.to_string());
        }
    }
}

/// JS v3: `AccessDeniedException: …` at the start of a line, or the printed
/// error object (`Code: 'AccessDenied'`, `name: 'AccessDeniedException'`).
fn js_v3(h: &Haystack, f: &mut RawFacts) {
    let t = h.text;
    for key in ["Code: '", "name: '", "\"Code\": \"", "\"code\": \""] {
        if let Some(at) = h.find(key, 0) {
            if let Some(code) = until(t, at + key.len(), &['\'', '"'], 100) {
                if !code.contains(' ') {
                    f.error_code.get_or_insert_with(|| code.to_string());
                    return;
                }
            }
        }
    }
    let head = token_at(t, 0);
    if let Some(code) = head.strip_suffix(':') {
        let shaped = code.ends_with("Exception") || code.ends_with("Error") || DENIAL_CODES.contains(&code);
        if shaped && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
            f.error_code.get_or_insert_with(|| code.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boto3_wrapper() {
        let f = scan("botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the HeadObject operation: Forbidden");
        assert_eq!(f.error_code.as_deref(), Some("AccessDenied"));
        assert_eq!(f.operation.as_deref(), Some("HeadObject"));
        assert!(f.looks_denied);
    }

    #[test]
    fn go_v2_wrapper() {
        let f = scan(
            "operation error S3: GetObject, https response error StatusCode: 403, RequestID: X, HostID: Y, api error AccessDenied: Access Denied",
        );
        assert_eq!(f.service_hint.as_deref(), Some("S3"));
        assert_eq!(f.operation.as_deref(), Some("GetObject"));
        assert_eq!(f.error_code.as_deref(), Some("AccessDenied"));
    }

    #[test]
    fn java_wrappers() {
        let f = scan("Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: X)");
        assert_eq!(f.service_hint.as_deref(), Some("Amazon S3"));
        assert_eq!(f.error_code.as_deref(), Some("AccessDenied"));
    }

    #[test]
    fn codes_match_whole_words() {
        let f = scan("AccessDeniedException: User: x");
        assert_eq!(f.error_code.as_deref(), Some("AccessDeniedException"));
        assert!(contains_word(&Haystack::new("(AccessDenied)"), "AccessDenied"));
        assert!(!contains_word(&Haystack::new("AccessDeniedException"), "AccessDenied"));
    }
}
