//! Receiver resolution: what an expression is — an SDK client (with its
//! region), a builder, a waiter, a presigner, a transfer manager, an
//! enhanced client or table — from declared types first, then initializers,
//! assignments, factory methods of this file and of the project index.

use crate::analyzer::{Analyzer, Decl, Role, MAX_DEPTH};
use crate::syntax::{arguments, unwrap_expr};
use crate::types::{type_name, Kind, HOLDERS, HOLDER_GETTERS};
use iamlens_engine::model::Value;
use tree_sitter::Node;

/// What resolution found.
#[derive(Debug, Clone, PartialEq)]
pub enum Recv {
    /// An SDK object that matters.
    Sdk(Kind),
    /// Known not to be an SDK client: a JDK or project type (named when
    /// known, so project factories can be looked up), a response, a literal.
    Other(Option<String>),
    /// Cannot tell; the reason, for people.
    Unknown(String),
}

impl<'a> Analyzer<'a> {
    /// What `expr` is.
    pub fn recv(&self, expr: Node<'a>, depth: u8) -> Recv {
        if depth > MAX_DEPTH {
            return Recv::Unknown("it is defined through too many steps".into());
        }
        let expr = unwrap_expr(expr);
        match expr.kind() {
            "identifier" => {
                let name = self.text(expr);
                match self.lookup(name, expr) {
                    Some(decl) => self.decl_recv(&decl, depth),
                    None => match self.type_kind(name) {
                        Some(_) => Recv::Other(None),
                        None if self.index.has_class(name) || self.local_class(name).is_some() => Recv::Other(None),
                        None if self.imports.is_library_class(name) => Recv::Other(None),
                        None if self.imports.imports_class(name) => Recv::Unknown(format!("`{name}` is a class outside the analysed files")),
                        None if self.inherited_field(name, expr).is_some() => self.inherited_field(name, expr).unwrap_or(Recv::Other(None)),
                        None => Recv::Unknown(format!("`{name}` is not declared in this file (inherited?)")),
                    },
                }
            }
            "field_access" => self.field_recv(expr, depth),
            "method_invocation" => self.call_recv(expr, depth),
            "object_creation_expression" => {
                let ty = expr.child_by_field_id(field!("type")).map(|t| type_name(t, self.src)).unwrap_or_default();
                match self.type_kind(&ty) {
                    Some(Kind::Model) => Recv::Other(None),
                    Some(k @ (Kind::Client { .. } | Kind::TransferManager { .. } | Kind::Enhanced | Kind::Builder(_))) => Recv::Sdk(k),
                    Some(_) => Recv::Other(None),
                    None => Recv::Other(Some(ty)),
                }
            }
            "ternary_expression" => {
                let (Some(a), Some(b)) = (expr.child_by_field_id(field!("consequence")), expr.child_by_field_id(field!("alternative"))) else {
                    return Recv::Unknown("a conditional expression".into());
                };
                let (ra, rb) = (self.recv(a, depth + 1), self.recv(b, depth + 1));
                if ra == rb {
                    ra
                } else {
                    Recv::Unknown("the two branches of a conditional differ".into())
                }
            }
            "this" | "super" => Recv::Other(None),
            "array_access" => Recv::Unknown("an array element".into()),
            _ => Recv::Other(None),
        }
    }

    /// `Supplier<S3Client>` and other holders of an SDK client.
    fn holder_kind(&self, ty: Node<'a>) -> Option<Kind> {
        if ty.kind() != "generic_type" {
            return None;
        }
        let base = type_name(ty, self.src);
        if !HOLDERS.contains(&base.rsplit('.').next().unwrap_or("")) {
            return None;
        }
        let args = crate::syntax::named_children(ty).into_iter().find(|c| c.kind() == "type_arguments")?;
        let inner = crate::syntax::named_children(args);
        let [only] = inner.as_slice() else { return None };
        match self.type_kind(&type_name(*only, self.src))? {
            Kind::Model => None,
            k => Some(Kind::Holder(Box::new(k))),
        }
    }

