//! The embedded MCP endpoint's view of the language server: the live
//! workspace (open documents with unsaved edits, workspace folders), and
//! starting/stopping the endpoint as settings say.

use super::state::State;
use iamlens_mcp::http::{serve_embedded, EmbeddedHandle};
use iamlens_mcp::{LiveProject, LiveReports, LiveWorkspace};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The running endpoint, if any.
#[derive(Default)]
pub struct McpSlot(Mutex<Option<EmbeddedHandle>>);

struct LiveView(Arc<State>);

impl LiveWorkspace for LiveView {
    fn roots(&self) -> Vec<PathBuf> {
        self.0.workspace.folders()
    }

    fn account(&self) -> Option<String> {
        self.0.settings().account
    }

    /// Waits for a running workspace index (bounded); past that, answers from
    /// the partial index and says so.
    fn reports(&self, folder: Option<&Path>) -> LiveReports {
        match self.0.live_reports(folder) {
            Ok(reports) => LiveReports { reports, incomplete: None },
            Err((still, partial)) => LiveReports { reports: partial, incomplete: Some(partial_index(still)) },
        }
    }

    fn per_function(&self, folder: Option<&Path>) -> Option<LiveProject> {
        let still = self.0.workspace.gate.wait_blocking(super::state::INDEX_WAIT).err();
        let project = self.0.live_project_now(folder)?;
        Some(LiveProject { project, incomplete: still.map(partial_index) })
    }
}

/// Why an answer may miss files: the index was still running after the wait.
fn partial_index(still: super::state::StillIndexing) -> String {
    eprintln!("iamlens MCP: workspace_policy answered from a partial index: {still}");
    format!(
        "{still} after waiting {} s, so files it has not reached are missing from this policy; ask again once it finishes",
        super::state::INDEX_WAIT.as_secs()
    )
}

/// Start or stop the endpoint so that it runs exactly when `enable`.
/// Returns a message for the client's log when something changed.
pub async fn ensure(state: &Arc<State>, enable: bool, port: Option<u16>) -> Option<String> {
    let running = state.mcp.0.lock().unwrap_or_else(|e| e.into_inner()).is_some();
    if running == enable {
        return None;
    }
    if !enable {
        stop(state);
        return Some("iamlens: MCP endpoint stopped".into());
    }
    let roots = state.workspace.folders();
    match serve_embedded(Arc::new(LiveView(state.clone())), port, &roots).await {
        Ok(handle) => {
            let message = format!("iamlens MCP endpoint: {} (token in .iamlens/mcp.json)", handle.url());
            eprintln!("{message}");
            *state.mcp.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle);
            Some(message)
        }
        Err(e) => Some(format!("iamlens: MCP endpoint not started: {e}")),
    }
}

/// Workspace folders changed: keep a discovery file in each (if running).
/// Returns a message for the client's log for each folder that failed.
pub fn follow_folders(state: &State) -> Vec<String> {
    let roots = state.workspace.folders();
    let mut slot = state.mcp.0.lock().unwrap_or_else(|e| e.into_inner());
    let Some(handle) = slot.as_mut() else { return Vec::new() };
    handle.follow_roots(&roots).into_iter().map(|e| format!("iamlens: MCP discovery file not written: {e}")).collect()
}

/// Stop the endpoint (removing its discovery files).
pub fn stop(state: &State) {
    let handle = state.mcp.0.lock().unwrap_or_else(|e| e.into_inner()).take();
    drop(handle);
}
