//! Text that cannot change the analysis: the inside of comments.

use tree_sitter::Tree;

/// True when bytes `[start, end]` lie strictly inside a comment.
pub fn inert_region(tree: &Tree, start: usize, end: usize) -> bool {
    let Some(mut n) = tree.root_node().descendant_for_byte_range(start, end) else { return false };
    loop {
        if matches!(n.kind(), "line_comment" | "block_comment") {
            let close = if n.kind() == "block_comment" { 2 } else { 0 };
            return start > n.start_byte() + 1 && end + close < n.end_byte();
        }
        match n.parent() {
            Some(p) => n = p,
            None => return false,
        }
    }
}