    /// An injected client (a field or parameter Spring fills by type) takes
    /// the region of the `@Bean` methods that make that client, when they all agree.
    fn with_bean_region(&self, kind: Kind) -> Kind {
        let Kind::Client { service, region: None, v1 } = kind else { return kind };
        let mut beans: Vec<Kind> = self.index.beans(&service).into_iter().cloned().collect();
        if beans.is_empty() {
            beans = self.local_beans(&service);
        }
        let regions: Vec<Option<&String>> = beans.iter().map(|b| if let Kind::Client { region, .. } = b { region.as_ref() } else { None }).collect();
        let region = match regions.first() {
            Some(Some(r)) if regions.iter().all(|x| *x == Some(*r)) => Some((*r).clone()),
            _ => None,
        };
        Kind::Client { service, region, v1 }
    }

    /// Clients of `service` made by `@Bean` methods of this file.
    fn local_beans(&self, service: &str) -> Vec<Kind> {
        let mut out = Vec::new();
        for n in self.bean_methods() {
            let class = self.parent(*n).and_then(|b| self.parent(b));
            let name = n.child_by_field_id(field!("name")).map(|m| self.text(m));
            if let (Some(class), Some(name)) = (class, name) {
                if let Recv::Sdk(k @ Kind::Client { .. }) = self.method_recv(class, name, MAX_DEPTH - 2) {
                    if matches!(&k, Kind::Client { service: s, .. } if s == service) {
                        out.push(k);
                    }
                }
            }
        }
        out
    }

    /// Whether an expression is a plain parameter (`this.s3 = s3` in an injecting constructor).
    fn is_parameter(&self, expr: Node<'a>) -> bool {
        let expr = unwrap_expr(expr);
        expr.kind() == "identifier" && self.lookup(self.text(expr), expr).is_some_and(|d| d.role == Role::Param)
    }

    /// A type name as this file's imports read it.
    pub fn type_kind(&self, name: &str) -> Option<Kind> {
        if name.is_empty() || name == "var" {
            return None;
        }
        if !name.contains('.') && self.local_class(name).is_some() {
            return None;
        }
        self.imports.classify(name)
    }

    /// What a declared name is: its declared type, refined by what it is
    /// initialised or assigned with (a client's region, a table's name).
    pub fn decl_recv(&self, decl: &Decl<'a>, depth: u8) -> Recv {
        let declared = decl.ty.map(|t| type_name(t, self.src)).filter(|t| !t.is_empty() && t != "var");
        let sources: Vec<Node<'a>> = decl.init.into_iter().chain(self.assignments(decl)).collect();
        let from_sources = || -> Vec<Recv> { sources.iter().map(|s| self.recv(*s, depth + 1)).collect() };
        if let Some(kind) = decl.ty.and_then(|t| self.holder_kind(t)) {
            return Recv::Sdk(kind);
        }
        match declared {
            Some(ty) => match self.type_kind(&ty) {
                Some(Kind::Model) => Recv::Other(None),
                Some(kind) => {
                    let refined = refine(kind, &from_sources());
                    let injected = sources.is_empty() || (decl.role == Role::Field && sources.iter().all(|s| self.is_parameter(*s)));
                    Recv::Sdk(if injected { self.with_bean_region(refined) } else { refined })
                }
                None => Recv::Other(Some(ty)),
            },
            None => {
                let found = from_sources();
                match found.as_slice() {
                    [] if decl.role == Role::LambdaParam => {
                        Recv::Unknown(format!("`{}` is a lambda parameter without a declared type", self.text(decl.name)))
                    }
                    [] => Recv::Unknown(format!("`{}` is never assigned in this file", self.text(decl.name))),
                    [one] => one.clone(),
                    [first, rest @ ..] if rest.iter().all(|r| r == first) => first.clone(),
                    _ => Recv::Unknown(format!("`{}` is assigned different things", self.text(decl.name))),
                }
            }
        }
    }

    fn field_recv(&self, expr: Node<'a>, depth: u8) -> Recv {
        let (Some(object), Some(field)) = (expr.child_by_field_id(field!("object")), expr.child_by_field_id(field!("field"))) else {
            return Recv::Unknown("an incomplete expression".into());
        };
        let name = self.text(field);
        if matches!(object.kind(), "this" | "super") {
            return match self.lookup_field(name, expr).filter(|_| object.kind() == "this") {
                Some(d) => self.decl_recv(&d, depth),
                None => self
                    .inherited_field(name, expr)
                    .unwrap_or_else(|| Recv::Unknown(format!("`this.{name}` is not declared in this class (an inherited field?)"))),
            };
        }
        if object.kind() == "identifier" && self.lookup(self.text(object), expr).is_none() {
            let class = self.text(object);
            if let Some(kind) = self.index.field_kind(class, name) {
                return Recv::Sdk(kind.clone());
            }
        }
        Recv::Other(None)
    }

