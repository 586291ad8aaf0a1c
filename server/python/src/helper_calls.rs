//! Calls of the project's own helpers that make an AWS operation on what they
//! are given: `get_all_pages("acm", session, "list_certificates")` whose body
//! is `session.client(service).get_paginator(name).paginate()`, or
//! `paginate(s3, "list_objects_v2")`. A helper's operations are collected
//! as [`ParamOp`]s (its body walked with its parameters unbound, see
//! `facts`); each call that passes the service (a name or a client) and the
//! operation makes that operation at the call. A helper that passes its own
//! parameters on to another is a helper too. Part of `calls`.

use super::analyzer::{Analyzer, DefinitionFacts, Eval};
use super::scope::{Env, ScopeEntry};
use super::symbols::{OpKind, OpName, OpService, ParamOp, Svc, Sym};
use super::syntax::{named_children, one_line, text, CallArgs, FieldExt};
use iamlens_engine::catalog::{exact_operation, CLIENT_HELPERS};
use iamlens_engine::model::{CallVia, Confidence, FindingKind};
use std::rc::Rc;
use tree_sitter::Node;

impl<'a> Analyzer<'a> {
    /// Whether a helper's operations are being collected.
    pub(super) fn collecting_param_ops(&self) -> bool {
        self.param_ops.borrow().is_some()
    }

    fn record_param_op(&self, op: ParamOp) {
        if let Some(ops) = self.param_ops.borrow_mut().as_mut() {
            if !ops.contains(&op) {
                ops.push(op);
            }
        }
    }

    /// While collecting: `base.method(...)` where the service or the operation
    /// is a parameter of the function being collected.
    pub(super) fn record_call_on_param(&self, base: &Sym, method: &str, call: Node<'a>, env: &Env<'a>) {
        let service = match base {
            Sym::Client { service: Svc::Param(i, n), .. } => OpService::NameParam(*i, n.clone()),
            Sym::Param(i, n) => OpService::ClientParam(*i, n.clone()),
            Sym::Client { service: Svc::Known(s), .. } => OpService::Known(s.clone()),
            _ => return,
        };
        let (kind, keyword) = match method {
            "get_paginator" => (OpKind::Paginator, "operation_name"),
            "get_waiter" => (OpKind::Waiter, "waiter_name"),
            _ if method.starts_with('_') || CLIENT_HELPERS.contains(&method) => return,
            _ => (OpKind::Method, ""),
        };
        let name = if kind == OpKind::Method {
            OpName::Known(method.to_string())
        } else {
            let Some(arg) = CallArgs::of(call).get(0, keyword, self.src) else { return };
            match self.eval(arg, env) {
                Sym::Param(i, n) => OpName::Param(i, n),
                _ => match self.value(arg, env).as_exact_str() {
                    Some(m) => OpName::Known(m),
                    None => return,
                },
            }
        };
        // A client parameter's direct calls are bound from the callers'
        // clients (`callers`); a known service with a known name is a plain call.
        let parametric_name = matches!(name, OpName::Param(..));
        let useful = match &service {
            OpService::NameParam(..) => true,
            OpService::ClientParam(..) | OpService::Known(_) => parametric_name,
        };
        if useful && (kind != OpKind::Method || !self.catalog.services_with_method(method).is_empty()) {
            self.record_param_op(ParamOp { service, name, kind, forwards_keywords: true });
        }
    }

