//! The statement walk: visits a file's statements in source order, keeps the
//! bindings each one makes (assignments, imports, `with ... as`, `for`,
//! parameters, definitions), and — in the emitting walk — hands every call
//! and attribute access to the call classifier.
//!
//! The same walk, without emitting, evaluates what a function returns (client
//! factories) and what a class's methods assign to `self`. Above `resolve`,
//! `import_syms` and `calls`; below `facts`, `incremental` and `index`.

use super::analyzer::{Analyzer, Eval};
use super::imports;
use super::scope::{DefInfo, Env, Frame, FrameKind, ScopeEntry};
use super::symbols::Sym;
use super::syntax::FieldExt;
use super::syntax::{named_children, span, text, unwrap_expr};
use iamlens_engine::model::{CodeScope, ScopeKind};
use std::collections::HashMap;
use tree_sitter::Node;

/// What a walk does besides binding names.
#[derive(Default)]
pub struct Mode {
    /// Classify calls into SdkCalls/findings.
    pub emit: bool,
    /// Collect the values of `return` statements.
    pub returns: Option<Vec<Sym>>,
    /// Collect `self.<attr> = value` for the class at this start byte.
    pub self_attrs: Option<(usize, Vec<(String, Sym)>)>,
    /// Also write module-level bindings to the analyzer's module environment.
    pub module_prepass: bool,
}

impl<'a> Analyzer<'a> {
    pub fn walk_block(&self, block: Node<'a>, env: &mut Env<'a>, mode: &mut Mode, scopes: &mut Vec<ScopeEntry>) {
        let Some(_guard) = self.enter() else {
            // Too deep to keep bindings: still find the calls in it.
            if mode.emit {
                self.scan_expr(block, env, scopes);
            }
            return;
        };
        for stmt in named_children(block) {
            self.walk_stmt(stmt, env, mode, scopes);
        }
    }

    pub fn walk_stmt(&self, stmt: Node<'a>, env: &mut Env<'a>, mode: &mut Mode, scopes: &mut Vec<ScopeEntry>) {
        let Some(_guard) = self.enter() else {
            self.emit_scan(stmt, env, mode, scopes);
            return;
        };
        match stmt.kind() {
            "expression_statement" => {
                for child in named_children(stmt) {
                    match child.kind() {
                        "assignment" => self.assignment(child, env, mode, scopes),
                        "augmented_assignment" => self.emit_scan(child, env, mode, scopes),
                        _ => self.emit_scan(child, env, mode, scopes),
                    }
                }
            }
            "return_statement" => {
                let value = stmt.named_child(0);
                if let Some(v) = value {
                    self.emit_scan(v, env, mode, scopes);
                }
                if let Some(returns) = mode.returns.as_mut() {
                    returns.push(value.map_or(Sym::Foreign, |v| self.eval(v, env)));
                }
            }
            "import_statement" | "import_from_statement" => {
                for b in imports::bindings(stmt, self.src) {
                    let sym = self.import_sym(&b);
                    self.bind_name(b.name, sym, env, mode);
                }
            }
            "function_definition" => self.function_def(stmt, None, env, mode, scopes),
            "class_definition" => self.class_def(stmt, env, mode, scopes),
            "decorated_definition" => {
                for d in named_children(stmt) {
                    if d.kind() == "decorator" {
                        self.emit_scan(d, env, mode, scopes);
                    }
                }
                if let Some(def) = stmt.field("definition") {
                    if def.kind() == "function_definition" {
                        self.function_def(def, Some(stmt), env, mode, scopes);
                    } else {
                        self.walk_stmt(def, env, mode, scopes);
                    }
                }
            }
            "for_statement" => {
                if let Some(iter) = stmt.field("right") {
                    self.emit_scan(iter, env, mode, scopes);
                    let item = self.iteration_item(self.eval(iter, env));
                    if let Some(target) = stmt.field("left") {
                        self.bind_target(target, item, env, mode);
                    }
                }
                self.walk_children_blocks(stmt, env, mode, scopes);
            }
            "with_statement" => {
                for clause in named_children(stmt) {
                    if clause.kind() != "with_clause" {
                        continue;
                    }
                    for item in named_children(clause) {
                        let Some(value) = item.field("value") else { continue };
                        if value.kind() == "as_pattern" {
                            let expr = value.named_child(0);
                            if let Some(e) = expr {
                                self.emit_scan(e, env, mode, scopes);
                            }
                            let sym = expr.map_or(Sym::Unknown, |e| self.eval(e, env));
                            if let Some(target) = value.field("alias") {
                                let target = target.named_child(0).unwrap_or(target);
                                self.bind_target(target, sym, env, mode);
                            }
                        } else {
                            self.emit_scan(value, env, mode, scopes);
                        }
                    }
                }
                self.walk_children_blocks(stmt, env, mode, scopes);
            }
            "if_statement"
            | "while_statement"
            | "try_statement"
            | "match_statement"
            | "elif_clause"
            | "else_clause"
            | "except_clause"
            | "finally_clause"
            | "case_clause"
            | "block"
            | "except_group_clause" => {
                for child in named_children(stmt) {
                    match child.kind() {
                        "block" | "elif_clause" | "else_clause" | "except_clause" | "finally_clause" | "case_clause" | "except_group_clause" => {
                            self.walk_stmt(child, env, mode, scopes)
                        }
                        _ if stmt.kind() == "block" => self.walk_stmt(child, env, mode, scopes),
                        _ => self.emit_scan(child, env, mode, scopes),
                    }
                }
            }
            "ERROR" => {
                // Recovery: statements inside an error region still count.
                for child in named_children(stmt) {
                    if is_statement(child.kind()) {
                        self.walk_stmt(child, env, mode, scopes);
                    } else {
                        self.emit_scan(child, env, mode, scopes);
                    }
                }
            }
            "comment"
            | "pass_statement"
            | "break_statement"
            | "continue_statement"
            | "global_statement"
            | "nonlocal_statement"
            | "future_import_statement" => {}
            _ => self.emit_scan(stmt, env, mode, scopes),
        }
    }

