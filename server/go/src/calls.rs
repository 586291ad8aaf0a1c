//! Calls → [`SdkCall`]s and findings: operations on clients (v2 and v1 method
//! forms), paginators, waiters, presigners, the S3 transfer manager, project
//! interfaces that mirror a client; typos on a client; operation-named calls
//! on a receiver that cannot be resolved.

use crate::eval::{Env, Eval};
use crate::imports::Import;
use crate::naming::{self, V1Method};
use crate::syntax::{args, span, text};
use crate::types::{Ty, TypeDef};
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::{CallVia, Confidence, FileAnalysis, Finding, FindingKind, SdkCall, Value};
use iamlens_knowledge::xform_name;
use tree_sitter::Node;

/// Per-file analysis state.
pub struct Analyzer<'a> {
    pub eval: Eval<'a>,
    pub catalog: &'a dyn Catalog,
    pub opts: &'a AnalysisOptions,
    /// botocore services whose packages the file imports.
    pub imported_services: Vec<String>,
    /// Qualified name of the function being walked.
    pub scope: Option<String>,
    pub out: FileAnalysis,
    /// Nesting depth of the walk.
    pub depth: usize,
}

/// Methods of SDK clients that call no operation.
const CLIENT_HELPERS: &[&str] = &["Options", "NewRequest", "AddDebugHandlers", "Config", "Handlers"];

/// The S3 operations of a transfer-manager upload (single part, or multipart
/// with abort on failure).
const UPLOAD_OPERATIONS: &[&str] = &["PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload"];

/// One operation to report, before it becomes an `SdkCall`.
struct Op<'v> {
    service: &'v str,
    operation: &'v str,
    via: CallVia,
    input: Value,
    confidence: Confidence,
    region: Option<String>,
}

impl<'a> Analyzer<'a> {
    pub fn visit_call(&mut self, call: Node<'a>, env: &Env) {
        let Some(func) = call.child_by_field_name("function") else { return };
        if func.kind() != "selector_expression" {
            return;
        }
        let (Some(operand), Some(name)) = (func.child_by_field_name("operand"), func.child_by_field_name("field")) else { return };
        let method = self.eval.text(name);
        let arg_nodes = call.child_by_field_name("arguments").map(args).unwrap_or_default();
        if let Some(import) = self.eval.import_of(operand, env) {
            if *import == Import::RdsAuth && method == "BuildAuthToken" {
                self.rds_auth_token(call, name, &arg_nodes, env);
            }
            return; // Other package functions (`s3.NewFromConfig`) make values, not requests.
        }
        match self.eval.ty_of(operand, env) {
            Ty::Client { service, v1, region } => self.client_call(call, name, &service, v1, method, &arg_nodes, env, region, Confidence::High),
            Ty::Paginator { service, operation, input, region } if method == "NextPage" => {
                let op = Op {
                    service: &service,
                    operation: &operation,
                    via: CallVia::Paginator { method: operation.clone() },
                    input,
                    confidence: Confidence::High,
                    region,
                };
                self.emit(call, name, op);
            }
            Ty::Waiter { service, waiter, region } if matches!(method, "Wait" | "WaitForOutput") => {
                let Some(svc) = self.catalog.service(&service) else { return };
                let Some(w) = svc.waiters.values().find(|w| w.name == waiter) else {
                    let message = format!("`{waiter}` is not a waiter of {service}; check the `New…Waiter` constructor's name");
                    self.finding(call, FindingKind::UnknownMethod { service: service.clone(), method: waiter.clone(), suggestions: vec![] }, message);
                    return;
                };
                let input = self.input_value(&arg_nodes, 1, env);
                let op = Op {
                    service: &service,
                    operation: &w.operation,
                    via: CallVia::Waiter { name: w.name.clone() },
                    input,
                    confidence: Confidence::High,
                    region,
                };
                self.emit(call, name, op);
            }
            Ty::Presign { service, region } => {
                let Some(operation) = method.strip_prefix("Presign") else { return };
                let input = self.input_value(&arg_nodes, 1, env);
                let op = Op {
                    service: &service,
                    operation,
                    via: CallVia::Injected { method: method.to_string() },
                    input,
                    confidence: Confidence::High,
                    region,
                };
                self.emit(call, name, op);
            }
            Ty::Uploader { region } if method.starts_with("Upload") => {
                let input = self.input_value(&arg_nodes, 1, env);
                for operation in UPLOAD_OPERATIONS {
                    let via = CallVia::Injected { method: method.to_string() };
                    self.emit(
                        call,
                        name,
                        Op { service: "s3", operation, via, input: input.clone(), confidence: Confidence::High, region: region.clone() },
                    );
                }
            }
            Ty::Downloader { region } if method.starts_with("Download") => {
                let input = self.input_value(&arg_nodes, 2, env);
                let via = CallVia::Injected { method: method.to_string() };
                self.emit(call, name, Op { service: "s3", operation: "GetObject", via, input, confidence: Confidence::High, region });
            }
            Ty::Named { pkg, name: ty_name } => self.project_type_call(call, name, &pkg, &ty_name, method, &arg_nodes, env),
            Ty::Unknown => self.unknown_receiver_call(call, name, method, &arg_nodes, env, true),
            Ty::Foreign => self.unknown_receiver_call(call, name, method, &arg_nodes, env, false),
            _ => {}
        }
    }

