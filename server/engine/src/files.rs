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
    collect_source_files_within(paths, front_ends, &WalkLimits::none())
}

/// How far a walk may go before it stops with an error (for requests from
/// untrusted callers: an agent asking for `/`).
#[derive(Debug, Clone, Copy)]
pub struct WalkLimits {
    /// At most this many source files.
    pub max_files: usize,
    /// Give up when walking takes longer.
    pub max_time: std::time::Duration,
}

impl WalkLimits {
    pub fn none() -> WalkLimits {
        WalkLimits { max_files: usize::MAX, max_time: std::time::Duration::MAX }
    }
}

/// [`collect_source_files`], stopping with [`EngineError::TooLarge`] past `limits`.
pub fn collect_source_files_within(
    paths: &[PathBuf],
    front_ends: &[&'static dyn FrontEnd],
    limits: &WalkLimits,
) -> Result<Vec<PathBuf>, EngineError> {
    let started = std::time::Instant::now();
    let mut out: Vec<PathBuf> = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| EngineError::from_io(path, &e))?;
        if meta.is_dir() {
            let budget = Budget { limits, started, found_before: out.len() };
            let mut found = walk_dir(path, front_ends, &budget)?;
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

/// What is left of the limits while one directory is walked.
struct Budget<'a> {
    limits: &'a WalkLimits,
    started: std::time::Instant,
    found_before: usize,
}

fn walk_dir(dir: &Path, front_ends: &[&'static dyn FrontEnd], budget: &Budget) -> Result<Vec<PathBuf>, EngineError> {
    let mut found = Vec::new();
    let too_large = |what: String| EngineError::TooLarge { path: dir.to_path_buf(), what };
    // `require_git(false)`: a .gitignore counts even outside a git checkout
    // (an unpacked tarball, a fixture directory), as users expect.
    let walker = ignore::WalkBuilder::new(dir).require_git(false).build();
    for entry in walker {
        let entry = entry.map_err(|e| EngineError::Walk { path: dir.to_path_buf(), message: e.to_string() })?;
        let is_file = entry.file_type().is_some_and(|t| t.is_file());
        if is_file && front_end::for_path(front_ends, entry.path()).is_some() {
            found.push(entry.into_path());
            if budget.found_before + found.len() > budget.limits.max_files {
                return Err(too_large(format!("more than {} source files", budget.limits.max_files)));
            }
        }
        if budget.started.elapsed() > budget.limits.max_time {
            return Err(too_large(format!("walking it took over {} s", budget.limits.max_time.as_secs())));
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
