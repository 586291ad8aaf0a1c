//! AWS side: upload/attach policies, read a live role, apply AccessDenied fixes.

pub mod config;
pub mod inline_fix;
pub mod role;
pub mod upload;

pub use config::{load_sdk_config, AwsError, AwsErrorKind, AwsOptions};
pub use iamlens_engine::evaluator::RolePolicies;
pub use role::{invalidate_role_cache, load_role_policies};
pub use upload::{upload_policies, UploadFailure, UploadOptions, UploadReport};