    fn call_recv(&self, call: Node<'a>, depth: u8) -> Recv {
        let name = call.child_by_field_id(field!("name")).map(|n| self.text(n)).unwrap_or("");
        let args = arguments(call);
        let Some(object) = call.child_by_field_id(field!("object")).map(unwrap_expr).filter(|o| o.kind() != "this") else {
            return self.own_method_recv(call, name, depth);
        };
        // A static call on a class name: `S3Client.create()`, `Clients.s3()`.
        if matches!(object.kind(), "identifier" | "scoped_identifier" | "field_access") && self.lookup(self.text(object), object).is_none() {
            let class = self.text(object);
            if let Some(kind) = self.type_kind(class) {
                return static_factory(kind, name);
            }
            if object.kind() == "identifier" {
                if let Some(kind) = self.index.method_kind(class, name) {
                    return Recv::Sdk(kind.clone());
                }
                if let Some(c) = self.local_class(class) {
                    return self.method_recv(c, name, depth);
                }
            }
        }
        match self.recv(object, depth + 1) {
            Recv::Sdk(Kind::Holder(inner)) if HOLDER_GETTERS.contains(&name) => Recv::Sdk(*inner),
            Recv::Sdk(Kind::Builder(inner)) => match name {
                "build" => Recv::Sdk(*inner),
                "region" | "withRegion" => {
                    let region = args.first().and_then(|a| self.region(*a));
                    Recv::Sdk(Kind::Builder(Box::new(with_region(*inner, region))))
                }
                _ => Recv::Sdk(Kind::Builder(inner)),
            },
            Recv::Sdk(Kind::Client { service, .. }) => match name {
                "waiter" => Recv::Sdk(Kind::Waiter { service }),
                "utilities" => Recv::Sdk(Kind::Utilities),
                _ => Recv::Other(None),
            },
            Recv::Sdk(Kind::Enhanced) => match (name, args.first()) {
                ("table" | "getTable", Some(t)) => Recv::Sdk(Kind::Table { name: self.value(*t, 0), index: None }),
                _ => Recv::Other(None),
            },
            Recv::Sdk(Kind::Table { name: table, .. }) => match (name, args.first()) {
                ("index" | "getIndex", Some(i)) => Recv::Sdk(Kind::Table { name: table, index: Some(self.value(*i, 0)) }),
                _ => Recv::Other(None),
            },
            Recv::Sdk(_) => Recv::Other(None),
            Recv::Other(Some(class)) => match self.index.method_kind(&class, name) {
                Some(kind) => Recv::Sdk(kind.clone()),
                None => match self.local_class(&class) {
                    Some(c) => self.method_recv(c, name, depth),
                    None => Recv::Other(None),
                },
            },
            Recv::Other(None) => Recv::Other(None),
            Recv::Unknown(why) => Recv::Unknown(format!("`{}(…)` is called on something unresolved: {why}", name)),
        }
    }

    /// A field a superclass declares: in this file, or exported by the project index.
    fn inherited_field(&self, name: &str, at: Node<'a>) -> Option<Recv> {
        let (classes, _) = self.enclosing(at);
        for class in classes.iter().rev() {
            let Some(superclass) = class.child_by_field_id(field!("superclass")).and_then(|s| s.named_child(0)) else { continue };
            let parent = type_name(superclass, self.src);
            let parent = parent.rsplit('.').next().unwrap_or("");
            if let Some(body) = self.local_class(parent).and_then(|c| c.child_by_field_id(field!("body"))) {
                if let Some(decl) = crate::syntax::named_children(body).into_iter().next().and_then(|probe| self.lookup_field(name, probe)) {
                    return Some(self.decl_recv(&decl, MAX_DEPTH - 2));
                }
            }
            if let Some(kind) = self.index.field_kind(parent, name) {
                return Some(Recv::Sdk(kind.clone()));
            }
        }
        None
    }