    fn walk_children_blocks(&self, stmt: Node<'a>, env: &mut Env<'a>, mode: &mut Mode, scopes: &mut Vec<ScopeEntry>) {
        for child in named_children(stmt) {
            if matches!(child.kind(), "block" | "else_clause") {
                self.walk_stmt(child, env, mode, scopes);
            }
        }
    }

    fn emit_scan(&self, node: Node<'a>, env: &Env<'a>, mode: &Mode, scopes: &mut [ScopeEntry]) {
        if mode.emit {
            self.scan_expr(node, env, scopes);
        }
    }

    fn assignment(&self, node: Node<'a>, env: &mut Env<'a>, mode: &mut Mode, scopes: &mut Vec<ScopeEntry>) {
        let right = node.field("right");
        let left = node.field("left");
        let annotation = node.field("type");
        if let Some(r) = right {
            if r.kind() == "assignment" {
                // `a = b = expr`
                self.assignment(r, env, mode, scopes);
                let inner_value = innermost_value(r);
                if let (Some(l), Some(v)) = (left, inner_value) {
                    let sym = self.eval(v, env);
                    self.bind_target(l, sym, env, mode);
                }
                return;
            }
            self.emit_scan(r, env, mode, scopes);
        }
        let Some(left) = left else { return };
        // `client = None` placeholders (in an `else`, before a lazy init) do not hide a
        // client, nor `SQSClient = object` the stub type of `if TYPE_CHECKING:` (mypy-boto3's idiom).
        let placeholder = right.is_some_and(|r| r.kind() == "none" || matches!(text(r, self.src), "object" | "Any" | "typing.Any"));
        if placeholder && left.kind() == "identifier" && self.lookup(text(left, self.src), env).is_aws() {
            return;
        }
        let annotated = annotation.and_then(|a| self.annotation_instance(a, env));
        match (left.kind(), right.map(unwrap_expr)) {
            ("pattern_list" | "tuple_pattern", Some(r)) if matches!(r.kind(), "expression_list" | "tuple") => {
                let targets: Vec<Node> = named_children(left).collect();
                let values: Vec<Node> = named_children(r).collect();
                for (i, t) in targets.iter().enumerate() {
                    let sym = if targets.len() == values.len() { self.eval(values[i], env) } else { Sym::Unknown };
                    self.bind_target(*t, sym, env, mode);
                }
            }
            _ => {
                let sym = match (annotated, right) {
                    (Some(a), _) => a,
                    (None, Some(r)) => self.eval(r, env),
                    (None, None) => return,
                };
                self.bind_target(left, sym, env, mode);
            }
        }
    }

