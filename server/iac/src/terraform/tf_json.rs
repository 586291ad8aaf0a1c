//! Terraform's JSON configuration syntax (`.tf.json`, also what CDK for
//! Terraform synthesizes): each top-level block is written out in native
//! syntax and parsed like a `.tf` file.
//!
//! JSON does not say which object keys are nested blocks; those this reader
//! relies on are listed in [`NESTED_BLOCKS`]. A nested block taken for an
//! argument only makes that argument unknown (never a wrong literal).
//! Lines are those of the block's key in the JSON text.

use crate::model::{IacWarning, Location};
use hcl_edit::structure::Body;
use serde_json::Value as Json;
use std::fmt::Write;
use std::path::Path;

/// Object keys read as nested blocks rather than arguments.
const NESTED_BLOCKS: &[&str] = &[
    "environment",
    "dynamic",
    "lifecycle",
    "provisioner",
    "connection",
    "default_tags",
    "assume_role",
    "statement",
    "principals",
    "not_principals",
    "condition",
    "attribute",
    "vpc_config",
    "dead_letter_config",
    "tracing_config",
    "ephemeral_storage",
    "image_config",
    "logging_config",
    "file_system_config",
    "snap_start",
    "source",
    "timeouts",
    "global_secondary_index",
    "local_secondary_index",
    "point_in_time_recovery",
    "server_side_encryption",
    "ttl",
    "replica",
];

/// The top-level blocks of a `.tf.json` file, each with the byte offset of its key in `text`.
pub fn parse(path: &Path, text: &str, warnings: &mut Vec<IacWarning>) -> Vec<(Body, usize)> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let root: Json = match serde_json::from_str(text) {
        Ok(j) => j,
        Err(e) => {
            warnings.push(IacWarning {
                at: Location { file: path.to_path_buf(), line: e.line().max(1) },
                message: format!("not valid JSON ({e}): the file is not read"),
            });
            return Vec::new();
        }
    };
    let Json::Object(root) = root else {
        warnings.push(IacWarning {
            at: Location { file: path.to_path_buf(), line: 1 },
            message: "not a Terraform JSON configuration (not an object)".into(),
        });
        return Vec::new();
    };
    // (labels, header, body) of each block, in order.
    let mut blocks: Vec<(Vec<String>, String, &Json)> = Vec::new();
    for (kind, value) in &root {
        match kind.as_str() {
            "resource" | "data" => {
                for (ty, named) in objects(value) {
                    for (name, body) in objects(named) {
                        blocks.push((vec![kind.clone(), ty.clone(), name.clone()], format!("{kind} {} {}", quote(ty), quote(name)), body));
                    }
                }
            }
            "module" | "variable" | "output" | "provider" => {
                for (name, body) in objects(value) {
                    blocks.push((vec![kind.clone(), name.clone()], format!("{kind} {}", quote(name)), body));
                }
            }
            "locals" => {
                for body in as_list(value) {
                    blocks.push((vec![kind.clone()], "locals".into(), body));
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut cursor = 0;
    for (labels, header, body) in blocks {
        // The block's key in the text: its labels in order, from where the last one was found.
        let mut at = cursor;
        for label in &labels {
            if let Some(found) = text[at..].find(&quote(label)) {
                at += found;
            }
        }
        cursor = at;
        let mut hcl = String::new();
        let _ = writeln!(hcl, "{header} {{");
        write_body(&mut hcl, body, 1);
        hcl.push_str("}\n");
        match hcl_edit::parser::parse_body(&hcl) {
            Ok(parsed) => out.push((parsed, at)),
            Err(e) => warnings.push(IacWarning {
                at: Location { file: path.to_path_buf(), line: line_of(at) },
                message: format!("`{header}` is not read ({})", e.message()),
            }),
        }
    }
    out
}

/// `{"a": {...}}` or `[{"a": {...}}, ...]` → its entries.
fn objects(v: &Json) -> Vec<(&String, &Json)> {
    as_list(v).into_iter().filter_map(Json::as_object).flat_map(|m| m.iter()).filter(|(k, _)| k.as_str() != "//").collect()
}

fn as_list(v: &Json) -> Vec<&Json> {
    match v {
        Json::Array(items) => items.iter().collect(),
        v => vec![v],
    }
}

fn write_body(out: &mut String, body: &Json, depth: usize) {
    if depth > 32 {
        return;
    }
    for body in as_list(body) {
        let Json::Object(map) = body else { continue };
        for (key, value) in map {
            if key == "//" || !is_ident(key) {
                continue;
            }
            let nested = NESTED_BLOCKS.contains(&key.as_str()) && as_list(value).iter().all(|v| v.is_object());
            if key == "dynamic" {
                // Labelled blocks whose content is generated: only their presence is read.
                for (label, _) in objects(value) {
                    let _ = writeln!(out, "dynamic {} {{\n}}", quote(label));
                }
            } else if nested {
                for block in as_list(value) {
                    let _ = writeln!(out, "{key} {{");
                    write_body(out, block, depth + 1);
                    out.push_str("}\n");
                }
            } else {
                let _ = writeln!(out, "{key} = {}", expr(value, 0));
            }
        }
    }
}

/// A JSON value as a native expression: strings stay templates (`${...}` is kept).
fn expr(v: &Json, depth: usize) -> String {
    if depth > 32 {
        return "null".into();
    }
    match v {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => quote(s),
        Json::Array(items) => format!("[{}]", items.iter().map(|x| expr(x, depth + 1)).collect::<Vec<_>>().join(", ")),
        Json::Object(map) => {
            let entries: Vec<String> =
                map.iter().filter(|(k, _)| k.as_str() != "//").map(|(k, x)| format!("{} = {}", literal_key(k), expr(x, depth + 1))).collect();
            format!("{{ {} }}", entries.join(", "))
        }
    }
}

/// A quoted template string: `\`, `"` and control characters escaped, `${` kept.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An object key is a literal name, never a template.
fn literal_key(k: &str) -> String {
    quote(&k.replace("${", "$${").replace("%{", "%%{"))
}

fn is_ident(k: &str) -> bool {
    k.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_') && k.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}
