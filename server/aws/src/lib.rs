//! iamlens-aws: the only crate that talks to AWS — upload and attach
//! policies, read a live role, apply AccessDenied fixes.
//!
//! In the flow `source text → syntax → SDK calls → IAM requirements → policy
//! → presentation`, this crate sits beside the views: they hand it what the
//! engine computed (policies, a planned fix) and it reads or writes IAM with
//! the standard AWS configuration, after the account guard.

pub mod config;
pub mod inline_fix;
pub mod role;
pub mod upload;

pub use aws_config::SdkConfig;
pub use config::{load_sdk_config, AwsError, AwsErrorKind, AwsOptions};
pub use iamlens_engine::evaluator::RolePolicies;
pub use role::{invalidate_role_cache, load_role_policies};
pub use upload::{upload_policies, UploadFailure, UploadOptions, UploadReport, DEFAULT_POLICY_PREFIX};
