//! Calls → `SdkCall`s and findings: `client.send(command)`, methods of
//! aggregated and v2 clients and document clients, paginators, waiters,
//! managed uploads, presigners, temporary credentials and RDS auth tokens;
//! unknown methods (with suggestions) and calls that look like AWS calls but
//! cannot be resolved.

use crate::eval::Ctx;
use crate::naming::{method_for_operation, operation_for_method};
use crate::scopes::{enclosing_defs, qualified_name, Def};
use crate::sdk::{document_operation, SdkModule, CLIENT_HELPERS, MANAGED_UPLOAD};
use crate::sym::{Client, ClientKind, Command, Sym};
use crate::syntax::{named_children, one_line, span, unwrap_expr};
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::{CallVia, Confidence, Finding, FindingKind, SdkCall, TextPart, Value};
use tree_sitter::Node;

/// What the calls of one file come to.
#[derive(Default)]
pub struct Found<'t> {
    pub calls: Vec<SdkCall>,
    /// The definitions around each call (same order), for code scopes.
    pub defs: Vec<Vec<Def<'t>>>,
    pub findings: Vec<Finding>,
}

pub struct CallFinder<'c, 't, 'a> {
    ctx: &'c Ctx<'t, 'a>,
    catalog: &'c dyn Catalog,
    opts: &'c AnalysisOptions,
    pub found: Found<'t>,
}

/// How an SDK call was reached, for [`CallFinder::emit`].
struct Site<'t> {
    call: Node<'t>,
    name: Node<'t>,
    region: Option<String>,
    confidence: Confidence,
}

impl<'c, 't, 'a> CallFinder<'c, 't, 'a> {
    pub fn new(ctx: &'c Ctx<'t, 'a>, catalog: &'c dyn Catalog, opts: &'c AnalysisOptions) -> Self {
        CallFinder { ctx, catalog, opts, found: Found::default() }
    }

    /// Classify every call and `new` under `top` (in source order).
    pub fn run_in(&mut self, top: Node<'t>) {
        let mut nodes = Vec::new();
        let language = self.ctx.root.language();
        let kinds = crate::syntax::kind_names(&language);
        crate::syntax::for_each_node(top, |n| {
            if matches!(crate::syntax::kind_in(&kinds, n), "call_expression" | "new_expression") {
                nodes.push(n);
            }
        });
        self.classify(nodes);
    }

    /// Classify the calls and `new`s under `top` that overlap `range` (in
    /// source order): each call's result is its own, whatever else is classified.
    pub fn run_in_range(&mut self, top: Node<'t>, range: &std::ops::Range<usize>) {
        let overlaps = |n: Node| n.start_byte() < range.end.max(range.start + 1) && range.start < n.end_byte().max(n.start_byte() + 1);
        let mut nodes = Vec::new();
        let mut stack = vec![top];
        let mut cursor = top.walk();
        while let Some(n) = stack.pop() {
            if !overlaps(n) {
                continue;
            }
            if matches!(n.kind(), "call_expression" | "new_expression") {
                nodes.push(n);
            }
            let first = stack.len();
            stack.extend(n.named_children(&mut cursor));
            stack[first..].reverse();
        }
        self.classify(nodes);
    }

    fn classify(&mut self, nodes: Vec<Node<'t>>) {
        for node in nodes {
            match node.kind() {
                "call_expression" => self.call(node),
                _ => self.new_expr(node),
            }
        }
    }

