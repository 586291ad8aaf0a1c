//! A small positioned tree of a YAML or JSON document (JSON is read as YAML
//! flow style, so both keep their lines).
//!
//! CloudFormation short-form tags become their long form while the tree is
//! built: `!Ref X` is `{Ref: X}`, `!GetAtt A.B` is `{Fn::GetAtt: A.B}`,
//! `!Condition C` is `{Condition: C}`, any other local tag `!Name` is
//! `{Fn::Name: ...}`. Anchors, aliases and `<<` merge keys are expanded,
//! within a size budget; nesting is bounded.

use crate::model::Pattern;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use std::borrow::Cow;
use std::collections::HashMap;

/// One node and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Every scalar: strings, numbers and booleans keep their text.
    Str(String),
    /// A string only partly known (a Serverless variable resolved to a pattern).
    Pat(Pattern),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    /// The line of the key.
    pub line: usize,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Deeper documents are refused rather than risk the stack.
pub const MAX_DEPTH: usize = 200;
/// Nodes one document may expand to (aliases included).
const MAX_NODES: usize = 500_000;

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }
    /// Follow a path of keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        let mut node = self;
        for key in keys {
            node = node.get(key)?;
        }
        Some(node)
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            Value::Pat(p) if p.0.len() == 1 => match &p.0[0] {
                crate::model::Part::Literal(s) => Some(s),
                crate::model::Part::Unknown => None,
            },
            _ => None,
        }
    }
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }
    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }
    /// A CloudFormation intrinsic function: `{Ref: ...}`, `{Fn::If: ...}`, `{Condition: ...}`.
    pub fn is_intrinsic(&self) -> bool {
        matches!(&self.value, Value::Map(entries) if entries.len() == 1 && (entries[0].key == "Ref" || entries[0].key == "Condition" || entries[0].key.starts_with("Fn::")))
    }
    /// A mapping of names to values, not an intrinsic function.
    pub fn is_plain_map(&self) -> bool {
        self.is_map() && !self.is_intrinsic()
    }
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }
    /// `true`, `True`, `"true"`, `yes`...
    pub fn is_true(&self) -> bool {
        self.as_str().is_some_and(|s| matches!(s.to_ascii_lowercase().as_str(), "true" | "yes" | "on"))
    }
}

/// Parse the first document of `text`.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    match parse_partial(text) {
        (root, None) => Ok(root),
        (_, Some(e)) => Err(e),
    }
}

/// Parse the first document of `text`; on an error, the tree read up to it
/// (every mapping and list still open closed where it stopped: the node the
/// error is in is incomplete) and the error.
pub fn parse_partial(text: &str) -> (Node, Option<ParseError>) {
    let mut builder = Builder::default();
    let mut error = None;
    for event in Parser::new_from_str(text) {
        let step = event
            .map_err(|e| ParseError { line: e.marker().line().max(1), message: e.info().to_string() })
            .and_then(|(event, span)| builder.event(event, span.start.line().max(1)));
        match step {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    if error.is_some() {
        while !builder.stack.is_empty() {
            if builder.event(Event::MappingEnd, 1).is_err() {
                break;
            }
        }
    }
    (builder.root.unwrap_or(Node { line: 1, value: Value::Null }), error)
}

enum Frame {
    Seq { line: usize, tag: Option<String>, anchor: usize, items: Vec<Node> },
    Map { line: usize, tag: Option<String>, anchor: usize, entries: Vec<Entry>, key: Option<(String, usize)> },
}

impl Frame {
    fn expects_key(&self) -> bool {
        matches!(self, Frame::Map { key: None, .. })
    }
}

/// A plain scalar whose text YAML 1.1 readers (CloudFormation's among them)
/// may not keep as written: booleans other than `true`/`false`, numbers in a
/// form other than their canonical one, sexagesimal numbers.
fn ambiguous(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if matches!(lower.as_str(), "yes" | "no" | "on" | "off" | "y" | "n") || (matches!(lower.as_str(), "true" | "false") && lower != text) {
        return true;
    }
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    if text.starts_with('+') || lower.starts_with("0x") || lower.starts_with("0o") || matches!(lower.trim_start_matches(['-', '+']), ".inf" | ".nan")
    {
        return true;
    }
    if unsigned.is_empty() || !unsigned.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '_' | ':' | '-' | '+')) {
        return false;
    }
    if !unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return false;
    }
    if unsigned.contains('_') || unsigned.contains(':') {
        return unsigned.chars().all(|c| c.is_ascii_digit() || matches!(c, '_' | ':' | '.'));
    }
    if unsigned.chars().all(|c| c.is_ascii_digit()) {
        return unsigned.len() > 1 && unsigned.starts_with('0');
    }
    if unsigned.parse::<f64>().is_err() {
        return false;
    }
    unsigned.contains(['e', 'E']) || unsigned.starts_with('.') || unsigned.ends_with('.') || (unsigned.contains('.') && unsigned.ends_with('0'))
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    nodes: usize,
}

