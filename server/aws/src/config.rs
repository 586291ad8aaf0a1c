//! Loading the AWS SDK configuration (profile, environment, SSO) with one
//! lean TLS stack, and turning SDK errors into one sentence for people.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls;
use std::fmt;
use std::time::Duration;

/// Region used when none is configured. IAM is a global service signed in
/// us-east-1, so this only matters for STS.
const FALLBACK_REGION: &str = "us-east-1";

/// How to reach AWS. Everything left `None` comes from the usual sources
/// (environment, `~/.aws/config`, SSO cache), exactly as the AWS CLI does.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    /// Named profile (`--profile`); `None` honours `AWS_PROFILE`.
    pub profile: Option<String>,
    /// Region; `None` uses the configured one, else us-east-1.
    pub region: Option<String>,
    /// Attempts per request including the first; `None` keeps the SDK
    /// default (3, or `AWS_MAX_ATTEMPTS`). Tests use 1.
    pub max_attempts: Option<u32>,
    /// How long to wait for a TCP/TLS connection before giving up.
    pub connect_timeout: Duration,
    /// Upper bound for one attempt of one request.
    pub attempt_timeout: Duration,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            region: None,
            max_attempts: None,
            connect_timeout: Duration::from_secs(3),
            attempt_timeout: Duration::from_secs(20),
        }
    }
}

/// Load the SDK configuration. Endpoint overrides (`AWS_ENDPOINT_URL`,
/// `AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL_STS`) are honoured by aws-config.
/// Credentials are resolved lazily: a missing credential shows up as
/// [`AwsErrorKind::NoCredentials`] on the first request.
pub async fn load_sdk_config(opts: &AwsOptions) -> SdkConfig {
    let http_client =
        aws_smithy_http_client::Builder::new().tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring)).build_https();
    let timeouts = TimeoutConfig::builder().connect_timeout(opts.connect_timeout).operation_attempt_timeout(opts.attempt_timeout).build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client).timeout_config(timeouts);
    // The loader's own region chain (env, profile, IMDS) shares our HTTP
    // client; a chain built outside it would have none and panic on IMDS.
    if let Some(r) = &opts.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(n) = opts.max_attempts {
        loader = loader.retry_config(RetryConfig::standard().with_max_attempts(n.max(1)));
    }
    let sdk = loader.load().await;
    if sdk.region().is_some() {
        return sdk;
    }
    sdk.into_builder().region(Region::from_static(FALLBACK_REGION)).build()
}

/// What went wrong talking to AWS, in the categories a user can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsErrorKind {
    NoCredentials,
    ExpiredCredentials,
    /// The access key or signature was rejected.
    InvalidCredentials,
    AccessDenied,
    Throttled,
    MalformedPolicy,
    LimitExceeded,
    /// The named entity (role, policy, version) does not exist.
    NotFound,
    AlreadyExists,
    /// No connection could be made, or the endpoint did not answer in time.
    Unreachable,
    /// The account is not the one the user asked for (`--account` guard).
    WrongAccount,
    Other,
}

/// An AWS failure as one sentence naming what was wrong and what to do.
#[derive(Debug, Clone)]
pub struct AwsError {
    pub kind: AwsErrorKind,
    /// The IAM action of the failed request (`iam:CreatePolicy`).
    pub action: String,
    /// The AWS error code, when the service answered (`LimitExceeded`).
    pub code: Option<String>,
    pub message: String,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AwsError {}

impl AwsError {
    pub fn new(kind: AwsErrorKind, action: impl Into<String>, message: impl Into<String>) -> Self {
        AwsError { kind, action: action.into(), code: None, message: message.into() }
    }

