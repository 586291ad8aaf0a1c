//! Receiver resolution: the abstract evaluation of Python expressions to
//! [`Sym`]s (is this a boto3 client? of which service? a resource? a
//! paginator?), through names, attributes, calls, factories and classes.
//!
//! Evaluation is bounded: every recursive step goes through [`Analyzer::enter`],
//! which refuses to go deeper than [`MAX_DEPTH`], so deeply nested or
//! self-referential code yields `Unknown` instead of overflowing the stack.

use super::catalog_cache::ServiceCache;
use super::index::ProjectIndex;
use super::symbols::{ResourceRef, SdkItem, Svc, Sym};
use super::syntax::FieldExt;
use super::syntax::{named_children, text, unwrap_expr, CallArgs};
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::{CodeScope, Confidence, Finding, SdkCall, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use tree_sitter::Node;

/// A class's attributes by name.
type ClassAttrs = HashMap<String, Sym>;

/// How deep expression evaluation and statement walking may nest.
pub const MAX_DEPTH: u32 = 96;

/// Names that are Python builtins: calling them never yields an AWS client.
const BUILTINS: &[&str] = &[
    "dict",
    "list",
    "set",
    "tuple",
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "open",
    "print",
    "len",
    "range",
    "enumerate",
    "zip",
    "map",
    "filter",
    "sorted",
    "reversed",
    "object",
    "super",
    "type",
    "isinstance",
    "getattr",
    "setattr",
    "hasattr",
    "min",
    "max",
    "sum",
    "any",
    "all",
    "iter",
    "next",
    "repr",
    "format",
    "input",
    "id",
    "frozenset",
    "bytearray",
    "memoryview",
    "vars",
    "dir",
    "globals",
    "locals",
    "Exception",
    "ValueError",
    "KeyError",
    "RuntimeError",
    "TypeError",
    "json",
    "None",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Module,
    Class,
    Function,
}

/// One scope's bindings.
pub struct Frame<'a> {
    pub vars: HashMap<&'a str, Sym>,
    pub kind: FrameKind,
    /// The class (start byte) whose body this frame is.
    pub owner: Option<usize>,
}

impl<'a> Frame<'a> {
    pub fn new(kind: FrameKind) -> Frame<'a> {
        Frame { vars: HashMap::new(), kind, owner: None }
    }
}

/// Where a function is defined, recorded when it is met (tree-sitter's
/// `parent()` walks down from the root, too slow to ask per function).
#[derive(Debug, Clone, Copy, Default)]
pub struct DefInfo {
    /// The class it is a method of.
    pub class: Option<usize>,
    pub is_static: bool,
    pub is_classmethod: bool,
}

impl DefInfo {
    /// Flags from the decorators of a `decorated_definition` (if any).
    pub fn from_decorated(decorated: Option<Node>, src: &str, class: Option<usize>) -> DefInfo {
        let text = decorated.map_or("", |d| super::syntax::text(d, src));
        DefInfo { class, is_static: text.contains("@staticmethod"), is_classmethod: text.contains("@classmethod") }
    }
}

/// The scopes visible at a point of the walk, innermost last.
pub struct Env<'a> {
    pub frames: Vec<Frame<'a>>,
}

impl<'a> Env<'a> {
    pub fn module() -> Env<'a> {
        Env { frames: vec![Frame::new(FrameKind::Module)] }
    }

    pub fn set(&mut self, name: &'a str, sym: Sym) {
        if let Some(top) = self.frames.last_mut() {
            top.vars.insert(name, sym);
        }
    }
}

/// What the walk collected: calls, findings, and the scopes that hold calls.
#[derive(Default)]
pub struct Output {
    pub calls: Vec<SdkCall>,
    pub findings: Vec<Finding>,
    pub scopes: Vec<CodeScope>,
}

