//! Argument values: string literals and text blocks, `static final`
//! constants (this file's and, through the index, other files'),
//! concatenation, `String.format` with known parts; `System.getenv`,
//! parameters and Spring `@Value` fields are known to be unknown.

use crate::analyzer::{Analyzer, Decl, Role, MAX_DEPTH};
use crate::syntax::{arguments, named_children, unwrap_expr};
use iamlens_engine::model::{TextPart, Value};
use tree_sitter::Node;

/// The value as text parts (numbers and booleans print as Java prints them).
pub fn text_parts(v: Value) -> Vec<TextPart> {
    match v {
        Value::Text(parts) => parts,
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => vec![TextPart::Literal(format!("{}", n as i64))],
        Value::Number(n) => vec![TextPart::Literal(n.to_string())],
        Value::Bool(b) => vec![TextPart::Literal(b.to_string())],
        _ => vec![TextPart::Unknown],
    }
}

/// Merge adjacent literal parts.
fn join(parts: Vec<TextPart>) -> Value {
    let mut out: Vec<TextPart> = Vec::new();
    for p in parts {
        match (out.last_mut(), p) {
            (Some(TextPart::Literal(a)), TextPart::Literal(b)) => a.push_str(&b),
            (Some(TextPart::Unknown), TextPart::Unknown) => {}
            (_, p) => out.push(p),
        }
    }
    Value::Text(out)
}