    /// Bind an assignment / for / with target.
    pub fn bind_target(&self, target: Node<'a>, sym: Sym, env: &mut Env<'a>, mode: &mut Mode) {
        match target.kind() {
            "identifier" => self.bind_name(text(target, self.src), sym, env, mode),
            "attribute" => {
                let (Some(obj), Some(attr)) = (target.field("object"), target.field("attribute")) else {
                    return;
                };
                if let Some((class, attrs)) = mode.self_attrs.as_mut() {
                    if matches!(self.eval(obj, env), Sym::SelfOf(c) if c == *class) {
                        attrs.push((text(attr, self.src).to_string(), sym.clone()));
                    }
                }
                // `self._local.conn = session.resource("s3")` then `return self._local.conn`:
                // inside a function the path itself holds the value.
                let path = text(target, self.src);
                if sym.is_aws() && env.frames.len() > 1 && is_dotted_path(path) {
                    env.set(path, sym);
                }
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" => {
                for t in named_children(target) {
                    self.bind_target(t, Sym::Unknown, env, mode);
                }
            }
            _ => {}
        }
    }

    pub fn bind_name(&self, name: &'a str, sym: Sym, env: &mut Env<'a>, mode: &Mode) {
        if mode.module_prepass && env.frames.len() == 1 {
            self.module_env.borrow_mut().insert(name, sym.clone());
        }
        env.set(name, sym);
    }

    fn function_def(&self, def: Node<'a>, decorated: Option<Node<'a>>, env: &mut Env<'a>, mode: &mut Mode, scopes: &mut Vec<ScopeEntry>) {
        let Some(name_node) = def.field("name") else { return };
        let name = text(name_node, self.src);
        self.defs.borrow_mut().insert(def.start_byte(), def);
        let class = env.frames.last().filter(|f| f.kind == FrameKind::Class).and_then(|f| f.owner);
        self.def_info.borrow_mut().insert(def.start_byte(), DefInfo::from_decorated(decorated, self.src, class));
        if !mode.emit {
            self.bind_name(name, Sym::Function(def.start_byte()), env, mode);
            return;
        }
        let mut frame = Frame::new(FrameKind::Function);
        self.bind_params(def, &mut frame, env, false);
        let qualname = qualify(scopes, name);
        scopes.push(ScopeEntry {
            kind: ScopeKind::Function,
            qualname: Some(qualname),
            span: span(def),
            name_span: span(name_node),
            has_calls: false,
        });
        env.frames.push(frame);
        if let Some(body) = def.field("body") {
            let mut inner = Mode { emit: true, ..Mode::default() };
            self.walk_block(body, env, &mut inner, scopes);
        }
        env.frames.pop();
        self.close_scope(scopes);
        self.bind_name(name, Sym::Function(def.start_byte()), env, mode);
    }

    fn class_def(&self, class: Node<'a>, env: &mut Env<'a>, mode: &mut Mode, scopes: &mut Vec<ScopeEntry>) {
        let Some(name_node) = class.field("name") else { return };
        let name = text(name_node, self.src);
        self.defs.borrow_mut().insert(class.start_byte(), class);
        if mode.emit {
            let qualname = qualify(scopes, name);
            scopes.push(ScopeEntry {
                kind: ScopeKind::Class,
                qualname: Some(qualname),
                span: span(class),
                name_span: span(name_node),
                has_calls: false,
            });
            if let Some(sup) = class.field("superclasses") {
                self.scan_expr(sup, env, scopes);
            }
            let mut frame = Frame::new(FrameKind::Class);
            frame.owner = Some(class.start_byte());
            env.frames.push(frame);
            if let Some(body) = class.field("body") {
                let mut inner = Mode { emit: true, ..Mode::default() };
                self.walk_block(body, env, &mut inner, scopes);
            }
            env.frames.pop();
            self.close_scope(scopes);
        }
        self.bind_name(name, Sym::Class(class.start_byte()), env, mode);
    }

    fn close_scope(&self, scopes: &mut Vec<ScopeEntry>) {
        if let Some(entry) = scopes.pop() {
            if entry.has_calls {
                if let Some(parent) = scopes.last_mut() {
                    parent.has_calls = true;
                }
                self.out.borrow_mut().scopes.push(CodeScope { kind: entry.kind, name: entry.qualname, span: entry.span, name_span: entry.name_span });
            }
        }
    }

