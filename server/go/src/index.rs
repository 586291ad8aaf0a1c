//! The project's cross-file facts ([`GoIndex`], the `LanguageIndex`): every
//! file's package-level declarations by path, packages found by directory,
//! and import paths resolved to directories (by the `go.mod` module path
//! when known, else by the longest directory that ends the import path).
//! [`View`] is what one file's analysis sees of it.

use crate::eval::ProjectView;
use crate::facts::FileFacts;
use crate::types::{PkgKey, Sym, Ty, TypeDef};
use iamlens_engine::model::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Facts of a project's Go files, by path relative to the project root.
#[derive(Debug, Clone, Default)]
pub struct GoIndex {
    files: BTreeMap<PathBuf, Arc<FileFacts>>,
    by_dir: HashMap<String, Vec<Arc<FileFacts>>>,
    /// The `go.mod` module path, when known.
    module: Option<String>,
    /// Changes with every change (0: never changed, so empty); a document's
    /// remembered analysis is reused only against the same generation.
    generation: u64,
}

/// Source of [`GoIndex::generation`] values, unique in the process.
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl GoIndex {
    pub fn new() -> GoIndex {
        GoIndex::default()
    }

    /// An index of these facts.
    pub fn from_facts(files: Vec<(PathBuf, Arc<FileFacts>)>, module: Option<String>) -> GoIndex {
        let mut index = GoIndex { files: files.into_iter().collect(), by_dir: HashMap::new(), module, generation: 0 };
        index.rebuild();
        index
    }

    /// Identifies the index's content: equal generations, equal content.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Set the `go.mod` module path (a view that reads `go.mod` calls this);
    /// without it, imports resolve by directory suffix.
    pub fn set_module(&mut self, module: Option<String>) {
        self.module = module;
        self.generation = GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Index (or re-index) one file: only its directory's list changes.
    pub fn insert(&mut self, path: &Path, facts: FileFacts) {
        self.remove(path);
        self.generation = GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let facts = Arc::new(facts);
        self.by_dir.entry(facts.dir.clone()).or_default().push(facts.clone());
        self.files.insert(path.to_path_buf(), facts);
    }

    pub fn remove(&mut self, path: &Path) {
        let Some(old) = self.files.remove(path) else { return };
        self.generation = GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(list) = self.by_dir.get_mut(&old.dir) {
            list.retain(|f| !Arc::ptr_eq(f, &old));
            if list.is_empty() {
                self.by_dir.remove(&old.dir);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn rebuild(&mut self) {
        self.generation = GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.by_dir.clear();
        for facts in self.files.values() {
            self.by_dir.entry(facts.dir.clone()).or_default().push(facts.clone());
        }
    }

    /// The directory an import path names, when it is a package of the project.
    pub fn dir_of_import(&self, path: &str) -> Option<&str> {
        if let Some(module) = &self.module {
            let rel = if path == module { Some("") } else { path.strip_prefix(module.as_str()).and_then(|r| r.strip_prefix('/')) };
            return rel.and_then(|r| self.by_dir.get_key_value(r)).map(|(k, _)| k.as_str());
        }
        // Without `go.mod`, a standard-library path (`errors`, `log`) is never a project directory.
        if crate::types::is_std(path) {
            return None;
        }
        self.by_dir
            .keys()
            .filter(|d| !d.is_empty() && (path == d.as_str() || path.ends_with(&format!("/{d}"))))
            .max_by_key(|d| d.len())
            .map(String::as_str)
    }

    /// The directory of the indexed file with this text, or else the only
    /// directory whose files declare `package` (for a document analysed without its path).
    pub fn dir_of_document(&self, hash: u64, package: &str) -> Option<String> {
        if let Some(f) = self.files.values().find(|f| f.hash == hash) {
            return Some(f.dir.clone());
        }
        let mut dirs = self.by_dir.iter().filter(|(_, fs)| fs.iter().any(|f| f.package == package)).map(|(d, _)| d);
        match (dirs.next(), dirs.next()) {
            (Some(d), None) => Some(d.clone()),
            _ => None,
        }
    }
}

/// One file's view of the project: its own fresh facts first, then the
/// index's other files.
pub struct View<'a> {
    pub index: &'a GoIndex,
    pub own: &'a FileFacts,
}

impl View<'_> {
    fn files<'s>(&'s self, pkg: &str) -> impl Iterator<Item = &'s FileFacts> + 's {
        let dir = pkg.strip_prefix("dir:").unwrap_or("\u{0}").to_string();
        let own = (self.own.dir == dir).then_some(self.own);
        let others = self.index.by_dir.get(&dir).into_iter().flatten().filter(|f| f.hash != self.own.hash).map(|f| f.as_ref());
        own.into_iter().chain(others)
    }
}

impl ProjectView for View<'_> {
    fn value(&self, pkg: &str, name: &str) -> Option<Sym> {
        self.files(pkg).find_map(|f| f.values.get(name).cloned())
    }

    fn func_result(&self, pkg: &str, name: &str) -> Option<Ty> {
        self.files(pkg).find_map(|f| f.funcs.get(name).cloned())
    }

    fn func_value(&self, pkg: &str, name: &str) -> Option<Value> {
        self.files(pkg).find_map(|f| f.func_values.get(name).cloned())
    }

    fn field_region(&self, pkg: &str, ty: &str, field: &str) -> Option<String> {
        let key = format!("{ty}.{field}");
        let mut regions = self.files(pkg).filter_map(|f| f.field_regions.get(&key));
        let first = regions.next()?.clone()?;
        regions.all(|r| r.as_deref() == Some(first.as_str())).then_some(first)
    }

    fn method_result(&self, pkg: &str, ty: &str, method: &str) -> Option<Ty> {
        let key = format!("{ty}.{method}");
        self.files(pkg).find_map(|f| f.methods.get(&key).cloned())
    }

    fn type_def(&self, pkg: &str, name: &str) -> Option<TypeDef> {
        self.files(pkg).find_map(|f| f.types.get(name).cloned())
    }

    fn project_import(&self, path: &str) -> Option<PkgKey> {
        self.index.dir_of_import(path).map(|d| format!("dir:{d}"))
    }
}

