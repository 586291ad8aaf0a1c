//! iamlens-go: the Go front-end — AWS SDK for Go v2 and v1 code →
//! [`SdkCall`](iamlens_engine::model::SdkCall)s.
//!
//! In the flow `source text → syntax → SDK calls → IAM requirements → policy
//! → presentation`, this crate owns the first three steps for Go: it parses
//! with tree-sitter-go, works out which values are SDK clients (from import
//! paths, constructors, declared types, struct fields, project interfaces
//! and functions of other files and packages) and which operations they
//! call, and hands the engine `SdkCall`s and findings through the engine's
//! front-end traits ([`GoFrontEnd`]); requirements and policies are the engine's.
//!
//! Modules, in the order of the flow:
//! - `naming`: Go package names generated from each service's `serviceId`; SDK method rules.
//! - `syntax`, `imports`, `types`: tree helpers, import paths, what a type is.
//! - `eval` (expressions → types), `values` (expressions → values),
//!   `bindings` (what assignments and declarations bind): one `Eval` in
//!   three modules; `facts` (package-level declarations).
//! - `index` ([`GoIndex`]): facts of the project's files; `calls`, `walker`: the analysis;
//!   `incremental`: declaration by declaration, reusing the previous analysis.
//! - `analysis`, `document` ([`GoDocument`]), `project`, `front_end`: entry points.

mod analysis;
mod bindings;
mod calls;
pub mod document;
mod eval;
mod facts;
mod front_end;
mod imports;
mod incremental;
pub mod index;
pub mod naming;
mod project;
mod syntax;
mod types;
mod values;
mod walker;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod incremental_tests;

pub use analysis::services_named;
pub use document::GoDocument;
pub use front_end::GoFrontEnd;
pub use index::GoIndex;
pub use project::KEEP_TREES_UP_TO;

/// A Go test file (`*_test.go`): the engine reads what it is given; a view
/// can leave these out unless asked to include tests.
pub fn is_test_file(path: &std::path::Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with("_test.go"))
}

/// Analyse Go sources together against a given catalog (tests use a fake one).
pub fn analyze_sources_with(
    files: &[iamlens_engine::front_end::SourceFile],
    opts: &iamlens_engine::front_end::AnalysisOptions,
    catalog: &dyn iamlens_engine::catalog::Catalog,
) -> Vec<iamlens_engine::model::FileAnalysis> {
    project::analyze_sources(files, None, opts, catalog)
}