    /// Classify an SDK error of the request for `action` (`iam:GetRolePolicy`).
    pub fn from_sdk<E, R>(action: &str, err: &SdkError<E, R>) -> AwsError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug + 'static,
    {
        match err {
            SdkError::ServiceError(service) => {
                let e = service.err();
                let code = e.code().unwrap_or("Unknown").to_string();
                let detail = e.message().unwrap_or("").to_string();
                let mut out = from_service_code(action, &code, &detail);
                out.code = Some(code);
                out
            }
            SdkError::TimeoutError(_) => AwsError::new(
                AwsErrorKind::Unreachable,
                action,
                format!("{action} timed out: the AWS endpoint did not answer; check your network or AWS_ENDPOINT_URL"),
            ),
            SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => AwsError::new(
                AwsErrorKind::Unreachable,
                action,
                format!("cannot reach the AWS endpoint for {action} ({}); check your network or AWS_ENDPOINT_URL", root_cause(err)),
            ),
            _ => from_chain(action, err),
        }
    }
}

/// Errors raised before or without a service answer: most often credentials.
fn from_chain(action: &str, err: &(dyn std::error::Error + 'static)) -> AwsError {
    let chain = format!("{}", DisplayErrorContext(err));
    let lower = chain.to_ascii_lowercase();
    if lower.contains("no providers in chain provided credentials")
        || lower.contains("credentialsnotloaded")
        || lower.contains("credentials not loaded")
        || lower.contains("failed to load credentials")
        || lower.contains("no credentials")
    {
        return AwsError::new(
            AwsErrorKind::NoCredentials,
            action,
            format!("no AWS credentials found for {action}; run `aws configure` or `aws sso login`, or set AWS_PROFILE / AWS_ACCESS_KEY_ID"),
        );
    }
    if lower.contains("token has expired") || lower.contains("expired") && lower.contains("sso") {
        return AwsError::new(
            AwsErrorKind::ExpiredCredentials,
            action,
            format!("your AWS credentials have expired ({action}); run `aws sso login` or refresh them"),
        );
    }
    if lower.contains("connection refused") || lower.contains("dns error") || lower.contains("timed out") || lower.contains("timeout") {
        return AwsError::new(
            AwsErrorKind::Unreachable,
            action,
            format!("cannot reach the AWS endpoint for {action} ({}); check your network or AWS_ENDPOINT_URL", root_cause(err)),
        );
    }
    AwsError::new(AwsErrorKind::Other, action, format!("{action} failed: {}", root_cause(err)))
}

/// The innermost error message, which is the one that says what happened.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Map an AWS error code to its category and sentence.
pub fn from_service_code(action: &str, code: &str, detail: &str) -> AwsError {
    use AwsErrorKind::*;
    let detail_suffix = if detail.is_empty() { String::new() } else { format!(": {detail}") };
    let (kind, message) = match code {
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired" => {
            (ExpiredCredentials, format!("your AWS credentials have expired ({action}); run `aws sso login` or refresh them"))
        }
        "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException" | "IncompleteSignature" => {
            (InvalidCredentials, format!("AWS rejected your credentials for {action} ({code}); check the access key, secret and profile"))
        }
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "UnauthorizedAccess" => {
            (AccessDenied, format!("access denied: your identity is not allowed to call {action}; grant it {action} or use another profile"))
        }
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequestsException" | "RequestThrottled" => {
            (Throttled, format!("AWS throttled {action}; wait a moment and retry"))
        }
        "MalformedPolicyDocument" | "MalformedPolicyDocumentException" => {
            (MalformedPolicy, format!("IAM rejected the policy document as malformed ({action}){detail_suffix}"))
        }
        "LimitExceeded" | "LimitExceededException" => (LimitExceeded, format!("an IAM quota was exceeded ({action}){detail_suffix}")),
        "NoSuchEntity" | "NoSuchEntityException" => (NotFound, format!("{action}: not found{detail_suffix}")),
        "EntityAlreadyExists" | "EntityAlreadyExistsException" => (AlreadyExists, format!("{action}: already exists{detail_suffix}")),
        _ => (Other, format!("{action} failed ({code}){detail_suffix}")),
    };
    AwsError { kind, action: action.to_string(), code: Some(code.to_string()), message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_codes_map_to_one_sentence_each() {
        let cases = [
            ("ExpiredToken", AwsErrorKind::ExpiredCredentials),
            ("AccessDenied", AwsErrorKind::AccessDenied),
            ("Throttling", AwsErrorKind::Throttled),
            ("MalformedPolicyDocument", AwsErrorKind::MalformedPolicy),
            ("LimitExceeded", AwsErrorKind::LimitExceeded),
            ("NoSuchEntity", AwsErrorKind::NotFound),
            ("InvalidClientTokenId", AwsErrorKind::InvalidCredentials),
            ("SomethingNew", AwsErrorKind::Other),
        ];
        for (code, kind) in cases {
            let e = from_service_code("iam:CreatePolicy", code, "");
            assert_eq!(e.kind, kind, "{code}");
            assert!(!e.message.contains('\n'), "{code}: {}", e.message);
        }
    }

    #[test]
    fn access_denied_names_the_action() {
        let e = from_service_code("iam:PutRolePolicy", "AccessDenied", "User x is not authorized");
        assert!(e.message.contains("iam:PutRolePolicy"), "{}", e.message);
    }

    #[test]
    fn missing_credentials_are_recognised_in_the_error_chain() {
        #[derive(Debug)]
        struct Inner;
        impl fmt::Display for Inner {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("no providers in chain provided credentials")
            }
        }
        impl std::error::Error for Inner {}
        let e = from_chain("sts:GetCallerIdentity", &Inner);
        assert_eq!(e.kind, AwsErrorKind::NoCredentials);
        assert!(e.message.contains("aws configure"));
    }