    /// A call of `callee`: the operations it makes on this call's arguments.
    /// `via_instance`: called on an instance (`obj.f(...)`), which passes `self`.
    pub(super) fn helper_call(&self, callee: Sym, via_instance: bool, call: Node<'a>, name: Node<'a>, env: &Env<'a>, scopes: &mut [ScopeEntry]) {
        let (ops, bound, params): (Rc<Vec<ParamOp>>, bool, Vec<String>) = match callee {
            Sym::Function(def) => {
                let ops = self.helper_ops(def);
                if ops.is_empty() {
                    return;
                }
                let info = self.def_info.borrow().get(&def).copied().unwrap_or_default();
                let bound = info.class.is_some() && !info.is_static && (via_instance || info.is_classmethod);
                let params = self.defs.borrow().get(&def).map(|d| named_parameters(*d, self.src)).unwrap_or_default();
                (ops, bound, params)
            }
            Sym::Helper(sig) => {
                let bound = sig.is_method && !sig.is_static && (via_instance || sig.is_classmethod);
                (Rc::new(sig.ops.clone()), bound, sig.params.clone())
            }
            _ => return,
        };
        if ops.is_empty() {
            return;
        }
        // The keywords beyond the helper's own parameters, for operations it hands them to.
        let forwarded = || -> Vec<(String, iamlens_engine::model::Value)> {
            self.keyword_args(call, env).0.into_iter().filter(|(k, _)| !params.iter().any(|p| p == k)).collect()
        };
        let args = CallArgs::of(call);
        let arg = |index: usize, param: &str| {
            let position = if bound { index.checked_sub(1)? } else { index };
            args.get(position, param, self.src)
        };
        // An argument only known at run time where the helper needs the service or operation.
        let runtime = |node: Option<Node<'a>>| -> Option<String> {
            let node = node?;
            match self.eval(node, env) {
                Sym::Param(..) | Sym::Client { service: Svc::Known(_) | Svc::OneOf(_) | Svc::Param(..), .. } => None,
                Sym::Client { .. } => Some(one_line(text(node, self.src))),
                _ if self.value(node, env).as_exact_str().is_some() => None,
                _ if names_a_parameter(node, self.src) => None,
                Sym::Unknown | Sym::Value(_) => Some(one_line(text(node, self.src))),
                _ => None,
            }
        };
        // Inside a helper itself, what its parameters bring is its callers' to name.
        let mut warned = self.collecting_param_ops() || self.in_a_helper(call);
        for op in ops.iter() {
            if !warned {
                let service_arg = match &op.service {
                    OpService::NameParam(i, p) => runtime(arg(*i, p)),
                    OpService::ClientParam(i, p) => arg(*i, p)
                        .filter(|n| matches!(self.eval(*n, env), Sym::Client { service: Svc::Dynamic, .. }))
                        .map(|n| one_line(text(n, self.src))),
                    OpService::Known(_) => None,
                };
                let name_arg = match &op.name {
                    OpName::Param(i, p) => runtime(arg(*i, p)),
                    OpName::Known(_) => None,
                };
                if let Some(value) = service_arg.or(name_arg) {
                    if std::mem::replace(&mut warned, true) {
                        continue;
                    }
                    let callee = call.field("function").map(|f| one_line(text(f, self.src))).unwrap_or_default();
                    self.finding(
                        name,
                        FindingKind::UnresolvedCall { method: callee.clone(), candidates: Vec::new() },
                        format!("`{callee}(...)` makes an AWS call whose service or operation is `{value}`, only known at run time, so it is not in the policy; pass a literal, or add its permission to the policy yourself"),
                    );
                    continue;
                }
            }
            let services: Vec<OpService> = match &op.service {
                OpService::Known(s) => vec![OpService::Known(s.clone())],
                OpService::NameParam(i, p) => arg(*i, p).map_or_else(Vec::new, |node| match self.eval(node, env) {
                    Sym::Param(j, q) => vec![OpService::NameParam(j, q)],
                    _ => self.value(node, env).as_exact_str().map(OpService::Known).into_iter().collect(),
                }),
                OpService::ClientParam(i, p) => match arg(*i, p).map(|node| self.eval(node, env)) {
                    Some(Sym::Client { service: Svc::Known(s), .. }) => vec![OpService::Known(s)],
                    Some(Sym::Client { service: Svc::OneOf(all), .. }) => all.into_iter().map(OpService::Known).collect(),
                    Some(Sym::Client { service: Svc::Param(j, q), .. }) => vec![OpService::NameParam(j, q)],
                    Some(Sym::Param(j, q)) => vec![OpService::ClientParam(j, q)],
                    _ => Vec::new(),
                },
            };
            let operation = match &op.name {
                OpName::Known(m) => Some(OpName::Known(m.clone())),
                OpName::Param(i, p) => arg(*i, p).and_then(|node| match self.eval(node, env) {
                    Sym::Param(j, q) => Some(OpName::Param(j, q)),
                    _ => self.value(node, env).as_exact_str().map(OpName::Known),
                }),
            };
            let Some(operation) = operation else { continue };
            for service in services {
                match (service, &operation) {
                    (OpService::Known(service), OpName::Known(method)) => {
                        let input = if op.forwards_keywords { forwarded() } else { Vec::new() };
                        self.make_helper_op((&service, method, op.kind), input, call, name, scopes)
                    }
                    (service, operation) => {
                        let parametric = !matches!(service, OpService::Known(_)) || matches!(operation, OpName::Param(..));
                        if parametric {
                            self.record_param_op(ParamOp {
                                service,
                                name: operation.clone(),
                                kind: op.kind,
                                forwards_keywords: op.forwards_keywords,
                            });
                        }
                    }
                }
            }
        }
    }

    /// Whether `node` is inside a function that is itself a helper.
    fn in_a_helper(&self, node: Node<'a>) -> bool {
        let mut at = node.parent();
        while let Some(n) = at {
            if n.kind() == "function_definition" {
                return self.defs.borrow().contains_key(&n.start_byte()) && !self.helper_ops(n.start_byte()).is_empty();
            }
            at = n.parent();
        }
        false
    }

    /// One operation a helper makes, at the call that named it. Nothing is
    /// known of its input, so its resources are the widest the call allows.
    fn make_helper_op(
        &self,
        (service, method, kind): (&str, &str, OpKind),
        input: Vec<(String, iamlens_engine::model::Value)>,
        call: Node<'a>,
        name: Node<'a>,
        scopes: &mut [ScopeEntry],
    ) {
        let Some(svc) = self.service(service) else { return };
        let confidence = Confidence::Medium;
        match kind {
            OpKind::Method | OpKind::Paginator => {
                let Some(op) = exact_operation(&svc, method) else {
                    self.unknown_method(name, &svc, method);
                    return;
                };
                let via = if kind == OpKind::Method { CallVia::Client } else { CallVia::Paginator { method: method.to_string() } };
                self.push_call(call, name, service, &op.name, via, input, confidence, scopes);
            }
            OpKind::Waiter => {
                if let Some(w) = svc.waiter(method) {
                    self.push_call(call, name, service, &w.operation, CallVia::Waiter { name: method.to_string() }, input, confidence, scopes);
                }
            }
        }
    }
}

