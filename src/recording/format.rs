//! The bytes of a recording file.
//!
//! ```text
//! file  = MAGIC frame(header) frame(records)*
//! frame = FRAME_MARK | length: u32 LE | crc32: u32 LE | first: i64 LE | payload
//! ```
//!
//! `payload` is zstd-compressed CBOR (the header's, or the records of up to
//! one second), `first` the time of its first record in milliseconds since
//! the epoch (seeking reads it without decoding), and the CRC covers
//! `first` and `payload`. Frames are only ever appended, each with one
//! write: a process killed mid-write leaves whole frames and at most one
//! cut-off tail, which the reader reports as a truncation. A frame whose CRC
//! does not match is skipped and counted; the reader finds the next one by
//! its mark.

use crate::core::replay::Screen;
use crate::core::timeline::TimelineEntry;
use crate::update::Update;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The first bytes of every recording.
pub const MAGIC: &[u8; 12] = b"OPSDECK-REC\n";
/// The first bytes of every frame.
pub const FRAME_MARK: &[u8; 4] = b"\xF0REC";
/// Mark, length, CRC and first time.
pub const FRAME_HEAD: usize = 4 + 4 + 4 + 8;
/// No frame is larger: a length above it is damage, not data.
pub const MAX_FRAME: usize = 256 << 20;
/// zstd level: fast enough for the writer thread, a third of level 19's
/// ratio lost at most on this data.
const LEVEL: i32 = 3;

/// What a recording says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// `core::FORMAT_VERSION` of the writer.
    pub format_version: u32,
    pub opsdeck_version: String,
    pub started_at: DateTime<Utc>,
    /// The Kubernetes context, or `demo`.
    pub context: String,
    /// Which sources were configured (never their addresses or secrets).
    pub sources: Vec<String>,
    /// A digest of the config file, to tell two setups apart without
    /// recording any of its values.
    pub config_digest: String,
}

/// One step the console applied, at its wall-clock time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub at: DateTime<Utc>,
    pub entry: Entry,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Entry {
    /// An update from a source, as the app applied it.
    Update(Update),
    /// A Timeline entry the console made itself: a note, an action's plan,
    /// who confirmed it, its checks and outcome.
    Console(TimelineEntry),
    /// The tab and service on screen changed (and when recording started):
    /// a replay follows them.
    Screen(Screen),
}

/// One frame's bytes for `payload` (already encoded) starting at `first`.
pub fn frame(first: DateTime<Utc>, payload: &[u8]) -> Vec<u8> {
    let first = first.timestamp_millis().to_le_bytes();
    let mut crc = crc32fast::Hasher::new();
    crc.update(&first);
    crc.update(payload);
    let mut out = Vec::with_capacity(FRAME_HEAD + payload.len());
    out.extend_from_slice(FRAME_MARK);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(&first);
    out.extend_from_slice(payload);
    out
}

/// CBOR, then zstd.
pub fn encode<T: Serialize>(value: &T) -> std::io::Result<Vec<u8>> {
    let mut cbor = Vec::new();
    ciborium::into_writer(value, &mut cbor).map_err(std::io::Error::other)?;
    zstd::bulk::compress(&cbor, LEVEL)
}

/// The inverse of `encode`; `limit` bounds the decompressed size.
pub fn decode<T: for<'de> Deserialize<'de>>(payload: &[u8], limit: usize) -> Result<T, String> {
    use std::io::Read;
    let mut cbor = Vec::new();
    zstd::stream::read::Decoder::new(payload)
        .map_err(|e| e.to_string())?
        .take(limit as u64 + 1)
        .read_to_end(&mut cbor)
        .map_err(|e| e.to_string())?;
    if cbor.len() > limit {
        return Err(format!("a frame decompresses to more than {limit} bytes"));
    }
    ciborium::from_reader(cbor.as_slice()).map_err(|e| e.to_string())
}

/// Checks a frame's CRC.
pub fn crc_ok(crc: u32, first: &[u8], payload: &[u8]) -> bool {
    let mut h = crc32fast::Hasher::new();
    h.update(first);
    h.update(payload);
    h.finalize() == crc
}
