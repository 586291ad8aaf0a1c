//! What static analysis knows of a JavaScript value: plain data (strings
//! with unknown parts, objects, arrays), SDK modules and their exports,
//! clients, commands, and functions (what they return).

use crate::sdk::SdkModule;
use iamlens_engine::model::{Confidence, TextPart, Value};
use std::path::PathBuf;

/// Which kind of SDK client a value is; it decides which calls it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// v3 bare client (`S3Client`): `send(command)` only.
    V3,
    /// v3 aggregated client (`S3`): one method per operation.
    V3Aggregated,
    /// v2 client (`new AWS.S3()`): one method per operation, plus helpers.
    V2,
    /// `DynamoDBDocumentClient` (lib-dynamodb): `send(command)`.
    DocumentV3,
    /// `DynamoDBDocument` (lib-dynamodb): `put`, `get`, ...
    DocumentV3Aggregated,
    /// v2 `AWS.DynamoDB.DocumentClient`: `put`, `get`, ...
    DocumentV2,
}

impl ClientKind {
    pub fn sends_commands(self) -> bool {
        matches!(self, ClientKind::V3 | ClientKind::DocumentV3 | ClientKind::V3Aggregated | ClientKind::DocumentV3Aggregated)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    /// botocore service name.
    pub service: String,
    pub kind: ClientKind,
    /// A literal `region` given to the constructor.
    pub region: Option<String>,
    pub confidence: Confidence,
    /// v2 bound parameters (`new AWS.S3({ params: { Bucket } })`): inputs of every call it makes.
    pub bound: Vec<(String, Value)>,
}

/// A command object (`new GetObjectCommand(input)`): the operation and its input.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub service: String,
    pub operation: String,
    pub args: Vec<(String, Value)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Sym {
    /// Nothing is known (a parameter, the result of an unknown call).
    Unknown,
    /// Known not to be anything of the SDK (a value of another library, a local class).
    Foreign,
    Str(Vec<TextPart>),
    Num(f64),
    Bool(bool),
    Object(Vec<(String, Sym)>),
    Array(Vec<Sym>),
    /// An SDK module as a whole (`import * as AWS from 'aws-sdk'`, `require('aws-sdk')`).
    Module(SdkModule),
    /// A named export of an SDK module, dotted for nested classes (`DynamoDB.DocumentClient`).
    Export(SdkModule, String),
    Client(Client),
    /// One or several possible commands (an array iterated, a helper with several returns).
    Commands(Vec<Command>),
    /// An RDS IAM auth-token signer: the database user and region given to it.
    RdsSigner {
        username: Value,
        region: Option<String>,
    },
    /// A function, known by what it returns.
    Function(Box<Sym>),
    /// A module of the project as a whole (`import * as clients from './clients'`).
    ProjectModule(PathBuf),
}

impl Sym {
    pub fn literal(s: &str) -> Sym {
        Sym::Str(vec![TextPart::Literal(s.to_string())])
    }

    /// The value as the engine reads operation inputs.
    pub fn to_value(&self) -> Value {
        match self {
            Sym::Str(parts) => Value::Text(parts.clone()),
            Sym::Num(n) => Value::Number(*n),
            Sym::Bool(b) => Value::Bool(*b),
            Sym::Object(fields) => Value::Dict(dedup(fields).into_iter().map(|(k, v)| (k.clone(), v.to_value())).collect()),
            Sym::Array(items) => Value::List(items.iter().map(Sym::to_value).collect()),
            _ => Value::Unknown,
        }
    }

    /// The exact string, when every part is known.
    pub fn exact_str(&self) -> Option<String> {
        self.to_value().as_exact_str()
    }

    /// The members of an object value, later keys winning (`{...defaults, Bucket}`).
    pub fn fields(&self) -> Vec<(String, Value)> {
        match self {
            Sym::Object(fields) => dedup(fields).into_iter().map(|(k, v)| (k.clone(), v.to_value())).collect(),
            _ => Vec::new(),
        }
    }

    /// A property of an object value.
    pub fn get(&self, key: &str) -> Option<&Sym> {
        match self {
            Sym::Object(fields) => fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, Sym::Unknown)
    }
}

/// Keep the last of each key, in first-seen order.
fn dedup(fields: &[(String, Sym)]) -> Vec<(&String, &Sym)> {
    let mut out: Vec<(&String, &Sym)> = Vec::with_capacity(fields.len());
    for (k, v) in fields {
        match out.iter_mut().find(|(key, _)| *key == k) {
            Some(slot) => slot.1 = v,
            None => out.push((k, v)),
        }
    }
    out
}

/// What several possible values have in common: commands pool, equal values
/// stay, anything else is unknown.
pub fn join(syms: Vec<Sym>) -> Sym {
    let known: Vec<Sym> = syms.into_iter().filter(Sym::is_known).collect();
    if known.is_empty() {
        return Sym::Unknown;
    }
    if known.iter().all(|s| matches!(s, Sym::Commands(_))) {
        let mut all: Vec<Command> = Vec::new();
        for s in known {
            if let Sym::Commands(cs) = s {
                for c in cs {
                    if !all.contains(&c) {
                        all.push(c);
                    }
                }
            }
        }
        return Sym::Commands(all);
    }
    if known.iter().all(|s| s == &known[0]) {
        return known.into_iter().next().unwrap_or(Sym::Unknown);
    }
    if let Sym::Client(first) = &known[0] {
        let same_service = known.iter().all(|s| matches!(s, Sym::Client(c) if c.service == first.service && c.kind == first.kind));
        if same_service {
            return Sym::Client(Client { region: None, confidence: Confidence::Medium, ..first.clone() });
        }
    }
    if known.iter().all(|s| matches!(s, Sym::Str(_) | Sym::Num(_))) {
        return Sym::Str(vec![TextPart::Unknown]);
    }
    Sym::Unknown
}
