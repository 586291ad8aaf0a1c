//! The artifact container written by `knowledge/generator`:
//!
//! ```text
//! b"IAMLKB01" | u32 LE index length | zstd(index JSON) | blob | blob | ...
//! ```
//! Every blob is an independent zstd frame of JSON, located by the index with
//! an offset relative to the end of the index, so each service or IAM prefix
//! decodes on its own.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;

pub(crate) const MAGIC: &[u8; 8] = b"IAMLKB01";

/// What is wrong with an artifact (a build defect, or a hand-made file in tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactError(pub String);

impl fmt::Display for ArtifactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "knowledge artifact is unreadable: {} (regenerate it with knowledge/generator/generate)", self.0)
    }
}

impl std::error::Error for ArtifactError {}

/// Location of one blob, relative to the end of the index.
#[derive(Debug, Clone, Copy, Deserialize)]
pub(crate) struct BlobRef {
    pub offset: usize,
    pub length: usize,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ServiceEntry {
    pub name: String,
    /// Other names boto3 accepts for this service (`runtime.sagemaker`).
    #[serde(default)]
    pub aliases: Vec<String>,
    pub iam_prefix: String,
    /// The model's `serviceId` (`SFN`, `CloudWatch Logs`): what the other
    /// languages' SDKs name their packages and classes after.
    pub service_id: String,
    pub blob: BlobRef,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PrefixEntry {
    pub prefix: String,
    pub blob: BlobRef,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Index {
    pub format: u32,
    /// Pinned source versions (`botocore` → `1.44.8`).
    pub sources: BTreeMap<String, String>,
    /// zstd dictionaries (`services`, `prefixes`), each a plain zstd frame.
    pub dictionaries: BTreeMap<String, BlobRef>,
    pub services: Vec<ServiceEntry>,
    pub prefixes: Vec<PrefixEntry>,
    /// boto3 method → services that have it.
    pub method_index: BlobRef,
    /// Privilege-escalation actions and why, sorted by action.
    #[serde(default)]
    pub privilege_escalation: Vec<(String, String)>,
}

/// A parsed container: the index plus the raw blob region.
pub(crate) struct Container<'a> {
    pub index: Index,
    pub blobs: &'a [u8],
}

pub(crate) fn open(bytes: &[u8]) -> Result<Container<'_>, ArtifactError> {
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(ArtifactError("missing IAMLKB01 header".into()));
    }
    let len = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    let end = 12usize.checked_add(len).filter(|e| *e <= bytes.len()).ok_or_else(|| ArtifactError("index runs past the end".into()))?;
    let index: Index = decode_json(&bytes[12..end], "index")?;
    if index.format != 1 {
        return Err(ArtifactError(format!("format {} is not supported (expected 1)", index.format)));
    }
    Ok(Container { index, blobs: &bytes[end..] })
}

pub(crate) fn blob<'a>(blobs: &'a [u8], at: BlobRef, what: &str) -> Result<&'a [u8], ArtifactError> {
    at.offset
        .checked_add(at.length)
        .and_then(|end| blobs.get(at.offset..end))
        .ok_or_else(|| ArtifactError(format!("blob of {what} runs past the end")))
}

pub(crate) fn decompress(frame: &[u8], what: &str) -> Result<Vec<u8>, ArtifactError> {
    decompress_with(frame, None, what)
}

/// Decompress one frame, with a zstd dictionary (raw dictionary bytes) when the frame was made with one.
pub(crate) fn decompress_with(frame: &[u8], dictionary: Option<&[u8]>, what: &str) -> Result<Vec<u8>, ArtifactError> {
    let mut frame_decoder = ruzstd::decoding::FrameDecoder::new();
    if let Some(raw) = dictionary {
        let dict = ruzstd::decoding::Dictionary::decode_dict(raw).map_err(|e| ArtifactError(format!("dictionary for {what}: {e}")))?;
        frame_decoder.add_dict(dict).map_err(|e| ArtifactError(format!("dictionary for {what}: {e}")))?;
    }
    let mut decoder =
        ruzstd::decoding::StreamingDecoder::new_with_decoder(frame, frame_decoder).map_err(|e| ArtifactError(format!("{what}: {e}")))?;
    let mut out = Vec::with_capacity(frame.len() * 8);
    decoder.read_to_end(&mut out).map_err(|e| ArtifactError(format!("{what}: {e}")))?;
    Ok(out)
}

pub(crate) fn decode_json<T: DeserializeOwned>(frame: &[u8], what: &str) -> Result<T, ArtifactError> {
    decode_json_with(frame, None, what)
}

pub(crate) fn decode_json_with<T: DeserializeOwned>(frame: &[u8], dictionary: Option<&[u8]>, what: &str) -> Result<T, ArtifactError> {
    let raw = decompress_with(frame, dictionary, what)?;
    serde_json::from_slice(&raw).map_err(|e| ArtifactError(format!("{what}: {e}")))
}
