//! Which named definitions enclose a call (`OrderRepo.save`, `handler`): the
//! scope an `SdkCall` reports and the code-lens targets of a file.

use crate::syntax::{span, text};
use iamlens_engine::model::{CodeScope, ScopeKind};
use tree_sitter::Node;

/// One named definition around a call.
#[derive(Debug, Clone)]
pub struct Def<'t> {
    pub kind: ScopeKind,
    pub name: String,
    pub node: Node<'t>,
    pub name_node: Node<'t>,
}

/// The named functions and classes enclosing `node`, outermost first.
/// Anonymous functions are skipped: a callback belongs to the function it is written in.
pub fn enclosing_defs<'t>(node: Node<'t>, src: &str) -> Vec<Def<'t>> {
    let mut out = Vec::new();
    let mut n = node.parent();
    while let Some(p) = n {
        if let Some(def) = def_of(p, src) {
            out.push(def);
        }
        n = p.parent();
    }
    out.reverse();
    out
}

fn def_of<'t>(node: Node<'t>, src: &str) -> Option<Def<'t>> {
    let (kind, name_node) = match node.kind() {
        "function_declaration" | "generator_function_declaration" | "method_definition" => (ScopeKind::Function, node.child_by_field_name("name")?),
        "class_declaration" | "abstract_class_declaration" => (ScopeKind::Class, node.child_by_field_name("name")?),
        "class" => (ScopeKind::Class, node.child_by_field_name("name").or_else(|| declared_name(node))?),
        "arrow_function" | "function_expression" | "function" | "generator_function" => {
            (ScopeKind::Function, node.child_by_field_name("name").or_else(|| declared_name(node))?)
        }
        _ => return None,
    };
    let name = text(name_node, src).to_string();
    (!name.is_empty()).then_some(Def { kind, name, node, name_node })
}

/// The name a function or class expression is given where it is written:
/// `const handler = async () => ...`, `{ handler: () => ... }`,
/// `exports.handler = ...`, a class field `save = async () => ...`.
fn declared_name(node: Node) -> Option<Node> {
    let parent = node.parent()?;
    match parent.kind() {
        "variable_declarator" => parent.child_by_field_name("name").filter(|n| n.kind() == "identifier"),
        "pair" => parent.child_by_field_name("key"),
        "field_definition" => parent.child_by_field_name("property"),
        "public_field_definition" => parent.child_by_field_name("name"),
        "assignment_expression" => {
            let left = parent.child_by_field_name("left")?;
            match left.kind() {
                "member_expression" => left.child_by_field_name("property"),
                "identifier" => Some(left),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `Outer.inner` for the definitions around a call; `None` at module level.
pub fn qualified_name(defs: &[Def]) -> Option<String> {
    (!defs.is_empty()).then(|| defs.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join("."))
}

/// Code-lens scopes: every definition that encloses a call, once.
pub fn code_scopes(defs_per_call: &[Vec<Def>]) -> Vec<CodeScope> {
    let mut out: Vec<CodeScope> = Vec::new();
    for defs in defs_per_call {
        for i in 0..defs.len() {
            let scope =
                CodeScope { kind: defs[i].kind, name: qualified_name(&defs[..=i]), span: span(defs[i].node), name_span: span(defs[i].name_node) };
            if !out.contains(&scope) {
                out.push(scope);
            }
        }
    }
    out
}
