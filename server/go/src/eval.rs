//! Evaluation in one file ([`Eval`], what it sees of the project through
//! [`ProjectView`]) and the types of expressions: SDK constructors
//! (`s3.NewFromConfig`, `s3.NewListObjectsV2Paginator`, `manager.NewUploader`,
//! ...), declared types, struct fields, project functions, literal regions.

use crate::imports::{Import, Imports};
use crate::naming;
use crate::syntax::{args, named_children, text};
use crate::types::{is_std, resolve_type, PkgKey, Sym, Ty, TypeDef};
use iamlens_engine::model::Value;
use std::collections::HashMap;
use tree_sitter::Node;

/// What the rest of the project tells an evaluation.
pub trait ProjectView {
    /// A package-level constant or variable.
    fn value(&self, pkg: &str, name: &str) -> Option<Sym>;
    /// What a package function returns (first result).
    fn func_result(&self, pkg: &str, name: &str) -> Option<Ty>;
    /// The operation input a package function builds and returns, when known.
    fn func_value(&self, pkg: &str, name: &str) -> Option<Value>;
    /// The one literal region the package's code gives a struct field (`Producer.client`).
    fn field_region(&self, pkg: &str, ty: &str, field: &str) -> Option<String>;
    /// What a method of a project type returns; `None` when it has no such method.
    fn method_result(&self, pkg: &str, ty: &str, method: &str) -> Option<Ty>;
    fn type_def(&self, pkg: &str, name: &str) -> Option<TypeDef>;
    /// The package key of an import path when it is a package of the project.
    fn project_import(&self, path: &str) -> Option<PkgKey>;
}

/// A view that knows nothing of the project (for facts taken from one file).
pub struct NoProject;

impl ProjectView for NoProject {
    fn value(&self, _: &str, _: &str) -> Option<Sym> {
        None
    }
    fn func_result(&self, _: &str, _: &str) -> Option<Ty> {
        None
    }
    fn func_value(&self, _: &str, _: &str) -> Option<Value> {
        None
    }
    fn field_region(&self, _: &str, _: &str, _: &str) -> Option<String> {
        None
    }
    fn method_result(&self, _: &str, _: &str, _: &str) -> Option<Ty> {
        None
    }
    fn type_def(&self, _: &str, _: &str) -> Option<TypeDef> {
        None
    }
    fn project_import(&self, _: &str) -> Option<PkgKey> {
        None
    }
}

/// Local variables of one function (Go's block scopes are flattened).
pub type Env = HashMap<String, Sym>;

/// Evaluation in one file.
pub struct Eval<'a> {
    pub src: &'a str,
    pub imports: &'a Imports,
    /// The file's own package.
    pub pkg: PkgKey,
    pub view: &'a dyn ProjectView,
    /// Nesting depth of [`ty_of`](Self::ty_of) (operands of operands ...).
    pub depth: std::cell::Cell<usize>,
}

/// How deep operands of operands are typed.
const MAX_TY_DEPTH: usize = 64;
/// How far aliases and function results are followed.
const MAX_DEPTH: usize = 8;
/// How deep a value expression is read (nested literals, concatenations).
pub(crate) const VALUE_DEPTH: usize = 64;