/// Per-file analysis state.
pub struct Analyzer<'a> {
    pub src: &'a str,
    pub catalog: &'a dyn Catalog,
    pub index: &'a ProjectIndex,
    pub opts: &'a AnalysisOptions,
    /// The file imports an AWS SDK (the unresolved-receiver rule applies only then).
    pub imports_sdk: bool,
    pub services: ServiceCache<'a>,
    depth: Cell<u32>,
    /// Final module-level bindings, seen from inside functions.
    pub module_env: RefCell<HashMap<&'a str, Sym>>,
    /// Function and class definitions by start byte.
    pub defs: RefCell<HashMap<usize, Node<'a>>>,
    /// Context of each function definition, by start byte.
    pub def_info: RefCell<HashMap<usize, DefInfo>>,
    /// Memo of what each function returns; `None` while being computed.
    fn_returns: RefCell<HashMap<usize, Option<Sym>>>,
    /// Memo of each class's attributes (`self.x = ...` anywhere in its methods).
    class_attrs: RefCell<HashMap<usize, Option<Rc<ClassAttrs>>>>,
    pub out: RefCell<Output>,
    /// Comprehension variables seen by the scan: name, iterable, comprehension byte range.
    pub comprehension_vars: RefCell<Vec<(&'a str, Node<'a>, std::ops::Range<usize>)>>,
    /// Start byte of what is being walked or computed (a top-level statement,
    /// or the function/class whose return or attributes are being evaluated);
    /// `NO_OWNER` in the prepass. Reads of other definitions' facts are
    /// recorded against it, so cached per-definition results know what they used.
    pub owner: Cell<usize>,
    /// (owner, definition read) pairs: `function_return` and class attributes.
    pub fact_reads: RefCell<Vec<(usize, usize)>>,
    /// The result depended on evaluation order (a recursion cycle between
    /// definitions, or the depth cap): never reuse parts of it.
    pub order_sensitive: Cell<bool>,
}

/// [`Analyzer::owner`] outside any statement.
pub const NO_OWNER: usize = usize::MAX;

/// Leaves one level of depth when dropped.
pub struct DepthGuard<'g>(&'g Cell<u32>);

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

impl<'a> Analyzer<'a> {
    pub fn new(src: &'a str, catalog: &'a dyn Catalog, index: &'a ProjectIndex, opts: &'a AnalysisOptions) -> Self {
        Analyzer {
            src,
            catalog,
            index,
            opts,
            imports_sdk: false,
            services: ServiceCache::new(catalog),
            depth: Cell::new(0),
            module_env: RefCell::new(HashMap::new()),
            defs: RefCell::new(HashMap::new()),
            def_info: RefCell::new(HashMap::new()),
            fn_returns: RefCell::new(HashMap::new()),
            class_attrs: RefCell::new(HashMap::new()),
            out: RefCell::new(Output::default()),
            comprehension_vars: RefCell::new(Vec::new()),
            owner: Cell::new(NO_OWNER),
            fact_reads: RefCell::new(Vec::new()),
            order_sensitive: Cell::new(false),
        }
    }

