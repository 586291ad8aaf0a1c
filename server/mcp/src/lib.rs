//! iamlens-mcp: the MCP endpoint (rmcp) — stdio, streamable HTTP, embedded
//! in the language server.
//!
//! In the flow `source text → syntax → SDK calls → IAM requirements → policy
//! → presentation`, this is one of the presentation views: each tool turns
//! its arguments into engine calls and the engine's results into tool
//! results; nothing here analyses code or writes policies itself.
//!
//! One tool implementation ([`server::IamlensMcp`] routing to `tools::*`)
//! behind every transport and both protocol eras: the initialize/session era
//! (2025-11-25 and older, `Mcp-Session-Id`) and the stateless 2026-07-28
//! revision (`server/discover`), which rmcp 3.11 serves on the same endpoint.
//!
//! Embedding (for the language server):
//! ```ignore
//! let handle = iamlens_mcp::http::serve_embedded(workspace, port, &roots).await?;
//! client.log_message(MessageType::INFO, format!("iamlens MCP endpoint: {}", handle.url())).await;
//! // keep `handle` alive; dropping it stops the endpoint and removes .iamlens/mcp.json
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use iamlens_engine::FileReport;

pub mod args;
pub mod confirm;
mod confirm_state;
pub mod discovery;
pub mod http;
pub mod server;
pub mod stdio;
pub mod tools;

/// What the language server shares with an embedded MCP endpoint: the live
/// workspace, unsaved edits included. Implemented by the LSP; called from
/// the endpoint's request tasks (tokio worker threads), so implementations
/// must not block on the LSP's own request handling.
pub trait LiveWorkspace: Send + Sync + 'static {
    /// The workspace folders the editor opened (absolute paths).
    fn roots(&self) -> Vec<PathBuf>;

    /// A report for every AWS-using file under `folder` (every workspace
    /// folder when `None`), computed with the editor's settings; open
    /// documents are reported from their editor text, unsaved edits included.
    fn reports(&self, folder: Option<&Path>) -> LiveReports;

    /// The account the editor's settings name, for policies built from these
    /// reports (see `PolicyOptions::resource_account`).
    fn account(&self) -> Option<String> {
        None
    }

    /// The workspace grouped per function its templates deploy, each
    /// function's files bound to its own environment, as `generate-policies`
    /// groups a tree; `None` when the templates deploy no function (then
    /// [`Self::reports`] is the whole answer). Waits like [`Self::reports`].
    fn per_function(&self, _folder: Option<&Path>) -> Option<LiveProject> {
        None
    }
}

/// What [`LiveWorkspace::per_function`] gives.
#[derive(Debug)]
pub struct LiveProject {
    pub project: iamlens_functions::ProjectRun,
    /// As [`LiveReports::incomplete`].
    pub incomplete: Option<String>,
}

/// What [`LiveWorkspace::reports`] gives.
#[derive(Debug, Default)]
pub struct LiveReports {
    pub reports: Vec<FileReport>,
    /// Set when the reports may miss files (the workspace index was still
    /// running when the answer could wait no longer): why, in one sentence.
    pub incomplete: Option<String>,
}

/// How a server instance behaves; shared by every request it serves.
#[derive(Clone, Default)]
pub struct ServerOptions {
    /// Set when embedded in the language server.
    pub workspace: Option<Arc<dyn LiveWorkspace>>,
    /// `fix_access_denied` may apply fixes without the user's confirmation.
    pub allow_unattended_apply: bool,
}

/// Why the endpoint could not start.
#[derive(Debug)]
pub enum EndpointError {
    BadBind(String),
    NotLoopback(String),
    BadTransport(String),
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    Serve { source: std::io::Error },
    Discovery { path: PathBuf, source: std::io::Error },
    Protocol(String),
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::BadBind(bind) => {
                write!(f, "--bind `{bind}` is not an IP address: use 127.0.0.1 (or ::1)")
            }
            EndpointError::NotLoopback(bind) => {
                write!(f, "--bind `{bind}` is not a loopback address: the MCP endpoint serves agents on this machine only; use 127.0.0.1 (or ::1)")
            }
            EndpointError::BadTransport(t) => write!(f, "unknown transport `{t}`: use `-t stdio` or `-t http`"),
            EndpointError::Bind { addr, source } => {
                write!(f, "cannot listen on {addr}: {source} (choose another port with -p)")
            }
            EndpointError::Serve { source } => write!(f, "MCP endpoint failed: {source}"),
            EndpointError::Discovery { path, source } => {
                write!(f, "cannot write the MCP discovery file in {}: {source}", path.display())
            }
            EndpointError::Protocol(message) => write!(f, "MCP session failed: {message}"),
        }
    }
}

impl std::error::Error for EndpointError {}

/// How `iamlens mcp-server` serves.
#[derive(Debug, Clone)]
pub struct McpOptions {
    /// `stdio` or `http`.
    pub transport: String,
    pub port: u16,
    pub bind: String,
    /// Let fix_access_denied apply fixes without asking the user (unattended).
    pub allow_unattended_apply: bool,
    /// HTTP: where to write the bearer token (default: a per-user runtime file).
    pub token_file: Option<PathBuf>,
}

impl EndpointError {
    /// True when the options were wrong (the caller should fix its command
    /// line), not the environment.
    pub fn is_usage(&self) -> bool {
        matches!(self, EndpointError::BadBind(_) | EndpointError::NotLoopback(_) | EndpointError::BadTransport(_))
    }
}

/// `iamlens mcp-server`: serve over stdio until the client leaves, or over
/// standalone HTTP until the process is stopped.
pub fn run(options: McpOptions) -> Result<(), EndpointError> {
    let server = ServerOptions { workspace: None, allow_unattended_apply: options.allow_unattended_apply };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|err| EndpointError::Serve { source: err })?;
    match options.transport.to_ascii_lowercase().as_str() {
        "stdio" => runtime.block_on(stdio::serve(server)),
        "http" | "streamable-http" | "streamable_http" => {
            runtime.block_on(http::serve_standalone(server, &options.bind, options.port, options.token_file))
        }
        other => Err(EndpointError::BadTransport(other.to_string())),
    }
}