    fn args(node: Node<'t>) -> Vec<Node<'t>> {
        node.child_by_field_name("arguments").map(named_children).unwrap_or_default()
    }

    fn input(&self, arg: Option<&Node<'t>>) -> Vec<(String, Value)> {
        arg.map(|a| self.ctx.eval(*a, 0).fields()).unwrap_or_default()
    }

    fn call(&mut self, call: Node<'t>) {
        let Some(callee) = call.child_by_field_name("function").map(unwrap_expr) else { return };
        let args = Self::args(call);
        if callee.kind() == "member_expression" {
            let (Some(object), Some(name)) = (callee.child_by_field_name("object"), callee.child_by_field_name("property")) else { return };
            let method = self.ctx.text(name);
            if method == "send" {
                return self.send(call, name, object, &args);
            }
            match self.ctx.eval(object, 0) {
                Sym::Client(client) => self.client_method(call, name, method, &client, &args),
                Sym::RdsSigner { username, region } if method == "getAuthToken" => {
                    // v2 `signer.getAuthToken({ username })` may name the user at the call.
                    let username = match args.first().map(|a| self.ctx.eval(*a, 0)).and_then(|o| o.get("username").map(Sym::to_value)) {
                        Some(at_call) => at_call,
                        None => username,
                    };
                    let site = Site { call, name, region, confidence: Confidence::High };
                    let via = CallVia::Injected { method: "generate_db_auth_token".into() };
                    self.emit(&site, "rds", "generate_db_auth_token", via, vec![("DBUsername".into(), username)]);
                }
                Sym::Module(module) => self.function_export(call, name, &module, method, &args),
                Sym::Unknown => self.unresolved(call, name, object, method, &args),
                _ => {}
            }
            return;
        }
        if let Sym::Export(module, export) = self.ctx.eval(callee, 0) {
            self.function_export(call, callee, &module, &export, &args);
        }
    }

    /// `client.send(command)`.
    fn send(&mut self, call: Node<'t>, name: Node<'t>, object: Node<'t>, args: &[Node<'t>]) {
        let receiver = self.ctx.eval(object, 0);
        let command = args.first().map_or(Sym::Unknown, |a| self.ctx.eval(*a, 0));
        match (receiver, command) {
            (Sym::Client(client), Sym::Commands(commands)) if client.kind.sends_commands() => {
                let site = Site { call, name, region: client.region.clone(), confidence: client.confidence };
                self.emit_commands(&site, commands, |_| CallVia::Client);
            }
            // A command decides the operation whatever sends it (a wrapper, a
            // client the analysis cannot follow): only SDK clients take commands.
            (Sym::Unknown | Sym::Foreign, Sym::Commands(commands)) => {
                let site = Site { call, name, region: None, confidence: Confidence::Medium };
                self.emit_commands(&site, commands, |_| CallVia::Client);
            }
            // `x.send(command)` with neither side known: a warning only when the
            // argument is named as a command (`res.send(body)` is not AWS).
            (Sym::Unknown, Sym::Unknown) if self.ctx.decls.imports_sdk && args.first().is_some_and(|a| names_a_command(self.ctx.text(*a))) => {
                let receiver = one_line(self.ctx.text(object));
                self.finding(
                    name,
                    FindingKind::UnresolvedCall { method: "send".into(), candidates: vec![] },
                    format!(
                        "`{receiver}.send(...)` looks like an SDK client sending a command, but neither the client nor the command can be followed here, \
                         so it is left out of the policy; build the command with `new <Operation>Command(...)` where iamlens can follow it"
                    ),
                );
            }
            (Sym::Client(client), _) if client.kind.sends_commands() => {
                let receiver = self.ctx.text(object);
                self.finding(
                    name,
                    FindingKind::UnresolvedCall { method: "send".into(), candidates: vec![client.service.clone()] },
                    format!(
                        "`{receiver}.send(...)` sends a {} command that cannot be followed here, so it is left out of the policy; \
                         build it with `new <Operation>Command(...)` in this project (a variable, a helper or an array of commands) so its operation is known",
                        client.service
                    ),
                );
            }
            _ => {}
        }
    }

    fn emit_commands(&mut self, site: &Site<'t>, commands: Vec<Command>, via: impl Fn(&Command) -> CallVia) {
        for command in commands {
            let v = via(&command);
            self.emit(site, &command.service, &command.operation, v, command.args);
        }
    }

