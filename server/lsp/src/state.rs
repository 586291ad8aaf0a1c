//! The server's shared state: open documents, the workspace index, settings
//! and what the client can do. Cloneable through `Arc`, so background tasks
//! and the embedded MCP endpoint see the same live workspace.

use super::documents::{Document, Documents};
use super::positions::Encoding;
use super::settings::Settings;
use super::types::{Range, Uri};
use super::workspace::Workspace;
use iamlens_engine::{self as engine, EngineOptions, FileReport};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub use super::index_gate::StillIndexing;

/// How long a request covering the whole workspace waits for the index.
pub const INDEX_WAIT: Duration = Duration::from_secs(60);

/// What the client told us it supports, reduced to what we act on.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientFeatures {
    pub encoding: Encoding,
    pub inlay_hint_refresh: bool,
    pub code_lens_refresh: bool,
    pub work_done_progress: bool,
    pub watched_files_registration: bool,
    pub markdown_hover: bool,
    /// The client fetches inlay-hint tooltips with `inlayHint/resolve`.
    pub inlay_hint_resolves_tooltip: bool,
}

#[derive(Default)]
pub struct State {
    pub documents: Documents,
    pub workspace: Workspace,
    settings: RwLock<Settings>,
    client: RwLock<ClientFeatures>,
    pub mcp: super::mcp_bridge::McpSlot,
    /// Previewed writes to AWS waiting for the person's consent.
    pub plans: super::consent::Plans,
    /// The AWS SDK configuration of a settings generation (credentials are
    /// resolved once and reused, not per diagnostics run).
    aws_sdk: std::sync::Mutex<Option<(u64, iamlens_aws::SdkConfig)>>,
    /// The last role-check failure logged, so one failure is logged once.
    role_error: std::sync::Mutex<Option<String>>,
    /// Bumped on every settings change.
    settings_generation: std::sync::atomic::AtomicU64,
    /// What the workspace's templates say each source file runs with.
    functions: RwLock<Arc<super::deployed::WorkspaceFunctions>>,
}

/// Why a report for a document could not be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    /// The document is not open in the editor.
    NotOpen,
    /// The text changed while the analysis ran; the client should ask again.
    ContentModified,
}

/// A consistent view of one open document: the report and the text (and line
/// index) it was computed from.
pub struct DocumentView {
    pub version: i32,
    pub text: Arc<str>,
    pub lines: super::positions::LineIndex,
    pub report: Arc<FileReport>,
}