    /// A method on a project type: an interface method that mirrors an
    /// operation, or a method a struct gets from an embedded client. The
    /// type's own methods are the project's code, not requests.
    #[allow(clippy::too_many_arguments)]
    fn project_type_call(&mut self, call: Node<'a>, name: Node<'a>, pkg: &str, ty_name: &str, method: &str, arg_nodes: &[Node<'a>], env: &Env) {
        if self.eval.view.method_result(pkg, ty_name, method).is_some() {
            return;
        }
        match self.eval.view.type_def(pkg, ty_name) {
            Some(TypeDef::Interface(methods)) => {
                if let Some((_, service, operation)) = methods.iter().find(|(m, _, _)| m == method) {
                    let input = self.input_value(arg_nodes, 1, env);
                    let op = Op { service, operation, via: CallVia::Client, input, confidence: Confidence::Medium, region: None };
                    self.emit(call, name, op);
                }
            }
            Some(TypeDef::Struct(fields)) => {
                for (_, ty, embedded) in fields {
                    if let (true, Ty::Client { service, v1, region }) = (embedded, self.eval.resolve(ty, 0)) {
                        self.client_call(call, name, &service, v1, method, arg_nodes, env, region, Confidence::High);
                        return;
                    }
                }
            }
            // A type whose declaration is not among the files analysed: as good as unknown.
            None => self.unknown_receiver_call(call, name, method, arg_nodes, env, true),
            _ => {}
        }
    }

    /// `client.GetObject(ctx, in)` (v2), `client.GetObjectWithContext(ctx, in)`,
    /// `ListObjectsV2Pages(in, fn)`, `WaitUntilBucketExists(in)` (v1).
    #[allow(clippy::too_many_arguments)]
    fn client_call(
        &mut self,
        call: Node<'a>,
        name: Node<'a>,
        service: &str,
        v1: bool,
        method: &str,
        arg_nodes: &[Node<'a>],
        env: &Env,
        region: Option<String>,
        confidence: Confidence,
    ) {
        let Some(svc) = self.catalog.service(service) else { return };
        if CLIENT_HELPERS.contains(&method) || !method.starts_with(|c: char| c.is_ascii_uppercase()) {
            return;
        }
        let with_context = method.ends_with("WithContext");
        let input_at = if !v1 || with_context { 1 } else { 0 };
        let readings = if v1 { naming::v1_method_readings(method) } else { vec![V1Method::Operation(method)] };
        for reading in readings {
            let (operation, via) = match reading {
                V1Method::Operation(op) => match svc.operation(op) {
                    Some(o) => (o.name.clone(), CallVia::Client),
                    None => continue,
                },
                V1Method::Pages(op) => match svc.operation(op) {
                    Some(o) => (o.name.clone(), CallVia::Paginator { method: method.to_string() }),
                    None => continue,
                },
                V1Method::Waiter(w) => match svc.waiters.values().find(|x| x.name == w) {
                    Some(x) => (x.operation.clone(), CallVia::Waiter { name: x.name.clone() }),
                    None => continue,
                },
            };
            let input = self.input_value(arg_nodes, input_at, env);
            self.emit(call, name, Op { service, operation: &operation, via, input, confidence, region });
            return;
        }
        let base = method.strip_suffix("WithContext").unwrap_or(method);
        let suggestions: Vec<String> = svc
            .nearest_methods(base, 3)
            .into_iter()
            .filter_map(|m| svc.operations.values().find(|o| o.method == m).map(|o| o.name.clone()))
            .collect();
        let hint = suggestions.first().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
        let message = format!("`{method}` is not an operation of {service}{hint}");
        self.finding(name, FindingKind::UnknownMethod { service: service.to_string(), method: method.to_string(), suggestions }, message);
    }

    /// `auth.BuildAuthToken(ctx, endpoint, region, dbUser, creds)` (v2) or
    /// `rdsutils.BuildAuthToken(endpoint, region, dbUser, creds)` (v1): the
    /// token lets `dbUser` connect (`rds-db:connect`), as boto3's
    /// `generate_db_auth_token` does.
    fn rds_auth_token(&mut self, call: Node<'a>, name: Node<'a>, arg_nodes: &[Node<'a>], env: &Env) {
        let skip = usize::from(arg_nodes.len() >= 5);
        let value = |i: usize| arg_nodes.get(i + skip).map_or(Value::Unknown, |a| self.eval.value_of(*a, env));
        let region = value(1).as_exact_str();
        let input = Value::Dict(vec![("DBUsername".into(), value(2))]);
        let method = "generate_db_auth_token";
        let op =
            Op { service: "rds", operation: method, via: CallVia::Injected { method: method.into() }, input, confidence: Confidence::High, region };
        self.emit(call, name, op);
    }

    /// An operation-named method on a receiver whose type is not known here.
    /// Without `warn` (a receiver of a package outside the project), only a
    /// typed SDK input makes it a call.
    #[allow(clippy::too_many_arguments)]
    fn unknown_receiver_call(&mut self, call: Node<'a>, name: Node<'a>, method: &str, arg_nodes: &[Node<'a>], env: &Env, warn: bool) {
        if arg_nodes.is_empty() || !method.starts_with(|c: char| c.is_ascii_uppercase()) {
            return;
        }
        let readings = naming::v1_method_readings(method);
        let base = readings.iter().find_map(|r| match r {
            V1Method::Operation(op) => Some(*op),
            _ => None,
        });
        let base = base.unwrap_or(method);
        // The input's type names the service and operation: `&s3.GetObjectInput{...}`.
        for (i, a) in arg_nodes.iter().enumerate() {
            if let Ty::Input { service, operation } = self.eval.ty_of(*a, env) {
                if operation == base || operation == method {
                    let input = self.input_value(arg_nodes, i, env);
                    let op =
                        Op { service: &service, operation: &operation, via: CallVia::Client, input, confidence: Confidence::Medium, region: None };
                    self.emit(call, name, op);
                    return;
                }
            }
        }
        if !warn {
            return;
        }
        // SDK calls pass an operation input (`ctx, in` or `in`): a string,
        // number or value of another known type where it goes is not one
        // (`pool.Query(ctx, "SELECT 1")` on a database client).
        let input_at = if arg_nodes.len() >= 2 { 1 } else { 0 };
        if arg_nodes.get(input_at).is_some_and(|a| self.eval.ty_of(*a, env) == Ty::Other) {
            return;
        }
        let all = self.catalog.services_with_method(&xform_name(base));
        if all.is_empty() {
            return;
        }
        let imported: Vec<String> = all.iter().filter(|s| self.imported_services.contains(s)).cloned().collect();
        let candidates = if imported.is_empty() { all } else { imported };
        if let Some(hinted) = candidates.iter().find(|c| self.opts.service_hints.contains(c)).cloned() {
            let op_name = self.catalog.service(&hinted).and_then(|s| s.operation(base).map(|o| o.name.clone()));
            if let Some(operation) = op_name {
                let input = self.input_value(arg_nodes, 1, env);
                let op = Op { service: &hinted, operation: &operation, via: CallVia::Client, input, confidence: Confidence::Low, region: None };
                self.emit(call, name, op);
                return;
            }
        }
        let receiver = call.child_by_field_name("function").and_then(|f| f.child_by_field_name("operand")).map_or("", |o| text(o, self.eval.src));
        let shown: Vec<&str> = candidates.iter().take(4).map(String::as_str).collect();
        let more = if candidates.len() > 4 { format!(" and {} more", candidates.len() - 4) } else { String::new() };
        let message = format!(
            "`{receiver}.{method}` looks like an AWS call ({}{more} has `{base}`) but the type of `{receiver}` is not known here, so it is left out of the policy; give it a declared type such as `*{}.Client`, pass a typed input (`&{}.{base}Input{{…}}`), or set a service hint",
            shown.join(", "),
            naming::v2_package(&candidates[0]).unwrap_or(&candidates[0]),
            naming::v2_package(&candidates[0]).unwrap_or(&candidates[0]),
        );
        self.finding(name, FindingKind::UnresolvedCall { method: method.to_string(), candidates }, message);
    }

    /// The operation input among the arguments: the one typed `*<pkg>.<Op>Input`,
    /// else the one at the SDK's position for it.
    fn input_value(&self, arg_nodes: &[Node<'a>], at: usize, env: &Env) -> Value {
        let typed = arg_nodes.iter().find(|a| matches!(self.eval.ty_of(**a, env), Ty::Input { .. }));
        if let Some(a) = typed {
            return self.eval.value_of(*a, env);
        }
        let positional = arg_nodes.get(at).map_or(Value::Unknown, |a| self.eval.value_of(*a, env));
        if matches!(positional, Value::Dict(_)) {
            return positional;
        }
        // An input of a type the SDK's helpers define (`s3manager.UploadInput`) written in place.
        let literal = arg_nodes.iter().map(|a| self.eval.value_of(*a, env)).find(|v| matches!(v, Value::Dict(_)));
        literal.unwrap_or(positional)
    }

    fn emit(&mut self, call: Node<'a>, name: Node<'a>, op: Op) {
        // Go spells every member in PascalCase (`LogGroupName`); the model
        // may not (`logGroupName`): match them up case-insensitively.
        let members: Vec<String> = self
            .catalog
            .service(op.service)
            .and_then(|svc| svc.operation(op.operation).map(|o| o.input_members.iter().map(|m| m.name.clone()).collect()))
            .unwrap_or_default();
        let args = match op.input {
            // An injected method has no model operation: its arguments are already members.
            Value::Dict(items) if members.is_empty() => items,
            Value::Dict(items) => items
                .into_iter()
                .filter_map(|(k, v)| {
                    let member = members.iter().find(|m| m.eq_ignore_ascii_case(&k))?;
                    Some((member.clone(), v))
                })
                .collect(),
            _ => vec![],
        };
        let shown = shown_text(text(call, self.eval.src));
        self.out.calls.push(SdkCall {
            span: span(call),
            name_span: span(name),
            service: op.service.to_string(),
            operation: op.operation.to_string(),
            via: op.via,
            text: shown,
            args,
            confidence: op.confidence,
            scope: self.scope.clone(),
            region: op.region,
        });
    }

    pub fn finding(&mut self, at: Node, kind: FindingKind, message: String) {
        self.out.findings.push(Finding { span: span(at), kind, message });
    }
}

/// A call's text as shown (`SdkCall::text`): its first line, at most 120
/// characters, `…` when cut.
pub(crate) fn shown_text(full: &str) -> String {
    let first_line = full.lines().next().unwrap_or("");
    let mut shown: String = first_line.chars().take(120).collect();
    if shown.len() < full.len() {
        shown.push('…');
    }
    shown
}
