//! What a module exports, for the project index: ESM `export` declarations,
//! lists and re-exports, and CommonJS `module.exports` / `exports.x`.

use crate::decls::Imported;
use crate::eval::Ctx;
use crate::index::ModuleExports;
use crate::sym::Sym;
use crate::syntax::{named_children, string_literal};
use tree_sitter::Node;

pub fn module_exports(ctx: &Ctx) -> ModuleExports {
    let mut out = ModuleExports::default();
    let end = ctx.root.end_byte();
    for stmt in named_children(ctx.root) {
        match stmt.kind() {
            "export_statement" => export_statement(ctx, stmt, end, &mut out),
            "expression_statement" => {
                if let Some(assign) = stmt.named_child(0).filter(|a| a.kind() == "assignment_expression") {
                    commonjs(ctx, assign, &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

fn export_statement(ctx: &Ctx, stmt: Node, end: usize, out: &mut ModuleExports) {
    let source = stmt.child_by_field_name("source").and_then(|s| string_literal(s, ctx.src));
    if let Some(decl) = stmt.child_by_field_name("declaration") {
        match decl.kind() {
            "lexical_declaration" | "variable_declaration" => {
                for declarator in named_children(decl).into_iter().filter(|d| d.kind() == "variable_declarator") {
                    if let (Some(name), Some(value)) = (declarator.child_by_field_name("name"), declarator.child_by_field_name("value")) {
                        if name.kind() == "identifier" {
                            out.names.push((ctx.text(name).to_string(), ctx.eval(value, 0)));
                        }
                    }
                }
            }
            "function_declaration" | "generator_function_declaration" => {
                if let Some(name) = decl.child_by_field_name("name") {
                    out.names.push((ctx.text(name).to_string(), ctx.eval(decl, 0)));
                }
            }
            _ => {}
        }
        return;
    }
    if let Some(value) = stmt.child_by_field_name("value") {
        out.names.push(("default".into(), ctx.eval(value, 0)));
        return;
    }
    let clause = named_children(stmt).into_iter().find(|c| c.kind() == "export_clause");
    match (clause, source) {
        (Some(clause), source) => {
            for spec in named_children(clause).into_iter().filter(|s| s.kind() == "export_specifier") {
                let Some(name) = spec.child_by_field_name("name") else { continue };
                let exported = spec.child_by_field_name("alias").unwrap_or(name);
                let local = ctx.text(name);
                let value = match &source {
                    Some(src) => ctx.import(src, &Imported::Named(local.to_string()), 0),
                    None => ctx.name(local, end, 0),
                };
                out.names.push((ctx.text(exported).to_string(), value));
            }
        }
        (None, Some(source)) => {
            // `export * from './x'` (or `export * as ns from './x'`).
            let namespace = named_children(stmt).into_iter().find(|c| c.kind() == "namespace_export").and_then(|n| n.named_child(0));
            match (namespace, ctx.index.resolve(ctx.module_path, &source)) {
                (Some(ns), Some(path)) => out.names.push((ctx.text(ns).to_string(), Sym::ProjectModule(path))),
                (None, Some(path)) => out.stars.push(path),
                _ => {}
            }
        }
        _ => {}
    }
}

/// `module.exports = {...}`, `module.exports = x`, `module.exports.x = ...`, `exports.x = ...`.
fn commonjs(ctx: &Ctx, assign: Node, out: &mut ModuleExports) {
    let (Some(left), Some(right)) = (assign.child_by_field_name("left"), assign.child_by_field_name("right")) else { return };
    let target = ctx.text(left);
    if target == "module.exports" {
        let value = ctx.eval(right, 0);
        if let Sym::Object(fields) = &value {
            out.names.extend(fields.iter().cloned());
        }
        out.names.push(("default".into(), value));
    } else if let Some(name) = target.strip_prefix("module.exports.").or_else(|| target.strip_prefix("exports.")) {
        if !name.contains('.') {
            out.names.push((name.to_string(), ctx.eval(right, 0)));
        }
    }
}
