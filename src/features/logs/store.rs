//! The Logs buffer's lines, packed: 200,000 are kept at a time, so a line
//! is a 32-byte record pointing into text shared with its neighbours.
//!
//! Lines are appended to blocks. A block holds the text of up to
//! `BLOCK_LINES` lines in one allocation (message, fields and, when it is
//! not already inside them, the correlation id), their records, their
//! streams' names (each once) and what few lines have: colour runs and
//! stack traces. Blocks are shared, so a copy of the buffer (a replay's
//! checkpoint) costs a pointer a block; one is copied only when a shared
//! block changes.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::core::sanitize::{SafeText, StyledRun};
use crate::features::logs::line::Level;
use crate::features::logs::model::LogLine;

/// The pod and container a line came from, one copy for all their lines.
#[derive(Debug, PartialEq, Eq)]
pub struct Stream {
    pub pod: Arc<str>,
    pub container: Arc<str>,
}

/// Text bytes a block starts with room for; a longer line gets a block of
/// its own length.
const BLOCK_TEXT: usize = 64 * 1024;
/// Lines a block holds at most: its stream numbers fit a `u16`.
const BLOCK_LINES: usize = 4096;
/// Lines a block starts with room for: about what 64 KiB of text holds.
const LINES_ROOM: usize = 1024;
/// How far back a continuation line looks for the record it belongs to.
const CONTINUATION_LOOKBACK: usize = 256;

/// A line's place in its block's text, its stream, time and level. Built
/// only from a `Clean<LogLine>`'s line, so all its text is sanitized, as
/// the wire type's is.
#[derive(Debug, Clone)]
struct Packed {
    /// Nanoseconds since the epoch; `NO_TIME` for none.
    time: i64,
    start: u32,
    message_len: u32,
    fields_len: u32,
    /// From `start`; `NO_CORRELATION` for none.
    correlation_at: u32,
    correlation_len: u16,
    stream: u16,
    level: Level,
    flags: u8,
}

const NOTE: u8 = 1;
const RARE: u8 = 2;
const NO_CORRELATION: u32 = u32::MAX;
/// Also what a time outside 1677–2262 (the reach of `i64` nanoseconds)
/// becomes: no log line of an incident is that far off.
const NO_TIME: i64 = i64::MIN;

/// What a line seldom has.
#[derive(Debug, Clone, Default)]
struct Rare {
    runs: Vec<StyledRun>,
    /// Lines that continue this record (a stack trace).
    extra: Vec<SafeText>,
}

#[derive(Debug, Clone)]
struct Block {
    /// Sequence number of `lines[0]`.
    first_seq: u64,
    text: String,
    lines: Vec<Packed>,
    streams: Vec<Arc<Stream>>,
    /// By line index, ascending.
    rare: Vec<(u32, Rare)>,
}

impl Block {
    fn new(first_seq: u64, text_room: usize) -> Block {
        Block {
            first_seq,
            text: String::with_capacity(text_room),
            lines: Vec::with_capacity(LINES_ROOM),
            streams: Vec::new(),
            rare: Vec::new(),
        }
    }

    fn rare(&self, index: usize) -> Option<&Rare> {
        let at = self
            .rare
            .binary_search_by_key(&(index as u32), |(i, _)| *i)
            .ok()?;
        Some(&self.rare[at].1)
    }

    fn rare_mut(&mut self, index: usize) -> &mut Rare {
        let index = index as u32;
        let at = match self.rare.binary_search_by_key(&index, |(i, _)| *i) {
            Ok(at) => at,
            Err(at) => {
                self.rare.insert(at, (index, Rare::default()));
                at
            }
        };
        if let Some(line) = self.lines.get_mut(index as usize) {
            line.flags |= RARE;
        }
        &mut self.rare[at].1
    }

    /// Gives back what the block grew by and will not use.
    fn seal(&mut self) {
        self.text.shrink_to_fit();
        self.lines.shrink_to_fit();
        self.streams.shrink_to_fit();
    }
}

