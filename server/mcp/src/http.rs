//! Streamable HTTP at `/mcp`: standalone (`iamlens mcp-server -t http`) and
//! embedded in the language server. Both protocol eras are served by rmcp's
//! `StreamableHttpService` on the same endpoint: the initialize/session era
//! (`Mcp-Session-Id`) and the stateless 2026-07-28 revision (`server/discover`).
//!
//! Security: loopback binds only; `Host` must be a loopback name (DNS
//! rebinding); a present `Origin` must be a loopback origin (403 otherwise);
//! every request needs the bearer token (standalone: made at start and
//! written to an owner-only token file; embedded: in the discovery file).

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use super::discovery::{self, DiscoveryRecord};
use super::server::IamlensMcp;
use super::{EndpointError, LiveWorkspace, ServerOptions};

/// The path the MCP endpoint is mounted at (peer-compatible).
pub const MCP_PATH: &str = "/mcp";

/// Browser origins allowed to call the endpoint: pages served from this machine.
/// Any other `Origin` is answered 403 (agents are not browsers and send none).
const LOOPBACK_ORIGINS: [&str; 3] = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// Build the axum router serving `handler` at [`MCP_PATH`], requiring
/// `Authorization: Bearer <token>` when `token` is set.
pub fn router(handler: IamlensMcp, token: Option<String>, shutdown: CancellationToken) -> axum::Router {
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(LOOPBACK_HOSTS)
        .with_allowed_origins(LOOPBACK_ORIGINS)
        .enforce_origin_validation()
        .with_legacy_session_mode(true)
        .with_cancellation_token(shutdown.child_token());
    let service: StreamableHttpService<IamlensMcp, LocalSessionManager> =
        StreamableHttpService::new(move || Ok(handler.clone()), Default::default(), config);
    let router = axum::Router::new().nest_service(MCP_PATH, service).layer(middleware::from_fn(session_end_no_content));
    match token {
        Some(token) => router.layer(middleware::from_fn_with_state(Arc::new(token), require_bearer)),
        None => router,
    }
}

async fn require_bearer(State(token): State<Arc<String>>, request: Request, next: Next) -> Response {
    let presented =
        request.headers().get(header::AUTHORIZATION).and_then(|value| value.to_str().ok()).and_then(|value| value.strip_prefix("Bearer "));
    match presented {
        Some(presented) if constant_time_eq(presented.trim().as_bytes(), token.as_bytes()) => next.run(request).await,
        _ => {
            let body = serde_json::json!({
                "jsonrpc": "2.0",
                "error": {
                    "code": -32001,
                    "message": "missing or wrong bearer token: send `Authorization: Bearer <token>` with the token from \
                                the file `iamlens mcp-server -t http` printed at start (--token-file), or, for an editor's \
                                endpoint, `token` in the workspace's .iamlens/mcp.json"
                }
            });
            let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"iamlens\""));
            response
        }
    }
}

/// rmcp answers a session-ending DELETE with 202; the official Python client
/// (and the spec's examples) expect 200 or 204 and log a failure otherwise.
async fn session_end_no_content(request: Request, next: Next) -> Response {
    let is_delete = request.method() == axum::http::Method::DELETE;
    let mut response = next.run(request).await;
    if is_delete && response.status() == StatusCode::ACCEPTED {
        *response.status_mut() = StatusCode::NO_CONTENT;
        *response.body_mut() = axum::body::Body::empty();
        response.headers_mut().remove(header::CONTENT_LENGTH);
        response.headers_mut().remove(header::CONTENT_TYPE);
    }
    response
}

/// Compare secrets without an early exit that leaks the matching prefix length.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Parse `--bind` and refuse anything but a loopback address.
pub fn loopback_addr(bind: &str, port: u16) -> Result<SocketAddr, EndpointError> {
    let host = bind.trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::from([127, 0, 0, 1])
    } else {
        host.parse().map_err(|_| EndpointError::BadBind(bind.to_string()))?
    };
    if !ip.is_loopback() {
        return Err(EndpointError::NotLoopback(bind.to_string()));
    }
    Ok(SocketAddr::new(ip, port))
}

/// Serve the standalone HTTP endpoint until the process is stopped. Every
/// request must carry the bearer token made here and written to
/// `token_file` (default [`discovery::default_token_file`]), readable by the
/// user only: other local programs cannot call the tools.
pub async fn serve_standalone(options: ServerOptions, bind: &str, port: u16, token_file: Option<PathBuf>) -> Result<(), EndpointError> {
    let addr = loopback_addr(bind, port)?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| EndpointError::Bind { addr, source })?;
    let local = listener.local_addr().map_err(|source| EndpointError::Bind { addr, source })?;
    let token = discovery::new_token();
    let token_file = token_file.unwrap_or_else(|| discovery::default_token_file(local.port()));
    discovery::write_token_file(&token_file, &token)?;
    // Runs until the process is stopped (Ctrl-C, SIGTERM): nothing to flush.
    if options.allow_unattended_apply {
        eprintln!(
            "iamlens: warning: --allow-unattended-apply over HTTP lets any program on this machine that can reach \
{} change IAM policies through fix_access_denied",
            endpoint_url(local)
        );
    }
    let app = router(IamlensMcp::new(options), Some(token), CancellationToken::new());
    eprintln!("iamlens: MCP endpoint listening on {}", endpoint_url(local));
    eprintln!("iamlens: bearer token (send `Authorization: Bearer <token>`) written to {}", token_file.display());
    axum::serve(listener, app).await.map_err(|source| EndpointError::Serve { source })
}

