//! What a template says about deployed functions and resources.

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One piece of a string whose value is partly known at analysis time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Literal(String),
    /// Not known from the templates (a generated suffix, `AWS::Region`, `!ImportValue`, ...).
    Unknown,
}

/// A runtime string as far as the templates know it: `orders-prod` is
/// `[Literal("orders-prod")]`; a generated DynamoDB table name is
/// `[Unknown, Literal("-OrdersTable-"), Unknown]`. Never narrower than the truth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Pattern(pub Vec<Part>);

impl Pattern {
    pub fn literal(s: impl Into<String>) -> Pattern {
        Pattern(vec![Part::Literal(s.into())])
    }
    pub fn unknown() -> Pattern {
        Pattern(vec![Part::Unknown])
    }
    /// The exact string, when every part is known.
    pub fn as_exact(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Unknown => return None,
            }
        }
        Some(out)
    }
    /// Append, merging adjacent literals and adjacent unknowns.
    pub fn push(&mut self, part: Part) {
        match (self.0.last_mut(), part) {
            (Some(Part::Literal(prev)), Part::Literal(s)) => prev.push_str(&s),
            (Some(Part::Unknown), Part::Unknown) => {}
            (_, Part::Literal(s)) if s.is_empty() => {}
            (_, part) => self.0.push(part),
        }
    }
    pub fn extend(&mut self, other: Pattern) {
        for part in other.0 {
            self.push(part);
        }
    }
    /// `*` for each unknown part: how the pattern reads to a person.
    pub fn display(&self) -> String {
        self.0
            .iter()
            .map(|p| match p {
                Part::Literal(s) => s.as_str(),
                Part::Unknown => "*",
            })
            .collect()
    }
}

/// Which tool declared a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Framework {
    Sam,
    CloudFormation,
    Cdk,
    Terraform,
    Serverless,
}

/// Where a function's code lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Code {
    /// A directory of the project (absolute, or relative to the analysed root
    /// after [`discover`](crate::discover)) holding the handler's source.
    Directory { path: PathBuf },
    /// Source written inside the template (`ZipFile`, `InlineCode`).
    Inline { source: String },
    /// A container image, an S3 object, or a location the templates do not resolve.
    Unknown { reason: String },
}

/// The resource a value came from, for the person reading the result
/// (`← InvoicesBucket`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceRef {
    /// CloudFormation logical id, Terraform address (`aws_s3_bucket.invoices`), ...
    pub id: String,
    /// `AWS::S3::Bucket`, `aws_s3_bucket`, ...
    pub resource_type: String,
}

/// What one environment variable of a function holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    pub value: Pattern,
    /// The declared resource the value names, when it names one.
    pub resource: Option<ResourceRef>,
}

/// A position in a template, 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
}

/// A deployed function: its code, handler and environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Function {
    /// Logical id, Terraform address or Serverless function key.
    pub id: String,
    pub framework: Framework,
    pub declared_at: Location,
    pub code: Code,
    /// As the template spells it: `app.handler`, `src/index.handler`,
    /// `com.example.Handler::handleRequest`, `bootstrap`.
    pub handler: Option<String>,
    pub runtime: Option<String>,
    pub environment: BTreeMap<String, Binding>,
    /// The execution role: a logical id / address, or an ARN pattern.
    pub role: Option<String>,
}

/// A declared resource (other than functions) and its physical name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub id: String,
    pub resource_type: String,
    pub declared_at: Location,
    /// The physical name, when the type has one (`TableName`, `BucketName`, ...).
    pub name: Option<Pattern>,
    /// The ARN as far as it is known.
    pub arn: Option<Pattern>,
}

/// Something a template says that could not be read; the affected
/// functions fall back to what the code alone shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IacWarning {
    pub at: Location,
    pub message: String,
}

/// One event source of a SAM function (`Events:` entry): SAM turns it into a
/// `AWS::Lambda::Permission`, an `AWS::Lambda::EventSourceMapping`, a rule, ...
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SamEvent {
    /// The event's key under `Events`.
    pub id: String,
    /// Its `Type`: `Api`, `HttpApi`, `SQS`, `Kinesis`, `DynamoDB`, `S3`, `SNS`, `Schedule`, ...
    pub event_type: String,
}

/// What SAM generates for one of its resources that [`Function`] and
/// [`Resource`] do not say, as far as deploying the stack needs it: the
/// physical name, whether it names its own role, its event sources. The
/// deploy policy expands SAM resources with it; a SAM resource without an
/// entry here expands with a warning saying what was assumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SamResource {
    pub id: String,
    /// `AWS::Serverless::Function`, `AWS::Serverless::StateMachine`, ...
    pub resource_type: String,
    pub declared_at: Location,
    /// The name property (`FunctionName`, `Name`); `None` when CloudFormation generates it.
    pub name: Option<Pattern>,
    /// The `Role` property (a logical id, or an ARN pattern); `None`: SAM creates `<Id>Role`.
    pub role: Option<String>,
    pub events: Vec<SamEvent>,
}

/// Everything the templates of one tree say.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Deployment {
    /// Every template that was read, in the order read.
    pub templates: Vec<PathBuf>,
    pub functions: Vec<Function>,
    pub resources: Vec<Resource>,
    pub warnings: Vec<IacWarning>,
    /// SAM resources' names, roles and events (see [`SamResource`]).
    pub sam: Vec<SamResource>,
    /// The policies the templates grant each function (see [`crate::policies`]).
    pub declared: Vec<crate::policies::FunctionPolicies>,
}

impl Deployment {
    pub fn is_empty(&self) -> bool {
        self.functions.is_empty() && self.resources.is_empty()
    }
    pub fn extend(&mut self, other: Deployment) {
        self.templates.extend(other.templates);
        self.functions.extend(other.functions);
        self.resources.extend(other.resources);
        self.warnings.extend(other.warnings);
        self.sam.extend(other.sam);
        self.declared.extend(other.declared);
    }
}

/// What the person may tell the readers that templates leave open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// CloudFormation stack name: generated names start with it.
    pub stack_name: Option<String>,
    /// Serverless `--stage` / SAM parameter overrides; `None` uses the defaults.
    pub stage: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    /// `Name=Value` template parameter overrides (SAM `--parameter-overrides`,
    /// Terraform `-var`).
    pub parameters: BTreeMap<String, String>,
}