/// The module path a `go.mod` declares.
pub fn module_of_go_mod(text: &str) -> Option<String> {
    text.lines().find_map(|l| l.trim().strip_prefix("module ")).map(|m| m.trim().trim_matches('"').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(dir: &str, hash: u64) -> (PathBuf, Arc<FileFacts>) {
        (PathBuf::from(format!("{dir}/x.go")), Arc::new(FileFacts { dir: dir.into(), hash, package: "p".into(), ..FileFacts::default() }))
    }

    #[test]
    fn imports_resolve_by_module_or_by_suffix() {
        let index = GoIndex::from_facts(vec![facts("internal/store", 1), facts("store", 2)], None);
        assert_eq!(index.dir_of_import("example.com/app/internal/store"), Some("internal/store"));
        assert_eq!(index.dir_of_import("example.com/app/store"), Some("store"));
        assert_eq!(index.dir_of_import("github.com/minio/minio-go/v7"), None);
        let std_named = GoIndex::from_facts(vec![facts("errors", 3)], None);
        assert_eq!(std_named.dir_of_import("errors"), None, "the standard library's `errors`, not the project's");
        let dotless = GoIndex::from_facts(vec![facts("internal/store", 1)], Some("myapp".into()));
        assert_eq!(dotless.dir_of_import("myapp/internal/store"), Some("internal/store"));
        let index = GoIndex::from_facts(vec![facts("internal/store", 1), facts("store", 2)], Some("example.com/app".into()));
        assert_eq!(index.dir_of_import("example.com/app/internal/store"), Some("internal/store"));
        assert_eq!(index.dir_of_import("other.org/x/store"), None);
        assert_eq!(module_of_go_mod("module example.com/app\n\ngo 1.22\n").as_deref(), Some("example.com/app"));
    }
}
