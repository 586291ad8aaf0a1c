//! One Java source file as an editor holds it: text plus tree-sitter tree,
//! re-parsed incrementally on each edit.

use crate::syntax::parse;
use tree_sitter::{InputEdit, Point, Tree};

/// A Java file: text plus syntax tree. `Send + Sync`.
#[derive(Clone)]
pub struct JavaDocument {
    text: String,
    tree: Option<Tree>,
    /// The tree has syntax errors and came from an incremental parse.
    unsettled: bool,
}

impl std::fmt::Debug for JavaDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JavaDocument").field("bytes", &self.text.len()).finish()
    }
}

impl JavaDocument {
    pub fn parse(text: String) -> JavaDocument {
        let tree = parse(&text, None);
        JavaDocument { text, tree, unsettled: false }
    }

    /// Replace bytes `[start, old_end)` with `new_text` and re-parse
    /// incrementally; offsets are clamped and widened to character
    /// boundaries. Returns the byte range replaced.
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

    pub fn is_settled(&self) -> bool {
        !self.unsettled
    }

    /// Make the tree what a fresh parse gives.
    pub fn settle(&mut self) {
        if self.unsettled {
            self.tree = parse(&self.text, None);
            self.unsettled = false;
        }
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
