//! The analysis entry points: one file against the project index (whole,
//! or a byte range), and the exports a file contributes to the index (files
//! analysed together are `project`'s).

use crate::calls::CallFinder;
use crate::decls::Decls;
use crate::eval::Ctx;
use crate::exports::module_exports;
use crate::incremental::{classify_statements, Snapshot, SnapshotKey};
use crate::index::{ModuleExports, ProjectIndex};
use crate::sdk::{classify, SdkModule};
use crate::syntax::{span, syntax_errors};
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::{CodeScope, FileAnalysis, Finding, FindingKind, Position, ScopeKind, SdkCall, Span};
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

/// [`analyze_tree`] after an edit: statements `prev` (the analysis of an
/// earlier text of the same document) shows unchanged are taken from it.
/// Returns the analysis and the snapshot to offer the next one. The result
/// is what [`analyze_tree`] gives.
pub fn analyze_tree_after(
    tree: &Tree,
    src: &str,
    module_path: &Path,
    index: &ProjectIndex,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
    prev: Option<&Snapshot>,
) -> (FileAnalysis, Option<Snapshot>) {
    let run = Run { root: tree.root_node(), src, module_path, index, opts, catalog };
    let (analysis, _, snapshot) = run.analyze(None, prev, None, true);
    (analysis, snapshot)
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
    let run = Run { root, src, module_path, index, opts, catalog };
    let (analysis, read_exports, _) = run.analyze(decls, None, None, false);
    (analysis, read_exports)
}

/// One analysis of one file: what it reads.
struct Run<'t, 'a> {
    root: Node<'t>,
    src: &'t str,
    module_path: &'a Path,
    index: &'a ProjectIndex,
    opts: &'a AnalysisOptions,
    catalog: &'a dyn Catalog,
}

impl<'t> Run<'t, '_> {
    /// The analysis (of the statements overlapping `only`, when given),
    /// whether it read another module's export, and (when `keep`) the
    /// snapshot for the next analysis of the same document.
    fn analyze(
        &self,
        decls: Option<Decls<'t>>,
        prev: Option<&Snapshot>,
        only: Option<std::ops::Range<usize>>,
        keep: bool,
    ) -> (FileAnalysis, bool, Option<Snapshot>) {
        let (root, src) = (self.root, self.src);
        // Without an SDK import, calls can only come through the project's modules.
        if self.index.is_empty() && !src.contains("aws-sdk") {
            return (FileAnalysis::default(), false, None);
        }
        let ctx = match decls {
            Some(decls) => Ctx::with_decls(root, src, decls, self.index, self.module_path),
            None => Ctx::new(root, src, self.index, self.module_path),
        };
        let key = SnapshotKey {
            index_generation: self.index.generation(),
            service_hints: self.opts.service_hints.clone(),
            catalog: self.catalog as *const dyn Catalog as *const () as usize,
            module_path: self.module_path.to_path_buf(),
            imports_sdk: ctx.decls.imports_sdk,
        };
        let mut finder = CallFinder::new(&ctx, self.catalog, self.opts);
        let classified = classify_statements(&ctx, &mut finder, &key, prev, only.clone());
        if !classified.exact && (classified.reused > 0 || only.is_some()) {
            // Evaluation order mattered: only a fresh walk of the whole file is exact.
            drop(finder);
            return self.analyze(Some(ctx.into_decls()), None, None, false);
        }
        // Without an SDK import, whether a range has calls does not say whether the file has.
        if only.is_some() && !ctx.decls.imports_sdk {
            drop(finder);
            return self.analyze(Some(ctx.into_decls()), None, None, false);
        }
        let read_exports = ctx.read_exports();
        let mut calls = Vec::new();
        let mut findings = Vec::new();
        let mut scopes = Vec::new();
        for stmt in &classified.stmts {
            calls.extend(stmt.calls.iter().cloned());
            findings.extend(stmt.findings.iter().cloned());
            scopes.extend(stmt.scopes.iter().cloned());
        }
        let snapshot = if keep { Snapshot::new(src, key, classified) } else { None };
        let imports_sdk = ctx.decls.imports_sdk || !calls.is_empty();
        if !imports_sdk {
            return (FileAnalysis::default(), read_exports, snapshot);
        }
        let analysis = self.finish(&ctx, calls, findings, scopes);
        (analysis, read_exports, snapshot)
    }

    /// The file-wide findings, the module scope, everything in source order.
    fn finish(&self, ctx: &Ctx<'t, '_>, mut calls: Vec<SdkCall>, mut findings: Vec<Finding>, mut scopes: Vec<CodeScope>) -> FileAnalysis {
        let (root, catalog) = (self.root, self.catalog);
        for (node, source) in &ctx.decls.sdk_imports {
            if let Some(SdkModule::UnknownV3Client(suffix)) = classify(source) {
                let suggestions = catalog.nearest_services(&suffix);
                findings.push(Finding {
                    span: span(*node),
                    kind: FindingKind::UnknownService { name: suffix.clone(), suggestions },
                    message: format!(
                        "`{source}` names no service iamlens knows (a misspelt package, or one newer than its data); its calls are left out of the policy"
                    ),
                });
            }
        }
        if root.has_error() {
            findings.extend(syntax_errors(root));
        }
        if calls.iter().any(|c| c.scope.is_none()) {
            let start = Span { start_byte: 0, end_byte: 0, start: Position::default(), end: Position::default() };
            scopes.push(CodeScope { kind: ScopeKind::Module, name: None, span: span(root), name_span: start });
        }
        scopes.sort_by_key(|s| (s.span.start_byte, std::cmp::Reverse(s.span.end_byte)));
        calls.sort_by_key(|c| (c.span.start_byte, c.span.end_byte));
        findings.sort_by_key(|f| (f.span.start_byte, f.span.end_byte));
        FileAnalysis { imports_aws_sdk: true, calls, findings, scopes }
    }
}

/// The calls and findings of [`analyze_tree`] that overlap `range`, no code
/// scopes: only the top-level statements overlapping it are classified, those
/// `prev` shows unchanged taken from it.
#[allow(clippy::too_many_arguments)]
pub fn analyze_tree_range(
    tree: &Tree,
    src: &str,
    module_path: &Path,
    index: &ProjectIndex,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
    prev: Option<&Snapshot>,
    range: std::ops::Range<usize>,
) -> FileAnalysis {
    let run = Run { root: tree.root_node(), src, module_path, index, opts, catalog };
    let (mut whole, _, _) = run.analyze(None, prev, Some(range.clone()), false);
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
