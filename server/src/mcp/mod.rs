//! The MCP endpoint (rmcp): stdio, streamable HTTP, embedded in the language server.
