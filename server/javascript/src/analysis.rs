//! The analysis entry points: one file against the project index (whole,
//! or a byte range), the exports a file contributes to the index, and a set
//! of files analysed together (the index built to a fixed point, files on
//! every core).

use crate::calls::CallFinder;
use crate::document::{parse_text, Dialect};
use crate::eval::Ctx;
use crate::exports::module_exports;
use crate::index::{ModuleExports, ProjectIndex};
use crate::scopes::code_scopes;
use crate::sdk::{classify, SdkModule};
use crate::syntax::{span, syntax_errors};
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::{CodeScope, FileAnalysis, Finding, FindingKind, Position, ScopeKind, Span};
use iamlens_engine::parallel::parallel_map;
use std::path::{Path, PathBuf};
use tree_sitter::Tree;

/// Rounds of export evaluation: re-exports and factories chained through
/// this many modules resolve.
const INDEX_ROUNDS: usize = 5;

/// Analyse one file, known to the project as `module_path` (`""` when unknown).
pub fn analyze_tree(tree: &Tree, src: &str, module_path: &Path, index: &ProjectIndex, opts: &AnalysisOptions, catalog: &dyn Catalog) -> FileAnalysis {
    let root = tree.root_node();
    // Without an SDK import, calls can only come through the project's modules.
    if index.is_empty() && !src.contains("aws-sdk") {
        return FileAnalysis::default();
    }
    let ctx = Ctx::new(root, src, index, module_path);
    let mut finder = CallFinder::new(&ctx, catalog, opts);
    finder.run();
    let found = finder.found;
    let imports_sdk = ctx.decls.imports_sdk || !found.calls.is_empty();
    if !imports_sdk {
        return FileAnalysis::default();
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
    FileAnalysis { imports_aws_sdk: true, calls, findings, scopes }
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
    let ctx = Ctx::new(tree.root_node(), src, index, module_path);
    module_exports(&ctx)
}

/// One file of a set analysed together.
pub struct Parsed {
    pub module_path: PathBuf,
    pub text: String,
    pub tree: Option<Tree>,
}

impl Parsed {
    pub fn new(module_path: PathBuf, text: String) -> Parsed {
        let tree = parse_text(Dialect::from_path(&module_path), &text, None);
        Parsed { module_path, text, tree }
    }
}

/// The project index of a set of files: exports re-evaluated until they no
/// longer change (each round lets one more module of a chain resolve).
pub fn build_index(files: &[Parsed]) -> ProjectIndex {
    let mut index = ProjectIndex::new();
    if files.len() < 2 {
        return index;
    }
    for p in files {
        index.insert(&p.module_path, ModuleExports::default());
    }
    for _ in 0..INDEX_ROUNDS {
        let exports = parallel_map(files, |p| p.tree.as_ref().map(|t| exports_of(t, &p.text, &p.module_path, &index)).unwrap_or_default());
        let mut next = ProjectIndex::new();
        for (p, e) in files.iter().zip(exports) {
            next.insert(&p.module_path, e);
        }
        if next == index {
            break;
        }
        index = next;
    }
    index
}

/// Analyse files together, on every core; one result per file, in order.
pub fn analyze_parsed(files: &[Parsed], opts: &AnalysisOptions, catalog: &dyn Catalog) -> Vec<FileAnalysis> {
    let index = build_index(files);
    parallel_map(files, |p| match &p.tree {
        Some(tree) => analyze_tree(tree, &p.text, &p.module_path, &index, opts, catalog),
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
