//! Infrastructure as code → what the application code cannot see: which
//! functions are deployed, which code each one runs, and what its
//! environment variables hold (a table name, a queue URL, an ARN).
//!
//! The crate knows nothing of source languages or IAM: it reads templates
//! and returns a [`Deployment`]. The engine binds environment reads in the
//! code to the [`Binding`]s found here.
//!
//! Modules:
//! - `model`: the types every reader returns.
//! - `discover`: finds templates in a tree and dispatches to a reader.
//! - `cfn`: AWS SAM and CloudFormation (YAML and JSON), intrinsic functions.
//! - `cdk`: synthesized `cdk.out` assemblies (CloudFormation plus asset metadata).
//! - `serverless`: Serverless Framework `serverless.yml`.
//! - `yaml`: a positioned YAML/JSON tree; CloudFormation short tags become long forms.
//! - `intrinsics`: CloudFormation intrinsic functions → patterns.
//! - `foreach`: `Fn::ForEach` loops (the `AWS::LanguageExtensions` transform) expanded.
//! - `names`: per-resource-type naming knowledge (name property, Ref, ARNs, generated names).
//! - `policies`: the policies the templates grant each function (through its role).
//! - `sam_templates`: SAM's policy templates (`S3ReadPolicy`, ...) from the pinned aws-sam-translator.
//! - `terraform`: `.tf` / `.tfvars` modules and `terraform show -json` output.

pub mod cdk;
pub mod cfn;
pub mod discover;
pub mod foreach;
pub mod intrinsics;
pub mod model;
pub mod names;
pub mod policies;
pub mod sam_templates;
pub mod samconfig;
pub mod serverless;
pub mod terraform;
pub mod yaml;

pub use discover::{discover, DiscoverOptions};
pub use model::*;
pub use policies::{DeclaredPolicy, FunctionPolicies, OpaquePolicy};