impl<'a> Analyzer<'a> {
    /// `getattr(client, "get_object")(...)` is `client.get_object(...)`;
    /// `getattr(client, name)(...)` with `name` a parameter of a helper is one
    /// of its operations; with `name` only known at run time, a warning.
    pub(super) fn getattr_call(&self, getattr: Node<'a>, call: Node<'a>, env: &Env<'a>, scopes: &mut [ScopeEntry]) {
        let is_getattr = getattr.field("function").is_some_and(|f| f.kind() == "identifier" && text(f, self.src) == "getattr");
        let args = CallArgs::of(getattr);
        let (true, Some(object), Some(attr)) = (is_getattr, args.positional.first().copied(), args.positional.get(1).copied()) else { return };
        let base = self.eval(object, env);
        if !matches!(base, Sym::Client { .. } | Sym::Param(..)) {
            return;
        }
        match self.eval(attr, env) {
            Sym::Param(i, n) if self.collecting_param_ops() => {
                let service = match base {
                    Sym::Client { service: Svc::Param(j, m), .. } => OpService::NameParam(j, m),
                    Sym::Client { service: Svc::Known(s), .. } => OpService::Known(s),
                    Sym::Param(j, m) => OpService::ClientParam(j, m),
                    _ => return,
                };
                self.record_param_op(ParamOp { service, name: OpName::Param(i, n), kind: OpKind::Method, forwards_keywords: true });
                return;
            }
            _ => {}
        }
        let Sym::Client { service, confidence, .. } = base else { return };
        match (service, self.value(attr, env).as_exact_str()) {
            (Svc::Known(service), Some(method)) => self.client_call(&service, &method, call, attr, confidence, env, scopes),
            (Svc::OneOf(all), Some(method)) => {
                for service in all.iter().filter(|s| self.service(s).is_some_and(|svc| exact_operation(&svc, &method).is_some())) {
                    self.client_call(service, &method, call, attr, confidence, env, scopes);
                }
            }
            (_, None) if !self.collecting_param_ops() && !names_a_parameter(attr, self.src) => {
                let object = one_line(text(object, self.src));
                let what = one_line(text(attr, self.src));
                self.finding(
                    attr,
                    FindingKind::UnresolvedCall { method: what.clone(), candidates: Vec::new() },
                    format!("`getattr({object}, {what})(...)` calls an AWS operation only known at run time, so it is not in the policy; call the method by name, or add its permission to the policy yourself"),
                );
            }
            _ => {}
        }
    }

