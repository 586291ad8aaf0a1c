//! `iamlens mcp-server -t stdio`: one JSON-RPC message per line on stdout,
//! diagnostics on stderr only.

use rmcp::service::ServerInitializeError;
use rmcp::ServiceExt;

use super::server::IamlensMcp;
use super::{EndpointError, ServerOptions};

/// Serve one client over stdin/stdout until it disconnects.
pub async fn serve(options: ServerOptions) -> Result<(), EndpointError> {
    let running = match IamlensMcp::new(options).serve(rmcp::transport::stdio()).await {
        Ok(running) => running,
        // The client left before its first request: nothing went wrong.
        Err(ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
        Err(err) => return Err(EndpointError::Protocol(err.to_string())),
    };
    running.waiting().await.map_err(|err| EndpointError::Protocol(err.to_string()))?;
    Ok(())
}
