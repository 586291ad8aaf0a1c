//! What the AccessDenied parser needs to know about AWS, behind a small trait so
//! the parser stays testable without the embedded knowledge base.

use iamlens_knowledge::{xform_name, KnowledgeBase};

/// IAM facts the parser consults: canonical action names and the actions an
/// API operation needs.
pub trait ActionCatalog {
    /// The canonical spelling of an IAM action (`sqs:sendmessage` → `sqs:SendMessage`),
    /// or `None` when the action is unknown.
    fn canonical_action(&self, action: &str) -> Option<String>;

    /// The IAM actions an API operation needs, primary action first, with the
    /// IAM prefix of the service that owns it. `service` is a hint as found in
    /// the message (`S3`, `Amazon S3`, `s3`, `s3.amazonaws.com`, `AmazonDynamoDBv2`);
    /// without it the operation must be unique across services.
    fn operation_actions(&self, service: Option<&str>, operation: &str) -> Option<OperationActions>;

    /// Whether the action can be scoped to a resource ARN (`Some(false)`:
    /// only `"Resource": "*"` works). `None` when unknown.
    fn supports_resource_scoping(&self, action: &str) -> Option<bool>;

    /// Why the action lets its holder raise privileges (`iam:PassRole`), or
    /// `None` when it does not (or is unknown).
    fn privilege_escalation(&self, _action: &str) -> Option<String> {
        None
    }
}

/// The IAM side of one API operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationActions {
    /// IAM prefix (`s3`).
    pub iam_prefix: String,
    /// Canonical actions, primary first (`["s3:GetObject"]`).
    pub actions: Vec<String>,
}

/// A catalog that knows nothing: actions keep the casing they were given, and
/// operations map to nothing. Used where no knowledge base is available.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoCatalog;

impl ActionCatalog for NoCatalog {
    fn canonical_action(&self, _action: &str) -> Option<String> {
        None
    }
    fn operation_actions(&self, _service: Option<&str>, _operation: &str) -> Option<OperationActions> {
        None
    }
    fn supports_resource_scoping(&self, _action: &str) -> Option<bool> {
        None
    }
}

/// The catalog backed by the knowledge base embedded in the binary.
pub(crate) fn embedded() -> &'static KnowledgeBase {
    KnowledgeBase::embedded()
}

impl ActionCatalog for KnowledgeBase {
    fn canonical_action(&self, action: &str) -> Option<String> {
        self.action(action).map(|a| a.name.clone())
    }

    fn operation_actions(&self, service: Option<&str>, operation: &str) -> Option<OperationActions> {
        let service = match service {
            Some(hint) => {
                let key = service_key(hint);
                self.service(&key).or_else(|| {
                    let by_prefix = self.services_for_iam_prefix(&key);
                    by_prefix.iter().find_map(|name| self.service(name).filter(|s| s.operation_by_method(operation).is_some()))
                })?
            }
            None => {
                // Without a hint the operation must name exactly one service.
                let owners = self.services_with_method(&xform_name(operation));
                match owners.as_slice() {
                    [only] => self.service(only)?,
                    _ => return None,
                }
            }
        };
        let op = service.operation_by_method(operation)?;
        if !op.requires_iam {
            return None;
        }
        let actions: Vec<String> = op.primary_actions().map(|r| r.action.clone()).collect();
        if actions.is_empty() {
            return None;
        }
        Some(OperationActions { iam_prefix: service.iam_prefix.clone(), actions })
    }

    fn supports_resource_scoping(&self, action: &str) -> Option<bool> {
        self.action(action).map(|a| !a.resource_types.is_empty())
    }

    fn privilege_escalation(&self, action: &str) -> Option<String> {
        KnowledgeBase::privilege_escalation(self, action).map(str::to_string)
    }
}

/// A service hint as printed by SDKs and CloudTrail, reduced to a lowercase
/// key without vendor words: `Amazon S3` → `s3`, `s3.amazonaws.com` → `s3`,
/// `AmazonDynamoDBv2` → `dynamodb`, `AWSSecretsManager` → `secretsmanager`.
pub fn service_key(hint: &str) -> String {
    let mut s = hint.trim().to_ascii_lowercase();
    if let Some(host) = s.strip_suffix(".amazonaws.com") {
        s = host.to_string();
    }
    let mut s: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    for vendor in ["amazon", "aws"] {
        if s.len() > vendor.len() && s.starts_with(vendor) {
            s = s[vendor.len()..].to_string();
        }
    }
    if s == "dynamodbv2" {
        s = "dynamodb".into();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::service_key;

    #[test]
    fn service_hints_reduce_to_one_key() {
        for (hint, key) in [
            ("Amazon S3", "s3"),
            ("S3", "s3"),
            ("s3.amazonaws.com", "s3"),
            ("AmazonDynamoDBv2", "dynamodb"),
            ("AWSSecretsManager", "secretsmanager"),
            ("AWS Lambda", "lambda"),
            ("Amazon SQS", "sqs"),
        ] {
            assert_eq!(service_key(hint), key, "{hint}");
        }
    }
}