    /// A call to a method of the enclosing class (or an outer one).
    fn own_method_recv(&self, call: Node<'a>, name: &str, depth: u8) -> Recv {
        let (classes, _) = self.enclosing(call);
        for class in classes.iter().rev() {
            if self.method_of(*class, name).is_some() {
                return self.method_recv(*class, name, depth);
            }
        }
        for class in classes.iter().rev() {
            let Some(superclass) = class.child_by_field_id(field!("superclass")).and_then(|s| s.named_child(0)) else { continue };
            let parent = type_name(superclass, self.src);
            let parent = parent.rsplit('.').next().unwrap_or("");
            if let Some(c) = self.local_class(parent) {
                if self.method_of(c, name).is_some() {
                    return self.method_recv(c, name, depth);
                }
            }
            if let Some(kind) = self.index.method_kind(parent, name) {
                return Recv::Sdk(kind.clone());
            }
        }
        Recv::Unknown(format!("`{name}()` is not a method of this class (inherited?)"))
    }

    /// What a method of a class in this file returns: its declared type, else its return statements.
    pub fn method_recv(&self, class: Node<'a>, name: &str, depth: u8) -> Recv {
        let Some(method) = self.method_of(class, name) else { return Recv::Other(None) };
        let declared = method.child_by_field_id(field!("type")).map(|t| type_name(t, self.src)).unwrap_or_default();
        if let Some(kind) = method.child_by_field_id(field!("type")).and_then(|t| self.holder_kind(t)) {
            return Recv::Sdk(kind);
        }
        match self.type_kind(&declared) {
            Some(Kind::Model) => Recv::Other(None),
            Some(kind) => {
                let returned: Vec<Recv> = self.returned(method).into_iter().map(|r| self.recv(r, depth + 1)).collect();
                Recv::Sdk(refine(kind, &returned))
            }
            None if declared.is_empty() => Recv::Other(None),
            None => Recv::Other(Some(declared)),
        }
    }
}

/// `S3Client.create()`, `S3Client.builder()`, `AmazonS3ClientBuilder.standard()`…
fn static_factory(kind: Kind, method: &str) -> Recv {
    match (kind, method) {
        (Kind::Builder(inner), "standard") => Recv::Sdk(Kind::Builder(inner)),
        (Kind::Builder(inner), "defaultClient" | "defaultTransferManager") => Recv::Sdk(*inner),
        (
            k @ (Kind::Client { .. } | Kind::Presigner | Kind::TransferManager { .. } | Kind::Enhanced | Kind::Waiter { .. } | Kind::StsProvider),
            "builder" | "crtBuilder",
        ) => Recv::Sdk(Kind::Builder(Box::new(k))),
        (
            k @ (Kind::Client { .. } | Kind::Presigner | Kind::TransferManager { .. } | Kind::Enhanced | Kind::Waiter { .. } | Kind::StsProvider),
            "create",
        ) => Recv::Sdk(k),
        _ => Recv::Other(None),
    }
}

fn with_region(kind: Kind, region: Option<String>) -> Kind {
    match kind {
        Kind::Client { service, v1, .. } => Kind::Client { service, region, v1 },
        other => other,
    }
}

/// A declared kind, made precise by what the declaration holds: the region
/// all its clients agree on, the table name all its tables agree on.
fn refine(kind: Kind, sources: &[Recv]) -> Kind {
    let same: Vec<&Kind> = sources.iter().filter_map(|r| if let Recv::Sdk(k) = r { Some(k) } else { None }).collect();
    match kind {
        Kind::Client { service, v1, .. } => {
            let regions: Vec<Option<&String>> = same
                .iter()
                .map(|k| match k {
                    Kind::Client { service: s, region, .. } if *s == service => region.as_ref(),
                    _ => None,
                })
                .collect();
            let region = match regions.first() {
                Some(Some(r)) if regions.iter().all(|x| *x == Some(*r)) => Some((*r).clone()),
                _ => None,
            };
            Kind::Client { service, region, v1 }
        }
        Kind::Table { name, index } => {
            let tables: Vec<(&Value, &Option<Value>)> =
                same.iter().filter_map(|k| if let Kind::Table { name, index } = k { Some((name, index)) } else { None }).collect();
            match tables.first() {
                Some(first) if tables.len() == sources.len() && tables.iter().all(|t| t == first) => {
                    Kind::Table { name: first.0.clone(), index: first.1.clone() }
                }
                _ => Kind::Table { name, index },
            }
        }
        other => other,
    }
}
