//! SdkCall → IAM Requirements: actions, bound resource ARNs, conditions.
