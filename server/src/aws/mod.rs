//! AWS side: upload/attach policies, read a live role, apply AccessDenied fixes.

pub mod config;
pub mod inline_fix;

pub use config::{load_sdk_config, AwsError, AwsErrorKind, AwsOptions};