/// One line of the buffer, borrowed.
#[derive(Clone, Copy)]
pub struct LineRef<'a> {
    block: &'a Block,
    index: usize,
    line: &'a Packed,
}

impl<'a> LineRef<'a> {
    fn slice(&self, from: u32, len: u32) -> &'a str {
        let from = from as usize;
        self.block
            .text
            .get(from..from + len as usize)
            .unwrap_or_default()
    }

    fn rare(&self) -> Option<&'a Rare> {
        if self.line.flags & RARE == 0 {
            return None;
        }
        self.block.rare(self.index)
    }

    pub fn stream(&self) -> &'a Arc<Stream> {
        &self.block.streams[usize::from(self.line.stream)]
    }

    pub fn pod(&self) -> &'a str {
        &self.stream().pod
    }

    pub fn container(&self) -> &'a str {
        &self.stream().container
    }

    /// When the kubelet took the line.
    pub fn time(&self) -> Option<DateTime<Utc>> {
        (self.line.time != NO_TIME).then(|| DateTime::from_timestamp_nanos(self.line.time))
    }

    pub fn level(&self) -> Level {
        self.line.level
    }

    /// A note from opsdeck about the stream (pod joined, stream ended, error).
    pub fn note(&self) -> bool {
        self.line.flags & NOTE != 0
    }

    /// For JSON the message field; for plain text the whole line.
    pub fn message(&self) -> &'a str {
        self.slice(self.line.start, self.line.message_len)
    }

    /// The message's colour runs (byte ranges of [`Self::message`]).
    pub fn message_runs(&self) -> &'a [StyledRun] {
        self.rare().map_or(&[], |r| &r.runs)
    }

    /// Other structured fields, `key=value`.
    pub fn fields(&self) -> &'a str {
        self.slice(
            self.line.start.saturating_add(self.line.message_len),
            self.line.fields_len,
        )
    }

    pub fn correlation(&self) -> Option<&'a str> {
        (self.line.correlation_at != NO_CORRELATION).then(|| {
            self.slice(
                self.line.start.saturating_add(self.line.correlation_at),
                u32::from(self.line.correlation_len),
            )
        })
    }

    /// Lines that continue this record (a stack trace).
    pub fn extra(&self) -> &'a [SafeText] {
        self.rare().map_or(&[], |r| &r.extra)
    }
}

/// The lines, oldest first, numbered by sequence numbers that never repeat.
#[derive(Clone, Default)]
pub struct LineStore {
    blocks: VecDeque<Arc<Block>>,
    /// Sequence number of the oldest line kept.
    first_seq: u64,
    len: usize,
    /// Where each stream is in the newest block's `streams`, by address: a
    /// cache, so a push does not search them.
    tail_streams: TailStreams,
}

#[derive(Clone, Default)]
struct TailStreams(HashMap<usize, u16>);

/// The lines, not how they are laid out: two buffers holding the same
/// lines print the same, whichever blocks they were cut into.
impl std::fmt::Debug for LineStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl std::fmt::Debug for LineRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Line")
            .field("pod", &self.pod())
            .field("container", &self.container())
            .field("time", &self.time())
            .field("level", &self.level())
            .field("note", &self.note())
            .field("message", &self.message())
            .field("runs", &self.message_runs())
            .field("fields", &self.fields())
            .field("correlation", &self.correlation())
            .field("extra", &self.extra())
            .finish()
    }
}

