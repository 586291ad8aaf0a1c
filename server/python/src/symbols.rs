//! What a Python name or expression is, as far as AWS calls are concerned:
//! the abstract values the receiver resolution works with.

use iamlens_engine::model::{Confidence, Value};

/// A service name as known to the analysis.
#[derive(Debug, Clone, PartialEq)]
pub enum Svc {
    Known(String),
    /// Given by a parameter of the enclosing factory (`def make(svc): return boto3.client(svc)`),
    /// filled in at each call of the factory.
    Param(usize, String),
    /// One of these services (sorted): callers hand the function clients of each.
    OneOf(Vec<String>),
    /// Computed at run time.
    Dynamic,
}

/// Objects of an AWS SDK module (boto3, botocore, aioboto3, aiobotocore).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdkItem {
    /// `boto3` / `aioboto3`: has `client`, `resource`, `Session`, `session`.
    Boto3Module,
    /// `boto3.session` / `aioboto3.session`: has `Session`.
    SessionModule,
    /// `botocore` / `aiobotocore`: has `session`.
    BotocoreModule,
    /// `botocore.session` / `aiobotocore.session`: `get_session`, `Session`, `AioSession`.
    BotocoreSessionModule,
    /// `boto3.client`, `session.client`, `session.create_client`.
    ClientFn,
    /// `boto3.resource`, `session.resource`.
    ResourceFn,
    /// `boto3.Session`, `botocore.session.get_session`, `aiobotocore.session.AioSession`.
    SessionFn,
    /// An SDK item that makes no calls (`botocore.exceptions`, `Config`, ...).
    Inert,
}

/// The abstract value of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Sym {
    /// Nothing is known: the "unresolved receiver" rule may apply.
    Unknown,
    /// Known not to be an AWS client (a literal, a non-AWS import, a local class).
    Foreign,
    /// A name a module of the project defines that its exports say nothing
    /// about (a plain class or function), or what calling or reading it
    /// gives: it may hold clients iamlens cannot see, so calls on it that look
    /// like AWS calls are named in warnings, never in the policy.
    ProjectOpaque,
    /// A class of another module of the project, with the attributes its
    /// instances hold clients or resources in (sorted by name).
    ExternalClass(std::sync::Arc<Vec<(String, Sym)>>),
    /// An instance of such a class.
    ExternalInstance(std::sync::Arc<Vec<(String, Sym)>>),
    /// A dict literal some of whose values are clients or resources
    /// (`{"resource": boto3.resource("dynamodb"), "table": "orders"}`), by key.
    Dict(std::sync::Arc<Vec<(String, Sym)>>),
    /// A function's `**kwargs` into which a decorator puts a client under a
    /// client-like key (`kwargs.pop("client")`).
    Kwargs(Box<Sym>),
    /// A constant value (strings, numbers, dicts).
    Value(Value),
    /// A parameter of the function being evaluated as a factory.
    Param(usize, String),
    Sdk(SdkItem),
    /// `boto3.Session(...)`; `region`: a literal `region_name` it was made
    /// with, the default of the clients and resources it makes.
    Session {
        region: Option<String>,
    },
    /// `region`: a literal `region_name` the client was made with.
    Client {
        service: Svc,
        confidence: Confidence,
        region: Option<String>,
    },
    /// `boto3.resource(svc)` (`rtype: None`) or a resource object such as `Bucket`.
    Resource(ResourceRef),
    /// A list of resources returned by an action (`queue.receive_messages()`).
    ResourceList(ResourceRef),
    /// `bucket.objects` (not yet listed) or `bucket.objects.all()` (listed).
    Collection {
        parent: ResourceRef,
        name: String,
        listed: bool,
    },
    Paginator {
        service: String,
        method: String,
        confidence: Confidence,
        region: Option<String>,
    },
    Waiter {
        service: String,
        name: String,
        confidence: Confidence,
        region: Option<String>,
    },
    /// `table.batch_writer()`: its `put_item`/`delete_item` go into one BatchWriteItem.
    BatchWriter,
    /// `client.meta` / `resource.meta`.
    Meta(Box<Sym>),
    /// A type from `mypy_boto3_*` / `types_aiobotocore_*` stubs; a value annotated with it is an instance.
    TypeOf(Box<Sym>),
    /// A function defined in this file (by start byte of its definition).
    Function(usize),
    /// A class defined in this file (by start byte), and an instance of it.
    Class(usize),
    Instance(usize),
    /// `self`/`cls` inside a method of the class at this start byte.
    SelfOf(usize),
    /// An imported module of the project (dotted name).
    Module(String),
    /// A module outside the project and the SDK (`requests`, `redis`).
    ExternalModule,
    /// A boto3 type-stub package for a service (`mypy_boto3_s3`).
    Stubs(String),
    /// A function exported by another module of the project, with its return value.
    External(Box<Sym>),
    /// A function of another module of the project that makes AWS operations
    /// on what its callers pass (see [`ParamOp`]).
    Helper(std::sync::Arc<HelperSig>),
}