    /// Bind a function's parameters: `self`/`cls`, annotated stub types,
    /// AWS default values; in factory mode the rest become `Param`s.
    pub(super) fn bind_params(&self, def: Node<'a>, frame: &mut Frame<'a>, env: &Env<'a>, factory: bool) {
        let Some(params) = def.field("parameters") else { return };
        let info = self.def_info.borrow().get(&def.start_byte()).copied().unwrap_or_default();
        let (class, is_static, is_classmethod) = (info.class, info.is_static, info.is_classmethod);
        let injected = self.injected_client(def);
        let mut index = 0usize;
        for p in named_children(params) {
            let (name_node, annotation, default) = match p.kind() {
                "identifier" => (Some(p), None, None),
                "typed_parameter" => (p.named_child(0).filter(|n| n.kind() == "identifier"), p.field("type"), None),
                "default_parameter" => (p.field("name"), None, p.field("value")),
                "typed_default_parameter" => (p.field("name"), p.field("type"), p.field("value")),
                "dictionary_splat_pattern" => {
                    // `**kwargs` a decorator puts the client in (`kwargs.pop("client")`).
                    let client = injected.as_ref().and_then(|i| self.injected_param(i, "client"));
                    if let (Some(client), Some(n)) = (client, p.named_child(0).filter(|n| n.kind() == "identifier")) {
                        frame.vars.insert(text(n, self.src), Sym::Kwargs(Box::new(client)));
                    }
                    (None, None, None)
                }
                _ => (None, None, None),
            };
            let Some(name_node) = name_node.filter(|n| n.kind() == "identifier") else {
                index += 1;
                continue;
            };
            let name = text(name_node, self.src);
            let sym = if index == 0 && class.is_some() && !is_static {
                let c = class.unwrap_or_default();
                if is_classmethod {
                    Sym::Class(c)
                } else {
                    Sym::SelfOf(c)
                }
            } else if let Some(s) = annotation.and_then(|a| self.annotation_instance(a, env)) {
                s
            } else if let Some(s) = injected.as_ref().filter(|_| annotation.is_none()).and_then(|i| self.injected_param(i, name)) {
                s
            } else if let Some(s) = default.map(|d| self.eval(d, env)).filter(Sym::is_aws) {
                s
            } else if let Some(s) = (!factory && annotation.is_none_or(|a| is_generic_client_annotation(text(a, self.src))))
                .then(|| self.param_from_callers(def, index, name))
                .flatten()
            {
                s
            } else if let Some(class) =
                annotation.map(|a| if a.kind() == "type" { a.named_child(0).unwrap_or(a) } else { a }).and_then(|a| match self.eval(a, env) {
                    Sym::Class(c) => Some(c),
                    _ => None,
                })
            {
                // Annotated with a class of the project: an instance of it, whose
                // attributes may hold clients (`db: OrdersStore` → `db.table.get_item`).
                Sym::Instance(class)
            } else if let Some(s) = annotation.and_then(|a| self.other_module_instance(a, env)) {
                s
            } else if annotation.is_some_and(|a| !is_generic_client_annotation(text(a, self.src))) && !factory {
                // Annotated with a type that is not an AWS stub: not a client. A generic
                // annotation (`BaseClient`, `Any`, `object`) says nothing: read like none.
                Sym::Foreign
            } else if factory {
                Sym::Param(index, name.to_string())
            } else {
                Sym::Unknown
            };
            frame.vars.insert(name, sym);
            index += 1;
        }
    }

    /// An annotation naming a class of another module of the project: an
    /// instance of it (its indexed attributes), or something iamlens cannot see into.
    fn other_module_instance(&self, annotation: Node<'a>, env: &Env<'a>) -> Option<Sym> {
        let a = if annotation.kind() == "type" { annotation.named_child(0).unwrap_or(annotation) } else { annotation };
        match self.eval(a, env) {
            Sym::ExternalClass(attrs) => Some(Sym::ExternalInstance(attrs)),
            Sym::ProjectOpaque => Some(Sym::ProjectOpaque),
            _ => None,
        }
    }

