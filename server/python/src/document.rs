//! One Python source file: its text and its tree-sitter syntax tree, kept
//! together so an edit re-parses incrementally (the language server edits on
//! every keystroke).

use super::incremental::Snapshot;
use std::cell::RefCell;
use std::sync::{Arc, Mutex};
use tree_sitter::{InputEdit, Parser, Point, Tree};

thread_local! {
    // A parser is cheap to keep and not `Send`-friendly to share: one per thread.
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parse `text`, reusing `old` (already edited) when given. tree-sitter only
/// fails without a language or on cancellation, neither of which we use; the
/// fallback keeps the promise of never panicking anyway.
fn parse_text(text: &str, old: Option<&Tree>) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&tree_sitter_python::LANGUAGE.into()).ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(text, old)
    })
}

/// A Python file: text plus syntax tree. `Send + Sync`.
pub struct PythonDocument {
    text: String,
    tree: Option<Tree>,
    /// What the last analysis of this document (or of a clone of it) left
    /// for re-analysis after an edit. Shared by clones: the language server
    /// analyses a clone taken at each version. A snapshot records the text it
    /// was made from, so it is correct to offer it to any later text.
    pub(super) last_analysis: Arc<Mutex<Option<Snapshot>>>,
    /// The tree has syntax errors and came from an incremental parse (see
    /// [`PythonDocument::edit_unsettled`]).
    unsettled: bool,
}

impl std::fmt::Debug for PythonDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PythonDocument").field("bytes", &self.text.len()).finish()
    }
}

impl Clone for PythonDocument {
    fn clone(&self) -> Self {
        PythonDocument { text: self.text.clone(), tree: self.tree.clone(), last_analysis: self.last_analysis.clone(), unsettled: self.unsettled }
    }
}

impl PythonDocument {
    pub fn parse(text: String) -> PythonDocument {
        let tree = parse_text(&text, None);
        PythonDocument { text, tree, last_analysis: Arc::default(), unsettled: false }
    }

    /// Apply one edit: replace bytes `[start_byte, old_end_byte)` with
    /// `new_text`, tell the tree about it and re-parse incrementally.
    ///
    /// Offsets past the end are clamped to the end, and offsets inside a
    /// multi-byte character widen to the whole character, so a confused
    /// client cannot make this panic. Returns the byte range replaced.
    pub fn edit(&mut self, start_byte: usize, old_end_byte: usize, new_text: &str) -> (usize, usize) {
        let replaced = self.edit_unsettled(start_byte, old_end_byte, new_text);
        self.settle();
        replaced
    }

    /// [`edit`](Self::edit) without settling: when the re-parsed tree has
    /// syntax errors it stays as the incremental parse left it, which can
    /// depend on the edits that led to it (tree-sitter's error recovery may
    /// settle differently when it reuses an old tree). Valid code is never
    /// unsettled. Cheap on every keystroke; call [`settle`](Self::settle)
    /// before results must equal a fresh parse's.
    pub fn edit_unsettled(&mut self, start_byte: usize, old_end_byte: usize, new_text: &str) -> (usize, usize) {
        let len = self.text.len();
        let mut start = start_byte.min(len);
        let mut old_end = old_end_byte.min(len).max(start);
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        while !self.text.is_char_boundary(old_end) {
            old_end += 1;
        }
        let start_position = point_at(&self.text, start);
        let old_end_position = advance_point(start_position, &self.text[start..old_end]);
        let new_end_position = advance_point(start_position, new_text);
        self.text.replace_range(start..old_end, new_text);
        let edit = InputEdit {
            start_byte: start,
            old_end_byte: old_end,
            new_end_byte: start + new_text.len(),
            start_position,
            old_end_position,
            new_end_position,
        };
        match self.tree.as_mut() {
            Some(tree) => {
                tree.edit(&edit);
                self.tree = parse_text(&self.text, Some(tree));
                self.unsettled = self.has_syntax_errors();
            }
            None => self.tree = parse_text(&self.text, None),
        }
        (start, old_end)
    }

    /// True when the tree is what a fresh parse of the text gives.
    pub fn is_settled(&self) -> bool {
        !self.unsettled
    }

    /// Make the tree what a fresh parse gives (results must not depend on
    /// edit history: the CLI parses fresh). A no-op unless an unsettled edit
    /// left syntax errors; then a full parse.
    pub fn settle(&mut self) {
        if self.unsettled {
            self.tree = parse_text(&self.text, None);
            self.unsettled = false;
        }
    }

    /// Replace the whole text (a full-document sync from the client).
    pub fn replace_all(&mut self, text: String) {
        self.text = text;
        self.tree = parse_text(&self.text, None);
        self.unsettled = false;
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The syntax tree; `None` only if the parser could not run at all.
    pub fn tree(&self) -> Option<&Tree> {
        self.tree.as_ref()
    }

    /// True when some part of the file did not parse.
    pub fn has_syntax_errors(&self) -> bool {
        self.tree.as_ref().is_some_and(|t| t.root_node().has_error())
    }

    /// Test edits: replace the `nth` (modulo the count) occurrence of `from`
    /// with `to`; false when `from` does not occur.
    #[cfg(test)]
    pub(crate) fn replace_nth(&mut self, from: &str, to: &str, nth: usize) -> bool {
        let found: Vec<usize> = self.text.match_indices(from).map(|(i, _)| i).collect();
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

/// The tree-sitter point (row, byte column) of a byte offset.
fn point_at(text: &str, byte: usize) -> Point {
    let before = &text.as_bytes()[..byte];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    Point { row, column: byte - line_start }
}

/// The point reached after writing `inserted` at `start`.
fn advance_point(start: Point, inserted: &str) -> Point {
    let bytes = inserted.as_bytes();
    match bytes.iter().rposition(|&b| b == b'\n') {
        None => Point { row: start.row, column: start.column + bytes.len() },
        Some(last) => Point { row: start.row + bytes.iter().filter(|&&b| b == b'\n').count(), column: bytes.len() - last - 1 },
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

    #[test]
    fn points_count_bytes_and_lines() {
        assert_eq!(point_at("ab\ncé\nd", 6), Point { row: 1, column: 3 });
        assert_eq!(advance_point(Point { row: 2, column: 4 }, "x\nyz"), Point { row: 3, column: 2 });
    }
}
