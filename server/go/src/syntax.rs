//! Tree helpers: parsing Go with a per-thread parser, node text and spans,
//! string literals, and syntax-error findings.

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
            parser.set_language(&tree_sitter_go::LANGUAGE.into()).ok()?;
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

/// Children that are neither comments nor punctuation.
pub fn args(list: Node) -> Vec<Node> {
    named_children(list).into_iter().filter(|c| c.kind() != "comment").collect()
}

/// The value of a Go string literal (`"a\tb"`, `` `raw` ``); `None` for anything else.
pub fn string_value(n: Node, src: &str) -> Option<String> {
    match n.kind() {
        "raw_string_literal" => {
            let t = text(n, src);
            Some(t.trim_start_matches('`').trim_end_matches('`').to_string())
        }
        "interpreted_string_literal" => {
            let mut out = String::new();
            for c in named_children(n) {
                match c.kind() {
                    "interpreted_string_literal_content" => out.push_str(text(c, src)),
                    "escape_sequence" => out.push_str(unescape(text(c, src))),
                    _ => {}
                }
            }
            Some(out)
        }
        _ => None,
    }
}

fn unescape(esc: &str) -> &str {
    match esc {
        "\\n" => "\n",
        "\\t" => "\t",
        "\\\"" => "\"",
        "\\\\" => "\\",
        "\\'" => "'",
        "\\r" => "\r",
        _ => "?",
    }
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
