//! A log line as the buffer keeps it, 200,000 at a time: one allocation
//! for its text (message, fields, correlation id), its stream's names
//! shared with every line of that stream, and what few lines have (colour
//! runs, a stack trace) behind one optional box.

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

/// One record of the buffer. Built only from a `Clean<LogLine>`'s line, so
/// all its text is sanitized, as the wire type's is.
#[derive(Debug, Clone)]
pub struct StoredLine {
    stream: Arc<Stream>,
    /// Nanoseconds since the epoch; `NO_TIME` for none.
    time: i64,
    /// The message, then the fields; the correlation id is read from
    /// inside them where it is found there, and only appended otherwise.
    text: Box<str>,
    message_end: u32,
    fields_end: u32,
    /// Where the correlation id is in `text`; `NO_CORRELATION` for none.
    correlation_at: u32,
    correlation_len: u16,
    pub level: Level,
    /// A note from opsdeck about the stream (pod joined, stream ended, error).
    pub note: bool,
    rare: Option<Box<Rare>>,
}

/// What a line seldom has.
#[derive(Debug, Clone, Default)]
struct Rare {
    runs: Vec<StyledRun>,
    /// Lines that continue this record (a stack trace).
    extra: Vec<SafeText>,
}

const NO_CORRELATION: u32 = u32::MAX;
/// Also what a time outside 1677–2262 (the reach of `i64` nanoseconds)
/// becomes: no log line of an incident is that far off.
const NO_TIME: i64 = i64::MIN;

/// Offsets are `u32`: a line's text is capped far below 4 GiB (16 KiB of
/// message, 64 fields of at most 512 bytes), so they never saturate.
fn offset(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

impl StoredLine {
    /// Packs a line of the wire into the buffer's form; `stream` is the
    /// shared copy of its pod and container names.
    pub fn new(line: LogLine, stream: Arc<Stream>) -> StoredLine {
        let runs = line.message.runs().to_vec();
        let message = line.message.into_text();
        let fields = &*line.fields;
        let mut text = String::with_capacity(message.len() + fields.len());
        text.push_str(&message);
        text.push_str(fields);
        // The parser caps a field at 512 bytes; an id longer than 64 KiB
        // (only a hand-made recording could hold one) is not kept.
        let correlation = line
            .correlation
            .as_deref()
            .and_then(|id| Some((id, u16::try_from(id.len()).ok()?)));
        let (correlation_at, correlation_len) = match correlation {
            None => (NO_CORRELATION, 0),
            Some((id, len)) => match text.find(id) {
                Some(at) => (offset(at), len),
                None => {
                    let at = text.len();
                    text.push_str(id);
                    (offset(at), len)
                }
            },
        };
        let rare = (!runs.is_empty()).then(|| {
            Box::new(Rare {
                runs,
                extra: Vec::new(),
            })
        });
        StoredLine {
            stream,
            time: line
                .time
                .and_then(|t| t.timestamp_nanos_opt())
                .unwrap_or(NO_TIME),
            message_end: offset(message.len()),
            fields_end: offset(message.len() + fields.len()),
            text: text.into_boxed_str(),
            correlation_at,
            correlation_len,
            level: line.level,
            note: line.note,
            rare,
        }
    }

    pub fn stream(&self) -> &Arc<Stream> {
        &self.stream
    }

    /// When the kubelet took the line.
    pub fn time(&self) -> Option<DateTime<Utc>> {
        (self.time != NO_TIME).then(|| DateTime::from_timestamp_nanos(self.time))
    }

    pub fn pod(&self) -> &str {
        &self.stream.pod
    }

    pub fn container(&self) -> &str {
        &self.stream.container
    }

    /// For JSON the message field; for plain text the whole line.
    pub fn message(&self) -> &str {
        self.slice(0, self.message_end)
    }

    /// The message's colour runs (byte ranges of [`Self::message`]).
    pub fn message_runs(&self) -> &[StyledRun] {
        self.rare.as_ref().map_or(&[], |r| &r.runs)
    }

    /// Other structured fields, `key=value`.
    pub fn fields(&self) -> &str {
        self.slice(self.message_end, self.fields_end)
    }

    pub fn correlation(&self) -> Option<&str> {
        (self.correlation_at != NO_CORRELATION).then(|| {
            self.slice(
                self.correlation_at,
                self.correlation_at
                    .saturating_add(u32::from(self.correlation_len)),
            )
        })
    }

    /// Lines that continue this record (a stack trace).
    pub fn extra(&self) -> &[SafeText] {
        self.rare.as_ref().map_or(&[], |r| &r.extra)
    }

    pub fn push_extra(&mut self, line: SafeText) {
        self.rare.get_or_insert_default().extra.push(line);
    }

    fn slice(&self, from: u32, to: u32) -> &str {
        self.text
            .get(from as usize..to as usize)
            .unwrap_or_default()
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

    fn stored(line: LogLine) -> StoredLine {
        let stream = Arc::new(Stream {
            pod: line.pod.clone(),
            container: line.container.clone(),
        });
        StoredLine::new(line, stream)
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
        for (message, fields, correlation) in cases {
            let line = stored(wire(message.as_bytes(), fields, correlation));
            assert_eq!(
                (line.message(), line.fields(), line.correlation()),
                (message, fields, correlation),
                "{message:?}"
            );
            assert_eq!((line.pod(), line.container()), ("order-1", "app"));
            assert_eq!(line.level, Level::Warn);
            assert_eq!(line.time(), None);
        }
        let at = DateTime::parse_from_rfc3339("2026-11-21T10:07:58.231000007Z")
            .map(|t| t.with_timezone(&Utc))
            .ok();
        let mut timed = wire(b"m", "", None);
        timed.time = at;
        assert_eq!(stored(timed).time(), at, "to the nanosecond");
    }

    #[test]
    fn a_correlation_id_in_the_fields_is_not_stored_twice() {
        let fields = "logger=order_service.api correlation_id=c0rr-91a2-0001";
        let line = stored(wire(b"Creating order", fields, Some("c0rr-91a2-0001")));
        assert_eq!(line.text.len(), "Creating order".len() + fields.len());
        let elsewhere = stored(wire(b"Creating order", "logger=x", Some("c0rr-2")));
        assert_eq!(elsewhere.correlation(), Some("c0rr-2"));
    }

    #[test]
    fn colour_runs_and_stack_traces_are_kept() {
        let mut line = stored(wire(b"\x1b[31mERROR\x1b[0m boom", "", None));
        assert_eq!(line.message(), "ERROR boom");
        assert_eq!(line.message_runs().len(), 1);
        assert_eq!(line.message_runs()[0].range, 0..5);
        assert!(line.extra().is_empty());
        line.push_extra(sanitize(b"\tat x.y(Z.java:1)"));
        assert_eq!(line.extra().len(), 1);
        assert_eq!(line.message_runs().len(), 1, "runs survive an extra");
        let plain = stored(wire(b"no colour", "", None));
        assert!(plain.rare.is_none(), "nothing rare, nothing boxed");
    }
}
