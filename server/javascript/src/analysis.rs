//! The analysis entry points: one file against the project index (whole,
//! or a byte range), and the exports a file contributes to the index (files
//! analysed together are `project`'s).

use crate::calls::CallFinder;
use crate::decls::Decls;
use crate::eval::Ctx;
use crate::exports::module_exports;
use crate::index::{ModuleExports, ProjectIndex};
use crate::scopes::code_scopes;
use crate::sdk::{classify, SdkModule};
use crate::syntax::{span, syntax_errors};
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::{CodeScope, FileAnalysis, Finding, FindingKind, Position, ScopeKind, Span};
use std::path::Path;
#[cfg(test)]
use std::path::PathBuf;
use tree_sitter::{Node, Tree};

/// Rounds of export evaluation: re-exports and factories chained through
/// this many modules resolve.
pub(crate) const INDEX_ROUNDS: usize = 5;

/// Analyse one file, known to the project as `module_path` (`""` when unknown).
pub fn analyze_tree(tree: &Tree, src: &str, module_path: &Path, index: &ProjectIndex, opts: &AnalysisOptions, catalog: &dyn Catalog) -> FileAnalysis {
    analyze_tree_reading(tree, src, module_path, index, opts, catalog).0
}

/// [`analyze_tree`], and whether it read an export of another module from
/// the index (if not, any index with the same modules gives the same analysis).
pub fn analyze_tree_reading(
    tree: &Tree,
    src: &str,
    module_path: &Path,
    index: &ProjectIndex,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
) -> (FileAnalysis, bool) {
    analyze_root(tree.root_node(), src, module_path, index, opts, catalog, None)
}

/// A file's exports (when `with_exports`) and its analysis, each with
/// whether it read an export of another module; the bindings are collected once for both.
#[allow(clippy::type_complexity)]
pub fn exports_and_analysis(
    tree: &Tree,
    src: &str,
    module_path: &Path,
    index: &ProjectIndex,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
    with_exports: bool,
) -> (Option<(ModuleExports, bool)>, (FileAnalysis, bool)) {
    let root = tree.root_node();
    if !with_exports {
        return (None, analyze_root(root, src, module_path, index, opts, catalog, None));
    }
    let ctx = Ctx::new(root, src, index, module_path);
    let exports = module_exports(&ctx);
    let read_exports = ctx.read_exports();
    let analysis = analyze_root(root, src, module_path, index, opts, catalog, Some(ctx.into_decls()));
    (Some((exports, read_exports)), analysis)
}

fn analyze_root<'t>(
    root: Node<'t>,
    src: &'t str,
    module_path: &Path,
    index: &ProjectIndex,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
    decls: Option<Decls<'t>>,
) -> (FileAnalysis, bool) {
    // Without an SDK import, calls can only come through the project's modules.
    if index.is_empty() && !src.contains("aws-sdk") {
        return (FileAnalysis::default(), false);
    }
    let ctx = match decls {
        Some(decls) => Ctx::with_decls(root, src, decls, index, module_path),
        None => Ctx::new(root, src, index, module_path),
    };
    let mut finder = CallFinder::new(&ctx, catalog, opts);
    finder.run();
    let found = finder.found;
    let read_exports = ctx.read_exports();
    let imports_sdk = ctx.decls.imports_sdk || !found.calls.is_empty();
    if !imports_sdk {
        return (FileAnalysis::default(), read_exports);
    }
    let mut findings = found.findings;
    for (node, source) in &ctx.decls.sdk_imports {
        if let Some(SdkModule::UnknownV3Client(suffix)) = classify(source) {
            let suggestions = catalog.nearest_services(&suffix);
            findings.push(Finding {
                span: span(*node),
                kind: FindingKind::UnknownService { name: suffix.clone(), suggestions },
                message: format!("`{source}` names no service iamlens knows (a misspelt package, or one newer than its data); its calls are left out of the policy"),
            });
        }
    }
    if root.has_error() {
        findings.extend(syntax_errors(root));
    }
    let mut scopes = code_scopes(&found.defs);
    if found.calls.iter().any(|c| c.scope.is_none()) {
        let start = Span { start_byte: 0, end_byte: 0, start: Position::default(), end: Position::default() };
        scopes.push(CodeScope { kind: ScopeKind::Module, name: None, span: span(root), name_span: start });
    }
    scopes.sort_by_key(|s| (s.span.start_byte, std::cmp::Reverse(s.span.end_byte)));
    let mut calls = found.calls;
    calls.sort_by_key(|c| (c.span.start_byte, c.span.end_byte));
    findings.sort_by_key(|f| (f.span.start_byte, f.span.end_byte));
    (FileAnalysis { imports_aws_sdk: true, calls, findings, scopes }, read_exports)
}

