//! One project-wide analysis → requirements per deployed function.

use crate::code::DeployedFunction;
use iamlens_engine::model::FileAnalysis;
use iamlens_engine::parallel::parallel_map;
use iamlens_engine::requirements::reuse::Previous;
use iamlens_engine::{report_from_analysis, EngineOptions, FileReport};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The reports of one function's files, its environment bound; `function`
/// (an index into the functions) is `None` for the files no function runs.
#[derive(Debug, Clone)]
pub struct FunctionReports {
    pub function: Option<usize>,
    pub reports: Vec<FileReport>,
}

/// Each function's reports, in the functions' order, then the files outside
/// every function (only when there are such files).
pub fn per_function(files: &[PathBuf], analyses: Vec<FileAnalysis>, functions: &[DeployedFunction], opts: &EngineOptions) -> Vec<FunctionReports> {
    let mut jobs: Vec<(Option<usize>, usize)> = Vec::new();
    let mut covered = vec![false; files.len()];
    for (f, function) in functions.iter().enumerate() {
        for &i in &function.files {
            covered[i] = true;
            jobs.push((Some(f), i));
        }
    }
    jobs.extend((0..files.len()).filter(|&i| !covered[i]).map(|i| (None, i)));
    let bound: Vec<EngineOptions> = functions.iter().map(|f| EngineOptions { environment: f.environment.clone(), ..opts.clone() }).collect();
    // Each analysis is moved into its last report and copied only for the
    // others (a file several functions run): memory holds one copy, as without templates.
    let mut uses = vec![0usize; files.len()];
    for &(_, i) in &jobs {
        uses[i] += 1;
    }
    let slots: Vec<(Mutex<Option<FileAnalysis>>, AtomicUsize)> =
        analyses.into_iter().zip(uses).map(|(a, n)| (Mutex::new(Some(a)), AtomicUsize::new(n))).collect();
    let take = |i: usize| -> FileAnalysis {
        let (slot, left) = &slots[i];
        let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
        if left.fetch_sub(1, Ordering::SeqCst) == 1 {
            guard.take().unwrap_or_default()
        } else {
            guard.clone().unwrap_or_default()
        }
    };
    let reports = parallel_map(&jobs, |&(f, i)| report_from_analysis(&files[i], take(i), f.map_or(opts, |f| &bound[f])));
    let mut out: Vec<FunctionReports> = (0..functions.len()).map(|f| FunctionReports { function: Some(f), reports: Vec::new() }).collect();
    let mut outside = FunctionReports { function: None, reports: Vec::new() };
    for ((f, _), report) in jobs.into_iter().zip(reports) {
        match f {
            Some(f) => out[f].reports.push(report),
            None => outside.reports.push(report),
        }
    }
    if !outside.reports.is_empty() {
        out.push(outside);
    }
    out
}

/// [`per_function`] over reports already derived without any environment
/// (the language server's live workspace: its index and open documents):
/// each function's files are derived again with its environment bound,
/// which gives what a fresh analysis with that environment gives. Files no
/// function runs keep their report; `files` (the walked source files, which
/// the functions' indexes point into) with no report are files without AWS
/// calls and are left out.
pub fn per_function_from_reports(
    files: &[PathBuf],
    reports: Vec<FileReport>,
    functions: &[DeployedFunction],
    opts: &EngineOptions,
) -> Vec<FunctionReports> {
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let by_path: std::collections::HashMap<PathBuf, usize> = reports.iter().enumerate().map(|(i, r)| (canonical(&r.path), i)).collect();
    let report_of_file: Vec<Option<usize>> = files.iter().map(|f| by_path.get(&canonical(f)).copied()).collect();
    let mut covered = vec![false; reports.len()];
    let mut out: Vec<FunctionReports> = functions
        .iter()
        .enumerate()
        .map(|(f, function)| {
            let bound = EngineOptions { environment: function.environment.clone(), ..opts.clone() };
            let reports = function
                .files
                .iter()
                .filter_map(|&i| report_of_file.get(i).copied().flatten())
                .map(|r| {
                    covered[r] = true;
                    rebound(&reports[r], &bound)
                })
                .collect();
            FunctionReports { function: Some(f), reports }
        })
        .collect();
    let outside: Vec<FileReport> = reports.into_iter().zip(covered).filter(|(_, covered)| !covered).map(|(r, _)| r).collect();
    if !outside.is_empty() {
        out.push(FunctionReports { function: None, reports: outside });
    }
    out
}

/// `report` (derived without any environment) derived again with the
/// environment of `opts`: the requirements stage's own findings are dropped
/// and the stage runs again on the calls, now bound.
fn rebound(report: &FileReport, opts: &EngineOptions) -> FileReport {
    if opts.environment.is_empty() {
        return report.clone();
    }
    let mut analysis = report.analysis.clone();
    analysis.findings.retain(|f| !Previous::is_derived_finding(f));
    report_from_analysis(&report.path, analysis, opts)
}
