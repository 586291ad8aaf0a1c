//! The engine facade that CLI, LSP and MCP call: files → reports → policies.
