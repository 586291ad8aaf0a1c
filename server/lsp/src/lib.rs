//! iamlens-lsp: the language server `iamlens lsp` (tower-lsp-server over stdio).
//!
//! In the flow `source text → syntax → SDK calls → IAM requirements → policy
//! → presentation`, this is the editor's view: it keeps open documents and a
//! workspace index, asks the engine for reports, and shows them as inlay
//! hints, code lenses, hovers, diagnostics, code actions and commands. The
//! analysis itself is the front-ends' and the engine's.
//!
//! - [`types`]: the one module that names the LSP crate.
//! - [`positions`]: byte offsets ⇄ LSP positions (UTF-8/16/32, CRLF).
//! - [`documents`]: open documents, edited incrementally.
//! - [`workspace`]: the background index of the workspace folders; [`index_gate`]: waiting for it.
//! - [`state`]: everything shared, and the live reports (for the MCP endpoint too).
//! - [`server`]: the protocol handlers; [`features`]: what they show.

mod aws_link;
mod consent;
pub mod deployed;
pub mod documents;
pub mod features;
pub mod index_gate;
mod mcp_bridge;
pub mod positions;
pub mod server;
pub mod settings;
pub mod state;
pub mod transport;
pub mod types;
pub mod workspace;

pub use state::State;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use types::LspService;

/// How `iamlens lsp` serves.
#[derive(Debug, Clone, Default)]
pub struct LspOptions {
    /// Serve the MCP endpoint on 127.0.0.1:PORT from the language server (0 = any free port).
    pub mcp_port: Option<u16>,
}

/// How a language-server session ended. The LSP convention: a process
/// should exit 0 when `shutdown` came before `exit`, 1 otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    AfterShutdown,
    WithoutShutdown,
}

/// `iamlens lsp`: serve over stdio until `exit`. The stdin reader is left
/// behind (it blocks until the client closes stdin): the caller should end
/// the process soon after. Errs when the server could not start, saying why.
pub fn run(options: LspOptions) -> Result<Ended, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    let state = Arc::new(State::default());
    let shutdown_requested = Arc::new(AtomicBool::new(false));
    let served_state = state.clone();
    let served_flag = shutdown_requested.clone();
    runtime.block_on(async move {
        let (service, socket) =
            LspService::new(|client| server::Backend { client, state: served_state, mcp_port: options.mcp_port, shutdown_requested: served_flag });
        let input = tokio::io::BufReader::with_capacity(1 << 16, tokio::io::stdin());
        transport::serve(input, tokio::io::stdout(), service, socket).await;
    });
    // Stop the MCP endpoint (removes its discovery file), then leave without
    // waiting for the stdin reader, which blocks until the client closes stdin.
    mcp_bridge::stop(&state);
    let _ = std::io::stdout().flush();
    runtime.shutdown_background();
    Ok(if shutdown_requested.load(Ordering::SeqCst) { Ended::AfterShutdown } else { Ended::WithoutShutdown })
}
