//! Tree helpers for Java: children, wrappers that do not change a value,
//! call arguments (node text, spans and syntax errors come from the engine).

pub use iamlens_engine::syntax::{one_line, span, syntax_errors, text};
use tree_sitter::Node;

pub fn named_children(n: Node) -> Vec<Node> {
    let mut cursor = n.walk();
    n.named_children(&mut cursor).collect()
}

/// Strip parentheses and casts: `((S3Client) x)` → `x`.
pub fn unwrap_expr(mut n: Node) -> Node {
    loop {
        match n.kind() {
            "parenthesized_expression" => match n.named_child(0) {
                Some(inner) => n = inner,
                None => return n,
            },
            "cast_expression" => match n.child_by_field_name("value") {
                Some(inner) => n = inner,
                None => return n,
            },
            _ => return n,
        }
    }
}

/// The call's arguments (named children of its argument list).
pub fn arguments(call: Node) -> Vec<Node> {
    call.child_by_field_name("arguments").map(named_children).unwrap_or_default().into_iter().filter(|n| !n.is_extra()).collect()
}
