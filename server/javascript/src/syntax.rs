//! Small helpers over the tree-sitter JavaScript/TypeScript tree: node text,
//! spans, wrappers that do not change a value, string literals, syntax errors.

pub use iamlens_engine::syntax::{one_line, span, syntax_errors, text};
use tree_sitter::Node;

/// Each node kind's name by id in `language` (`None` past the end), so a
/// walk over many nodes reads `kind_id`s rather than each kind's C string.
/// A kind id is the grammar's public symbol, which has its symbol's name, so
/// `kind_names(l)[n.kind_id()]` is `n.kind()` (the error id, past the end, is read directly).
pub fn kind_names<'l>(language: &'l tree_sitter::LanguageRef<'_>) -> Vec<Option<&'l str>> {
    (0..language.node_kind_count()).map(|id| u16::try_from(id).ok().and_then(|id| language.node_kind_for_id(id))).collect()
}

/// A node's kind, from [`kind_names`] when its id is there.
pub fn kind_in<'a, 't: 'a>(names: &[Option<&'a str>], node: Node<'t>) -> &'a str {
    match names.get(usize::from(node.kind_id())) {
        Some(Some(name)) => name,
        _ => node.kind(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{parse_text, Dialect};

    /// [`kind_in`] reads every node's kind as [`Node::kind`] does, in every grammar
    /// (the fixture corpus, and a file that does not parse).
    #[test]
    fn kinds_by_id_are_the_kinds() {
        let root = iamlens_engine::golden::repo_root(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/javascript");
        let mut texts = vec!["const f = ( => s3.send(\n class { ".to_string()];
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                match std::fs::read_to_string(&path) {
                    _ if path.is_dir() => dirs.push(path),
                    Ok(text) => texts.push(text),
                    Err(_) => {}
                }
            }
        }
        let mut seen = 0;
        for dialect in [Dialect::JavaScript, Dialect::TypeScript, Dialect::Tsx] {
            for text in &texts {
                let tree = parse_text(dialect, text, None).unwrap();
                let language = tree.language();
                let names = kind_names(&language);
                for_each_node(tree.root_node(), |n| {
                    assert_eq!(kind_in(&names, n), n.kind());
                    seen += 1;
                });
            }
        }
        assert!(seen > 10_000);
    }
}