fn local_tag(tag: Option<Cow<'_, Tag>>) -> Option<String> {
    let tag = tag?;
    (tag.handle == "!" && !tag.suffix.is_empty()).then(|| tag.suffix.clone())
}

/// `!Ref X` → `{Ref: X}`, `!Sub ...` → `{Fn::Sub: ...}`.
fn apply_tag(tag: Option<String>, node: Node) -> Node {
    match tag {
        None => node,
        Some(tag) => {
            let key = match tag.as_str() {
                "Ref" | "Condition" => tag,
                _ => format!("Fn::{tag}"),
            };
            Node { line: node.line, value: Value::Map(vec![Entry { key, line: node.line, value: node }]) }
        }
    }
}

fn count(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count).sum::<usize>(),
        Value::Map(entries) => 1 + entries.iter().map(|e| count(&e.value)).sum::<usize>(),
        _ => 1,
    }
}

impl Builder {
    /// Returns `true` once the first document is complete.
    fn event(&mut self, event: Event<'_>, line: usize) -> Result<bool, ParseError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let tag = local_tag(tag);
                let plain = style == ScalarStyle::Plain && tag.is_none();
                let value = if plain && matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL") {
                    Value::Null
                } else if plain && !self.stack.last().is_some_and(Frame::expects_key) && ambiguous(&text) {
                    // `yes`, `1.10`, `0123`: another YAML reader may turn them into other text.
                    Value::Pat(Pattern::unknown())
                } else {
                    Value::Str(text.into_owned())
                };
                let node = apply_tag(tag, Node { line, value });
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.complete(node, line)
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().unwrap_or(Node { line, value: Value::Null });
                self.nodes += count(&node);
                if self.nodes > MAX_NODES {
                    return Err(ParseError { line, message: "the document expands to too many nodes (aliases)".into() });
                }
                self.complete(Node { line, ..node }, line)
            }
            Event::SequenceStart(anchor, tag) => {
                self.push(Frame::Seq { line, tag: local_tag(tag), anchor, items: Vec::new() }, line)?;
                Ok(false)
            }
            Event::MappingStart(anchor, tag) => {
                self.push(Frame::Map { line, tag: local_tag(tag), anchor, entries: Vec::new(), key: None }, line)?;
                Ok(false)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else { return Ok(false) };
                let (node, anchor) = match frame {
                    Frame::Seq { line, tag, anchor, items } => (apply_tag(tag, Node { line, value: Value::Seq(items) }), anchor),
                    Frame::Map { line, tag, anchor, entries, .. } => (apply_tag(tag, Node { line, value: Value::Map(entries) }), anchor),
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.complete(node, line)
            }
            Event::DocumentEnd => Ok(self.root.is_some()),
            Event::StreamEnd => Ok(true),
            _ => Ok(false),
        }
    }

    fn push(&mut self, frame: Frame, line: usize) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError { line, message: format!("nested deeper than {MAX_DEPTH} levels") });
        }
        self.stack.push(frame);
        Ok(())
    }

    fn complete(&mut self, node: Node, line: usize) -> Result<bool, ParseError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(ParseError { line, message: "the document has too many nodes".into() });
        }
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(false)
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(false)
            }
            Some(Frame::Map { entries, key, .. }) => {
                match key.take() {
                    None => {
                        let text = match node.value {
                            Value::Str(s) => s,
                            Value::Null => String::new(),
                            _ => "?".to_string(),
                        };
                        *key = Some((text, node.line));
                    }
                    Some((k, _)) if k == "<<" => merge(entries, node),
                    Some((k, key_line)) => {
                        // A repeated key: the last one wins, as in most readers.
                        entries.retain(|e| e.key != k);
                        entries.push(Entry { key: k, line: key_line, value: node });
                    }
                }
                Ok(false)
            }
        }
    }
}

