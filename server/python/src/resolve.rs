//! Receiver resolution: the abstract evaluation of Python expressions to
//! [`Sym`]s (is this a boto3 client? of which service? a resource? a
//! paginator?), through names, attributes, calls, factories and classes.
//! Above `analyzer`, `values` and `resources_api`; used by `import_syms`,
//! the walker and `facts`, and by every module through [`Eval`], which it implements.

use super::analyzer::{Analyzer, DefinitionFacts, Eval};
use super::scope::{DefInfo, Env, FrameKind};
use super::symbols::{ResourceRef, SdkItem, Svc, Sym};
use super::syntax::FieldExt;
use super::syntax::{named_children, string_literal, text, unwrap_expr, CallArgs};
use super::values::is_environment_getter;
use iamlens_engine::model::{Confidence, TextPart, Value};
use tree_sitter::Node;

impl<'a> Eval<'a> for Analyzer<'a> {
    /// The abstract value of an expression.
    fn eval(&self, node: Node<'a>, env: &Env<'a>) -> Sym {
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
                if let Some(assigned) = env.frames.last().filter(|f| f.kind == FrameKind::Function).and_then(|f| f.vars.get(text(node, self.src))) {
                    return assigned.clone();
                }
                let base = self.eval(obj, env);
                self.member(base, text(attr, self.src))
            }
            "call" => self.apply(node, env),
            "dictionary" => self.dict_holding_clients(node, env).unwrap_or_else(|| Sym::Value(self.value(node, env))),
            "string" | "concatenated_string" | "integer" | "float" | "true" | "false" | "list" | "tuple" | "binary_operator" => {
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
                    return Sym::Value(self.environment_read(node.field("subscript"), env));
                }
                match self.eval(value, env) {
                    Sym::ResourceList(r) => Sym::Resource(r),
                    Sym::Dict(entries) => {
                        let key = node.field("subscript").and_then(|k| self.value(k, env).as_exact_str());
                        key.and_then(|k| entries.iter().find(|(n, _)| *n == k).map(|(_, s)| s.clone())).unwrap_or(Sym::Unknown)
                    }
                    Sym::Kwargs(client) => {
                        let key = node.field("subscript").and_then(|k| self.value(k, env).as_exact_str());
                        if key.is_some_and(|k| super::decorators::is_clientish(&k)) {
                            *client
                        } else {
                            Sym::Unknown
                        }
                    }
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
}

