//! The workspace index: every Python file under the workspace folders that
//! imports an AWS SDK (.gitignore honoured), its cross-file facts in a
//! `ProjectIndex`, and its report for workspace-wide policies. Built in the
//! background after `initialize`; kept current by saves and watched-file events.

use crate::analysis::python::{PythonDocument, ProjectIndex};
use crate::engine::{self, EngineOptions, FileReport};
use dashmap::DashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Files larger than this are not indexed (generated code, data dumps).
pub const MAX_INDEXED_FILE_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Default)]
pub struct Workspace {
    /// Whether an indexing pass is running (see `server::spawn_index`).
    pub gate: super::index_gate::IndexGate,
    folders: RwLock<Vec<PathBuf>>,
    index: RwLock<ProjectIndex>,
    reports: DashMap<PathBuf, Arc<FileReport>>,
    /// Held by an indexing pass: passes run one after the other, so the last
    /// one started (with the current folders) is the last one to write.
    pass: std::sync::Mutex<()>,
}

/// What one indexing pass did, for the progress report and the log.
#[derive(Debug, Default, Clone, Copy)]
pub struct IndexSummary {
    pub scanned: usize,
    pub aws_files: usize,
}

impl Workspace {
    pub fn set_folders(&self, folders: Vec<PathBuf>) {
        *self.folders.write().unwrap_or_else(|e| e.into_inner()) = folders;
    }

    pub fn folders(&self) -> Vec<PathBuf> {
        self.folders.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn with_index<R>(&self, f: impl FnOnce(&ProjectIndex) -> R) -> R {
        f(&self.index.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn reports(&self) -> Vec<Arc<FileReport>> {
        self.reports.iter().map(|e| e.value().clone()).collect()
    }

    pub fn file_count(&self) -> usize {
        self.reports.len()
    }

    /// The path the index knows a file by: relative to its workspace folder,
    /// so `from app.aws import make_client` finds `app/aws.py`.
    pub fn module_path(&self, path: &Path) -> PathBuf {
        let folders = self.folders();
        folders
            .iter()
            .filter_map(|f| path.strip_prefix(f).ok())
            .min_by_key(|rel| rel.components().count())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| path.to_path_buf())
    }

    /// Index every folder from scratch. `progress` gets (done, total) now and
    /// then. Two passes, each over chunks of files whose trees are dropped as
    /// soon as the chunk is done, so memory holds reports, not syntax trees:
    /// first the cross-file facts of every file, then each file's report
    /// against the complete index. Blocking (CPU and disk).
    pub fn index_all(&self, opts: &EngineOptions, mut progress: impl FnMut(usize, usize)) -> IndexSummary {
        let _one_at_a_time = self.pass.lock().unwrap_or_else(|e| e.into_inner());
        let folders = self.folders();
        let files = match engine::collect_source_files(&folders) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("iamlens: workspace index: {e}");
                Vec::new()
            }
        };
        let total = files.len();
        let mut index = ProjectIndex::new();
        let mut aws_paths = Vec::new();
        for (i, chunk) in files.chunks(CHUNK).enumerate() {
            for (path, doc) in parse_aws_files(chunk) {
                index.update_file(&self.module_path(&path), &doc);
                aws_paths.push(path);
            }
            progress(((i + 1) * CHUNK).min(total) / 2, total);
        }
        *self.index.write().unwrap_or_else(|e| e.into_inner()) = index;
        self.reports.clear();
        for (i, chunk) in aws_paths.chunks(CHUNK).enumerate() {
            let parsed = parse_aws_files(chunk);
            let reports = self.with_index(|index| analyze_all(&parsed, index, opts));
            for report in reports {
                if report.analysis.imports_aws_sdk {
                    self.reports.insert(report.path.clone(), Arc::new(report));
                }
            }
            progress(total / 2 + ((i + 1) * CHUNK).min(aws_paths.len()) * total / aws_paths.len().max(1) / 2, total);
        }
        progress(total, total);
        IndexSummary { scanned: total, aws_files: self.reports.len() }
    }

    /// Re-read one file from disk (saved, created or changed outside the editor).
    pub fn update_file(&self, path: &Path, opts: &EngineOptions) {
        match read_aws_source(path) {
            Some(text) => self.update_text(path, text, opts),
            None => self.remove_file(path),
        }
    }

    /// Index a file's text (e.g. the saved buffer).
    pub fn update_text(&self, path: &Path, text: String, opts: &EngineOptions) {
        let doc = PythonDocument::parse(text);
        self.index.write().unwrap_or_else(|e| e.into_inner()).update_file(&self.module_path(path), &doc);
        let report = self.with_index(|index| engine::report_for_parsed(path, &doc, index, opts));
        if report.analysis.imports_aws_sdk {
            self.reports.insert(path.to_path_buf(), Arc::new(report));
        } else {
            self.reports.remove(path);
        }
    }

    pub fn remove_file(&self, path: &Path) {
        self.index.write().unwrap_or_else(|e| e.into_inner()).remove_file(&self.module_path(path));
        self.reports.remove(path);
    }

    /// Recompute every indexed report (settings changed) from disk.
    pub fn reanalyze(&self, opts: &EngineOptions) {
        let _one_at_a_time = self.pass.lock().unwrap_or_else(|e| e.into_inner());
        let paths: Vec<PathBuf> = self.reports.iter().map(|e| e.key().clone()).collect();
        for chunk in paths.chunks(CHUNK) {
            let parsed = parse_aws_files(chunk);
            let reports = self.with_index(|index| analyze_all(&parsed, index, opts));
            for report in reports {
                self.reports.insert(report.path.clone(), Arc::new(report));
            }
        }
    }
}

/// The text of a Python file that may use an AWS SDK: every SDK module name
/// (`boto3`, `botocore`, `aioboto3`, `aiobotocore`) contains "boto", so a file
/// without it cannot import one. Unreadable, huge or binary files are skipped.
fn read_aws_source(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_INDEXED_FILE_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    if bytes.contains(&0) || !bytes.windows(4).any(|w| w == b"boto") {
        return None;
    }
    String::from_utf8(bytes).ok()
}

fn workers(n: usize) -> usize {
    std::thread::available_parallelism().map_or(1, |p| p.get()).min(n.max(1))
}

/// Files per chunk: bounds the syntax trees alive at once.
const CHUNK: usize = 64;

/// Read and parse the files that may use an AWS SDK, on every core.
fn parse_aws_files(files: &[PathBuf]) -> Vec<(PathBuf, PythonDocument)> {
    if files.is_empty() {
        return Vec::new();
    }
    let per = files.len().div_ceil(workers(files.len()));
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(per.max(1))
            .map(|part| {
                s.spawn(move || {
                    part.iter().filter_map(|p| read_aws_source(p).map(|t| (p.clone(), PythonDocument::parse(t)))).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).flatten().collect()
    })
}

/// Analyse parsed files against the index, on every core.
fn analyze_all(parsed: &[(PathBuf, PythonDocument)], index: &ProjectIndex, opts: &EngineOptions) -> Vec<FileReport> {
    if parsed.is_empty() {
        return Vec::new();
    }
    let per = parsed.len().div_ceil(workers(parsed.len()));
    std::thread::scope(|s| {
        let handles: Vec<_> = parsed
            .chunks(per.max(1))
            .map(|part| {
                s.spawn(move || {
                    part.iter().map(|(p, d)| engine::report_for_parsed(p, d, index, opts)).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).flatten().collect()
    })
}
