//! What the extractors find in a message, before normalisation. Every field is
//! optional: a fact the message does not state stays `None`.

use super::{Denial, PolicyType};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawFacts {
    /// The principal as written (`arn:aws:sts::1:assumed-role/R/s`, `anonymous`).
    pub principal: Option<String>,
    /// The action as written (`sqs:sendmessage`), or as decoded (`RunInstances`).
    pub action: Option<String>,
    /// The resource as written: an ARN, `*`, or a bare name (`policy NAME`).
    pub resource: Option<String>,
    /// The message refers to "this resource" without naming it (KMS).
    pub resource_unnamed: bool,
    /// API operation (`GetObject`) from the SDK wrapper or CloudTrail.
    pub operation: Option<String>,
    /// Service as the wrapper names it (`S3`, `Amazon S3`, `s3.amazonaws.com`).
    pub service_hint: Option<String>,
    /// AWS error code (`AccessDenied`, `Client.UnauthorizedOperation`).
    pub error_code: Option<String>,
    pub denial: Option<Denial>,
    pub policy_type: Option<PolicyType>,
    /// `…in a VPC endpoint policy transitively through a service control policy`.
    pub through_scp: bool,
    pub policy_arn: Option<String>,
    pub policy_name: Option<String>,
    /// The reason clause when it is not about a policy (S3 bucket settings).
    pub setting_reason: Option<String>,
    /// An AWS service that could not assume a role (`lambda.amazonaws.com`).
    pub trusted_service: Option<String>,
    /// Encoded EC2 authorization failure message.
    pub encoded_message: Option<String>,
    /// Context conditions from a decoded authorization message: `key = values`.
    pub conditions: Vec<String>,
    /// Further denial sentences after the one extracted (a log with several).
    pub more_denials: usize,
    /// The message carries a recognisable denial sentence (principal/action wording).
    pub has_denial_sentence: bool,
    /// The text is an AWS error that is not a policy denial; the explanation.
    pub not_a_policy: Option<NotAPolicy>,
    /// The text looks like an AWS authorization failure at all.
    pub looks_denied: bool,
}

/// An AWS error that no policy change fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAPolicy {
    BedrockModelAccess,
    ExpiredCredentials,
    InvalidCredentials,
    NoCredentials,
    ClockSkew,
    NotSubscribed,
}

impl RawFacts {
    /// Fill every fact `self` lacks from `other` (a wrapper or an outer record).
    pub fn fill_from(&mut self, other: RawFacts) {
        fn fill<T>(slot: &mut Option<T>, v: Option<T>) {
            if slot.is_none() {
                *slot = v;
            }
        }
        fill(&mut self.principal, other.principal);
        fill(&mut self.action, other.action);
        fill(&mut self.resource, other.resource);
        self.resource_unnamed |= other.resource_unnamed && self.resource.is_none();
        fill(&mut self.operation, other.operation);
        fill(&mut self.service_hint, other.service_hint);
        fill(&mut self.error_code, other.error_code);
        fill(&mut self.denial, other.denial);
        fill(&mut self.policy_type, other.policy_type);
        self.through_scp |= other.through_scp;
        fill(&mut self.policy_arn, other.policy_arn);
        fill(&mut self.policy_name, other.policy_name);
        fill(&mut self.setting_reason, other.setting_reason);
        fill(&mut self.encoded_message, other.encoded_message);
        fill(&mut self.trusted_service, other.trusted_service);
        if self.conditions.is_empty() {
            self.conditions = other.conditions;
        }
        self.has_denial_sentence |= other.has_denial_sentence;
        self.more_denials = self.more_denials.max(other.more_denials);
        fill(&mut self.not_a_policy, other.not_a_policy);
        self.looks_denied |= other.looks_denied;
    }
}
