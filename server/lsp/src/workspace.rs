//! The workspace index: every source file under the workspace folders that
//! may use an AWS SDK (.gitignore honoured), its cross-file facts in its
//! language's index, and its report for workspace-wide policies. Built in the
//! background after `initialize`; kept current by saves and watched-file events.

use dashmap::DashMap;
use iamlens_engine::front_end::{FrontEnd, LanguageIndex, SourceDocument};
use iamlens_engine::{self as engine, EngineOptions, FileReport};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Files larger than this are not indexed (generated code, data dumps).
pub const MAX_INDEXED_FILE_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Default)]
pub struct Workspace {
    /// Whether an indexing pass is running (see `server::spawn_index`).
    pub gate: super::index_gate::IndexGate,
    folders: RwLock<Vec<PathBuf>>,
    /// Each language's cross-file facts, by language name.
    indexes: RwLock<Indexes>,
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

    /// Run `f` with the index of `front_end`'s language.
    pub fn with_index<R>(&self, front_end: &dyn FrontEnd, f: impl FnOnce(&dyn LanguageIndex) -> R) -> R {
        let indexes = self.indexes.read().unwrap_or_else(|e| e.into_inner());
        match indexes.get(front_end.language()) {
            Some(index) => f(index),
            None => {
                drop(indexes);
                f(front_end.new_index().as_ref())
            }
        }
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
        let files = match engine::collect_source_files(&folders, iamlens_languages::front_ends()) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("iamlens: workspace index: {e}");
                Vec::new()
            }
        };
        let total = files.len();
        let mut indexes = Indexes::new();
        let mut aws_paths = Vec::new();
        for (i, chunk) in files.chunks(CHUNK).enumerate() {
            for parsed in self.parse_aws_files(chunk) {
                indexes.of(parsed.front_end).update_file(&self.module_path(&parsed.path), parsed.doc.as_ref());
                aws_paths.push(parsed.path);
            }
            progress(((i + 1) * CHUNK).min(total) / 2, total);
        }
        *self.indexes.write().unwrap_or_else(|e| e.into_inner()) = indexes;
        self.reports.clear();
        for (i, chunk) in aws_paths.chunks(CHUNK).enumerate() {
            let parsed = self.parse_aws_files(chunk);
            let reports = self.analyze_all(&parsed, opts);
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
        match front_end_of(path).and_then(|front_end| read_aws_source(front_end, path)) {
            Some(text) => self.update_text(path, text, opts),
            None => self.remove_file(path),
        }
    }

    /// Index a file's text (e.g. the saved buffer); files no front-end reads are left out.
    pub fn update_text(&self, path: &Path, text: String, opts: &EngineOptions) {
        let Some(front_end) = front_end_of(path) else { return self.remove_file(path) };
        let module_path = self.module_path(path);
        let doc = front_end.parse_document(text, Some(&module_path), None);
        self.indexes.write().unwrap_or_else(|e| e.into_inner()).of(front_end).update_file(&module_path, doc.as_ref());
        let report = self.with_index(front_end, |index| engine::report_for_parsed(path, doc.as_ref(), index, opts));
        if report.analysis.imports_aws_sdk {
            self.reports.insert(path.to_path_buf(), Arc::new(report));
        } else {
            self.reports.remove(path);
        }
    }

    pub fn remove_file(&self, path: &Path) {
        if let Some(front_end) = front_end_of(path) {
            self.indexes.write().unwrap_or_else(|e| e.into_inner()).of(front_end).remove_file(&self.module_path(path));
        }
        self.reports.remove(path);
    }

    /// Recompute every indexed report (settings changed) from disk.
    pub fn reanalyze(&self, opts: &EngineOptions) {
        let _one_at_a_time = self.pass.lock().unwrap_or_else(|e| e.into_inner());
        let paths: Vec<PathBuf> = self.reports.iter().map(|e| e.key().clone()).collect();
        for chunk in paths.chunks(CHUNK) {
            let parsed = self.parse_aws_files(chunk);
            let reports = self.analyze_all(&parsed, opts);
            for report in reports {
                self.reports.insert(report.path.clone(), Arc::new(report));
            }
        }
    }
}

/// Each language's index, made on first use.
#[derive(Default)]
struct Indexes(HashMap<&'static str, Box<dyn LanguageIndex>>);

impl Indexes {
    fn new() -> Indexes {
        Indexes::default()
    }

    fn get(&self, language: &str) -> Option<&dyn LanguageIndex> {
        self.0.get(language).map(|index| index.as_ref())
    }

    fn of(&mut self, front_end: &dyn FrontEnd) -> &mut dyn LanguageIndex {
        self.0.entry(front_end.language()).or_insert_with(|| front_end.new_index()).as_mut()
    }
}

/// The front-end that reads a workspace file, by extension.
fn front_end_of(path: &Path) -> Option<&'static dyn FrontEnd> {
    iamlens_languages::for_path(path)
}

/// The text of a source file that may use an AWS SDK (the front-end's cheap
/// byte test). Unreadable, huge or binary files are skipped.
fn read_aws_source(front_end: &dyn FrontEnd, path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_INDEXED_FILE_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    if bytes.contains(&0) || !front_end.may_use_aws(&bytes) {
        return None;
    }
    String::from_utf8(bytes).ok()
}

fn workers(n: usize) -> usize {
    std::thread::available_parallelism().map_or(1, |p| p.get()).min(n.max(1))
}

/// Files per chunk: bounds the syntax trees alive at once.
const CHUNK: usize = 64;

/// A file read and parsed for the index.
struct Parsed {
    path: PathBuf,
    front_end: &'static dyn FrontEnd,
    doc: Box<dyn SourceDocument>,
}

impl Workspace {
    /// Read and parse the files that may use an AWS SDK, on every core.
    fn parse_aws_files(&self, files: &[PathBuf]) -> Vec<Parsed> {
        if files.is_empty() {
            return Vec::new();
        }
        let per = files.len().div_ceil(workers(files.len()));
        std::thread::scope(|s| {
            let handles: Vec<_> = files
                .chunks(per.max(1))
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .filter_map(|p| {
                                let front_end = front_end_of(p)?;
                                let text = read_aws_source(front_end, p)?;
                                let doc = front_end.parse_document(text, Some(&self.module_path(p)), None);
                                Some(Parsed { path: p.clone(), front_end, doc })
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).flatten().collect()
        })
    }

    /// Analyse parsed files against their languages' indexes, on every core.
    fn analyze_all(&self, parsed: &[Parsed], opts: &EngineOptions) -> Vec<FileReport> {
        if parsed.is_empty() {
            return Vec::new();
        }
        let indexes = self.indexes.read().unwrap_or_else(|e| e.into_inner());
        let indexes = &*indexes;
        let per = parsed.len().div_ceil(workers(parsed.len()));
        std::thread::scope(|s| {
            let handles: Vec<_> = parsed
                .chunks(per.max(1))
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|p| match indexes.get(p.front_end.language()) {
                                Some(index) => engine::report_for_parsed(&p.path, p.doc.as_ref(), index, opts),
                                None => engine::report_for_parsed(&p.path, p.doc.as_ref(), p.front_end.new_index().as_ref(), opts),
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).flatten().collect()
        })
    }
}
