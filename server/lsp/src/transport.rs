//! The JSON-RPC transport over stdio: frames read and written here, each
//! message parsed once and handed to the language service directly.
//!
//! tower-lsp-server's own `Server` stops reading its input for good after one
//! undecodable message, which would turn a single malformed frame into a dead
//! server; here a bad frame is answered with a JSON-RPC error (parse error or
//! invalid request) and skipped, its announced body included, and serving
//! goes on. Handlers are started in arrival order with at most
//! [`CONCURRENCY`] running, as that `Server` does. Output frames are written
//! whole by one writer, so error answers never interleave with a server message.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value as Json};
use std::future::Future;
use std::pin::Pin;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tower::Service;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ClientSocket;

/// Requests handled at once (tower-lsp-server's default).
pub const CONCURRENCY: usize = 4;

/// Refuse bodies larger than this (a 10 MB file is ~20 MB escaped).
const MAX_BODY: usize = 256 * 1024 * 1024;

/// One frame read from a stream.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Body(Vec<u8>),
    /// A header block the stream could not be framed by; the text says why.
    BadHeader(String),
    Eof,
}

/// Read one `Content-Length` framed message.
pub async fn read_frame<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Frame> {
    let mut length: Option<u64> = None;
    let mut bad: Option<String> = None;
    let mut line = Vec::new();
    let mut saw_header = false;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(Frame::Eof);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !saw_header {
                continue; // Blank lines between messages.
            }
            break;
        }
        saw_header = true;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => match value.trim().parse::<u64>() {
                Ok(n) => {
                    if n > MAX_BODY as u64 {
                        bad = Some(format!("Content-Length {n} is larger than {MAX_BODY} bytes"));
                    }
                    length = Some(n);
                }
                Err(_) => bad = Some(format!("Content-Length `{}` is not a number", value.trim())),
            },
            Some(_) => {} // Content-Type and others: ignored.
            None => bad = Some(format!("`{text}` is not a header line")),
        }
    }
    if let Some(why) = bad {
        // The body the header announced is not read as the next header.
        if let Some(n) = length {
            tokio::io::copy(&mut (&mut *reader).take(n), &mut tokio::io::sink()).await?;
        }
        return Ok(Frame::BadHeader(why));
    }
    let Some(length) = length else {
        return Ok(Frame::BadHeader("message without a Content-Length header".into()));
    };
    let mut body = vec![0u8; length as usize];
    reader.read_exact(&mut body).await?;
    Ok(Frame::Body(body))
}

