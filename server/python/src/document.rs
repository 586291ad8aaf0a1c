//! One Python source file: its text and its tree-sitter syntax tree, kept
//! together so an edit re-parses incrementally (the language server edits on
//! every keystroke).

use super::incremental::Snapshot;
use iamlens_engine::edited_tree::EditedTree;
use std::sync::{Arc, Mutex};

/// A Python file: text plus syntax tree. `Send + Sync`.
pub struct PythonDocument {
    source: EditedTree,
    /// What the last analysis of this document (or of a clone of it) left
    /// for re-analysis after an edit. Shared by clones: the language server
    /// analyses a clone taken at each version. A snapshot records the text it
    /// was made from, so it is correct to offer it to any later text.
    pub(super) last_analysis: Arc<Mutex<Option<Snapshot>>>,
    /// The dotted module name the project knows this file by (`app.db`),
    /// when known: other modules' calls of its functions are indexed under it.
    pub(super) module: Option<String>,
}

impl std::fmt::Debug for PythonDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PythonDocument").field("bytes", &self.source.text().len()).finish()
    }
}

impl Clone for PythonDocument {
    fn clone(&self) -> Self {
        PythonDocument { source: self.source.clone(), last_analysis: self.last_analysis.clone(), module: self.module.clone() }
    }
}

impl PythonDocument {
    pub fn parse(text: String) -> PythonDocument {
        PythonDocument { source: EditedTree::new(text, tree_sitter_python::LANGUAGE.into()), last_analysis: Arc::default(), module: None }
    }

    /// The document of the project file at `module_path` (`app/db.py`).
    pub fn parse_module(text: String, module_path: &std::path::Path) -> PythonDocument {
        PythonDocument { module: Some(super::index::module_name(module_path)), ..PythonDocument::parse(text) }
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

    /// Take the snapshot the last analysis left (if any).
    pub(super) fn take_last_analysis(&self) -> Option<Snapshot> {
        self.last_analysis.lock().ok().and_then(|mut slot| slot.take())
    }

    pub(super) fn keep_last_analysis(&self, snapshot: Option<Snapshot>) {
        if let Ok(mut slot) = self.last_analysis.lock() {
            *slot = snapshot;
        }
    }
}

/// Text, tree and edits are the [`EditedTree`]'s.
impl std::ops::Deref for PythonDocument {
    type Target = EditedTree;

    fn deref(&self) -> &EditedTree {
        &self.source
    }
}

impl std::ops::DerefMut for PythonDocument {
    fn deref_mut(&mut self) -> &mut EditedTree {
        &mut self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sexp(doc: &PythonDocument) -> String {
        doc.tree().unwrap().root_node().to_sexp()
    }

    #[test]
    fn edit_matches_fresh_parse() {
        let mut doc = PythonDocument::parse("import boto3\ns3 = boto3.client('s3')\n".into());
        doc.edit(32, 34, "sqs");
        assert_eq!(doc.text(), "import boto3\ns3 = boto3.client('sqs')\n");
        assert_eq!(sexp(&doc), sexp(&PythonDocument::parse(doc.text().to_string())));
    }

    #[test]
    fn edit_with_out_of_range_and_mid_char_offsets_does_not_panic() {
        let mut doc = PythonDocument::parse("x = 'é'\n".into());
        doc.edit(6, 6, "a"); // inside `é` (bytes 5..7)
        assert!(doc.text().is_char_boundary(0));
        doc.edit(1000, 2000, "\ny = 1");
        assert!(doc.text().ends_with("y = 1"));
        doc.edit(5, 2, "");
        assert_eq!(sexp(&doc), sexp(&PythonDocument::parse(doc.text().to_string())));
    }

    #[test]
    fn unsettled_edits_keep_the_incremental_tree_until_settled() {
        let base = "import boto3\ns3 = boto3.client('s3')\n\ndef f():\n    s3.list_buckets()\n";
        let mut doc = PythonDocument::parse(base.into());
        // Valid code is settled at once.
        doc.edit_unsettled(13, 13, "x = 1\n");
        assert!(doc.is_settled());
        let at = doc.text().find("s3.list").unwrap();
        doc.edit_unsettled(at, at, "(");
        assert!(!doc.is_settled() && doc.has_syntax_errors());
        let copy = doc.clone();
        assert!(!copy.is_settled(), "clones keep the state");
        doc.settle();
        assert!(doc.is_settled());
        assert_eq!(sexp(&doc), sexp(&PythonDocument::parse(doc.text().to_string())));
        // `edit` always settles.
        doc.edit(at, at + 1, "");
        assert!(doc.is_settled());
        assert_eq!(doc.text(), "import boto3\nx = 1\ns3 = boto3.client('s3')\n\ndef f():\n    s3.list_buckets()\n");
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(PythonDocument::parse("def f(:\n".into()).has_syntax_errors());
        assert!(!PythonDocument::parse("def f():\n    pass\n".into()).has_syntax_errors());
    }
}
