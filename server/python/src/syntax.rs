//! Small helpers over the tree-sitter Python syntax tree: node text, spans,
//! string literals, call arguments.

pub use iamlens_engine::syntax::{one_line, span, syntax_errors, text};
use tree_sitter::Node;

/// Named children of a node, in order. Owns its cursor, so nothing is
/// collected (this runs for almost every node of a file).
pub fn named_children(node: Node) -> NamedChildren {
    NamedChildren { cursor: node.walk(), started: false, done: false }
}

pub struct NamedChildren<'t> {
    cursor: tree_sitter::TreeCursor<'t>,
    started: bool,
    done: bool,
}

impl<'t> Iterator for NamedChildren<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        while !self.done {
            let moved = if self.started { self.cursor.goto_next_sibling() } else { self.cursor.goto_first_child() };
            self.started = true;
            if !moved {
                self.done = true;
                break;
            }
            let node = self.cursor.node();
            if node.is_named() {
                return Some(node);
            }
        }
        None
    }
}

/// Strip wrappers that do not change a value: `(x)`, `await x`.
pub fn unwrap_expr(mut node: Node) -> Node {
    for _ in 0..64 {
        match node.kind() {
            "parenthesized_expression" | "await" => match node.named_child(0) {
                Some(inner) => node = inner,
                None => return node,
            },
            _ => return node,
        }
    }
    node
}

/// The call's arguments: positional expressions, keyword arguments, and `**spread`s.
pub struct CallArgs<'t> {
    pub positional: Vec<Node<'t>>,
    pub keywords: Vec<(Node<'t>, Node<'t>)>,
    pub spreads: Vec<Node<'t>>,
    /// `*args` present: positions after it are unknown.
    pub has_star: bool,
}

impl<'t> CallArgs<'t> {
    pub fn of(call: Node<'t>) -> CallArgs<'t> {
        let mut out = CallArgs { positional: Vec::new(), keywords: Vec::new(), spreads: Vec::new(), has_star: false };
        let Some(list) = call.field("arguments") else { return out };
        for arg in named_children(list) {
            match arg.kind() {
                "keyword_argument" => {
                    if let (Some(n), Some(v)) = (arg.field("name"), arg.field("value")) {
                        out.keywords.push((n, v));
                    }
                }
                "dictionary_splat" => {
                    if let Some(inner) = arg.named_child(0) {
                        out.spreads.push(inner);
                    }
                }
                "list_splat" => out.has_star = true,
                "comment" => {}
                _ => out.positional.push(arg),
            }
        }
        out
    }

    pub fn keyword(&self, name: &str, src: &str) -> Option<Node<'t>> {
        self.keywords.iter().find(|(n, _)| text(*n, src) == name).map(|(_, v)| *v)
    }

    /// Positional argument `index`, else the keyword `name`.
    pub fn get(&self, index: usize, name: &str, src: &str) -> Option<Node<'t>> {
        self.positional.get(index).copied().or_else(|| self.keyword(name, src))
    }
}

/// The decoded content of a string literal without interpolations
/// (`'s3'`, `"s3"`, `r"..."`, `"""..."""`, `"a" "b"`). `None` for f-strings
/// with holes and for anything that is not a string literal.
pub fn string_literal(node: Node, src: &str) -> Option<String> {
    match node.kind() {
        "string" => {
            let mut out = String::new();
            let raw = string_prefix(node, src).contains(['r', 'R']);
            for part in named_children(node) {
                match part.kind() {
                    "string_start" | "string_end" => {}
                    "string_content" => push_content(&mut out, part, src, raw),
                    _ => return None,
                }
            }
            Some(out)
        }
        "concatenated_string" => {
            let mut out = String::new();
            for part in named_children(node) {
                out.push_str(&string_literal(part, src)?);
            }
            Some(out)
        }
        _ => None,
    }
}

/// The prefix letters of a string literal (`f`, `rb`, ...).
pub fn string_prefix<'a>(node: Node, src: &'a str) -> &'a str {
    let Some(start) = node.named_child(0).filter(|c| c.kind() == "string_start") else { return "" };
    text(start, src).trim_end_matches(['"', '\''])
}

/// Append a `string_content` node's text, decoding escapes unless raw.
pub fn push_content(out: &mut String, content: Node, src: &str, raw: bool) {
    let s = text(content, src);
    if raw || !s.contains('\\') {
        out.push_str(s);
    } else {
        decode_escapes(out, s);
    }
}

fn decode_escapes(out: &mut String, s: &str) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some('\n') => {}
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\x");
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
}

/// Field names this front-end reads. Looking a field up by name makes
/// tree-sitter compare it against every field name of the grammar; the ids
/// are resolved once instead.
const FIELDS: &[&str] = &[
    "name",
    "value",
    "right",
    "object",
    "body",
    "attribute",
    "left",
    "type",
    "function",
    "definition",
    "alias",
    "module_name",
    "superclasses",
    "subscript",
    "return_type",
    "parameters",
    "operator",
    "key",
    "expression",
    "arguments",
];

fn field_ids() -> &'static [Option<std::num::NonZeroU16>] {
    static IDS: std::sync::OnceLock<Vec<Option<std::num::NonZeroU16>>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        FIELDS.iter().map(|f| language.field_id_for_name(f)).collect()
    })
}

/// Node kinds the call scan tests on every node, as ids.
pub struct Kinds {
    pub call: u16,
    pub attribute: u16,
    pub comprehensions: [u16; 4],
    pub definitions: [u16; 2],
}

pub fn kinds() -> &'static Kinds {
    static KINDS: std::sync::OnceLock<Kinds> = std::sync::OnceLock::new();
    KINDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        let id = |k: &str| language.id_for_node_kind(k, true);
        Kinds {
            call: id("call"),
            attribute: id("attribute"),
            comprehensions: [id("list_comprehension"), id("set_comprehension"), id("dictionary_comprehension"), id("generator_expression")],
            definitions: [id("function_definition"), id("class_definition")],
        }
    })
}

/// `child_by_field_name` with the field id resolved once.
pub trait FieldExt<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>>;
}

impl<'t> FieldExt<'t> for Node<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>> {
        match FIELDS.iter().position(|f| *f == name).and_then(|i| field_ids()[i]) {
            Some(id) => self.child_by_field_id(id.get()),
            None => self.child_by_field_name(name),
        }
    }
}
