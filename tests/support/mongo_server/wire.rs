//! Framing of the MongoDB wire protocol: the 16-byte header, OP_MSG
//! requests (flagBits, a kind 0 body and kind 1 document sequences) and
//! OP_MSG replies. The 3.x driver speaks only OP_MSG, even for its first
//! handshake, so other opcodes are reported and not parsed.

use bson::{Bson, Document};
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicI32, Ordering};

pub const OP_MSG: i32 = 2013;
const HEADER_LEN: usize = 16;
const CHECKSUM_PRESENT: u32 = 1;
/// The sender expects no reply (unacknowledged writes, exhaust streams).
pub const MORE_TO_COME: u32 = 1 << 1;
/// Replies get their own ids; the driver only checks `responseTo`.
static NEXT_REPLY_ID: AtomicI32 = AtomicI32::new(1);

pub struct Request {
    pub request_id: i32,
    pub flags: u32,
    /// The kind 0 body with every kind 1 sequence merged in as an array,
    /// the way the server itself sees the command.
    pub body: Document,
}

pub enum Frame {
    Msg(Request),
    Other { op_code: i32 },
}

/// Reads one whole message; an error means the peer went away or sent
/// something that is not a message.
pub fn read_frame(stream: &mut impl Read) -> io::Result<Frame> {
    let mut header = [0u8; HEADER_LEN];
    stream.read_exact(&mut header)?;
    let length = i32_at(&header, 0)?;
    let request_id = i32_at(&header, 4)?;
    let op_code = i32_at(&header, 12)?;
    let length = usize::try_from(length)
        .ok()
        .filter(|l| *l >= HEADER_LEN)
        .ok_or_else(|| invalid(format!("message length {length}")))?;
    let mut rest = vec![0u8; length - HEADER_LEN];
    stream.read_exact(&mut rest)?;
    if op_code != OP_MSG {
        return Ok(Frame::Other { op_code });
    }
    parse_op_msg(request_id, &rest).map(Frame::Msg)
}

fn parse_op_msg(request_id: i32, bytes: &[u8]) -> io::Result<Request> {
    let flags = u32::from_le_bytes(take::<4>(bytes, 0)?);
    let end = if flags & CHECKSUM_PRESENT != 0 {
        bytes.len().saturating_sub(4)
    } else {
        bytes.len()
    };
    let mut body = None;
    let mut sequences = Vec::new();
    let mut pos = 4;
    while pos < end {
        let kind = bytes[pos];
        pos += 1;
        let size = usize_at(bytes, pos)?;
        let section = slice(bytes, pos, size)?;
        match kind {
            0 => body = Some(Document::from_reader(section).map_err(invalid)?),
            1 => sequences.push(parse_sequence(section)?),
            other => return Err(invalid(format!("section kind {other}"))),
        }
        pos += size;
    }
    let mut body = body.ok_or_else(|| invalid("OP_MSG without a body section"))?;
    for (identifier, docs) in sequences {
        body.insert(identifier, docs);
    }
    Ok(Request {
        request_id,
        flags,
        body,
    })
}

/// A kind 1 section: size, identifier (cstring), then documents.
fn parse_sequence(section: &[u8]) -> io::Result<(String, Vec<Bson>)> {
    let names = section.get(4..).unwrap_or_default();
    let nul = names
        .iter()
        .position(|b| *b == 0)
        .ok_or_else(|| invalid("unterminated sequence identifier"))?;
    let identifier = String::from_utf8(names[..nul].to_vec()).map_err(invalid)?;
    let mut docs = Vec::new();
    let mut pos = 4 + nul + 1;
    while pos < section.len() {
        let size = usize_at(section, pos)?;
        let doc = Document::from_reader(slice(section, pos, size)?).map_err(invalid)?;
        docs.push(Bson::Document(doc));
        pos += size;
    }
    Ok((identifier, docs))
}

/// Writes `reply` as an OP_MSG answering request `response_to`.
pub fn write_reply(stream: &mut impl Write, response_to: i32, reply: &Document) -> io::Result<()> {
    let mut doc = Vec::new();
    reply.to_writer(&mut doc).map_err(invalid)?;
    let length = HEADER_LEN + 4 + 1 + doc.len();
    let mut out = Vec::with_capacity(length);
    out.extend_from_slice(&i32::try_from(length).map_err(invalid)?.to_le_bytes());
    out.extend_from_slice(&NEXT_REPLY_ID.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    out.extend_from_slice(&response_to.to_le_bytes());
    out.extend_from_slice(&OP_MSG.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.push(0);
    out.extend_from_slice(&doc);
    stream.write_all(&out)?;
    stream.flush()
}

fn take<const N: usize>(bytes: &[u8], at: usize) -> io::Result<[u8; N]> {
    slice(bytes, at, N)?.try_into().map_err(invalid)
}

fn slice(bytes: &[u8], at: usize, len: usize) -> io::Result<&[u8]> {
    bytes
        .get(at..at + len)
        .ok_or_else(|| invalid(format!("{len} bytes at {at} run past the message")))
}

fn i32_at(bytes: &[u8], at: usize) -> io::Result<i32> {
    take::<4>(bytes, at).map(i32::from_le_bytes)
}

fn usize_at(bytes: &[u8], at: usize) -> io::Result<usize> {
    let n = i32_at(bytes, at)?;
    usize::try_from(n).map_err(|_| invalid(format!("negative size {n}")))
}

fn invalid(e: impl ToString) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}
