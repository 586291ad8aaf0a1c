//! The project's cross-file facts: what each module exports (clients,
//! factories, constants, commands), and how an import specifier (`./clients`,
//! `../lib/aws.js`) names another file of the project.

use crate::sym::Sym;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// What one module exports, as far as analysis knows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModuleExports {
    /// Export name (`default` for the default export) → value.
    pub names: Vec<(String, Sym)>,
    /// Modules re-exported whole (`export * from './x'`).
    pub stars: Vec<PathBuf>,
}

/// Exports of every indexed module, by module path (relative to the project root).
#[derive(Debug, Clone, Default)]
pub struct ProjectIndex {
    modules: HashMap<PathBuf, ModuleExports>,
    /// Changes with every change of content (0: never changed, so empty); a
    /// document's remembered analysis is reused only against the same generation.
    generation: u64,
}

/// Indexes are equal when their modules are (whatever their generations).
impl PartialEq for ProjectIndex {
    fn eq(&self, other: &ProjectIndex) -> bool {
        self.modules == other.modules
    }
}

/// Source of [`ProjectIndex::generation`] values, unique in the process.
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Extensions an import may leave out, in the order Node/TypeScript try them.
const EXTENSIONS: &[&str] = &["ts", "tsx", "js", "mjs", "cjs", "jsx", "mts", "cts"];

impl ProjectIndex {
    pub fn new() -> ProjectIndex {
        ProjectIndex::default()
    }

    /// Index a module's exports; the generation changes only when they do
    /// (saving a file usually leaves them as they were).
    pub fn insert(&mut self, module_path: &Path, exports: ModuleExports) {
        let path = normalize(module_path);
        if self.modules.get(&path) != Some(&exports) {
            self.modules.insert(path, exports);
            self.bump_generation();
        }
    }

    pub fn remove(&mut self, module_path: &Path) {
        if self.modules.remove(&normalize(module_path)).is_some() {
            self.bump_generation();
        }
    }

    fn bump_generation(&mut self) {
        self.generation = GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Identifies the index's content: equal generations, equal content.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn len(&self) -> usize {
        self.modules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    pub fn exports(&self, module_path: &Path) -> Option<&ModuleExports> {
        self.modules.get(&normalize(module_path))
    }

    /// The indexed module a relative specifier in `from` names: the exact
    /// file, the file with an extension added (or a `.js` one swapped for
    /// TypeScript's), or the directory's `index` file.
    pub fn resolve(&self, from: &Path, spec: &str) -> Option<PathBuf> {
        if !spec.starts_with('.') {
            return None;
        }
        if from.as_os_str().is_empty() {
            return self.resolve_by_suffix(spec);
        }
        let base = normalize(&from.parent().unwrap_or(Path::new("")).join(spec));
        let mut candidates = vec![base.clone()];
        let stem = match base.extension().and_then(|e| e.to_str()) {
            Some("js" | "jsx" | "mjs" | "cjs") => Some(base.with_extension("")),
            _ => None,
        };
        for b in stem.iter().chain(std::iter::once(&base)) {
            candidates.extend(EXTENSIONS.iter().map(|e| PathBuf::from(format!("{}.{e}", b.display()))));
        }
        candidates.extend(EXTENSIONS.iter().map(|e| base.join(format!("index.{e}"))));
        candidates.into_iter().find(|c| self.modules.contains_key(c))
    }

    /// For a document whose own path is unknown: the one indexed module whose
    /// path ends with the specifier's named part (`../lib/clients` → `…/lib/clients.ts`).
    fn resolve_by_suffix(&self, spec: &str) -> Option<PathBuf> {
        let tail: PathBuf = Path::new(spec).components().filter(|c| matches!(c, Component::Normal(_))).collect();
        let tail = match tail.extension().and_then(|e| e.to_str()) {
            Some("js" | "jsx" | "mjs" | "cjs") => tail.with_extension(""),
            _ => tail,
        };
        let matches: Vec<&PathBuf> = self
            .modules
            .keys()
            .filter(|m| {
                let stem = m.with_extension("");
                stem.ends_with(&tail) || (stem.file_name().is_some_and(|n| n == "index") && stem.parent().is_some_and(|p| p.ends_with(&tail)))
            })
            .collect();
        match matches.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        }
    }

    /// Export `name` of a module, following `export *`.
    pub fn export(&self, module: &Path, name: &str, depth: u32) -> Sym {
        if depth > 24 {
            return Sym::Unknown;
        }
        let Some(exports) = self.modules.get(module) else { return Sym::Unknown };
        if let Some((_, sym)) = exports.names.iter().rev().find(|(n, _)| n == name) {
            return sym.clone();
        }
        if name == "default" {
            return Sym::Unknown;
        }
        exports.stars.iter().map(|star| self.export(star, name, depth + 1)).find(Sym::is_known).unwrap_or(Sym::Unknown)
    }
}

/// A path with `.` and `..` folded (`src/./a/../b` → `src/b`).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers_resolve_like_node_and_typescript() {
        let mut index = ProjectIndex::new();
        for p in ["src/clients.ts", "src/lib/index.js", "src/db.mjs"] {
            index.insert(Path::new(p), ModuleExports::default());
        }
        let from = Path::new("src/handlers/orders.ts");
        assert_eq!(index.resolve(from, "../clients"), Some(PathBuf::from("src/clients.ts")));
        assert_eq!(index.resolve(from, "../clients.js"), Some(PathBuf::from("src/clients.ts")));
        assert_eq!(index.resolve(from, "../lib"), Some(PathBuf::from("src/lib/index.js")));
        assert_eq!(index.resolve(from, "../db.mjs"), Some(PathBuf::from("src/db.mjs")));
        assert_eq!(index.resolve(from, "./missing"), None);
        assert_eq!(index.resolve(from, "lodash"), None);
        // A document whose path is unknown: the one module the specifier's tail names.
        assert_eq!(index.resolve(Path::new(""), "../clients.js"), Some(PathBuf::from("src/clients.ts")));
        assert_eq!(index.resolve(Path::new(""), "./lib"), Some(PathBuf::from("src/lib/index.js")));
    }
}
