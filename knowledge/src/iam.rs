//! The IAM side of the knowledge base: actions, resource types and condition
//! keys per IAM prefix (from the service authorization reference).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything the IAM data says about one prefix (`s3`, `states`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IamPrefix {
    pub prefix: String,
    /// Human name (`Amazon S3`).
    pub service_name: String,
    /// Actions by lower-case name.
    pub actions: BTreeMap<String, ActionInfo>,
    /// Resource types by lower-case name.
    pub resource_types: BTreeMap<String, ResourceTypeInfo>,
    /// Condition keys by lower-case key.
    pub condition_keys: BTreeMap<String, ConditionKeyInfo>,
}

/// One IAM action.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActionInfo {
    /// Canonical name with prefix: `s3:GetObject`.
    pub name: String,
    /// `Read`, `Write`, `List`, `Tagging`, `Permissions management`.
    pub access_level: String,
    /// Resource types the action can be scoped to (empty: only `*`).
    pub resource_types: Vec<ActionResourceType>,
    /// Action-level condition keys.
    pub condition_keys: Vec<String>,
    /// Actions the caller must also be allowed (`iam:PassRole`, ...), canonical names.
    pub dependent_actions: Vec<String>,
}

/// A resource type as listed for an action.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActionResourceType {
    /// Resource type name (`object`).
    pub name: String,
    pub required: bool,
    /// Condition keys listed on this action row for this resource type.
    pub condition_keys: Vec<String>,
}

/// A resource type of a prefix, with its ARN template.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceTypeInfo {
    pub prefix: String,
    pub name: String,
    /// `arn:${Partition}:s3:::${BucketName}/${ObjectName}` (the first of `arn_templates`).
    pub arn_template: String,
    /// Every ARN format of the type (a few types have several, e.g. API Gateway's REST and HTTP APIs).
    pub arn_templates: Vec<String>,
    pub condition_keys: Vec<String>,
}

/// A condition key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConditionKeyInfo {
    /// Canonical key (`s3:prefix`, `aws:ResourceTag/${TagKey}`).
    pub key: String,
    /// `String`, `ARN`, `Bool`, `Numeric`, `ArrayOfString`, ...
    pub value_type: String,
}
