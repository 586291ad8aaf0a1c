//! What a deployed Node.js function's code is: the module its handler names
//! and the project modules it imports through relative specifiers.

use crate::document::{parse_text, Dialect};
use iamlens_engine::syntax::text;
use std::path::{Path, PathBuf};
use tree_sitter::Node;

const EXTENSIONS: &[&str] = &["ts", "mts", "cts", "tsx", "js", "mjs", "cjs", "jsx"];

/// `index.handler` → `index.js` (or `.mjs`, `.ts`, ...); `src/orders.main` → `src/orders.ts`.
pub fn handler_file(handler: &str, code_dir: &Path) -> Option<PathBuf> {
    let (module, _function) = handler.rsplit_once('.')?;
    with_extension(&code_dir.join(module.trim_start_matches("./")))
}

/// The project files `file` imports by relative specifier (`./db`, `../lib/x.js`).
pub fn imported_files(file: &Path, source: &str, _code_dir: &Path) -> Vec<PathBuf> {
    let Some(tree) = parse_text(Dialect::from_path(file), source, None) else { return Vec::new() };
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let specifier = match node.kind() {
            "import_statement" | "export_statement" => node.child_by_field_name("source").map(|s| string_text(s, source)),
            "call_expression" => {
                let callee = node.child_by_field_name("function").map(|f| text(f, source));
                match callee {
                    Some("require" | "import") => {
                        node.child_by_field_name("arguments").and_then(|a| a.named_child(0)).map(|s| string_text(s, source))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(spec) = specifier.filter(|s| s.starts_with("./") || s.starts_with("../")) {
            if let Some(found) = resolve(dir, &spec) {
                out.push(found);
            }
        }
        stack.extend((0..node.named_child_count()).filter_map(|i| node.named_child(i as u32)));
    }
    out.sort();
    out.dedup();
    out
}

fn string_text(node: Node, source: &str) -> String {
    text(node, source).trim_matches(|c| c == '\'' || c == '"' || c == '`').to_string()
}

/// A relative specifier → the file Node or a bundler would load; a `.js`
/// specifier in TypeScript names the `.ts` file it compiles from.
fn resolve(dir: &Path, spec: &str) -> Option<PathBuf> {
    let target = normalise(&dir.join(spec));
    if target.is_file() {
        return Some(target);
    }
    if let Some(stem) = spec.strip_suffix(".js").or_else(|| spec.strip_suffix(".mjs")).or_else(|| spec.strip_suffix(".cjs")) {
        if let Some(found) = with_extension(&normalise(&dir.join(stem))) {
            return Some(found);
        }
    }
    with_extension(&target).or_else(|| with_extension(&target.join("index")))
}

fn with_extension(stem: &Path) -> Option<PathBuf> {
    let name = stem.file_name()?.to_string_lossy().into_owned();
    EXTENSIONS.iter().map(|ext| stem.with_file_name(format!("{name}.{ext}"))).find(|p| p.is_file())
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_modules_and_their_relative_imports() {
        let dir = std::env::temp_dir().join(format!("iamlens-js-deployed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for f in ["src/index.ts", "src/db.ts", "src/lib/index.ts", "src/util.mjs", "src/other.ts"] {
            let path = dir.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "").unwrap();
        }
        assert_eq!(handler_file("src/index.handler", &dir), Some(dir.join("src/index.ts")));
        assert_eq!(handler_file("index.handler", &dir.join("src")), Some(dir.join("src/index.ts")));
        assert_eq!(handler_file("nope.handler", &dir), None);
        let src = "import { S3Client } from '@aws-sdk/client-s3';\nimport { put } from './db.js';\nexport * from './lib';\nconst u = require('./util.mjs');\nconst later = await import('../missing');\n";
        let found = imported_files(&dir.join("src/index.ts"), src, &dir);
        assert_eq!(found, vec![dir.join("src/db.ts"), dir.join("src/lib/index.ts"), dir.join("src/util.mjs")]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
