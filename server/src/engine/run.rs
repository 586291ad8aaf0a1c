//! A whole project: read and parse every file, index them together, analyse
//! on every core.

use super::files::{collect_source_files, module_path};
use super::{analysis_options, report_from_analysis, EngineError, EngineOptions, FileReport};
use crate::analysis::python::{analyze_python, ProjectIndex, PythonDocument};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Projects up to this many files keep their syntax trees between indexing
/// and analysis; larger ones re-parse instead, so memory stays flat (a tree
/// costs ~30x its source text: 1,000 kept trees took 180 MB, re-parsing 48 MB).
pub(crate) const KEEP_TREES_UP_TO: usize = 200;

/// Read every source file under `paths`, build one project index across them
/// (so a client made in one module resolves where another uses it), analyse
/// in parallel. Reports come back in file order.
pub fn analyze_paths(paths: &[PathBuf], opts: &EngineOptions) -> Result<Vec<FileReport>, EngineError> {
    let files = collect_source_files(paths)?;
    let keep_trees = files.len() <= KEEP_TREES_UP_TO;
    let index = Mutex::new(ProjectIndex::new());

    // Pass 1: read, parse and index every file.
    let parsed = parallel_map(&files, |path| {
        let doc = PythonDocument::parse(read_source(path)?);
        lock(&index).update_file(&module_path(path, paths), &doc);
        Ok(if keep_trees { Parsed::Tree(doc) } else { Parsed::Text(doc.text().to_owned()) })
    })
    .into_iter()
    .collect::<Result<Vec<_>, EngineError>>()?;
    let index = index.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());

    // Pass 2: analyse each file against the whole project.
    let analysis_opts = analysis_options(opts);
    let jobs: Vec<(&PathBuf, Parsed)> = files.iter().zip(parsed).collect();
    Ok(parallel_map(&jobs, |(path, parsed)| {
        let analysis = match parsed {
            Parsed::Tree(doc) => analyze_python(doc, &index, &analysis_opts),
            Parsed::Text(text) => analyze_python(&PythonDocument::parse(text.clone()), &index, &analysis_opts),
        };
        report_from_analysis(path, analysis, opts)
    }))
}

enum Parsed {
    Tree(PythonDocument),
    Text(String),
}

/// Invalid UTF-8 (a Latin-1 comment) should not hide the calls around it.
fn read_source(path: &Path) -> Result<String, EngineError> {
    let bytes = std::fs::read(path).map_err(|e| EngineError::from_io(path, &e))?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    })
}

/// The index lock is only held for an update; a panic elsewhere cannot leave it half-written.
fn lock(index: &Mutex<ProjectIndex>) -> std::sync::MutexGuard<'_, ProjectIndex> {
    index.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `items.iter().map(f)` on every core, results in input order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}