    /// `client.get_paginator(name)` / `client.get_waiter(name)` with a name
    /// only known at run time (not a parameter, whose callers name it): a warning.
    pub(super) fn runtime_operation_name(&self, object: &str, method: &str, call: Node<'a>, env: &Env<'a>) {
        let keyword = match method {
            "get_paginator" => "operation_name",
            "get_waiter" => "waiter_name",
            _ => return,
        };
        let Some(arg) = CallArgs::of(call).get(0, keyword, self.src) else { return };
        if self.collecting_param_ops() || names_a_parameter(arg, self.src) || self.value(arg, env).as_exact_str().is_some() {
            return;
        }
        let what = one_line(text(arg, self.src));
        self.finding(
            arg,
            FindingKind::UnresolvedCall { method: what.clone(), candidates: Vec::new() },
            format!("`{object}.{method}({what})` makes an AWS call only known at run time, so it is not in the policy; pass the name as a literal, or add its permission to the policy yourself"),
        );
    }
}

/// The names of a function's parameters, but `*args` and `**kwargs`.
pub(super) fn named_parameters(def: Node, src: &str) -> Vec<String> {
    let Some(params) = def.field("parameters") else { return Vec::new() };
    named_children(params)
        .filter_map(|p| match p.kind() {
            "identifier" => Some(p),
            "typed_parameter" => p.named_child(0).filter(|n| n.kind() == "identifier"),
            "default_parameter" | "typed_default_parameter" => p.field("name"),
            _ => None,
        })
        .map(|n| text(n, src).to_string())
        .collect()
}

/// Whether the function hands its `**kwargs` on (`f(**kwargs)` in its body).
pub(super) fn forwards_keywords(def: Node, src: &str) -> bool {
    let Some(params) = def.field("parameters") else { return false };
    let Some(kwargs) = named_children(params).find(|p| p.kind() == "dictionary_splat_pattern").and_then(|p| p.named_child(0)) else { return false };
    let spread = format!("**{}", text(kwargs, src));
    def.field("body").is_some_and(|b| text(b, src).contains(&spread))
}

/// Whether `node` is a name that is a parameter of the function it is in
/// (its calls name the value, and are read there).
fn names_a_parameter(node: Node, src: &str) -> bool {
    if node.kind() != "identifier" {
        return false;
    }
    let name = text(node, src);
    let mut at = node.parent();
    while let Some(n) = at {
        if n.kind() == "function_definition" {
            return n.field("parameters").is_some_and(|params| {
                named_children(params).any(|p| {
                    let id = if p.kind() == "identifier" { Some(p) } else { p.field("name").or_else(|| p.named_child(0)) };
                    id.is_some_and(|id| text(id, src) == name)
                })
            });
        }
        at = n.parent();
    }
    false
}
