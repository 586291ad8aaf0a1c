//! iamlens: the engine (analysis → requirements → policy) and its views (CLI, LSP, MCP).
//!
//! Data flows one way: `analysis` (language front-ends) → `requirements` →
//! `policy`, assembled by `engine`; `denied` and `evaluator` are pure engine
//! pieces too. `cli`, `lsp` and `mcp` only present what the engine computes;
//! `aws` is the only module that talks to AWS.
pub mod analysis;
pub mod aws;
pub mod cli;
pub mod denied;
pub mod engine;
pub mod evaluator;
pub mod lsp;
pub mod mcp;
pub mod model;
pub mod policy;
pub mod requirements;
