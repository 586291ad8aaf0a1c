//! SdkCall → IAM Requirements: actions, bound resource ARNs, conditions.

use crate::model::{Finding, Requirement, RequirementSettings, SdkCall};

/// What the requirements stage derives from a file's calls.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    pub requirements: Vec<Requirement>,
    /// `DynamicResource` findings: resources that kept a wildcard because a value is only known at run time.
    pub findings: Vec<Finding>,
}

/// Requirements for `calls` (those whose service `service_hints` keeps; all when empty).
pub fn requirements_for_calls(calls: &[SdkCall], settings: &RequirementSettings, service_hints: &[String]) -> Derived {
    let _ = (calls, settings, service_hints);
    Derived::default()
}