    /// A method of an aggregated, v2 or document client.
    fn client_method(&mut self, call: Node<'t>, name: Node<'t>, method: &str, client: &Client, args: &[Node<'t>]) {
        if CLIENT_HELPERS.contains(&method) || matches!(client.kind, ClientKind::V3 | ClientKind::DocumentV3) {
            return;
        }
        let site = Site { call, name, region: client.region.clone(), confidence: client.confidence };
        let input_of = |this: &Self, arg: Option<&Node<'t>>| {
            let mut input = this.input(arg);
            for (k, v) in &client.bound {
                if !input.iter().any(|(key, _)| key == k) {
                    input.push((k.clone(), v.clone()));
                }
            }
            input
        };
        if matches!(client.kind, ClientKind::DocumentV2 | ClientKind::DocumentV3Aggregated) {
            if let Some(op) = document_operation(method) {
                let input = input_of(self, args.first());
                self.emit(&site, "dynamodb", op, CallVia::Client, input);
            }
            return;
        }
        let Some(service) = self.catalog.service(&client.service) else { return };
        if client.kind == ClientKind::V2 {
            match method {
                "upload" if client.service == "s3" => {
                    let input = input_of(self, args.first());
                    for op in MANAGED_UPLOAD {
                        self.emit(&site, "s3", op, CallVia::Injected { method: "upload".into() }, input.clone());
                    }
                    return;
                }
                "getSignedUrl" | "getSignedUrlPromise" => {
                    let input = input_of(self, args.get(1));
                    match args.first().and_then(|a| self.ctx.eval(*a, 0).exact_str()) {
                        Some(op) => self.emit(&site, &client.service, &operation_for_method(&op), CallVia::Injected { method: method.into() }, input),
                        None => self.unresolvable(name, method, &client.service, "the operation name is not a literal string"),
                    }
                    return;
                }
                "createPresignedPost" if client.service == "s3" => {
                    let input = input_of(self, args.first());
                    self.emit(&site, "s3", "PutObject", CallVia::Injected { method: method.into() }, input);
                    return;
                }
                "waitFor" => {
                    let input = input_of(self, args.get(1));
                    match args.first().and_then(|a| self.ctx.eval(*a, 0).exact_str()) {
                        Some(waiter_name) => match service.waiters.values().find(|w| method_for_operation(&w.name) == waiter_name) {
                            Some(w) => self.emit(&site, &client.service, &w.operation.clone(), CallVia::Waiter { name: waiter_name }, input),
                            None => {
                                let known: Vec<String> = service.waiters.values().map(|w| method_for_operation(&w.name)).collect();
                                let suggestions = nearest(&waiter_name, &known);
                                self.finding(
                                    name,
                                    FindingKind::UnknownMethod { service: client.service.clone(), method: waiter_name.clone(), suggestions },
                                    format!("`{waiter_name}` is not a waiter of {}", client.service),
                                );
                            }
                        },
                        None => self.unresolvable(name, method, &client.service, "the waiter name is not a literal string"),
                    }
                    return;
                }
                _ => {}
            }
        }
        let op = operation_for_method(method);
        if service.operation(&op).is_some() && method.starts_with(|c: char| c.is_ascii_lowercase()) {
            let input = input_of(self, args.first());
            self.emit(&site, &client.service, &op, CallVia::Client, input);
        } else {
            let suggestions: Vec<String> = service
                .nearest_methods(method, 3)
                .iter()
                .filter_map(|m| service.operation_by_method(m))
                .map(|o| method_for_operation(&o.name))
                .collect();
            let hint = suggestions.first().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            self.finding(
                name,
                FindingKind::UnknownMethod { service: client.service.clone(), method: method.to_string(), suggestions },
                format!("`{method}` is not an operation of the {} client{hint}", client.service),
            );
        }
    }

