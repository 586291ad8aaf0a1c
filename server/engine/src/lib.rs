//! iamlens-engine: everything between a front-end's SDK calls and what a
//! view presents, and nothing that talks to an editor, an agent or AWS.
//!
//! In the flow `source text → syntax → SDK calls → IAM requirements → policy
//! → presentation`, this crate owns the middle: [`front_end`] (the traits
//! each language crate implements: source text → [`model::SdkCall`]s),
//! [`requirements`] (calls → IAM actions, bound ARNs, conditions), [`policy`]
//! (requirements → policy documents), and the facade the views call — one
//! file → its [`FileReport`] ([`report_for_document`], [`report_for_range`]),
//! a project → reports ([`analyze_paths`]), reports → the `generate-policies`
//! envelope ([`generate`]). Beside the flow, and pure too: [`evaluator`] (a
//! local IAM policy evaluator), [`denied`] (AccessDenied parsing and remedy
//! planning), [`carry_over`] (reports kept across edits that cannot change
//! them), [`lookup`], [`role_check`] and [`drift`] (missing and excess grants).

pub mod carry_over;
pub mod catalog;
pub mod denied;
pub mod drift;
pub mod edited_tree;
pub mod environment;
pub mod evaluator;
mod files;
pub mod front_end;
#[cfg(feature = "test-support")]
pub mod golden;
pub mod last_analysis;
pub mod lookup;
pub mod model;
mod output;
pub mod parallel;
pub mod policy;
pub mod project_config;
mod report;
pub mod requirements;
pub mod role_check;
mod run;
pub mod settings;
pub mod syntax;

pub use files::{collect_source_files, module_path, read_source, unread_language, walk_source_files, WalkLimits, WalkOptions, Walked};
pub use output::{explain, generate, warnings, Explanation, GenerateOutput, Warning};
pub use policy::PolicyOptions;
pub use report::*;
pub use run::{analyses_within, analyze_paths, analyze_paths_within};
