//! Tree helpers for Java: children, wrappers that do not change a value,
//! call arguments (node text, spans and syntax errors come from the engine).

pub use iamlens_engine::syntax::{one_line, span, syntax_errors, text};
use tree_sitter::Node;

/// A field's id (0, which names no field, for a name the grammar lacks:
/// what `child_by_field_name` does with one).
pub fn field_id(name: &str) -> u16 {
    let language: tree_sitter::Language = tree_sitter_java::LANGUAGE.into();
    language.field_id_for_name(name).map_or(0, |id| id.get())
}

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
            "cast_expression" => match n.child_by_field_id(field!("value")) {
                Some(inner) => n = inner,
                None => return n,
            },
            _ => return n,
        }
    }
}

/// The call's arguments (named children of its argument list).
pub fn arguments(call: Node) -> Vec<Node> {
    let Some(list) = call.child_by_field_id(field!("arguments")) else { return Vec::new() };
    let mut cursor = list.walk();
    list.named_children(&mut cursor).filter(|n| !n.is_extra()).collect()
}

/// Every node under `root` (itself included) in post-order, children left
/// to right, each with its ancestors (root first): one cursor, no allocation per node.
pub fn each_in_post_order<'a>(root: Node<'a>, mut visit: impl FnMut(Node<'a>, &[Node<'a>])) {
    let mut cursor = root.walk();
    let mut ancestors: Vec<Node<'a>> = Vec::new();
    'walk: loop {
        let n = cursor.node();
        if cursor.goto_first_child() {
            ancestors.push(n);
            continue;
        }
        let mut left = n;
        loop {
            visit(left, &ancestors);
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            let Some(parent) = ancestors.pop() else { break 'walk };
            cursor.goto_parent();
            left = parent;
        }
    }
}

/// `root` and every named node reachable from it through named nodes, in
/// source order (pre-order): what descending by `named_children` visits.
pub fn each_named_in_pre_order<'a>(root: Node<'a>, visit: impl FnMut(Node<'a>)) {
    each_named_in_pre_order_where(root, |_| true, visit)
}

/// [`each_named_in_pre_order`] over the nodes `keep` accepts: a node it
/// refuses is skipped with everything under it.
pub fn each_named_in_pre_order_where<'a>(root: Node<'a>, keep: impl Fn(Node<'a>) -> bool, mut visit: impl FnMut(Node<'a>)) {
    let mut cursor = root.walk();
    'walk: loop {
        let n = cursor.node();
        if n.is_named() && keep(n) {
            visit(n);
            if cursor.goto_first_child() {
                continue;
            }
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
}
