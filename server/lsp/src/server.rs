//! The `LanguageServer` implementation: protocol plumbing only. Document
//! edits are applied before the first `.await` of a handler (handlers run
//! concurrently); analysis runs on blocking threads, off the async runtime, and
//! a panic there becomes an error response instead of a dead server.

use super::aws_link;
use super::documents::Document;
use super::features::{code_actions, code_lens, commands, diagnostics, hover, inlay_hints};
use super::mcp_bridge;
use super::positions::Encoding;
use super::settings::Settings;
use super::state::{uri_to_path, ClientFeatures, DocumentView, ReportError, State, StillIndexing, INDEX_WAIT};
use super::types::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Diagnostics wait this long after the last keystroke before being computed.
const DIAGNOSTICS_DEBOUNCE: Duration = Duration::from_millis(40);

pub struct Backend {
    pub client: Client,
    pub state: Arc<State>,
    /// `--mcp-port`: serve the MCP endpoint whatever the settings say.
    pub mcp_port: Option<u16>,
    pub shutdown_requested: Arc<AtomicBool>,
}

impl Backend {
    /// Run `f` on a blocking thread with the state; a panic becomes an internal error.
    async fn blocking<R: Send + 'static>(&self, f: impl FnOnce(&State) -> RpcResult<R> + Send + 'static) -> RpcResult<R> {
        let state = self.state.clone();
        match tokio::task::spawn_blocking(move || f(&state)).await {
            Ok(result) => result,
            Err(err) => {
                let message = format!("iamlens failed on this request: {err}");
                self.client.log_message(MessageType::ERROR, &message).await;
                Err(RpcError { code: ErrorCode::InternalError, message: message.into(), data: None })
            }
        }
    }

    /// A feature over an open document's current report; `None` for documents
    /// that are not open.
    async fn with_view<R: Send + 'static>(&self, uri: Uri, f: impl FnOnce(&DocumentView, Encoding) -> R + Send + 'static) -> RpcResult<Option<R>> {
        self.blocking(move |state| match state.document_view(&uri) {
            Ok(view) => Ok(Some(f(&view, state.encoding()))),
            Err(ReportError::NotOpen) => Ok(None),
            Err(ReportError::ContentModified) => Err(commands::content_modified()),
        })
        .await
    }

    fn schedule_diagnostics(&self, uri: Uri, version: i32) {
        let state = self.state.clone();
        let client = self.client.clone();
        tokio::spawn(async move {
            tokio::time::sleep(DIAGNOSTICS_DEBOUNCE).await;
            publish_diagnostics(state, client, uri, version).await;
        });
    }

    fn apply_settings(&self, json: &serde_json::Value) -> (Settings, Settings, Vec<String>) {
        let old = self.state.settings();
        let (new, problems) = Settings::merged(&old, json);
        self.state.set_settings(new.clone());
        (old, new, problems)
    }

    fn start_or_stop_mcp(&self) {
        let enable = self.mcp_port.is_some() || self.state.settings().mcp.enable;
        let port = self.mcp_port.or(self.state.settings().mcp.port);
        let state = self.state.clone();
        let client = self.client.clone();
        tokio::spawn(async move {
            if let Some(message) = mcp_bridge::ensure(&state, enable, port).await {
                client.log_message(MessageType::INFO, message).await;
            }
        });
    }
}

