//! Local IAM policy evaluator (verify generated policies, check against a live
//! role). Pure: no network, no clock. It follows the IAM policy evaluation
//! logic for identity-based policies and permissions boundaries, and answers
//! "depends" rather than guessing when a condition key, a policy variable or
//! part of a resource name is only known at run time.

mod check;
mod condition;
mod context;
mod decide;
mod document;
mod excess;
pub(crate) mod glob;
mod tri;

pub use check::{
    check_requirements, check_requirements_for_role, check_requirements_in, check_requirements_known, combine, verify, verify_in_account,
    verify_with_catalog, ActionCatalog, CheckOutcome, ResourceDecision, RolePolicies, UnneededGrant, VerifyFailure, VerifyReport,
};
pub use context::Context;
pub use decide::{evaluate, Decision, PolicySet, Request, StatementRef};
pub use document::{ConditionTest, Effect, PatternList, PolicyDocument, PolicyError, Statement};
pub use excess::{excess_grants, excess_grants_with_catalog, BroaderResource, ExcessGrant};