/// The calls and findings of [`analyze_tree`] that overlap `range`, no code scopes.
pub fn analyze_tree_range(
    tree: &Tree,
    src: &str,
    module_path: &Path,
    index: &ProjectIndex,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
    range: std::ops::Range<usize>,
) -> FileAnalysis {
    let mut whole = analyze_tree(tree, src, module_path, index, opts, catalog);
    let overlaps = |s: &Span| s.start_byte < range.end.max(range.start + 1) && range.start < s.end_byte.max(s.start_byte + 1);
    whole.calls.retain(|c| overlaps(&c.span));
    whole.findings.retain(|f| f.kind == FindingKind::SyntaxError || overlaps(&f.span));
    whole.scopes.clear();
    whole
}

/// What a file exports, as far as `index` lets its imports resolve.
pub fn exports_of(tree: &Tree, src: &str, module_path: &Path, index: &ProjectIndex) -> ModuleExports {
    exports_reading(tree, src, module_path, index).0
}

/// [`exports_of`], and whether they read an export of another module from the index.
pub fn exports_reading(tree: &Tree, src: &str, module_path: &Path, index: &ProjectIndex) -> (ModuleExports, bool) {
    let ctx = Ctx::new(tree.root_node(), src, index, module_path);
    let exports = module_exports(&ctx);
    (exports, ctx.read_exports())
}

/// The first way files were analysed together, kept to check
/// [`crate::project::analyze_set`] against: every file parsed and kept, its
/// exports evaluated in every index round until they no longer change, then
/// every file analysed against the index.
#[cfg(test)]
pub fn analyze_every_round(files: &[(PathBuf, String)], opts: &AnalysisOptions, catalog: &dyn Catalog) -> Vec<FileAnalysis> {
    use crate::document::{parse_text, Dialect};
    use iamlens_engine::parallel::parallel_map;
    let trees: Vec<Option<Tree>> = files.iter().map(|(path, text)| parse_text(Dialect::from_path(path), text, None)).collect();
    let mut index = ProjectIndex::new();
    if files.len() >= 2 {
        for (path, _) in files {
            index.insert(path, ModuleExports::default());
        }
        for _ in 0..INDEX_ROUNDS {
            let mut next = ProjectIndex::new();
            for ((path, text), tree) in files.iter().zip(&trees) {
                next.insert(path, tree.as_ref().map(|t| exports_of(t, text, path, &index)).unwrap_or_default());
            }
            if next == index {
                break;
            }
            index = next;
        }
    }
    let jobs: Vec<usize> = (0..files.len()).collect();
    parallel_map(&jobs, |&i| match &trees[i] {
        Some(tree) => analyze_tree(tree, &files[i].1, &files[i].0, &index, opts, catalog),
        None => FileAnalysis::default(),
    })
}

/// The botocore services a text names in its SDK imports, by a plain scan:
/// `@aws-sdk/client-<x>` and `aws-sdk/clients/<x>` where `<x>` is the service's own name.
pub fn services_named(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for marker in ["@aws-sdk/client-", "aws-sdk/clients/"] {
        let mut rest = text;
        while let Some(at) = rest.find(marker) {
            let tail = &rest[at + marker.len()..];
            let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(tail.len());
            let name = &tail[..end];
            let service = if marker.starts_with('@') {
                crate::naming::names().service_for_package(name)
            } else {
                crate::naming::names().service_for_v2_module(name)
            };
            if service == Some(name) && !out.contains(&name) {
                out.push(name);
            }
            rest = tail;
        }
    }
    out
}
