//! A source text and its tree-sitter tree, edited together: each edit is
//! told to the tree and re-parsed incrementally. Every language's document
//! is built on it with its grammar.

use crate::syntax::parse;
use tree_sitter::{InputEdit, Language, Point, Tree};

/// Text plus syntax tree. `Send + Sync`.
#[derive(Clone)]
pub struct EditedTree {
    language: Language,
    text: String,
    tree: Option<Tree>,
    /// The tree has syntax errors and came from an incremental parse, which
    /// can depend on the edits that led to it (see [`settle`](Self::settle)).
    unsettled: bool,
    /// Edits were told to the tree but not parsed yet (see [`edit_deferred`](Self::edit_deferred)).
    parse_pending: bool,
}

impl std::fmt::Debug for EditedTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EditedTree").field("bytes", &self.text.len()).field("unsettled", &self.unsettled).finish()
    }
}

impl EditedTree {
    pub fn new(text: String, language: Language) -> EditedTree {
        let tree = parse(&language, &text, None);
        EditedTree { language, text, tree, unsettled: false, parse_pending: false }
    }

    /// Replace bytes `[start, old_end)` with `new_text`, tell the tree and
    /// re-parse incrementally; a tree with syntax errors stays as the
    /// incremental parse left it. Offsets past the end are clamped, and
    /// offsets inside a multi-byte character widen to the whole character,
    /// so a confused client cannot make this panic. Returns the byte range
    /// replaced.
    pub fn edit_unsettled(&mut self, start: usize, old_end: usize, new_text: &str) -> (usize, usize) {
        let replaced = self.edit_deferred(start, old_end, new_text);
        self.parse_deferred();
        replaced
    }

    /// [`edit_unsettled`](Self::edit_unsettled) without the parse: the text
    /// changes and the tree is told, and [`parse_deferred`](Self::parse_deferred)
    /// parses once for any number of such edits (an editor's change batch:
    /// multi-cursor typing, replace-all, a formatter). Until then `tree()` is
    /// the edited old tree, whose nodes may not match the text.
    pub fn edit_deferred(&mut self, start: usize, old_end: usize, new_text: &str) -> (usize, usize) {
        let len = self.text.len();
        let mut start = start.min(len);
        let mut old_end = old_end.min(len).max(start);
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
        if let Some(tree) = self.tree.as_mut() {
            tree.edit(&edit);
        }
        self.parse_pending = true;
        (start, old_end)
    }

    /// Parse once what [`edit_deferred`](Self::edit_deferred) left (incrementally
    /// from the edited tree); a no-op when nothing is pending.
    pub fn parse_deferred(&mut self) {
        if !std::mem::take(&mut self.parse_pending) {
            return;
        }
        match self.tree.as_ref() {
            Some(tree) => {
                self.tree = parse(&self.language, &self.text, Some(tree));
                self.unsettled = self.has_syntax_errors();
            }
            None => self.tree = parse(&self.language, &self.text, None),
        }
    }

    /// [`edit_unsettled`](Self::edit_unsettled), then [`settle`](Self::settle).
    pub fn edit(&mut self, start: usize, old_end: usize, new_text: &str) -> (usize, usize) {
        let replaced = self.edit_unsettled(start, old_end, new_text);
        self.settle();
        replaced
    }

    /// Make the tree what a fresh parse gives (results must not depend on
    /// edit history). A no-op unless an edit left syntax errors.
    pub fn settle(&mut self) {
        self.parse_deferred();
        if self.unsettled {
            self.tree = parse(&self.language, &self.text, None);
            self.unsettled = false;
        }
    }

    /// True when the tree is what a fresh parse of the text gives.
    pub fn is_settled(&self) -> bool {
        !self.unsettled && !self.parse_pending
    }

    /// Replace the whole text (a full-document sync).
    pub fn replace_all(&mut self, text: String) {
        self.text = text;
        self.tree = parse(&self.language, &self.text, None);
        self.unsettled = false;
        self.parse_pending = false;
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The syntax tree; `None` only if the parser could not run at all.
    pub fn tree(&self) -> Option<&Tree> {
        self.tree.as_ref()
    }

    /// True when some part of the text did not parse.
    pub fn has_syntax_errors(&self) -> bool {
        self.tree.as_ref().is_some_and(|t| t.root_node().has_error())
    }
}

/// The tree-sitter point of a byte offset (rows end at `\n`).
pub fn point_at(text: &str, byte: usize) -> Point {
    let before = &text.as_bytes()[..byte.min(text.len())];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    Point { row, column: before.len() - line_start }
}

/// Where a point moves after `inserted` is typed at `start`.
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

    #[test]
    fn points_count_bytes_and_lines() {
        assert_eq!(point_at("ab\ncé\nd", 6), Point { row: 1, column: 3 });
        assert_eq!(advance_point(Point { row: 2, column: 4 }, "x\nyz"), Point { row: 3, column: 2 });
    }
}
