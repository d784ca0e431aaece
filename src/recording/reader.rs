//! Reading a recording back: the header, an index of its frames, and what
//! was wrong with the file. Frames stay compressed in memory until played.

use super::format::{self, FRAME_HEAD, FRAME_MARK, Header, MAGIC, MAX_FRAME, Record};
use crate::core::FORMAT_VERSION;
use chrono::{DateTime, Utc};
use std::path::Path;

/// Decompressed size a frame may not exceed.
const MAX_DECODED: usize = 1 << 30;

/// Why a file cannot be replayed at all.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    Io(String),
    NotARecording,
    /// Written by a newer opsdeck.
    Newer {
        file: u32,
        ours: u32,
    },
    BadHeader(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotARecording => write!(f, "not an opsdeck recording"),
            ReadError::Newer { file, ours } => write!(
                f,
                "recording format {file} is newer than this opsdeck's ({ours}): replay it with a newer opsdeck"
            ),
            ReadError::BadHeader(e) => write!(f, "the recording's header is damaged: {e}"),
        }
    }
}

/// Where one frame's payload is, and its first record's time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameIndex {
    pub first: DateTime<Utc>,
    start: usize,
    len: usize,
}

/// A recording in memory, its frames still compressed.
#[derive(Debug)]
pub struct Recording {
    pub header: Header,
    pub frames: Vec<FrameIndex>,
    /// Frames skipped because their bytes were damaged.
    pub corrupt: usize,
    /// The file ends inside a frame (a writer that was killed).
    pub truncated: bool,
    bytes: Vec<u8>,
}

impl Recording {
    pub fn open(path: &Path) -> Result<Recording, ReadError> {
        let bytes =
            std::fs::read(path).map_err(|e| ReadError::Io(format!("{}: {e}", path.display())))?;
        Recording::parse(bytes)
    }

    pub fn parse(bytes: Vec<u8>) -> Result<Recording, ReadError> {
        if !bytes.starts_with(MAGIC) {
            return Err(ReadError::NotARecording);
        }
        let mut frames = Vec::new();
        let (mut corrupt, mut truncated) = (0, false);
        let mut at = MAGIC.len();
        loop {
            match next_frame(&bytes, at) {
                Scan::End => break,
                Scan::Cut => {
                    truncated = true;
                    break;
                }
                Scan::Frame(f, next) => {
                    frames.push(f);
                    at = next;
                }
                Scan::Damaged(next) => {
                    corrupt += 1;
                    match next {
                        Some(n) => at = n,
                        None => break,
                    }
                }
            }
        }
        if frames.is_empty() {
            return Err(ReadError::BadHeader("no header frame".into()));
        }
        let head = frames.remove(0);
        if head.start != MAGIC.len() + FRAME_HEAD {
            return Err(ReadError::BadHeader("the header frame is damaged".into()));
        }
        let header: Header = format::decode(&bytes[head.start..head.start + head.len], MAX_DECODED)
            .map_err(|e| header_error(&bytes[head.start..head.start + head.len], e))?;
        if header.format_version > FORMAT_VERSION {
            return Err(ReadError::Newer {
                file: header.format_version,
                ours: FORMAT_VERSION,
            });
        }
        Ok(Recording {
            header,
            frames,
            corrupt,
            truncated,
            bytes,
        })
    }

    /// The records of frame `i`; a frame whose CRC matched but whose
    /// content does not decode is an error for the caller to count.
    pub fn frame(&self, i: usize) -> Result<Vec<Record>, String> {
        let f = self.frames.get(i).ok_or("no such frame")?;
        format::decode(&self.bytes[f.start..f.start + f.len], MAX_DECODED)
    }

    /// The frame holding `at`: the last that starts at or before it.
    pub fn frame_at(&self, at: DateTime<Utc>) -> usize {
        self.frames
            .partition_point(|f| f.first <= at)
            .saturating_sub(1)
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.frames
            .first()
            .map_or(self.header.started_at, |f| f.first)
    }
}

/// A newer header may carry fields this opsdeck cannot read: say which
/// version it is when that much can be read.
fn header_error(payload: &[u8], e: String) -> ReadError {
    #[derive(serde::Deserialize)]
    struct VersionOnly {
        format_version: u32,
    }
    match format::decode::<VersionOnly>(payload, MAX_DECODED) {
        Ok(v) if v.format_version > FORMAT_VERSION => ReadError::Newer {
            file: v.format_version,
            ours: FORMAT_VERSION,
        },
        _ => ReadError::BadHeader(e),
    }
}

enum Scan {
    End,
    /// The file ends inside this frame.
    Cut,
    Frame(FrameIndex, usize),
    /// Damaged bytes; the next frame mark, if there is one.
    Damaged(Option<usize>),
}

fn next_frame(bytes: &[u8], at: usize) -> Scan {
    let rest = &bytes[at..];
    if rest.is_empty() {
        return Scan::End;
    }
    if rest.len() < FRAME_HEAD {
        return if FRAME_MARK.starts_with(&rest[..rest.len().min(4)]) {
            Scan::Cut
        } else {
            Scan::Damaged(None)
        };
    }
    let resync = || find_mark(bytes, at + 1);
    if &rest[..4] != FRAME_MARK {
        return Scan::Damaged(resync());
    }
    let word = |i: usize| u32::from_le_bytes([rest[i], rest[i + 1], rest[i + 2], rest[i + 3]]);
    let len = word(4) as usize;
    let crc = word(8);
    if len > MAX_FRAME {
        return Scan::Damaged(resync());
    }
    if rest.len() < FRAME_HEAD + len {
        // A frame cut by the end of the file, unless a later mark shows
        // the length itself was damaged.
        return match resync() {
            Some(n) => Scan::Damaged(Some(n)),
            None => Scan::Cut,
        };
    }
    let first = &rest[12..20];
    let payload = &rest[FRAME_HEAD..FRAME_HEAD + len];
    if !format::crc_ok(crc, first, payload) {
        return Scan::Damaged(resync());
    }
    let millis = i64::from_le_bytes(first.try_into().unwrap_or_default());
    let Some(first) = DateTime::<Utc>::from_timestamp_millis(millis) else {
        return Scan::Damaged(resync());
    };
    Scan::Frame(
        FrameIndex {
            first,
            start: at + FRAME_HEAD,
            len,
        },
        at + FRAME_HEAD + len,
    )
}

fn find_mark(bytes: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(bytes.get(from..)?, FRAME_MARK).map(|i| from + i)
}