    /// A function exported by an SDK module: paginators, waiters, presigners, credentials.
    fn function_export(&mut self, call: Node<'t>, name: Node<'t>, module: &SdkModule, export: &str, args: &[Node<'t>]) {
        let config = args.first().map_or(Sym::Unknown, |a| self.ctx.eval(*a, 0));
        let client = match config.get("client") {
            Some(Sym::Client(c)) => Some(c.clone()),
            _ => None,
        };
        let region = client.as_ref().and_then(|c| c.region.clone());
        let site = Site { call, name, region, confidence: Confidence::High };
        match module {
            SdkModule::V3Client(service) | SdkModule::V2Client(service) => {
                if let Some(op) = export.strip_prefix("paginate") {
                    let input = self.input(args.get(1));
                    self.emit(&site, service, op, CallVia::Paginator { method: export.to_string() }, input);
                } else if let Some(waiter) = export.strip_prefix("waitUntil").or_else(|| export.strip_prefix("waitFor")) {
                    let Some(svc) = self.catalog.service(service) else { return };
                    let input = self.input(args.get(1));
                    match svc.waiters.values().find(|w| w.name == waiter) {
                        Some(w) => self.emit(&site, service, &w.operation.clone(), CallVia::Waiter { name: waiter.to_string() }, input),
                        None => {
                            let known: Vec<String> = svc.waiters.values().map(|w| format!("waitUntil{}", w.name)).collect();
                            let suggestions = nearest(export, &known);
                            self.finding(
                                name,
                                FindingKind::UnknownMethod { service: service.clone(), method: export.to_string(), suggestions },
                                format!("`{export}` is not a waiter of {service}"),
                            );
                        }
                    }
                }
            }
            SdkModule::LibDynamoDb => {
                if let Some(op) = export.strip_prefix("paginate").and_then(document_operation) {
                    let input = self.input(args.get(1));
                    self.emit(&site, "dynamodb", op, CallVia::Paginator { method: export.to_string() }, input);
                }
            }
            SdkModule::Presigner if export == "getSignedUrl" => {
                let region = match &config {
                    Sym::Client(c) => c.region.clone(),
                    _ => None,
                };
                let site = Site { region, ..site };
                match args.get(1).map(|a| self.ctx.eval(*a, 0)) {
                    Some(Sym::Commands(commands)) => self.emit_commands(&site, commands, |_| CallVia::Injected { method: "getSignedUrl".into() }),
                    _ => self.unresolvable(name, export, "s3", "the command to sign cannot be followed here"),
                }
            }
            SdkModule::PresignedPost if export == "createPresignedPost" => {
                let region = match &config {
                    Sym::Client(c) => c.region.clone(),
                    _ => None,
                };
                // S3 replaces `${filename}` in a POST policy's key with the uploaded file's name.
                let input = self.input(args.get(1)).into_iter().map(|(k, v)| if k == "Key" { (k, filename_unknown(v)) } else { (k, v) }).collect();
                self.emit(&Site { region, ..site }, "s3", "PutObject", CallVia::Injected { method: export.to_string() }, input);
            }
            SdkModule::CredentialProviders if export == "fromTemporaryCredentials" => {
                let input = config.get("params").map(Sym::fields).unwrap_or_default();
                self.emit(&site, "sts", "AssumeRole", CallVia::Injected { method: export.to_string() }, input);
            }
            _ => {}
        }
    }

    /// `new Upload(...)`, `new AWS.ChainableTemporaryCredentials(...)`.
    fn new_expr(&mut self, node: Node<'t>) {
        let Some(ctor) = node.child_by_field_name("constructor") else { return };
        let Sym::Export(module, export) = self.ctx.eval(ctor, 0) else { return };
        let args = Self::args(node);
        let config = args.first().map_or(Sym::Unknown, |a| self.ctx.eval(*a, 0));
        let region = match config.get("client") {
            Some(Sym::Client(c)) => c.region.clone(),
            _ => None,
        };
        let site = Site { call: node, name: ctor, region, confidence: Confidence::High };
        match (module, export.as_str()) {
            (SdkModule::LibStorage, "Upload") => {
                let input = config.get("params").map(Sym::fields).unwrap_or_default();
                for op in MANAGED_UPLOAD {
                    self.emit(&site, "s3", op, CallVia::Injected { method: "Upload".into() }, input.clone());
                }
            }
            (SdkModule::V2Root, "ChainableTemporaryCredentials") => {
                let input = config.get("params").map(Sym::fields).unwrap_or_default();
                self.emit(&site, "sts", "AssumeRole", CallVia::Injected { method: export.clone() }, input);
            }
            (SdkModule::V2Root, "TemporaryCredentials") => {
                let input = config.fields();
                self.emit(&site, "sts", "AssumeRole", CallVia::Injected { method: export.clone() }, input);
            }
            _ => {}
        }
    }

    /// `x.getObject({...})` on a receiver that is not resolved, in a file that
    /// uses the SDK: if the method and input keys fit some service's
    /// operation, a warning (or, when `--service-hints` pick one, a low-confidence call).
    fn unresolved(&mut self, call: Node<'t>, name: Node<'t>, object: Node<'t>, method: &str, args: &[Node<'t>]) {
        // `this.m(...)`, `super.m(...)`: the class's own methods, never a client.
        let own = matches!(unwrap_expr(object).kind(), "this" | "super");
        if own || !self.ctx.decls.imports_sdk || !method.starts_with(|c: char| c.is_ascii_lowercase()) || args.is_empty() || args.len() > 2 {
            return;
        }
        // SDK methods take one params object (and, in v2, a callback).
        let first = unwrap_expr(args[0]);
        if !matches!(first.kind(), "object" | "identifier" | "member_expression") {
            return;
        }
        // A second argument can only be a v2 callback.
        if let Some(cb) = args.get(1) {
            if !matches!(cb.kind(), "arrow_function" | "function_expression" | "function") {
                return;
            }
        }
        let input = self.ctx.eval(first, 0);
        let keys: Vec<String> = match &input {
            Sym::Object(fields) => fields.iter().map(|(k, _)| k.clone()).collect(),
            Sym::Unknown => Vec::new(),
            _ => return,
        };
        // A one-word method (`query`, `publish`, `sign`) is common outside AWS:
        // only an input object whose keys all are the operation's members counts.
        if keys.is_empty() && !method.contains(|c: char| c.is_ascii_uppercase()) {
            return;
        }
        let op = operation_for_method(method);
        let candidates: Vec<String> = self
            .catalog
            .services_with_method(&iamlens_knowledge::xform_name(&op))
            .into_iter()
            .filter(|s| self.catalog.service(s).is_some_and(|svc| svc.operation(&op).is_some_and(|o| keys.iter().all(|k| o.member(k).is_some()))))
            .collect();
        if candidates.is_empty() {
            return;
        }
        let chosen: Vec<&String> = candidates.iter().filter(|c| self.opts.service_hints.iter().any(|h| h.eq_ignore_ascii_case(c))).collect();
        if let [one] = chosen.as_slice() {
            let site = Site { call, name, region: None, confidence: Confidence::Low };
            let service = (*one).clone();
            self.emit(&site, &service, &op, CallVia::Client, input.fields());
            return;
        }
        let receiver = one_line(self.ctx.text(object));
        let list = candidates.join(", ");
        self.finding(
            name,
            FindingKind::UnresolvedCall { method: method.to_string(), candidates: candidates.clone() },
            format!(
                "`{receiver}.{method}(...)` looks like the AWS operation {op} ({list}) but `{receiver}` is not resolved to an SDK client, so it is left out of the policy; \
                 create or type the client where iamlens can follow it (`new <Service>Client(...)`, a `: <Service>Client` annotation) or pass --service-hints"
            ),
        );
    }

