//! The analysis of one document: the crate's entry points (whole file, byte
//! range, once), whether a file is AWS code at all, and the services a text
//! names. Above `incremental`, `index` and `document`; below `front_end` and `project`.

use super::analyzer::Analyzer;
use super::document::PythonDocument;
use super::imports;
use super::incremental;
use super::index::ProjectIndex;
use super::project_view::ProjectView;
use iamlens_engine::catalog::{self, Catalog};
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::FileAnalysis;
use tree_sitter::Node;

/// Analyse one Python file against the facts of the rest of the project,
/// with the embedded knowledge base.
pub fn analyze_python(doc: &PythonDocument, index: &ProjectIndex, opts: &AnalysisOptions) -> FileAnalysis {
    analyze_python_with(doc, index, opts, catalog::embedded())
}

/// [`analyze_python`] against a given catalog.
///
/// The document remembers this analysis: after an edit, top-level definitions
/// whose text and inputs did not change keep their results (see `incremental`).
pub fn analyze_python_with(doc: &PythonDocument, index: &ProjectIndex, opts: &AnalysisOptions, catalog: &dyn Catalog) -> FileAnalysis {
    analyze_document(doc, index, opts, catalog, true)
}

/// The calls of the top-level statements of `doc` that overlap the byte
/// range `range`, exactly as [`analyze_python`] of the whole file has them;
/// fewer calls elsewhere, and no code scopes. For what an editor shows in
/// its viewport while the whole-file analysis can wait: only the module-level
/// bindings and the statements in the range are walked.
///
/// Syntax-error findings cover the whole file. The document's remembered
/// analysis supplies unchanged definitions and is left as it is. An
/// unsettled document (see [`PythonDocument::edit_unsettled`]) is analysed as
/// its tree stands, so no full parse is paid while typing.
pub fn analyze_python_range(doc: &PythonDocument, index: &ProjectIndex, opts: &AnalysisOptions, range: std::ops::Range<usize>) -> FileAnalysis {
    analyze_python_range_with(doc, index, opts, catalog::embedded(), range)
}

/// [`analyze_python_range`] against a given catalog.
pub fn analyze_python_range_with(
    doc: &PythonDocument,
    index: &ProjectIndex,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
    range: std::ops::Range<usize>,
) -> FileAnalysis {
    let Some((an, root, key)) = prepare(doc, index, opts, catalog) else { return FileAnalysis::default() };
    // Definitions in range that did not change since the last whole-file
    // analysis keep its results (copied: the snapshot stays for the next one).
    let remembered = doc.last_analysis.lock().ok();
    let prev = remembered.as_ref().and_then(|slot| slot.as_ref()).map(incremental::Prev::Borrowed);
    let walked = incremental::walk_file(an, root, key, prev, false, Some(range));
    drop(remembered);
    if !walked.order_sensitive {
        return walked.analysis;
    }
    // A cycle between definitions or the depth cap: what the range sees could
    // depend on what the whole walk evaluated first, so walk it all.
    analyze_document(doc, index, opts, catalog, false)
}

/// The analyzer for a file, its root and snapshot key; `None` when the file
/// does not parse at all or is not AWS code.
fn prepare<'a>(
    doc: &'a PythonDocument,
    index: &'a ProjectIndex,
    opts: &'a AnalysisOptions,
    catalog: &'a dyn Catalog,
) -> Option<(Analyzer<'a>, Node<'a>, incremental::SnapshotKey)> {
    let root = doc.tree()?.root_node();
    let src = doc.text();
    let mut an = Analyzer::new(src, catalog, index, opts);
    an.imports_sdk =
        file_imports_aws(root, src, index, catalog, doc.module.as_deref()) || (root.has_error() && imports::text_mentions_sdk_import(src));
    // A file that never imports the SDK still takes part when it builds
    // clients through objects it gets from elsewhere (`ctx.session.client("ec2")`):
    // only calls on receivers that resolve to clients count there.
    an.module = doc.module.as_deref();
    an.project_uses_sdk = !an.imports_sdk && index.project_uses_sdk(an.module);
    an.imports_other_cloud = an.project_uses_sdk && imports::text_imports_other_cloud_sdk(src);
    let receives_clients = an.module.is_some_and(|m| index.receives_clients(m));
    let lookalikes = an.project_uses_sdk && (has_boto_style_keyword(src) || calls_an_operation_bare(src, catalog));
    let takes_part = receives_clients || lookalikes || names_a_service_factory(src, catalog) || decorator_names_a_service(src, catalog);
    if !an.imports_sdk && !takes_part {
        return None;
    }
    let key = incremental::SnapshotKey {
        index_generation: index.generation(),
        service_hints: opts.service_hints.clone(),
        catalog: catalog as *const dyn Catalog as *const () as usize,
        imports_sdk: an.imports_sdk,
    };
    Some((an, root, key))
}

/// [`analyze_python`] for a document analysed once and then dropped: nothing
/// is remembered for re-analysis after edits (which would cost a copy of the
/// results).
pub fn analyze_python_once(doc: &PythonDocument, index: &ProjectIndex, opts: &AnalysisOptions) -> FileAnalysis {
    analyze_document(doc, index, opts, catalog::embedded(), false)
}

