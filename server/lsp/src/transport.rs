//! A guard between stdio and the protocol library. tower-lsp-server stops
//! reading its input for good after one undecodable message, which would turn
//! a single malformed frame into a dead server; here every frame is checked
//! first, bad ones are answered with a JSON-RPC error (parse error or invalid
//! request) and only well-formed messages reach the server. Output frames are
//! written whole, so error answers never interleave with a server message.

use serde_json::{json, Value as Json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

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

/// The JSON-RPC error answering a body the server cannot take, or `None` when
/// the body is a well-formed message to pass on.
pub fn check_body(body: &[u8]) -> Option<Json> {
    if serde_json::from_slice::<Request>(body).is_ok() || serde_json::from_slice::<Response>(body).is_ok() {
        return None;
    }
    let error = |id: Json, code: i64, message: String| json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    match serde_json::from_slice::<Json>(body) {
        Err(e) => Some(error(Json::Null, -32700, format!("parse error: the message is not valid JSON ({e})"))),
        Ok(value) => {
            let id = value.get("id").cloned().filter(|id| id.is_string() || id.is_i64()).unwrap_or(Json::Null);
            let is_notification = value.get("method").is_some() && value.get("id").is_none();
            if is_notification {
                // Notifications get no answer, even when malformed.
                eprintln!("iamlens: ignored a malformed notification: {}", String::from_utf8_lossy(&body[..body.len().min(200)]));
                return Some(Json::Null);
            }
            Some(error(id, -32600, "invalid request: expected a JSON-RPC 2.0 request, notification or response".into()))
        }
    }
}

/// Pump client → server: forward well-formed frames, answer bad ones on `errors`.
pub async fn pump_input<R, W>(mut input: R, mut server_in: W, errors: mpsc::UnboundedSender<Vec<u8>>)
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    loop {
        let frame = match read_frame(&mut input).await {
            Ok(frame) => frame,
            Err(e) => {
                eprintln!("iamlens: reading the client's messages failed: {e}");
                return;
            }
        };
        match frame {
            Frame::Eof => return,
            Frame::BadHeader(why) => {
                let answer = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": format!("parse error: {why}")}});
                let _ = errors.send(serde_json::to_vec(&answer).unwrap_or_default());
            }
            Frame::Body(body) => match check_body(&body) {
                None => {
                    if server_in.write_all(&encode(&body)).await.is_err() || server_in.flush().await.is_err() {
                        return; // The server has stopped.
                    }
                }
                Some(Json::Null) => {}
                Some(answer) => {
                    let _ = errors.send(serde_json::to_vec(&answer).unwrap_or_default());
                }
            },
        }
    }
}

/// Pump server → client: whole frames from the server and error answers, to `output`.
/// Returns when the server's output ends.
pub async fn pump_output<R, W>(mut server_out: R, mut output: W, mut errors: mpsc::UnboundedReceiver<Vec<u8>>)
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    loop {
        tokio::select! {
            biased;
            frame = read_frame(&mut server_out) => match frame {
                Ok(Frame::Body(body)) => {
                    if output.write_all(&encode(&body)).await.is_err() || output.flush().await.is_err() {
                        return;
                    }
                }
                Ok(Frame::BadHeader(_)) => {}
                Ok(Frame::Eof) | Err(_) => break,
            },
            Some(answer) = errors.recv() => {
                if output.write_all(&encode(&answer)).await.is_err() || output.flush().await.is_err() {
                    return;
                }
            }
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

    #[test]
    fn bad_bodies_get_the_right_error() {
        assert_eq!(check_body(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#), None);
        assert_eq!(check_body(br#"{"jsonrpc":"2.0","method":"exit"}"#), None);
        assert_eq!(check_body(br#"{"jsonrpc":"2.0","id":3,"result":null}"#), None);
        let parse = check_body(br#"{"jsonrpc": "2.0", "id": 5, "method": "#).unwrap();
        assert_eq!(parse["error"]["code"], -32700);
        assert_eq!(parse["id"], Json::Null);
        let invalid = check_body(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#).unwrap();
        assert_eq!(invalid["error"]["code"], -32600);
        assert_eq!(invalid["id"], 7);
        assert_eq!(check_body(br#"{"jsonrpc":"1.0","method":"x"}"#), Some(Json::Null), "bad notification: no answer");
    }
}
