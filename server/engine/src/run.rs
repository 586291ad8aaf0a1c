//! A whole project: every source file under the paths, each language's files
//! analysed together by its front-end (on every core), then the requirements
//! of each file.

use crate::files::{module_path, walk_source_files, WalkOptions, Walked};
use crate::front_end::{self, FrontEnd, ProjectFile};
use crate::model::FileAnalysis;
use crate::parallel::parallel_map;
use crate::{analysis_options, report_from_analysis, EngineError, EngineOptions, FileReport};
use std::path::PathBuf;

/// Read every source file under `paths`, let each language's front-end
/// analyse its files as one project (so a client made in one module resolves
/// where another uses it), derive requirements in parallel. Files given by
/// name whose extension no front-end claims are read by the first front-end.
/// Reports come back in file order.
pub fn analyze_paths(paths: &[PathBuf], front_ends: &[&'static dyn FrontEnd], opts: &EngineOptions) -> Result<Vec<FileReport>, EngineError> {
    analyze_paths_within(paths, front_ends, opts, &WalkOptions::default()).map(|(reports, _)| reports)
}

/// [`analyze_paths`] walking with `walk` (limits, tests): the reports, and
/// what the walk found and left out.
pub fn analyze_paths_within(
    paths: &[PathBuf],
    front_ends: &[&'static dyn FrontEnd],
    opts: &EngineOptions,
    walk: &WalkOptions,
) -> Result<(Vec<FileReport>, Walked), EngineError> {
    let walked = walk_source_files(paths, front_ends, walk)?;
    let reports = analyze_files(paths, &walked.files, front_ends, opts)?;
    Ok((reports, walked))
}

fn analyze_files(
    paths: &[PathBuf],
    files: &[PathBuf],
    front_ends: &[&'static dyn FrontEnd],
    opts: &EngineOptions,
) -> Result<Vec<FileReport>, EngineError> {
    let analyses = analyses_of_files(paths, files, front_ends, opts)?;
    let jobs: Vec<(&PathBuf, std::sync::Mutex<Option<crate::model::FileAnalysis>>)> =
        files.iter().zip(analyses).map(|(p, a)| (p, std::sync::Mutex::new(Some(a)))).collect();
    Ok(parallel_map(&jobs, |(path, analysis)| {
        let analysis = analysis.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
        report_from_analysis(path, analysis, opts)
    }))
}

/// The walk and each file's analysis, before requirements: for callers that
/// derive requirements more than once per file (one deployed function each,
/// with its own environment).
pub fn analyses_within(
    paths: &[PathBuf],
    front_ends: &[&'static dyn FrontEnd],
    opts: &EngineOptions,
    walk: &WalkOptions,
) -> Result<(Vec<FileAnalysis>, Walked), EngineError> {
    let walked = walk_source_files(paths, front_ends, walk)?;
    let analyses = analyses_of_files(paths, &walked.files, front_ends, opts)?;
    Ok((analyses, walked))
}

/// Each file's analysis, in file order; each language's files as one project.
fn analyses_of_files(
    paths: &[PathBuf],
    files: &[PathBuf],
    front_ends: &[&'static dyn FrontEnd],
    opts: &EngineOptions,
) -> Result<Vec<FileAnalysis>, EngineError> {
    let Some(&default) = front_ends.first() else { return Ok(Vec::new()) };
    let language_of = |path: &PathBuf| front_end::for_path(front_ends, path).unwrap_or(default).language();
    let analysis_opts = analysis_options(opts);
    let mut analyses = Vec::with_capacity(files.len());
    analyses.resize_with(files.len(), Default::default);
    for &fe in front_ends {
        let mine: Vec<usize> = (0..files.len()).filter(|&i| language_of(&files[i]) == fe.language()).collect();
        if mine.is_empty() {
            continue;
        }
        let project: Vec<ProjectFile> =
            mine.iter().map(|&i| ProjectFile { path: files[i].clone(), module_path: module_path(&files[i], paths) }).collect();
        for (i, analysis) in mine.into_iter().zip(fe.analyze_project(&project, &analysis_opts)?) {
            analyses[i] = analysis;
        }
    }
    Ok(analyses)
}
