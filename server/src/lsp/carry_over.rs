//! Skipping re-analysis for edits that cannot change it: typing inside a
//! comment or a docstring (a string that is a statement on its own). The
//! previous report stays valid once its spans are shifted by the edit; the
//! syntax trees before and after prove the edit stayed inside such a node.
//! Any doubt (syntax errors, structural change, an edit touching code) falls
//! back to a full re-analysis.

use crate::engine::FileReport;
use crate::model::{Position, Span};
use tree_sitter::{InputEdit, Node, Point, Tree};

/// The one edit applied: bytes `[start, old_end)` became `new_len` bytes.
#[derive(Debug, Clone, Copy)]
pub struct ByteEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_len: usize,
}

impl ByteEdit {
    fn new_end(&self) -> usize {
        self.start + self.new_len
    }
}

/// True when bytes `[start, end]` lie strictly inside a comment, or inside the
/// text of a string that is a statement by itself (docstrings).
fn inert_region(tree: &Tree, start: usize, end: usize) -> bool {
    // The bytes touched: [start, end) for a replacement; for an insertion,
    // the byte before it (text typed at the end of a comment extends it).
    let (q_start, q_end) = if end > start { (start, end - 1) } else { (start.saturating_sub(1), start.saturating_sub(1)) };
    let Some(mut node) = tree.root_node().descendant_for_byte_range(q_start, q_end) else { return false };
    loop {
        match node.kind() {
            "comment" => return node.start_byte() < start && end <= node.end_byte(),
            "string_content" => {
                let Some(string) = node.parent() else { return false };
                return string.kind() == "string" && is_bare_statement(string) && node.start_byte() <= start && end <= node.end_byte();
            }
            "string" => return false, // Quotes or interpolations: structure may change.
            _ => {}
        }
        match node.parent() {
            Some(parent) if parent.start_byte() <= start && end <= parent.end_byte() && parent.kind() != "module" => node = parent,
            _ => return false,
        }
    }
}

fn is_bare_statement(string: Node) -> bool {
    string.parent().is_some_and(|p| p.kind() == "expression_statement" && p.named_child_count() == 1)
        && !has_interpolation(string)
}

fn has_interpolation(string: Node) -> bool {
    let mut cursor = string.walk();
    let found = string.named_children(&mut cursor).any(|c| c.kind() == "interpolation");
    found
}

/// The tree-sitter point of a byte offset (rows end at `\n`).
fn point_at(text: &str, byte: usize) -> Point {
    let before = &text.as_bytes()[..byte.min(text.len())];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    Point { row, column: before.len() - line_start }
}

/// What is needed of the text before an edit: its tree and the edit's points.
pub struct Before {
    tree: Tree,
    start: Point,
    old_end: Point,
}

impl Before {
    pub fn capture(tree: &Tree, old_text: &str, edit: ByteEdit) -> Before {
        Before { tree: tree.clone(), start: point_at(old_text, edit.start), old_end: point_at(old_text, edit.old_end) }
    }
}

/// Whether the edit provably leaves the analysis unchanged.
pub fn edit_is_inert(before: &Before, new_tree: &Tree, new_text: &str, edit: ByteEdit) -> bool {
    let old_tree = &before.tree;
    if old_tree.root_node().has_error() || new_tree.root_node().has_error() {
        return false;
    }
    if !inert_region(old_tree, edit.start, edit.old_end) || !inert_region(new_tree, edit.start, edit.new_end()) {
        return false;
    }
    let mut edited = old_tree.clone();
    edited.edit(&InputEdit {
        start_byte: edit.start,
        old_end_byte: edit.old_end,
        new_end_byte: edit.new_end(),
        start_position: before.start,
        old_end_position: before.old_end,
        new_end_position: point_at(new_text, edit.new_end()),
    });
    // Any change of structure must stay inside the inert region.
    let all_inert = edited.changed_ranges(new_tree).all(|r| inert_region(new_tree, r.start_byte, r.end_byte));
    all_inert
}

