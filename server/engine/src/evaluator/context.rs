//! The request context: what is known about condition keys and policy
//! variables when the code runs. Keys left out are *unknown* (the answer then
//! "depends on" them), which is different from keys known to be *absent*.

use super::glob::{literal, tokens, Tok};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyState {
    Values(Vec<String>),
    /// Values only partly known: IAM wildcard patterns (`s3.*.amazonaws.com`).
    Patterns(Vec<String>),
    Absent,
}

/// Condition-key values by key (case-insensitive, as IAM treats key names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    keys: BTreeMap<String, KeyState>,
}

/// What the context says about one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    Known(&'a [String]),
    /// Some value matching each of these patterns (unknown parts are `*`).
    Patterns(&'a [String]),
    Absent,
    Unknown,
}

impl Context {
    pub fn new() -> Self {
        Context::default()
    }

    /// The key has this single value (`aws:RequestedRegion` = `us-east-1`).
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.set(key, vec![value.into()]);
        self
    }

    /// The key has a value only partly known: one matching `pattern`, whose
    /// `*`/`?` stand for run-time parts (a requirement's `StringLike` condition).
    pub fn with_pattern(mut self, key: &str, pattern: impl Into<String>) -> Self {
        self.keys.insert(key.to_ascii_lowercase(), KeyState::Patterns(vec![pattern.into()]));
        self
    }

    /// The key is known not to be in the request.
    pub fn without(mut self, key: &str) -> Self {
        self.keys.insert(key.to_ascii_lowercase(), KeyState::Absent);
        self
    }

    /// The key has these values (a multivalued key such as `aws:TagKeys`).
    pub fn set(&mut self, key: &str, values: Vec<String>) {
        self.keys.insert(key.to_ascii_lowercase(), KeyState::Values(values));
    }

    pub fn get(&self, key: &str) -> Lookup<'_> {
        match self.keys.get(&key.to_ascii_lowercase()) {
            Some(KeyState::Values(v)) => Lookup::Known(v),
            Some(KeyState::Patterns(v)) => Lookup::Patterns(v),
            Some(KeyState::Absent) => Lookup::Absent,
            None => Lookup::Unknown,
        }
    }

    /// Add every key of `other` that this context does not know yet.
    pub fn merged_with(&self, other: &Context) -> Context {
        let mut out = self.clone();
        for (k, v) in &other.keys {
            out.keys.entry(k.clone()).or_insert_with(|| v.clone());
        }
        out
    }
}

/// A policy string after policy variables were substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub tokens: Vec<Tok>,
    /// Variables the context does not know, as written (`${aws:username}`);
    /// each stands in `tokens` as a `*` (anything it could be).
    pub unresolved: Vec<String>,
}

/// Substitute `${key}` variables (only in 2012-10-17 policies: older versions
/// take `${...}` literally). `${*}`, `${?}`, `${$}` are the escaped characters.
/// A variable whose key is absent takes its default (`${aws:username, 'x'}`)
/// or matches nothing, as IAM does.
///
/// `wildcards` false reads `*` and `?` outside variables as ordinary
/// characters (the equality condition operators).
pub fn expand(text: &str, ctx: &Context, variables: bool, fold: bool, wildcards: bool) -> Expanded {
    let mut out = Expanded { tokens: Vec::new(), unresolved: Vec::new() };
    let tokens = |s: &str, fold: bool| if wildcards { tokens(s, fold) } else { literal(s, fold) };
    let mut rest = text;
    while !rest.is_empty() {
        let var = if variables { rest.find("${") } else { None };
        let Some(start) = var else {
            out.tokens.extend(tokens(rest, fold));
            break;
        };
        let Some(len) = rest[start..].find('}') else {
            out.tokens.extend(tokens(rest, fold));
            break;
        };
        out.tokens.extend(tokens(&rest[..start], fold));
        let inner = rest[start + 2..start + len].trim();
        match inner {
            "*" | "?" | "$" => out.tokens.extend(literal(inner, fold)),
            _ => {
                let (key, default) = split_default(inner);
                match ctx.get(key) {
                    Lookup::Known([value]) => out.tokens.extend(literal(value, fold)),
                    Lookup::Absent => match default {
                        Some(d) => out.tokens.extend(literal(d, fold)),
                        // An absent key makes the whole string match nothing:
                        // a character no ARN or action contains stands for it.
                        None => out.tokens.push(Tok::Lit('\u{0}')),
                    },
                    _ => {
                        out.tokens.push(Tok::Many);
                        out.unresolved.push(rest[start..=start + len].to_string());
                    }
                }
            }
        }
        rest = &rest[start + len + 1..];
    }
    out
}

fn split_default(inner: &str) -> (&str, Option<&str>) {
    match inner.split_once(',') {
        Some((key, default)) => {
            let d = default.trim().trim_matches('\'');
            (key.trim(), Some(d))
        }
        None => (inner, None),
    }
}
