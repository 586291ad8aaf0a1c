//! The values of expressions: literals, constants, `aws.String`,
//! `fmt.Sprintf`, `path.Join`, `os.Getenv`, struct literals (as dicts), `&x`,
//! and inputs that project helpers build.

use crate::eval::{Env, Eval, VALUE_DEPTH};
use crate::imports::Import;
use crate::syntax::{args, named_children, string_value};
use iamlens_engine::model::{TextPart, Value};
use tree_sitter::Node;

impl Eval<'_> {
    /// What is known of an expression's value.
    pub fn value_of(&self, n: Node, env: &Env) -> Value {
        self.value_at(n, env, 0)
    }

    fn value_at(&self, n: Node, env: &Env, depth: usize) -> Value {
        if depth > VALUE_DEPTH {
            return Value::Unknown;
        }
        match n.kind() {
            "interpreted_string_literal" | "raw_string_literal" => string_value(n, self.src).map_or(Value::Unknown, Value::literal),
            "int_literal" | "float_literal" => self.text(n).replace('_', "").parse::<f64>().map_or(Value::Unknown, Value::Number),
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "identifier" => self.lookup(self.text(n), env).map_or(Value::Unknown, |s| s.value),
            "parenthesized_expression" => named_children(n).first().map_or(Value::Unknown, |c| self.value_at(*c, env, depth + 1)),
            "unary_expression" => match n.child_by_field_name("operator").map(|o| self.text(o)) {
                Some("&") | Some("*") => n.child_by_field_name("operand").map_or(Value::Unknown, |c| self.value_at(c, env, depth + 1)),
                _ => Value::Unknown,
            },
            "binary_expression" if n.child_by_field_name("operator").is_some_and(|o| self.text(o) == "+") => {
                let (Some(l), Some(r)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) else { return Value::Unknown };
                concat(self.value_at(l, env, depth + 1), self.value_at(r, env, depth + 1))
            }
            "selector_expression" => {
                let (Some(operand), Some(field)) = (n.child_by_field_name("operand"), n.child_by_field_name("field")) else { return Value::Unknown };
                match self.import_of(operand, env) {
                    Some(Import::Other(path)) => {
                        self.view.project_import(path).and_then(|p| self.view.value(&p, self.text(field))).map_or(Value::Unknown, |s| s.value)
                    }
                    _ => self.value_at(operand, env, depth + 1).get(self.text(field)).cloned().unwrap_or(Value::Unknown),
                }
            }
            "call_expression" => self.call_value(n, env, depth),
            "composite_literal" => n.child_by_field_name("body").map_or(Value::Unknown, |b| self.literal_value(b, env, depth + 1)),
            "literal_value" => self.literal_value(n, env, depth + 1),
            _ => Value::Unknown,
        }
    }

    /// `{Bucket: aws.String("b"), Key: &key}` → a dict; `{"a", "b"}` → a list.
    fn literal_value(&self, body: Node, env: &Env, depth: usize) -> Value {
        let mut dict = Vec::new();
        let mut list = Vec::new();
        for el in args(body) {
            match el.kind() {
                "keyed_element" => {
                    let (Some(k), Some(v)) = (el.child_by_field_name("key"), el.child_by_field_name("value")) else { continue };
                    let key_node = named_children(k).first().copied().unwrap_or(k);
                    let key = string_value(key_node, self.src).unwrap_or_else(|| self.text(key_node).to_string());
                    dict.push((key, self.element_value(v, env, depth)));
                }
                "literal_element" => list.push(self.element_value(el, env, depth)),
                _ => {}
            }
        }
        if !dict.is_empty() {
            Value::Dict(dict)
        } else if !list.is_empty() {
            Value::List(list)
        } else {
            Value::Dict(vec![])
        }
    }

    fn element_value(&self, el: Node, env: &Env, depth: usize) -> Value {
        let inner = if el.kind() == "literal_element" { named_children(el).first().copied() } else { Some(el) };
        inner.map_or(Value::Unknown, |c| self.value_at(c, env, depth + 1))
    }

    fn call_value(&self, call: Node, env: &Env, depth: usize) -> Value {
        let Some(func) = call.child_by_field_name("function") else { return Value::Unknown };
        let arg_nodes = call.child_by_field_name("arguments").map(args).unwrap_or_default();
        let first = || arg_nodes.first().map_or(Value::Unknown, |a| self.value_at(*a, env, depth + 1));
        if func.kind() == "identifier" {
            let name = self.text(func);
            return match name {
                "string" => first(),
                _ if env.contains_key(name) => Value::Unknown,
                _ => self.view.func_value(&self.pkg, name).unwrap_or(Value::Unknown),
            };
        }
        if func.kind() != "selector_expression" {
            return Value::Unknown;
        }
        let (Some(operand), Some(field)) = (func.child_by_field_name("operand"), func.child_by_field_name("field")) else { return Value::Unknown };
        let field = self.text(field);
        match self.import_of(operand, env) {
            // `aws.String(x)`, `aws.Int32(5)`, `aws.StringSlice(xs)`, `aws.ToString(p)`.
            Some(Import::Aws) => first(),
            Some(Import::Other(path)) if self.view.project_import(path).is_some() => {
                self.view.project_import(path).and_then(|p| self.view.func_value(&p, field)).unwrap_or(Value::Unknown)
            }
            Some(Import::Other(path)) => match (path.as_str(), field) {
                ("fmt", "Sprintf") => self.sprintf(&arg_nodes, env, depth),
                ("fmt", "Sprint") => arg_nodes.iter().fold(Value::Text(vec![]), |acc, a| concat(acc, self.value_at(*a, env, depth + 1))),
                // `v, ok := os.LookupEnv("X")`: its first result, as `os.Getenv`'s.
                ("os", "Getenv" | "LookupEnv") => match arg_nodes.first().and_then(|a| self.value_at(*a, env, depth + 1).as_exact_str()) {
                    Some(name) => Value::Text(vec![TextPart::Env(name)]),
                    None => Value::Text(vec![TextPart::Unknown]),
                },
                // S3 keys are often joined: `path.Join("reports", day, name)`.
                ("path" | "path/filepath", "Join") => self.join(&arg_nodes, "/", env, depth),
                ("strings", "Join") => match arg_nodes.first().map(|a| self.value_at(*a, env, depth + 1)) {
                    Some(Value::List(items)) => {
                        let sep = arg_nodes.get(1).and_then(|s| self.value_at(*s, env, depth + 1).as_exact_str());
                        match sep {
                            Some(sep) => items.into_iter().enumerate().fold(Value::Text(vec![]), |acc, (i, v)| {
                                let acc = if i > 0 { concat(acc, Value::literal(sep.clone())) } else { acc };
                                concat(acc, v)
                            }),
                            None => Value::Text(vec![TextPart::Unknown]),
                        }
                    }
                    _ => Value::Text(vec![TextPart::Unknown]),
                },
                ("strconv", "Itoa") => match first() {
                    Value::Number(x) if x.fract() == 0.0 => Value::literal((x as i64).to_string()),
                    _ => Value::Text(vec![TextPart::Unknown]),
                },
                ("strings", "ToLower" | "ToUpper" | "TrimSpace" | "Trim" | "TrimPrefix" | "TrimSuffix" | "ReplaceAll" | "Replace" | "Repeat")
                | ("strconv", "FormatInt" | "Quote")
                | ("fmt", "Sprintln") => Value::Text(vec![TextPart::Unknown]),
                _ => Value::Unknown,
            },
            _ => Value::Unknown,
        }
    }

    /// The arguments joined with `sep` (empty ones dropped, as `path.Join` does).
    fn join(&self, arg_nodes: &[Node], sep: &str, env: &Env, depth: usize) -> Value {
        let mut out = Value::Text(vec![]);
        let mut first = true;
        for a in arg_nodes {
            let v = self.value_at(*a, env, depth + 1);
            if v.as_exact_str().is_some_and(|s| s.is_empty()) {
                continue;
            }
            if !first {
                out = concat(out, Value::literal(sep));
            }
            out = concat(out, v);
            first = false;
        }
        out
    }

    /// `fmt.Sprintf("logs/%s/%d.json", a, b)`: known text around each verb.
    fn sprintf(&self, arg_nodes: &[Node], env: &Env, depth: usize) -> Value {
        let Some(format) = arg_nodes.first().map(|f| self.value_at(*f, env, depth + 1)).and_then(|f| f.as_exact_str()) else {
            return Value::Text(vec![TextPart::Unknown]);
        };
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut next = 1;
        let mut chars = format.chars().peekable();
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
            // Flags, width, precision, then the verb.
            while chars.peek().is_some_and(|c| !c.is_ascii_alphabetic()) {
                chars.next();
            }
            chars.next();
            let arg = arg_nodes.get(next).map_or(Value::Unknown, |a| self.value_at(*a, env, depth + 1));
            next += 1;
            let piece = match arg {
                Value::Number(x) if x.fract() == 0.0 => Some((x as i64).to_string()),
                other => other.as_exact_str(),
            };
            match piece {
                Some(s) => lit.push_str(&s),
                None => {
                    if !lit.is_empty() {
                        parts.push(TextPart::Literal(std::mem::take(&mut lit)));
                    }
                    parts.push(TextPart::Unknown);
                }
            }
        }
        if !lit.is_empty() {
            parts.push(TextPart::Literal(lit));
        }
        Value::Text(parts)
    }
}

/// Two string values joined; anything not a string is an unknown part.
fn concat(a: Value, b: Value) -> Value {
    let mut parts: Vec<TextPart> = Vec::new();
    for v in [a, b] {
        let more = match v {
            Value::Text(p) => p,
            Value::Number(x) if x.fract() == 0.0 => vec![TextPart::Literal((x as i64).to_string())],
            _ => vec![TextPart::Unknown],
        };
        for part in more {
            match (parts.last_mut(), part) {
                (Some(TextPart::Literal(prev)), TextPart::Literal(s)) => prev.push_str(&s),
                (Some(TextPart::Unknown), TextPart::Unknown) => {}
                (_, part) => parts.push(part),
            }
        }
    }
    Value::Text(parts)
}
