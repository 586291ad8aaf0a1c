//! `iamlens mcp-server -t stdio`: one JSON-RPC message per line on stdout,
//! diagnostics on stderr only.

use rmcp::ServiceExt;

use super::server::IamlensMcp;
use super::{EndpointError, ServerOptions};

/// Serve one client over stdin/stdout until it disconnects.
pub async fn serve(options: ServerOptions) -> Result<(), EndpointError> {
    let running = IamlensMcp::new(options)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|err| EndpointError::Protocol(err.to_string()))?;
    running.waiting().await.map_err(|err| EndpointError::Protocol(err.to_string()))?;
    Ok(())
}