    /// Enter one level of recursion, or `None` when too deep.
    pub fn enter(&self) -> Option<DepthGuard<'_>> {
        let d = self.depth.get();
        if d >= MAX_DEPTH {
            self.order_sensitive.set(true);
            return None;
        }
        self.depth.set(d + 1);
        Some(DepthGuard(&self.depth))
    }

    /// Forget memos computed while module bindings were still incomplete.
    pub fn reset_memos(&self) {
        self.fn_returns.borrow_mut().clear();
        self.class_attrs.borrow_mut().clear();
    }

    fn record_fact_read(&self, def: usize) {
        let owner = self.owner.get();
        if owner != NO_OWNER && owner != def {
            self.fact_reads.borrow_mut().push((owner, def));
        }
    }

    pub fn service(&self, name: &str) -> Option<std::sync::Arc<iamlens_knowledge::Service>> {
        self.services.get(name)
    }

    pub fn lookup(&self, name: &str, env: &Env<'a>) -> Sym {
        let n = env.frames.len();
        for (i, frame) in env.frames.iter().enumerate().rev() {
            // Class bodies are not visible from their methods; module frame 0
            // is only the in-order view for module-level code.
            if i == 0 && n > 1 {
                break;
            }
            if frame.kind == FrameKind::Class && i + 1 != n {
                continue;
            }
            if let Some(s) = frame.vars.get(name) {
                return s.clone();
            }
        }
        if let Some(s) = self.module_env.borrow().get(name) {
            return s.clone();
        }
        if BUILTINS.contains(&name) {
            Sym::Foreign
        } else {
            Sym::Unknown
        }
    }

    /// The abstract value of an expression.
    pub fn eval(&self, node: Node<'a>, env: &Env<'a>) -> Sym {
        let Some(_guard) = self.enter() else { return Sym::Unknown };
        let node = unwrap_expr(node);
        match node.kind() {
            "identifier" => match self.lookup(text(node, self.src), env) {
                Sym::Unknown => self.comprehension_binding(node, env),
                known => known,
            },
            "attribute" => {
                let (Some(obj), Some(attr)) = (node.field("object"), node.field("attribute")) else {
                    return Sym::Unknown;
                };
                let base = self.eval(obj, env);
                self.member(base, text(attr, self.src))
            }
            "call" => self.apply(node, env),
            "string" | "concatenated_string" | "integer" | "float" | "true" | "false" | "dictionary" | "list" | "tuple" | "binary_operator" => {
                Sym::Value(self.value(node, env))
            }
            "lambda"
            | "list_comprehension"
            | "dictionary_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "set"
            | "comparison_operator"
            | "not_operator"
            | "unary_operator" => Sym::Foreign,
            "subscript" => {
                let Some(value) = node.field("value") else { return Sym::Unknown };
                if matches!(text(value, self.src), "os.environ" | "environ") {
                    return Sym::Value(super::values::unknown_text());
                }
                match self.eval(value, env) {
                    Sym::ResourceList(r) => Sym::Resource(r),
                    Sym::Unknown => Sym::Unknown,
                    Sym::Value(Value::Dict(items)) => {
                        let key = node.field("subscript").map(|k| self.value(k, env));
                        match key.and_then(|k| k.as_exact_str()) {
                            Some(k) => items.into_iter().find(|(n, _)| *n == k).map_or(Sym::Unknown, |(_, v)| Sym::Value(v)),
                            None => Sym::Unknown,
                        }
                    }
                    _ => Sym::Foreign,
                }
            }
            "conditional_expression" => {
                let first = node.named_child(0).map_or(Sym::Unknown, |n| self.eval(n, env));
                if first.is_aws() {
                    return first;
                }
                let other = node.named_child(2).map_or(Sym::Unknown, |n| self.eval(n, env));
                if other.is_aws() {
                    other
                } else {
                    first
                }
            }
            "boolean_operator" => {
                // `client or boto3.client("s3")`: the AWS side wins.
                let l = node.field("left").map_or(Sym::Unknown, |n| self.eval(n, env));
                if l.is_aws() {
                    return l;
                }
                let r = node.field("right").map_or(Sym::Unknown, |n| self.eval(n, env));
                if r.is_aws() {
                    r
                } else {
                    l
                }
            }
            "named_expression" => node.field("value").map_or(Sym::Unknown, |v| self.eval(v, env)),
            // `_client = None` is usually a placeholder filled in later (`global _client`).
            "none" => Sym::Unknown,
            _ => Sym::Unknown,
        }
    }

    /// A name bound by an enclosing comprehension (`[o.key for o in bucket.objects.all()]`),
    /// registered by the scan when it entered the comprehension.
    fn comprehension_binding(&self, ident: Node<'a>, env: &Env<'a>) -> Sym {
        let name = text(ident, self.src);
        let at = ident.start_byte();
        let found = self
            .comprehension_vars
            .borrow()
            .iter()
            .rev()
            .find(|(n, iterable, range)| *n == name && range.contains(&at) && !iterable.byte_range().contains(&at))
            .map(|(_, iterable, _)| *iterable);
        match found {
            Some(iterable) => self.iteration_item(self.eval(iterable, env)),
            None => Sym::Unknown,
        }
    }

    /// `base.name` as an attribute (not called).
    pub fn member(&self, base: Sym, name: &str) -> Sym {
        match base {
            Sym::Sdk(item) => match (item, name) {
                (SdkItem::Boto3Module, "client") => Sym::Sdk(SdkItem::ClientFn),
                (SdkItem::Boto3Module, "resource") => Sym::Sdk(SdkItem::ResourceFn),
                (SdkItem::Boto3Module, "Session") => Sym::Sdk(SdkItem::SessionFn),
                (SdkItem::Boto3Module, "session") => Sym::Sdk(SdkItem::SessionModule),
                (SdkItem::SessionModule, "Session" | "AioSession" | "get_session") => Sym::Sdk(SdkItem::SessionFn),
                (SdkItem::BotocoreModule, "session") => Sym::Sdk(SdkItem::BotocoreSessionModule),
                (SdkItem::BotocoreSessionModule, "get_session" | "Session" | "AioSession") => Sym::Sdk(SdkItem::SessionFn),
                _ => Sym::Sdk(SdkItem::Inert),
            },
            Sym::Session { .. } => match name {
                "client" | "create_client" => Sym::Sdk(SdkItem::ClientFn),
                "resource" => Sym::Sdk(SdkItem::ResourceFn),
                _ => Sym::Foreign,
            },
            Sym::Client { .. } => match name {
                "meta" => Sym::Meta(Box::new(base)),
                _ => Sym::Foreign,
            },
            Sym::Meta(inner) => match (name, *inner) {
                ("client", c @ Sym::Client { .. }) => c,
                ("client", Sym::Resource(r)) => Sym::Client { service: Svc::Known(r.service), confidence: r.confidence, region: r.region },
                _ => Sym::Foreign,
            },
            Sym::Resource(r) => self.resource_member(r, name),
            Sym::Stubs(service) => self.stub_member(&service, name),
            Sym::Module(m) => self.index.lookup(&m, name, self.catalog).unwrap_or(Sym::Unknown),
            Sym::ExternalModule => {
                if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                    Sym::Foreign
                } else {
                    Sym::ExternalModule
                }
            }
            Sym::SelfOf(class) => self.class_member(class, name).unwrap_or(Sym::Unknown),
            Sym::Instance(class) | Sym::Class(class) => self.class_member(class, name).unwrap_or(Sym::Foreign),
            Sym::Unknown | Sym::Param(..) => Sym::Unknown,
            _ => Sym::Foreign,
        }
    }

    /// A name from a `mypy_boto3_<svc>` stub package.
    fn stub_member(&self, service: &str, name: &str) -> Sym {
        if name.ends_with("Client") {
            return Sym::TypeOf(Box::new(Sym::client(service, Confidence::Medium)));
        }
        if name == "ServiceResource" || name.ends_with("ServiceResource") {
            return Sym::TypeOf(Box::new(Sym::Resource(ResourceRef {
                service: service.to_string(),
                rtype: None,
                ids: Vec::new(),
                confidence: Confidence::Medium,
                region: None,
            })));
        }
        if let Some(op) = name.strip_suffix("Paginator") {
            return Sym::TypeOf(Box::new(Sym::Paginator {
                service: service.to_string(),
                method: iamlens_knowledge::xform_name(op),
                confidence: Confidence::Medium,
                region: None,
            }));
        }
        if let Some(w) = name.strip_suffix("Waiter") {
            return Sym::TypeOf(Box::new(Sym::Waiter {
                service: service.to_string(),
                name: iamlens_knowledge::xform_name(w),
                confidence: Confidence::Medium,
                region: None,
            }));
        }
        let has_resource = self.service(service).is_some_and(|s| s.resources.as_ref().is_some_and(|m| m.resource(name).is_some()));
        if has_resource {
            return Sym::TypeOf(Box::new(Sym::Resource(ResourceRef {
                service: service.to_string(),
                rtype: Some(name.to_string()),
                ids: Vec::new(),
                confidence: Confidence::Medium,
                region: None,
            })));
        }
        if name.starts_with(|c: char| c.is_ascii_lowercase()) {
            // Submodules: `mypy_boto3_s3.client`, `.service_resource`, `.type_defs`.
            return Sym::Stubs(service.to_string());
        }
        Sym::Foreign
    }

    /// The value of calling the expression of `call`.
    pub fn apply(&self, call: Node<'a>, env: &Env<'a>) -> Sym {
        let Some(_guard) = self.enter() else { return Sym::Unknown };
        let Some(func) = call.field("function") else { return Sym::Unknown };
        let func = unwrap_expr(func);
        if func.kind() == "attribute" {
            let (Some(obj), Some(attr)) = (func.field("object"), func.field("attribute")) else {
                return Sym::Unknown;
            };
            let base = self.eval(obj, env);
            return self.call_method(base, text(attr, self.src), call, env);
        }
        let f = self.eval(func, env);
        if f == Sym::Unknown && func.kind() == "identifier" && text(func, self.src).starts_with(|c: char| c.is_ascii_uppercase()) {
            // Calling an unknown class makes an instance of something that is not a boto3 client.
            return Sym::Foreign;
        }
        self.call_value(f, call, env, false)
    }

    /// Calling a value: SDK constructors, factories, classes.
    pub fn call_value(&self, f: Sym, call: Node<'a>, env: &Env<'a>, bound_method: bool) -> Sym {
        match f {
            Sym::Sdk(SdkItem::ClientFn) => {
                let confidence = Confidence::High;
                Sym::Client { service: self.service_arg(call, env), confidence, region: self.region_arg(call, 1, env) }
            }
            Sym::Sdk(SdkItem::ResourceFn) => match self.service_arg(call, env) {
                Svc::Known(service) => {
                    let region = self.region_arg(call, 1, env);
                    Sym::Resource(ResourceRef { service, rtype: None, ids: Vec::new(), confidence: Confidence::High, region })
                }
                _ => Sym::Unknown,
            },
            // boto3/aioboto3 `Session(..., region_name=None, ...)`: fourth positional.
            Sym::Sdk(SdkItem::SessionFn) => Sym::Session { region: self.region_arg(call, 3, env) },
            Sym::Sdk(_) => Sym::Foreign,
            Sym::Function(def) => {
                let ret = self.function_return(def);
                self.substitute_params(ret, call, env, bound_method)
            }
            Sym::External(ret) => (*ret).with_confidence_at_most(Confidence::Medium),
            Sym::Class(c) => Sym::Instance(c),
            Sym::TypeOf(_) => Sym::Foreign,
            Sym::Unknown | Sym::Param(..) => Sym::Unknown,
            Sym::ExternalModule => Sym::Unknown,
            _ => Sym::Foreign,
        }
    }

    /// Calling `base.method(...)`.
    pub fn call_method(&self, base: Sym, method: &str, call: Node<'a>, env: &Env<'a>) -> Sym {
        match base {
            Sym::Client { service: Svc::Known(service), confidence, region } => match method {
                "get_paginator" => match self.first_str_arg(call, "operation_name", env) {
                    Some(m) => Sym::Paginator { service, method: m, confidence, region },
                    None => Sym::Foreign,
                },
                "get_waiter" => match self.first_str_arg(call, "waiter_name", env) {
                    Some(name) => Sym::Waiter { service, name, confidence, region },
                    None => Sym::Foreign,
                },
                _ => Sym::Foreign,
            },
            Sym::Client { .. } => Sym::Foreign,
            Sym::Resource(r) => self.resource_call_result(r, method, call, env),
            Sym::Collection { parent, name, .. } => match method {
                "all" | "filter" | "limit" | "page_size" => Sym::Collection { parent, name, listed: true },
                _ => Sym::Foreign,
            },
            Sym::SelfOf(_) | Sym::Instance(_) | Sym::Class(_) | Sym::Module(_) | Sym::Sdk(_) | Sym::Session { .. } | Sym::Stubs(_) => {
                let via_instance = matches!(base, Sym::SelfOf(_) | Sym::Instance(_));
                let session_region = match &base {
                    Sym::Session { region } => region.clone(),
                    _ => None,
                };
                let f = self.member(base, method);
                // Does Python pass `self`/`cls` implicitly here?
                let bound = match f {
                    Sym::Function(def) => {
                        let info = self.def_info.borrow().get(&def).copied().unwrap_or_default();
                        info.class.is_some() && !info.is_static && (via_instance || info.is_classmethod)
                    }
                    _ => false,
                };
                self.call_value(f, call, env, bound).in_session_region(session_region.as_deref())
            }
            Sym::ExternalModule | Sym::Unknown | Sym::Param(..) => Sym::Unknown,
            _ => Sym::Foreign,
        }
    }

    /// The service name passed to `client(...)` / `resource(...)`.
    fn service_arg(&self, call: Node<'a>, env: &Env<'a>) -> Svc {
        let args = CallArgs::of(call);
        let Some(arg) = args.get(0, "service_name", self.src) else { return Svc::Dynamic };
        if let Sym::Param(i, name) = self.eval(arg, env) {
            return Svc::Param(i, name);
        }
        match self.value(arg, env).as_exact_str() {
            Some(s) => Svc::Known(s),
            None => Svc::Dynamic,
        }
    }

    /// `region_name` (keyword, or positional at `position`) of a client,
    /// resource or session constructor, when it is a literal region: the
    /// calls made through it reach resources there.
    fn region_arg(&self, call: Node<'a>, position: usize, env: &Env<'a>) -> Option<String> {
        let args = CallArgs::of(call);
        let region = self.value(args.get(position, "region_name", self.src)?, env).as_exact_str()?;
        let plausible = !region.is_empty() && region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        plausible.then_some(region)
    }

    /// The first positional (or `keyword=`) argument as an exact string.
    pub fn first_str_arg(&self, call: Node<'a>, keyword: &str, env: &Env<'a>) -> Option<String> {
        let args = CallArgs::of(call);
        let arg = args.get(0, keyword, self.src)?;
        self.value(arg, env).as_exact_str()
    }

    /// Fill a factory's `Svc::Param` from the arguments of this call.
    fn substitute_params(&self, ret: Sym, call: Node<'a>, env: &Env<'a>, bound_method: bool) -> Sym {
        let param_value = |index: usize, name: &str| -> Option<Node<'a>> {
            let args = CallArgs::of(call);
            let pos = if bound_method { index.checked_sub(1)? } else { index };
            args.get(pos, name, self.src)
        };
        match ret {
            Sym::Client { service: Svc::Param(i, name), confidence, region } => {
                let service = param_value(i, &name).and_then(|n| self.value(n, env).as_exact_str()).map_or(Svc::Dynamic, Svc::Known);
                Sym::Client { service, confidence, region }
            }
            Sym::Param(i, name) => param_value(i, &name).map_or(Sym::Unknown, |n| self.eval(n, env)),
            other => other,
        }
    }

    /// What the function defined at `def` returns (memoised).
    pub fn function_return(&self, def: usize) -> Sym {
        self.record_fact_read(def);
        if let Some(known) = self.fn_returns.borrow().get(&def) {
            if known.is_none() {
                self.order_sensitive.set(true);
            }
            return known.clone().unwrap_or(Sym::Unknown);
        }
        let Some(node) = self.defs.borrow().get(&def).copied() else { return Sym::Unknown };
        self.fn_returns.borrow_mut().insert(def, None);
        let outer = self.owner.replace(def);
        let ret = self.compute_return(node);
        self.owner.set(outer);
        self.fn_returns.borrow_mut().insert(def, Some(ret.clone()));
        ret
    }

    fn compute_return(&self, def: Node<'a>) -> Sym {
        let Some(_guard) = self.enter() else { return Sym::Unknown };
        // A return annotation with a stub type is a promise.
        if let Some(ret_type) = def.field("return_type") {
            let env = Env::module();
            if let Some(sym) = self.annotation_instance(ret_type, &env) {
                return sym;
            }
        }
        let returns = self.collect_returns(def);
        let mut best = Sym::Unknown;
        for r in returns {
            if r.is_aws() {
                return r;
            }
            if best == Sym::Unknown {
                best = r;
            }
        }
        best
    }

    /// The attributes of a class: class-level assignments and `self.x = ...` in its methods.
    fn class_member(&self, class: usize, name: &str) -> Option<Sym> {
        let attrs = self.class_attributes(class)?;
        if let Some(s) = attrs.get(name) {
            return Some(s.clone());
        }
        let node = self.defs.borrow().get(&class).copied()?;
        let (method, decorated) = class_method(node, name, self.src)?;
        self.defs.borrow_mut().insert(method.start_byte(), method);
        self.def_info.borrow_mut().insert(method.start_byte(), DefInfo::from_decorated(decorated, self.src, Some(class)));
        Some(Sym::Function(method.start_byte()))
    }

    fn class_attributes(&self, class: usize) -> Option<Rc<ClassAttrs>> {
        self.record_fact_read(class);
        if let Some(known) = self.class_attrs.borrow().get(&class) {
            if known.is_none() {
                self.order_sensitive.set(true);
            }
            return known.clone();
        }
        let node = self.defs.borrow().get(&class).copied()?;
        self.class_attrs.borrow_mut().insert(class, None);
        let outer = self.owner.replace(class);
        let attrs = Rc::new(self.compute_class_attributes(class, node));
        self.owner.set(outer);
        self.class_attrs.borrow_mut().insert(class, Some(attrs.clone()));
        Some(attrs)
    }

    /// The instance the annotation names, if it is an AWS stub type
    /// (`S3Client`, `Optional[S3Client]`, `"S3Client"`, `mypy_boto3_s3.S3Client`).
    pub fn annotation_instance(&self, annotation: Node<'a>, env: &Env<'a>) -> Option<Sym> {
        let mut stack = vec![annotation];
        let mut steps = 0;
        while let Some(n) = stack.pop() {
            steps += 1;
            if steps > 64 {
                break;
            }
            match n.kind() {
                "identifier" | "attribute" => {
                    if let Sym::TypeOf(inner) = self.eval(n, env) {
                        return Some(*inner);
                    }
                }
                "string" => {
                    let name = super::syntax::string_literal(n, self.src)?;
                    let last = name.rsplit('.').next().unwrap_or(&name).trim();
                    if let Sym::TypeOf(inner) = self.lookup(last, env) {
                        return Some(*inner);
                    }
                }
                _ => {
                    for c in named_children(n).collect::<Vec<_>>().into_iter().rev() {
                        stack.push(c);
                    }
                }
            }
        }
        None
    }
}

/// A method defined directly in a class body, with its `decorated_definition` if decorated.
pub fn class_method<'t>(class: Node<'t>, name: &str, src: &str) -> Option<(Node<'t>, Option<Node<'t>>)> {
    let body = class.field("body")?;
    named_children(body).find_map(|stmt| {
        let (def, decorated) = if stmt.kind() == "decorated_definition" { (stmt.field("definition")?, Some(stmt)) } else { (stmt, None) };
        (def.kind() == "function_definition" && def.field("name").is_some_and(|n| text(n, src) == name)).then_some((def, decorated))
    })
}
