//! The analysis of one file: whether it is AWS code at all, its calls and
//! findings, the code scopes (classes, methods) that hold calls, and the
//! services a text names (a plain scan, to warm the knowledge base).

use crate::analyzer::Analyzer;
use crate::index::JavaIndex;
use crate::kinds::kinds;
use crate::naming::names;
use crate::syntax::{each_named_in_pre_order, span, syntax_errors};
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::{CodeScope, FileAnalysis, ScopeKind};
use tree_sitter::{Node, Tree};

/// Analyse a parsed file against the project index.
pub fn analyze_tree(src: &str, tree: Option<&Tree>, index: &JavaIndex, opts: &AnalysisOptions, catalog: &dyn Catalog) -> FileAnalysis {
    let Some(tree) = tree else { return FileAnalysis::default() };
    analyze_file(&Analyzer::new(src, tree.root_node(), index, catalog, opts))
}

/// Whether the file is AWS code at all.
pub(crate) fn uses_aws(an: &Analyzer) -> bool {
    let (src, root) = (an.src, an.root);
    let mentions_sdk = src.contains("software.amazon.awssdk.") || src.contains("com.amazonaws.");
    an.imports.uses_sdk || uses_project_clients(an) || (root.has_error() && mentions_sdk)
}

/// Analyse the file an analyzer reads, against its index.
pub fn analyze_file(an: &Analyzer) -> FileAnalysis {
    let root = an.root;
    if !uses_aws(an) {
        return FileAnalysis::default();
    }
    let found = an.collect();
    let mut scopes: Vec<CodeScope> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for node in &found.call_nodes {
        let (classes, method) = an.enclosing(*node);
        for def in classes.iter().map(|c| (*c, ScopeKind::Class)).chain(method.map(|m| (m, ScopeKind::Function))) {
            if seen.insert(def.0.id()) {
                push_scope(&mut scopes, an, def.0, def.1, *node);
            }
        }
    }
    scopes.sort_by_key(|s| (s.span.start_byte, std::cmp::Reverse(s.span.end_byte)));
    let mut calls = found.calls;
    calls.sort_by_key(|c| (c.span.start_byte, c.span.end_byte));
    let mut findings = found.findings;
    if root.has_error() {
        findings.extend(syntax_errors(root));
    }
    findings.sort_by_key(|f| (f.span.start_byte, f.span.end_byte));
    FileAnalysis { imports_aws_sdk: true, calls, findings, scopes }
}

pub(crate) fn push_scope<'a>(scopes: &mut Vec<CodeScope>, an: &Analyzer<'a>, def: Node<'a>, kind: ScopeKind, inner: Node<'a>) {
    let Some(name) = def.child_by_field_id(field!("name")) else { return };
    // The qualified name, as the calls inside carry it.
    let qualified = match kind {
        ScopeKind::Function => an.scope_name(inner),
        _ => {
            let (classes, _) = an.enclosing(inner);
            let upto: Vec<&str> = classes
                .iter()
                .take_while(|c| c.id() != def.id())
                .chain(std::iter::once(&def))
                .filter_map(|c| c.child_by_field_id(field!("name")))
                .map(|n| an.text(n))
                .collect();
            Some(upto.join("."))
        }
    };
    scopes.push(CodeScope { kind, name: qualified, span: span(def), name_span: span(name) });
}

/// Whether the file uses a class of the project that exports SDK clients
/// (a factory used through `var`, with no SDK import of its own).
fn uses_project_clients(an: &Analyzer) -> bool {
    if an.index.is_empty() {
        return false;
    }
    let k = kinds();
    let mut uses = false;
    each_named_in_pre_order(an.root, |n| {
        if !uses && (n.kind_id() == k.identifier || n.kind_id() == k.type_identifier) {
            let name = an.text(n);
            uses = an.index.class(name).is_some_and(|c| c.exports_aws()) && an.local_class(name).is_none();
        }
    });
    uses
}

/// The services a Java source names in SDK package paths
/// (`software.amazon.awssdk.services.s3`, `com.amazonaws.services.sqs`),
/// by a plain text scan, as slices of the text where the package is the
/// service's botocore name. Results never depend on it.
pub fn services_named(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for opener in ["software.amazon.awssdk.services.", "com.amazonaws.services."] {
        for (at, _) in text.match_indices(opener) {
            let rest = &text[at + opener.len()..];
            let len = rest.bytes().take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit()).count();
            let pkg = &rest[..len];
            let known = names().service_of_v2_package(pkg).or_else(|| names().service_of_v1_package(pkg));
            if len > 0 && known == Some(pkg) && !out.contains(&pkg) {
                out.push(pkg);
                if out.len() == 32 {
                    return out;
                }
            }
        }
    }
    out
}
