//! Which files a run reads: files as given, directories walked recursively
//! honouring `.gitignore`, `.ignore` and hidden-file conventions.

use crate::front_end::{self, FrontEnd};
use crate::EngineError;
use std::path::{Path, PathBuf};

/// Files as given (whatever their extension: the user asked for them), plus
/// every source file a front-end reads under each directory, walked
/// recursively honouring `.gitignore`. Sorted and deduplicated per argument,
/// in argument order, so runs are reproducible.
pub fn collect_source_files(paths: &[PathBuf], front_ends: &[&'static dyn FrontEnd]) -> Result<Vec<PathBuf>, EngineError> {
    let mut out: Vec<PathBuf> = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| EngineError::from_io(path, &e))?;
        if meta.is_dir() {
            let mut found = walk_dir(path, front_ends)?;
            found.sort();
            out.extend(found);
        } else {
            out.push(path.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

fn walk_dir(dir: &Path, front_ends: &[&'static dyn FrontEnd]) -> Result<Vec<PathBuf>, EngineError> {
    let mut found = Vec::new();
    // `require_git(false)`: a .gitignore counts even outside a git checkout
    // (an unpacked tarball, a fixture directory), as users expect.
    let walker = ignore::WalkBuilder::new(dir).require_git(false).build();
    for entry in walker {
        let entry = entry.map_err(|e| EngineError::Walk { path: dir.to_path_buf(), message: e.to_string() })?;
        let is_file = entry.file_type().is_some_and(|t| t.is_file());
        if is_file && front_end::for_path(front_ends, entry.path()).is_some() {
            found.push(entry.into_path());
        }
    }
    Ok(found)
}

/// The path the project index knows a file by: relative to the directory
/// argument it was found under (so `pkg/mod.py` is module `pkg.mod`), else as given.
pub fn module_path(file: &Path, roots: &[PathBuf]) -> PathBuf {
    roots
        .iter()
        .filter(|root| root.is_dir())
        .find_map(|root| file.strip_prefix(root).ok())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| file.to_path_buf())
}

/// Invalid UTF-8 (a Latin-1 comment) should not hide the calls around it.
pub fn read_source(path: &Path) -> Result<String, EngineError> {
    let bytes = std::fs::read(path).map_err(|e| EngineError::from_io(path, &e))?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    })
}