    /// The values of a function's `return` statements, from a non-emitting walk of its body.
    pub fn collect_returns(&self, def: Node<'a>) -> Vec<Sym> {
        let mut env = Env::module();
        let mut frame = Frame::new(FrameKind::Function);
        self.bind_params(def, &mut frame, &env, true);
        env.frames.push(frame);
        let mut mode = Mode { returns: Some(Vec::new()), ..Mode::default() };
        let mut scopes = Vec::new();
        if let Some(body) = def.field("body") {
            self.walk_block(body, &mut env, &mut mode, &mut scopes);
        }
        mode.returns.unwrap_or_default()
    }

    /// Class-level assignments, then `self.x = ...` in `__init__` and the other methods.
    pub fn compute_class_attributes(&self, class_id: usize, class: Node<'a>) -> HashMap<String, Sym> {
        let mut attrs: HashMap<String, Sym> = HashMap::new();
        let Some(body) = class.field("body") else { return attrs };
        let mut env = Env::module();
        env.frames.push(Frame::new(FrameKind::Class));
        let mut mode = Mode::default();
        let mut scopes = Vec::new();
        let mut methods = Vec::new();
        for stmt in named_children(body) {
            let decorated = (stmt.kind() == "decorated_definition").then_some(stmt);
            let def = if decorated.is_some() { stmt.field("definition") } else { Some(stmt) };
            match def {
                Some(d) if d.kind() == "function_definition" => {
                    self.def_info.borrow_mut().insert(d.start_byte(), DefInfo::from_decorated(decorated, self.src, Some(class_id)));
                    methods.push(d)
                }
                _ => self.walk_stmt(stmt, &mut env, &mut mode, &mut scopes),
            }
        }
        if let Some(frame) = env.frames.pop() {
            for (k, v) in frame.vars {
                attrs.insert(k.to_string(), v);
            }
        }
        // A dataclass-like class's field defaults hold only for instances made
        // without that field: what its constructions pass decides.
        if !methods.iter().any(|m| m.field("name").is_some_and(|n| text(n, self.src) == "__init__")) {
            for (field, value) in self.fields_set_by_constructors(class) {
                attrs.insert(field, value);
            }
        }
        methods.sort_by_key(|m| m.field("name").is_none_or(|n| text(n, self.src) != "__init__"));
        for m in methods {
            let mut env = Env::module();
            let mut frame = Frame::new(FrameKind::Function);
            self.bind_params(m, &mut frame, &env, false);
            env.frames.push(frame);
            let mut mode = Mode { self_attrs: Some((class_id, Vec::new())), ..Mode::default() };
            if let Some(b) = m.field("body") {
                self.walk_block(b, &mut env, &mut mode, &mut scopes);
            }
            for (name, sym) in mode.self_attrs.map(|(_, a)| a).unwrap_or_default() {
                let better = match attrs.get(&name) {
                    None => true,
                    Some(old) => !old.is_aws() && sym.is_aws(),
                };
                if better {
                    attrs.insert(name, sym);
                }
            }
        }
        attrs
    }
}

fn innermost_value(mut assign: Node) -> Option<Node> {
    for _ in 0..64 {
        let r = assign.field("right")?;
        if r.kind() != "assignment" {
            return Some(r);
        }
        assign = r;
    }
    None
}

fn qualify(scopes: &[ScopeEntry], name: &str) -> String {
    match scopes.iter().rev().find_map(|s| s.qualname.as_deref()) {
        Some(parent) => format!("{parent}.{name}"),
        None => name.to_string(),
    }
}

/// `a.b.c`: names and dots only.
pub(super) fn is_dotted_path(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

fn is_statement(kind: &str) -> bool {
    kind.ends_with("_statement") || matches!(kind, "function_definition" | "class_definition" | "decorated_definition")
}

/// Annotations that say "some client" or nothing at all: `BaseClient`,
/// `botocore.client.BaseClient`, `AioBaseClient`, `Any`, `object`, optionally
/// quoted or `Optional[...]`.
fn is_generic_client_annotation(annotation: &str) -> bool {
    let inner = annotation.trim().trim_matches(|c| c == '"' || c == '\'');
    let inner = inner.strip_prefix("Optional[").and_then(|s| s.strip_suffix(']')).unwrap_or(inner);
    let last = inner.rsplit('.').next().unwrap_or(inner).trim();
    // `boto3.client` / `boto3.resource` (the factories, used as types) say as
    // little, and so does the builtin `any` written where `Any` was meant.
    matches!(last, "BaseClient" | "AioBaseClient" | "Any" | "any" | "object" | "ServiceResource" | "client" | "resource")
}
