//! What a deployed Python function's code is: the module its handler names
//! and the project modules that module imports (Lambda puts the code
//! directory on `sys.path`).

use iamlens_engine::syntax::{parse, text};
use std::path::{Path, PathBuf};
use tree_sitter::Node;

/// `app.handler` → `app.py`; `pkg.mod.handler` → `pkg/mod.py`;
/// Serverless's `src/handler.main` → `src/handler.py`.
pub fn handler_file(handler: &str, code_dir: &Path) -> Option<PathBuf> {
    let (module, _function) = handler.rsplit_once('.')?;
    let module = module.trim_start_matches("./");
    let as_path = if module.contains('/') { module.to_string() } else { module.replace('.', "/") };
    [format!("{as_path}.py"), format!("{as_path}/__init__.py")].into_iter().map(|p| code_dir.join(p)).find(|p| p.is_file())
}

/// The project files `file` imports: absolute module names resolved against
/// `code_dir`, relative ones against the file's package.
pub fn imported_files(file: &Path, source: &str, code_dir: &Path) -> Vec<PathBuf> {
    let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
    let Some(tree) = parse(&language, source, None) else { return Vec::new() };
    let package = file.parent().unwrap_or(code_dir);
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "import_statement" => {
                for name in named(node) {
                    let dotted = if name.kind() == "aliased_import" { name.child_by_field_name("name") } else { Some(name) };
                    if let Some(dotted) = dotted {
                        resolve(text(dotted, source), &[], package, code_dir, &mut out);
                    }
                }
            }
            "import_from_statement" => {
                let Some(module) = node.child_by_field_name("module_name") else { continue };
                let names: Vec<&str> = named(node)
                    .filter(|n| n.id() != module.id())
                    .filter_map(|n| if n.kind() == "aliased_import" { n.child_by_field_name("name") } else { Some(n) })
                    .filter(|n| n.kind() == "dotted_name")
                    .map(|n| text(n, source))
                    .collect();
                resolve(text(module, source), &names, package, code_dir, &mut out);
            }
            _ => stack.extend(named(node)),
        }
    }
    out.sort();
    out.dedup();
    out
}

fn named(node: Node) -> impl Iterator<Item = Node> {
    (0..node.named_child_count()).filter_map(move |i| node.named_child(i as u32))
}

/// `module` (`pkg.mod`, `.sibling`, `..up.mod`, `.`) and the names imported
/// from it, which may be submodules.
fn resolve(module: &str, names: &[&str], package: &Path, code_dir: &Path, out: &mut Vec<PathBuf>) {
    let dots = module.chars().take_while(|c| *c == '.').count();
    let rest = &module[dots..];
    let base = if dots == 0 {
        code_dir.to_path_buf()
    } else {
        let mut dir = package.to_path_buf();
        for _ in 1..dots {
            dir = dir.parent().map(Path::to_path_buf).unwrap_or(dir);
        }
        dir
    };
    let module_dir = rest.split('.').filter(|s| !s.is_empty()).fold(base, |dir, part| dir.join(part));
    let mut push_module = |path: &Path| {
        for candidate in [path.with_extension("py"), path.join("__init__.py")] {
            if candidate.is_file() {
                out.push(candidate);
            }
        }
    };
    if !rest.is_empty() {
        push_module(&module_dir);
    }
    for name in names {
        push_module(&name.split('.').fold(module_dir.clone(), |dir, part| dir.join(part)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_modules_and_their_project_imports() {
        let dir = std::env::temp_dir().join(format!("iamlens-py-deployed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for f in ["app.py", "shared/__init__.py", "shared/db.py", "shared/queue.py", "unused.py"] {
            let path = dir.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "").unwrap();
        }
        assert_eq!(handler_file("app.handler", &dir), Some(dir.join("app.py")));
        assert_eq!(handler_file("missing.handler", &dir), None);
        let src = "import os, boto3\nimport shared.db as db\nfrom shared import queue\nfrom . import unused_not_a_module\n\ndef handler(e, c):\n    import json\n";
        let found = imported_files(&dir.join("app.py"), src, &dir);
        assert_eq!(found, vec![dir.join("shared/__init__.py"), dir.join("shared/db.py"), dir.join("shared/queue.py")]);
        let rel = imported_files(&dir.join("shared/db.py"), "from .queue import send\nfrom ..app import x\n", &dir);
        assert_eq!(rel, vec![dir.join("app.py"), dir.join("shared/queue.py")]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