pub fn encode(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A message body, parsed.
#[derive(Debug)]
pub enum Incoming {
    /// A request or notification for the server.
    Request(Request),
    /// The client's answer to a server request.
    Response(Response),
    /// Not a message to pass on: the JSON-RPC error to answer with, or
    /// `None` (a malformed notification gets no answer).
    Refused(Option<Json>),
}

/// Parse a body once as a request or notification (almost every message);
/// a client's response to a server request (no method) is parsed again as a
/// response, and a body that is neither once more, to find the id its error
/// answer carries.
pub fn decode(body: &[u8]) -> Incoming {
    match serde_json::from_slice::<Request>(body) {
        // The library reads a missing `method` as "": a response, or invalid.
        Ok(request) if !request.method().is_empty() => return Incoming::Request(request),
        Err(e) if e.is_syntax() || e.is_eof() => return Incoming::Refused(Some(parse_error(&e))),
        _ => {}
    }
    if let Ok(response) = serde_json::from_slice::<Response>(body) {
        return Incoming::Response(response);
    }
    let value = serde_json::from_slice::<Json>(body).unwrap_or(Json::Null);
    let id = value.get("id").cloned().filter(|id| id.is_string() || id.is_i64()).unwrap_or(Json::Null);
    if value.get("method").is_some() && value.get("id").is_none() {
        // Notifications get no answer, even when malformed.
        eprintln!("iamlens: ignored a malformed notification: {}", String::from_utf8_lossy(&body[..body.len().min(200)]));
        return Incoming::Refused(None);
    }
    Incoming::Refused(Some(error(id, -32600, "invalid request: expected a JSON-RPC 2.0 request, notification or response".into())))
}

fn error(id: Json, code: i64, message: String) -> Json {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

fn parse_error(e: &serde_json::Error) -> Json {
    error(Json::Null, -32700, format!("parse error: the message is not valid JSON ({e})"))
}

type Handling = Pin<Box<dyn Future<Output = Option<Response>> + Send>>;

/// Serve `service` over `input`/`output` until the client sends `exit` or
/// closes its side. Server-to-client requests and notifications come from
/// `socket`.
pub async fn serve<R, W, S>(mut input: R, output: W, mut service: S, socket: ClientSocket)
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: std::fmt::Display + Send,
{
    let (out_tx, out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let writer = tokio::spawn(write_frames(out_rx, output));
    let (mut to_client, mut client_answers) = socket.split();
    let tx = out_tx.clone();
    let forward = tokio::spawn(async move {
        while let Some(request) = to_client.next().await {
            let _ = tx.send(serde_json::to_vec(&request).unwrap_or_default());
        }
    });
    let (mut tasks, handling) = futures::channel::mpsc::channel::<Handling>(100);
    let tx = out_tx.clone();
    let handlers = tokio::spawn(async move {
        let mut done = handling.buffer_unordered(CONCURRENCY);
        while let Some(answer) = done.next().await {
            if let Some(response) = answer {
                let _ = tx.send(serde_json::to_vec(&response).unwrap_or_default());
            }
        }
    });
    loop {
        let frame = match read_frame(&mut input).await {
            Ok(frame) => frame,
            Err(e) => {
                eprintln!("iamlens: reading the client's messages failed: {e}");
                break;
            }
        };
        let body = match frame {
            Frame::Eof => break,
            Frame::BadHeader(why) => {
                let _ = out_tx.send(serde_json::to_vec(&error(Json::Null, -32700, format!("parse error: {why}"))).unwrap_or_default());
                continue;
            }
            Frame::Body(body) => body,
        };
        match decode(&body) {
            Incoming::Request(request) => {
                if let Err(e) = std::future::poll_fn(|cx| service.poll_ready(cx)).await {
                    eprintln!("iamlens: the server stopped: {e}");
                    break;
                }
                // After `exit` nothing more is read: some clients keep stdin open.
                let exit = request.method() == "exit";
                let call = service.call(request);
                let handled: Handling = Box::pin(async move {
                    call.await.unwrap_or_else(|e| {
                        eprintln!("iamlens: {e}");
                        None
                    })
                });
                if tasks.send(handled).await.is_err() || exit {
                    break;
                }
            }
            Incoming::Response(response) => {
                if client_answers.send(response).await.is_err() {
                    break;
                }
            }
            Incoming::Refused(Some(answer)) => {
                let _ = out_tx.send(serde_json::to_vec(&answer).unwrap_or_default());
            }
            Incoming::Refused(None) => {}
        }
    }
    // Started handlers get 2 s to answer and the answers to be written.
    drop(tasks);
    let drain = async {
        let _ = handlers.await;
        forward.abort();
        drop(out_tx);
        let _ = writer.await;
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), drain).await;
}

async fn write_frames<W: AsyncWrite + Unpin>(mut bodies: mpsc::UnboundedReceiver<Vec<u8>>, mut output: W) {
    while let Some(body) = bodies.recv().await {
        if output.write_all(&encode(&body)).await.is_err() {
            return;
        }
        // Several frames waiting: one flush for all of them.
        if bodies.is_empty() && output.flush().await.is_err() {
            return;
        }
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_are_read_with_any_header_case_and_extra_headers() {
        let data = b"content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}\r\nContent-Length: 3\r\n\r\n[1]".to_vec();
        let mut r = tokio::io::BufReader::new(&data[..]);
        assert_eq!(read_frame(&mut r).await.unwrap(), Frame::Body(b"{}".to_vec()));
        assert_eq!(read_frame(&mut r).await.unwrap(), Frame::Body(b"[1]".to_vec()));
        assert_eq!(read_frame(&mut r).await.unwrap(), Frame::Eof);
    }

    #[tokio::test]
    async fn a_missing_or_bad_length_is_reported_not_fatal() {
        let data = b"X-Foo: 1\r\n\r\nContent-Length: abc\r\n\r\nContent-Length: 2\r\n\r\n{}".to_vec();
        let mut r = tokio::io::BufReader::new(&data[..]);
        assert!(matches!(read_frame(&mut r).await.unwrap(), Frame::BadHeader(_)));
        assert!(matches!(read_frame(&mut r).await.unwrap(), Frame::BadHeader(w) if w.contains("abc")));
        assert_eq!(read_frame(&mut r).await.unwrap(), Frame::Body(b"{}".to_vec()));
    }

    #[tokio::test]
    async fn a_bad_header_skips_the_body_it_announced() {
        let skipped = br#"{"jsonrpc":"2.0","id":1,"method":"x"}"#;
        let mut data = format!("Content-Length: {}\r\nnot a header\r\n\r\n", skipped.len()).into_bytes();
        data.extend_from_slice(skipped);
        data.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        let mut r = tokio::io::BufReader::new(&data[..]);
        assert!(matches!(read_frame(&mut r).await.unwrap(), Frame::BadHeader(w) if w.contains("not a header")));
        assert_eq!(read_frame(&mut r).await.unwrap(), Frame::Body(b"{}".to_vec()));
        assert_eq!(read_frame(&mut r).await.unwrap(), Frame::Eof);
    }

    fn refused(body: &[u8]) -> Option<Json> {
        match decode(body) {
            Incoming::Refused(answer) => answer,
            other => panic!("passed on: {other:?}"),
        }
    }

    #[test]
    fn bodies_are_decoded_or_get_the_right_error() {
        assert!(matches!(decode(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#), Incoming::Request(r) if r.method() == "shutdown"));
        assert!(matches!(decode(br#"{"jsonrpc":"2.0","method":"exit"}"#), Incoming::Request(r) if r.id().is_none()));
        assert!(matches!(decode(br#"{"jsonrpc":"2.0","id":3,"result":null}"#), Incoming::Response(_)));
        let nested = decode(br#"{"jsonrpc":"2.0","id":3,"result":{"method":"x"}}"#);
        assert!(matches!(nested, Incoming::Response(_)), "{nested:?}");
        assert!(matches!(decode(br#"{"jsonrpc":"2.0","id":4,"\u006dethod":"shutdown"}"#), Incoming::Request(_)));
        let parse = refused(br#"{"jsonrpc": "2.0", "id": 5, "method": "#).unwrap();
        assert_eq!(parse["error"]["code"], -32700);
        assert_eq!(parse["id"], Json::Null);
        let invalid = refused(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#).unwrap();
        assert_eq!(invalid["error"]["code"], -32600);
        assert_eq!(invalid["id"], 7);
        assert_eq!(refused(br#"{"jsonrpc":"1.0","method":"x"}"#), None, "bad notification: no answer");
    }
}
