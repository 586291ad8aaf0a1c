//! Cross-file facts: what each module of the project exports that matters for
//! AWS calls (module-level clients and resources, client factories, constants).

use std::collections::HashMap;
use std::path::Path;

use super::document::PythonDocument;

/// Facts of every indexed module, by dotted module name (`app.aws`).
#[derive(Debug, Default, Clone)]
pub struct ProjectIndex {
    modules: HashMap<String, ()>,
}

impl ProjectIndex {
    pub fn new() -> Self {
        ProjectIndex::default()
    }

    /// Index (or re-index) the module at `module_path` (a file path such as
    /// `app/aws.py`, or a dotted name such as `app.aws`).
    pub fn update_file(&mut self, module_path: &Path, doc: &PythonDocument) {
        let _ = doc;
        self.modules.insert(module_name(module_path), ());
    }

    /// Forget a module (file deleted or closed).
    pub fn remove_file(&mut self, module_path: &Path) {
        self.modules.remove(&module_name(module_path));
    }
}

/// `app/aws.py` → `app.aws`; `app/__init__.py` → `app`; `app.aws` stays.
pub fn module_name(path: &Path) -> String {
    let mut parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if let Some(last) = parts.last_mut() {
        for ext in [".pyi", ".py"] {
            if let Some(stem) = last.strip_suffix(ext) {
                *last = stem.to_string();
                break;
            }
        }
        if last == "__init__" {
            parts.pop();
        }
    }
    parts.join(".")
}
