//! A whole project: read and parse every file, index them together, analyse
//! on every core.

use super::files::{collect_source_files, module_path};
use super::{analysis_options, report_from_analysis, EngineError, EngineOptions, FileReport};
use crate::analysis::python::{analyze_python, ProjectIndex, PythonDocument};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Read every source file under `paths`, build one project index across them
/// (so a client made in one module resolves where another uses it), analyse
/// in parallel. Reports come back in file order.
pub fn analyze_paths(paths: &[PathBuf], opts: &EngineOptions) -> Result<Vec<FileReport>, EngineError> {
    let files = collect_source_files(paths)?;
    let docs = parallel_map(&files, |path| {
        let bytes = std::fs::read(path).map_err(|e| EngineError::from_io(path, &e))?;
        // Invalid UTF-8 (a Latin-1 comment) should not hide the calls around it.
        Ok(PythonDocument::parse(String::from_utf8_lossy(&bytes).into_owned()))
    })
    .into_iter()
    .collect::<Result<Vec<_>, EngineError>>()?;

    let mut index = ProjectIndex::new();
    for (path, doc) in files.iter().zip(&docs) {
        index.update_file(&module_path(path, paths), doc);
    }

    let analysis_opts = analysis_options(opts);
    let jobs: Vec<(&PathBuf, &PythonDocument)> = files.iter().zip(&docs).collect();
    Ok(parallel_map(&jobs, |(path, doc)| {
        let analysis = analyze_python(doc, &index, &analysis_opts);
        report_from_analysis(path, analysis, opts)
    }))
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
