//! Argument values: Python expressions → [`Value`] (string literals,
//! constants, concatenation, f-strings, `%` / `.format`, dicts, lists,
//! environment reads as [`TextPart::Env`]), with unknown parts kept as [`TextPart::Unknown`].
//! Above `analyzer`; names are read through [`Eval`], implemented in `resolve` above.

use super::analyzer::{Analyzer, Eval};
use super::scope::Env;
use super::symbols::Sym;
use super::syntax::FieldExt;
use super::syntax::{self, named_children, text, unwrap_expr, CallArgs};
use iamlens_engine::model::{TextPart, Value};
use tree_sitter::Node;

impl<'a> Analyzer<'a> {
    /// What is statically known about the value of `node`.
    pub fn value(&self, node: Node<'a>, env: &Env<'a>) -> Value {
        let Some(_guard) = self.enter() else { return Value::Unknown };
        let node = unwrap_expr(node);
        let src = self.src;
        match node.kind() {
            "string" => self.string_value(node, env),
            "concatenated_string" => {
                let mut parts = Vec::new();
                for s in named_children(node) {
                    append_text(&mut parts, self.string_value(s, env));
                }
                Value::Text(parts)
            }
            "integer" | "float" => text(node, src).replace('_', "").parse::<f64>().map(Value::Number).unwrap_or(Value::Unknown),
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "dictionary" => {
                let mut items = Vec::new();
                for item in named_children(node) {
                    match item.kind() {
                        "pair" => {
                            let (Some(k), Some(v)) = (item.field("key"), item.field("value")) else {
                                continue;
                            };
                            if let Some(key) = self.value(k, env).as_exact_str() {
                                items.push((key, self.value(v, env)));
                            }
                        }
                        "dictionary_splat" => {
                            if let Some(Value::Dict(more)) = item.named_child(0).map(|n| self.value(n, env)) {
                                items.extend(more);
                            }
                        }
                        _ => {}
                    }
                }
                Value::Dict(items)
            }
            "list" | "tuple" => Value::List(named_children(node).filter(|n| n.kind() != "comment").map(|n| self.value(n, env)).collect()),
            "binary_operator" => self.binary_value(node, env),
            "call" => self.value_of_call(node, env),
            "subscript" => {
                if is_environ(node.field("value"), src) {
                    self.environment_read(node.field("subscript"), env)
                } else {
                    match self.eval(node, env) {
                        Sym::Value(v) => v,
                        _ => Value::Unknown,
                    }
                }
            }
            "conditional_expression" => {
                // `a if cond else b`: known only when both branches agree.
                let branches: Vec<Node> = named_children(node).collect();
                match (branches.first(), branches.get(2)) {
                    (Some(a), Some(b)) => {
                        let (va, vb) = (self.value(*a, env), self.value(*b, env));
                        if va == vb {
                            va
                        } else {
                            Value::Unknown
                        }
                    }
                    _ => Value::Unknown,
                }
            }
            "identifier" | "attribute" => match self.eval(node, env) {
                Sym::Value(v) => v,
                _ => Value::Unknown,
            },
            _ => Value::Unknown,
        }
    }

    /// A string literal, with f-string holes resolved where their value is known.
    fn string_value(&self, node: Node<'a>, env: &Env<'a>) -> Value {
        let raw = syntax::string_prefix(node, self.src).contains(['r', 'R']);
        let mut parts = Vec::new();
        for part in named_children(node) {
            match part.kind() {
                "string_start" | "string_end" => {}
                "string_content" => {
                    let mut s = String::new();
                    syntax::push_content(&mut s, part, self.src, raw);
                    push_literal(&mut parts, &s);
                }
                "interpolation" => {
                    let v = part.field("expression").map(|e| self.value(e, env)).unwrap_or(Value::Unknown);
                    append_text(&mut parts, v);
                }
                _ => parts.push(TextPart::Unknown),
            }
        }
        Value::Text(parts)
    }

    fn binary_value(&self, node: Node<'a>, env: &Env<'a>) -> Value {
        let (Some(l), Some(op), Some(r)) = (node.field("left"), node.field("operator"), node.field("right")) else {
            return Value::Unknown;
        };
        let left = self.value(l, env);
        match text(op, self.src) {
            "+" => {
                let right = self.value(r, env);
                match (&left, &right) {
                    (Value::Number(a), Value::Number(b)) => Value::Number(a + b),
                    (Value::Text(_), _) | (_, Value::Text(_)) => {
                        let mut parts = Vec::new();
                        append_text(&mut parts, left);
                        append_text(&mut parts, right);
                        Value::Text(parts)
                    }
                    _ => Value::Unknown,
                }
            }
            "%" => match left {
                Value::Text(template) => {
                    let args = match self.value(r, env) {
                        Value::List(items) => items,
                        other => vec![other],
                    };
                    percent_format(&template, &args)
                }
                _ => Value::Unknown,
            },
            _ => Value::Unknown,
        }
    }

