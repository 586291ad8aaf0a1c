//! Calls → `SdkCall`s and findings: every method invocation on a resolved
//! SDK object becomes the operations it performs; a method no operation has
//! on a resolved client is a typo finding; an operation-named method on a
//! receiver that cannot be resolved is an `UnresolvedCall` finding.

use crate::analyzer::{Analyzer, Reads};
use crate::kinds::kinds;
use crate::naming::method_name;
use crate::operations::{
    by_method, client_operation, enhanced_operation, mapper_operation, presign_operation, table_operation, transfer_operations, waiter_operation,
    CLIENT_HELPERS,
};
use crate::receivers::Recv;
use crate::syntax::{arguments, each_named_in_pre_order_where, named_children, one_line, span};
use crate::types::{type_name, Kind};
use iamlens_engine::model::{CallVia, Confidence, Finding, FindingKind, SdkCall, Value};
use iamlens_knowledge::{Operation, Service};
use std::sync::Arc;
use tree_sitter::Node;

/// What the walk found.
#[derive(Default)]
pub struct Found<'a> {
    pub calls: Vec<SdkCall>,
    pub findings: Vec<Finding>,
    /// The call nodes of `calls`, for code scopes.
    pub call_nodes: Vec<Node<'a>>,
}

impl<'a> Analyzer<'a> {
    /// Every call of the file, in source order.
    pub fn collect(&self) -> Found<'a> {
        self.collect_where(|_| true)
    }

    /// The calls of the nodes `keep` accepts, in source order: each call and
    /// finding comes from one node and lies within it, so skipping a node
    /// that cannot hold what is wanted (and all under it) changes nothing else.
    pub fn collect_where(&self, keep: impl Fn(Node<'a>) -> bool) -> Found<'a> {
        let mut found = Found::default();
        let k = kinds();
        each_named_in_pre_order_where(self.root, keep, |n| {
            let kind = n.kind_id();
            if kind == k.method_invocation {
                self.visit_invocation(n, &mut found);
            } else if kind == k.object_creation_expression {
                self.visit_creation(n, &mut found);
            }
        });
        found
    }

    /// [`collect_where`](Self::collect_where) one call node at a time: each
    /// node's calls and findings go to `sink` with what resolving them read
    /// (see [`Analyzer::record_reads`]).
    pub fn collect_each(&self, keep: impl Fn(Node<'a>) -> bool, mut sink: impl FnMut(Node<'a>, Found<'a>, Reads)) {
        let k = kinds();
        each_named_in_pre_order_where(self.root, keep, |n| {
            let kind = n.kind_id();
            let mut found = Found::default();
            if kind == k.method_invocation {
                self.visit_invocation(n, &mut found);
            } else if kind == k.object_creation_expression {
                self.visit_creation(n, &mut found);
            } else {
                return;
            }
            sink(n, found, self.take_reads());
        });
    }

    fn service(&self, name: &str) -> Option<Arc<Service>> {
        self.catalog.service(name)
    }

    fn visit_invocation(&self, call: Node<'a>, found: &mut Found<'a>) {
        let (Some(object), Some(name_node)) = (call.child_by_field_id(field!("object")), call.child_by_field_id(field!("name"))) else { return };
        let method = self.text(name_node);
        let recv = self.recv(object, 0);
        if matches!(recv, Recv::Other(_)) {
            return; // Most calls of a file: nothing to read from their arguments.
        }
        let args = arguments(call);
        match recv {
            Recv::Sdk(Kind::Client { service, region, v1 }) => {
                if CLIENT_HELPERS.contains(&method) {
                    return;
                }
                let Some(svc) = self.service(&service) else { return };
                if v1 && service == "s3" && method == "generatePresignedUrl" {
                    let put = args.iter().any(|a| self.text(*a).contains("HttpMethod.PUT"));
                    let op = svc.operation(if put { "PutObject" } else { "GetObject" });
                    if let Some(op) = op {
                        let args = self.positional_args("s3", op, &args[..args.len().min(2)]).unwrap_or_else(|| self.request_args("s3", op, &args));
                        self.push(found, call, name_node, &service, op, CallVia::Injected { method: method.into() }, args, region);
                    }
                    return;
                }
                match client_operation(&svc, method, v1) {
                    Some((op, via)) => {
                        let args = self.operation_args(&service, op, &args, v1);
                        self.push(found, call, name_node, &service, op, via, args, region);
                    }
                    None => self.unknown_method(found, name_node, &svc, method),
                }
            }
            Recv::Sdk(Kind::Waiter { service }) => {
                let Some(svc) = self.service(&service) else { return };
                match waiter_operation(&svc, method) {
                    Some((op, via)) => {
                        let a = self.request_args(&service, op, &args);
                        self.push(found, call, name_node, &service, op, via, a, None);
                    }
                    None if method.starts_with("waitUntil") => self.unknown_method(found, name_node, &svc, method),
                    None => {}
                }
            }
            Recv::Sdk(Kind::Presigner) => {
                let Some(svc) = self.service("s3") else { return };
                if let Some(op) = presign_operation(&svc, method) {
                    let a = self.request_args("s3", op, &args);
                    self.push(found, call, name_node, "s3", op, CallVia::Injected { method: method.into() }, a, None);
                }
            }
            Recv::Sdk(Kind::TransferManager { v1 }) => self.transfer(found, call, name_node, method, &args, v1),
            Recv::Sdk(Kind::Enhanced) => {
                let Some(op_name) = enhanced_operation(method) else { return };
                let Some(svc) = self.service("dynamodb") else { return };
                let Some(op) = svc.operation(op_name) else { return };
                let mut tables = Vec::new();
                self.tables_in(call, &mut tables);
                if tables.is_empty() {
                    tables.push(Value::Unknown);
                }
                for t in tables {
                    let via = CallVia::Injected { method: method.into() };
                    self.push(found, call, name_node, "dynamodb", op, via, vec![("TableName".into(), t)], None);
                }
            }
            Recv::Sdk(Kind::Mapper) => {
                let clobber = args.iter().any(|a| {
                    let t = self.text(*a);
                    t.contains("CLOBBER") || t.contains("SaveBehavior.PUT")
                });
                let Some(op_name) = mapper_operation(method, clobber) else { return };
                let Some(svc) = self.service("dynamodb") else { return };
                let Some(op) = svc.operation(op_name) else { return };
                let table = args.iter().find_map(|a| self.mapped_table(*a)).unwrap_or(Value::Unknown);
                let via = CallVia::Injected { method: format!("DynamoDBMapper.{method}") };
                self.push(found, call, name_node, "dynamodb", op, via, vec![("TableName".into(), table)], None);
            }
            Recv::Sdk(Kind::Table { name, index }) => {
                let Some(op_name) = table_operation(method) else { return };
                let Some(svc) = self.service("dynamodb") else { return };
                let Some(op) = svc.operation(op_name) else { return };
                let mut a = vec![("TableName".to_string(), name)];
                if let (Some(i), "Query" | "Scan") = (index, op_name) {
                    a.push(("IndexName".into(), i));
                }
                let via = CallVia::Resource { resource: "Table".into(), action: method.into() };
                self.push(found, call, name_node, "dynamodb", op, via, a, None);
            }
            // v1's `new STSAssumeRoleSessionCredentialsProvider.Builder(…).build()` is counted at the `new`.
            Recv::Sdk(Kind::Builder(inner))
                if *inner == Kind::StsProvider && method == "build" && crate::syntax::unwrap_expr(object).kind() != "object_creation_expression" =>
            {
                let Some(svc) = self.service("sts") else { return };
                let Some(op) = svc.operation("AssumeRole") else { return };
                let a = self.request_args("sts", op, &[call]);
                self.push(found, call, name_node, "sts", op, CallVia::Injected { method: "StsAssumeRoleCredentialsProvider".into() }, a, None);
            }
            Recv::Sdk(_) | Recv::Other(_) => {}
            Recv::Unknown(why) => self.unresolved(found, call, object, name_node, method, &args, &why),
        }
    }

    /// v1 `new STSAssumeRoleSessionCredentialsProvider.Builder(roleArn, session)`.
    fn visit_creation(&self, expr: Node<'a>, found: &mut Found<'a>) {
        let Some(ty) = expr.child_by_field_id(field!("type")) else { return };
        let class = type_name(ty, self.src);
        let sts = matches!(self.type_kind(&class), Some(Kind::StsProvider))
            || matches!(self.type_kind(&class), Some(Kind::Builder(inner)) if *inner == Kind::StsProvider);
        let args = arguments(expr);
        if !sts || args.len() < 2 {
            return;
        }
        let Some(svc) = self.service("sts") else { return };
        let Some(op) = svc.operation("AssumeRole") else { return };
        let a = vec![("RoleArn".to_string(), self.value(args[0], 0)), ("RoleSessionName".to_string(), self.value(args[1], 0))];
        let via = CallVia::Injected { method: "STSAssumeRoleSessionCredentialsProvider".into() };
        self.push(found, expr, ty, "sts", op, via, a, None);
    }

    /// A request argument, or v1 convenience arguments.
    fn operation_args(&self, service: &str, op: &Operation, args: &[Node<'a>], v1: bool) -> Vec<(String, Value)> {
        if v1 && !args.is_empty() && !self.is_request(args[0]) {
            if let Some(a) = self.positional_args(service, op, args) {
                return a;
            }
        }
        self.request_args(service, op, args)
    }

    /// Whether an argument is a request object (not a bucket name or a file).
    fn is_request(&self, arg: Node<'a>) -> bool {
        if !self.setters(arg, 0).is_empty() || matches!(arg.kind(), "lambda_expression") {
            return true;
        }
        let declared = match arg.kind() {
            "identifier" => self.lookup(self.text(arg), arg).and_then(|d| d.ty).map(|t| type_name(t, self.src)),
            "object_creation_expression" => arg.child_by_field_id(field!("type")).map(|t| type_name(t, self.src)),
            _ => None,
        };
        declared.is_some_and(|t| t.ends_with("Request"))
    }

    fn transfer(&self, found: &mut Found<'a>, call: Node<'a>, name: Node<'a>, method: &str, args: &[Node<'a>], v1: bool) {
        let Some(ops) = transfer_operations(method, v1) else { return };
        let Some(svc) = self.service("s3") else { return };
        let positional: Option<Vec<(String, Value)>> = (v1 && !args.is_empty() && !self.is_request(args[0])).then(|| {
            let members: &[&str] = if method == "copy" { &["CopySource.Bucket", "CopySource.Key", "Bucket", "Key"] } else { &["Bucket", "Key"] };
            let mut out: Vec<(String, Value)> = Vec::new();
            for (m, a) in members.iter().zip(args) {
                let v = self.value(*a, 0);
                match m.split_once('.') {
                    Some((_, key)) => match out.iter_mut().find(|(k, _)| k == "CopySource") {
                        Some((_, Value::Dict(items))) => items.push((key.into(), v)),
                        _ => out.push(("CopySource".into(), Value::Dict(vec![(key.into(), v)]))),
                    },
                    None => out.push((m.to_string(), v)),
                }
            }
            out
        });
        for op_name in ops {
            let Some(op) = svc.operation(op_name) else { continue };
            let all = match &positional {
                Some(p) => p.clone(),
                None => {
                    let copy = svc.operation("CopyObject");
                    // Setters are read against the richest operation of the transfer, then kept where they apply.
                    let probe = if method == "copy" { copy.unwrap_or(op) } else { op };
                    self.request_args("s3", probe, args)
                }
            };
            let a = if *op_name == "HeadObject" && method == "copy" {
                let src = all.iter().find(|(k, _)| k == "CopySource").map(|(_, v)| v.clone());
                let pick = |k: &str| src.as_ref().and_then(|s| s.get(k)).cloned().unwrap_or(Value::Unknown);
                vec![("Bucket".to_string(), pick("Bucket")), ("Key".to_string(), pick("Key"))]
            } else {
                all.into_iter().filter(|(k, _)| op.member(k).is_some()).collect()
            };
            self.push(found, call, name, "s3", op, CallVia::Injected { method: method.into() }, a, None);
        }
    }

    /// The `@DynamoDBTable(tableName = …)` of a mapper argument: a class
    /// literal (`Order.class`) or an object of a mapped class.
    fn mapped_table(&self, arg: Node<'a>) -> Option<Value> {
        let arg = crate::syntax::unwrap_expr(arg);
        let class = match arg.kind() {
            "class_literal" => arg.named_child(0).map(|t| type_name(t, self.src))?,
            "identifier" => self.lookup(self.text(arg), arg).and_then(|d| d.ty).map(|t| type_name(t, self.src))?,
            "object_creation_expression" => arg.child_by_field_id(field!("type")).map(|t| type_name(t, self.src))?,
            _ => return None,
        };
        let class = class.rsplit('.').next().unwrap_or("").to_string();
        match self.local_class(&class) {
            Some(c) => self.dynamodb_table_annotation(c),
            None => self.index.class(&class).and_then(|c| c.dynamo_table.clone()),
        }
    }

    /// Table names of enhanced tables mentioned in a subtree (batch and transaction requests).
    fn tables_in(&self, n: Node<'a>, out: &mut Vec<Value>) {
        self.tables_in_depth(n, out, 0)
    }

    /// Follows local variables one step (`WriteBatch.builder(…).mappedTableResource(products)` held in `writes`).
    fn tables_in_depth(&self, n: Node<'a>, out: &mut Vec<Value>, depth: u8) {
        for child in named_children(n) {
            if matches!(child.kind(), "identifier" | "field_access") {
                if let Some(name) = self.table_name(child) {
                    push_unique(out, name);
                } else if depth == 0 && child.kind() == "identifier" {
                    let local = self.lookup(self.text(child), child).filter(|d| d.role == crate::analyzer::Role::Local);
                    if let Some(init) = local.and_then(|d| d.init) {
                        self.tables_in_depth(init, out, depth + 1);
                        if let Some(name) = self.table_name(init) {
                            push_unique(out, name);
                        }
                    }
                }
            }
            self.tables_in_depth(child, out, depth);
        }
    }

    /// The table an expression is, if it is one.
    fn table_name(&self, n: Node<'a>) -> Option<Value> {
        match self.recv(n, 0) {
            Recv::Sdk(Kind::Table { name, .. }) => Some(name),
            _ => None,
        }
    }

    fn unknown_method(&self, found: &mut Found<'a>, at: Node<'a>, svc: &Service, method: &str) {
        let suggestions: Vec<String> =
            svc.nearest_methods(method, 3).iter().filter_map(|m| svc.operation_by_method(m)).map(|op| method_name(&op.name)).collect();
        let hint = match suggestions.as_slice() {
            [] => String::new(),
            list => format!("; did you mean {}?", list.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or ")),
        };
        found.findings.push(Finding {
            span: span(at),
            kind: FindingKind::UnknownMethod { service: svc.name.clone(), method: method.to_string(), suggestions },
            message: format!("`{method}` is not an operation of the {} client{hint}", svc.name),
        });
    }

    /// An operation-named method on a receiver that could not be resolved.
    #[allow(clippy::too_many_arguments)]
    fn unresolved(&self, found: &mut Found<'a>, call: Node<'a>, object: Node<'a>, name: Node<'a>, method: &str, args: &[Node<'a>], why: &str) {
        let mut candidates: Vec<(String, String)> = Vec::new();
        for s in &self.imports.services {
            let Some(svc) = self.service(s) else { continue };
            if let Some((op, _)) = client_operation(&svc, method, false).or_else(|| by_method(&svc, method).map(|op| (op, CallVia::Client))) {
                candidates.push((s.clone(), op.name.clone()));
            }
        }
        if candidates.is_empty() {
            return;
        }
        let hinted: Vec<&(String, String)> =
            candidates.iter().filter(|(s, _)| self.opts.service_hints.iter().any(|h| h.eq_ignore_ascii_case(s))).collect();
        if let [(service, op_name)] = hinted.as_slice() {
            let Some(svc) = self.service(service) else { return };
            let Some((op, via)) = client_operation(&svc, method, false) else { return };
            debug_assert_eq!(&op.name, op_name);
            let a = self.operation_args(service, op, args, false);
            let before = found.calls.len();
            self.push(found, call, name, service, op, via, a, None);
            for c in &mut found.calls[before..] {
                c.confidence = Confidence::Low;
            }
            return;
        }
        let receiver = one_line(self.text(object));
        let class = crate::naming::names().prefix(&candidates[0].0).map(|p| format!("{p}Client")).unwrap_or_else(|| "S3Client".into());
        let list = candidates.iter().map(|(s, o)| format!("{s}:{o}")).collect::<Vec<_>>().join(", ");
        found.findings.push(Finding {
            span: span(name),
            kind: FindingKind::UnresolvedCall { method: method.to_string(), candidates: candidates.iter().map(|(s, _)| s.clone()).collect() },
            message: format!(
                "`{receiver}.{method}(…)` looks like an AWS call ({list}) but was left out of the policy: {why}; \
                 declare `{receiver}` with its SDK client type (e.g. `{class}`) or pass --service-hints to settle it"
            ),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &self,
        found: &mut Found<'a>,
        call: Node<'a>,
        name: Node<'a>,
        service: &str,
        op: &Operation,
        via: CallVia,
        args: Vec<(String, Value)>,
        region: Option<String>,
    ) {
        found.calls.push(SdkCall {
            span: span(call),
            name_span: span(name),
            service: service.to_string(),
            operation: op.name.clone(),
            via,
            text: one_line(self.text(call)),
            args,
            confidence: Confidence::High,
            scope: self.scope_name(call),
            region,
        });
        found.call_nodes.push(call);
    }
}

fn push_unique(out: &mut Vec<Value>, v: Value) {
    if !out.contains(&v) {
        out.push(v);
    }
}
