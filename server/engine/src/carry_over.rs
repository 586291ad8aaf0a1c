//! Skipping re-analysis for edits that cannot change it: typing inside a
//! comment or a docstring (what is inert is the front-end's to say, see
//! [`SourceDocument::inert_region`]). The previous report stays valid once
//! its spans are shifted by the edit; the syntax trees before and after prove
//! the edit stayed inside such a region. Any doubt (syntax errors, structural
//! change, an edit touching code) falls back to a full re-analysis.

use crate::edited_tree::point_at;
use crate::front_end::{ByteEdit, SourceDocument};
use crate::model::{Position, Span};
use crate::FileReport;
use tree_sitter::{InputEdit, Point, Tree};

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

/// Whether the edit provably leaves the analysis unchanged; `after` is the
/// document with the edit applied.
pub fn edit_is_inert(before: &Before, after: &dyn SourceDocument, edit: ByteEdit) -> bool {
    let Some(new_tree) = after.tree() else { return false };
    let new_text = after.text();
    let inert_region = |tree: &Tree, start: usize, end: usize| after.inert_region(tree, start, end);
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

/// Move every span of the report to where its text is after the edit
/// (`after` is the document with the edit applied); a call the edit fell
/// inside (a comment within a multi-line call) takes its text from there.
pub fn shift(report: &mut FileReport, after: &dyn SourceDocument, edit: ByteEdit) {
    let new_text = after.text();
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
        if call.span.start_byte <= edit.start && edit.new_end() <= call.span.end_byte {
            call.text = after.call_text(&call.span);
        }
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