impl<'a> Eval<'a> {
    pub fn text(&self, n: Node) -> &'a str {
        text(n, self.src)
    }

    /// The import a bare identifier names, unless a local shadows it.
    pub fn import_of(&self, n: Node, env: &Env) -> Option<&'a Import> {
        if n.kind() != "identifier" {
            return None;
        }
        let name = self.text(n);
        if env.contains_key(name) {
            return None;
        }
        self.imports.get(name)
    }

    /// A name of the own package (after locals).
    pub(crate) fn lookup(&self, name: &str, env: &Env) -> Option<Sym> {
        env.get(name).cloned().or_else(|| self.view.value(&self.pkg, name))
    }

    /// The type of an expression, with project types and results resolved.
    pub fn ty_of(&self, n: Node, env: &Env) -> Ty {
        // Pathological nesting (`((((x))))` thousands deep) is not followed.
        if self.depth.get() > MAX_TY_DEPTH {
            return Ty::Unknown;
        }
        self.depth.set(self.depth.get() + 1);
        let ty = self.resolve(self.raw_ty(n, env), 0);
        self.depth.set(self.depth.get() - 1);
        ty
    }

    /// Follow aliases and function results to a type.
    pub fn resolve(&self, ty: Ty, depth: usize) -> Ty {
        if depth > MAX_DEPTH {
            return Ty::Unknown;
        }
        match &ty {
            Ty::ResultOf { pkg, func } => match self.project_pkg(pkg).and_then(|p| self.view.func_result(&p, func)) {
                Some(t) => self.resolve(t, depth + 1),
                None => Ty::Unknown,
            },
            Ty::Named { pkg, name } => match self.project_pkg(pkg) {
                Some(p) => match self.view.type_def(&p, name) {
                    Some(TypeDef::Alias(t)) => self.resolve(t, depth + 1),
                    _ => Ty::Named { pkg: p, name: name.clone() },
                },
                None => match pkg.strip_prefix("imp:") {
                    Some(path) if !is_std(path) => Ty::Foreign,
                    _ => Ty::Other,
                },
            },
            _ => ty,
        }
    }

    /// A package key as the view knows it (`imp:` keys resolved); `None` when not a project package.
    fn project_pkg(&self, pkg: &str) -> Option<PkgKey> {
        match pkg.strip_prefix("imp:") {
            Some(path) => self.view.project_import(path),
            None => Some(pkg.to_string()),
        }
    }

    fn raw_ty(&self, n: Node, env: &Env) -> Ty {
        match n.kind() {
            "identifier" => self.lookup(self.text(n), env).map_or(Ty::Unknown, |s| s.ty),
            "parenthesized_expression" | "unary_expression" => named_children(n).last().map_or(Ty::Unknown, |c| self.ty_of(*c, env)),
            "composite_literal" => n.child_by_field_name("type").map_or(Ty::Unknown, |t| resolve_type(t, self.src, self.imports, &self.pkg)),
            "type_assertion_expression" => n.child_by_field_name("type").map_or(Ty::Unknown, |t| resolve_type(t, self.src, self.imports, &self.pkg)),
            "selector_expression" => self.selector_ty(n, env),
            "call_expression" => self.call_ty(n, env),
            "interpreted_string_literal"
            | "raw_string_literal"
            | "int_literal"
            | "float_literal"
            | "true"
            | "false"
            | "func_literal"
            | "binary_expression" => Ty::Other,
            _ => Ty::Unknown,
        }
    }

    fn selector_ty(&self, n: Node, env: &Env) -> Ty {
        let (Some(operand), Some(field)) = (n.child_by_field_name("operand"), n.child_by_field_name("field")) else { return Ty::Unknown };
        let field = self.text(field);
        if let Some(import) = self.import_of(operand, env) {
            return match import {
                Import::Other(path) => match self.view.project_import(path) {
                    Some(p) => self.view.value(&p, field).map_or(Ty::Unknown, |s| s.ty),
                    None if is_std(path) => Ty::Other,
                    None => Ty::Unknown,
                },
                _ => Ty::Other,
            };
        }
        match self.ty_of(operand, env) {
            Ty::Named { pkg, name } => self.field_ty(&pkg, &name, field, 0),
            Ty::Unknown => Ty::Unknown,
            _ => Ty::Other,
        }
    }

    /// A field of a project struct (promoted fields of embedded structs too).
    pub fn field_ty(&self, pkg: &str, name: &str, field: &str, depth: usize) -> Ty {
        if depth > 3 {
            return Ty::Unknown;
        }
        let Some(TypeDef::Struct(fields)) = self.view.type_def(pkg, name) else { return Ty::Unknown };
        if let Some((_, ty, _)) = fields.iter().find(|(f, _, _)| f == field) {
            let ty = self.resolve(ty.clone(), 0);
            return match (ty.region(), self.view.field_region(pkg, name, field)) {
                (None, Some(region)) => ty.with_region(region),
                _ => ty,
            };
        }
        for (_, ty, embedded) in &fields {
            if let (true, Ty::Named { pkg: p, name: n }) = (*embedded, self.resolve(ty.clone(), 0)) {
                let found = self.field_ty(&p, &n, field, depth + 1);
                if found != Ty::Unknown {
                    return found;
                }
            }
        }
        Ty::Unknown
    }

    fn call_ty(&self, call: Node, env: &Env) -> Ty {
        let Some(func) = call.child_by_field_name("function") else { return Ty::Unknown };
        let arg_nodes = call.child_by_field_name("arguments").map(args).unwrap_or_default();
        match func.kind() {
            "identifier" => {
                let name = self.text(func);
                match name {
                    "new" => arg_nodes.first().map_or(Ty::Unknown, |t| resolve_type(*t, self.src, self.imports, &self.pkg)),
                    "make" | "append" | "len" | "cap" | "string" | "copy" | "min" | "max" => Ty::Other,
                    _ if env.contains_key(name) => Ty::Unknown,
                    _ => Ty::ResultOf { pkg: self.pkg.clone(), func: name.to_string() },
                }
            }
            "selector_expression" => {
                let (Some(operand), Some(field)) = (func.child_by_field_name("operand"), func.child_by_field_name("field")) else {
                    return Ty::Unknown;
                };
                let field = self.text(field);
                if let Some(import) = self.import_of(operand, env) {
                    return self.package_call_ty(import, field, &arg_nodes, env);
                }
                match self.ty_of(operand, env) {
                    Ty::Named { pkg, name } => match self.view.method_result(&pkg, &name, field) {
                        Some(t) => self.resolve(t, 0),
                        None => Ty::Unknown,
                    },
                    Ty::Config { region } if field == "Copy" => Ty::Config { region },
                    Ty::Unknown => Ty::Unknown,
                    _ => Ty::Other,
                }
            }
            "parenthesized_expression" => Ty::Unknown,
            _ => Ty::Unknown,
        }
    }

    /// `pkg.Func(args)`.
    fn package_call_ty(&self, import: &Import, func: &str, args: &[Node], env: &Env) -> Ty {
        let region = self.region_of_args(args, env);
        match import {
            Import::Service { service, v1 } => {
                let service = service.clone();
                match func {
                    "NewFromConfig" | "New" => Ty::Client { service, v1: *v1 && func == "New", region },
                    "NewPresignClient" => Ty::Presign { service, region },
                    _ => {
                        if let Some(op) = naming::paginator_operation(func) {
                            let input = args.get(1).map_or(Value::Unknown, |a| self.value_of(*a, env));
                            Ty::Paginator { service, operation: op.to_string(), input, region }
                        } else if let Some(w) = naming::waiter_name(func) {
                            Ty::Waiter { service, waiter: w.to_string(), region }
                        } else {
                            Ty::Other
                        }
                    }
                }
            }
            Import::S3Manager => match func {
                "NewUploader" | "NewUploaderWithClient" => Ty::Uploader { region },
                "NewDownloader" | "NewDownloaderWithClient" => Ty::Downloader { region },
                _ => Ty::Other,
            },
            Import::Config if func == "LoadDefaultConfig" => Ty::Config { region },
            Import::Session if matches!(func, "NewSession" | "NewSessionWithOptions" | "Must" | "New") => Ty::Config { region },
            Import::Other(path) => match self.view.project_import(path) {
                Some(p) => Ty::ResultOf { pkg: p, func: func.to_string() },
                None if is_std(path) => Ty::Other,
                // A package outside the project may hand out a client.
                None => Ty::Unknown,
            },
            _ => Ty::Other,
        }
    }

    /// A literal region among a constructor's arguments: a config or client
    /// that has one, `config.WithRegion("…")`, `&aws.Config{Region: …}`,
    /// `s3.Options{Region: …}`, or `func(o *s3.Options) { o.Region = "…" }`.
    pub fn region_of_args(&self, args: &[Node], env: &Env) -> Option<String> {
        for a in args {
            if let Some(r) = self.region_of(*a, env) {
                return Some(r);
            }
        }
        None
    }

    fn region_of(&self, a: Node, env: &Env) -> Option<String> {
        if self.depth.get() > MAX_TY_DEPTH {
            return None;
        }
        self.depth.set(self.depth.get() + 1);
        let region = self.region_in(a, env);
        self.depth.set(self.depth.get() - 1);
        region
    }

    fn region_in(&self, a: Node, env: &Env) -> Option<String> {
        match a.kind() {
            "call_expression" => {
                let func = a.child_by_field_name("function")?;
                let inner = a.child_by_field_name("arguments").map(args).unwrap_or_default();
                if func.kind() == "selector_expression" && func.child_by_field_name("field").is_some_and(|f| self.text(f) == "WithRegion") {
                    return inner.first().and_then(|r| self.value_of(*r, env).as_exact_str());
                }
                self.ty_of(a, env).region().or_else(|| self.region_of_args(&inner, env))
            }
            "func_literal" => {
                let body = self.text(a);
                let at = body.find(".Region")?;
                let rest = body[at + ".Region".len()..].trim_start().strip_prefix('=')?.trim_start();
                let rest = rest.strip_prefix('"')?;
                Some(rest[..rest.find('"')?].to_string())
            }
            "composite_literal" | "unary_expression" => self.value_of(a, env).get("Region").and_then(Value::as_exact_str),
            _ => self.ty_of(a, env).region(),
        }
    }
}