/// Move every span of the report to where its text is after the edit.
pub fn shift(report: &mut FileReport, new_text: &str, edit: ByteEdit) {
    let lines = NewlineIndex::new(new_text);
    let delta = edit.new_len as isize - (edit.old_end - edit.start) as isize;
    let move_span = |span: &mut Span| {
        let moved = |b: usize| (b as isize + delta).max(0) as usize;
        if span.start_byte >= edit.old_end {
            span.start_byte = moved(span.start_byte);
        }
        if span.end_byte >= edit.old_end {
            span.end_byte = moved(span.end_byte);
        }
        span.start = lines.position(new_text, span.start_byte);
        span.end = lines.position(new_text, span.end_byte);
    };
    let out = report;
    for call in &mut out.analysis.calls {
        move_span(&mut call.span);
        move_span(&mut call.name_span);
    }
    for finding in &mut out.analysis.findings {
        move_span(&mut finding.span);
    }
    for scope in &mut out.analysis.scopes {
        move_span(&mut scope.span);
        move_span(&mut scope.name_span);
    }
}

/// Line starts by `\n`, as the engine counts lines.
struct NewlineIndex(Vec<usize>);

impl NewlineIndex {
    fn new(text: &str) -> NewlineIndex {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        NewlineIndex(starts)
    }

    fn position(&self, text: &str, byte: usize) -> Position {
        let byte = byte.min(text.len());
        let line = self.0.partition_point(|&s| s <= byte) - 1;
        Position { line: line as u32, column: (byte - self.0[line]) as u32 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::python::{ProjectIndex, PythonDocument};
    use crate::engine::{report_for_document, EngineOptions};
    use std::path::Path;

    const SRC: &str = "import boto3\n\ns3 = boto3.client('s3')\n\n\ndef run(day):\n    \"\"\"Fetch the day's file — données.\"\"\"\n    # read it\n    return s3.get_object(Bucket='logs', Key='in/today.json')\n";

    fn report(doc: &PythonDocument) -> FileReport {
        report_for_document(Path::new("/w/a.py"), doc, &ProjectIndex::new(), &EngineOptions::default())
    }

    /// Apply an edit; when judged inert, the shifted old report must equal a fresh one.
    fn check(insert_at: &str, offset_in: usize, remove: usize, text: &str) -> bool {
        let mut doc = PythonDocument::parse(SRC.to_string());
        let before = report(&doc);
        let start = SRC.find(insert_at).unwrap() + offset_in;
        let edit = ByteEdit { start, old_end: start + remove, new_len: text.len() };
        let captured = Before::capture(doc.tree().unwrap(), SRC, edit);
        doc.edit(edit.start, edit.old_end, text);
        let inert = edit_is_inert(&captured, doc.tree().unwrap(), doc.text(), edit);
        if inert {
            let fresh = report(&doc);
            let mut carried = before.clone();
            shift(&mut carried, doc.text(), edit);
            assert_eq!(format!("{:?}", carried.analysis), format!("{:?}", fresh.analysis));
            assert_eq!(carried.requirements, fresh.requirements);
        }
        inert
    }

    #[test]
    fn typing_in_a_docstring_or_comment_is_inert_and_the_shifted_report_matches() {
        assert!(check("données", 0, 0, "z"));
        assert!(check("données", 0, 0, "new\nlines\n"));
        assert!(check("read it", 5, 2, ""));
        assert!(check("read it", 0, 0, "é😀"));
        assert!(check("read it", 7, 0, "!"), "typing at the end of a comment");
    }

    #[test]
    fn edits_touching_code_or_quotes_are_not_inert() {
        assert!(!check("get_object", 0, 3, "put"));
        assert!(!check("'logs'", 1, 0, "x")); // an argument string
        assert!(!check("\"\"\"Fetch", 0, 1, "")); // a quote of the docstring
        assert!(!check("# read it", 0, 1, "")); // removing the comment marker
        assert!(!check("données", 0, 0, "\"\"\"")); // closing the docstring early
        assert!(!check("read it", 7, 0, "\n    s3.delete_object(Bucket='x', Key='y')")); // code after a comment
    }
}
