//! What is inert to the analysis in JavaScript: the text of comments. Typing
//! there keeps the previous report (see `iamlens_engine::carry_over`).

use tree_sitter::Tree;

/// True when bytes `[start, end]` lie strictly inside a comment's text:
/// after `//` (a line comment extends to what is typed at its end), or
/// between `/*` and `*/`.
pub fn inert_region(tree: &Tree, src: &str, start: usize, end: usize) -> bool {
    let (q_start, q_end) = if end > start { (start, end - 1) } else { (start.saturating_sub(1), start.saturating_sub(1)) };
    let Some(node) = tree.root_node().descendant_for_byte_range(q_start, q_end) else { return false };
    if node.kind() != "comment" {
        return false;
    }
    let text = src.get(node.byte_range()).unwrap_or("");
    let (open, close) = if text.starts_with("/*") { (2, 2) } else { (2, 0) };
    node.start_byte() + open <= start && end + close <= node.end_byte()
}
