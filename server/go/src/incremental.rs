//! A file's calls declaration by declaration, and reuse of the previous
//! analysis of the same document after an edit.
//!
//! The walk of a top-level declaration (a function, a method, a package-level
//! `var` or `const`) starts from nothing but the file's imports, its
//! package-level facts ([`FileFacts`]: values, types, what functions return,
//! the regions constructors give fields) and the project index; no state
//! passes from one declaration to the next. So after an edit, a declaration
//! whose text did not change keeps its previous calls, findings and scopes
//! (spans shifted) when:
//! - it starts a line, in the old text and the new, with the same syntax
//!   kind, and has no syntax error in either tree,
//! - the file's imports and package-level facts are the same, and so are the
//!   index (generation), the options and the catalog.
//!
//! Typing inside a function body leaves the facts as they were: every other
//! declaration is reused. An edit that changes what the package level
//! declares (a variable's client, a struct field's type, a constructor's
//! region) walks every declaration again. The result is always what a fresh
//! analysis of the same text gives (the property tests compare the two).
//!
//! A range analysis (an editor's viewport) walks only the declarations
//! overlapping the range, reusing unchanged ones from the snapshot without
//! consuming it.

use crate::calls::Analyzer;
use crate::facts::{FileFacts, RegionCache};
use crate::syntax::named_children;
use iamlens_engine::model::{shift_results, CodeScope, Finding, SdkCall};
use tree_sitter::Node;

/// What the last analysis of a document left for the next one.
#[derive(Debug)]
pub struct Snapshot {
    text: String,
    pub key: SnapshotKey,
    /// Every top-level declaration, in source order.
    decls: Vec<DeclRecord>,
    /// What the file's functions give struct fields, for the next extraction of its facts.
    pub regions: RegionCache,
}

/// The inputs besides a declaration's own text that its walk depends on.
#[derive(Debug, Clone)]
pub struct SnapshotKey {
    pub facts: FileFacts,
    /// The text of the file's import declarations.
    pub imports: String,
    pub index_generation: u64,
    pub service_hints: Vec<String>,
    /// Address of the catalog (catalogs live for the whole process or test).
    pub catalog: usize,
}

impl PartialEq for SnapshotKey {
    fn eq(&self, other: &SnapshotKey) -> bool {
        self.facts.same_declarations(&other.facts)
            && self.imports == other.imports
            && self.index_generation == other.index_generation
            && self.service_hints == other.service_hints
            && self.catalog == other.catalog
    }
}

/// What one top-level declaration produced.
#[derive(Debug, Clone)]
pub struct DeclRecord {
    start_byte: usize,
    end_byte: usize,
    start_row: usize,
    kind_id: u16,
    /// Starts a line and parsed cleanly: its output may be reused.
    reusable: bool,
    pub calls: Vec<SdkCall>,
    pub findings: Vec<Finding>,
    pub scopes: Vec<CodeScope>,
}

impl Snapshot {
    pub fn new(text: &str, key: SnapshotKey, decls: Vec<DeclRecord>, regions: RegionCache) -> Snapshot {
        Snapshot { text: text.to_string(), key, decls, regions }
    }
}

/// The text of the import declarations of `root`.
pub fn imports_text(root: Node, src: &str) -> String {
    named_children(root).into_iter().filter(|d| d.kind() == "import_declaration").map(|d| &src[d.byte_range()]).collect::<Vec<_>>().join("\n")
}

/// Walk the top-level declarations of `root` (only those overlapping
/// `only`, when given), reusing what `prev` says still holds.
/// `prev` must have been made with the same [`SnapshotKey`].
pub fn walk_declarations<'a>(
    an: &mut Analyzer<'a>,
    root: Node<'a>,
    prev: Option<&Snapshot>,
    only: Option<std::ops::Range<usize>>,
) -> Vec<DeclRecord> {
    let decls = named_children(root);
    let old_of = prev.map(|p| match_declarations(p, &decls, an.eval.src));
    let mut out = Vec::with_capacity(decls.len());
    for (i, decl) in decls.iter().enumerate() {
        if let Some(range) = &only {
            if decl.end_byte() < range.start || decl.start_byte() > range.end {
                continue;
            }
        }
        let old = prev.zip(old_of.as_ref()).and_then(|(p, old_of)| old_of[i].map(|at| &p.decls[at]));
        if let Some(old) = old.filter(|o| o.reusable) {
            #[cfg(test)]
            REUSED.with(|n| n.set(n.get() + 1));
            out.push(shifted(old, *decl));
            continue;
        }
        out.push(walk(an, *decl));
    }
    out
}

fn walk<'a>(an: &mut Analyzer<'a>, decl: Node<'a>) -> DeclRecord {
    let (calls, findings, scopes) = (an.out.calls.len(), an.out.findings.len(), an.out.scopes.len());
    an.walk_top_level(decl);
    DeclRecord {
        start_byte: decl.start_byte(),
        end_byte: decl.end_byte(),
        start_row: decl.start_position().row,
        kind_id: decl.kind_id(),
        reusable: decl.start_position().column == 0 && !decl.has_error(),
        calls: an.out.calls.split_off(calls),
        findings: an.out.findings.split_off(findings),
        scopes: an.out.scopes.split_off(scopes),
    }
}

/// For each new declaration, the previous one with the same text at the same place.
fn match_declarations(prev: &Snapshot, decls: &[Node], src: &str) -> Vec<Option<usize>> {
    let (old, new) = (prev.text.as_bytes(), src.as_bytes());
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - prefix;
    let suffix = old.iter().rev().zip(new.iter().rev()).take(room).take_while(|(a, b)| a == b).count();
    let (old_tail, new_tail) = (old.len() - suffix, new.len() - suffix);
    decls
        .iter()
        .map(|decl| {
            let (start, end) = (decl.start_byte(), decl.end_byte());
            // Columns are reused as they were: only a declaration starting a line in both texts.
            if decl.start_position().column != 0 || decl.has_error() {
                return None;
            }
            let (s, e) = if end <= prefix {
                (start, end)
            } else if start >= new_tail {
                (start - new_tail + old_tail, end - new_tail + old_tail)
            } else {
                return None;
            };
            let at = prev.decls.binary_search_by_key(&s, |r| r.start_byte).ok()?;
            let rec = &prev.decls[at];
            (rec.end_byte == e && rec.kind_id == decl.kind_id()).then_some(at)
        })
        .collect()
}

/// A copy of `old`'s results moved to where `decl` now is.
fn shifted(old: &DeclRecord, decl: Node) -> DeclRecord {
    let bytes = decl.start_byte() as isize - old.start_byte as isize;
    let rows = decl.start_position().row as isize - old.start_row as isize;
    let mut rec = old.clone();
    rec.start_byte = decl.start_byte();
    rec.end_byte = decl.end_byte();
    rec.start_row = decl.start_position().row;
    shift_results(&mut rec.calls, &mut rec.findings, &mut rec.scopes, bytes, rows);
    rec
}

#[cfg(test)]
thread_local! {
    /// Declarations taken from a previous analysis on this thread (tests count reuse with it).
    pub static REUSED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}
