//! The types that flow between the engine's stages, in one direction:
//!
//! source text → (language front-end) [`SdkCall`]s and [`Finding`]s
//!             → (requirements) [`Requirement`]s
//!             → (policy) policy documents
//!             → presentation (CLI, LSP, MCP).
//!
//! Nothing here knows about a particular language, LSP or MCP. A front-end for
//! another SDK (JS v3, Go v2, Java v2) produces the same `SdkCall`s.

use serde::Serialize;

/// A zero-based position: `line`, and `column` in UTF-8 bytes from the line start.
/// Presentation layers convert columns to their own encoding (LSP: UTF-16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// A range of source text, in bytes and in line/column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Span {
    pub start_byte: usize,
    pub end_byte: usize,
    pub start: Position,
    pub end: Position,
}

impl Span {
    pub fn contains_byte(&self, byte: usize) -> bool {
        self.start_byte <= byte && byte <= self.end_byte
    }

    /// The same text moved by `bytes` and `rows` (columns unchanged).
    pub fn shift(&mut self, bytes: isize, rows: isize) {
        self.start_byte = self.start_byte.saturating_add_signed(bytes);
        self.end_byte = self.end_byte.saturating_add_signed(bytes);
        self.start.line = (self.start.line as isize + rows) as u32;
        self.end.line = (self.end.line as isize + rows) as u32;
    }
}

/// A definition's results moved with it, by `bytes` and `rows`: what a
/// front-end's reuse of an unchanged definition does after text above it changed.
pub fn shift_results(calls: &mut [SdkCall], findings: &mut [Finding], scopes: &mut [CodeScope], bytes: isize, rows: isize) {
    for call in calls {
        call.span.shift(bytes, rows);
        call.name_span.shift(bytes, rows);
    }
    for finding in findings {
        finding.span.shift(bytes, rows);
    }
    for scope in scopes {
        scope.span.shift(bytes, rows);
        scope.name_span.shift(bytes, rows);
    }
}

/// How sure the front-end is that a call is the AWS operation it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Confidence {
    /// Receiver resolved to a client/resource of a known service.
    High,
    /// Resolved through a heuristic (e.g. a factory in another file, a type annotation).
    Medium,
    /// Receiver unknown; the only service whose operation accepts these arguments.
    Low,
}

/// One piece of a string value: known text, or a part static analysis cannot know.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum TextPart {
    Literal(String),
    /// Unknown at analysis time (an f-string hole, a parameter, a call result).
    Unknown,
    /// The value of an environment variable (`os.environ["TABLE"]`,
    /// `process.env.TABLE`, `os.Getenv("TABLE")`): unknown to the code alone,
    /// known when infrastructure code binds it (see [`crate::environment`]).
    Env(String),
}

/// A value as far as static analysis can know it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Value {
    /// A string built from known and unknown parts. `Text(vec![])` is the empty string.
    Text(Vec<TextPart>),
    Number(f64),
    Bool(bool),
    Dict(Vec<(String, Value)>),
    List(Vec<Value>),
    /// Nothing is known (a variable, a call result, ...).
    Unknown,
}

impl Value {
    pub fn literal(s: impl Into<String>) -> Value {
        Value::Text(vec![TextPart::Literal(s.into())])
    }

