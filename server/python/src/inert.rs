//! What is inert to the analysis in Python: comments and the text of a string
//! that is a statement by itself (docstrings). Typing there keeps the
//! previous report (see `iamlens_engine::carry_over`).

use tree_sitter::{Node, Tree};

/// True when bytes `[start, end]` lie strictly inside a comment, or inside the
/// text of a string that is a statement by itself (docstrings).
pub(crate) fn inert_region(tree: &Tree, start: usize, end: usize) -> bool {
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
    string.parent().is_some_and(|p| p.kind() == "expression_statement" && p.named_child_count() == 1) && !has_interpolation(string)
}

fn has_interpolation(string: Node) -> bool {
    let mut cursor = string.walk();
    let found = string.named_children(&mut cursor).any(|c| c.kind() == "interpolation");
    found
}
