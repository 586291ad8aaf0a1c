//! Deployed functions: what the infrastructure code says runs where.
//!
//! [`deployed_functions`] joins a [`Deployment`] (what the templates say) with
//! the source files of a run: for each function, the files its handler
//! reaches and the [`Environment`] its variables hold. [`per_function`] then
//! derives each function's requirements from the one project-wide analysis,
//! with that function's environment bound, so two functions sharing a module
//! but wired to different tables get different ARNs.
//!
//! Modules: `code` (function → its files), `bind` (template values → the
//! engine's environment), `reports` (analyses → reports per function),
//! `project` (a whole run: sources + templates → the policy envelope),
//! `deploy` (templates → the policy of the principal that deploys them).

mod bind;
mod code;
mod deploy;
mod project;
mod reports;

pub use bind::environment_of;
pub use code::{deployed_functions, DeployedFunction};
pub use deploy::{deploy_policy, DeployOptions, DeployPolicy, TerraformCoverage, STACK_ACTIONS};
pub use iamlens_iac::{discover, Context, Deployment, DiscoverOptions, Framework, Function, FunctionPolicies, OpaquePolicy};
pub use project::{read_templates, run_from_reports, run_project, run_project_bound, IacOptions, ProjectRun};
pub use reports::{per_function, per_function_from_reports, FunctionReports};