impl<'a> Analyzer<'a> {
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
                // The session `boto3.client(...)` uses, once one was made.
                (SdkItem::Boto3Module, "DEFAULT_SESSION") => Sym::Session { region: None },
                (SdkItem::Boto3Module, "_get_default_session") => Sym::Sdk(SdkItem::SessionFn),
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
            Sym::Module(m) => self.index.lookup(&m, name, self.catalog).unwrap_or(Sym::ProjectOpaque),
            Sym::ProjectOpaque => Sym::ProjectOpaque,
            Sym::ExternalModule => {
                if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                    Sym::Foreign
                } else {
                    Sym::ExternalModule
                }
            }
            Sym::SelfOf(class) => self.class_member(class, name).unwrap_or(Sym::Unknown),
            Sym::Instance(class) | Sym::Class(class) => self.class_member(class, name).unwrap_or(Sym::Foreign),
            // What else it holds, iamlens cannot see from here.
            Sym::ExternalInstance(attrs) => attrs.iter().find(|(n, _)| n == name).map_or(Sym::ProjectOpaque, |(_, s)| s.clone()),
            // Its helpers (static and class methods that make operations on what they are given).
            Sym::ExternalClass(attrs) => {
                attrs.iter().find(|(n, s)| n == name && matches!(s, Sym::Helper(_))).map_or(Sym::ProjectOpaque, |(_, s)| s.clone())
            }
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
        if is_environment_getter(text(func, self.src)) {
            return Sym::Value(self.value(call, env));
        }
        if let Some(default) = self.field_default(func, call) {
            return self.eval(default, env);
        }
        if func.kind() == "attribute" {
            let (Some(obj), Some(attr)) = (func.field("object"), func.field("attribute")) else {
                return Sym::Unknown;
            };
            let base = self.eval(obj, env);
            let method = text(attr, self.src);
            // A type annotation iamlens cannot follow (`app: App`) never hides a factory.
            return match self.call_method(base, method, call, env) {
                unknown @ (Sym::Unknown | Sym::Foreign | Sym::ProjectOpaque) => self.factory_by_name(method, call, env).unwrap_or(unknown),
                known => known,
            };
        }
        let f = self.eval(func, env);
        if f == Sym::Unknown && func.kind() == "identifier" && text(func, self.src).starts_with(|c: char| c.is_ascii_uppercase()) {
            // Calling an unknown class makes an instance of something that is not a boto3 client.
            return Sym::Foreign;
        }
        let unknown_callee = matches!(f, Sym::Unknown | Sym::ExternalModule);
        match self.call_value(f, call, env, false) {
            Sym::Unknown if unknown_callee && func.kind() == "identifier" => {
                self.factory_by_name(text(func, self.src), call, env).unwrap_or(Sym::Unknown)
            }
            other => other,
        }
    }

    /// A dataclass / attrs / pydantic field's default: `field(default=X)`,
    /// `field(default_factory=lambda: X)`, `Field(X)` → `X`.
    fn field_default(&self, func: Node<'a>, call: Node<'a>) -> Option<Node<'a>> {
        let name = text(func, self.src);
        let last = name.rsplit('.').next().unwrap_or(name);
        if !matches!(last, "field" | "Field" | "attrib" | "ib") {
            return None;
        }
        let args = CallArgs::of(call);
        if let Some(factory) = args.keyword("default_factory", self.src).or_else(|| args.keyword("factory", self.src)) {
            return (factory.kind() == "lambda").then(|| factory.field("body")).flatten();
        }
        args.keyword("default", self.src).or_else(|| (last == "Field").then(|| args.positional.first().copied()).flatten())
    }

    /// A call iamlens cannot follow (a method of an assumed-role session, a
    /// framework object, a helper in a package it does not read) that is named
    /// like a client or resource factory and given a literal botocore service
    /// name: `session.client("ec2")`, `self.boto_session.resource("s3")`,
    /// `app.aws_client("s3")`, `make_client("sqs")`, `resource_for("s3")`. The
    /// service name is the evidence; Medium confidence. `resource` in the name
    /// makes a resource (when the service has a resource API), else a client.
    fn factory_by_name(&self, name: &str, call: Node<'a>, env: &Env<'a>) -> Option<Sym> {
        let lower = name.to_ascii_lowercase();
        let wants_resource = lower.contains("resource");
        if !wants_resource && !lower.contains("client") {
            return None;
        }
        if self.endpoint_elsewhere(call, env) {
            return Some(Sym::Foreign);
        }
        let args = CallArgs::of(call);
        let arg = args.get(0, "service_name", self.src).or_else(|| args.get(usize::MAX, "service", self.src))?;
        if let (false, Sym::Param(i, param)) = (wants_resource, self.eval(arg, env)) {
            // A factory of the project passing its own parameter on
            // (`ensure_session(s).client(service_name=service_name)`): each
            // call of the factory names the service.
            return (lower == "client" || lower == "create_client").then(|| {
                let region = self.region_arg(call, 1, env);
                Sym::Client { service: Svc::Param(i, param), confidence: Confidence::Medium, region }
            });
        }
        let service = self.value(arg, env).as_exact_str()?;
        let svc = self.service(&service)?;
        let region = self.region_arg(call, 1, env);
        let confidence = Confidence::Medium;
        if wants_resource {
            svc.resources.as_ref()?;
            return Some(Sym::Resource(ResourceRef { service: svc.name.clone(), rtype: None, ids: Vec::new(), confidence, region }));
        }
        Some(Sym::Client { service: Svc::Known(svc.name.clone()), confidence, region })
    }

    /// Calling a value: SDK constructors, factories, classes.
    pub fn call_value(&self, f: Sym, call: Node<'a>, env: &Env<'a>, bound_method: bool) -> Sym {
        match f {
            // boto3 pointed at another cloud's S3-compatible storage is not AWS.
            Sym::Sdk(SdkItem::ClientFn | SdkItem::ResourceFn) if self.endpoint_elsewhere(call, env) => Sym::Foreign,
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
            Sym::External(ret) => self.substitute_params(*ret, call, env, false).with_confidence_at_most(Confidence::Medium),
            Sym::Helper(_) => Sym::ProjectOpaque,
            Sym::Class(c) => Sym::Instance(c),
            Sym::ExternalClass(attrs) => Sym::ExternalInstance(attrs),
            Sym::TypeOf(_) => Sym::Foreign,
            Sym::Unknown | Sym::Param(..) => Sym::Unknown,
            Sym::ExternalModule => Sym::Unknown,
            Sym::ProjectOpaque => Sym::ProjectOpaque,
            _ => Sym::Foreign,
        }
    }

    /// Calling `base.method(...)`.
    pub fn call_method(&self, base: Sym, method: &str, call: Node<'a>, env: &Env<'a>) -> Sym {
        // A cache of clients: `CLIENTS.setdefault(key, session.client(name))`.
        if method == "setdefault" {
            if let Some(made) = CallArgs::of(call).get(1, "default", self.src).map(|d| self.eval(d, env)).filter(Sym::is_aws) {
                return made;
            }
        }
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
            Sym::Unknown if method == "get_paginator" && self.imports_sdk => {
                // The operation name picks the service, as a method name does.
                match self.first_str_arg(call, "operation_name", env).map(|op| (self.paginator_services(&op, call), op)) {
                    Some((services, op)) if services.len() == 1 => {
                        Sym::Paginator { service: services[0].clone(), method: op, confidence: Confidence::Low, region: None }
                    }
                    _ => Sym::Unknown,
                }
            }
            Sym::ExternalModule | Sym::Unknown | Sym::Param(..) => Sym::Unknown,
            // Methods of another module's class: the factories among them are indexed.
            Sym::ExternalClass(_) | Sym::ExternalInstance(_) => {
                let via_instance = matches!(base, Sym::ExternalInstance(_));
                match self.member(base, method) {
                    Sym::Helper(sig) => match &sig.returns {
                        Some(ret) => {
                            let bound = !sig.is_static && (via_instance || sig.is_classmethod);
                            self.substitute_params((**ret).clone(), call, env, bound).with_confidence_at_most(Confidence::Medium)
                        }
                        None => Sym::ProjectOpaque,
                    },
                    _ => Sym::ProjectOpaque,
                }
            }
            Sym::ProjectOpaque => Sym::ProjectOpaque,
            Sym::Dict(entries) if method == "get" => {
                let key = self.first_str_arg(call, "key", env);
                key.and_then(|k| entries.iter().find(|(n, _)| *n == k).map(|(_, s)| s.clone())).unwrap_or(Sym::Unknown)
            }
            Sym::Kwargs(client) if matches!(method, "pop" | "get") => match self.first_str_arg(call, "key", env) {
                Some(key) if super::decorators::is_clientish(&key) => *client,
                _ => Sym::Unknown,
            },
            _ => Sym::Foreign,
        }
    }

    /// Whether `endpoint_url=` names another provider's host (DigitalOcean
    /// Spaces, Google Cloud Storage, Cloudflare R2, ...), by its literal parts.
    fn endpoint_elsewhere(&self, call: Node<'a>, env: &Env<'a>) -> bool {
        const ELSEWHERE: &[&str] = &[
            "digitaloceanspaces.com",
            "storage.googleapis.com",
            "r2.cloudflarestorage.com",
            "backblazeb2.com",
            "wasabisys.com",
            "linodeobjects.com",
            "cloud-object-storage.appdomain.cloud",
            "aliyuncs.com",
            "myqcloud.com",
            "scw.cloud",
            "oraclecloud.com",
        ];
        let Some(endpoint) = CallArgs::of(call).keyword("endpoint_url", self.src) else { return false };
        let Value::Text(parts) = self.value(endpoint, env) else { return false };
        parts.iter().any(|p| matches!(p, TextPart::Literal(s) if ELSEWHERE.iter().any(|host| s.contains(host))))
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

    /// A dict literal with string keys that holds a client or resource: its
    /// entries as symbols (constants stay values), so `d["resource"]` is the resource.
    fn dict_holding_clients(&self, node: Node<'a>, env: &Env<'a>) -> Option<Sym> {
        let mut entries = Vec::new();
        let mut holds_aws = false;
        for pair in named_children(node) {
            if pair.kind() != "pair" {
                return None;
            }
            let key = pair.field("key").and_then(|k| string_literal(k, self.src))?;
            let value = pair.field("value").map_or(Sym::Unknown, |v| self.eval(v, env));
            holds_aws |= value.is_aws();
            entries.push((key, value));
        }
        holds_aws.then(|| Sym::Dict(std::sync::Arc::new(entries)))
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
                let service = match param_value(i, &name) {
                    // A helper handing its own parameter on: still a parameter.
                    Some(n) => match self.eval(n, env) {
                        Sym::Param(j, outer) => Svc::Param(j, outer),
                        _ => self.value(n, env).as_exact_str().map_or(Svc::Dynamic, Svc::Known),
                    },
                    None => Svc::Dynamic,
                };
                Sym::Client { service, confidence, region }
            }
            Sym::Param(i, name) => param_value(i, &name).map_or(Sym::Unknown, |n| self.eval(n, env)),
            other => other,
        }
    }

    /// The attributes of a class: class-level assignments and `self.x = ...` in its methods.
    fn class_member(&self, class: usize, name: &str) -> Option<Sym> {
        // A settings class's field is its environment variable (its default only when unset).
        if let Some(variable) = self.defs.borrow().get(&class).and_then(|node| super::settings_classes::environment_field(*node, name, self.src)) {
            return Some(Sym::Value(Value::Text(vec![iamlens_engine::model::TextPart::Env(variable)])));
        }
        // While the class's attributes are being computed (a method reads
        // `self.x`), its methods and properties are still known.
        if let Some(s) = self.class_attributes(class).and_then(|attrs| attrs.get(name).cloned()) {
            return Some(s);
        }
        let node = self.defs.borrow().get(&class).copied()?;
        let (method, decorated) = class_method(node, name, self.src)?;
        let info = DefInfo::from_decorated(decorated, self.src, Some(class));
        let is_property = info.is_property;
        self.defs.borrow_mut().insert(method.start_byte(), method);
        self.def_info.borrow_mut().insert(method.start_byte(), info);
        if is_property {
            // `self.bucket` where `bucket` is a property: what the getter returns.
            return Some(self.function_return(method.start_byte()));
        }
        Some(Sym::Function(method.start_byte()))
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
                    let name = string_literal(n, self.src)?;
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

    /// The element a `for` loop gets from iterating this value.
    pub fn iteration_item(&self, iterable: Sym) -> Sym {
        match iterable {
            Sym::Collection { parent, name, .. } => self.collection_item(&parent, &name),
            Sym::ResourceList(r) => Sym::Resource(r),
            Sym::Unknown | Sym::Param(..) => Sym::Unknown,
            _ => Sym::Foreign,
        }
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
