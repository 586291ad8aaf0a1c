//! IAM policy documents as the evaluator reads them: lenient about shape
//! (a string or a list, a statement or a list), strict about meaning (an
//! unknown Effect or a statement without actions is an error naming where).

use super::glob::{tokens, Tok};
use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action` or `NotAction`, `Resource` or `NotResource`: patterns and whether negated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternList {
    pub negated: bool,
    pub patterns: Vec<String>,
    /// The patterns tokenised once (actions lower-cased), for evaluation.
    pub(crate) compiled: Vec<Vec<Tok>>,
}

impl PatternList {
    fn new(negated: bool, patterns: Vec<String>, fold: bool) -> PatternList {
        let compiled = patterns.iter().map(|p| tokens(p, fold)).collect();
        PatternList { negated, patterns, compiled }
    }
}

/// One condition test: `"StringEquals": {"aws:SourceVpc": ["vpc-1"]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionTest {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sid: Option<String>,
    /// Zero-based position in the document, for statements without a Sid.
    pub index: usize,
    pub effect: Effect,
    pub actions: PatternList,
    /// `None` when the statement names no resource (IAM then rejects the
    /// policy; the evaluator treats such a statement as matching nothing).
    pub resources: Option<PatternList>,
    pub conditions: Vec<ConditionTest>,
}

/// A parsed policy document with the name it is known by (policy ARN,
/// `inline:NAME`, `boundary:ARN`, or the generated policy's position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument {
    pub name: String,
    /// Version 2012-10-17: policy variables are substituted; older versions
    /// take `${...}` literally.
    pub variables: bool,
    pub statements: Vec<Statement>,
}

/// A document that cannot be read as an IAM policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub policy: String,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "policy {}: {}", self.policy, self.message)
    }
}

impl std::error::Error for PolicyError {}

impl PolicyDocument {
    /// Parse JSON text (as returned by IAM once URL-decoded).
    pub fn parse(name: &str, json: &str) -> Result<PolicyDocument, PolicyError> {
        let value: Value = serde_json::from_str(json).map_err(|e| err(name, format!("is not valid JSON ({e}); pass the policy document itself")))?;
        PolicyDocument::from_value(name, &value)
    }

    pub fn from_value(name: &str, value: &Value) -> Result<PolicyDocument, PolicyError> {
        let obj = value.as_object().ok_or_else(|| err(name, "is not a JSON object with a Statement"))?;
        let variables = obj.get("Version").and_then(Value::as_str) == Some("2012-10-17");
        let statements = match obj.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one @ Value::Object(_)) => vec![one],
            Some(_) => return Err(err(name, "Statement must be an object or a list of objects")),
            None => return Err(err(name, "has no Statement")),
        };
        let statements = statements.into_iter().enumerate().map(|(i, s)| parse_statement(name, i, s)).collect::<Result<Vec<_>, _>>()?;
        Ok(PolicyDocument { name: name.to_string(), variables, statements })
    }
}

fn err(policy: &str, message: impl Into<String>) -> PolicyError {
    PolicyError { policy: policy.to_string(), message: message.into() }
}

fn parse_statement(policy: &str, index: usize, value: &Value) -> Result<Statement, PolicyError> {
    let at = |msg: &str| err(policy, format!("statement {} {msg}", index + 1));
    let obj = value.as_object().ok_or_else(|| at("is not an object"))?;
    let effect = match obj.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        Some(other) => return Err(at(&format!("has Effect {other:?}; use \"Allow\" or \"Deny\""))),
        None => return Err(at("has no Effect")),
    };
    let actions = pattern_list(obj, "Action", "NotAction", true).map_err(|m| at(&m))?.ok_or_else(|| at("has neither Action nor NotAction"))?;
    let resources = pattern_list(obj, "Resource", "NotResource", false).map_err(|m| at(&m))?;
    let conditions = match obj.get("Condition") {
        None | Some(Value::Null) => Vec::new(),
        Some(c) => parse_conditions(c).map_err(|m| at(&m))?,
    };
    Ok(Statement {
        sid: obj.get("Sid").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string),
        index,
        effect,
        actions,
        resources,
        conditions,
    })
}

/// `fold`: IAM compares actions case-insensitively, resources case-sensitively.
fn pattern_list(obj: &serde_json::Map<String, Value>, plain: &str, not: &str, fold: bool) -> Result<Option<PatternList>, String> {
    match (obj.get(plain), obj.get(not)) {
        (Some(_), Some(_)) => Err(format!("has both {plain} and {not}; keep one")),
        (Some(v), None) => Ok(Some(PatternList::new(false, strings(v, plain)?, fold))),
        (None, Some(v)) => Ok(Some(PatternList::new(true, strings(v, not)?, fold))),
        (None, None) => Ok(None),
    }
}

/// A string or a list of strings; numbers and booleans are read as their text
/// (IAM accepts `"aws:SecureTransport": true`).
fn strings(v: &Value, field: &str) -> Result<Vec<String>, String> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(format!("has a {field} value that is not a string")),
    };
    match v {
        Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

fn parse_conditions(v: &Value) -> Result<Vec<ConditionTest>, String> {
    let ops = v.as_object().ok_or("has a Condition that is not an object")?;
    let mut out = Vec::new();
    for (operator, keys) in ops {
        let keys = keys.as_object().ok_or_else(|| format!("has a Condition {operator} that is not an object of keys"))?;
        for (key, values) in keys {
            out.push(ConditionTest { operator: operator.clone(), key: key.clone(), values: strings(values, key)? });
        }
    }
    Ok(out)
}
