//! `generate_policy_for_access_denied` (peer-compatible): a pasted
//! AccessDenied error → who was denied what, by which kind of policy, and the
//! remedy that can work (with the policy to add, when an Allow can fix it).
//! Pure: nothing is sent to AWS.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use iamlens_engine::denied::{self, DenialOptions, DenialParseError, DeniedReport};

use super::{ToolError, ToolResult};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AccessDeniedInput {
    /// The AccessDenied error as printed (CLI, SDK exception, CloudTrail record, console).
    pub error_message: String,
    /// Account id used to turn a bare resource name into an ARN.
    #[serde(default)]
    pub account: Option<String>,
    /// Region used to turn a bare resource name into an ARN.
    #[serde(default)]
    pub region: Option<String>,
    /// Use this resource ARN instead of the one in the message.
    #[serde(default)]
    pub resource_override: Option<String>,
}

/// The `fix-access-denied --json` shape.
pub fn report_schema() -> Value {
    let text = json!({"type": ["string", "null"]});
    json!({
        "type": "object",
        "required": ["Principal", "Action", "Resource", "Denial", "PolicyType", "Remedy", "ProposedPolicy"],
        "properties": {
            "Principal": text, "PrincipalKind": text, "Account": text, "Action": text,
            "Resource": text, "Operation": text, "PolicyArn": text,
            "Denial": {"enum": ["implicit", "explicit", "unknown"]},
            "PolicyType": {"type": "string"},
            "Remedy": {
                "type": "object",
                "required": ["Kind", "Summary", "Steps"],
                "properties": {
                    "Kind": {"type": "string"},
                    "Summary": {"type": "string"},
                    "Steps": {"type": "array", "items": {"type": "string"}}
                }
            },
            "ProposedPolicy": {"type": ["object", "null"]}
        }
    })
}

pub fn output_schema() -> Value {
    report_schema()
}

/// Parse and plan; argument problems name the argument.
pub fn analyze(input: &AccessDeniedInput) -> Result<DeniedReport, ToolError> {
    let options = DenialOptions {
        account: input.account.clone().filter(|a| !a.trim().is_empty()),
        region: input.region.clone().filter(|r| !r.trim().is_empty()),
        resource_override: input.resource_override.clone().filter(|r| !r.trim().is_empty()),
    };
    denied::analyze(&input.error_message, &options).map_err(|err| match err {
        DenialParseError::Empty | DenialParseError::NotAnAwsError => ToolError::bad("ErrorMessage", err.to_string()),
        DenialParseError::BadResourceOverride(value) => {
            ToolError::bad("ResourceOverride", format!("`{value}` is not an ARN; give a full ARN such as arn:aws:s3:::my-bucket/*"))
        }
    })
}

pub fn report_json(report: &DeniedReport) -> Value {
    serde_json::to_value(report).unwrap_or_else(|e| json!({ "error": e.to_string() }))
}

pub fn run(input: AccessDeniedInput) -> ToolResult {
    analyze(&input).map(|report| report_json(&report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(message: &str) -> AccessDeniedInput {
        AccessDeniedInput { error_message: message.into(), account: None, region: None, resource_override: None }
    }

    #[test]
    fn text_that_is_not_an_aws_error_is_a_bad_error_message() {
        assert!(matches!(run(input("hello world")), Err(ToolError::BadArgument { argument: "ErrorMessage", .. })));
        assert!(matches!(run(input("  ")), Err(ToolError::BadArgument { argument: "ErrorMessage", .. })));
    }

    #[test]
    fn bad_override_is_named() {
        let mut i = input("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action");
        i.resource_override = Some("bucket".into());
        assert!(matches!(run(i), Err(ToolError::BadArgument { argument: "ResourceOverride", .. })));
    }

    #[test]
    fn identity_denial_proposes_the_allow() {
        let out = run(input("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action")).unwrap();
        assert_eq!(out["Action"], "s3:GetObject");
        assert_eq!(out["Denial"], "implicit");
        assert_eq!(out["PolicyType"], "identity-based");
        assert!(out["ProposedPolicy"]["Statement"].is_array(), "{out}");
    }
}
