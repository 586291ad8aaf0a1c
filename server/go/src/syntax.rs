//! Tree helpers: parsing Go with a per-thread parser, node text and spans,
//! string literals, and syntax-error findings.

pub use iamlens_engine::syntax::{span, syntax_errors, text};
use tree_sitter::{Node, Tree};

/// Parse `text`, reusing `old` (already edited) when given; `None` only if
/// the parser cannot run at all.
pub fn parse(text: &str, old: Option<&Tree>) -> Option<Tree> {
    iamlens_engine::syntax::parse(&tree_sitter_go::LANGUAGE.into(), text, old)
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