/// Where an operation of a project helper gets its service.
#[derive(Debug, Clone, PartialEq)]
pub enum OpService {
    Known(String),
    /// A parameter holding the service's name (`session.client(service)`).
    NameParam(usize, String),
    /// A parameter holding a client (`def paginate(client, op)`).
    ClientParam(usize, String),
}

/// Where it gets its operation: a method, paginator or waiter name.
#[derive(Debug, Clone, PartialEq)]
pub enum OpName {
    Known(String),
    Param(usize, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Method,
    Paginator,
    Waiter,
}

/// An AWS operation a project function makes whose service or operation
/// comes from its parameters (`session.client(service).get_paginator(name)`):
/// each call passing literals (or clients) makes it there. Parameter indices
/// count `self`/`cls`, as [`Sym::Param`] does.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamOp {
    pub service: OpService,
    pub name: OpName,
    pub kind: OpKind,
    /// The helper hands its `**kwargs` on to the operation: the keywords a
    /// call gives beyond the helper's own parameters are the operation's input.
    pub forwards_keywords: bool,
}

/// A helper of another module: its operations and how it is called.
#[derive(Debug, Clone, PartialEq)]
pub struct HelperSig {
    pub ops: Vec<ParamOp>,
    /// Its named parameters (a call's other keywords go to forwarding operations).
    pub params: Vec<String>,
    /// The client or resource it returns (a factory method: `Clients().for_service("sqs")`),
    /// its service maybe a parameter filled at each call.
    pub returns: Option<Box<Sym>>,
    /// A method (of a class), and whether it is static or a classmethod: what
    /// Python passes implicitly depends on it.
    pub is_method: bool,
    pub is_static: bool,
    pub is_classmethod: bool,
}

/// A boto3 resource object: service, resource class and known identifiers.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceRef {
    pub service: String,
    /// Resource class (`Bucket`); `None` for the service resource itself.
    pub rtype: Option<String>,
    /// Identifier values by identifier name (`Name`, `BucketName`, `Key`).
    pub ids: Vec<(String, Value)>,
    pub confidence: Confidence,
    /// A literal `region_name` the resource (or the service resource it came from) was made with.
    pub region: Option<String>,
}

impl Sym {
    /// As another file sees it: a factory's parameter-dependent service, or a
    /// parameter, means nothing outside the file that defines it.
    pub fn outside_its_file(self) -> Sym {
        match self {
            Sym::Client { service: Svc::Param(..), confidence, region } => Sym::Client { service: Svc::Dynamic, confidence, region },
            Sym::Param(..) => Sym::Unknown,
            other => other,
        }
    }

    pub fn client(service: impl Into<String>, confidence: Confidence) -> Sym {
        Sym::Client { service: Svc::Known(service.into()), confidence, region: None }
    }

    /// The literal region a client, resource, collection, paginator or waiter was made for.
    pub fn region(&self) -> Option<&str> {
        match self {
            Sym::Client { region, .. } | Sym::Paginator { region, .. } | Sym::Waiter { region, .. } => region.as_deref(),
            Sym::Resource(r) | Sym::ResourceList(r) | Sym::Collection { parent: r, .. } => r.region.as_deref(),
            Sym::Session { region } => region.as_deref(),
            _ => None,
        }
    }

    /// A client or resource made by a session for `region`: the session's
    /// region applies unless the constructor named its own.
    pub fn in_session_region(self, region: Option<&str>) -> Sym {
        let Some(region) = region else { return self };
        match self {
            Sym::Client { service, confidence, region: None } => Sym::Client { service, confidence, region: Some(region.to_string()) },
            Sym::Resource(mut r) if r.region.is_none() => {
                r.region = Some(region.to_string());
                Sym::Resource(r)
            }
            other => other,
        }
    }

    /// Whether this could be anything AWS (used to decide what a project exports).
    pub fn is_aws(&self) -> bool {
        !matches!(
            self,
            Sym::Unknown
                | Sym::Foreign
                | Sym::ProjectOpaque
                | Sym::Kwargs(_)
                | Sym::Dict(_)
                | Sym::ExternalClass(_)
                | Sym::ExternalInstance(_)
                | Sym::ExternalModule
                | Sym::Value(_)
                | Sym::Param(..)
                | Sym::Class(_)
                | Sym::Instance(_)
                | Sym::Function(_)
                | Sym::SelfOf(_)
        )
    }

    /// Lower the confidence of a resolved client/resource (resolution went through a heuristic).
    pub fn with_confidence_at_most(self, cap: Confidence) -> Sym {
        let cap_of = |c: Confidence| c.max(cap);
        match self {
            Sym::Client { service, confidence, region } => Sym::Client { service, confidence: cap_of(confidence), region },
            Sym::Resource(mut r) => {
                r.confidence = cap_of(r.confidence);
                Sym::Resource(r)
            }
            other => other,
        }
    }
}
