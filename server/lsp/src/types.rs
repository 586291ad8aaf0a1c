//! The one module that names the LSP crate. Everything else in `lsp` imports
//! protocol types from here, so a change of the types crate (tower-lsp-server
//! 0.24 moves to generated types) touches this file only.

pub use tower_lsp_server::jsonrpc::{Error as RpcError, ErrorCode, Result as RpcResult};
pub use tower_lsp_server::ls_types::notification::Progress as ProgressNotification;
pub use tower_lsp_server::ls_types::*;
pub use tower_lsp_server::{Client, LanguageServer, LspService, Server};

/// A JSON-RPC "invalid params" error with a message for people.
pub fn invalid_params(message: impl Into<String>) -> RpcError {
    RpcError::invalid_params(message.into())
}

/// A JSON-RPC error for a request the server understood but cannot serve now.
pub fn request_failed(message: impl Into<String>) -> RpcError {
    RpcError {
        code: ErrorCode::ServerError(-32803), // LSP RequestFailed
        message: message.into().into(),
        data: None,
    }
}
