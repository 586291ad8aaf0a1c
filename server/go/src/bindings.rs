//! Bindings: what assignments, declarations and parameters bind names to,
//! and what a function body builds (the input a helper returns, the regions
//! a constructor gives struct fields).

use crate::eval::{Env, Eval};
use crate::syntax::{args, named_children, text};
use crate::types::{resolve_type, Sym, Ty};
use iamlens_engine::model::Value;
use tree_sitter::Node;

impl Eval<'_> {
    /// `a, b := x, y`, `a, err := f()`, `in.Key = aws.String(k)`.
    pub fn bind(&self, left: &[Node], right: &[Node], env: &mut Env, declare: bool) {
        for (i, l) in left.iter().enumerate() {
            let sym = match right.get(i) {
                Some(r) if right.len() == left.len() => Sym { ty: self.ty_of(*r, env), value: self.value_of(*r, env) },
                Some(r) if i == 0 => Sym { ty: self.ty_of(*r, env), value: env_read_result(self.value_of(*r, env)) },
                _ => Sym { ty: Ty::Other, value: Value::Unknown },
            };
            match l.kind() {
                "identifier" => {
                    let name = self.text(*l);
                    if name == "_" {
                        continue;
                    }
                    // A plain `=` to a variable of a known type keeps the type if the new one is unknown.
                    let sym = match (declare, env.get(name)) {
                        (false, Some(old)) if sym.ty == Ty::Unknown => Sym { ty: old.ty.clone(), value: sym.value },
                        _ => sym,
                    };
                    env.insert(name.to_string(), sym);
                }
                "selector_expression" => {
                    // `in.Key = aws.String(k)` on an input built earlier.
                    let (Some(operand), Some(field)) = (l.child_by_field_name("operand"), l.child_by_field_name("field")) else { continue };
                    if operand.kind() != "identifier" {
                        continue;
                    }
                    let field = self.text(field).to_string();
                    if let Some(var) = env.get_mut(self.text(operand)) {
                        if let Value::Dict(items) = &mut var.value {
                            items.retain(|(k, _)| *k != field);
                            items.push((field, sym.value));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Bind a parameter list's names to their declared types.
    pub fn bind_params(&self, list: Option<Node>, env: &mut Env) {
        let Some(list) = list else { return };
        for p in named_children(list) {
            if !matches!(p.kind(), "parameter_declaration" | "variadic_parameter_declaration") {
                continue;
            }
            let ty = p.child_by_field_name("type").map_or(Ty::Unknown, |t| self.resolve(resolve_type(t, self.src, self.imports, &self.pkg), 0));
            let ty = if p.kind() == "variadic_parameter_declaration" { Ty::Other } else { ty };
            let mut cursor = p.walk();
            for n in p.children_by_field_name("name", &mut cursor) {
                env.insert(self.text(n).to_string(), Sym { ty: ty.clone(), value: Value::Unknown });
            }
        }
    }

    /// The value a function returns, read from its body's top-level
    /// statements in order (parameters unknown): what a helper that builds
    /// an operation input hands back. `None` unless one return gives a struct literal.
    pub fn returned_value(&self, decl: Node, env: &Env) -> Option<Value> {
        let mut found = None;
        let mut conflict = false;
        self.walk_body(decl, env, |eval, stmt, env| {
            if stmt.kind() != "return_statement" {
                return;
            }
            let first = named_children(stmt).into_iter().next().and_then(|l| named_children(l).into_iter().next());
            if let Some(v @ Value::Dict(_)) = first.map(|e| eval.value_of(e, env)) {
                conflict |= found.replace(v).is_some();
            }
        });
        if conflict {
            None
        } else {
            found
        }
    }

    /// The literal regions a function gives fields of its package's struct
    /// types: `&Producer{client: kinesis.NewFromConfig(cfg)}` after
    /// `cfg, _ := config.LoadDefaultConfig(ctx, config.WithRegion("eu-west-1"))`
    /// → (`Producer`, `client`, `eu-west-1`).
    pub fn field_regions(&self, decl: Node, env: &Env) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        self.walk_body(decl, env, |eval, stmt, env| {
            let mut stack = vec![stmt];
            while let Some(n) = stack.pop() {
                if n.kind() == "func_literal" {
                    continue;
                }
                if n.kind() == "composite_literal" {
                    let ty = n.child_by_field_name("type").map(|t| resolve_type(t, eval.src, eval.imports, &eval.pkg));
                    if let (Some(Ty::Named { pkg, name }), Some(body)) = (ty, n.child_by_field_name("body")) {
                        for el in args(body).into_iter().filter(|el| el.kind() == "keyed_element") {
                            let (Some(k), Some(v)) = (el.child_by_field_name("key"), el.child_by_field_name("value")) else { continue };
                            let value = named_children(v).first().copied().unwrap_or(v);
                            if let (true, Some(region)) = (pkg == eval.pkg, eval.ty_of(value, env).region()) {
                                out.push((name.clone(), eval.text(k).to_string(), region));
                            }
                        }
                    }
                }
                stack.extend(named_children(n));
            }
        });
        out
    }

    /// Visit a function body's top-level statements in order, with the
    /// parameters and the variables declared before each statement bound.
    fn walk_body<'n>(&self, decl: Node<'n>, env: &Env, mut visit: impl FnMut(&Self, Node<'n>, &Env)) {
        let mut env = env.clone();
        self.bind_params(decl.child_by_field_name("parameters"), &mut env);
        let Some(body) = decl.child_by_field_name("body") else { return };
        let stmts = named_children(body).into_iter().flat_map(|n| if n.kind() == "statement_list" { named_children(n) } else { vec![n] });
        for stmt in stmts {
            visit(self, stmt, &env);
            let left = stmt.child_by_field_name("left").map(named_children).unwrap_or_default();
            let right = stmt.child_by_field_name("right").map(named_children).unwrap_or_default();
            match stmt.kind() {
                "short_var_declaration" => self.bind(&left, &right, &mut env, true),
                "assignment_statement" if stmt.child_by_field_name("operator").is_some_and(|o| self.text(o) == "=") => {
                    self.bind(&left, &right, &mut env, false)
                }
                "var_declaration" => {
                    for (name, sym) in specs(stmt, self, &env) {
                        env.insert(name, sym);
                    }
                }
                _ => {}
            }
        }
    }
}

/// The specs of a `const`/`var` declaration (or one inside a function):
/// each name with its declared or inferred type and its value. In a `const`
/// group, a spec without values repeats the previous one (iota aside).
pub fn specs(decl: Node, eval: &Eval, env: &Env) -> Vec<(String, Sym)> {
    let mut out = Vec::new();
    let mut stack = vec![decl];
    let mut specs = Vec::new();
    while let Some(n) = stack.pop() {
        match n.kind() {
            "const_spec" | "var_spec" => specs.push(n),
            "const_declaration" | "var_declaration" | "var_spec_list" => stack.extend(named_children(n).into_iter().rev()),
            _ => {}
        }
    }
    for spec in specs {
        let mut cursor = spec.walk();
        let names: Vec<Node> = spec.children_by_field_name("name", &mut cursor).collect();
        let declared = spec.child_by_field_name("type").map(|t| resolve_type(t, eval.src, eval.imports, &eval.pkg));
        let values: Vec<Node> = spec.child_by_field_name("value").map(named_children).unwrap_or_default();
        for (i, name) in names.iter().enumerate() {
            let (ty, value) = match values.get(i) {
                Some(v) if values.len() == names.len() => (eval.ty_of(*v, env), eval.value_of(*v, env)),
                // `a, err := f()`: the first name gets the call's first result.
                Some(v) if i == 0 => (eval.ty_of(*v, env), env_read_result(eval.value_of(*v, env))),
                _ => (Ty::Unknown, Value::Unknown),
            };
            let ty = match &declared {
                Some(d) if !matches!(d, Ty::Unknown) => d.clone(),
                _ => ty,
            };
            // `var in s3.PutObjectInput`: a zero input whose fields are set next.
            let value = match (&ty, values.is_empty()) {
                (Ty::Input { .. }, true) => Value::Dict(vec![]),
                _ => value,
            };
            out.push((text(*name, eval.src).to_string(), Sym { ty, value }));
        }
    }
    out
}

/// The first result of a call with several (`table, ok := os.LookupEnv("TABLE")`)
/// is known only for an environment read; any other value is not that result.
fn env_read_result(value: Value) -> Value {
    match value {
        Value::Text(parts) if matches!(parts.as_slice(), [iamlens_engine::model::TextPart::Env(_)]) => Value::Text(parts),
        _ => Value::Unknown,
    }
}
