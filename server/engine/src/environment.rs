//! Environment variables bound by infrastructure code.
//!
//! Front-ends keep an environment read as [`TextPart::Env`]; a template that
//! deploys the code says what the variable holds (a table name, a queue URL,
//! an ARN). [`Environment::bind`] substitutes those values into a file's calls
//! before requirements are derived, so `os.environ["TABLE"]` becomes
//! `table/prod-orders` instead of `table/*`. A variable no template sets stays
//! unknown.

use crate::model::{FileAnalysis, SdkCall, TextPart, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// One argument of a call read from an environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvironmentUse {
    /// Index into the file's calls.
    pub call_index: usize,
    /// The input member (`Bucket`, `QueueUrl`).
    pub member: String,
    pub variable: String,
    /// Whether a template set the variable (then its value is in the call).
    pub bound: bool,
    /// The resource the template wires to it (`OrdersTable`).
    pub origin: Option<String>,
}

/// What one variable holds, as far as the templates know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundVariable {
    /// Literal and unknown parts only.
    pub value: Vec<TextPart>,
    /// Where the value comes from, for people: `OrdersTable (template.yaml:31)`.
    pub origin: Option<String>,
}

/// The variables one deployed function runs with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    variables: BTreeMap<String, BoundVariable>,
}

impl Environment {
    pub fn new() -> Environment {
        Environment::default()
    }

    pub fn set(&mut self, name: impl Into<String>, variable: BoundVariable) {
        self.variables.insert(name.into(), variable);
    }

    pub fn get(&self, name: &str) -> Option<&BoundVariable> {
        self.variables.get(name)
    }

    pub fn is_empty(&self) -> bool {
        self.variables.is_empty()
    }

    /// What two functions running the same file agree on: a variable they
    /// bind differently is unknown (either value may be the one at run time).
    pub fn common(&self, other: &Environment) -> Environment {
        let mut out = Environment::new();
        for (name, mine) in &self.variables {
            match other.variables.get(name) {
                Some(theirs) if theirs == mine => out.set(name.clone(), mine.clone()),
                _ => out.set(name.clone(), BoundVariable { value: vec![TextPart::Unknown], origin: None }),
            }
        }
        for name in other.variables.keys().filter(|n| !self.variables.contains_key(*n)) {
            out.set(name.clone(), BoundVariable { value: vec![TextPart::Unknown], origin: None });
        }
        out
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.variables.keys().map(String::as_str)
    }

    /// Substitute every bound variable in the calls' arguments; unbound
    /// variables stay [`TextPart::Env`] (a wildcard that names its variable).
    /// Returns every environment read of the calls, bound or not.
    pub fn bind(&self, analysis: &mut FileAnalysis) -> Vec<EnvironmentUse> {
        let mut uses = Vec::new();
        for (call_index, call) in analysis.calls.iter_mut().enumerate() {
            for (member, value) in &call.args {
                for variable in variables_read(value) {
                    let bound = self.variables.get(&variable);
                    uses.push(EnvironmentUse {
                        call_index,
                        member: member.clone(),
                        bound: bound.is_some(),
                        origin: bound.and_then(|b| b.origin.clone()),
                        variable,
                    });
                }
            }
            if !self.variables.is_empty() {
                self.bind_call(call);
            }
        }
        uses
    }

    pub fn bind_call(&self, call: &mut SdkCall) {
        for (_, value) in &mut call.args {
            self.bind_value(value);
        }
    }

    fn bind_value(&self, value: &mut Value) {
        match value {
            Value::Text(parts) if parts.iter().any(|p| matches!(p, TextPart::Env(_))) => {
                let mut bound = Vec::with_capacity(parts.len());
                for part in parts.drain(..) {
                    match part {
                        TextPart::Env(name) => match self.variables.get(&name) {
                            Some(var) => var.value.iter().cloned().for_each(|p| push_part(&mut bound, p)),
                            None => bound.push(TextPart::Env(name)),
                        },
                        other => push_part(&mut bound, other),
                    }
                }
                *parts = bound;
            }
            Value::Dict(items) => items.iter_mut().for_each(|(_, v)| self.bind_value(v)),
            Value::List(items) => items.iter_mut().for_each(|v| self.bind_value(v)),
            _ => {}
        }
    }
}

/// Append, merging adjacent literals and adjacent unknowns.
fn push_part(parts: &mut Vec<TextPart>, part: TextPart) {
    match (parts.last_mut(), part) {
        (Some(TextPart::Literal(prev)), TextPart::Literal(s)) => prev.push_str(&s),
        (Some(TextPart::Unknown), TextPart::Unknown) => {}
        (_, TextPart::Literal(s)) if s.is_empty() => {}
        (_, part) => parts.push(part),
    }
}

/// The environment variables a value reads (`["TABLE"]` for `f"{TABLE}"`).
pub fn variables_read(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_variables(value, &mut out);
    out
}

fn collect_variables(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Text(parts) => {
            for part in parts {
                if let TextPart::Env(name) = part {
                    if !out.contains(name) {
                        out.push(name.clone());
                    }
                }
            }
        }
        Value::Dict(items) => items.iter().for_each(|(_, v)| collect_variables(v, out)),
        Value::List(items) => items.iter().for_each(|v| collect_variables(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CallVia, Confidence, Span};

    fn call(args: Vec<(&str, Value)>) -> SdkCall {
        SdkCall {
            span: Span::default(),
            name_span: Span::default(),
            service: "s3".into(),
            operation: "GetObject".into(),
            via: CallVia::Client,
            text: String::new(),
            args: args.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            confidence: Confidence::High,
            scope: None,
            region: None,
        }
    }

    fn lit(s: &str) -> TextPart {
        TextPart::Literal(s.into())
    }

    #[test]
    fn bound_variables_are_substituted_and_unbound_ones_stay_named() {
        let mut env = Environment::new();
        env.set("BUCKET", BoundVariable { value: vec![lit("prod-invoices")], origin: None });
        env.set("PREFIX", BoundVariable { value: vec![lit("in-"), TextPart::Unknown], origin: None });
        let mut c = call(vec![
            ("Bucket", Value::Text(vec![TextPart::Env("BUCKET".into())])),
            ("Key", Value::Text(vec![TextPart::Env("PREFIX".into()), TextPart::Unknown, lit("/x.json")])),
            ("CopySource", Value::Dict(vec![("Bucket".into(), Value::Text(vec![TextPart::Env("SOURCE".into())]))])),
        ]);
        let mut analysis = FileAnalysis { calls: vec![c.clone()], ..FileAnalysis::default() };
        let uses = env.bind(&mut analysis);
        let summary: Vec<(&str, &str, bool)> = uses.iter().map(|u| (u.member.as_str(), u.variable.as_str(), u.bound)).collect();
        assert_eq!(summary, [("Bucket", "BUCKET", true), ("Key", "PREFIX", true), ("CopySource", "SOURCE", false)]);
        env.bind_call(&mut c);
        assert_eq!(analysis.calls[0], c);
        assert_eq!(c.arg("Bucket"), Some(&Value::literal("prod-invoices")));
        assert_eq!(c.arg("Key"), Some(&Value::Text(vec![lit("in-"), TextPart::Unknown, lit("/x.json")])));
        assert_eq!(c.arg("CopySource").and_then(|v| v.get("Bucket")), Some(&Value::Text(vec![TextPart::Env("SOURCE".into())])));
        assert_eq!(variables_read(c.arg("CopySource").unwrap()), ["SOURCE"]);
    }
}
