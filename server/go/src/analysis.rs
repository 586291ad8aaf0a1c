//! The analysis of one parsed file against the project's facts: whether it
//! is AWS code at all, the walk, code scopes and syntax-error findings; the
//! whole-file and byte-range entry points.

use crate::calls::Analyzer;
use crate::eval::Eval;
use crate::facts::{self, FileFacts, RegionCache};
use crate::imports::Imports;
use crate::incremental::{imports_text, walk_declarations, Snapshot, SnapshotKey};
use crate::index::{GoIndex, View};
use crate::syntax;
use crate::types::own_pkg;
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::{CodeScope, FileAnalysis, Position, ScopeKind, Span};
use tree_sitter::Node;

/// Analyse a parsed file whose own facts are `own` (its directory set).
/// Code that imports no AWS SDK package yields nothing.
pub fn analyze_tree(root: Node, src: &str, own: &FileFacts, index: &GoIndex, opts: &AnalysisOptions, catalog: &dyn Catalog) -> FileAnalysis {
    analyze_tree_after(root, src, own, index, opts, catalog, Reuse::default(), RegionCache::default()).0
}

/// What an analysis of a document may take from the previous one, and what it covers.
#[derive(Default)]
pub struct Reuse<'s> {
    /// The snapshot the last whole-file analysis of the document left.
    pub prev: Option<&'s Snapshot>,
    /// Walk only the top-level declarations overlapping this byte range.
    pub only: Option<std::ops::Range<usize>>,
    /// Make a snapshot for the next analysis.
    pub keep: bool,
}

/// [`analyze_tree`], taking unchanged declarations from `reuse.prev`; the
/// snapshot for the next analysis (keeping `regions`) when `reuse.keep`.
#[allow(clippy::too_many_arguments)]
fn analyze_tree_after(
    root: Node,
    src: &str,
    own: &FileFacts,
    index: &GoIndex,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
    reuse: Reuse,
    regions: RegionCache,
) -> (FileAnalysis, Option<Snapshot>) {
    let imports = Imports::read(root, src);
    let uses_sdk = imports.uses_sdk || (root.has_error() && src.contains("github.com/aws/aws-sdk-go"));
    if !uses_sdk {
        return (FileAnalysis::default(), None);
    }
    let key = (reuse.keep || reuse.prev.is_some()).then(|| SnapshotKey {
        facts: own.clone(),
        imports: imports_text(root, src),
        index_generation: index.generation(),
        service_hints: opts.service_hints.clone(),
        catalog: catalog as *const dyn Catalog as *const () as usize,
    });
    let view = View { index, own };
    let eval = Eval { src, imports: &imports, pkg: own_pkg(&own.dir), view: &view, depth: Default::default() };
    let mut an = Analyzer {
        eval,
        catalog,
        opts,
        imported_services: imports.services.clone(),
        scope: None,
        depth: 0,
        out: FileAnalysis { imports_aws_sdk: true, ..FileAnalysis::default() },
    };
    let prev = reuse.prev.zip(key.as_ref()).filter(|(p, key)| p.key == **key).map(|(p, _)| p);
    let decls = walk_declarations(&mut an, root, prev, reuse.only.clone());
    let mut out = an.out;
    for decl in &decls {
        out.calls.extend(decl.calls.iter().cloned());
        out.findings.extend(decl.findings.iter().cloned());
        out.scopes.extend(decl.scopes.iter().cloned());
    }
    if out.calls.iter().any(|c| c.scope.is_none()) {
        let start = Span { start_byte: 0, end_byte: 0, start: Position::default(), end: Position::default() };
        out.scopes.push(CodeScope { kind: ScopeKind::Module, name: None, span: syntax::span(root), name_span: start });
    }
    out.scopes.sort_by_key(|s| (s.span.start_byte, std::cmp::Reverse(s.span.end_byte)));
    out.calls.sort_by_key(|c| (c.span.start_byte, c.span.end_byte));
    if root.has_error() {
        out.findings.extend(syntax::syntax_errors(root));
    }
    out.findings.sort_by_key(|f| f.span.start_byte);
    let snapshot = match key {
        Some(key) if reuse.keep && reuse.only.is_none() => Some(Snapshot::new(src, key, decls, regions)),
        _ => None,
    };
    (out, snapshot)
}

/// Analyse a document known only by its text: its directory is the one the
/// index holds this text under (or the only one with its package name).
pub fn analyze_document(root: Node, src: &str, index: &GoIndex, opts: &AnalysisOptions, catalog: &dyn Catalog) -> FileAnalysis {
    analyze_document_after(root, src, index, opts, catalog, Reuse::default()).0
}

/// [`analyze_document`], taking unchanged declarations from `reuse.prev`
/// (the result is the same); the snapshot for the next analysis when `reuse.keep`.
pub fn analyze_document_after(
    root: Node,
    src: &str,
    index: &GoIndex,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
    reuse: Reuse,
) -> (FileAnalysis, Option<Snapshot>) {
    let (mut own, regions) = facts::extract_reusing(root, src, "", reuse.prev.map(|p| &p.regions));
    if let Some(dir) = index.dir_of_document(own.hash, &own.package) {
        own.dir = dir;
    }
    analyze_tree_after(root, src, &own, index, opts, catalog, reuse, regions)
}

/// The calls (and findings) overlapping `range`, exactly as the whole-file
/// analysis has them; syntax errors of the whole file; no code scopes.
pub fn restrict_to_range(mut whole: FileAnalysis, range: std::ops::Range<usize>) -> FileAnalysis {
    let overlaps = |s: &Span| s.start_byte < range.end && range.start < s.end_byte.max(s.start_byte + 1);
    whole.calls.retain(|c| overlaps(&c.span));
    whole.findings.retain(|f| matches!(f.kind, iamlens_engine::model::FindingKind::SyntaxError) || overlaps(&f.span));
    whole.scopes.clear();
    whole
}

/// The services a Go source imports, by a plain text scan (no parse): the
/// package names that are also botocore names (`s3`, `dynamodb`, `sqs`).
pub fn services_named(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for marker in ["aws-sdk-go-v2/service/", "aws-sdk-go/service/"] {
        for (at, _) in text.match_indices(marker) {
            let rest = &text[at + marker.len()..];
            let len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric()).count();
            let pkg = &rest[..len];
            if len > 0 && crate::naming::service_for_v2_package(pkg) == Some(pkg) && !out.contains(&pkg) {
                out.push(pkg);
            }
        }
    }
    out
}