pub fn endpoint_url(addr: SocketAddr) -> String {
    format!("http://{addr}{MCP_PATH}")
}

/// A running embedded endpoint. Dropping it (or [`EmbeddedHandle::shutdown`])
/// stops the server and removes the discovery files it wrote.
pub struct EmbeddedHandle {
    url: String,
    token: String,
    discovery_files: Vec<PathBuf>,
    shutdown: CancellationToken,
}

impl EmbeddedHandle {
    /// `http://127.0.0.1:PORT/mcp`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bearer token clients must send.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Discovery files written (one per workspace root), for logging.
    pub fn discovery_files(&self) -> &[PathBuf] {
        &self.discovery_files
    }

    /// Follow the editor's workspace folders: a discovery file in each folder
    /// added, none left in folders removed. Returns what could not be written.
    pub fn follow_roots(&mut self, roots: &[PathBuf]) -> Vec<EndpointError> {
        let file_of = |root: &Path| root.join(discovery::DISCOVERY_DIR).join(discovery::DISCOVERY_FILE);
        let wanted: Vec<PathBuf> = roots.iter().map(|r| file_of(r)).collect();
        self.discovery_files.retain(|file| {
            let keep = wanted.contains(file);
            if !keep {
                discovery::remove(file);
            }
            keep
        });
        let record = DiscoveryRecord::new(&self.url, &self.token);
        let mut failed = Vec::new();
        for root in roots {
            if self.discovery_files.contains(&file_of(root)) {
                continue;
            }
            match discovery::write(root, &record) {
                Ok(file) => self.discovery_files.push(file),
                Err(err) => failed.push(err),
            }
        }
        failed
    }

    /// Stop serving and remove the discovery files.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for EmbeddedHandle {
    fn drop(&mut self) {
        self.shutdown.cancel();
        for file in &self.discovery_files {
            discovery::remove(file);
        }
    }
}

/// Serve the MCP endpoint from inside the language server over `workspace`,
/// on `127.0.0.1:port` (`None` or `Some(0)`: any free port), and write the URL
/// and a fresh bearer token to `<root>/.iamlens/mcp.json` for each workspace
/// root. Must be called from within a tokio runtime.
pub async fn serve_embedded(
    workspace: Arc<dyn LiveWorkspace>,
    port: Option<u16>,
    workspace_roots: &[PathBuf],
) -> Result<EmbeddedHandle, EndpointError> {
    let addr = SocketAddr::new(IpAddr::from([127, 0, 0, 1]), port.unwrap_or(0));
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| EndpointError::Bind { addr, source })?;
    let local = listener.local_addr().map_err(|source| EndpointError::Bind { addr, source })?;
    let url = endpoint_url(local);
    let token = discovery::new_token();
    let options = ServerOptions { workspace: Some(workspace), ..ServerOptions::default() };
    let shutdown = CancellationToken::new();
    let app = router(IamlensMcp::new(options), Some(token.clone()), shutdown.clone());

    let record = DiscoveryRecord::new(&url, &token);
    let mut discovery_files = Vec::new();
    for root in workspace_roots {
        match discovery::write(root, &record) {
            Ok(file) => discovery_files.push(file),
            Err(err) => {
                for file in &discovery_files {
                    discovery::remove(file);
                }
                return Err(err);
            }
        }
    }

    let stop = shutdown.clone();
    tokio::spawn(async move {
        let served = axum::serve(listener, app).with_graceful_shutdown(async move { stop.cancelled_owned().await });
        if let Err(err) = served.await {
            eprintln!("iamlens: embedded MCP endpoint stopped: {err}");
        }
    });
    Ok(EmbeddedHandle { url, token, discovery_files, shutdown })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_binds_are_accepted() {
        assert_eq!(loopback_addr("127.0.0.1", 8001).unwrap().to_string(), "127.0.0.1:8001");
        assert_eq!(loopback_addr("::1", 9).unwrap().to_string(), "[::1]:9");
        assert_eq!(loopback_addr("[::1]", 9).unwrap().to_string(), "[::1]:9");
        assert_eq!(loopback_addr("localhost", 1).unwrap().to_string(), "127.0.0.1:1");
    }

    #[test]
    fn public_binds_are_refused_with_a_reason() {
        let err = loopback_addr("0.0.0.0", 8001).unwrap_err().to_string();
        assert!(err.contains("0.0.0.0") && err.contains("loopback"), "{err}");
        let err = loopback_addr("example.com", 8001).unwrap_err().to_string();
        assert!(err.contains("example.com"), "{err}");
    }

    #[test]
    fn token_comparison_needs_exact_match() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
