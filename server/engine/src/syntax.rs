//! What every front-end does with its tree-sitter tree in the same way:
//! parsing on a per-thread parser, a node's text and span, syntax-error
//! findings, and the one-line form of a call for `--explain`.

use crate::model::{Finding, FindingKind, Position, Span};
use std::cell::RefCell;
use tree_sitter::{Language, Node, Parser, Tree};

thread_local! {
    // Parsers are not shared across threads: one per thread and language.
    static PARSERS: RefCell<Vec<(Language, Parser)>> = const { RefCell::new(Vec::new()) };
    static PARSES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many parses (fresh or incremental) this thread has run: lets tests
/// check that a batch of edits is parsed once.
pub fn parses_on_this_thread() -> u64 {
    PARSES.with(|n| n.get())
}

/// Parse `text` as `language`, reusing `old` (already edited) when given.
/// `None` only if the grammar cannot be loaded.
pub fn parse(language: &Language, text: &str, old: Option<&Tree>) -> Option<Tree> {
    PARSES.with(|n| n.set(n.get() + 1));
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let at = match parsers.iter().position(|(l, _)| l == language) {
            Some(at) => at,
            None => {
                let mut parser = Parser::new();
                parser.set_language(language).ok()?;
                parsers.push((language.clone(), parser));
                parsers.len() - 1
            }
        };
        parsers[at].1.parse(text, old)
    })
}

/// The source text of a node ("" if the node's range is not valid text).
#[inline]
pub fn text<'a>(node: Node, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

/// The byte and line/column span of a node.
#[inline]
pub fn span(node: Node) -> Span {
    let (s, e) = (node.start_position(), node.end_position());
    Span {
        start_byte: node.start_byte(),
        end_byte: node.end_byte(),
        start: Position { line: s.row as u32, column: s.column as u32 },
        end: Position { line: e.row as u32, column: e.column as u32 },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_collapses_whitespace_and_shortens() {
        assert_eq!(one_line("  s3.get_object(\n    Bucket='b',\n)  "), "s3.get_object( Bucket='b', )");
        let long = one_line(&"x".repeat(500));
        assert!(long.ends_with('…') && long.chars().count() == 161);
    }
}