    fn service_error(code: &str, message: &str) -> SdkError<aws_sdk_iam::operation::create_policy::CreatePolicyError, ()> {
        let meta = aws_sdk_iam::error::ErrorMetadata::builder().code(code).message(message).build();
        SdkError::service_error(aws_sdk_iam::operation::create_policy::CreatePolicyError::generic(meta), ())
    }

    #[test]
    fn sdk_service_errors_are_classified_by_their_code() {
        let e = AwsError::from_sdk("iam:CreatePolicy", &service_error("MalformedPolicyDocument", "Syntax errors in policy."));
        assert_eq!(e.kind, AwsErrorKind::MalformedPolicy);
        assert_eq!(e.code.as_deref(), Some("MalformedPolicyDocument"));
        assert_eq!(e.message, "IAM rejected the policy document as malformed (iam:CreatePolicy): Syntax errors in policy.");
        let e = AwsError::from_sdk("iam:CreatePolicy", &service_error("LimitExceeded", "Cannot exceed quota for PoliciesPerAccount: 1500"));
        assert_eq!(e.kind, AwsErrorKind::LimitExceeded);
        assert!(e.message.contains("PoliciesPerAccount"), "{}", e.message);
        let e = AwsError::from_sdk("iam:CreatePolicy", &service_error("Throttling", "Rate exceeded"));
        assert_eq!(e.message, "AWS throttled iam:CreatePolicy; wait a moment and retry");
        let e = AwsError::from_sdk("iam:CreatePolicy", &service_error("ExpiredToken", "The security token included in the request is expired"));
        assert_eq!(e.kind, AwsErrorKind::ExpiredCredentials);
    }

    #[test]
    fn timeouts_are_reported_as_unreachable() {
        let err: SdkError<aws_sdk_iam::operation::create_policy::CreatePolicyError, ()> = SdkError::timeout_error("attempt timeout");
        let e = AwsError::from_sdk("iam:CreatePolicy", &err);
        assert_eq!(e.kind, AwsErrorKind::Unreachable);
        assert!(e.message.contains("timed out"), "{}", e.message);
    }

    #[tokio::test]
    async fn unreachable_endpoint_fails_fast_with_a_clear_message() {
        // Port 9 on localhost: nothing listens there, the connection is refused.
        let sdk = load_sdk_config(&AwsOptions { max_attempts: Some(1), ..Default::default() }).await;
        let conf = aws_sdk_sts::config::Builder::from(&sdk)
            .endpoint_url("http://127.0.0.1:9")
            .credentials_provider(aws_sdk_sts::config::Credentials::new("AKID", "SECRET", None, None, "test"))
            .build();
        let client = aws_sdk_sts::Client::from_conf(conf);
        let err = client.get_caller_identity().send().await.unwrap_err();
        let e = AwsError::from_sdk("sts:GetCallerIdentity", &err);
        assert_eq!(e.kind, AwsErrorKind::Unreachable, "{}", e.message);
        assert!(e.message.contains("AWS_ENDPOINT_URL"));
    }
}