/// Offsets are `u32`: a line's text is capped far below 4 GiB (16 KiB of
/// message, 64 fields of at most 512 bytes), and a block holds a line or
/// 64 KiB.
fn offset(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

impl LineStore {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sequence number of the oldest line kept.
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// Sequence number the next line will get.
    pub fn next_seq(&self) -> u64 {
        self.first_seq + self.len as u64
    }

    pub fn get(&self, seq: u64) -> Option<LineRef<'_>> {
        if seq < self.first_seq || seq >= self.next_seq() {
            return None;
        }
        let at = self
            .blocks
            .partition_point(|b| b.first_seq <= seq)
            .checked_sub(1)?;
        let block = &self.blocks[at];
        let index = (seq - block.first_seq) as usize;
        Some(LineRef {
            block,
            index,
            line: block.lines.get(index)?,
        })
    }

    /// Every line kept, oldest first, with its sequence number.
    pub fn iter(&self) -> impl Iterator<Item = (u64, LineRef<'_>)> {
        let first = self.first_seq;
        self.blocks
            .iter()
            .flat_map(|block| {
                block.lines.iter().enumerate().map(move |(index, line)| {
                    (
                        block.first_seq + index as u64,
                        LineRef { block, index, line },
                    )
                })
            })
            .skip_while(move |(seq, _)| *seq < first)
    }

    /// Appends a line; `stream` is the shared copy of its names.
    pub fn push(&mut self, line: LogLine, stream: Arc<Stream>) {
        let message = line.message.as_str();
        let fields = &*line.fields;
        // The parser caps a field at 512 bytes; an id longer than 64 KiB
        // (only a hand-made recording could hold one) is not kept.
        let correlation = line
            .correlation
            .as_deref()
            .filter(|id| id.len() <= usize::from(u16::MAX));
        let inside = correlation.and_then(|id| {
            message
                .find(id)
                .or_else(|| Some(message.len() + fields.find(id)?))
        });
        let needed = message.len()
            + fields.len()
            + match (correlation, inside) {
                (Some(id), None) => id.len(),
                _ => 0,
            };
        self.make_room(needed);
        let last = self.blocks.len() - 1;
        let block = Arc::make_mut(&mut self.blocks[last]);
        let start = block.text.len();
        block.text.push_str(message);
        block.text.push_str(fields);
        let correlation_at = match (correlation, inside) {
            (None, _) => NO_CORRELATION,
            (Some(_), Some(at)) => offset(at),
            (Some(id), None) => {
                block.text.push_str(id);
                offset(message.len() + fields.len())
            }
        };
        let key = Arc::as_ptr(&stream) as usize;
        let stream_index = match self.tail_streams.0.get(&key) {
            Some(&i) => i,
            None => {
                let i = u16::try_from(block.streams.len()).unwrap_or(u16::MAX);
                block.streams.push(stream);
                self.tail_streams.0.insert(key, i);
                i
            }
        };
        block.lines.push(Packed {
            time: line
                .time
                .and_then(|t| t.timestamp_nanos_opt())
                .unwrap_or(NO_TIME),
            start: offset(start),
            message_len: offset(message.len()),
            fields_len: offset(fields.len()),
            correlation_at,
            correlation_len: correlation.map_or(0, |id| id.len() as u16),
            stream: stream_index,
            level: line.level,
            flags: if line.note { NOTE } else { 0 },
        });
        let runs = line.message.runs();
        if !runs.is_empty() {
            let index = block.lines.len() - 1;
            block.rare_mut(index).runs = runs.to_vec();
        }
        self.len += 1;
    }

    /// Makes sure the newest block has room for `needed` more bytes of
    /// text and one more line: a new block when it has not.
    fn make_room(&mut self, needed: usize) {
        let fits = self.blocks.back().is_some_and(|b| {
            b.lines.len() < BLOCK_LINES
                && b.text.len() + needed <= b.text.capacity().max(BLOCK_TEXT)
        });
        if fits {
            return;
        }
        // A block a copy of the buffer shares is left as it is.
        if let Some(full) = self.blocks.back_mut().and_then(Arc::get_mut) {
            full.seal();
        }
        let next_seq = self.next_seq();
        self.blocks
            .push_back(Arc::new(Block::new(next_seq, needed.max(BLOCK_TEXT))));
        self.tail_streams.0.clear();
    }

    /// Drops the oldest line.
    pub fn pop_front(&mut self) {
        if self.len == 0 {
            return;
        }
        self.first_seq += 1;
        self.len -= 1;
        let used_up = self
            .blocks
            .front()
            .is_some_and(|b| self.first_seq >= b.first_seq + b.lines.len() as u64);
        if used_up {
            self.blocks.pop_front();
            if self.blocks.is_empty() {
                self.tail_streams.0.clear();
            }
        }
    }

    /// Adds `text` to the newest record of `stream` among the last few
    /// lines (not a note); gives it back when there is none.
    pub fn continue_record(
        &mut self,
        stream: &Arc<Stream>,
        text: SafeText,
    ) -> Result<(), SafeText> {
        let owner = self
            .iter_back()
            .take(CONTINUATION_LOOKBACK)
            .find(|(_, l)| Arc::ptr_eq(l.stream(), stream) && !l.note())
            .map(|(seq, _)| seq);
        let Some(seq) = owner else {
            return Err(text);
        };
        let at = self.blocks.partition_point(|b| b.first_seq <= seq) - 1;
        let block = Arc::make_mut(&mut self.blocks[at]);
        let index = (seq - block.first_seq) as usize;
        block.rare_mut(index).extra.push(text);
        Ok(())
    }

    /// The lines, newest first, with their sequence numbers.
    fn iter_back(&self) -> impl Iterator<Item = (u64, LineRef<'_>)> {
        let first = self.first_seq;
        self.blocks
            .iter()
            .rev()
            .flat_map(|block| {
                block
                    .lines
                    .iter()
                    .enumerate()
                    .rev()
                    .map(move |(index, line)| {
                        (
                            block.first_seq + index as u64,
                            LineRef { block, index, line },
                        )
                    })
            })
            .take_while(move |(seq, _)| *seq >= first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sanitize::sanitize;

    fn wire(message: &[u8], fields: &str, correlation: Option<&str>) -> LogLine {
        LogLine {
            pod: "order-1".into(),
            container: "app".into(),
            time: None,
            level: Level::Warn,
            message: sanitize(message),
            fields: fields.into(),
            correlation: correlation.map(Into::into),
            extra: Vec::new(),
            continuation: false,
            note: false,
        }
    }

    fn stream(pod: &str) -> Arc<Stream> {
        Arc::new(Stream {
            pod: pod.into(),
            container: "app".into(),
        })
    }

    #[test]
    fn every_part_reads_back_as_it_came() {
        let cases = [
            (
                "GET /x 200",
                "logger=api correlation_id=c0rr-1",
                Some("c0rr-1"),
            ),
            ("charge failed", "", Some("t-9")),
            ("plain", "a=b", None),
            ("", "", Some("")),
            ("wide ✓ text", "k=✓", None),
        ];
        let mut store = LineStore::default();
        let order = stream("order-1");
        for (message, fields, correlation) in cases {
            store.push(wire(message.as_bytes(), fields, correlation), order.clone());
        }
        let at = DateTime::parse_from_rfc3339("2026-11-21T10:07:58.231000007Z")
            .map(|t| t.with_timezone(&Utc))
            .ok();
        let mut timed = wire(b"m", "", None);
        timed.time = at;
        timed.note = true;
        store.push(timed, stream("pay-2"));
        for (seq, (message, fields, correlation)) in cases.into_iter().enumerate() {
            let line = store.get(seq as u64).unwrap();
            assert_eq!(
                (line.message(), line.fields(), line.correlation()),
                (message, fields, correlation),
                "{message:?}"
            );
            assert_eq!((line.pod(), line.container()), ("order-1", "app"));
            assert_eq!(
                (line.level(), line.time(), line.note()),
                (Level::Warn, None, false)
            );
        }
        let timed = store.get(5).unwrap();
        assert_eq!(
            (timed.pod(), timed.time(), timed.note()),
            ("pay-2", at, true)
        );
        assert!(store.get(6).is_none());
    }

    #[test]
    fn a_correlation_id_in_the_fields_is_not_stored_twice() {
        let mut store = LineStore::default();
        let fields = "logger=order_service.api correlation_id=c0rr-91a2-0001";
        store.push(
            wire(b"Creating order", fields, Some("c0rr-91a2-0001")),
            stream("o"),
        );
        assert_eq!(
            store.blocks[0].text.len(),
            "Creating order".len() + fields.len()
        );
        store.push(
            wire(b"Creating order", "logger=x", Some("c0rr-2")),
            stream("o"),
        );
        assert_eq!(store.get(1).unwrap().correlation(), Some("c0rr-2"));
    }

    #[test]
    fn lines_fill_blocks_and_the_oldest_go_first() {
        let mut store = LineStore::default();
        let s = stream("p");
        let long = "x".repeat(BLOCK_TEXT + 10);
        let total = BLOCK_LINES + 10;
        for i in 0..total {
            let message = if i == 3 {
                long.clone()
            } else {
                format!("m{i}")
            };
            store.push(wire(message.as_bytes(), "", None), s.clone());
        }
        assert!(store.blocks.len() >= 3, "{} blocks", store.blocks.len());
        assert!(store.blocks.iter().all(|b| b.lines.len() <= BLOCK_LINES));
        assert_eq!(store.get(3).unwrap().message(), long);
        let messages: Vec<&str> = store.iter().map(|(_, l)| l.message()).collect();
        assert_eq!(messages.len(), total);
        assert_eq!(messages[total - 1], format!("m{}", total - 1));
        for _ in 0..total - 2 {
            store.pop_front();
        }
        assert_eq!(store.blocks.len(), 1, "used-up blocks are freed");
        assert_eq!(store.first_seq(), (total - 2) as u64);
        let kept: Vec<(u64, &str)> = store.iter().map(|(s, l)| (s, l.message())).collect();
        let expected = [(total - 2, total - 2), (total - 1, total - 1)]
            .map(|(seq, i)| (seq as u64, format!("m{i}")));
        assert_eq!(
            kept,
            expected
                .iter()
                .map(|(s, m)| (*s, m.as_str()))
                .collect::<Vec<_>>()
        );
        assert!(store.get(0).is_none());
    }

    #[test]
    fn colour_runs_and_stack_traces_are_kept() {
        let mut store = LineStore::default();
        let pay = stream("pay");
        let api = stream("api");
        store.push(wire(b"\x1b[31mERROR\x1b[0m boom", "", None), pay.clone());
        store.push(wire(b"GET / 200", "", None), api.clone());
        let line = store.get(0).unwrap();
        assert_eq!(line.message(), "ERROR boom");
        assert_eq!(line.message_runs()[0].range, 0..5);
        assert!(store.get(1).unwrap().message_runs().is_empty());
        assert!(
            store
                .continue_record(&pay, sanitize(b"\tat x.y(Z.java:1)"))
                .is_ok()
        );
        let line = store.get(0).unwrap();
        assert_eq!(line.extra().len(), 1);
        assert_eq!(line.message_runs().len(), 1, "runs survive an extra");
        assert!(store.get(1).unwrap().extra().is_empty());
        let stranger = stream("other");
        assert!(
            store
                .continue_record(&stranger, sanitize(b"\tat z"))
                .is_err()
        );
    }

    #[test]
    fn a_copy_keeps_its_lines_when_the_original_changes() {
        let mut store = LineStore::default();
        let pay = stream("pay");
        store.push(wire(b"first", "", None), pay.clone());
        let copy = store.clone();
        store.push(wire(b"second", "", None), pay.clone());
        assert!(store.continue_record(&pay, sanitize(b"\tat x")).is_ok());
        assert_eq!(copy.len(), 1);
        assert!(copy.get(0).unwrap().extra().is_empty());
        assert_eq!(store.get(1).unwrap().extra().len(), 1);
    }
}
