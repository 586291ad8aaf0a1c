//! iamlens-python: the Python front-end — boto3 / botocore / aioboto3 /
//! aiobotocore code → [`SdkCall`](iamlens_engine::model::SdkCall)s.
//!
//! In the flow `source text → syntax → SDK calls → IAM requirements → policy
//! → presentation`, this crate owns the first three steps for Python: it
//! parses with tree-sitter, resolves which receivers are AWS clients and
//! which operations they call, and hands the engine `SdkCall`s through the
//! engine's front-end traits ([`PythonFrontEnd`]); requirements and policies
//! are the engine's.
//!
//! - [`document`]: text + tree-sitter tree, edited incrementally.
//! - [`index`]: facts other files of the project export (clients, factories, constants).
//!
//! Inside, modules are layered; each uses only modules listed before it:
//! - `syntax`, `symbols`, `catalog_cache`: tree helpers, abstract values, services.
//! - `scope` (frames, environments), `project_view` (what the analysis reads of
//!   the index), `imports` (which names an import binds; whether a file is AWS code).
//! - `analyzer`: per-file state and name lookup.
//! - `values` (argument values), `resources_api`, `resolve` (receiver
//!   resolution), `import_syms`, `calls` (calls → SdkCalls/findings),
//!   `decorators` (clients decorators inject), `walker` (statements in
//!   order), `callers` (parameters bound from their call sites), `facts` (what definitions return/hold).
//! - `incremental`, `document`, `index`, `analysis` (the entry points), `project`,
//!   `inert`, `front_end`.
//!
//! The steps lower modules need from higher ones go through traits declared
//! low and implemented high: `analyzer::Eval` (in `resolve`),
//! `analyzer::DefinitionFacts` (in `facts`), `project_view::ProjectView` (in `index`).

mod analysis;
mod analyzer;
mod callers;
mod calls;
mod catalog_cache;
mod decorators;
mod deployed;
pub mod document;
mod facts;
mod front_end;
mod helper_calls;
mod import_syms;
mod imports;
mod incremental;
pub mod index;
mod inert;
mod module_names;
mod project;
mod project_view;
mod resolve;
mod resources_api;
mod scope;
mod settings_classes;
mod symbols;
mod syntax;
mod values;
mod walker;

#[cfg(test)]
mod tests;

pub use analysis::{analyze_python, analyze_python_once, analyze_python_range, analyze_python_range_with, analyze_python_with, services_named};
pub use document::PythonDocument;
pub use front_end::PythonFrontEnd;
pub use index::{ModuleExports, ProjectIndex};
pub use project::{analyze_project, KEEP_TREES_UP_TO};
