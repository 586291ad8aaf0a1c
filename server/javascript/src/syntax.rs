//! Small helpers over the tree-sitter JavaScript/TypeScript tree: node text,
//! spans, wrappers that do not change a value, string literals, syntax errors.

pub use iamlens_engine::syntax::{one_line, span, syntax_errors, text};
use tree_sitter::Node;

/// Named children, collected (nodes are small copies).
pub fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).filter(|c| c.kind() != "comment").collect()
}

/// Strip wrappers that do not change a value: `(x)`, `await x`, `x as T`,
/// `x!`, `x satisfies T`, `<T>x`.
pub fn unwrap_expr(mut node: Node) -> Node {
    for _ in 0..64 {
        match node.kind() {
            "parenthesized_expression" | "await_expression" | "as_expression" | "non_null_expression" | "satisfies_expression" | "type_assertion" => {
                let inner = if node.kind() == "type_assertion" { node.named_child(1) } else { node.named_child(0) };
                match inner {
                    Some(inner) => node = inner,
                    None => return node,
                }
            }
            _ => return node,
        }
    }
    node
}

/// The decoded text of a string literal (`'s3'`, `"s3"`), `None` for anything else.
pub fn string_literal(node: Node, src: &str) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let mut out = String::new();
    for part in named_children(node) {
        match part.kind() {
            "string_fragment" => out.push_str(text(part, src)),
            "escape_sequence" => decode_escape(&mut out, text(part, src)),
            _ => {}
        }
    }
    Some(out)
}

/// Append one escape sequence's character (`\n`, `\x41`, `\u0041`, `\'`).
pub fn decode_escape(out: &mut String, esc: &str) {
    let body = esc.strip_prefix('\\').unwrap_or(esc);
    let decoded = match body.chars().next() {
        Some('n') => Some('\n'),
        Some('t') => Some('\t'),
        Some('r') => Some('\r'),
        Some('0') if body.len() == 1 => Some('\0'),
        Some('x') => u32::from_str_radix(&body[1..], 16).ok().and_then(char::from_u32),
        Some('u') => u32::from_str_radix(body[1..].trim_matches(['{', '}']), 16).ok().and_then(char::from_u32),
        Some('\n') | Some('\r') => return,
        Some(c) if body.len() == c.len_utf8() => Some(c),
        _ => None,
    };
    match decoded {
        Some(c) => out.push(c),
        None => out.push_str(esc),
    }
}

/// Every node of the tree in document order, depth first (iterative: deep
/// nesting cannot overflow the stack).
pub fn for_each_node<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>)) {
    let mut cursor = root.walk();
    loop {
        f(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}
