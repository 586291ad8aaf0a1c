//! Tree helpers: the Java parser (one per thread), node text and spans,
//! and syntax-error findings.

use iamlens_engine::model::{Finding, FindingKind, Position, Span};
use std::cell::RefCell;
use tree_sitter::{Node, Parser, Tree};

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parse `text`, reusing `old` (already edited) when given; `None` only if
/// the parser cannot run at all.
pub fn parse(text: &str, old: Option<&Tree>) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&tree_sitter_java::LANGUAGE.into()).ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(text, old)
    })
}

pub fn text<'s>(n: Node, src: &'s str) -> &'s str {
    src.get(n.byte_range()).unwrap_or("")
}

pub fn span(n: Node) -> Span {
    let (s, e) = (n.start_position(), n.end_position());
    Span {
        start_byte: n.start_byte(),
        end_byte: n.end_byte(),
        start: Position { line: s.row as u32, column: s.column as u32 },
        end: Position { line: e.row as u32, column: e.column as u32 },
    }
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

/// The call as written, on one line, shortened.
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
    out
}
