//! Small helpers over the tree-sitter JavaScript/TypeScript tree: node text,
//! spans, wrappers that do not change a value, string literals, syntax errors.

use iamlens_engine::model::{Finding, FindingKind, Position, Span};
use tree_sitter::Node;

/// The source text of a node ("" if the node's range is not valid text).
pub fn text<'a>(node: Node, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

/// The byte and line/column span of a node.
pub fn span(node: Node) -> Span {
    let (s, e) = (node.start_position(), node.end_position());
    Span {
        start_byte: node.start_byte(),
        end_byte: node.end_byte(),
        start: Position { line: s.row as u32, column: s.column as u32 },
        end: Position { line: e.row as u32, column: e.column as u32 },
    }
}

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

/// One line of source for `--explain`: whitespace collapsed, at most 160 characters.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(170));
    let mut last_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !last_space && !out.is_empty() {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
        if out.len() >= 160 {
            out.push('…');
            break;
        }
    }
    out.trim_end().to_string()
}

/// One finding per region that did not parse (at most 20), naming its line.
pub fn syntax_errors(root: Node) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if out.len() >= 20 {
            break;
        }
        if n.is_error() || n.is_missing() {
            let line = n.start_position().row + 1;
            let what = if n.is_missing() { format!("missing `{}`", n.kind()) } else { "invalid syntax".to_string() };
            out.push(Finding {
                span: span(n),
                kind: FindingKind::SyntaxError,
                message: format!("line {line} does not parse ({what}); AWS calls in it may be missed until it is fixed"),
            });
            continue;
        }
        if n.has_error() {
            let mut cursor = n.walk();
            let kids: Vec<Node> = n.children(&mut cursor).collect();
            stack.extend(kids.into_iter().rev());
        }
    }
    out
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