/// `remember: false` for documents analysed once (whole-project runs).
pub(crate) fn analyze_document(
    doc: &PythonDocument,
    index: &ProjectIndex,
    opts: &AnalysisOptions,
    catalog: &dyn Catalog,
    remember: bool,
) -> FileAnalysis {
    // Whole-file results never depend on edit history: a tree typing left
    // unsettled is settled on a copy (which shares the remembered analysis).
    let settled;
    let doc = if doc.is_settled() {
        doc
    } else {
        settled = {
            let mut copy = doc.clone();
            copy.settle();
            copy
        };
        &settled
    };
    let Some((an, root, key)) = prepare(doc, index, opts, catalog) else { return FileAnalysis::default() };
    if !remember {
        return incremental::walk_file(an, root, key, None, false, None).analysis;
    }
    let walked = incremental::walk_file(an, root, key, doc.take_last_analysis().map(incremental::Prev::Owned), true, None);
    doc.keep_last_analysis(walked.snapshot);
    walked.analysis
}

/// Whether some call passes a PascalCase keyword argument (`Bucket=`,
/// `TableName=`), as most AWS operations take them: a cheap test before
/// reading a file that does not use the SDK for calls that look like AWS calls.
pub(crate) fn has_boto_style_keyword(src: &str) -> bool {
    let bytes = src.as_bytes();
    src.match_indices('=').any(|(at, _)| {
        if bytes.get(at + 1) == Some(&b'=') || at == 0 || matches!(bytes[at - 1], b'=' | b'!' | b'<' | b'>' | b' ') {
            return false;
        }
        let word_start = bytes[..at].iter().rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_')).map_or(0, |p| p + 1);
        let before = bytes[..word_start].iter().rev().find(|b| !b.is_ascii_whitespace());
        word_start < at && bytes[word_start].is_ascii_uppercase() && matches!(before, Some(b'(' | b','))
    })
}

/// Whether the text calls a method named like an AWS operation with no
/// arguments or only `**spread` ones (`notifier.list_topics()`,
/// `x.create_stream(**params)`), by a plain text scan: such a call in a project
/// that uses AWS is named in a warning even without a keyword to go by.
pub(crate) fn calls_an_operation_bare(src: &str, catalog: &dyn Catalog) -> bool {
    let bytes = src.as_bytes();
    src.match_indices('(').any(|(at, _)| {
        let rest = src[at + 1..].trim_start();
        if !(rest.starts_with(')') || rest.starts_with("**")) {
            return false;
        }
        let word_start = bytes[..at].iter().rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_')).map_or(0, |p| p + 1);
        word_start > 0
            && word_start < at
            && bytes[word_start - 1] == b'.'
            && bytes[word_start].is_ascii_lowercase()
            && !catalog.services_with_method(&src[word_start..at]).is_empty()
    })
}

/// Whether a call is given a service's name as its first argument
/// (`get_all_pages("acm", ...)`, `clients.for_service('sqs')`): a project
/// helper or factory may make that service's calls with it.
pub(crate) fn passes_a_service_name(src: &str, catalog: &dyn Catalog) -> bool {
    src.match_indices('(').any(|(at, _)| {
        let rest = src[at + 1..].trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else { return false };
        let body = &rest[1..];
        let len = body.bytes().take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-').count();
        len > 1 && body[len..].starts_with(quote) && catalog.service(&body[..len]).is_some()
    })
}

/// Whether a decorator is given a literal service name this knowledge base
/// knows (`@sts_conn("ec2")`): it may inject a client of it (see `decorators`).
pub(crate) fn decorator_names_a_service(src: &str, catalog: &dyn Catalog) -> bool {
    src.lines().filter_map(|line| line.trim_start().strip_prefix('@')).any(|decorator| {
        let Some(open) = decorator.find('(') else { return false };
        let arg = decorator[open + 1..].trim_start();
        let Some(quote) = arg.chars().next().filter(|c| *c == '\'' || *c == '"') else { return false };
        arg[1..].split(quote).next().is_some_and(|name| catalog.service(name).is_some())
    })
}

/// Whether the text calls something named like a client or resource factory
/// with a literal service name this knowledge base knows.
fn names_a_service_factory(src: &str, catalog: &dyn Catalog) -> bool {
    services_named(src).into_iter().any(|name| catalog.service(name).is_some())
}

/// The services a Python source names in `client('…')` / `resource('…')`
/// calls, found by a plain text scan (no parse): a guess of what its analysis
/// will look up, for warming the knowledge base while the file parses.
/// Results never depend on it.
pub fn services_named(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for opener in ["client(", "resource("] {
        for (at, _) in text.match_indices(opener) {
            let rest = text[at + opener.len()..].trim_start();
            let rest = rest.strip_prefix("service_name=").unwrap_or(rest);
            let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else { continue };
            let body = &rest[1..];
            let len = body.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'-').count();
            if len > 0 && body[len..].starts_with(quote) && !names.contains(&&body[..len]) {
                names.push(&body[..len]);
                if names.len() == 32 {
                    return names;
                }
            }
        }
    }
    names
}

/// Whether any import statement (at any depth of statements) names an AWS
/// SDK, or an AWS client, resource or factory of another project module.
fn file_imports_aws(root: Node, src: &str, index: &ProjectIndex, catalog: &dyn Catalog, importer: Option<&str>) -> bool {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "import_statement" | "import_from_statement"
                if imports::imports_sdk(n, src) || imports::imports_project_aws(n, src, index, catalog, importer) =>
            {
                return true
            }
            "module"
            | "block"
            | "if_statement"
            | "elif_clause"
            | "else_clause"
            | "try_statement"
            | "except_clause"
            | "finally_clause"
            | "with_statement"
            | "for_statement"
            | "while_statement"
            | "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "ERROR"
            | "match_statement"
            | "case_clause"
            | "except_group_clause" => {
                // In source order: the SDK import is usually the first statement.
                let mut cursor = n.walk();
                let before = stack.len();
                stack.extend(n.named_children(&mut cursor));
                stack[before..].reverse();
            }
            _ => {}
        }
    }
    false
}
