//! Evaluation of expressions to [`Sym`]s: literals, templates, objects,
//! names (through [`Decls`]), imports (SDK modules, project modules through
//! the index), `new` of SDK classes (clients, commands), factories and
//! helpers (what a function returns), `this.x` fields, typed parameters and
//! parameters whose every caller passes the same kind of value.

use crate::decls::{DeclKind, Decls, Imported, Step};
use crate::index::ProjectIndex;
use crate::naming::{names, operation_for_command};
use crate::sdk::{classify, document_operation, SdkModule};
use crate::sym::{join, Client, ClientKind, Command, Sym};
use crate::syntax::{decode_escape, named_children, string_literal, text, unwrap_expr};
use iamlens_engine::model::{Confidence, TextPart};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::Path;
use tree_sitter::Node;

/// How deep evaluation may follow names, calls and modules.
const MAX_DEPTH: u32 = 40;

/// Evaluation steps one file may take: generated or pathological code ends
/// as unknown values instead of taking unbounded time.
const MAX_STEPS: u32 = 2_000_000;

/// What is memoised: a binding's value, a function's returns, a class
/// member, a parameter from its callers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum MemoKey {
    Value(usize),
    Returns(usize),
    Member(usize, String),
    Param(usize, usize),
}

/// A memoised result, with the names its evaluation looked up (see [`Ctx::take_reads`]);
/// `None` while in progress: a cycle reads unknown.
type MemoSlot = (Option<Sym>, Vec<u64>);

/// One file under analysis: its source, bindings, and the project around it.
pub struct Ctx<'t, 'a> {
    pub src: &'t str,
    pub root: Node<'t>,
    pub decls: Decls<'t>,
    pub index: &'a ProjectIndex,
    pub module_path: &'a Path,
    /// Results computed once per file.
    memo: RefCell<HashMap<MemoKey, MemoSlot>>,
    steps: Cell<u32>,
    /// Set once evaluation reads an export of another module (a value the
    /// index may change; which modules exist it never does).
    read_exports: Cell<bool>,
    /// Hashes of the names evaluation looked up in the file's bindings and
    /// call sites since the last [`Ctx::take_reads`], memoised results'
    /// included: what a top-level statement's analysis depends on outside it.
    reads: RefCell<Vec<u64>>,
    /// Set when a result may depend on the order calls were evaluated in (a
    /// cycle read unknown, a depth or step limit cut evaluation short).
    order_sensitive: Cell<bool>,
}

impl<'t, 'a> Ctx<'t, 'a> {
    pub fn new(root: Node<'t>, src: &'t str, index: &'a ProjectIndex, module_path: &'a Path) -> Ctx<'t, 'a> {
        Ctx::with_decls(root, src, Decls::build(root, src), index, module_path)
    }

    /// A context over bindings already collected from `root` (by [`Decls::build`]).
    pub fn with_decls(root: Node<'t>, src: &'t str, decls: Decls<'t>, index: &'a ProjectIndex, module_path: &'a Path) -> Ctx<'t, 'a> {
        Ctx {
            src,
            root,
            decls,
            index,
            module_path,
            memo: RefCell::default(),
            steps: Cell::new(0),
            read_exports: Cell::new(false),
            reads: RefCell::default(),
            order_sensitive: Cell::new(false),
        }
    }

    /// The names looked up since the last call (hashed, sorted, once each), forgotten here.
    pub fn take_reads(&self) -> Vec<u64> {
        let mut reads = std::mem::take(&mut *self.reads.borrow_mut());
        reads.sort_unstable();
        reads.dedup();
        reads
    }

    /// Whether some result so far may depend on evaluation order (see [`Ctx::order_sensitive`]).
    pub fn order_sensitive(&self) -> bool {
        self.order_sensitive.get()
    }

    /// Evaluation steps taken so far.
    pub fn steps(&self) -> u32 {
        self.steps.get()
    }

    fn read(&self, space: Space, name: &str) {
        self.reads.borrow_mut().push(dep_hash(space, name));
    }

