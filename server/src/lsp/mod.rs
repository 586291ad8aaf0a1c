//! The language server (tower-lsp-server over stdio).
