//! The tools' logic, one module per tool. Each takes parsed arguments and
//! returns JSON (the structured result) or a [`ToolError`]; `server.rs` only
//! routes. Nothing here knows which transport or protocol era is in use.

use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::ErrorData;
use serde_json::Value;

/// How much of the filesystem one tool call may walk: an agent asking for `/`
/// or a home directory gets a clear error instead of a server busy for
/// minutes. Tests are left out, as `generate-policies` does by default.
pub const WALK_LIMITS: iamlens_engine::WalkOptions = iamlens_engine::WalkOptions {
    limits: iamlens_engine::WalkLimits { max_files: 20_000, max_time: std::time::Duration::from_secs(20) },
    include_tests: false,
};

pub mod access_denied;
pub mod check_role;
pub mod describe_operation;
pub mod explain_code;
pub mod fix_access_denied;
pub mod generate;
pub mod schemas;
pub mod search_actions;
pub mod settings;
pub mod workspace_policy;

/// Why a tool call did not produce a result.
#[derive(Debug)]
pub enum ToolError {
    /// An argument is wrong: a JSON-RPC `-32602` naming it.
    BadArgument { argument: &'static str, why: String },
    /// The call was fine but the work failed: a result with `isError: true`
    /// and a message an agent can act on.
    Failed(String),
}

impl ToolError {
    pub fn bad(argument: &'static str, why: impl Into<String>) -> ToolError {
        ToolError::BadArgument { argument, why: why.into() }
    }

    pub fn failed(message: impl Into<String>) -> ToolError {
        ToolError::Failed(message.into())
    }
}

pub type ToolResult = Result<Value, ToolError>;

/// Turn a tool's outcome into the MCP response: structured content plus the
/// same JSON as text; failures as `isError` results; bad arguments as errors.
pub fn respond(outcome: ToolResult) -> Result<CallToolResult, ErrorData> {
    match outcome {
        Ok(value) => Ok(CallToolResult::structured(value)),
        Err(ToolError::BadArgument { argument, why }) => Err(super::args::bad_argument(argument, &why)),
        Err(ToolError::Failed(message)) => Ok(CallToolResult::error(vec![ContentBlock::text(message)])),
    }
}
