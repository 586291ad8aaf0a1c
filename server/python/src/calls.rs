//! Call classification: each call (and resource attribute access) found by
//! the walk becomes SdkCalls — client operations, paginators, waiters,
//! injected methods, resources API actions — or a finding (typo, unknown
//! service, ambiguous unresolved call). Above `values` and `resources_api`
//! (receivers come through [`Eval`]); below the walker, which hands it every expression.

use super::analyzer::{Analyzer, Eval};
use super::scope::{Env, ScopeEntry};
use super::symbols::{ResourceRef, SdkItem, Svc, Sym};
use super::syntax::FieldExt;
use super::syntax::{kinds, one_line, span, text, unwrap_expr, CallArgs};
use super::values::unknown_text;
use iamlens_engine::catalog::{exact_operation, CLIENT_HELPERS};
use iamlens_engine::model::{CallVia, Confidence, Finding, FindingKind, SdkCall, Value};
use iamlens_knowledge::Service;
use tree_sitter::Node;

/// Methods of a collection that list it.
const COLLECTION_LISTERS: &[&str] = &["all", "filter", "limit", "page_size", "pages", "iterator"];

impl<'a> Analyzer<'a> {
    /// Find and classify every call and attribute access under `root`, without recursion.
    pub fn scan_expr(&self, root: Node<'a>, env: &Env<'a>, scopes: &mut [ScopeEntry]) {
        let kinds = kinds();
        let mut cursor = root.walk();
        loop {
            let node = cursor.node();
            let kind = node.kind_id();
            if kind == kinds.call {
                self.classify_call(node, env, scopes);
            } else if kind == kinds.attribute {
                // The callee of a call is classified with the call.
                if cursor.field_name() != Some("function") {
                    self.classify_attribute(node, env, scopes);
                }
            } else if kinds.comprehensions.contains(&kind) {
                self.register_comprehension(node);
            }
            let descend = !kinds.definitions.contains(&kind);
            if descend && cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    fn classify_call(&self, call: Node<'a>, env: &Env<'a>, scopes: &mut [ScopeEntry]) {
        let Some(func) = call.field("function").map(unwrap_expr) else { return };
        if func.kind() != "attribute" {
            match self.eval(func, env) {
                Sym::Sdk(item @ (SdkItem::ClientFn | SdkItem::ResourceFn)) => self.check_service_name(call, item == SdkItem::ResourceFn, env),
                callee @ (Sym::Function(_) | Sym::Helper(_)) if func.kind() == "identifier" => {
                    self.helper_call(callee, false, call, func, env, scopes)
                }
                _ if func.kind() == "call" => self.getattr_call(func, call, env, scopes),
                _ => {}
            }
            return;
        }
        let (Some(obj), Some(attr)) = (func.field("object"), func.field("attribute")) else {
            return;
        };
        let method = text(attr, self.src);
        let base = self.eval(obj, env);
        let region = base.region().map(str::to_string);
        let first = self.out.borrow().calls.len();
        if self.collecting_param_ops() {
            self.record_call_on_param(&base, method, call, env);
        }
        // A helper of this file or another module called as a method or a module attribute.
        if matches!(base, Sym::SelfOf(_) | Sym::Instance(_) | Sym::Class(_) | Sym::Module(_) | Sym::ExternalClass(_) | Sym::ExternalInstance(_)) {
            let via_instance = matches!(base, Sym::SelfOf(_) | Sym::Instance(_) | Sym::ExternalInstance(_));
            let callee = self.member(base.clone(), method);
            self.helper_call(callee, via_instance, call, attr, env, scopes);
        }
        match base {
            Sym::Sdk(SdkItem::Boto3Module) | Sym::Session { .. } => {
                if matches!(method, "client" | "create_client" | "resource") {
                    self.check_service_name(call, method == "resource", env);
                }
            }
            Sym::Client { service: Svc::Known(service), confidence, .. } => {
                self.runtime_operation_name(&base_text(call, self.src), method, call, env);
                self.client_call(&service, method, call, attr, confidence, env, scopes)
            }
            Sym::Client { service: Svc::OneOf(services), confidence, .. } => {
                // The call runs on each service's client some caller hands in.
                for service in services.iter().filter(|s| self.service(s).is_some_and(|svc| exact_operation(&svc, method).is_some())) {
                    self.client_call(service, method, call, attr, confidence, env, scopes);
                }
            }
            Sym::Client { .. } => {
                self.runtime_operation_name(&base_text(call, self.src), method, call, env);
                self.unresolved_call(method, call, attr, env, Receiver::SomeClient, scopes)
            }
            Sym::Paginator { service, method: m, confidence, .. } if method == "paginate" => {
                let Some(svc) = self.service(&service) else { return };
                if let Some(op) = exact_operation(&svc, &m) {
                    let args = self.keyword_args(call, env).0;
                    self.push_call(call, attr, &service, &op.name, CallVia::Paginator { method: m.clone() }, args, confidence, scopes);
                }
            }
            Sym::Waiter { service, name, confidence, .. } if method == "wait" => {
                let Some(svc) = self.service(&service) else { return };
                if let Some(w) = svc.waiter(&name) {
                    let args = self.keyword_args(call, env).0;
                    self.push_call(call, attr, &service, &w.operation, CallVia::Waiter { name: name.clone() }, args, confidence, scopes);
                }
            }
            Sym::Resource(r) => self.resource_call(r, method, call, attr, env, scopes),
            Sym::Collection { parent, name, listed } => self.collection_call(&parent, &name, listed, method, call, attr, env, scopes),
            Sym::Unknown if method == "get_paginator" => self.unresolved_paginator(call, attr, env),
            Sym::Unknown => self.unresolved_call(method, call, attr, env, Receiver::Unknown, scopes),
            Sym::ProjectOpaque => self.unresolved_call(method, call, attr, env, Receiver::ProjectOpaque, scopes),
            _ => {}
        }
        // Calls through a client or resource made for a literal region happen there.
        if region.is_some() {
            for made in self.out.borrow_mut().calls[first..].iter_mut().filter(|c| c.region.is_none()) {
                made.region = region.clone();
            }
        }
    }

    /// `boto3.client("s3x")`: the service does not exist (or has no resource API).
    fn check_service_name(&self, call: Node<'a>, resource: bool, env: &Env<'a>) {
        let args = CallArgs::of(call);
        let Some(arg) = args.get(0, "service_name", self.src) else { return };
        let Some(name) = self.value(arg, env).as_exact_str() else { return };
        match self.service(&name) {
            None => {
                let suggestions = self.catalog.nearest_services(&name);
                let hint = match suggestions.first() {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => "; use a botocore service name such as `s3` or `dynamodb`".to_string(),
                };
                self.finding(arg, FindingKind::UnknownService { name: name.clone(), suggestions }, format!("`{name}` is unknown to this version of the knowledge base (a misspelt name, or a service newer than its botocore data){hint}"));
            }
            Some(svc) if resource && svc.resources.is_none() => {
                self.finding(
                    arg,
                    FindingKind::UnknownService { name: name.clone(), suggestions: Vec::new() },
                    format!("boto3 has no resource API for `{name}`; use `boto3.client(\"{name}\")` instead"),
                );
            }
            Some(_) => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn client_call(
        &self,
        service: &str,
        method: &str,
        call: Node<'a>,
        name: Node<'a>,
        confidence: Confidence,
        env: &Env<'a>,
        scopes: &mut [ScopeEntry],
    ) {
        let Some(svc) = self.service(service) else { return };
        if method.starts_with('_') {
            return;
        }
        let args = CallArgs::of(call);
        match method {
            "get_paginator" => {
                if let Some(arg) = args.get(0, "operation_name", self.src) {
                    if let Some(m) = self.value(arg, env).as_exact_str() {
                        if exact_operation(&svc, &m).is_none() {
                            self.unknown_method(arg, &svc, &m);
                        }
                    }
                }
            }
            "get_waiter" => {
                if let Some(arg) = args.get(0, "waiter_name", self.src) {
                    if let Some(w) = self.value(arg, env).as_exact_str() {
                        if svc.waiter(&w).is_none() {
                            let suggestions = nearest(&w, svc.waiters.keys().map(String::as_str));
                            let hint = suggestion_text(&suggestions);
                            self.finding(
                                arg,
                                FindingKind::UnknownMethod { service: service.to_string(), method: w.clone(), suggestions },
                                format!("`{w}` is not a waiter of {service}{hint}"),
                            );
                        }
                    }
                }
            }
            "generate_presigned_url" => {
                let Some(arg) = args.get(0, "ClientMethod", self.src) else { return };
                let Some(m) = self.value(arg, env).as_exact_str() else { return };
                let Some(op) = exact_operation(&svc, &m) else {
                    self.unknown_method(arg, &svc, &m);
                    return;
                };
                let params = args.get(1, "Params", self.src).map(|p| self.value(p, env));
                let call_args = match params {
                    Some(Value::Dict(items)) => items,
                    _ => Vec::new(),
                };
                let via = CallVia::Injected { method: method.to_string() };
                self.push_call(call, name, service, &op.name, via, call_args, confidence, scopes);
            }
            _ if CLIENT_HELPERS.contains(&method) => {}
            _ => {
                if let Some(inj) = svc.injected(method) {
                    let mut call_args = Vec::new();
                    for a in &inj.args {
                        let Some(member) = a.member.as_deref() else { continue };
                        let node = a.position.and_then(|p| args.positional.get(p as usize).copied()).or_else(|| args.keyword(&a.keyword, self.src));
                        if let Some(n) = node {
                            call_args.push((member.split('.').next().unwrap_or(member).to_string(), self.value(n, env)));
                        }
                    }
                    if let Some(Value::Dict(extra)) = args.keyword("ExtraArgs", self.src).map(|n| self.value(n, env)) {
                        call_args.extend(extra);
                    }
                    for op in &inj.operations {
                        let via = CallVia::Injected { method: method.to_string() };
                        self.push_call(call, name, service, op, via, call_args.clone(), confidence, scopes);
                    }
                    if inj.operations.is_empty() && !inj.extra_actions.is_empty() {
                        // No API request (an RDS auth token is signed locally), yet IAM checks the
                        // extra actions when the result is used: one call named by the method.
                        let via = CallVia::Injected { method: method.to_string() };
                        self.push_call(call, name, service, method, via, call_args, confidence, scopes);
                        // `generate_db_auth_token(..., Region="eu-west-1")`: the database's region.
                        let region = inj.args.iter().find(|a| a.keyword == "Region").and_then(|a| {
                            let node =
                                a.position.and_then(|p| args.positional.get(p as usize).copied()).or_else(|| args.keyword(&a.keyword, self.src));
                            self.value(node?, env).as_exact_str()
                        });
                        if let (Some(region), Some(made)) = (region, self.out.borrow_mut().calls.last_mut()) {
                            made.region = Some(region);
                        }
                    }
                } else if let Some(op) = exact_operation(&svc, method) {
                    let call_args = self.keyword_args(call, env).0;
                    self.push_call(call, name, service, &op.name, CallVia::Client, call_args, confidence, scopes);
                } else {
                    self.unknown_method(name, &svc, method);
                }
            }
        }
    }

    fn resource_call(&self, r: ResourceRef, method: &str, call: Node<'a>, name: Node<'a>, env: &Env<'a>, scopes: &mut [ScopeEntry]) {
        let resource_name = r.rtype.clone().unwrap_or_else(|| r.service.clone());
        let via = || CallVia::Resource { resource: resource_name.clone(), action: method.to_string() };
        let Some(svc) = self.service(&r.service) else { return };
        if self.is_service_constructor(&r, method) {
            return;
        }
        if method == "batch_writer" {
            let args: Vec<(String, Value)> = r.ids.iter().filter(|(n, _)| n == "Name").map(|(_, v)| ("TableName".to_string(), v.clone())).collect();
            self.push_call(call, name, &r.service, "BatchWriteItem", via(), args, r.confidence, scopes);
            return;
        }
        enum Found {
            Request(String, Vec<iamlens_knowledge::Param>),
            Nothing,
            Unknown(Vec<String>),
        }
        let found = self.with_rdef(&r, |def| {
            if let Some(a) = def.actions.values().find(|a| a.method == method) {
                return Found::Request(a.request.operation.clone(), a.request.params.clone());
            }
            if matches!(method, "load" | "reload") {
                return match &def.load {
                    Some(l) => Found::Request(l.operation.clone(), l.params.clone()),
                    None => Found::Nothing,
                };
            }
            if let Some(w) = def.waiters.values().find(|w| w.method == method) {
                return match svc.waiters.values().find(|cw| cw.name == w.waiter_name) {
                    Some(cw) => Found::Request(cw.operation.clone(), w.params.clone()),
                    None => Found::Nothing,
                };
            }
            if def.has.contains_key(method) || method.starts_with('_') || matches!(method, "get_available_subresources") {
                return Found::Nothing;
            }
            if svc.injected(method).is_some() {
                return Found::Nothing;
            }
            let names = def
                .actions
                .values()
                .map(|a| a.method.clone())
                .chain(def.has.keys().cloned())
                .chain(def.waiters.values().map(|w| w.method.clone()))
                .collect();
            Found::Unknown(names)
        });
        match found {
            Some(Found::Request(op, params)) => {
                let mut args = self.request_args(&r, &params);
                merge_args(&mut args, self.keyword_args(call, env).0);
                self.push_call(call, name, &r.service, &op, via(), args, r.confidence, scopes);
            }
            Some(Found::Unknown(names)) => {
                let suggestions = nearest(method, names.iter().map(String::as_str));
                let hint = suggestion_text(&suggestions);
                self.finding(
                    name,
                    FindingKind::UnknownMethod { service: r.service.clone(), method: method.to_string(), suggestions },
                    format!("`{method}` is not an action of the {} {resource_name} resource{hint}", r.service),
                );
            }
            Some(Found::Nothing) | None => {
                // `bucket.upload_file(...)`, `obj.download_file(...)`: boto3 adds these to the
                // resource class with their own signatures (`Bucket.download_file(Key,
                // Filename)`, `Bucket.copy(CopySource, Key)`), the resource's identifiers
                // filling the rest.
                let injected = r.rtype.as_deref().and_then(|rtype| svc.resource_injected(rtype, method)).or_else(|| svc.injected(method));
                let Some(inj) = injected else { return };
                let mut args: Vec<(String, Value)> = Vec::new();
                if inj.resource.is_some() {
                    for param in &inj.identifiers {
                        let Some(id) = param.name.as_deref() else { continue };
                        if let Some((_, v)) = r.ids.iter().find(|(n, _)| n == id) {
                            args.push((param.target.clone(), v.clone()));
                        }
                    }
                } else {
                    for (id, member) in [("Name", "Bucket"), ("BucketName", "Bucket"), ("Key", "Key")] {
                        if let Some((_, v)) = r.ids.iter().find(|(n, _)| n == id) {
                            args.push((member.to_string(), v.clone()));
                        }
                    }
                }
                let call_args = CallArgs::of(call);
                for a in &inj.args {
                    let Some(member) = a.member.as_deref() else { continue };
                    // A client method's positions count the identifiers the resource fills: only keywords apply.
                    let positional =
                        if inj.resource.is_some() { a.position.and_then(|p| call_args.positional.get(p as usize).copied()) } else { None };
                    if let Some(n) = positional.or_else(|| call_args.keyword(&a.keyword, self.src)) {
                        merge_args(&mut args, vec![(member.split('.').next().unwrap_or(member).to_string(), self.value(n, env))]);
                    }
                }
                if let Some(Value::Dict(extra)) = call_args.keyword("ExtraArgs", self.src).map(|n| self.value(n, env)) {
                    merge_args(&mut args, extra);
                }
                for op in &inj.operations {
                    self.push_call(call, name, &r.service, op, CallVia::Injected { method: method.to_string() }, args.clone(), r.confidence, scopes);
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn collection_call(
        &self,
        parent: &ResourceRef,
        collection: &str,
        listed: bool,
        method: &str,
        call: Node<'a>,
        name: Node<'a>,
        env: &Env<'a>,
        scopes: &mut [ScopeEntry],
    ) {
        let Some(svc) = self.service(&parent.service) else { return };
        let Some(model) = svc.resources.as_ref() else { return };
        let def = match &parent.rtype {
            None => &model.service,
            Some(t) => match model.resource(t) {
                Some(d) => d,
                None => return,
            },
        };
        let Some(c) = def.collections.get(collection) else { return };
        let resource_name = parent.rtype.clone().unwrap_or_else(|| parent.service.clone());
        let via = CallVia::Resource { resource: resource_name, action: format!("{}.{method}", c.attribute) };
        let list = |this: &Self, scopes: &mut [ScopeEntry], with_call_args: bool| {
            let mut args = this.request_args(parent, &c.request.params);
            if with_call_args {
                merge_args(&mut args, this.keyword_args(call, env).0);
            }
            this.push_call(call, name, &parent.service, &c.request.operation, via.clone(), args, parent.confidence, scopes);
        };
        if COLLECTION_LISTERS.contains(&method) {
            if !listed {
                list(self, scopes, true);
            }
            return;
        }
        let item_type = c.resource.as_ref().map(|r| r.type_name.clone());
        let batch = item_type.as_deref().and_then(|t| model.resource(t)).and_then(|d| d.batch_actions.values().find(|b| b.method == method).cloned());
        if let Some(batch) = batch {
            if !listed {
                list(self, scopes, false);
            }
            let item = match self.collection_item(parent, collection) {
                Sym::Resource(item) => item,
                _ => parent.clone(),
            };
            let mut args = self.request_args(&item, &batch.request.params);
            merge_args(&mut args, self.keyword_args(call, env).0);
            self.push_call(call, name, &parent.service, &batch.request.operation, via, args, parent.confidence, scopes);
        }
    }

    fn register_comprehension(&self, node: Node<'a>) {
        let mut vars = self.comprehension_vars.borrow_mut();
        let mut cursor = node.walk();
        for clause in node.named_children(&mut cursor).filter(|c| c.kind() == "for_in_clause") {
            if let (Some(left), Some(right)) = (clause.field("left"), clause.field("right")) {
                if left.kind() == "identifier" {
                    vars.push((text(left, self.src), right, node.byte_range()));
                }
            }
        }
    }

    /// Attribute access on a resource that loads it (`obj.content_length` → HeadObject).
    fn classify_attribute(&self, node: Node<'a>, env: &Env<'a>, scopes: &mut [ScopeEntry]) {
        let (Some(obj), Some(attr)) = (node.field("object"), node.field("attribute")) else {
            return;
        };
        let name = text(attr, self.src);
        if name.starts_with('_') || name == "meta" || name.chars().any(|c| c.is_ascii_uppercase()) {
            return;
        }
        let base = self.eval(obj, env);
        if let Sym::Client { service: Svc::Known(service), confidence, .. } = &base {
            self.method_reference(service, name, node, attr, *confidence, env, scopes);
            return;
        }
        let Sym::Resource(r) = base else { return };
        if r.rtype.is_none() {
            return;
        }
        let load = self.with_rdef(&r, |def| {
            let known = def.identifiers.iter().any(|i| i.attribute == name)
                || def.collections.values().any(|c| c.attribute == name)
                || def.actions.values().any(|a| a.method == name)
                || def.waiters.values().any(|w| w.method == name)
                || def.has.keys().any(|k| iamlens_knowledge::xform_name(k) == name);
            if known {
                None
            } else {
                def.load.clone()
            }
        });
        if let Some(Some(load)) = load {
            let args = self.request_args(&r, &load.params);
            let via = CallVia::Resource { resource: r.rtype.clone().unwrap_or_default(), action: "load".to_string() };
            self.push_call(node, attr, &r.service, &load.operation, via, args, r.confidence, scopes);
        }
    }

    /// A client's bound method passed on without a call
    /// (`executor.submit(s3.upload_file, ...)`, `page_through(client.query)`,
    /// `with_backoff(s3.list_objects_v2)(...)`): the call happens later, with
    /// arguments this line does not show, so its resources stay unknown.
    #[allow(clippy::too_many_arguments)]
    fn method_reference(
        &self,
        service: &str,
        method: &str,
        node: Node<'a>,
        attr: Node<'a>,
        confidence: Confidence,
        env: &Env<'a>,
        scopes: &mut [ScopeEntry],
    ) {
        let Some(svc) = self.service(service) else { return };
        if CLIENT_HELPERS.contains(&method) {
            return;
        }
        // Keywords written beside the reference (`page_through(client.query, TableName="jobs")`)
        // are the call's when they are members of its input; every other member that names a
        // resource is passed later, with a value unknown here.
        let beside: Vec<(String, Value)> = node
            .parent()
            .filter(|p| p.kind() == "argument_list")
            .and_then(|list| list.parent())
            .filter(|call| call.kind() == "call")
            .map(|call| self.keyword_args(call, env).0)
            .unwrap_or_default();
        let unknown_resources = |operation: &str| -> Vec<(String, Value)> {
            let Some(op) = svc.operation(operation) else { return Vec::new() };
            let mut args: Vec<(String, Value)> = beside.iter().filter(|(k, _)| op.member(k).is_some()).cloned().collect();
            for m in op.input_members.iter().filter(|m| m.required && m.identifies_resource) {
                if !args.iter().any(|(k, _)| *k == m.name) {
                    args.push((m.name.clone(), unknown_text()));
                }
            }
            args
        };
        let via = CallVia::Injected { method: method.to_string() };
        let first = if let Some(inj) = svc.injected(method) {
            for op in &inj.operations {
                self.push_call(node, attr, service, op, via.clone(), unknown_resources(op), confidence, scopes);
            }
            inj.operations.first().cloned()
        } else if let Some(op) = exact_operation(&svc, method) {
            self.push_call(node, attr, service, &op.name, CallVia::Client, unknown_resources(&op.name), confidence, scopes);
            Some(op.name.clone())
        } else {
            None
        };
        let unnamed =
            |operation: &String| unknown_resources(operation).iter().any(|(k, v)| *v == unknown_text() && !beside.iter().any(|(b, _)| b == k));
        if let Some(operation) = first.filter(unnamed) {
            let reference = one_line(text(node, self.src));
            self.finding(
                node,
                FindingKind::DynamicResource { action: format!("{service}.{operation}"), parameter: "(arguments)".to_string() },
                format!(
                    "`{reference}` is passed on without its arguments, so what it needs is granted on any resource of its type; call it where its arguments are written to narrow it"
                ),
            );
        }
    }

    /// A call on a receiver that is not known to be a client (`Sym::Unknown`),
    /// or a client of an unknown service, in a file that uses AWS: the method
    /// name and the arguments pick the service when only one fits (Low
    /// confidence); `--service-hints` or an inline `# iamlens: <service>`
    /// comment settle the others. A call that could be an AWS call but is not
    /// settled is never dropped in silence: it gets an `Ambiguous` or
    /// `UnresolvedCall` finding naming the candidates and what settles it.
    fn unresolved_call(&self, method: &str, call: Node<'a>, name: Node<'a>, env: &Env<'a>, receiver: Receiver, scopes: &mut [ScopeEntry]) {
        // In a file that does not import the SDK, a receiver known to be a
        // client is evidence of an AWS call; anything else is only named in a
        // warning, and only when another file of the project uses the SDK. An
        // object from a project module iamlens cannot see into is only named.
        let known_client = receiver == Receiver::SomeClient;
        let uses_aws = self.imports_sdk || self.project_uses_sdk;
        let lookalike = receiver == Receiver::ProjectOpaque || (!self.imports_sdk && !known_client);
        if (lookalike && !uses_aws) || method.starts_with('_') {
            return;
        }
        let (args, positional, opaque_spread) = self.keyword_args(call, env);
        // boto3 operations take keyword arguments only: a positional one means another API.
        if positional {
            return;
        }
        // With no argument to go by, a call on an object of the project's own
        // (a wrapper's `facade.get_groups()`) or in a file that uses another
        // cloud's SDK (`gcs.list_buckets()`) is taken to be theirs.
        if lookalike && args.is_empty() && (receiver == Receiver::ProjectOpaque || self.imports_other_cloud) {
            return;
        }
        // No keyword to match members on (`x.list_topics()`, `x.create(**params)`):
        // the name alone is no evidence of a client, so such a call becomes
        // part of the policy only when a hint or directive settles it.
        let bare = args.is_empty() && (!known_client || opaque_spread);
        let candidates: Vec<String> = self
            .catalog
            .services_with_method(method)
            .into_iter()
            .filter(|s| {
                self.service(s).is_some_and(|svc| {
                    exact_operation(&svc, method).is_some_and(|op| {
                        args.iter().all(|(k, _)| op.member(k).is_some()) && (!lookalike || opaque_spread || gives_required_members(op, &args))
                    })
                })
            })
            .collect();
        if candidates.is_empty() {
            return;
        }
        // With no argument either, the receiver's name is the only evidence:
        // named like a client (`iam_client`, `conn`) or like one of the
        // services that have the method (`sns.list_topics()`).
        if lookalike && args.is_empty() && !opaque_spread {
            let object = call.field("function").and_then(|f| f.field("object"));
            let last = object.map(|o| text(o, self.src).rsplit(['.', ' ', '\n']).next().unwrap_or("")).unwrap_or("");
            let names_a_candidate = candidates.iter().any(|c| last.eq_ignore_ascii_case(c) || last.eq_ignore_ascii_case(&c.replace('-', "_")));
            if !super::decorators::is_clientish(last) && !names_a_candidate {
                return;
            }
        }
        let directed = self.directive_service(call);
        // A receiver named for one of the services (`self.s3_client`, `sqs`) settles it too.
        let by_name = || -> Vec<&String> {
            let object = call.field("function").and_then(|f| f.field("object")).map_or("", |o| text(o, self.src));
            let stem = service_stem(object.rsplit('.').next().unwrap_or(object));
            candidates.iter().filter(|c| !stem.is_empty() && c.replace('-', "_") == stem).collect()
        };
        let settled: Vec<&String> = match &directed {
            Some(service) => candidates.iter().filter(|c| *c == service).collect(),
            None if lookalike => Vec::new(),
            None => candidates.iter().filter(|c| self.opts.service_hints.iter().any(|h| h.eq_ignore_ascii_case(c))).collect(),
        };
        let named = directed.is_none() && !lookalike && settled.is_empty() && by_name().len() == 1;
        let settled = if named { by_name() } else { settled };
        let chosen: Vec<&String> = match (settled.as_slice(), bare || lookalike, candidates.len()) {
            ([_], _, _) => settled,
            ([], false, 1) => candidates.iter().collect(),
            _ => Vec::new(),
        };
        if let [one] = chosen.as_slice() {
            let Some(svc) = self.service(one) else { return };
            let Some(op) = exact_operation(&svc, method) else { return };
            let confidence = if candidates.len() > 1 || directed.is_some() || named { Confidence::Medium } else { Confidence::Low };
            self.push_call(call, name, one, &op.name, CallVia::Client, args, confidence, scopes);
            return;
        }
        let list = candidates.join(", ");
        let directive = match candidates.as_slice() {
            [one] => format!("`# iamlens: {one}`"),
            _ => "`# iamlens: <service>` naming one of them".to_string(),
        };
        let settle = format!("annotate the receiver with its client type, or end the line with {directive}");
        if lookalike {
            let object = call.field("function").and_then(|f| f.field("object")).map(|o| one_line(text(o, self.src))).unwrap_or_default();
            let why = if receiver == Receiver::ProjectOpaque {
                format!("iamlens cannot see what `{object}` (made by another module of the project) holds")
            } else {
                format!("this file does not import an AWS SDK and iamlens cannot tell what `{object}` is")
            };
            self.finding(
                name,
                FindingKind::UnresolvedCall { method: method.to_string(), candidates: candidates.clone() },
                format!("`{object}.{method}(...)` looks like an AWS call ({list}), but {why}, so it is not in the policy; {settle}"),
            );
        } else if candidates.len() > 1 && !bare {
            self.finding(
                name,
                FindingKind::Ambiguous { method: method.to_string(), candidates: candidates.clone() },
                format!("cannot tell which AWS service `{method}` calls here ({list}), so it is not in the policy; {settle}"),
            );
        } else {
            let receiver = call.field("function").and_then(|f| f.field("object")).map(|o| one_line(text(o, self.src))).unwrap_or_default();
            self.finding(
                name,
                FindingKind::UnresolvedCall { method: method.to_string(), candidates: candidates.clone() },
                format!(
                    "`{receiver}.{method}(...)` looks like an AWS call ({list}) but iamlens cannot tell what `{receiver}` is, so it is not in the policy; {settle}"
                ),
            );
        }
    }

    /// Services with a paginator for operation `op`, narrowed by an inline
    /// directive or the service hints when they name one of them.
    pub fn paginator_services(&self, op: &str, call: Node<'a>) -> Vec<String> {
        let candidates: Vec<String> =
            self.catalog.services_with_method(op).into_iter().filter(|s| self.service(s).is_some_and(|svc| svc.can_paginate(op))).collect();
        let settled: Vec<String> = match self.directive_service(call) {
            Some(service) => candidates.iter().filter(|c| **c == service).cloned().collect(),
            None => candidates.iter().filter(|c| self.opts.service_hints.iter().any(|h| h.eq_ignore_ascii_case(c))).cloned().collect(),
        };
        if settled.len() == 1 {
            settled
        } else {
            candidates
        }
    }

    /// `x.get_paginator("op")` on a receiver iamlens cannot resolve: one
    /// service with such a paginator resolves it (see `call_method`); several
    /// are named in a warning, never dropped in silence.
    fn unresolved_paginator(&self, call: Node<'a>, name: Node<'a>, env: &Env<'a>) {
        if !self.imports_sdk {
            return;
        }
        let Some(op) = self.first_str_arg(call, "operation_name", env) else { return };
        let candidates = self.paginator_services(&op, call);
        if candidates.len() > 1 {
            self.finding(
                name,
                FindingKind::Ambiguous { method: op.clone(), candidates: candidates.clone() },
                format!(
                    "cannot tell which AWS service's `{op}` paginator this is ({}), so its calls are not in the policy; annotate the receiver with its client type, or end the line with `# iamlens: <service>` naming one of them",
                    candidates.join(", ")
                ),
            );
        }
    }

    /// The service an inline `# iamlens: <service>` comment on the call's
    /// lines names, when it is a known service.
    fn directive_service(&self, call: Node<'a>) -> Option<String> {
        let first = call.start_position().row;
        let last = call.end_position().row;
        self.src.lines().skip(first).take(last - first + 1).find_map(|line| {
            let (_, rest) = line.split_once("# iamlens:")?;
            let name = rest.trim().split(|c: char| c.is_whitespace() || c == ',').next()?;
            self.service(name).map(|svc| svc.name.clone())
        })
    }

    /// Keyword arguments (with `**{literal dict}` spreads) as member values;
    /// whether positional arguments were given; whether an unknown `**spread` was.
    pub fn keyword_args(&self, call: Node<'a>, env: &Env<'a>) -> (Vec<(String, Value)>, bool, bool) {
        let args = CallArgs::of(call);
        let mut out: Vec<(String, Value)> = args.keywords.iter().map(|(n, v)| (text(*n, self.src).to_string(), self.value(*v, env))).collect();
        let mut opaque = false;
        for s in &args.spreads {
            match self.value(*s, env) {
                Value::Dict(items) => merge_args(&mut out, items),
                _ => opaque = true,
            }
        }
        (out, !args.positional.is_empty() || args.has_star, opaque)
    }

    pub(super) fn unknown_method(&self, at: Node<'a>, svc: &Service, method: &str) {
        let suggestions = svc.nearest_methods(method, 3);
        let hint = suggestion_text(&suggestions);
        self.finding(
            at,
            FindingKind::UnknownMethod { service: svc.name.clone(), method: method.to_string(), suggestions },
            format!("`{method}` is not an operation of {}{hint}", svc.name),
        );
    }

    pub fn finding(&self, at: Node<'a>, kind: FindingKind, message: String) {
        self.out.borrow_mut().findings.push(Finding { span: span(at), kind, message });
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn push_call(
        &self,
        call: Node<'a>,
        name: Node<'a>,
        service: &str,
        operation: &str,
        via: CallVia,
        args: Vec<(String, Value)>,
        confidence: Confidence,
        scopes: &mut [ScopeEntry],
    ) {
        for s in scopes.iter_mut() {
            s.has_calls = true;
        }
        let scope = scopes.iter().rev().find_map(|s| s.qualname.clone());
        self.out.borrow_mut().calls.push(SdkCall {
            span: span(call),
            name_span: span(name),
            service: service.to_string(),
            operation: operation.to_string(),
            via,
            text: one_line(text(call, self.src)),
            args,
            confidence,
            scope,
            region: None,
        });
    }
}

/// The service a receiver's name names, in botocore's spelling with `_`:
/// `s3_client` → `s3`, `_sqs` → `sqs`, `dynamodb_resource` → `dynamodb`.
fn service_stem(name: &str) -> String {
    let lower = name.trim_start_matches('_').to_ascii_lowercase();
    let stem = ["_client", "_resource", "_conn", "client"].iter().find_map(|s| lower.strip_suffix(s)).unwrap_or(&lower);
    stem.trim_end_matches('_').to_string()
}

/// The receiver's text of `recv.method(...)`, on one line.
fn base_text(call: Node, src: &str) -> String {
    call.field("function").and_then(|f| f.field("object")).map(|o| one_line(text(o, src))).unwrap_or_default()
}

/// Whether a call gives every required member of `op`, but the ones naming
/// its resource (a resource object such as a `Table` supplies `TableName`).
fn gives_required_members(op: &iamlens_knowledge::Operation, args: &[(String, Value)]) -> bool {
    op.input_members.iter().all(|m| !m.required || m.identifies_resource || args.iter().any(|(k, _)| *k == m.name))
}

/// What the receiver of a call that needs the method name to settle it is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Receiver {
    /// Nothing is known about it.
    Unknown,
    /// A client of a service iamlens could not tell.
    SomeClient,
    /// An object from a project module iamlens cannot see into.
    ProjectOpaque,
}

/// Later values win (explicit keywords over identifiers, `**spread` order).
fn merge_args(into: &mut Vec<(String, Value)>, more: Vec<(String, Value)>) {
    for (k, v) in more {
        match into.iter_mut().find(|(n, _)| *n == k) {
            Some(slot) => slot.1 = v,
            None => into.push((k, v)),
        }
    }
}

fn nearest<'s>(query: &str, names: impl Iterator<Item = &'s str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = names.map(|n| (strsim::jaro_winkler(query, n), n)).filter(|(s, _)| *s >= 0.75).collect();
    scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, n)| n.to_string()).collect()
}

fn suggestion_text(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        many => format!("; did you mean {}?", many.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")),
    }
}