    /// The exact string, when every part is known.
    pub fn as_exact_str(&self) -> Option<String> {
        match self {
            Value::Text(parts) => {
                let mut out = String::new();
                for p in parts {
                    match p {
                        TextPart::Literal(s) => out.push_str(s),
                        TextPart::Unknown | TextPart::Env(_) => return None,
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// The string as an IAM wildcard pattern: unknown parts become `*`, and
    /// adjacent unknown parts collapse into one `*`. `None` when not a string
    /// at all (then the whole value is unknown).
    pub fn as_pattern(&self) -> Option<String> {
        match self {
            Value::Text(parts) => {
                let mut out = String::new();
                for p in parts {
                    match p {
                        TextPart::Literal(s) => out.push_str(s),
                        TextPart::Unknown | TextPart::Env(_) => {
                            if !out.ends_with('*') {
                                out.push('*')
                            }
                        }
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// A key of a dict value (e.g. `CopySource={"Bucket": ..., "Key": ...}`).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// How the code reached an operation; used to explain a finding to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "Kind")]
pub enum CallVia {
    /// `client.get_object(...)`.
    Client,
    /// `client.get_paginator("list_objects_v2").paginate(...)`.
    Paginator { method: String },
    /// `client.get_waiter("bucket_exists").wait(...)`.
    Waiter { name: String },
    /// A method boto3 injects into clients, e.g. `upload_file` → several operations.
    Injected { method: String },
    /// boto3 resources API: `bucket.objects.all()`, `obj.get()`, `table.put_item(...)`,
    /// or attribute access that triggers `load`.
    Resource { resource: String, action: String },
}

/// One AWS API operation that the code performs, as found by a language front-end.
/// A single source call can yield several `SdkCall`s sharing a span (e.g. `upload_file`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SdkCall {
    /// The whole call expression.
    pub span: Span,
    /// The method (or attribute) name, the hover target.
    pub name_span: Span,
    /// botocore service name (`s3`, `stepfunctions`, `sesv2`).
    pub service: String,
    /// API operation name (`GetObject`).
    pub operation: String,
    pub via: CallVia,
    /// The call as written, shortened to one line (for `--explain`).
    pub text: String,
    /// Operation input members and what is known of their values. Resource
    /// identifiers of the boto3 resources API are already mapped to members here.
    pub args: Vec<(String, Value)>,
    pub confidence: Confidence,
    /// Qualified name of the enclosing function/class (`Worker.run`), `None` at module level.
    pub scope: Option<String>,
    /// The region the client was made for (a literal `region_name`): it wins over `--region`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl SdkCall {
    pub fn arg(&self, member: &str) -> Option<&Value> {
        self.args.iter().find(|(k, _)| k == member).map(|(_, v)| v)
    }
}

/// Something the user should know about: a typo'd method, an ambiguous call,
/// a resource left as a wildcard, a syntax error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub span: Span,
    pub kind: FindingKind,
    /// One sentence for people, naming what was wrong and what to do.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "Kind")]
pub enum FindingKind {
    /// The method is not an operation of the resolved service.
    UnknownMethod { service: String, method: String, suggestions: Vec<String> },
    /// Service name given to `client(...)` is unknown to this version of the knowledge base.
    UnknownService { name: String, suggestions: Vec<String> },
    /// Receiver unresolved and several services have such an operation.
    Ambiguous { method: String, candidates: Vec<String> },
    /// A resource ARN kept a wildcard because a value is only known at run time.
    DynamicResource { action: String, parameter: String },
    /// The file did not parse here; what could be recovered was analysed.
    SyntaxError,
    /// A call that looks like an AWS call (an SDK method name on a receiver,
    /// in code that uses AWS) but was left out of the policy: the message says
    /// why and what would settle it. `candidates`: services that have such an
    /// operation, when known.
    UnresolvedCall { method: String, candidates: Vec<String> },
}

/// A function, class or module that contains AWS calls (code-lens targets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeScope {
    pub kind: ScopeKind,
    /// Qualified name, as in [`SdkCall::scope`]; the module's is `None`.
    pub name: Option<String>,
    /// The span of the definition (whole file for the module).
    pub span: Span,
    /// The span of the name, where a lens is anchored.
    pub name_span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ScopeKind {
    Module,
    Class,
    Function,
}

/// What a language front-end finds in one file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileAnalysis {
    /// False for code that never imports an AWS SDK: then `calls` is empty.
    pub imports_aws_sdk: bool,
    pub calls: Vec<SdkCall>,
    pub findings: Vec<Finding>,
    pub scopes: Vec<CodeScope>,
}

/// Settings that shape how calls become requirements.
#[derive(Debug, Clone, Serialize)]
pub struct RequirementSettings {
    /// Fills `${Region}`; `None` → `*`.
    pub region: Option<String>,
    /// Fills `${Account}`; `None` → `*`.
    pub account: Option<String>,
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// Include KMS actions taken on the caller's behalf, scoped by `kms:ViaService`.
    pub kms_via_service: bool,
}

impl Default for RequirementSettings {
    fn default() -> Self {
        RequirementSettings { region: None, account: None, partition: "aws".into(), kms_via_service: true }
    }
}

/// One IAM permission the code needs, with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Requirement {
    /// Canonical action, `s3:GetObject`.
    pub action: String,
    /// Resource ARNs (with `*` for unknown parts), or `["*"]` when the action
    /// supports no resource-level permissions.
    pub resources: Vec<String>,
    /// IAM condition block: operator → key → values (e.g. `StringEquals` →
    /// `kms:ViaService` → [`s3.us-east-1.amazonaws.com`]). Empty when none.
    pub conditions: Vec<(String, String, Vec<String>)>,
    /// Access level from the IAM data (`Read`, `Write`, `List`, ...).
    pub access_level: Option<String>,
    /// The ARN template(s) the resources were bound from.
    pub arn_templates: Vec<String>,
    /// Why this action is needed, when not obvious (e.g. `iam:PassRole`).
    pub note: Option<String>,
    /// Index into the file's `calls` this requirement came from.
    pub call_index: usize,
}