/// `<<: *base` (or a list of them): keys not already present are added.
fn merge(entries: &mut Vec<Entry>, node: Node) {
    let sources = match node.value {
        Value::Seq(items) => items,
        other => vec![Node { line: node.line, value: other }],
    };
    for source in sources {
        if let Value::Map(more) = source.value {
            for entry in more {
                if !entries.iter().any(|e| e.key == entry.key) {
                    entries.push(entry);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tags_become_long_forms_with_lines() {
        let doc = parse("A:\n  B: !Ref X\n  C: !GetAtt [T, Arn]\n  D: !Sub |\n    ${X}-y\n").unwrap();
        let a = doc.get("A").unwrap();
        assert_eq!(a.entry("B").unwrap().line, 2);
        let b = a.get("B").unwrap();
        assert_eq!(b.get("Ref").unwrap().as_str(), Some("X"));
        let c = a.get("C").unwrap().get("Fn::GetAtt").unwrap();
        assert_eq!(c.items().len(), 2);
        assert_eq!(a.get("D").unwrap().get("Fn::Sub").unwrap().as_str(), Some("${X}-y\n"));
    }

    #[test]
    fn json_keeps_lines_and_anchors_merge() {
        let doc = parse("{\n \"Resources\": {\n  \"T\": {\"Type\": \"AWS::SQS::Queue\"}\n }\n}").unwrap();
        assert_eq!(doc.get("Resources").unwrap().entry("T").unwrap().line, 3);
        let doc = parse("base: &b\n  x: 1\nother:\n  <<: *b\n  y: 2\n").unwrap();
        assert_eq!(doc.path(&["other", "x"]).unwrap().as_str(), Some("1"));
    }

    #[test]
    fn errors_and_limits() {
        let err = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(err.line >= 1);
        let deep = "[".repeat(1000);
        assert!(parse(&deep).is_err());
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        assert!(parse(bomb).is_err());
    }

    #[test]
    fn scalars_another_reader_may_rewrite_are_unknown() {
        let doc = parse("A: yes\nB: 1.10\nC: 30\nD: \"yes\"\nE: 0123\nF: 1.5\nG: 1.2.3\nH: 2024-01-01\nI: 1e3\nJ: True\nK: true\nL: 12:30\nyes: x\n")
            .unwrap();
        let text = |k: &str| doc.get(k).and_then(Node::as_str).map(str::to_string);
        assert_eq!(text("A"), None);
        assert_eq!(text("B"), None);
        assert_eq!(text("C").as_deref(), Some("30"));
        assert_eq!(text("D").as_deref(), Some("yes"));
        assert_eq!(text("E"), None);
        assert_eq!(text("F").as_deref(), Some("1.5"));
        assert_eq!(text("G").as_deref(), Some("1.2.3"));
        assert_eq!(text("H").as_deref(), Some("2024-01-01"));
        assert_eq!(text("I"), None);
        assert_eq!(text("J"), None);
        assert_eq!(text("K").as_deref(), Some("true"));
        assert_eq!(text("L"), None);
        assert_eq!(text("yes").as_deref(), Some("x"));
    }

    #[test]
    fn tabs_crlf_and_escapes() {
        let json = "{\n\t\"Resources\": {\n\t\t\"T\": {\n\t\t\t\"Type\": \"AWS::SQS::Queue\",\n\t\t\t\"Name\": \"a\\u0041\\/b\"\n\t\t}\n\t}\n}\n";
        let doc = parse(json).unwrap();
        let t = doc.get("Resources").unwrap().entry("T").unwrap();
        assert_eq!(t.line, 3);
        assert_eq!(t.value.get("Name").unwrap().as_str(), Some("aA/b"));
        let crlf = "A:\r\n  B: !Ref C\r\n  D: x\r\n";
        let doc = parse(crlf).unwrap();
        assert_eq!(doc.path(&["A", "D"]).unwrap().as_str(), Some("x"));
        assert_eq!(doc.get("A").unwrap().entry("D").unwrap().line, 3);
    }
}
