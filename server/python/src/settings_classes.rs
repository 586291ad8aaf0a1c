//! Settings classes that read the environment: a pydantic `BaseSettings`
//! field is filled from the environment variable of its name (upper-cased
//! here, as templates spell them; pydantic matches case-insensitively),
//! after the class's `env_prefix`.

use super::syntax::FieldExt;
use super::syntax::{named_children, string_literal, text};
use tree_sitter::Node;

/// The environment variable that fills field `name` of `class`, when the
/// class is a settings class and declares the field with a type.
pub fn environment_field(class: Node, name: &str, src: &str) -> Option<String> {
    let bases = class.field("superclasses")?;
    if !text(bases, src).contains("BaseSettings") {
        return None;
    }
    let body = class.field("body")?;
    let declared = named_children(body).any(|stmt| {
        stmt.kind() == "expression_statement"
            && stmt
                .named_child(0)
                .is_some_and(|a| a.kind() == "assignment" && a.field("type").is_some() && a.field("left").is_some_and(|l| text(l, src) == name))
    });
    declared.then(|| format!("{}{}", env_prefix(body, src), name.to_ascii_uppercase()))
}

/// `model_config = SettingsConfigDict(env_prefix="APP_")` or a nested
/// `class Config: env_prefix = "APP_"`; empty when neither is given.
fn env_prefix(body: Node, src: &str) -> String {
    let mut stack: Vec<Node> = named_children(body).collect();
    while let Some(node) = stack.pop() {
        match node.kind() {
            "keyword_argument" if node.field("name").is_some_and(|n| text(n, src) == "env_prefix") => {
                if let Some(value) = node.field("value").and_then(|v| string_literal(v, src)) {
                    return value.to_ascii_uppercase();
                }
            }
            "assignment" if node.field("left").is_some_and(|l| text(l, src) == "env_prefix") => {
                if let Some(value) = node.field("right").and_then(|v| string_literal(v, src)) {
                    return value.to_ascii_uppercase();
                }
            }
            "function_definition" => {}
            _ => stack.extend(named_children(node)),
        }
    }
    String::new()
}