    /// The binding of `name` visible at `at` (noted as read).
    fn lookup(&self, name: &str, at: usize) -> Option<&crate::decls::Decl<'t>> {
        self.read(Space::Binding, name);
        self.decls.lookup(name, at)
    }

    /// The values assigned to plain name `name` (noted as read).
    fn assigned(&self, name: &str) -> Option<&Vec<Node<'t>>> {
        self.read(Space::Binding, name);
        self.decls.assigned.get(name)
    }

    /// The bindings, for another context over the same tree (evaluation never changes them).
    pub fn into_decls(self) -> Decls<'t> {
        self.decls
    }

    /// Whether evaluation has read an export of another module so far.
    pub fn read_exports(&self) -> bool {
        self.read_exports.get()
    }

    /// Export `name` of project module `path` (from the index).
    fn export(&self, path: &Path, name: &str, d: u32) -> Sym {
        self.read_exports.set(true);
        self.index.export(path, name, d)
    }

    fn memo(&self, key: MemoKey, compute: impl FnOnce() -> Sym) -> Sym {
        if let Some((slot, reads)) = self.memo.borrow().get(&key) {
            self.reads.borrow_mut().extend_from_slice(reads);
            if slot.is_none() {
                self.order_sensitive.set(true);
            }
            return slot.clone().unwrap_or(Sym::Unknown);
        }
        self.memo.borrow_mut().insert(key.clone(), (None, Vec::new()));
        let before = self.reads.borrow().len();
        let value = compute();
        let mut reads = self.reads.borrow()[before..].to_vec();
        reads.sort_unstable();
        reads.dedup();
        self.memo.borrow_mut().insert(key, (Some(value.clone()), reads));
        value
    }

    pub fn text(&self, node: Node) -> &'t str {
        text(node, self.src)
    }

    /// What `node` evaluates to.
    pub fn eval(&self, node: Node<'t>, depth: u32) -> Sym {
        self.steps.set(self.steps.get().saturating_add(1));
        if depth > MAX_DEPTH || self.steps.get() > MAX_STEPS {
            self.order_sensitive.set(true);
            return Sym::Unknown;
        }
        let node = unwrap_expr(node);
        let d = depth + 1;
        match node.kind() {
            "string" => string_literal(node, self.src).map_or(Sym::Unknown, |s| Sym::literal(&s)),
            "template_string" => self.template(node, d),
            "number" => self.text(node).replace('_', "").parse::<f64>().map_or(Sym::Unknown, Sym::Num),
            "true" => Sym::Bool(true),
            "false" => Sym::Bool(false),
            "object" => self.object(node, d),
            "array" => {
                let mut items = Vec::new();
                for el in named_children(node) {
                    match el.kind() {
                        "spread_element" => match el.named_child(0).map(|x| self.eval(x, d)) {
                            Some(Sym::Array(more)) => items.extend(more),
                            _ => items.push(Sym::Unknown),
                        },
                        _ => items.push(self.eval(el, d)),
                    }
                }
                Sym::Array(items)
            }
            "identifier" | "shorthand_property_identifier" => self.name(self.text(node), node.start_byte(), d),
            "member_expression" | "subscript_expression" => self.member_expr(node, d),
            "new_expression" => self.new_expr(node, d),
            "call_expression" => self.call_expr(node, d),
            "binary_expression" => self.binary(node, d),
            "ternary_expression" => {
                let branches = ["consequence", "alternative"].iter().filter_map(|f| node.child_by_field_name(f)).map(|b| self.eval(b, d)).collect();
                join(branches)
            }
            "assignment_expression" => node.child_by_field_name("right").map_or(Sym::Unknown, |r| self.eval(r, d)),
            "sequence_expression" => node.named_child(node.named_child_count().saturating_sub(1) as u32).map_or(Sym::Unknown, |r| self.eval(r, d)),
            "arrow_function" | "function_expression" | "function" | "generator_function" | "function_declaration" => {
                Sym::Function(Box::new(self.returns(node, d)))
            }
            "class" | "class_declaration" | "regex" | "jsx_element" | "jsx_self_closing_element" => Sym::Foreign,
            _ => Sym::Unknown,
        }
    }

    fn template(&self, node: Node<'t>, d: u32) -> Sym {
        let mut parts: Vec<TextPart> = Vec::new();
        let push_lit = |parts: &mut Vec<TextPart>, s: &str| match parts.last_mut() {
            Some(TextPart::Literal(last)) => last.push_str(s),
            _ => parts.push(TextPart::Literal(s.to_string())),
        };
        for part in named_children(node) {
            match part.kind() {
                "string_fragment" => push_lit(&mut parts, self.text(part)),
                "escape_sequence" => {
                    let mut s = String::new();
                    decode_escape(&mut s, self.text(part));
                    push_lit(&mut parts, &s);
                }
                "template_substitution" => match part.named_child(0).map(|e| self.eval(e, d)) {
                    Some(Sym::Str(inner)) => {
                        for p in inner {
                            match p {
                                TextPart::Literal(s) => push_lit(&mut parts, &s),
                                other => parts.push(other),
                            }
                        }
                    }
                    Some(Sym::Num(n)) => push_lit(&mut parts, &format_number(n)),
                    _ => parts.push(TextPart::Unknown),
                },
                _ => {}
            }
        }
        Sym::Str(parts)
    }

    fn object(&self, node: Node<'t>, d: u32) -> Sym {
        let mut fields: Vec<(String, Sym)> = Vec::new();
        for part in named_children(node) {
            match part.kind() {
                "pair" => {
                    let (Some(key), Some(value)) = (part.child_by_field_name("key"), part.child_by_field_name("value")) else { continue };
                    let key = match key.kind() {
                        "string" => string_literal(key, self.src),
                        "computed_property_name" => key.named_child(0).and_then(|k| self.eval(k, d).exact_str()),
                        _ => Some(self.text(key).to_string()),
                    };
                    if let Some(key) = key {
                        fields.push((key, self.eval(value, d)));
                    }
                }
                "shorthand_property_identifier" => fields.push((self.text(part).to_string(), self.eval(part, d))),
                "spread_element" => {
                    if let Some(Sym::Object(more)) = part.named_child(0).map(|x| self.eval(x, d)) {
                        fields.extend(more);
                    }
                }
                _ => {}
            }
        }
        Sym::Object(fields)
    }

    fn binary(&self, node: Node<'t>, d: u32) -> Sym {
        let (Some(left), Some(right), Some(op)) =
            (node.child_by_field_name("left"), node.child_by_field_name("right"), node.child_by_field_name("operator"))
        else {
            return Sym::Unknown;
        };
        match self.text(op) {
            "+" => match (self.eval(left, d), self.eval(right, d)) {
                (Sym::Num(a), Sym::Num(b)) => Sym::Num(a + b),
                (a @ (Sym::Str(_) | Sym::Num(_)), b) | (a, b @ (Sym::Str(_) | Sym::Num(_))) => {
                    let mut parts = str_parts(&a);
                    parts.extend(str_parts(&b));
                    Sym::Str(merge_literals(parts))
                }
                _ => Sym::Unknown,
            },
            // `bucket ?? "default"`: a value known on the left is the value;
            // an unknown one may be either, so only a client falls back.
            "??" | "||" => match self.eval(left, d) {
                Sym::Str(parts) if parts.iter().all(|p| matches!(p, TextPart::Literal(_))) => Sym::Str(parts),
                Sym::Str(_) | Sym::Num(_) | Sym::Bool(_) => Sym::Str(vec![TextPart::Unknown]),
                Sym::Unknown => match self.eval(right, d) {
                    Sym::Client(c) => Sym::Client(Client { confidence: Confidence::Medium, ..c }),
                    Sym::Str(_) => Sym::Str(vec![TextPart::Unknown]),
                    _ => Sym::Unknown,
                },
                known => known,
            },
            _ => Sym::Unknown,
        }
    }

    /// A name visible at `at`.
    pub fn name(&self, name: &str, at: usize, d: u32) -> Sym {
        let Some(decl) = self.lookup(name, at) else {
            // An undeclared (global) name: what the file assigns to it (`s3 = new AWS.S3()` in sloppy scripts).
            if let Some(assigned) = self.assigned(name) {
                return join(assigned.iter().map(|v| self.value_of(*v, d)).collect());
            }
            return match name {
                "undefined" | "globalThis" | "window" => Sym::Unknown,
                "Promise" | "JSON" | "Math" | "console" | "Object" | "Array" | "Date" | "Map" | "Set" | "String" | "Number" | "Buffer" | "fetch"
                | "setTimeout" | "crypto" => Sym::Foreign,
                _ => Sym::Unknown,
            };
        };
        match &decl.kind {
            DeclKind::Init(init) => {
                // `let client; ... client ??= new S3Client()`: the initialiser and every assignment.
                let assigned = self.assigned(name).map(|v| v.as_slice()).unwrap_or_default();
                let visible: Vec<Node<'t>> =
                    assigned.iter().copied().filter(|a| decl.scope.0 <= a.start_byte() && a.end_byte() <= decl.scope.1).collect();
                let mut values: Vec<Sym> = init.iter().map(|v| self.value_of(*v, d)).collect();
                values.extend(visible.iter().map(|v| self.value_of(*v, d)));
                join(values)
            }
            DeclKind::Opaque => Sym::Unknown,
            DeclKind::Pattern { value, path, default } => {
                // `const { TABLE } = process.env`: that variable, or anything when a default is given.
                if self.text(unwrap_expr(*value)) == "process.env" {
                    return match (path.as_slice(), default) {
                        ([Step::Key(name)], None) => Sym::Str(vec![TextPart::Env(name.clone())]),
                        _ => Sym::Str(vec![TextPart::Unknown]),
                    };
                }
                let got = self.at_path(self.value_of(*value, d), path, d);
                match (got, default) {
                    (Sym::Unknown, Some(def)) => self.eval(*def, d),
                    (got, _) => got,
                }
            }
            DeclKind::Import { source, what } => self.import(source, what, d),
            DeclKind::Function(node) => Sym::Function(Box::new(self.returns(*node, d))),
            DeclKind::Class(_) => Sym::Foreign,
            DeclKind::Param { func, index, ty, default, path } => self.param(*func, *index, *ty, *default, path, d),
            DeclKind::ForOf(iterable) => match self.eval(*iterable, d) {
                Sym::Array(items) => join(items),
                _ => Sym::Unknown,
            },
        }
    }

    /// A bound value, evaluated once per file.
    fn value_of(&self, value: Node<'t>, d: u32) -> Sym {
        self.memo(MemoKey::Value(value.id()), || self.eval(value, d))
    }

    fn at_path(&self, mut sym: Sym, path: &[Step], d: u32) -> Sym {
        for step in path {
            sym = match (step, sym) {
                (Step::Key(k), s) => self.member(s, k, d),
                (Step::Index(i), Sym::Array(items)) => items.get(*i).cloned().unwrap_or(Sym::Unknown),
                _ => Sym::Unknown,
            };
        }
        sym
    }

    /// What an import binds.
    pub fn import(&self, source: &str, what: &Imported, d: u32) -> Sym {
        if let Some(module) = classify(source) {
            return match what {
                Imported::Namespace | Imported::Default => Sym::Module(module),
                Imported::Named(name) => Sym::Export(module, name.clone()),
            };
        }
        if source.starts_with('.') {
            let Some(path) = self.index.resolve(self.module_path, source) else { return Sym::Unknown };
            return match what {
                Imported::Namespace => Sym::ProjectModule(path),
                Imported::Default => self.export(&path, "default", d),
                Imported::Named(name) => self.export(&path, name, d),
            };
        }
        Sym::Foreign
    }

    /// A property of a value.
    pub fn member(&self, sym: Sym, key: &str, d: u32) -> Sym {
        match sym {
            Sym::Object(_) => sym.get(key).cloned().unwrap_or(Sym::Unknown),
            Sym::Module(SdkModule::V2Client(svc)) => Sym::Export(SdkModule::V2Client(svc), key.to_string()),
            Sym::Module(module) => Sym::Export(module, key.to_string()),
            Sym::Export(module, name) => Sym::Export(module, format!("{name}.{key}")),
            Sym::ProjectModule(path) => self.export(&path, key, d),
            Sym::Foreign => Sym::Foreign,
            Sym::Array(items) if key == "length" => Sym::Num(items.len() as f64),
            _ => Sym::Unknown,
        }
    }

    fn member_expr(&self, node: Node<'t>, d: u32) -> Sym {
        let Some(object) = node.child_by_field_name("object").map(unwrap_expr) else { return Sym::Unknown };
        let key = match node.kind() {
            "member_expression" => node.child_by_field_name("property").map(|p| self.text(p).to_string()),
            _ => node.child_by_field_name("index").and_then(|i| self.eval(i, d).exact_str()),
        };
        // `process.env.X`, `process.env["X"]`: known only at run time, or
        // from the infrastructure code that sets it.
        if self.text(object) == "process.env" {
            return Sym::Str(vec![key.map_or(TextPart::Unknown, TextPart::Env)]);
        }
        let Some(key) = key else { return Sym::Unknown };
        if object.kind() == "this" {
            return self.this_member(node, &key, d);
        }
        // `Store.client`: a static member of a class of this file.
        if object.kind() == "identifier" {
            if let Some(DeclKind::Class(class)) = self.lookup(self.text(object), object.start_byte()).map(|d| &d.kind) {
                let class = *class;
                return self.memo(MemoKey::Member(class.id(), key.clone()), || self.class_member(class, &key, d));
            }
        }
        let base = self.eval(object, d);
        self.member(base, &key, d)
    }

    /// `this.key` inside a class: a field initialiser, a constructor
    /// parameter property, or an assignment `this.key = ...` in a method.
    fn this_member(&self, at: Node<'t>, key: &str, d: u32) -> Sym {
        let Some(class) = enclosing(at, &["class_declaration", "class", "abstract_class_declaration"]) else { return Sym::Unknown };
        self.memo(MemoKey::Member(class.id(), key.to_string()), || self.class_member(class, key, d))
    }

    fn class_member(&self, class: Node<'t>, key: &str, d: u32) -> Sym {
        let Some(body) = class.child_by_field_name("body") else { return Sym::Unknown };
        let mut found = Vec::new();
        let mut typed = Vec::new();
        for member in named_children(body) {
            match member.kind() {
                "field_definition" | "public_field_definition" => {
                    let name = member.child_by_field_name("property").or_else(|| member.child_by_field_name("name"));
                    if name.is_some_and(|n| self.text(n).trim_start_matches('#') == key.trim_start_matches('#')) {
                        if let Some(value) = member.child_by_field_name("value") {
                            found.push(self.eval(value, d));
                        } else if let Some(ty) = member.child_by_field_name("type") {
                            typed.push(self.type_sym(ty, d));
                        }
                    }
                }
                "method_definition" => {
                    let is_ctor = member.child_by_field_name("name").is_some_and(|n| self.text(n) == "constructor");
                    if is_ctor {
                        for p in member.child_by_field_name("parameters").map(named_children).unwrap_or_default() {
                            let is_property =
                                named_children(p).iter().any(|c| c.kind() == "accessibility_modifier" || c.kind() == "override_modifier")
                                    || has_token(p, "readonly");
                            let name = p.child_by_field_name("pattern");
                            if is_property && name.is_some_and(|n| self.text(n) == key) {
                                found.push(self.name(key, name.map_or(0, |n| n.start_byte()), d));
                            }
                        }
                    }
                    if member.child_by_field_name("name").is_some_and(|n| self.text(n) == key) {
                        found.push(Sym::Function(Box::new(self.returns(member, d))));
                    }
                }
                _ => {}
            }
        }
        crate::syntax::for_each_node(body, |n| {
            if n.kind() == "assignment_expression" {
                if let (Some(left), Some(right)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) {
                    if left.kind() == "member_expression"
                        && left.child_by_field_name("object").is_some_and(|o| o.kind() == "this")
                        && left.child_by_field_name("property").is_some_and(|p| self.text(p) == key)
                    {
                        found.push(self.eval(right, d));
                    }
                }
            }
        });
        // A declared type only settles a member nothing assigns.
        match join(found) {
            Sym::Unknown => join(typed),
            known => known,
        }
    }

    /// A type annotation naming an SDK client class (`S3Client`, `AWS.S3`):
    /// such a client, with medium confidence; another named type is foreign.
    pub fn type_sym(&self, ty: Node<'t>, d: u32) -> Sym {
        let ty = if ty.kind() == "type_annotation" { ty.named_child(0) } else { Some(ty) };
        let Some(ty) = ty else { return Sym::Unknown };
        let class = match ty.kind() {
            "type_identifier" => self.name(self.text(ty), ty.start_byte(), d),
            "nested_type_identifier" => {
                let (Some(module), Some(name)) = (ty.child_by_field_name("module"), ty.child_by_field_name("name")) else { return Sym::Unknown };
                let base = self.eval(module, d);
                self.member(base, self.text(name), d)
            }
            "generic_type" => return Sym::Unknown,
            _ => return Sym::Unknown,
        };
        match self.instantiate(class, None, d) {
            Sym::Client(c) => Sym::Client(Client { confidence: Confidence::Medium, ..c }),
            Sym::Commands(_) | Sym::Unknown => Sym::Unknown,
            _ => Sym::Foreign,
        }
    }

    /// A parameter: its type, its default, else what every caller in this file passes.
    fn param(&self, func: Node<'t>, index: usize, ty: Option<Node<'t>>, default: Option<Node<'t>>, path: &[Step], d: u32) -> Sym {
        if let Some(ty) = ty {
            match self.type_sym(ty, d) {
                Sym::Unknown => {}
                known => return known,
            }
        }
        let from_callers = self.callers_pass(func, index, d);
        let from_callers = if path.is_empty() { from_callers } else { self.at_path(from_callers, path, d) };
        if from_callers.is_known() {
            return from_callers;
        }
        match default.map(|x| self.eval(x, d)) {
            Some(Sym::Client(c)) => Sym::Client(Client { confidence: Confidence::Medium, ..c }),
            _ => Sym::Unknown,
        }
    }

    /// Argument `index` at every call of `func` in this file, joined; unknown
    /// when the function has no name or no caller here.
    fn callers_pass(&self, func: Node<'t>, index: usize, d: u32) -> Sym {
        self.memo(MemoKey::Param(func.id(), index), || self.callers_pass_now(func, index, d))
    }

    fn callers_pass_now(&self, func: Node<'t>, index: usize, d: u32) -> Sym {
        let name = match func.kind() {
            "function_declaration" | "generator_function_declaration" | "method_definition" => func.child_by_field_name("name"),
            _ => func.parent().filter(|p| p.kind() == "variable_declarator").and_then(|p| p.child_by_field_name("name")),
        };
        let Some(name) = name else { return Sym::Unknown };
        // A constructor's callers are the `new`s of its class.
        let class_name = (self.text(name) == "constructor")
            .then(|| enclosing(func, &["class_declaration", "class"]).and_then(|c| c.child_by_field_name("name")))
            .flatten();
        let calls = match class_name {
            Some(class) => {
                self.read(Space::New, self.text(class));
                self.decls.news_of.get(self.text(class))
            }
            None => {
                self.read(Space::Call, self.text(name));
                self.decls.calls_of.get(self.text(name))
            }
        };
        let Some(calls) = calls else { return Sym::Unknown };
        let mut passed = Vec::new();
        for call in calls.iter().filter(|c| !(func.start_byte() <= c.start_byte() && c.end_byte() <= func.end_byte())) {
            let args = call.child_by_field_name("arguments").map(named_children).unwrap_or_default();
            match args.get(index) {
                Some(arg) if arg.kind() != "spread_element" => passed.push(self.eval(*arg, d)),
                _ => return Sym::Unknown,
            }
        }
        if passed.iter().any(|p| !p.is_known()) {
            return Sym::Unknown;
        }
        join(passed)
    }

    /// What a function returns: its expression body, or its `return`s joined.
    pub fn returns(&self, func: Node<'t>, d: u32) -> Sym {
        self.memo(MemoKey::Returns(func.id()), || self.returns_now(func, d))
    }

    fn returns_now(&self, func: Node<'t>, d: u32) -> Sym {
        if d > MAX_DEPTH {
            self.order_sensitive.set(true);
            return Sym::Unknown;
        }
        let Some(body) = func.child_by_field_name("body") else { return Sym::Unknown };
        if body.kind() != "statement_block" {
            return self.eval(body, d + 1);
        }
        let mut found = Vec::new();
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if n.kind() == "return_statement" {
                if let Some(v) = n.named_child(0) {
                    found.push(self.eval(v, d + 1));
                }
                continue;
            }
            if n.id() != body.id() && is_function(n.kind()) {
                continue;
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
        join(found)
    }

    fn new_expr(&self, node: Node<'t>, d: u32) -> Sym {
        let Some(ctor) = node.child_by_field_name("constructor") else { return Sym::Unknown };
        let class = self.eval(ctor, d);
        let first = node.child_by_field_name("arguments").and_then(|a| named_children(a).into_iter().next());
        // `new X()` of an undeclared global stays unknown (a browser's `AWS`
        // global); of anything else known, it is that library's object.
        self.instantiate(class, first, d)
    }

    /// `new class(first, ...)`.
    pub fn instantiate(&self, class: Sym, first: Option<Node<'t>>, d: u32) -> Sym {
        let config = || first.map_or(Sym::Unknown, |f| self.eval(f, d));
        let region = || config().get("region").and_then(Sym::exact_str);
        let bound = || config().get("params").map(Sym::fields).unwrap_or_default();
        let client = |service: &str, kind: ClientKind| {
            let bound = if matches!(kind, ClientKind::V2 | ClientKind::DocumentV2) { bound() } else { Vec::new() };
            Sym::Client(Client { service: service.to_string(), kind, region: region(), confidence: Confidence::High, bound })
        };
        match class {
            Sym::Export(SdkModule::V3Client(svc), name) => {
                let aggregated = names().v3_class(&svc).unwrap_or_default();
                let alias = crate::naming::V3_PACKAGE_ALIASES.iter().find(|(_, s, _)| *s == svc).map(|(_, _, class)| *class);
                if name == format!("{aggregated}Client") || alias.is_some_and(|a| name == format!("{a}Client")) {
                    client(&svc, ClientKind::V3)
                } else if name == aggregated || alias == Some(name.as_str()) {
                    client(&svc, ClientKind::V3Aggregated)
                } else if let Some(op) = operation_for_command(&name) {
                    Sym::Commands(vec![Command { service: svc, operation: op.to_string(), args: config().fields() }])
                } else if name.contains("Command") {
                    // A misspelt command class (`GetObjectCommandd`): kept whole so the
                    // call site reports it as an unknown command with the right name.
                    Sym::Commands(vec![Command { service: svc, operation: name.clone(), args: config().fields() }])
                } else {
                    Sym::Foreign
                }
            }
            Sym::Export(SdkModule::LibDynamoDb, name) => match name.as_str() {
                "DynamoDBDocumentClient" | "DynamoDBDocument" => {
                    let inner = config();
                    let region = match inner {
                        Sym::Client(c) => c.region,
                        _ => None,
                    };
                    let kind = if name == "DynamoDBDocument" { ClientKind::DocumentV3Aggregated } else { ClientKind::DocumentV3 };
                    Sym::Client(Client { service: "dynamodb".into(), kind, region, confidence: Confidence::High, bound: Vec::new() })
                }
                _ => match operation_for_command(&name).and_then(document_operation) {
                    Some(op) => Sym::Commands(vec![Command { service: "dynamodb".into(), operation: op.to_string(), args: config().fields() }]),
                    None => Sym::Foreign,
                },
            },
            Sym::Export(SdkModule::V2Root, name) => match name.as_str() {
                "DynamoDB.DocumentClient" => client("dynamodb", ClientKind::DocumentV2),
                "RDS.Signer" => self.rds_signer(config(), d),
                _ => match names().service_for_v2_class(&name) {
                    Some(svc) => client(svc, ClientKind::V2),
                    None => Sym::Foreign,
                },
            },
            Sym::Module(SdkModule::V2Client(svc)) => client(&svc, ClientKind::V2),
            Sym::Export(SdkModule::V2Client(svc), name) => match (svc.as_str(), name.as_str()) {
                ("dynamodb", "DocumentClient") => client("dynamodb", ClientKind::DocumentV2),
                ("rds", "Signer") => self.rds_signer(config(), d),
                (_, "default") => client(&svc, ClientKind::V2),
                _ => Sym::Foreign,
            },
            Sym::Export(SdkModule::RdsSigner, name) if name == "Signer" => self.rds_signer(config(), d),
            Sym::Unknown => Sym::Unknown,
            _ => Sym::Foreign,
        }
    }

    fn rds_signer(&self, config: Sym, _d: u32) -> Sym {
        let username = config.get("username").map_or(iamlens_engine::model::Value::Unknown, Sym::to_value);
        Sym::RdsSigner { username, region: config.get("region").and_then(Sym::exact_str) }
    }

    fn call_expr(&self, node: Node<'t>, d: u32) -> Sym {
        if let Some(source) = crate::decls::require_source(node, self.src) {
            // `module.exports = client` is what `require` returns; else the exports object.
            if let Some(path) = self.index.resolve(self.module_path, &source) {
                return match self.export(&path, "default", d) {
                    Sym::Unknown | Sym::Object(_) => Sym::ProjectModule(path),
                    whole => whole,
                };
            }
            return self.import(&source, &Imported::Namespace, d);
        }
        let Some(callee) = node.child_by_field_name("function").map(unwrap_expr) else { return Sym::Unknown };
        let first = node.child_by_field_name("arguments").and_then(|a| named_children(a).into_iter().next());
        // Tracing wrappers return the client they instrument: X-Ray's
        // `captureAWSv3Client(client)`, Powertools' `tracer.captureAWSv3Client(client)`.
        let callee_name = callee.child_by_field_name("property").unwrap_or(callee);
        if matches!(self.text(callee_name), "captureAWSv3Client" | "captureAWSClient" | "captureAWS") {
            return first.map_or(Sym::Unknown, |f| self.eval(f, d));
        }
        if callee.kind() == "member_expression" {
            let method = callee.child_by_field_name("property").map(|p| self.text(p)).unwrap_or("");
            let object = callee.child_by_field_name("object").map(|o| self.eval(o, d)).unwrap_or(Sym::Unknown);
            match (&object, method) {
                // `DynamoDBDocumentClient.from(client)`: the document client of that client's region.
                (Sym::Export(SdkModule::LibDynamoDb, _), "from") => return self.instantiate(object, first, d),
                (Sym::Foreign, _) => return Sym::Foreign,
                // `.promise()` of a v2 request, `.bind(...)`: the value is the response, not modelled.
                _ => {}
            }
            return match self.member(object, method, d) {
                Sym::Function(ret) => *ret,
                _ => Sym::Unknown,
            };
        }
        match self.eval(callee, d) {
            Sym::Function(ret) => *ret,
            Sym::Foreign => Sym::Foreign,
            Sym::Export(..) => Sym::Unknown,
            _ => Sym::Unknown,
        }
    }
}

