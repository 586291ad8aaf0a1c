//! The Python front-end: boto3 / botocore / aioboto3 / aiobotocore code →
//! [`SdkCall`](crate::model::SdkCall)s.
//!
//! - [`document`]: text + tree-sitter tree, edited incrementally.
//! - [`index`]: facts other files of the project export (clients, factories, constants).
//! - `imports`: which names an import binds; whether the file is AWS code at all.
//! - `analyzer` (receiver resolution), `values` (argument values), `walker`
//!   (statements in order), `calls` (calls → SdkCalls/findings), `resources_api`.

mod analyzer;
mod calls;
mod catalog_cache;
pub mod document;
mod imports;
pub mod index;
mod resources_api;
mod symbols;
mod syntax;
mod values;
mod walker;

#[cfg(test)]
mod tests;

pub use document::PythonDocument;
pub use index::ProjectIndex;

use super::catalog::{self, Catalog};
use super::{AnalysisOptions, FrontEnd, SourceFile};
use crate::model::{CodeScope, FileAnalysis, Finding, FindingKind, Position, ScopeKind, Span};
use analyzer::{Analyzer, Env};
use tree_sitter::Node;
use walker::{Mode, ScopeEntry};

/// Analyse one Python file against the facts of the rest of the project,
/// with the embedded knowledge base.
pub fn analyze_python(doc: &PythonDocument, index: &ProjectIndex, opts: &AnalysisOptions) -> FileAnalysis {
    analyze_python_with(doc, index, opts, catalog::embedded())
}

/// [`analyze_python`] against a given catalog.
pub fn analyze_python_with(
    doc: &PythonDocument,
    index: &ProjectIndex,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
) -> FileAnalysis {
    let Some(tree) = doc.tree() else { return FileAnalysis::default() };
    let root = tree.root_node();
    let src = doc.text();
    let mut an = Analyzer::new(src, catalog, index, opts);
    an.imports_sdk = file_imports_aws(root, src, index, catalog) || (root.has_error() && imports::text_mentions_sdk_import(src));
    if !an.imports_sdk {
        return FileAnalysis::default();
    }
    // Pass 1: module-level bindings, so functions see clients defined anywhere in the module.
    let mut env = Env::module();
    let mut prepass = Mode { module_prepass: true, ..Mode::default() };
    an.walk_block(root, &mut env, &mut prepass, &mut Vec::new());
    an.reset_memos();
    // Pass 2: everything in source order, classifying calls.
    let mut env = Env::module();
    let module_span = syntax::span(root);
    let start = Span { start_byte: 0, end_byte: 0, start: Position::default(), end: Position::default() };
    let mut scopes = vec![ScopeEntry { kind: ScopeKind::Module, qualname: None, span: module_span, name_span: start, has_calls: false }];
    an.walk_block(root, &mut env, &mut Mode { emit: true, ..Mode::default() }, &mut scopes);
    let module_has_calls = scopes.first().is_some_and(|s| s.has_calls);
    let mut out = an.out.into_inner();
    if module_has_calls {
        out.scopes.push(CodeScope { kind: ScopeKind::Module, name: None, span: module_span, name_span: start });
    }
    out.scopes.sort_by_key(|s| (s.span.start_byte, std::cmp::Reverse(s.span.end_byte)));
    out.calls.sort_by_key(|c| (c.span.start_byte, c.span.end_byte));
    if root.has_error() {
        out.findings.extend(syntax_errors(root));
    }
    out.findings.sort_by_key(|f| f.span.start_byte);
    FileAnalysis { imports_aws_sdk: true, calls: out.calls, findings: out.findings, scopes: out.scopes }
}

/// Whether any import statement (at any depth of statements) names an AWS
/// SDK, or an AWS client, resource or factory of another project module.
fn file_imports_aws(root: Node, src: &str, index: &ProjectIndex, catalog: &dyn Catalog) -> bool {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "import_statement" | "import_from_statement"
                if imports::imports_sdk(n, src) || imports::imports_project_aws(n, src, index, catalog) =>
            {
                return true
            }
            "module" | "block" | "if_statement" | "elif_clause" | "else_clause" | "try_statement" | "except_clause"
            | "finally_clause" | "with_statement" | "for_statement" | "while_statement" | "function_definition"
            | "class_definition" | "decorated_definition" | "ERROR" | "match_statement" | "case_clause"
            | "except_group_clause" => {
                let mut cursor = n.walk();
                stack.extend(n.named_children(&mut cursor));
            }
            _ => {}
        }
    }
    false
}

/// One finding per region that did not parse (at most 20), naming its line.
fn syntax_errors(root: Node) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if out.len() >= 20 {
            break;
        }
        if n.is_error() || n.is_missing() {
            let line = n.start_position().row + 1;
            let what = if n.is_missing() { format!("missing `{}`", n.kind()) } else { "invalid syntax".to_string() };
            out.push(Finding {
                span: syntax::span(n),
                kind: FindingKind::SyntaxError,
                message: format!("line {line} does not parse ({what}); AWS calls in it may be missed until it is fixed"),
            });
            continue;
        }
        if n.has_error() {
            let mut cursor = n.walk();
            let kids: Vec<Node> = n.children(&mut cursor).collect();
            stack.extend(kids.into_iter().rev());
        }
    }
    out
}

/// The Python/boto3 front-end behind the [`FrontEnd`] trait.
pub struct PythonFrontEnd;

impl FrontEnd for PythonFrontEnd {
    fn language(&self) -> &'static str {
        "python"
    }

    fn file_extensions(&self) -> &'static [&'static str] {
        &["py", "pyi"]
    }

    fn analyze_files(&self, files: &[SourceFile], opts: &AnalysisOptions) -> Vec<FileAnalysis> {
        analyze_project(files, opts, catalog::embedded())
    }
}

/// Parse, index and analyse a set of files, on all cores.
pub fn analyze_project(files: &[SourceFile], opts: &AnalysisOptions, catalog: &dyn Catalog) -> Vec<FileAnalysis> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len().max(1));
    let docs: Vec<PythonDocument> = parallel_map(files, threads, |f| PythonDocument::parse(f.text.clone()));
    let mut index = ProjectIndex::new();
    for (file, doc) in files.iter().zip(&docs) {
        if doc.text().contains("boto") || doc.text().contains("aws") || doc.text().contains("import") {
            index.update_file_with(&file.path, doc, catalog);
        }
    }
    parallel_map(&docs, threads, |doc| analyze_python_with(doc, &index, opts, catalog))
}

fn parallel_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if threads <= 1 || items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items.chunks(chunk).map(|c| scope.spawn(|| c.iter().map(&f).collect::<Vec<R>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}
