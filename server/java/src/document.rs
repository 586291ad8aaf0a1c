//! One Java source file as an editor holds it: text plus tree-sitter tree,
//! re-parsed incrementally on each edit, and what its last analysis left
//! for the next one.

use crate::incremental::Snapshot;
use iamlens_engine::edited_tree::EditedTree;
use std::sync::{Arc, Mutex};

/// A Java file: text plus syntax tree. `Send + Sync`.
#[derive(Clone)]
pub struct JavaDocument {
    source: EditedTree,
    /// What the last whole-file analysis of this document (or of a clone of
    /// it) left for re-analysis after an edit. Shared by clones: the language
    /// server analyses a clone taken at each version. A snapshot records the
    /// text it was made from, so it is correct to offer it to any later text.
    /// The lock is held only to copy or put the snapshot, never while analysing.
    last_analysis: Arc<Mutex<Option<Arc<Snapshot>>>>,
}

impl std::fmt::Debug for JavaDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JavaDocument").field("bytes", &self.source.text().len()).finish()
    }
}

impl JavaDocument {
    pub fn parse(text: String) -> JavaDocument {
        JavaDocument { source: EditedTree::new(text, tree_sitter_java::LANGUAGE.into()), last_analysis: Arc::default() }
    }

    /// The remembered analysis, locked (a poisoned lock is used as it is:
    /// a snapshot is always consistent on its own).
    pub(crate) fn last_analysis(&self) -> std::sync::MutexGuard<'_, Option<Arc<Snapshot>>> {
        self.last_analysis.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Test edits: replace the `nth` (modulo the count) occurrence of `from`
    /// with `to`; false when `from` does not occur.
    #[cfg(test)]
    pub(crate) fn replace_nth(&mut self, from: &str, to: &str, nth: usize) -> bool {
        let found: Vec<usize> = self.text().match_indices(from).map(|(i, _)| i).collect();
        let Some(&at) = found.get(nth % found.len().max(1)) else { return false };
        self.edit(at, at + from.len(), to);
        true
    }
}

/// Text, tree and edits are the [`EditedTree`]'s.
impl std::ops::Deref for JavaDocument {
    type Target = EditedTree;

    fn deref(&self) -> &EditedTree {
        &self.source
    }
}

impl std::ops::DerefMut for JavaDocument {
    fn deref_mut(&mut self) -> &mut EditedTree {
        &mut self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sexp(doc: &JavaDocument) -> String {
        doc.tree().unwrap().root_node().to_sexp()
    }

    #[test]
    fn edits_match_a_fresh_parse_and_never_panic() {
        let mut doc = JavaDocument::parse("class A { void f() { s3.getObject(r -> r.bucket(\"é\")); } }\n".into());
        let at = doc.text().find("getObject").unwrap();
        doc.edit(at, at + 3, "put");
        assert!(doc.text().contains("putObject"));
        assert_eq!(sexp(&doc), sexp(&JavaDocument::parse(doc.text().to_string())));
        let e = doc.text().find('é').unwrap();
        doc.edit(e + 1, e + 1, "x"); // inside `é`: widened
        doc.edit(10_000, 20_000, "\n// end");
        doc.edit(30, 2, "");
        assert_eq!(sexp(&doc), sexp(&JavaDocument::parse(doc.text().to_string())));
    }

    #[test]
    fn unsettled_edits_settle_to_a_fresh_parse() {
        let mut doc = JavaDocument::parse("class A { void f() { g(); } }\n".into());
        let at = doc.text().find("g()").unwrap();
        doc.edit_unsettled(at, at, "(");
        assert!(!doc.is_settled() && doc.has_syntax_errors());
        doc.settle();
        assert!(doc.is_settled());
        assert_eq!(sexp(&doc), sexp(&JavaDocument::parse(doc.text().to_string())));
    }
}
