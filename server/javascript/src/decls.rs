//! Where each name of a file is bound (variables, imports, functions,
//! classes, parameters, loop variables), with the scope it is visible in, and
//! where each function is called: one walk, so lookups are map reads.

use crate::syntax::{named_children, string_literal, text};
use std::collections::HashMap;
use tree_sitter::Node;

/// A step into a destructured value: `const { a: [b] } = v` binds `b` at `a`, `0`.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// What an import binds: the whole module, its default export, or one named export.
#[derive(Debug, Clone, PartialEq)]
pub enum Imported {
    Namespace,
    Default,
    Named(String),
}

#[derive(Debug, Clone)]
pub enum DeclKind<'t> {
    /// `const x = value` (or `let`/`var`); `None` without initialiser.
    Init(Option<Node<'t>>),
    /// `const { a: x = dflt } = value`: the value, the path to `x`, its default.
    Pattern { value: Node<'t>, path: Vec<Step>, default: Option<Node<'t>> },
    /// `import ... from 'source'`.
    Import { source: String, what: Imported },
    /// A function declaration (its node).
    Function(Node<'t>),
    /// A class declaration (its node: static members are read from it).
    Class(Node<'t>),
    /// Parameter `index` of function `func`, with its type annotation and default.
    Param { func: Node<'t>, index: usize, ty: Option<Node<'t>>, default: Option<Node<'t>>, path: Vec<Step> },
    /// `for (const x of iterable)`.
    ForOf(Node<'t>),
    /// Bound, value unknowable (a catch parameter, `for...in` keys).
    Opaque,
}

#[derive(Debug, Clone)]
pub struct Decl<'t> {
    /// Bytes of the scope it is visible in.
    pub scope: (usize, usize),
    /// Where it is bound.
    pub at: usize,
    pub kind: DeclKind<'t>,
}

/// The bindings and call sites of one file.
#[derive(Default)]
pub struct Decls<'t> {
    pub names: HashMap<&'t str, Vec<Decl<'t>>>,
    /// Calls by callee name: `f(...)` and `this.f(...)`/`x.f(...)` under `f`.
    pub calls_of: HashMap<&'t str, Vec<Node<'t>>>,
    /// `new C(...)` by class name: the callers of `C`'s constructor.
    pub news_of: HashMap<&'t str, Vec<Node<'t>>>,
    /// Assignments to plain names (`x = v`, `x ??= v`, `x ||= v`): name → the values assigned.
    pub assigned: HashMap<&'t str, Vec<Node<'t>>>,
    /// True when some import or `require` of the file names an AWS SDK module.
    pub imports_sdk: bool,
    /// Import and `require` statements naming an SDK module, with their source.
    pub sdk_imports: Vec<(Node<'t>, String)>,
}

/// TypeScript's type syntax: it binds no value and calls nothing (a
/// parameter's annotation is read from the parameter, not from here).
fn is_type_syntax(kind: &str) -> bool {
    matches!(
        kind,
        "type_annotation" | "type_arguments" | "type_parameters" | "interface_declaration" | "type_alias_declaration" | "comment" | "string_fragment"
    )
}

fn creates_scope(kind: &str) -> bool {
    matches!(
        kind,
        "program"
            | "statement_block"
            | "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "generator_function"
            | "function"
            | "arrow_function"
            | "method_definition"
            | "class_body"
            | "for_statement"
            | "for_in_statement"
            | "catch_clause"
    )
}

impl<'t> Decls<'t> {
    pub fn build(root: Node<'t>, src: &'t str) -> Decls<'t> {
        let mut d = Decls::default();
        let mut stack: Vec<(Node<'t>, (usize, usize))> = vec![(root, (root.start_byte(), root.end_byte()))];
        // One cursor for the whole walk (a cursor per node was a fifth of the build).
        let mut cursor = root.walk();
        let language = root.language();
        let kinds = crate::syntax::kind_names(&language);
        while let Some((node, outer)) = stack.pop() {
            let kind = crate::syntax::kind_in(&kinds, node);
            if is_type_syntax(kind) {
                continue;
            }
            let scope = if creates_scope(kind) { (node.start_byte(), node.end_byte()) } else { outer };
            d.visit(node, kind, outer, scope, src);
            // Punctuation, keywords and other leaves (names, literals) bind
            // nothing and call nothing: every construct `visit` reads has children.
            stack.extend(node.children(&mut cursor).filter(|child| child.is_named() && child.child_count() > 0).map(|child| (child, scope)));
        }
        // The walk pops children last-first: put bindings back in source order.
        for decls in d.names.values_mut() {
            decls.sort_by_key(|decl| decl.at);
        }
        d
    }

    fn add(&mut self, name: &'t str, scope: (usize, usize), at: usize, kind: DeclKind<'t>) {
        if !name.is_empty() {
            self.names.entry(name).or_default().push(Decl { scope, at, kind });
        }
    }

    fn visit(&mut self, node: Node<'t>, kind: &str, outer: (usize, usize), scope: (usize, usize), src: &'t str) {
        match kind {
            "variable_declarator" => {
                let (Some(name), value) = (node.child_by_field_name("name"), node.child_by_field_name("value")) else { return };
                if name.kind() == "identifier" {
                    self.add(text(name, src), outer, node.start_byte(), DeclKind::Init(value));
                    if let Some(v) = value.map(crate::syntax::unwrap_expr) {
                        self.note_require(v, src);
                    }
                } else if let Some(value) = value {
                    self.note_require(crate::syntax::unwrap_expr(value), src);
                    let mut binds = Vec::new();
                    pattern_bindings(name, Vec::new(), None, src, &mut binds);
                    for (n, path, default) in binds {
                        self.add(n, outer, node.start_byte(), DeclKind::Pattern { value, path, default });
                    }
                }
            }
            "import_statement" => self.visit_import(node, outer, src),
            "function_declaration" | "generator_function_declaration" => {
                if let Some(name) = node.child_by_field_name("name") {
                    self.add(text(name, src), outer, node.start_byte(), DeclKind::Function(node));
                }
                self.visit_params(node, scope, src);
            }
            "class_declaration" => {
                if let Some(name) = node.child_by_field_name("name") {
                    self.add(text(name, src), outer, node.start_byte(), DeclKind::Class(node));
                }
            }
            "function_expression" | "generator_function" | "function" | "arrow_function" | "method_definition" => self.visit_params(node, scope, src),
            "for_in_statement" => {
                let (Some(left), Some(right)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) else { return };
                let is_of = node.child_by_field_name("operator").is_some_and(|o| text(o, src) == "of");
                let mut binds = Vec::new();
                pattern_bindings(left, Vec::new(), None, src, &mut binds);
                for (n, path, _) in binds {
                    let kind = if is_of && path.is_empty() { DeclKind::ForOf(right) } else { DeclKind::Opaque };
                    self.add(n, scope, node.start_byte(), kind);
                }
            }
            "catch_clause" => {
                if let Some(p) = node.child_by_field_name("parameter") {
                    let mut binds = Vec::new();
                    pattern_bindings(p, Vec::new(), None, src, &mut binds);
                    for (n, _, _) in binds {
                        self.add(n, scope, node.start_byte(), DeclKind::Opaque);
                    }
                }
            }
            "assignment_expression" | "augmented_assignment_expression" => {
                let (Some(left), Some(right)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) else { return };
                let op = node.child_by_field_name("operator").map(|o| text(o, src)).unwrap_or("=");
                if left.kind() == "identifier" && matches!(op, "=" | "??=" | "||=") {
                    self.assigned.entry(text(left, src)).or_default().push(right);
                }
            }
            "new_expression" => {
                if let Some(ctor) = node.child_by_field_name("constructor").filter(|c| c.kind() == "identifier") {
                    self.news_of.entry(text(ctor, src)).or_default().push(node);
                }
            }
            "call_expression" => {
                let Some(callee) = node.child_by_field_name("function") else { return };
                if callee.kind() == "import" {
                    self.note_require(node, src);
                }
                match callee.kind() {
                    "identifier" => {
                        let name = text(callee, src);
                        if name == "require" || callee.kind() == "import" {
                            self.note_require(node, src);
                        }
                        self.calls_of.entry(name).or_default().push(node);
                    }
                    "member_expression" => {
                        if let Some(p) = callee.child_by_field_name("property") {
                            self.calls_of.entry(text(p, src)).or_default().push(node);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// `require('aws-sdk')` anywhere marks the file as SDK code.
    fn note_require(&mut self, node: Node<'t>, src: &'t str) {
        if let Some(source) = require_source(node, src) {
            if crate::sdk::classify(&source).is_some() && !self.sdk_imports.iter().any(|(n, _)| n.id() == node.id()) {
                self.imports_sdk = true;
                self.sdk_imports.push((node, source));
            }
        }
    }

    fn visit_import(&mut self, node: Node<'t>, scope: (usize, usize), src: &'t str) {
        let Some(source) = node.child_by_field_name("source").and_then(|s| string_literal(s, src)) else { return };
        if is_type_only(node) {
            return;
        }
        if crate::sdk::classify(&source).is_some() {
            self.imports_sdk = true;
            self.sdk_imports.push((node, source.clone()));
        }
        for clause in named_children(node).into_iter().filter(|c| c.kind() == "import_clause") {
            for part in named_children(clause) {
                match part.kind() {
                    "identifier" => {
                        self.add(text(part, src), scope, node.start_byte(), DeclKind::Import { source: source.clone(), what: Imported::Default })
                    }
                    "namespace_import" => {
                        if let Some(id) = named_children(part).into_iter().find(|c| c.kind() == "identifier") {
                            self.add(text(id, src), scope, node.start_byte(), DeclKind::Import { source: source.clone(), what: Imported::Namespace });
                        }
                    }
                    "named_imports" => {
                        for spec in named_children(part).into_iter().filter(|s| s.kind() == "import_specifier" && !is_type_only(*s)) {
                            let Some(name) = spec.child_by_field_name("name") else { continue };
                            let local = spec.child_by_field_name("alias").unwrap_or(name);
                            let imported = string_literal(name, src).unwrap_or_else(|| text(name, src).to_string());
                            let what = if imported == "default" { Imported::Default } else { Imported::Named(imported) };
                            self.add(text(local, src), scope, node.start_byte(), DeclKind::Import { source: source.clone(), what });
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn visit_params(&mut self, func: Node<'t>, scope: (usize, usize), src: &'t str) {
        let params: Vec<Node<'t>> = match func.child_by_field_name("parameters") {
            Some(list) => named_children(list),
            None => func.child_by_field_name("parameter").into_iter().collect(),
        };
        for (index, param) in params.into_iter().enumerate() {
            let (pattern, ty, default) = match param.kind() {
                "required_parameter" | "optional_parameter" => {
                    (param.child_by_field_name("pattern"), param.child_by_field_name("type"), param.child_by_field_name("value"))
                }
                "assignment_pattern" => (param.child_by_field_name("left"), None, param.child_by_field_name("right")),
                _ => (Some(param), None, None),
            };
            let Some(pattern) = pattern else { continue };
            let mut binds = Vec::new();
            pattern_bindings(pattern, Vec::new(), None, src, &mut binds);
            for (n, path, inner_default) in binds {
                let default = if path.is_empty() { default } else { inner_default };
                self.add(n, scope, param.start_byte(), DeclKind::Param { func, index, ty: if path.is_empty() { ty } else { None }, default, path });
            }
        }
    }

    /// The binding of `name` visible at byte `at`: the innermost scope, the
    /// last binding before `at` there (or the first, for hoisted names).
    pub fn lookup(&self, name: &str, at: usize) -> Option<&Decl<'t>> {
        let decls = self.names.get(name)?;
        let visible = decls.iter().filter(|d| d.scope.0 <= at && at <= d.scope.1);
        let innermost = visible.clone().map(|d| d.scope.1 - d.scope.0).min()?;
        let same: Vec<&Decl<'t>> = visible.filter(|d| d.scope.1 - d.scope.0 == innermost).collect();
        same.iter().rev().find(|d| d.at <= at).or(same.first()).copied()
    }
}

/// `import type ...` and `import { type X }`: types only, never a value.
fn is_type_only(node: Node) -> bool {
    let mut cursor = node.walk();
    let found = node.children(&mut cursor).any(|c| !c.is_named() && c.kind() == "type" || c.kind() == "typeof");
    found
}

/// The module of `require('x')`.
pub fn require_source(node: Node, src: &str) -> Option<String> {
    if node.kind() != "call_expression" {
        return None;
    }
    // `require('x')`, and `await import('x')` (a namespace: destructuring reads the same exports).
    let callee = node.child_by_field_name("function")?;
    if !matches!(text(callee, src), "require" | "import") {
        return None;
    }
    let arg = named_children(node.child_by_field_name("arguments")?).into_iter().next()?;
    string_literal(arg, src)
}

type Binding<'t> = (&'t str, Vec<Step>, Option<Node<'t>>);

/// The names a binding pattern binds, with the path into the value and a default.
pub fn pattern_bindings<'t>(pat: Node<'t>, path: Vec<Step>, default: Option<Node<'t>>, src: &'t str, out: &mut Vec<Binding<'t>>) {
    match pat.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => out.push((text(pat, src), path, default)),
        "object_pattern" => {
            for part in named_children(pat) {
                match part.kind() {
                    "shorthand_property_identifier_pattern" => {
                        let name = text(part, src);
                        out.push((name, with(&path, Step::Key(name.to_string())), None));
                    }
                    "pair_pattern" => {
                        let (Some(key), Some(value)) = (part.child_by_field_name("key"), part.child_by_field_name("value")) else { continue };
                        let key = string_literal(key, src).unwrap_or_else(|| text(key, src).to_string());
                        pattern_bindings(value, with(&path, Step::Key(key)), None, src, out);
                    }
                    "object_assignment_pattern" => {
                        let (Some(left), right) = (part.child_by_field_name("left"), part.child_by_field_name("right")) else { continue };
                        let key = text(left, src);
                        match left.kind() {
                            "shorthand_property_identifier_pattern" => out.push((key, with(&path, Step::Key(key.to_string())), right)),
                            _ => pattern_bindings(left, path.clone(), right, src, out),
                        }
                    }
                    "rest_pattern" => {
                        for inner in named_children(part) {
                            pattern_bindings(inner, vec![Step::Key("...".into())], None, src, out);
                        }
                    }
                    _ => {}
                }
            }
        }
        "array_pattern" => {
            for (i, part) in named_children(pat).into_iter().enumerate() {
                pattern_bindings(part, with(&path, Step::Index(i)), None, src, out);
            }
        }
        "assignment_pattern" => {
            if let Some(left) = pat.child_by_field_name("left") {
                pattern_bindings(left, path, pat.child_by_field_name("right"), src, out);
            }
        }
        "rest_pattern" => {
            for inner in named_children(pat) {
                pattern_bindings(inner, vec![Step::Key("...".into())], None, src, out);
            }
        }
        _ => {}
    }
}

fn with(path: &[Step], step: Step) -> Vec<Step> {
    let mut p = path.to_vec();
    p.push(step);
    p
}