impl State {
    pub fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replace the settings. Reports computed from now on use them; a report
    /// still being computed with the old ones is not kept (see `document_view`).
    pub fn set_settings(&self, s: Settings) {
        let mut slot = self.settings.write().unwrap_or_else(|e| e.into_inner());
        *slot = s;
        self.settings_generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn client(&self) -> ClientFeatures {
        *self.client.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_client(&self, c: ClientFeatures) {
        *self.client.write().unwrap_or_else(|e| e.into_inner()) = c;
    }

    /// Remember a role-check failure; true when it differs from the last one.
    pub fn note_role_error(&self, message: &str) -> bool {
        let mut last = self.role_error.lock().unwrap_or_else(|e| e.into_inner());
        if last.as_deref() == Some(message) {
            return false;
        }
        *last = Some(message.to_string());
        true
    }

    pub fn encoding(&self) -> Encoding {
        self.client().encoding
    }

    pub fn engine_options(&self) -> EngineOptions {
        engine_options(&self.settings())
    }

    /// [`engine_options`](Self::engine_options) with the environment the
    /// templates give the deployed function that runs `path`.
    pub fn engine_options_for(&self, path: &Path) -> EngineOptions {
        let mut opts = self.engine_options();
        if let Some(env) = self.functions.read().unwrap_or_else(|e| e.into_inner()).environment_of(path) {
            opts.environment = env.clone();
        }
        opts
    }

    /// New template facts: every report is derived again (like a settings change).
    pub fn set_functions(&self, functions: super::deployed::WorkspaceFunctions) {
        *self.functions.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(functions);
        self.settings_generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.invalidate_reports();
    }

    pub fn function_count(&self) -> usize {
        self.functions.read().unwrap_or_else(|e| e.into_inner()).functions
    }

    /// What the templates say of the workspace's functions, as last read.
    pub fn functions(&self) -> Arc<super::deployed::WorkspaceFunctions> {
        self.functions.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Read the workspace's templates again (they, the folders or the
    /// region and account changed). Blocking (disk).
    pub fn read_functions(&self) {
        self.set_functions(self.functions_from_disk());
    }

    /// [`Self::read_functions`] when what the templates and the saved code
    /// say differs from what is known (a saved handler imports another
    /// module); true when it did. Blocking (disk).
    pub fn reread_functions_if_changed(&self) -> bool {
        let fresh = self.functions_from_disk();
        if fresh == *self.functions() {
            return false;
        }
        self.set_functions(fresh);
        true
    }

    fn functions_from_disk(&self) -> super::deployed::WorkspaceFunctions {
        let settings = self.settings();
        let context = iamlens_functions::Context {
            region: settings.region,
            account: settings.account,
            stack_name: settings.stack_name,
            stage: settings.stage,
            parameters: settings.parameter_overrides,
        };
        super::deployed::WorkspaceFunctions::read(&self.workspace.folders(), &context)
    }

    /// The live workspace grouped per deployed function, each function's
    /// files bound to its own environment, as `generate-policies` groups a
    /// tree (see [`iamlens_functions::run_from_reports`]); `None` when the
    /// templates deploy no function. `folder` keeps only files under it.
    /// Does not wait for the index. Blocking (CPU).
    pub fn live_project_now(&self, folder: Option<&Path>) -> Option<iamlens_functions::ProjectRun> {
        let functions = self.functions();
        if functions.functions == 0 {
            return None;
        }
        let front_ends = iamlens_languages::front_ends();
        let files = engine::collect_source_files(&self.workspace.folders(), front_ends).unwrap_or_default();
        // Derived without any environment: each function's binding comes after.
        let plain = self.engine_options();
        let reports = self.live_reports_with(folder, |uri, path| {
            if functions.environment_of(path).is_none() {
                return self.document_view(uri).ok().map(|view| view.report);
            }
            self.unbound_report(uri, path, &plain).map(Arc::new)
        });
        Some(iamlens_functions::run_from_reports(functions.deployment.clone(), files, reports, front_ends, &plain))
    }

    /// An open document's report without the environment its functions give
    /// it (the document's own report has it bound). Not kept. Blocking (CPU).
    fn unbound_report(&self, uri: &Uri, path: &Path, opts: &EngineOptions) -> Option<FileReport> {
        let (mut source, front_end) = self.documents.with(uri, |d| (d.source.clone_document(), d.front_end))?;
        source.settle();
        Some(self.workspace.with_index(front_end, |index| engine::report_for_document(path, source.as_ref(), index, opts)))
    }

    /// The AWS SDK configuration for the current settings: made once per
    /// settings generation (region), then shared by every check and write.
    pub async fn aws_sdk(&self) -> iamlens_aws::SdkConfig {
        let generation = self.settings_generation.load(std::sync::atomic::Ordering::SeqCst);
        if let Some((made_for, sdk)) = self.aws_sdk.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if *made_for == generation {
                return sdk.clone();
            }
        }
        let options = iamlens_aws::AwsOptions { region: self.settings().region, ..iamlens_aws::AwsOptions::default() };
        let sdk = iamlens_aws::load_sdk_config(&options).await;
        *self.aws_sdk.lock().unwrap_or_else(|e| e.into_inner()) = Some((generation, sdk.clone()));
        sdk
    }

    /// The analysis of an open document at its current version, computing it
    /// if needed. Blocking (CPU): call from `spawn_blocking`.
    pub fn document_view(&self, uri: &Uri) -> Result<DocumentView, ReportError> {
        type Snapshot = (
            i32,
            Box<dyn iamlens_engine::front_end::SourceDocument>,
            super::positions::LineIndex,
            Option<(u64, Arc<FileReport>)>,
            &'static dyn iamlens_engine::front_end::FrontEnd,
        );
        let cached: Result<DocumentView, Snapshot> = self
            .documents
            .with_mut(uri, |d: &mut Document| match d.current_report() {
                Some(report) => Ok(DocumentView { version: d.version, text: d.shared_text(), lines: d.lines.clone(), report }),
                None => Err((d.version, d.source.clone_document(), d.lines.clone(), d.previous_report.take(), d.front_end)),
            })
            .ok_or(ReportError::NotOpen)?;
        let (version, mut source, lines, previous, front_end) = match cached {
            Ok(view) => return Ok(view),
            Err(snapshot) => snapshot,
        };
        // Taken over only when nobody else holds it (a copy would cost what it saves).
        let mut previous = previous.and_then(|(generation, p)| Some((generation, Arc::try_unwrap(p).ok()?)));
        // Whole-file results equal a fresh parse's (as the CLI's): settle a
        // tree left with errors by typing, off the lock, and keep it below.
        let settled_now = !source.is_settled();
        source.settle();
        let path = uri_to_path(uri);
        // Settings changing mid-analysis would leave a report computed with the
        // old ones; compute again with the new ones (a few tries at most).
        let mut attempts = 0;
        let (report, generation) = loop {
            let generation = self.settings_generation.load(std::sync::atomic::Ordering::SeqCst);
            let opts = self.engine_options_for(&path);
            // Only what was derived with these very settings.
            let previous = previous.take().filter(|(g, _)| *g == generation).map(|(_, p)| p);
            let report = Arc::new(
                self.workspace.with_index(front_end, |index| engine::report_for_document_after(&path, source.as_ref(), index, &opts, previous)),
            );
            attempts += 1;
            if generation == self.settings_generation.load(std::sync::atomic::Ordering::SeqCst) || attempts == 3 {
                break (report, generation);
            }
        };
        let stored = self.documents.with_mut(uri, |d| {
            if d.version == version && generation == self.settings_generation.load(std::sync::atomic::Ordering::SeqCst) {
                d.report = Some((version, report.clone()));
                d.report_generation = generation;
                if settled_now && !d.source.is_settled() {
                    d.source = source;
                }
                Some(d.shared_text())
            } else {
                // A newer text came in meanwhile: this report can still serve
                // the next one's unchanged calls (same settings only).
                if d.previous_report.is_none() && generation == self.settings_generation.load(std::sync::atomic::Ordering::SeqCst) {
                    d.previous_report = Some((generation, report.clone()));
                }
                None
            }
        });
        match stored {
            Some(Some(text)) => Ok(DocumentView { version, text, lines, report }),
            Some(None) => Err(ReportError::ContentModified),
            None => Err(ReportError::NotOpen),
        }
    }

    /// What a feature over part of a document needs (inlay hints for the
    /// lines in view): the whole-file report when it is computed, or when
    /// `range` covers most of a settled file (computing and keeping it);
    /// otherwise a report of only the top-level statements in `range`, which
    /// is exact for them and not kept (see [`engine::report_for_range`]).
    /// Typing then costs the statements in view, not the whole file; the
    /// whole-file analysis follows in the background (diagnostics). While
    /// typing leaves syntax errors the range report comes from the unsettled
    /// tree, also for a range covering the whole file (Neovim asks for the
    /// whole buffer after every change), so no full parse is paid on the
    /// request path; the document then notes that hints must be fetched again
    /// once settled. Blocking (CPU).
    pub fn range_view(&self, uri: &Uri, range: Range) -> Result<DocumentView, ReportError> {
        let enc = self.encoding();
        type Snapshot = (
            i32,
            Box<dyn iamlens_engine::front_end::SourceDocument>,
            super::positions::LineIndex,
            Arc<str>,
            std::ops::Range<usize>,
            &'static dyn iamlens_engine::front_end::FrontEnd,
        );
        let cached: Result<DocumentView, Option<Snapshot>> = self
            .documents
            .with(uri, |d: &Document| match d.current_report() {
                Some(report) => Ok(DocumentView { version: d.version, text: d.shared_text(), lines: d.lines.clone(), report }),
                None => {
                    let (start, end) = d.byte_range(range, enc);
                    // Most of a settled file: the whole-file report, kept. While
                    // typing leaves the tree unsettled, settling it (a full
                    // parse) is left to the background report, whatever the range.
                    let whole = (end - start) * 2 > d.text().len() && d.source.is_settled();
                    Err((!whole).then(|| (d.version, d.source.clone_document(), d.lines.clone(), d.shared_text(), start..end, d.front_end)))
                }
            })
            .ok_or(ReportError::NotOpen)?;
        let (version, source, lines, text, bytes, front_end) = match cached {
            Ok(view) => return Ok(view),
            Err(None) => return self.document_view(uri),
            Err(Some(snapshot)) => snapshot,
        };
        if !source.is_settled() {
            // Exact once settled: the client is asked to fetch these again then.
            self.documents.with(uri, |d| d.hints_before_settled.store(true, std::sync::atomic::Ordering::SeqCst));
        }
        let generation = self.settings_generation.load(std::sync::atomic::Ordering::SeqCst);
        let path = uri_to_path(uri);
        let opts = self.engine_options_for(&path);
        let report = self.workspace.with_index(front_end, |index| engine::report_for_range(&path, source.as_ref(), index, &opts, bytes));
        let current = self.documents.with(uri, |d| d.version == version).ok_or(ReportError::NotOpen)?;
        if !current || generation != self.settings_generation.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(ReportError::ContentModified);
        }
        Ok(DocumentView { version, text, lines, report: Arc::new(report) })
    }

    /// Forget every computed report (settings changed).
    pub fn invalidate_reports(&self) {
        for uri in self.documents.uris() {
            self.documents.with_mut(&uri, |d| {
                d.report = None;
                d.previous_report = None;
            });
        }
    }

    /// The reports of the live workspace: every open document as the editor
    /// has it (unsaved edits included) plus every indexed file that is not
    /// open. `folder` keeps only files under it. Waits (at most
    /// [`INDEX_WAIT`]) for a running index to finish first, so the answer is
    /// not silently partial; `Err` carries the partial reports when it is
    /// still running after that. Blocking (CPU).
    pub fn live_reports(&self, folder: Option<&Path>) -> Result<Vec<FileReport>, (StillIndexing, Vec<FileReport>)> {
        match self.workspace.gate.wait_blocking(INDEX_WAIT) {
            Ok(()) => Ok(self.live_reports_now(folder)),
            Err(still) => Err((still, self.live_reports_now(folder))),
        }
    }

    /// As [`Self::live_reports`] without waiting for the index.
    pub fn live_reports_now(&self, folder: Option<&Path>) -> Vec<FileReport> {
        self.live_reports_with(folder, |uri, _| self.document_view(uri).ok().map(|view| view.report))
    }

    /// [`Self::live_reports_now`] with each open document's report made by `open_report`.
    fn live_reports_with(&self, folder: Option<&Path>, open_report: impl Fn(&Uri, &Path) -> Option<Arc<FileReport>>) -> Vec<FileReport> {
        let mut out: Vec<FileReport> = Vec::new();
        let mut open_paths = std::collections::HashSet::new();
        for uri in self.documents.uris() {
            let path = uri_to_path(&uri);
            if folder.is_some_and(|f| !path.starts_with(f)) {
                continue;
            }
            if let Some(report) = open_report(&uri, &path) {
                if report.analysis.imports_aws_sdk {
                    out.push((*report).clone());
                }
                open_paths.insert(path);
            }
        }
        for report in self.workspace.reports() {
            if open_paths.contains(&report.path) || folder.is_some_and(|f| !report.path.starts_with(f)) {
                continue;
            }
            out.push((*report).clone());
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }
}

pub fn engine_options(s: &Settings) -> EngineOptions {
    s.engine_settings().engine_options().unwrap_or_else(|_| {
        // Settings::merged keeps invalid values out; should one get through,
        // any region and account is the safe reading (wildcards, not guesses).
        iamlens_engine::settings::Settings { region: None, account: None, ..s.engine_settings() }.engine_options().unwrap_or_default()
    })
}

/// The file path of a URI; non-file URIs (untitled buffers) keep their path text.
pub fn uri_to_path(uri: &Uri) -> PathBuf {
    uri.to_file_path().map(|p| p.into_owned()).unwrap_or_else(|| PathBuf::from(uri.path().as_str()))
}