async fn publish_diagnostics(state: Arc<State>, client: Client, uri: Uri, version: i32) {
    if state.documents.with(&uri, |d| d.version) != Some(version) {
        return; // A newer edit has its own task.
    }
    let task_state = state.clone();
    let task_uri = uri.clone();
    let computed = tokio::task::spawn_blocking(move || {
        task_state.document_view(&task_uri).map(|view| {
            let diags = diagnostics::diagnostics(&view, task_state.encoding());
            (view, diags)
        })
    })
    .await;
    let Ok(Ok((view, mut diags))) = computed else { return };
    if view.version != version {
        return;
    }
    match aws_link::role_diagnostics(&state, &view, state.encoding()).await {
        Ok(denied) => diags.extend(denied),
        Err(message) => {
            if state.note_role_error(&message) {
                client.log_message(MessageType::WARNING, message).await;
            }
        }
    }
    let (current, hints_outdated) = state
        .documents
        .with(&uri, |d| {
            let current = d.version == version;
            (current, current && d.hints_before_settled.swap(false, std::sync::atomic::Ordering::SeqCst))
        })
        .unwrap_or((false, false));
    if current {
        client.publish_diagnostics(uri, diags, Some(version)).await;
    }
    // Hints of this version came from a tree still showing typing's syntax
    // errors; the settled ones may differ there.
    if hints_outdated && state.client().inlay_hint_refresh {
        let _ = client.inlay_hint_refresh().await;
    }
}

fn negotiate(caps: &ClientCapabilities) -> ClientFeatures {
    let offered = caps.general.as_ref().and_then(|g| g.position_encodings.clone()).unwrap_or_default();
    // UTF-8 is the engine's own unit: cheapest when the client offers it.
    let encoding = if offered.contains(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else if offered.first() == Some(&PositionEncodingKind::UTF32) {
        Encoding::Utf32
    } else {
        Encoding::Utf16
    };
    let workspace = caps.workspace.as_ref();
    ClientFeatures {
        encoding,
        inlay_hint_refresh: workspace.and_then(|w| w.inlay_hint.as_ref()).and_then(|c| c.refresh_support).unwrap_or(false),
        code_lens_refresh: workspace.and_then(|w| w.code_lens.as_ref()).and_then(|c| c.refresh_support).unwrap_or(false),
        work_done_progress: caps.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
        watched_files_registration: workspace.and_then(|w| w.did_change_watched_files.as_ref()).and_then(|c| c.dynamic_registration).unwrap_or(false),
        inlay_hint_resolves_tooltip: caps
            .text_document
            .as_ref()
            .and_then(|t| t.inlay_hint.as_ref())
            .and_then(|h| h.resolve_support.as_ref())
            .is_some_and(|r| r.properties.iter().any(|p| p == "tooltip")),
        markdown_hover: caps
            .text_document
            .as_ref()
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_ref())
            .is_none_or(|f| f.contains(&MarkupKind::Markdown)),
    }
}

