//! The language server `iamlens lsp` (tower-lsp-server over stdio).
//!
//! - [`types`]: the one module that names the LSP crate.
//! - [`positions`]: byte offsets ⇄ LSP positions (UTF-8/16/32, CRLF).
//! - [`documents`]: open documents, edited incrementally.
//! - [`workspace`]: the background index of the workspace folders.
//! - [`state`]: everything shared, and the live reports (for the MCP endpoint too).
//! - [`server`]: the protocol handlers; [`features`]: what they show.

pub mod documents;
pub mod features;
mod mcp_bridge;
pub mod positions;
pub mod server;
pub mod settings;
pub mod state;
pub mod types;
pub mod workspace;

pub use state::State;

use crate::cli::LspArgs;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use types::{LspService, Server};

/// `iamlens lsp`: serve over stdio until `exit`. Exit code 0 when `shutdown`
/// came first, 1 otherwise (the LSP convention).
pub fn run(args: LspArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return crate::cli::fail(1, format!("cannot start the async runtime: {err}")),
    };
    let state = Arc::new(State::default());
    let shutdown_requested = Arc::new(AtomicBool::new(false));
    let served_state = state.clone();
    let served_flag = shutdown_requested.clone();
    runtime.block_on(async move {
        let (service, socket) = LspService::new(|client| server::Backend {
            client,
            state: served_state,
            mcp_port: args.mcp_port,
            shutdown_requested: served_flag,
        });
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    // Stop the MCP endpoint (removes its discovery file), then leave at once:
    // the runtime would otherwise wait for the stdin reader, which blocks
    // until the client closes stdin.
    mcp_bridge::stop(&state);
    let _ = std::io::stdout().flush();
    let code = if shutdown_requested.load(Ordering::SeqCst) { 0 } else { 1 };
    std::process::exit(code);
}
