//! One Go source file as an editor holds it: text plus tree-sitter tree,
//! re-parsed incrementally on each edit.

use crate::syntax::parse;
use tree_sitter::{InputEdit, Point, Tree};

/// A Go file: text plus syntax tree. `Send + Sync`.
#[derive(Clone)]
pub struct GoDocument {
    text: String,
    tree: Option<Tree>,
    /// The tree has syntax errors and came from an incremental parse.
    unsettled: bool,
}

impl std::fmt::Debug for GoDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoDocument").field("bytes", &self.text.len()).finish()
    }
}

impl GoDocument {
    pub fn parse(text: String) -> GoDocument {
        let tree = parse(&text, None);
        GoDocument { text, tree, unsettled: false }
    }

    /// Replace bytes `[start, old_end)` with `new_text` and re-parse
    /// incrementally. Offsets are clamped into the text and widened to
    /// character boundaries, so a confused client cannot make this panic.
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
                self.tree = parse(&self.text, Some(tree));
                self.unsettled = self.has_syntax_errors();
            }
            None => self.tree = parse(&self.text, None),
        }
        (start, old_end)
    }

    pub fn edit(&mut self, start: usize, old_end: usize, new_text: &str) -> (usize, usize) {
        let replaced = self.edit_unsettled(start, old_end, new_text);
        self.settle();
        replaced
    }

    /// Make the tree what a fresh parse gives.
    pub fn settle(&mut self) {
        if self.unsettled {
            self.tree = parse(&self.text, None);
            self.unsettled = false;
        }
    }

    pub fn is_settled(&self) -> bool {
        !self.unsettled
    }

    pub fn replace_all(&mut self, text: String) {
        self.text = text;
        self.tree = parse(&self.text, None);
        self.unsettled = false;
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn tree(&self) -> Option<&Tree> {
        self.tree.as_ref()
    }

    pub fn has_syntax_errors(&self) -> bool {
        self.tree.as_ref().is_some_and(|t| t.root_node().has_error())
    }

    /// The document with a fresh tree when the current one is unsettled.
    pub(crate) fn settled(&self) -> std::borrow::Cow<'_, GoDocument> {
        if self.unsettled {
            let mut copy = self.clone();
            copy.settle();
            std::borrow::Cow::Owned(copy)
        } else {
            std::borrow::Cow::Borrowed(self)
        }
    }
}

fn point_at(text: &str, byte: usize) -> Point {
    let before = &text.as_bytes()[..byte];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    Point { row, column: byte - line_start }
}

fn advance_point(start: Point, inserted: &str) -> Point {
    let bytes = inserted.as_bytes();
    match bytes.iter().rposition(|&b| b == b'\n') {
        None => Point { row: start.row, column: start.column + bytes.len() },
        Some(last) => Point { row: start.row + bytes.iter().filter(|&&b| b == b'\n').count(), column: bytes.len() - last - 1 },
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