    /// An SDK helper whose operation is not a literal.
    fn unresolvable(&mut self, name: Node<'t>, method: &str, service: &str, why: &str) {
        self.finding(
            name,
            FindingKind::UnresolvedCall { method: method.to_string(), candidates: vec![service.to_string()] },
            format!("`{method}(...)` on {service}: {why}, so it is left out of the policy; write it as a literal in the call"),
        );
    }

    fn finding(&mut self, at: Node<'t>, kind: FindingKind, message: String) {
        self.found.findings.push(Finding { span: span(at), kind, message });
    }

    /// Record one operation call, or an unknown-method finding when the service has no such operation.
    fn emit(&mut self, site: &Site<'t>, service: &str, operation: &str, via: CallVia, args: Vec<(String, Value)>) {
        let Some(svc) = self.catalog.service(service) else { return };
        let known = svc.operation(operation).is_some() || matches!(&via, CallVia::Injected { method } if svc.injected(method).is_some());
        if let (false, Some(at)) = (known, operation.find("Command")) {
            // A command class misspelt after its operation (`GetObjectCommandd`).
            let suggestions: Vec<String> = svc.operation(&operation[..at]).map(|op| format!("{}Command", op.name)).into_iter().collect();
            let hint = suggestions.first().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            self.finding(
                site.name,
                FindingKind::UnknownMethod { service: service.to_string(), method: operation.to_string(), suggestions },
                format!("`{operation}` is not a command of the {service} client package{hint}"),
            );
            return;
        }
        if !known {
            let suggestions: Vec<String> =
                svc.nearest_methods(operation, 3).iter().filter_map(|m| svc.operation_by_method(m)).map(|o| o.name.clone()).collect();
            let hint = suggestions.first().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            self.finding(
                site.name,
                FindingKind::UnknownMethod { service: service.to_string(), method: operation.to_string(), suggestions },
                format!("{service} has no operation `{operation}`{hint}"),
            );
            return;
        }
        let defs = enclosing_defs(site.call, self.ctx.src);
        self.found.calls.push(SdkCall {
            span: span(site.call),
            name_span: span(site.name),
            service: service.to_string(),
            operation: operation.to_string(),
            via,
            text: one_line(self.ctx.text(site.call)),
            args,
            confidence: site.confidence,
            scope: qualified_name(&defs),
            region: site.region.clone(),
        });
        self.found.defs.push(defs);
    }
}

