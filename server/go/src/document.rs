//! One Go source file as an editor holds it: text plus tree-sitter tree,
//! re-parsed incrementally on each edit.

use crate::incremental::Snapshot;
use iamlens_engine::edited_tree::EditedTree;
use iamlens_engine::last_analysis::LastAnalysis;
use std::sync::Arc;
use tree_sitter::Tree;

/// A Go file: text plus syntax tree. `Send + Sync`.
#[derive(Clone)]
pub struct GoDocument {
    source: EditedTree,
    /// What the last whole-file analysis of this document (or of a clone of
    /// it) left for the next one. Shared by clones: the language server
    /// analyses a clone taken at each version. A snapshot records the text it
    /// was made from, so it is correct to offer it to any later text.
    last_analysis: LastAnalysis<Snapshot>,
}

impl std::fmt::Debug for GoDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoDocument").field("bytes", &self.source.text().len()).finish()
    }
}

impl GoDocument {
    pub fn parse(text: String) -> GoDocument {
        GoDocument { source: EditedTree::new(text, tree_sitter_go::LANGUAGE.into()), last_analysis: LastAnalysis::default() }
    }

    /// The snapshot the last whole-file analysis left, if any (still kept).
    pub(crate) fn last_analysis(&self) -> Option<Arc<Snapshot>> {
        self.last_analysis.get()
    }

    pub(crate) fn keep_last_analysis(&self, snapshot: Option<Snapshot>) {
        self.last_analysis.keep(snapshot)
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

    /// The document with a fresh tree when the current one is unsettled.
    pub(crate) fn settled(&self) -> std::borrow::Cow<'_, GoDocument> {
        if !self.source.is_settled() {
            let mut copy = self.clone();
            copy.settle();
            std::borrow::Cow::Owned(copy)
        } else {
            std::borrow::Cow::Borrowed(self)
        }
    }
}

/// Text, tree and edits are the [`EditedTree`]'s.
impl std::ops::Deref for GoDocument {
    type Target = EditedTree;

    fn deref(&self) -> &EditedTree {
        &self.source
    }
}

impl std::ops::DerefMut for GoDocument {
    fn deref_mut(&mut self) -> &mut EditedTree {
        &mut self.source
    }
}

/// True when bytes `[start, end]` lie strictly inside a comment.
pub(crate) fn inert_region(tree: &Tree, start: usize, end: usize) -> bool {
    let (q_start, q_end) = if end > start { (start, end - 1) } else { (start.saturating_sub(1), start.saturating_sub(1)) };
    let Some(node) = tree.root_node().descendant_for_byte_range(q_start, q_end) else { return false };
    node.kind() == "comment" && node.start_byte() < start && end <= node.end_byte()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sexp(doc: &GoDocument) -> String {
        doc.tree().map(|t| t.root_node().to_sexp()).unwrap_or_default()
    }

    #[test]
    fn edits_match_a_fresh_parse_and_never_panic() {
        let mut doc = GoDocument::parse("package main\n\n// é comment\nfunc main() {}\n".into());
        doc.edit(17, 17, "x"); // inside `é`
        doc.edit(1000, 2000, "\nvar x = 1\n");
        doc.edit(9, 3, "");
        assert_eq!(sexp(&doc), sexp(&GoDocument::parse(doc.text().to_string())));
        let at = doc.text().find("func").unwrap_or(0);
        doc.edit_unsettled(at, at, "(");
        assert!(!doc.is_settled());
        doc.settle();
        assert_eq!(sexp(&doc), sexp(&GoDocument::parse(doc.text().to_string())));
    }

    #[test]
    fn comments_are_inert_code_is_not() {
        let doc = GoDocument::parse("package main\n\n// a comment here\nfunc main() {}\n".into());
        let tree = doc.tree().expect("parsed");
        let at = doc.text().find("comment").unwrap_or(0);
        assert!(inert_region(tree, at, at + 3));
        let code = doc.text().find("main()").unwrap_or(0);
        assert!(!inert_region(tree, code, code + 2));
    }
}