/// Which of the file's name tables a name is looked up in.
#[derive(Debug, Clone, Copy)]
pub enum Space {
    /// Bindings and assignments ([`Decls::names`], [`Decls::assigned`]).
    Binding,
    /// Calls by callee name ([`Decls::calls_of`]).
    Call,
    /// `new`s by class name ([`Decls::news_of`]).
    New,
}

/// The hash [`Ctx::take_reads`] gives a name looked up in `space` (FNV-1a).
/// Equal names, equal hashes; a collision only makes reuse more cautious.
pub fn dep_hash(space: Space, name: &str) -> u64 {
    let seed = (0xcbf2_9ce4_8422_2325_u64 ^ space as u64).wrapping_mul(0x0100_0000_01b3);
    name.bytes().fold(seed, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn has_token(node: Node, token: &str) -> bool {
    let mut cursor = node.walk();
    let found = node.children(&mut cursor).any(|c| c.kind() == token);
    found
}

pub fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "generator_function"
            | "function"
            | "arrow_function"
            | "method_definition"
    )
}

/// The nearest ancestor of one of these kinds.
pub fn enclosing<'t>(node: Node<'t>, kinds: &[&str]) -> Option<Node<'t>> {
    let mut n = node.parent();
    while let Some(p) = n {
        if kinds.contains(&p.kind()) {
            return Some(p);
        }
        n = p.parent();
    }
    None
}

fn str_parts(sym: &Sym) -> Vec<TextPart> {
    match sym {
        Sym::Str(parts) => parts.clone(),
        Sym::Num(n) => vec![TextPart::Literal(format_number(*n))],
        _ => vec![TextPart::Unknown],
    }
}

fn merge_literals(parts: Vec<TextPart>) -> Vec<TextPart> {
    let mut out: Vec<TextPart> = Vec::new();
    for p in parts {
        match (out.last_mut(), p) {
            (Some(TextPart::Literal(a)), TextPart::Literal(b)) => a.push_str(&b),
            (_, p) => out.push(p),
        }
    }
    out
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}