/// `command`, `getCmd`, `putObjectCommand`: an argument named as an SDK command.
fn names_a_command(arg: &str) -> bool {
    let lower = arg.to_ascii_lowercase();
    arg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') && (lower.ends_with("command") || lower == "cmd" || lower.ends_with("cmd"))
}

/// A presigned POST key with `${filename}` parts made unknown.
fn filename_unknown(value: Value) -> Value {
    let Value::Text(parts) = value else { return value };
    let mut out = Vec::new();
    for part in parts {
        match part {
            TextPart::Literal(s) if s.contains("${filename}") => {
                for (i, piece) in s.split("${filename}").enumerate() {
                    if i > 0 {
                        out.push(TextPart::Unknown);
                    }
                    if !piece.is_empty() {
                        out.push(TextPart::Literal(piece.to_string()));
                    }
                }
            }
            other => out.push(other),
        }
    }
    Value::Text(out)
}

/// Up to three known names close to `name`.
fn nearest(name: &str, known: &[String]) -> Vec<String> {
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(usize, &String)> =
        known.iter().map(|k| (edit_distance(&lower, &k.to_ascii_lowercase()), k)).filter(|(d, _)| *d <= 3).collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, k)| k.clone()).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = if ca == b[j] { prev } else { 1 + prev.min(row[j]).min(row[j + 1]) };
            prev = cur;
        }
    }
    row[b.len()]
}
