//! Walks a file in source order: binds parameters, receivers and local
//! variables to what is known of them, and hands every call to `calls`.

use crate::bindings::specs;
use crate::calls::Analyzer;
use crate::eval::Env;
use crate::facts::receiver_type;
use crate::syntax::{named_children, span};
use crate::types::{Sym, Ty};
use iamlens_engine::model::{CodeScope, ScopeKind, Value};
use tree_sitter::Node;

/// How deep the walk descends into nested statements and expressions.
const MAX_WALK_DEPTH: usize = 400;

impl<'a> Analyzer<'a> {
    /// Walk one top-level declaration. What it finds depends only on its
    /// text, the file's imports and package-level facts, and the project.
    pub fn walk_top_level(&mut self, decl: Node<'a>) {
        match decl.kind() {
            "function_declaration" | "method_declaration" => self.walk_function(decl),
            "var_declaration" | "const_declaration" | "ERROR" => {
                self.scope = None;
                let mut env = Env::new();
                self.walk(decl, &mut env);
            }
            _ => {}
        }
    }

    fn walk_function(&mut self, decl: Node<'a>) {
        let Some(name) = decl.child_by_field_name("name") else { return };
        let mut env = Env::new();
        let qualname = match receiver_type(decl, self.eval.src) {
            Some(recv) => {
                self.eval.bind_params(decl.child_by_field_name("receiver"), &mut env);
                format!("{recv}.{}", self.eval.text(name))
            }
            None => self.eval.text(name).to_string(),
        };
        self.eval.bind_params(decl.child_by_field_name("parameters"), &mut env);
        self.scope = Some(qualname.clone());
        let before = self.out.calls.len();
        if let Some(body) = decl.child_by_field_name("body") {
            self.walk(body, &mut env);
        }
        if self.out.calls.len() > before {
            self.out.scopes.push(CodeScope { kind: ScopeKind::Function, name: Some(qualname), span: span(decl), name_span: span(name) });
        }
        self.scope = None;
    }

    /// Walk a statement or expression in source order.
    pub fn walk(&mut self, n: Node<'a>, env: &mut Env) {
        // Generated code can nest expressions thousands deep (`a + b + …`):
        // below this depth nothing is walked, rather than overflow the stack.
        if self.depth > MAX_WALK_DEPTH {
            return;
        }
        self.depth += 1;
        self.walk_node(n, env);
        self.depth -= 1;
    }

    fn walk_node(&mut self, n: Node<'a>, env: &mut Env) {
        match n.kind() {
            "short_var_declaration" => {
                if let Some(right) = n.child_by_field_name("right") {
                    self.walk(right, env);
                }
                let left = n.child_by_field_name("left").map(named_children).unwrap_or_default();
                let right = n.child_by_field_name("right").map(named_children).unwrap_or_default();
                self.eval.bind(&left, &right, env, true);
            }
            "assignment_statement" => {
                if let Some(right) = n.child_by_field_name("right") {
                    self.walk(right, env);
                }
                let is_plain = n.child_by_field_name("operator").is_some_and(|o| self.eval.text(o) == "=");
                if is_plain {
                    let left = n.child_by_field_name("left").map(named_children).unwrap_or_default();
                    let right = n.child_by_field_name("right").map(named_children).unwrap_or_default();
                    self.eval.bind(&left, &right, env, false);
                }
            }
            "var_declaration" | "const_declaration" => {
                let mut cursor = n.walk();
                let kids: Vec<Node> = n.named_children(&mut cursor).collect();
                for k in kids {
                    self.walk(k, env);
                }
                for (name, sym) in specs(n, &self.eval, env) {
                    env.insert(name, sym);
                }
            }
            "var_spec" | "const_spec" => {
                if let Some(v) = n.child_by_field_name("value") {
                    self.walk(v, env);
                }
            }
            "range_clause" => {
                if let Some(r) = n.child_by_field_name("right") {
                    self.walk(r, env);
                }
                for l in n.child_by_field_name("left").map(named_children).unwrap_or_default() {
                    env.insert(self.eval.text(l).to_string(), Sym { ty: Ty::Other, value: Value::Unknown });
                }
            }
            "func_literal" => {
                self.eval.bind_params(n.child_by_field_name("parameters"), env);
                if let Some(body) = n.child_by_field_name("body") {
                    self.walk(body, env);
                }
            }
            "call_expression" => {
                for c in named_children(n) {
                    self.walk(c, env);
                }
                self.visit_call(n, env);
            }
            "comment" => {}
            _ => {
                for c in named_children(n) {
                    self.walk(c, env);
                }
            }
        }
    }
}