    fn value_of_call(&self, call: Node<'a>, env: &Env<'a>) -> Value {
        let src = self.src;
        let Some(func) = call.field("function") else { return Value::Unknown };
        let args = CallArgs::of(call);
        let ftext = text(func, src);
        if is_environment_getter(ftext) {
            return self.environment_read(args.positional.first().copied(), env);
        }
        if ftext == "str" {
            return match args.positional.first().map(|a| self.value(*a, env)) {
                Some(v @ Value::Text(_)) => v,
                Some(Value::Number(n)) => Value::literal(format_number(n)),
                _ => unknown_text(),
            };
        }
        if func.kind() == "attribute" {
            let (Some(obj), Some(attr)) = (func.field("object"), func.field("attribute")) else {
                return Value::Unknown;
            };
            match text(attr, src) {
                "format" => {
                    if let Value::Text(template) = self.value(obj, env) {
                        let positional: Vec<Value> = args.positional.iter().map(|a| self.value(*a, env)).collect();
                        let named: Vec<(&str, Value)> = args.keywords.iter().map(|(n, v)| (text(*n, src), self.value(*v, env))).collect();
                        return brace_format(&template, &positional, &named);
                    }
                }
                "join" => {
                    if let (Some(sep), Some(Value::List(items))) =
                        (self.value(obj, env).as_exact_str(), args.positional.first().map(|a| self.value(*a, env)))
                    {
                        let mut parts = Vec::new();
                        for (i, item) in items.into_iter().enumerate() {
                            if i > 0 {
                                push_literal(&mut parts, &sep);
                            }
                            append_text(&mut parts, item);
                        }
                        return Value::Text(parts);
                    }
                }
                "lower" | "upper" | "strip" => {
                    if let Some(s) = self.value(obj, env).as_exact_str() {
                        return Value::literal(match text(attr, src) {
                            "lower" => s.to_lowercase(),
                            "upper" => s.to_uppercase(),
                            _ => s.trim().to_string(),
                        });
                    }
                    return unknown_text();
                }
                _ => {}
            }
        }
        Value::Unknown
    }
}

impl<'a> Analyzer<'a> {
    /// `os.environ[NAME]`, `os.getenv(NAME)`: the variable's value, bound
    /// later by infrastructure code; unknown when the name is not known.
    pub fn environment_read(&self, name: Option<Node<'a>>, env: &Env<'a>) -> Value {
        match name.and_then(|n| self.value(n, env).as_exact_str()) {
            Some(name) => Value::Text(vec![TextPart::Env(name)]),
            None => unknown_text(),
        }
    }
}

/// `os.getenv`, `os.environ.get` (and their imported names).
pub fn is_environment_getter(function: &str) -> bool {
    matches!(function, "os.getenv" | "getenv" | "os.environ.get" | "environ.get")
}

pub fn is_environ(node: Option<Node>, src: &str) -> bool {
    node.is_some_and(|n| matches!(text(n, src), "os.environ" | "environ"))
}

/// A string whose content is unknown.
pub fn unknown_text() -> Value {
    Value::Text(vec![TextPart::Unknown])
}

fn push_literal(parts: &mut Vec<TextPart>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(TextPart::Literal(prev)) = parts.last_mut() {
        prev.push_str(s);
    } else {
        parts.push(TextPart::Literal(s.to_string()));
    }
}

fn push_unknown(parts: &mut Vec<TextPart>) {
    if parts.last() != Some(&TextPart::Unknown) {
        parts.push(TextPart::Unknown);
    }
}

/// Append a value to a string being built; anything not a known string is an unknown part.
pub fn append_text(parts: &mut Vec<TextPart>, v: Value) {
    match v {
        Value::Text(more) => {
            for p in more {
                match p {
                    TextPart::Literal(s) => push_literal(parts, &s),
                    TextPart::Unknown => push_unknown(parts),
                    env @ TextPart::Env(_) => parts.push(env),
                }
            }
        }
        Value::Number(n) => push_literal(parts, &format_number(n)),
        _ => push_unknown(parts),
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `"logs/%s/%d.json" % (day, n)`.
fn percent_format(template: &[TextPart], args: &[Value]) -> Value {
    let mut parts = Vec::new();
    let mut next = 0;
    for part in template {
        let TextPart::Literal(s) = part else {
            push_unknown(&mut parts);
            continue;
        };
        let mut chars = s.chars().peekable();
        let mut lit = String::new();
        while let Some(c) = chars.next() {
            if c != '%' {
                lit.push(c);
                continue;
            }
            if chars.peek() == Some(&'%') {
                chars.next();
                lit.push('%');
                continue;
            }
            // Skip flags/width/precision up to the conversion letter.
            while chars.peek().is_some_and(|c| !c.is_ascii_alphabetic()) {
                chars.next();
            }
            chars.next();
            push_literal(&mut parts, &lit);
            lit.clear();
            append_text(&mut parts, args.get(next).cloned().unwrap_or(Value::Unknown));
            next += 1;
        }
        push_literal(&mut parts, &lit);
    }
    Value::Text(parts)
}

/// `"logs/{}/{name}.json".format(day, name=n)`.
fn brace_format(template: &[TextPart], positional: &[Value], named: &[(&str, Value)]) -> Value {
    let mut parts = Vec::new();
    let mut auto = 0;
    for part in template {
        let TextPart::Literal(s) = part else {
            push_unknown(&mut parts);
            continue;
        };
        let mut chars = s.chars().peekable();
        let mut lit = String::new();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let mut field = String::new();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        field.push(c);
                    }
                    let name = field.split([':', '!', '.', '[']).next().unwrap_or("");
                    let v = if name.is_empty() {
                        auto += 1;
                        positional.get(auto - 1).cloned()
                    } else if let Ok(i) = name.parse::<usize>() {
                        positional.get(i).cloned()
                    } else {
                        named.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
                    };
                    push_literal(&mut parts, &lit);
                    lit.clear();
                    append_text(&mut parts, v.unwrap_or(Value::Unknown));
                }
                _ => lit.push(c),
            }
        }
        push_literal(&mut parts, &lit);
    }
    Value::Text(parts)
}