/// The text of a string literal, escapes decoded; text blocks lose their
/// incidental indentation.
pub fn string_literal(raw: &str) -> String {
    let (body, block) = if let Some(b) = raw.strip_prefix("\"\"\"").and_then(|b| b.strip_suffix("\"\"\"")) {
        (b.strip_prefix('\n').or_else(|| b.strip_prefix("\r\n")).unwrap_or(b), true)
    } else {
        (raw.strip_prefix('"').and_then(|b| b.strip_suffix('"')).unwrap_or(raw), false)
    };
    let body = if block {
        let indent = body.lines().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
        body.lines().map(|l| l.get(indent..).unwrap_or("").trim_end()).collect::<Vec<_>>().join("\n")
    } else {
        body.to_string()
    };
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('s') => out.push(' '),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

impl<'a> Analyzer<'a> {
    /// What is known of an expression's value.
    pub fn value(&self, expr: Node<'a>, depth: u8) -> Value {
        if depth > MAX_DEPTH {
            return Value::Unknown;
        }
        let expr = unwrap_expr(expr);
        match expr.kind() {
            "string_literal" => Value::literal(string_literal(self.text(expr))),
            "decimal_integer_literal" | "hex_integer_literal" | "decimal_floating_point_literal" => {
                let t = self.text(expr).trim_end_matches(['L', 'l', 'f', 'F', 'd', 'D']).replace('_', "");
                let n = if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                    i64::from_str_radix(hex, 16).ok().map(|v| v as f64)
                } else {
                    t.parse::<f64>().ok()
                };
                n.map(Value::Number).unwrap_or(Value::Unknown)
            }
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "identifier" => match self.lookup(self.text(expr), expr) {
                Some(decl) => self.decl_value(&decl, depth),
                None => {
                    // A statically imported constant of another project file.
                    let name = self.text(expr);
                    self.imports.static_owner(name).and_then(|class| self.index.constant(class, name)).cloned().unwrap_or(Value::Unknown)
                }
            },
            "field_access" => self.field_access_value(expr, depth),
            "binary_expression" => {
                let op = expr.child_by_field_id(field!("operator")).map(|o| self.text(o)).unwrap_or("");
                let (Some(l), Some(r)) = (expr.child_by_field_id(field!("left")), expr.child_by_field_id(field!("right"))) else {
                    return Value::Unknown;
                };
                if op != "+" {
                    return Value::Unknown;
                }
                let (lv, rv) = (self.value(l, depth + 1), self.value(r, depth + 1));
                match (&lv, &rv) {
                    (Value::Number(a), Value::Number(b)) => Value::Number(a + b),
                    (Value::Text(_), _) | (_, Value::Text(_)) => {
                        let mut parts = text_parts(lv);
                        parts.extend(text_parts(rv));
                        join(parts)
                    }
                    _ => Value::Unknown,
                }
            }
            "method_invocation" => self.call_value(expr, depth),
            _ => Value::Unknown,
        }
    }

    /// A string whose value is unknown: a parameter, an environment variable.
    fn unknown_text() -> Value {
        Value::Text(vec![TextPart::Unknown])
    }

    /// The value a declared name holds: its initializer when nothing else assigns it.
    pub fn decl_value(&self, decl: &Decl<'a>, depth: u8) -> Value {
        if decl.role == Role::Param || decl.role == Role::LambdaParam {
            return Value::Unknown;
        }
        if decl.role == Role::Field && self.has_annotation(decl, "Value").is_some() {
            // Spring `@Value("${app.bucket}")`: configuration, known only at run time.
            return Self::unknown_text();
        }
        let assigned = self.assignments(decl);
        match (decl.init, assigned.as_slice()) {
            (Some(init), []) => self.value(init, depth + 1),
            (None, [only]) => self.value(*only, depth + 1),
            _ => Value::Unknown,
        }
    }

    fn field_access_value(&self, expr: Node<'a>, depth: u8) -> Value {
        let (Some(object), Some(field)) = (expr.child_by_field_id(field!("object")), expr.child_by_field_id(field!("field"))) else {
            return Value::Unknown;
        };
        let name = self.text(field);
        match object.kind() {
            "this" => self.lookup_field(name, expr).map(|d| self.decl_value(&d, depth)).unwrap_or(Value::Unknown),
            "identifier" | "scoped_identifier" | "field_access" if self.lookup(self.text(object), expr).is_none() => {
                let class = self.text(object).rsplit('.').next().unwrap_or("");
                if let Some(decl) =
                    self.local_class(class).and_then(|c| c.child_by_field_id(field!("body"))).and_then(|b| self.field_in_body(b, name))
                {
                    return self.decl_value(&decl, depth);
                }
                self.index.constant(class, name).cloned().unwrap_or(Value::Unknown)
            }
            _ => Value::Unknown,
        }
    }

    fn field_in_body(&self, body: Node<'a>, name: &str) -> Option<Decl<'a>> {
        // A probe node inside the body: lookup_field walks up from its parent.
        let probe = named_children(body).into_iter().next()?;
        self.lookup_field(name, probe).filter(|d| d.owner == body)
    }

    fn call_value(&self, call: Node<'a>, depth: u8) -> Value {
        let name = call.child_by_field_id(field!("name")).map(|n| self.text(n)).unwrap_or("");
        let object = call.child_by_field_id(field!("object")).map(|o| self.text(o)).unwrap_or("");
        let args = arguments(call);
        match (object, name) {
            ("System", "getenv") if args.len() == 1 => match self.value(args[0], depth + 1).as_exact_str() {
                Some(name) => Value::Text(vec![TextPart::Env(name)]),
                None => Self::unknown_text(),
            },
            ("System", "getenv" | "getProperty") => Self::unknown_text(),
            ("String", "format") if !args.is_empty() => {
                let Some(fmt) = self.value(args[0], depth + 1).as_exact_str() else { return Self::unknown_text() };
                self.format(&fmt, &args[1..], depth)
            }
            ("String", "valueOf") if args.len() == 1 => join(text_parts(self.value(args[0], depth + 1))),
            (_, "toString" | "trim" | "strip" | "intern") if args.is_empty() && !object.is_empty() => {
                match call.child_by_field_id(field!("object")).map(|o| self.value(o, depth + 1)) {
                    Some(v @ Value::Text(_)) if name == "toString" || v.as_exact_str().is_some() => v,
                    _ => Value::Unknown,
                }
            }
            (_, "concat") if args.len() == 1 => {
                let Some(left) = call.child_by_field_id(field!("object")).map(|o| self.value(o, depth + 1)) else { return Value::Unknown };
                if !matches!(left, Value::Text(_)) {
                    return Value::Unknown;
                }
                let mut parts = text_parts(left);
                parts.extend(text_parts(self.value(args[0], depth + 1)));
                join(parts)
            }
            ("Region", "of") | ("Regions", "fromName") if args.len() == 1 => self.value(args[0], depth + 1),
            _ => Value::Unknown,
        }
    }

    /// `String.format` with `%s`/`%d` holes filled from the arguments.
    fn format(&self, fmt: &str, args: &[Node<'a>], depth: u8) -> Value {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut next = 0;
        let mut chars = fmt.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                lit.push(c);
                continue;
            }
            match chars.next() {
                Some('%') => lit.push('%'),
                Some('n') => lit.push('\n'),
                Some('s' | 'd' | 'S') => {
                    parts.push(TextPart::Literal(std::mem::take(&mut lit)));
                    match args.get(next) {
                        Some(a) => parts.extend(text_parts(self.value(*a, depth + 1))),
                        None => parts.push(TextPart::Unknown),
                    }
                    next += 1;
                }
                _ => return Self::unknown_text(),
            }
        }
        parts.push(TextPart::Literal(lit));
        parts.retain(|p| !matches!(p, TextPart::Literal(s) if s.is_empty()));
        join(parts)
    }

    /// The table name of a class annotated `@DynamoDBTable(tableName = "…")`.
    pub fn dynamodb_table_annotation(&self, class: Node<'a>) -> Option<Value> {
        let modifiers = named_children(class).into_iter().find(|c| c.kind() == "modifiers")?;
        let ann = named_children(modifiers).into_iter().find(|a| {
            a.kind() == "annotation" && a.child_by_field_id(field!("name")).is_some_and(|n| self.text(n).rsplit('.').next() == Some("DynamoDBTable"))
        })?;
        let args = ann.child_by_field_id(field!("arguments"))?;
        let pair = named_children(args)
            .into_iter()
            .find(|p| p.kind() == "element_value_pair" && p.child_by_field_id(field!("key")).is_some_and(|k| self.text(k) == "tableName"))?;
        Some(self.value(pair.child_by_field_id(field!("value"))?, 0))
    }

    /// A region expression: `Region.US_WEST_2`, `Regions.EU_WEST_1`, `Region.of("…")`, `"us-east-1"`.
    pub fn region(&self, expr: Node<'a>) -> Option<String> {
        // `aws-global`, `aws-cn-global`: partition-wide pseudo regions, not a region of ARNs.
        self.region_text(expr).filter(|r| r.ends_with(|c: char| c.is_ascii_digit()))
    }

    fn region_text(&self, expr: Node<'a>) -> Option<String> {
        let expr = unwrap_expr(expr);
        if expr.kind() == "field_access" {
            let object = expr.child_by_field_id(field!("object")).map(|o| self.text(o))?;
            let field = expr.child_by_field_id(field!("field")).map(|f| self.text(f))?;
            if matches!(object, "Region" | "Regions") && field.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
                return Some(field.to_ascii_lowercase().replace('_', "-"));
            }
        }
        self.value(expr, 0).as_exact_str().filter(|r| r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_decode_escapes_and_text_blocks() {
        assert_eq!(string_literal(r#""a\"b\n""#), "a\"b\n");
        assert_eq!(string_literal("\"\"\"\n    hello\n      world\n    \"\"\""), "hello\n  world\n");
    }
}
