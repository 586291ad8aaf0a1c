//! iamlens-java: the Java front-end — AWS SDK for Java v2
//! (`software.amazon.awssdk`) and v1 (`com.amazonaws`) code →
//! [`SdkCall`](iamlens_engine::model::SdkCall)s and findings.
//!
//! In the flow `source text → syntax → SDK calls → IAM requirements → policy
//! → presentation`, this crate owns the first three steps for Java: it
//! parses with tree-sitter-java, reads which SDK classes a file imports,
//! resolves which receivers are clients (declared types first, then
//! initializers, builders, factories of this file and of the project index)
//! and which operations their methods call, and hands the engine `SdkCall`s
//! through the engine's front-end traits ([`JavaFrontEnd`]); requirements
//! and policies are the engine's. Code that never imports the SDK yields nothing.
//!
//! Modules, each using only those listed before it:
//! - [`naming`]: class, package and method names derived from `serviceId`s.
//! - `syntax`: parser, node text, spans, syntax-error findings, walks;
//!   `kinds`: node kind ids for the walks.
//! - `members`: the members of the top-level types, their nodes' parents
//!   and declared names built on demand; `tables`: classes, methods,
//!   fields, assignments by name, built on demand.
//! - `types`: what a type name denotes (clients, builders, waiters, ...), through the imports.
//! - [`index`]: the facts files export to each other (client factories, constants).
//! - `lookups`: the index as one file sees it, its answers recorded.
//! - `analyzer`: per-file state, declaration lookup, scope names.
//! - `values`: argument values; `receivers`: what an expression is;
//!   `requests`: request builders → members; `operations`: method → operation rules.
//! - `facts`: what a file exports to the index.
//! - `calls`: calls → `SdkCall`s and findings; `analysis`: one file;
//!   `incremental`: one file again after an edit, reusing unchanged members.
//! - [`document`], `inert`, `front_end`: the engine's traits.

/// A field id of the Java grammar (`field!("name")`), looked up once per
/// call site: `child_by_field_name` looks the name up on every call.
macro_rules! field {
    ($name:literal) => {{
        static ID: std::sync::OnceLock<u16> = std::sync::OnceLock::new();
        *ID.get_or_init(|| crate::syntax::field_id($name))
    }};
}

mod analysis;
mod analyzer;
mod calls;
pub mod document;
mod facts;
mod front_end;
mod incremental;
pub mod index;
mod inert;
mod kinds;
mod lookups;
mod members;
pub mod naming;
mod operations;
mod receivers;
mod requests;
mod syntax;
mod tables;
mod types;
mod values;

#[cfg(test)]
mod incremental_tests;
#[cfg(test)]
mod tests;

pub use analysis::{analyze_tree, services_named};
pub use document::JavaDocument;
pub use front_end::{analyze_project_files, is_test_file, JavaFrontEnd};
pub use index::JavaIndex;