fn encoding_kind(enc: Encoding) -> PositionEncodingKind {
    match enc {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

#[allow(deprecated)] // root_uri: still sent by clients without workspace folders.
fn workspace_roots(params: &InitializeParams) -> Vec<std::path::PathBuf> {
    let mut roots: Vec<_> = params.workspace_folders.iter().flatten().filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned())).collect();
    if roots.is_empty() {
        if let Some(root) = params.root_uri.as_ref().and_then(|u| u.to_file_path()) {
            roots.push(root.into_owned());
        }
    }
    roots
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> RpcResult<InitializeResult> {
        let features = negotiate(&params.capabilities);
        self.state.set_client(features);
        self.state.workspace.set_folders(workspace_roots(&params));
        let problems = match &params.initialization_options {
            Some(options) => self.apply_settings(options).2,
            None => Vec::new(),
        };
        for problem in problems {
            self.client.log_message(MessageType::WARNING, problem).await;
        }
        let capabilities = ServerCapabilities {
            position_encoding: Some(encoding_kind(features.encoding)),
            text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(false) })),
                ..TextDocumentSyncOptions::default()
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            inlay_hint_provider: Some(OneOf::Right(InlayHintServerCapabilities::Options(InlayHintOptions {
                resolve_provider: Some(true),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            }))),
            code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, code_actions::policy_kind()]),
                ..CodeActionOptions::default()
            })),
            execute_command_provider: Some(ExecuteCommandOptions { commands: commands::all(), ..ExecuteCommandOptions::default() }),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities { supported: Some(true), change_notifications: Some(OneOf::Left(true)) }),
                file_operations: None,
            }),
            ..ServerCapabilities::default()
        };
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo { name: "iamlens".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.state.client().watched_files_registration {
            // Every extension a front-end of this build reads, and the templates.
            let watchers = iamlens_languages::front_ends()
                .iter()
                .flat_map(|f| f.file_extensions())
                .map(|ext| format!("**/*.{ext}"))
                .chain(["**/*.{yaml,yml}", "**/*.{tf,tfvars}", "**/cdk.out/**/*.json"].map(String::from))
                .map(|glob| FileSystemWatcher { glob_pattern: GlobPattern::String(glob), kind: None })
                .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: "iamlens-watch-sources".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            let client = self.client.clone();
            // A client request: never awaited inside a notification handler.
            tokio::spawn(async move {
                if let Err(e) = client.register_capability(vec![registration]).await {
                    client.log_message(MessageType::WARNING, format!("iamlens: cannot watch source files: {e}")).await;
                }
            });
        }
        spawn_index(self.state.clone(), self.client.clone(), false);
        self.start_or_stop_mcp();
    }

    async fn shutdown(&self) -> RpcResult<()> {
        self.shutdown_requested.store(true, Ordering::SeqCst);
        mcp_bridge::stop(&self.state);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let version = doc.version;
        // The knowledge the file needs is decoded on the other core while it parses.
        let head_start = doc.text.clone();
        let front_end = iamlens_languages::for_language_id(&doc.language_id).unwrap_or(iamlens_languages::front_ends()[0]);
        tokio::task::spawn_blocking(move || iamlens_engine::warm_up_knowledge(front_end, &head_start));
        let module_path = self.state.workspace.module_path(&uri_to_path(&doc.uri));
        self.state.documents.open(doc.uri.clone(), Document::open(doc.text, version, doc.language_id, Some(&module_path)));
        self.schedule_diagnostics(doc.uri, version);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let enc = self.state.encoding();
        let applied = self.state.documents.with_mut(&uri, |d| d.apply_changes(version, params.content_changes, enc));
        match applied {
            Some(stale) => {
                if let Some(report) = stale {
                    tokio::task::spawn_blocking(move || drop(report));
                }
                self.schedule_diagnostics(uri, version)
            }
            None => {
                let message = format!("iamlens: change for {} which is not open; ignored", uri.as_str());
                self.client.log_message(MessageType::WARNING, message).await;
            }
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        let Some(text) = self.state.documents.with(&uri, |d| d.text().to_string()) else { return };
        let state = self.state.clone();
        let task = tokio::task::spawn_blocking(move || {
            let opts = state.engine_options();
            state.workspace.update_text(&uri_to_path(&uri), text, &opts);
            // Which files a function runs follows its handler's imports as saved.
            state.function_count() > 0 && state.reread_functions_if_changed()
        });
        let (state, client) = (self.state.clone(), self.client.clone());
        tokio::spawn(async move {
            if task.await.unwrap_or(false) {
                refresh_views(state, client).await;
            }
        });
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.state.documents.close(&uri);
        let state = self.state.clone();
        let path = uri_to_path(&uri);
        tokio::task::spawn_blocking(move || {
            // The index follows the file on disk again, not the closed buffer.
            let opts = state.engine_options();
            state.workspace.update_file(&path, &opts);
        });
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let state = self.state.clone();
        let templates = params.changes.iter().any(|c| super::deployed::may_be_template(&uri_to_path(&c.uri)));
        let task = tokio::task::spawn_blocking(move || {
            if templates {
                state.read_functions();
            }
            let opts = state.engine_options();
            for change in params.changes {
                if state.documents.contains(&change.uri) {
                    continue; // The editor's text wins while open.
                }
                let path = uri_to_path(&change.uri);
                if change.typ == FileChangeType::DELETED {
                    state.workspace.remove_file(&path);
                } else {
                    state.workspace.update_file(&path, &opts);
                }
            }
            // Source files changed on disk may change which files a function runs.
            templates || (state.function_count() > 0 && state.reread_functions_if_changed())
        });
        let (state, client) = (self.state.clone(), self.client.clone());
        tokio::spawn(async move {
            if task.await.unwrap_or(false) {
                refresh_views(state, client).await;
            }
        });
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let mut folders = self.state.workspace.folders();
        for removed in params.event.removed {
            if let Some(p) = removed.uri.to_file_path() {
                folders.retain(|f| f.as_path() != p.as_ref());
            }
        }
        for added in params.event.added {
            if let Some(p) = added.uri.to_file_path() {
                folders.push(p.into_owned());
            }
        }
        self.state.workspace.set_folders(folders);
        for problem in mcp_bridge::follow_folders(&self.state) {
            self.client.log_message(MessageType::WARNING, problem).await;
        }
        spawn_index(self.state.clone(), self.client.clone(), false);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let (old, new, problems) = self.apply_settings(&params.settings);
        for problem in problems {
            self.client.log_message(MessageType::WARNING, problem).await;
        }
        if old == new {
            return;
        }
        self.state.invalidate_reports();
        if old.mcp != new.mcp {
            self.start_or_stop_mcp();
        }
        let templates_changed = old.region != new.region
            || old.account != new.account
            || old.stack_name != new.stack_name
            || old.stage != new.stage
            || old.parameter_overrides != new.parameter_overrides;
        let analysis_changed = templates_changed || old.service_hints != new.service_hints || old.kms_via_service != new.kms_via_service;
        if analysis_changed {
            // Workspace requests wait for the indexed reports to follow the new settings.
            self.state.workspace.gate.begin();
            let pass = IndexPass(self.state.clone());
            let task_state = self.state.clone();
            tokio::task::spawn_blocking(move || {
                let _pass = pass;
                if templates_changed && task_state.function_count() > 0 {
                    // `${AWS::Region}`, `${AWS::AccountId}`, the stack name and parameters follow the settings.
                    task_state.read_functions();
                }
                let opts = task_state.engine_options();
                task_state.workspace.reanalyze(&opts);
            });
        }
        tokio::spawn(refresh_views(self.state.clone(), self.client.clone()));
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> RpcResult<Option<Vec<InlayHint>>> {
        if !self.state.settings().inlay_hints.enable {
            return Ok(Some(Vec::new()));
        }
        let range = params.range;
        let lazy = self.state.client().inlay_hint_resolves_tooltip;
        let uri = params.text_document.uri;
        let hint_uri = uri.clone();
        self.blocking(move |state| match state.range_view(&uri, range) {
            Ok(view) => {
                let tooltips = if lazy { inlay_hints::Tooltips::OnResolve(&hint_uri) } else { inlay_hints::Tooltips::Inline };
                Ok(Some(inlay_hints::inlay_hints(&view, range, state.encoding(), tooltips)))
            }
            Err(ReportError::NotOpen) => Ok(None),
            Err(ReportError::ContentModified) => Err(commands::content_modified()),
        })
        .await
    }

    async fn inlay_hint_resolve(&self, hint: InlayHint) -> RpcResult<InlayHint> {
        let Some(data) = hint.data.clone().and_then(|d| serde_json::from_value::<inlay_hints::HintData>(d).ok()) else {
            return Ok(hint); // Not one of ours to resolve.
        };
        let uri = data.uri.clone();
        let unresolved = hint.clone();
        // A document closed or edited meanwhile: the hint as it was, not an error.
        let resolved = self.with_view(uri, move |view, _| inlay_hints::resolve(view, hint, &data)).await;
        Ok(resolved.ok().flatten().unwrap_or(unresolved))
    }

    async fn code_lens(&self, params: CodeLensParams) -> RpcResult<Option<Vec<CodeLens>>> {
        if !self.state.settings().code_lens.enable {
            return Ok(Some(Vec::new()));
        }
        let uri = params.text_document.uri;
        let lens_uri = uri.clone();
        self.blocking(move |state| match state.document_view(&uri) {
            // The functions as the report was bound to them (read after it).
            Ok(view) => Ok(Some(code_lens::code_lenses(&view, &lens_uri, state.encoding(), state.functions().running(&view.report.path)))),
            Err(ReportError::NotOpen) => Ok(None),
            Err(ReportError::ContentModified) => Err(commands::content_modified()),
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> RpcResult<Option<Hover>> {
        let position = params.text_document_position_params.position;
        let markdown = self.state.client().markdown_hover;
        let found = self
            .with_view(params.text_document_position_params.text_document.uri, move |view, enc| {
                let offset = view.lines.offset(&view.text, position, enc);
                let calls = hover::calls_at(&view.report, offset);
                let (_, first) = calls.first()?;
                let range = super::features::range_of(view, &first.name_span, enc);
                Some((hover::hover_markdown(&view.report, &calls), range))
            })
            .await?;
        Ok(found.flatten().map(|(value, range)| Hover {
            contents: HoverContents::Markup(MarkupContent { kind: if markdown { MarkupKind::Markdown } else { MarkupKind::PlainText }, value }),
            range: Some(range),
        }))
    }

    async fn code_action(&self, params: CodeActionParams) -> RpcResult<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let action_uri = uri.clone();
        let range = params.range;
        let context = params.context.diagnostics;
        let only = params.context.only;
        let actions = self.with_view(uri, move |view, enc| code_actions::code_actions(view, &action_uri, range, &context, enc)).await?;
        Ok(actions.map(|all| match only {
            None => all,
            Some(only) => all
                .into_iter()
                .filter(|a| match a {
                    CodeActionOrCommand::CodeAction(a) => a
                        .kind
                        .as_ref()
                        .is_some_and(|k| only.iter().any(|o| k.as_str() == o.as_str() || k.as_str().starts_with(&format!("{}.", o.as_str())))),
                    CodeActionOrCommand::Command(_) => false,
                })
                .collect(),
        }))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> RpcResult<Option<serde_json::Value>> {
        let name = params.command.clone();
        let arguments = params.arguments;
        match name.as_str() {
            commands::GENERATE_POLICY => {
                let args: commands::ScopeArgs = commands::argument(&name, &arguments)?;
                // Still running after the wait: the envelope carries a warning.
                let _ = wait_for_index(&self.state, &args).await;
                self.blocking(move |state| commands::generate_policy(state, &args)).await.map(Some)
            }
            commands::EXPLAIN => {
                let args: commands::ExplainArgs = commands::argument(&name, &arguments)?;
                self.blocking(move |state| commands::explain(state, &args)).await.map(Some)
            }
            commands::FIX_ACCESS_DENIED => {
                let args: commands::FixArgs = commands::argument(&name, &arguments)?;
                aws_link::fix_access_denied(&self.state, &self.client, args).await.map(Some)
            }
            commands::UPLOAD_POLICY => {
                let args: aws_link::UploadArgs = commands::argument(&name, &arguments)?;
                if let Err(still) = wait_for_index(&self.state, &args.scope).await {
                    return Err(request_failed(format!("iamlens.uploadPolicy: {still}; nothing uploaded, try again when it finishes")));
                }
                aws_link::upload_policy(self.state.clone(), &self.client, args).await.map(Some)
            }
            commands::ADD_TO_ROLE_POLICY => {
                let args: aws_link::AddToRoleArgs = commands::argument(&name, &arguments)?;
                let quiet = args.quiet;
                let (out, changed) = aws_link::add_to_role_policy(&self.state, &self.client, args).await?;
                if let Some(confirm) = out.get("Confirm").and_then(|c| c.as_str()).filter(|_| !quiet) {
                    // Editors drop command results: show the statement where the user sees it.
                    let statement = out.get("Statement").map(|s| s.to_string()).unwrap_or_default();
                    self.client.show_message(MessageType::INFO, format!("iamlens: statement {statement}. {confirm}")).await;
                }
                if changed {
                    // The role's cache was dropped: re-check every open document now,
                    // so the diagnostic goes away as the answer arrives.
                    for uri in self.state.documents.uris() {
                        if let Some(version) = self.state.documents.with(&uri, |d| d.version) {
                            publish_diagnostics(self.state.clone(), self.client.clone(), uri, version).await;
                        }
                    }
                }
                Ok(Some(out))
            }
            commands::CHECK_ROLE => {
                let args: aws_link::CheckRoleArgs = commands::argument(&name, &arguments)?;
                let incomplete = wait_for_index(&self.state, &args.scope).await.err();
                let mut out = aws_link::check_role(self.state.clone(), args).await?;
                out["Incomplete"] = serde_json::json!(incomplete.map(|still| format!("{still}; calls in files it has not reached are missing")));
                Ok(Some(out))
            }
            other => Err(invalid_params(format!("unknown command `{other}`; iamlens knows {}", commands::all().join(", ")))),
        }
    }
}

/// Ends an indexing pass when dropped, also when the task panics or is dropped.
struct IndexPass(Arc<State>);

impl Drop for IndexPass {
    fn drop(&mut self) {
        self.0.workspace.gate.end();
    }
}

/// Wait (bounded, cancellable) for a running index before a command that
/// covers the whole workspace; `Err` says how far it got.
async fn wait_for_index(state: &State, args: &commands::ScopeArgs) -> Result<(), StillIndexing> {
    if args.scope() != commands::Scope::Workspace {
        return Ok(());
    }
    state.workspace.gate.wait(INDEX_WAIT).await
}

/// Index the workspace in the background, reporting `$/progress` when the client supports it.
/// Ask the client for hints and lenses again and publish every open
/// document's diagnostics: what they are derived from changed (settings, templates).
async fn refresh_views(state: Arc<State>, client: Client) {
    let features = state.client();
    if features.inlay_hint_refresh {
        let _ = client.inlay_hint_refresh().await;
    }
    if features.code_lens_refresh {
        let _ = client.code_lens_refresh().await;
    }
    for uri in state.documents.uris() {
        if let Some(version) = state.documents.with(&uri, |d| d.version) {
            publish_diagnostics(state.clone(), client.clone(), uri, version).await;
        }
    }
}

pub fn spawn_index(state: Arc<State>, client: Client, quiet: bool) {
    if state.workspace.folders().is_empty() {
        return;
    }
    // Marked before the task starts, so a workspace request right after waits.
    state.workspace.gate.begin();
    let pass = IndexPass(state.clone());
    tokio::spawn(async move {
        let _pass = pass;
        let progress = if state.client().work_done_progress && !quiet {
            // One token per pass: passes can overlap (folders changed mid-index).
            static PASSES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let pass = PASSES.fetch_add(1, Ordering::Relaxed);
            let token = NumberOrString::String(format!("iamlens-index-{}-{pass}", std::process::id()));
            match client.create_work_done_progress(token.clone()).await {
                Ok(()) => Some(client.progress(token, "iamlens: indexing").with_percentage(0).begin().await),
                Err(_) => None,
            }
        } else {
            None
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
        let task_state = state.clone();
        let work = tokio::task::spawn_blocking(move || {
            task_state.read_functions();
            let opts = task_state.engine_options();
            task_state.workspace.index_all(&opts, |done, total| {
                task_state.workspace.gate.progress(done, total);
                let _ = tx.send((done, total));
            })
        });
        while let Some((done, total)) = rx.recv().await {
            if let Some(p) = &progress {
                let percent = (done * 100).checked_div(total).map_or(100, |p| p as u32);
                p.report_with_message(format!("{done}/{total} files"), percent).await;
            }
        }
        let summary = work.await.unwrap_or_default();
        let functions = state.function_count();
        if functions > 0 {
            // Open documents were analysed before the templates were read.
            refresh_views(state.clone(), client.clone()).await;
        }
        let message = format!("indexed {} source files, {} use AWS, {functions} deployed functions in templates", summary.scanned, summary.aws_files);
        if let Some(p) = progress {
            p.finish_with_message(message.clone()).await;
        }
        client.log_message(MessageType::INFO, format!("iamlens: {message}")).await;
    });
}
