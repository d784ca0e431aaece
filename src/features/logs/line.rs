//! Parses one line of a Kubernetes container log into a [`LogRecord`].
//!
//! Lines arrive as bytes from the log API (`follow=true`, usually with
//! `timestamps=true`). A line is either a JSON object in one of the common
//! dialects (structlog, ECS, logfmt-style keys, pino, Cloud Logging) or plain
//! text, where a leading timestamp and a level word are recognised by shape.
//! Every piece of text in a record has been through [`crate::core::sanitize`].
//!
//! JSON is read in one pass with a serde visitor that sees only the keys and
//! scalar values, without building a `serde_json::Value` tree: that keeps
//! ingest fast enough for a many-pod follow.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::core::sanitize::{SafeText, sanitize_capped, sanitize_str_capped};

/// Field names searched for a correlation id by default, in priority order.
pub const DEFAULT_CORRELATION_FIELDS: &[&str] = &[
    "correlation_id",
    "request_id",
    "trace_id",
    "trace.id",
    "traceId",
];

/// Longest message kept, in bytes; a longer one ends with `… [+N bytes]`.
/// 16 KiB is also where container runtimes split long lines.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// Longest field value kept, in bytes; fields are for a glance, not a dump.
pub const MAX_FIELD_BYTES: usize = 512;

/// Longest field name kept, in bytes.
pub const MAX_KEY_BYTES: usize = 64;

/// Most fields kept per record; the rest are counted in a last `…` field.
pub const MAX_FIELDS: usize = 64;

/// Nested objects are flattened into dotted keys (`log.level`) down to this
/// depth; deeper ones are shown as compact JSON.
const MAX_FLATTEN_DEPTH: usize = 4;

/// How many whitespace-separated tokens at the start of a plain line may hold
/// its level word.
const LEVEL_SCAN_TOKENS: usize = 6;

/// Keys that hold the message, level and time, each list in priority order:
/// when a line has several, the first listed wins and the others stay fields.
const MESSAGE_KEYS: &[&str] = &["message", "msg", "event"];
const LEVEL_KEYS: &[&str] = &[
    "level",
    "log.level",
    "lvl",
    "severity",
    "levelname",
    "loglevel",
];
const TIME_KEYS: &[&str] = &["timestamp", "@timestamp", "time", "ts"];

/// Severity of a log record, normalised across logging libraries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
    Unknown,
}

impl Level {
    /// Reads a level name as logging libraries write it (`WARN`, `warning`,
    /// `err`, `CRITICAL`, `Information`, `severe` …), in any case.
    pub fn from_name(name: &str) -> Level {
        const NAMES: &[(&str, Level)] = &[
            ("info", Level::Info),
            ("error", Level::Error),
            ("warn", Level::Warn),
            ("warning", Level::Warn),
            ("debug", Level::Debug),
            ("trace", Level::Trace),
            ("fatal", Level::Fatal),
            ("err", Level::Error),
            ("critical", Level::Fatal),
            ("crit", Level::Fatal),
            ("panic", Level::Fatal),
            ("dpanic", Level::Error),
            ("emerg", Level::Fatal),
            ("emergency", Level::Fatal),
            ("alert", Level::Fatal),
            ("severe", Level::Error),
            ("information", Level::Info),
            ("notice", Level::Info),
            ("verbose", Level::Trace),
            ("fine", Level::Debug),
            ("finer", Level::Trace),
            ("finest", Level::Trace),
        ];
        let name = name.trim();
        NAMES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map_or(Level::Unknown, |&(_, level)| level)
    }

    /// Reads a numeric level as pino and bunyan write it (10 trace, 20 debug,
    /// 30 info, 40 warn, 50 error, 60 fatal).
    pub fn from_number(number: u64) -> Level {
        match number {
            10 => Level::Trace,
            20 => Level::Debug,
            30 => Level::Info,
            40 => Level::Warn,
            50 => Level::Error,
            60 => Level::Fatal,
            _ => Level::Unknown,
        }
    }

    /// A short upper-case label for display.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
            Level::Unknown => "-",
        }
    }
}

/// Whether a line was structured (JSON) or free text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineFormat {
    Json,
    Plain,
}

/// One extra key/value of a structured line, sanitized and capped for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub key: String,
    pub value: String,
}

/// One log line, split into what the Logs tab shows, filters and pivots on.
#[derive(Clone, Debug, PartialEq)]
pub struct LogRecord {
    /// When the kubelet took the line (the `timestamps=true` prefix); the key
    /// to merge many pods' lines in order.
    pub received_at: Option<Timestamp>,
    /// The application's own timestamp, as it wrote it.
    pub time: Option<String>,
    pub level: Level,
    /// For JSON the message field; for plain text the whole line.
    pub message: SafeText,
    /// The remaining JSON fields in line order, nested keys dotted.
    pub fields: Vec<Field>,
    pub format: LineFormat,
}

/// Parses one raw line from the log API. A trailing `\n` or `\r\n` is
/// ignored.
///
/// A leading RFC 3339 timestamp with a `T` and a zone, followed by one space,
/// is taken as the kubelet's `timestamps=true` prefix. A line from a request
/// without that option which itself starts that way loses its timestamp into
/// [`LogRecord::received_at`]; opsdeck always asks for the prefix.
pub fn parse_line(raw: &[u8]) -> LogRecord {
    let line = trim_line_end(raw);
    let (received_at, content) = split_kube_timestamp(line);
    let mut record = parse_json(content).unwrap_or_else(|| parse_plain(content));
    record.received_at = received_at;
    record
}

/// Whether `line` (raw, with or without the kubelet prefix) continues the
/// record before it rather than starting one: an indented line (`\tat …`,
/// `  File "…"`, `    raise …`, `\t... 3 more`), `Caused by: …`, or a bare
/// `... N more`.
///
/// The check looks at this line alone, so an exception's first line
/// (`java.lang.IllegalStateException: …`, or Python's `Traceback …` and final
/// `ValueError: …`) starts a record of its own.
pub fn is_continuation(line: &[u8]) -> bool {
    let line = trim_line_end(line);
    let content = kube_prefix_len(line).map_or(line, |len| &line[len + 1..]);
    match content.first() {
        None => false,
        Some(b' ' | b'\t') => !content.trim_ascii().is_empty(),
        Some(_) => content.starts_with(b"Caused by:") || is_more_line(content),
    }
}

/// The first non-empty field among `field_names` (in priority order); pass
/// [`DEFAULT_CORRELATION_FIELDS`] unless configured otherwise.
pub fn correlation_id<'r>(record: &'r LogRecord, field_names: &[&str]) -> Option<&'r str> {
    field_names.iter().find_map(|name| {
        record
            .fields
            .iter()
            .find(|field| field.key == *name && !field.value.is_empty())
            .map(|field| field.value.as_str())
    })
}

fn trim_line_end(raw: &[u8]) -> &[u8] {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    raw.strip_suffix(b"\r").unwrap_or(raw)
}

fn split_kube_timestamp(line: &[u8]) -> (Option<Timestamp>, &[u8]) {
    let parsed = kube_prefix_len(line).and_then(|len| {
        let stamp = &line[..len];
        let stamp =
            kubelet_timestamp(stamp).or_else(|| std::str::from_utf8(stamp).ok()?.parse().ok())?;
        Some((stamp, &line[len + 1..]))
    });
    match parsed {
        Some((stamp, content)) => (Some(stamp), content),
        None => (None, line),
    }
}

/// Reads `YYYY-MM-DDThh:mm:ss[.fffffffff](Z|±hh:mm)`, the kubelet's exact
/// format, by hand: jiff's general parser costs as much as the rest of a
/// plain line. jiff still validates the date and does the arithmetic; any
/// other shape (or a leap second) returns `None` and goes to jiff's parser.
fn kubelet_timestamp(stamp: &[u8]) -> Option<Timestamp> {
    let number = |range: Range<usize>| -> Option<i32> {
        let digits = stamp.get(range)?;
        digits.iter().all(u8::is_ascii_digit).then(|| {
            digits
                .iter()
                .fold(0, |acc, digit| acc * 10 + i32::from(digit - b'0'))
        })
    };
    let small = |range| i8::try_from(number(range)?).ok();
    let date = jiff::civil::Date::new(
        i16::try_from(number(0..4)?).ok()?,
        small(5..7)?,
        small(8..10)?,
    )
    .ok()?;

    let (nanos, zone_at) = match stamp.get(19) {
        Some(b'.') => {
            let digits = stamp[20..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if !(1..=9).contains(&digits) {
                return None;
            }
            let fraction = number(20..20 + digits)?;
            (fraction * 10i32.pow(9 - digits as u32), 20 + digits)
        }
        _ => (0, 19),
    };
    let time =
        jiff::civil::Time::new(small(11..13)?, small(14..16)?, small(17..19)?, nanos).ok()?;

    let offset_seconds = match &stamp[zone_at..] {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let seconds =
                number(zone_at + 1..zone_at + 3)? * 3600 + number(zone_at + 4..zone_at + 6)? * 60;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let offset = jiff::tz::Offset::from_seconds(offset_seconds).ok()?;
    offset.to_timestamp(date.to_datetime(time)).ok()
}

/// Length of a leading RFC 3339 timestamp (with `T` and a zone) that is
/// followed by a space: the shape of the kubelet's prefix.
fn kube_prefix_len(line: &[u8]) -> Option<usize> {
    let shape = iso_datetime(line)?;
    (shape.rfc3339 && line.get(shape.len) == Some(&b' ')).then_some(shape.len)
}

/// `... 12 more`, as Java prints for frames shared with the enclosing trace.
fn is_more_line(content: &[u8]) -> bool {
    let Some(rest) = content.strip_prefix(b"... ") else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && rest[digits..].trim_ascii_end() == b" more"
}

// ---------------------------------------------------------------- plain text

fn parse_plain(content: &[u8]) -> LogRecord {
    let message = sanitize_capped(content, MAX_MESSAGE_BYTES);
    let text = message.as_str();
    let (time, rest, stamp_level) = match leading_timestamp(text) {
        Some(stamp) => (
            Some(text[stamp.range].to_owned()),
            &text[stamp.end..],
            stamp.level,
        ),
        None => (None, text, None),
    };
    let level = stamp_level.unwrap_or_else(|| plain_level(rest));
    LogRecord {
        received_at: None,
        time,
        level,
        message,
        fields: Vec::new(),
        format: LineFormat::Plain,
    }
}

/// A timestamp found at the start of a plain line.
struct LeadingStamp {
    /// The timestamp itself.
    range: Range<usize>,
    /// Where the text after it (and after a closing `]`) starts.
    end: usize,
    /// klog lines carry their level in the timestamp's first letter.
    level: Option<Level>,
}

/// Finds `2026-11-21 10:07:58.301`, `2026/11/21 10:07:58`, RFC 3339, a klog
/// header (`E1121 10:07:58.301234`) or a bare `10:07:58.301` at the start of
/// `text`, optionally in brackets.
fn leading_timestamp(text: &str) -> Option<LeadingStamp> {
    let bytes = text.as_bytes();
    let open = usize::from(bytes.first() == Some(&b'['));
    let body = &bytes[open..];
    let (range, level) = if let Some(shape) = iso_datetime(body) {
        (0..shape.len, None)
    } else if let Some((len, level)) = klog_header(body) {
        (1..len, Some(level))
    } else {
        let mut scan = Scan::new(body);
        if !scan.time_of_day() {
            return None;
        }
        (0..scan.pos, None)
    };
    let mut end = open + range.end;
    if open == 1 && bytes.get(end) == Some(&b']') {
        end += 1;
    }
    Some(LeadingStamp {
        range: open + range.start..open + range.end,
        end,
        level,
    })
}

/// klog's `Lmmdd hh:mm:ss.uuuuuu` header, as Kubernetes components write it.
fn klog_header(bytes: &[u8]) -> Option<(usize, Level)> {
    let level = match bytes.first()? {
        b'I' => Level::Info,
        b'W' => Level::Warn,
        b'E' => Level::Error,
        b'F' => Level::Fatal,
        _ => return None,
    };
    let mut scan = Scan::new(bytes);
    scan.pos = 1;
    (scan.digits(4) && scan.byte_in(b" ").is_some() && scan.time_of_day())
        .then_some((scan.pos, level))
}

/// The level word among the first few tokens of a plain line, else a guess
/// from an exception header such as `java.lang.OutOfMemoryError: …`.
fn plain_level(rest: &str) -> Level {
    let tokens = rest.split_ascii_whitespace();
    let first = tokens.clone().next().unwrap_or_default();
    // Go's runtime writes `panic: <reason>`, and the reason often says "error".
    if first == "panic:" {
        return Level::Fatal;
    }
    tokens
        .take(LEVEL_SCAN_TOKENS)
        .find_map(token_level)
        .unwrap_or_else(|| exception_header_level(first))
}

/// Reads `WARN`, `[error]`, `<INFO>`, `level=warning`, `severity="error"` and
/// Python's `ERROR:root:…`; a level inside a word or a path (`/api/info`)
/// does not count.
fn token_level(token: &str) -> Option<Level> {
    let token = token.trim_matches(|c: char| "[](){}<>:,|\"'".contains(c));
    if let Some(level) = level_word(token) {
        return Some(level);
    }
    if let Some((_, value)) = token.split_once('=') {
        return level_word(value.trim_matches('"'));
    }
    let (head, _) = token.split_once(':')?;
    level_word(head)
}

/// The level words a plain line may carry, any case.
fn level_word(word: &str) -> Option<Level> {
    const WORDS: &[(&str, Level)] = &[
        ("INFO", Level::Info),
        ("WARN", Level::Warn),
        ("ERROR", Level::Error),
        ("DEBUG", Level::Debug),
        ("TRACE", Level::Trace),
        ("WARNING", Level::Warn),
        ("FATAL", Level::Fatal),
        ("CRITICAL", Level::Fatal),
    ];
    WORDS
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(word))
        .map(|&(_, level)| level)
}

/// `SomethingError:` / `SomethingException` as a line's first token is an
/// exception header (Java, Python).
fn exception_header_level(first: &str) -> Level {
    let name = first.trim_end_matches(':');
    if name.ends_with("Error") || name.ends_with("Exception") {
        Level::Error
    } else {
        Level::Unknown
    }
}

/// What [`iso_datetime`] matched.
struct DateShape {
    len: usize,
    /// `T` between date and time, `-` in the date, and a zone: RFC 3339.
    rfc3339: bool,
}

/// `YYYY-MM-DD` (or `/`), `T` or space, `hh:mm:ss`, optional `.frac` or
/// `,frac`, optional zone.
fn iso_datetime(bytes: &[u8]) -> Option<DateShape> {
    let mut scan = Scan::new(bytes);
    if !scan.digits(4) {
        return None;
    }
    let sep = scan.byte_in(b"-/")?;
    if !(scan.digits(2) && scan.byte_in(&[sep]).is_some() && scan.digits(2)) {
        return None;
    }
    let t = scan.byte_in(b"T ")?;
    if !scan.time_of_day() {
        return None;
    }
    let zoned = scan.zone();
    Some(DateShape {
        len: scan.pos,
        rfc3339: t == b'T' && sep == b'-' && zoned,
    })
}

/// A cursor for matching timestamp shapes; a failed match leaves `pos`
/// wherever it stopped, so callers give up on the whole shape.
struct Scan<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scan<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Scan { bytes, pos: 0 }
    }

    fn digits(&mut self, count: usize) -> bool {
        let end = self.pos + count;
        match self.bytes.get(self.pos..end) {
            Some(digits) if digits.iter().all(u8::is_ascii_digit) => {
                self.pos = end;
                true
            }
            _ => false,
        }
    }

    fn byte_in(&mut self, set: &[u8]) -> Option<u8> {
        let byte = *self.bytes.get(self.pos)?;
        set.contains(&byte).then(|| {
            self.pos += 1;
            byte
        })
    }

    /// `hh:mm:ss` with an optional `.frac` or `,frac`.
    fn time_of_day(&mut self) -> bool {
        let matched = self.digits(2)
            && self.byte_in(b":").is_some()
            && self.digits(2)
            && self.byte_in(b":").is_some()
            && self.digits(2);
        if matched {
            let before = self.pos;
            if self.byte_in(b".,").is_some() && self.more_digits() == 0 {
                self.pos = before;
            }
        }
        matched
    }

    /// `Z`, `+hh:mm`, `+hhmm` or `+hh` (or `-`); consumes nothing if absent.
    fn zone(&mut self) -> bool {
        if self.byte_in(b"Z").is_some() {
            return true;
        }
        let before = self.pos;
        if self.byte_in(b"+-").is_none() || !self.digits(2) {
            self.pos = before;
            return false;
        }
        let hours_end = self.pos;
        if self.byte_in(b":").is_some() {
            if !self.digits(2) {
                self.pos = hours_end;
            }
        } else {
            self.digits(2);
        }
        true
    }

    fn more_digits(&mut self) -> usize {
        let count = self.bytes[self.pos..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.pos += count;
        count
    }
}

// ---------------------------------------------------------------------- JSON

fn parse_json(content: &[u8]) -> Option<LogRecord> {
    let json = content.trim_ascii();
    if json.first() != Some(&b'{') || json.last() != Some(&b'}') {
        return None;
    }
    let mut found = Collected {
        // Most lines have a handful of extra fields; start big enough to skip
        // the first few regrowths.
        fields: Vec::with_capacity(8),
        ..Collected::default()
    };
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let root = ValueSeed {
        found: &mut found,
        key: "",
        depth: 0,
    };
    (&mut deserializer).deserialize_map(root).ok()?;
    deserializer.end().ok()?;
    Some(found.into_record())
}

/// Which part of a record a JSON key holds.
#[derive(Clone, Copy)]
enum Role {
    Message,
    Level,
    Time,
}

/// The role of a key, its rank among that role's keys, and the key itself
/// as a `'static` name.
fn role_of(key: &str) -> Option<(Role, usize, &'static str)> {
    [
        (Role::Message, MESSAGE_KEYS),
        (Role::Level, LEVEL_KEYS),
        (Role::Time, TIME_KEYS),
    ]
    .into_iter()
    .find_map(|(role, keys)| {
        let rank = keys.iter().position(|known| *known == key)?;
        Some((role, rank, keys[rank]))
    })
}

/// A JSON value that is not an object, as the visitor sees it.
enum Scalar<'v> {
    Str(&'v str),
    Int(i64),
    Uint(u64),
    Float(f64),
    Bool(bool),
    Null,
    /// An array or a too-deep object, already rendered as compact JSON.
    Composite(&'v str),
}

impl Scalar<'_> {
    fn display(&self, max_bytes: usize) -> String {
        match self {
            Scalar::Str(text) | Scalar::Composite(text) => {
                sanitize_str_capped(text, max_bytes).into_text()
            }
            Scalar::Int(n) => n.to_string(),
            Scalar::Uint(n) => n.to_string(),
            Scalar::Float(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Null => "null".to_owned(),
        }
    }
}

/// A value that may become the record's message, level or time; when another
/// key of higher priority turns up, it goes back to the fields.
struct Candidate {
    rank: usize,
    key: &'static str,
    text: SafeText,
    level: Level,
}

/// What the visitor has gathered so far from one JSON line.
#[derive(Default)]
struct Collected {
    message: Option<Candidate>,
    level: Option<Candidate>,
    time: Option<Candidate>,
    fields: Vec<Field>,
    dropped_fields: usize,
}

impl Collected {
    fn scalar(&mut self, key: &str, value: Scalar<'_>) {
        if let Some((role, rank, name)) = role_of(key)
            && let Some(candidate) = candidate(role, rank, name, &value)
        {
            let slot = match role {
                Role::Message => &mut self.message,
                Role::Level => &mut self.level,
                Role::Time => &mut self.time,
            };
            let loser = match slot {
                Some(current) if current.rank <= candidate.rank => Some(candidate),
                _ => slot.replace(candidate),
            };
            if let Some(loser) = loser {
                self.push_field(loser.key.to_owned(), loser.text.into_text());
            }
            return;
        }
        self.push_field(
            sanitize_str_capped(key, MAX_KEY_BYTES).into_text(),
            value.display(MAX_FIELD_BYTES),
        );
    }

    fn push_field(&mut self, key: String, value: String) {
        if self.fields.len() < MAX_FIELDS {
            self.fields.push(Field { key, value });
        } else {
            self.dropped_fields += 1;
        }
    }

    fn into_record(mut self) -> LogRecord {
        if self.dropped_fields > 0 {
            self.fields.push(Field {
                key: "\u{2026}".to_owned(),
                value: format!("+{} fields", self.dropped_fields),
            });
        }
        LogRecord {
            received_at: None,
            time: self.time.map(|c| c.text.into_text()),
            level: self.level.map_or(Level::Unknown, |c| c.level),
            message: self.message.map(|c| c.text).unwrap_or_default(),
            fields: self.fields,
            format: LineFormat::Json,
        }
    }
}

/// Turns a value under a role key into a candidate, if it has the right type
/// (an ECS `event` object, say, is no message).
fn candidate(role: Role, rank: usize, key: &'static str, value: &Scalar<'_>) -> Option<Candidate> {
    let (text, level) = match (role, value) {
        (Role::Message, Scalar::Str(s)) => {
            (sanitize_str_capped(s, MAX_MESSAGE_BYTES), Level::Unknown)
        }
        (Role::Level, Scalar::Str(s)) => {
            (sanitize_str_capped(s, MAX_FIELD_BYTES), Level::from_name(s))
        }
        (Role::Level, Scalar::Uint(n)) => (
            sanitize_str_capped(&n.to_string(), MAX_FIELD_BYTES),
            Level::from_number(*n),
        ),
        (Role::Time, Scalar::Str(s)) => (sanitize_str_capped(s, MAX_FIELD_BYTES), Level::Unknown),
        (Role::Time, Scalar::Int(_) | Scalar::Uint(_) | Scalar::Float(_)) => (
            sanitize_str_capped(&value.display(MAX_FIELD_BYTES), MAX_FIELD_BYTES),
            Level::Unknown,
        ),
        _ => return None,
    };
    Some(Candidate {
        rank,
        key,
        text,
        level,
    })
}

/// An object key, borrowed from the line when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
}

/// Visits the JSON value under `key` (a dotted path below the top level),
/// handing scalars to `found` and flattening nested objects.
struct ValueSeed<'c> {
    found: &'c mut Collected,
    key: &'c str,
    depth: usize,
}

impl ValueSeed<'_> {
    fn scalar<E>(self, value: Scalar<'_>) -> Result<(), E> {
        self.found.scalar(self.key, value);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.scalar(Scalar::Str(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.scalar(Scalar::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.scalar(Scalar::Uint(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.scalar(Scalar::Float(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.scalar(Scalar::Bool(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar(Scalar::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let mut text = String::new();
        Render::new(&mut text).visit_seq(seq)?;
        self.scalar(Scalar::Composite(&text))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if self.depth >= MAX_FLATTEN_DEPTH {
            let mut text = String::new();
            Render::new(&mut text).visit_map(map)?;
            return self.scalar(Scalar::Composite(&text));
        }
        let mut path = String::new();
        while let Some(Key(name)) = map.next_key()? {
            let key: &str = if self.depth == 0 {
                &name
            } else {
                path.clear();
                path.push_str(self.key);
                path.push('.');
                path.push_str(&name);
                &path
            };
            map.next_value_seed(ValueSeed {
                found: &mut *self.found,
                key,
                depth: self.depth + 1,
            })?;
        }
        Ok(())
    }
}

/// Writes a value as compact JSON for display, preceded by `prefix` (a
/// separator). Past [`MAX_FIELD_BYTES`] it only skips, so a huge array costs
/// no memory.
struct Render<'s> {
    out: &'s mut String,
    prefix: &'static str,
}

impl<'s> Render<'s> {
    fn new(out: &'s mut String) -> Self {
        Render { out, prefix: "" }
    }

    fn write(self, text: &str) {
        self.out.push_str(self.prefix);
        self.out.push_str(text);
    }
}

impl<'de> DeserializeSeed<'de> for Render<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.out.len() > MAX_FIELD_BYTES {
            deserializer.deserialize_ignored_any(IgnoredAny)?;
            return Ok(());
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Render<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.out.push_str(self.prefix);
        self.out.push('"');
        for c in v.chars() {
            if matches!(c, '"' | '\\') {
                self.out.push('\\');
            }
            self.out.push(c);
        }
        self.out.push('"');
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.write(&v.to_string());
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.write(&v.to_string());
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.write(&v.to_string());
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.write(if v { "true" } else { "false" });
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.write("null");
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push_str(self.prefix);
        self.out.push('[');
        let mut prefix = "";
        while let Some(()) = seq.next_element_seed(Render {
            out: &mut *self.out,
            prefix,
        })? {
            prefix = ",";
        }
        self.out.push(']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.out.push_str(self.prefix);
        self.out.push('{');
        let mut prefix = "";
        while let Some(Key(name)) = map.next_key()? {
            Render {
                out: &mut *self.out,
                prefix,
            }
            .visit_str::<A::Error>(&name)?;
            map.next_value_seed(Render {
                out: &mut *self.out,
                prefix: ":",
            })?;
            prefix = ",";
        }
        self.out.push('}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sanitize::is_terminal_safe;
    use proptest::prelude::*;

    const FIXTURE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/logs/structured-and-plain.log"
    ));

    fn fixture_line(index: usize) -> &'static str {
        FIXTURE.lines().nth(index).unwrap_or_default()
    }

    fn field<'r>(record: &'r LogRecord, key: &str) -> Option<&'r str> {
        record
            .fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.as_str())
    }

    fn keys(record: &LogRecord) -> Vec<&str> {
        record.fields.iter().map(|f| f.key.as_str()).collect()
    }

    fn assert_record_safe(record: &LogRecord) {
        assert!(is_terminal_safe(record.message.as_str()), "{record:?}");
        assert!(
            record.time.as_deref().is_none_or(is_terminal_safe),
            "{record:?}"
        );
        for field in &record.fields {
            assert!(
                is_terminal_safe(&field.key) && is_terminal_safe(&field.value),
                "{record:?}"
            );
        }
    }

    #[test]
    fn fixture_has_the_lines_the_tests_expect() {
        assert_eq!(FIXTURE.lines().count(), 8);
    }

    #[test]
    fn fixture_structlog_info() {
        let record = parse_line(fixture_line(0).as_bytes());
        assert_eq!(record.format, LineFormat::Json);
        assert_eq!(record.level, Level::Info);
        assert_eq!(record.message.as_str(), "Creating order");
        assert_eq!(record.time.as_deref(), Some("2026-11-21T10:07:58.120Z"));
        assert_eq!(
            keys(&record),
            ["logger", "request_id", "correlation_id", "user_id"]
        );
        assert_eq!(field(&record, "logger"), Some("order_service.api"));
        assert_eq!(field(&record, "user_id"), Some("48211"));
        assert_eq!(
            correlation_id(&record, DEFAULT_CORRELATION_FIELDS),
            Some("c0rr-91a2-4b7e")
        );
        assert_eq!(
            correlation_id(&record, &["request_id", "correlation_id"]),
            Some("req-7f3a")
        );
        assert_eq!(correlation_id(&record, &["saga_id"]), None);
    }

    #[test]
    fn fixture_structlog_error() {
        let record = parse_line(fixture_line(1).as_bytes());
        assert_eq!(record.level, Level::Error);
        assert_eq!(record.message.as_str(), "Payment call failed");
        assert_eq!(
            field(&record, "error"),
            Some(
                "CallNotPermittedException: CircuitBreaker 'paymentService' is OPEN and does not permit further calls"
            )
        );
        assert_eq!(field(&record, "exc_info"), Some("true"));
        assert!(!is_continuation(fixture_line(1).as_bytes()));
    }

    #[test]
    fn fixture_spring_boot_plain_line() {
        let line = fixture_line(2);
        let record = parse_line(line.as_bytes());
        assert_eq!(record.format, LineFormat::Plain);
        assert_eq!(record.level, Level::Warn);
        assert_eq!(record.time.as_deref(), Some("2026-11-21 10:07:58.301"));
        assert_eq!(record.message.as_str(), line);
        assert!(record.fields.is_empty());
        assert!(!is_continuation(line.as_bytes()));
    }

    #[test]
    fn fixture_ecs_with_dotted_keys() {
        let record = parse_line(fixture_line(3).as_bytes());
        assert_eq!(record.format, LineFormat::Json);
        assert_eq!(record.level, Level::Error);
        assert_eq!(record.message.as_str(), "Saga step failed: process-payment");
        assert_eq!(record.time.as_deref(), Some("2026-11-21T10:07:58.455Z"));
        assert_eq!(keys(&record), ["service.name", "trace.id", "saga_id"]);
        assert_eq!(
            correlation_id(&record, DEFAULT_CORRELATION_FIELDS),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
    }

    #[test]
    fn fixture_java_stack_trace() {
        let header = parse_line(fixture_line(4).as_bytes());
        assert_eq!(header.format, LineFormat::Plain);
        assert_eq!(header.level, Level::Error);
        assert_eq!(header.time, None);
        assert!(!is_continuation(fixture_line(4).as_bytes()));
        for index in [5, 6] {
            let line = fixture_line(index);
            assert!(line.starts_with("\tat "), "{line:?}");
            assert!(is_continuation(line.as_bytes()), "{line:?}");
            let record = parse_line(line.as_bytes());
            assert!(
                record.message.as_str().starts_with("    at "),
                "tab expanded"
            );
        }
    }

    #[test]
    fn fixture_logfmt_style_keys() {
        let record = parse_line(fixture_line(7).as_bytes());
        assert_eq!(record.level, Level::Warn);
        assert_eq!(record.message.as_str(), "Rebalance in progress");
        assert_eq!(record.time.as_deref(), Some("2026-11-21T10:07:59Z"));
        assert_eq!(field(&record, "group"), Some("order-processing-group"));
        assert_eq!(field(&record, "generation"), Some("118"));
        assert!(!is_continuation(fixture_line(7).as_bytes()));
    }

    #[test]
    fn fixture_with_kubelet_prefix() {
        let received: Timestamp = "2026-11-21T10:07:58.123456789Z".parse().unwrap_or_default();
        for (index, line) in FIXTURE.lines().enumerate() {
            let raw = format!("2026-11-21T10:07:58.123456789Z {line}\n");
            let with = parse_line(raw.as_bytes());
            let mut without = parse_line(line.as_bytes());
            assert_eq!(with.received_at, Some(received), "line {index}");
            without.received_at = with.received_at;
            assert_eq!(with, without, "line {index}");
            assert_eq!(
                is_continuation(raw.as_bytes()),
                is_continuation(line.as_bytes())
            );
        }
    }

    #[test]
    fn kubelet_prefix_needs_the_full_rfc3339_shape() {
        let record = parse_line(b"2026-11-21T10:07:58+01:00 hello");
        assert_eq!(record.received_at, "2026-11-21T09:07:58Z".parse().ok());
        assert_eq!(record.message.as_str(), "hello");
        // No zone, or no space after it: part of the content, not a prefix.
        for line in [
            "2026-11-21T10:07:58 hello",
            "2026-11-21T10:07:58Zhello",
            "2026-13-45T10:07:58Z x",
        ] {
            let record = parse_line(line.as_bytes());
            assert_eq!(record.received_at, None, "{line}");
            assert_eq!(record.message.as_str(), line);
        }
    }

    #[test]
    fn ecs_nested_objects_flatten_to_dotted_keys() {
        let line = br#"{"@timestamp":"2026-11-21T10:08:00Z","log":{"level":"warn","logger":"saga"},"message":"m","trace":{"id":"abc"},"event":{"dataset":"orders"}}"#;
        let record = parse_line(line);
        assert_eq!(record.level, Level::Warn);
        assert_eq!(record.message.as_str(), "m");
        assert_eq!(keys(&record), ["log.logger", "trace.id", "event.dataset"]);
        assert_eq!(
            correlation_id(&record, DEFAULT_CORRELATION_FIELDS),
            Some("abc")
        );
    }

    #[test]
    fn common_key_variants() {
        let cases: [(&[u8], Level, &str); 6] = [
            (
                br#"{"severity":"WARNING","message":"gcp"}"#,
                Level::Warn,
                "gcp",
            ),
            (
                br#"{"levelname":"CRITICAL","msg":"py"}"#,
                Level::Fatal,
                "py",
            ),
            (
                br#"{"level":50,"time":1732183678301,"msg":"pino"}"#,
                Level::Error,
                "pino",
            ),
            (br#"{"lvl":"dbug","msg":"odd"}"#, Level::Unknown, "odd"),
            (
                br#"{"loglevel":"Information","event":"serilog-ish"}"#,
                Level::Info,
                "serilog-ish",
            ),
            (br#"{"level":"trace"}"#, Level::Trace, ""),
        ];
        for (line, level, message) in cases {
            let record = parse_line(line);
            assert_eq!(
                (record.level, record.message.as_str()),
                (level, message),
                "{line:?}"
            );
        }
        let pino = parse_line(br#"{"level":30,"time":1732183678301,"msg":"x"}"#);
        assert_eq!(pino.time.as_deref(), Some("1732183678301"));
    }

    #[test]
    fn first_listed_key_wins_and_the_others_stay_fields() {
        let record =
            parse_line(br#"{"msg":"short","message":"long","level":"info","severity":"ERROR"}"#);
        assert_eq!(record.message.as_str(), "long");
        assert_eq!(record.level, Level::Info);
        assert_eq!(field(&record, "msg"), Some("short"));
        assert_eq!(field(&record, "severity"), Some("ERROR"));
    }

    #[test]
    fn non_string_message_stays_a_field() {
        let record = parse_line(br#"{"message":{"text":"hi"},"msg":42}"#);
        assert_eq!(record.message.as_str(), "");
        assert_eq!(keys(&record), ["message.text", "msg"]);
    }

    #[test]
    fn arrays_and_deep_objects_render_as_compact_json() {
        let record = parse_line(br#"{"msg":"m","tags":["a","b\"c",1,true,null,{"k":[]}],"a":{"b":{"c":{"d":{"e":1}}}}}"#);
        assert_eq!(
            field(&record, "tags"),
            Some(r#"["a","b\"c",1,true,null,{"k":[]}]"#)
        );
        assert_eq!(field(&record, "a.b.c.d"), Some(r#"{"e":1}"#));
    }

    #[test]
    fn escapes_inside_json_are_sanitized() {
        let line = br#"{"msg":"\u001b]52;c;ZWNobw==\u0007evil\u001b[2J\r","level":"error","k\u001b[31m":"v\nw","\u202eid":"x"}"#;
        let record = parse_line(line);
        assert_record_safe(&record);
        assert_eq!(record.message.as_str(), "\u{241B}evil\u{240D}");
        assert_eq!(keys(&record), ["k", "\u{FFFD}id"]);
        assert_eq!(field(&record, "k"), Some("v\u{240A}w"));
    }

    #[test]
    fn long_values_and_many_fields_are_capped() {
        let long = "x".repeat(2000);
        let line = format!(r#"{{"msg":"{long}","stack":"{long}"}}"#);
        let record = parse_line(line.as_bytes());
        assert_eq!(record.message.as_str(), long);
        let stack = field(&record, "stack").unwrap_or_default();
        assert_eq!(
            stack,
            format!("{}\u{2026} [+1488 bytes]", &long[..MAX_FIELD_BYTES])
        );

        let many: Vec<String> = (0..100).map(|i| format!(r#""k{i}":{i}"#)).collect();
        let record = parse_line(format!("{{{}}}", many.join(",")).as_bytes());
        assert_eq!(record.fields.len(), MAX_FIELDS + 1);
        assert_eq!(field(&record, "k63"), Some("63"));
        assert_eq!(field(&record, "\u{2026}"), Some("+36 fields"));
    }

    #[test]
    fn broken_json_is_kept_as_plain_text() {
        let too_deep = format!(r#"{{"a":{}{}}}"#, "[".repeat(200), "]".repeat(200));
        let cases: [&[u8]; 4] = [
            br#"{"level":"error", broken}"#,
            br#"{"level":"error"} trailing"#,
            b"{\"msg\":\"bad \xff utf8\"}",
            too_deep.as_bytes(),
        ];
        for line in cases {
            let record = parse_line(line);
            assert_eq!(record.format, LineFormat::Plain, "{line:?}");
            assert_eq!(record.message.as_str(), String::from_utf8_lossy(line));
            assert!(record.fields.is_empty());
        }
    }

    #[test]
    fn plain_level_words() {
        let cases = [
            ("[ERROR] disk full", Level::Error),
            ("<warn> slow", Level::Warn),
            (
                "time=\"2026-11-21T10:07:58Z\" level=warning msg=\"lag\"",
                Level::Warn,
            ),
            ("severity=\"debug\" x", Level::Debug),
            ("ERROR:root:boom", Level::Error),
            ("WARNING: low memory", Level::Warn),
            (
                "2026/11/21 10:07:58 [error] 12#12: *1 connect() failed",
                Level::Error,
            ),
            (
                "2026-11-21 10:07:58,301 - orders - CRITICAL - db gone",
                Level::Fatal,
            ),
            (
                "10:07:58.301 [main] DEBUG com.example.Foo - x",
                Level::Debug,
            ),
            ("[2026-11-21T10:07:58Z] INFO started", Level::Info),
            ("2026-11-21T10:07:58.301+0100 trace enter", Level::Trace),
            ("fatal: not a git repository", Level::Fatal),
            ("GET /api/info 200", Level::Unknown),
            ("Information about errors", Level::Unknown),
            ("one two three four five six seven ERROR", Level::Unknown),
            (
                "Exception in thread \"main\" java.lang.NullPointerException",
                Level::Error,
            ),
            ("ValueError: boom", Level::Error),
            ("panic: runtime error: index out of range", Level::Fatal),
            ("Don't panic, retrying", Level::Unknown),
            ("", Level::Unknown),
        ];
        for (line, level) in cases {
            assert_eq!(parse_line(line.as_bytes()).level, level, "{line:?}");
        }
    }

    #[test]
    fn plain_leading_timestamps() {
        let cases = [
            (
                "2026-11-21 10:07:58.301  WARN 1",
                Some("2026-11-21 10:07:58.301"),
            ),
            (
                "2026-11-21 10:07:58,301 - x",
                Some("2026-11-21 10:07:58,301"),
            ),
            ("2026/11/21 10:07:58 [error]", Some("2026/11/21 10:07:58")),
            (
                "[2026-11-21T10:07:58.1+01:00] x",
                Some("2026-11-21T10:07:58.1+01:00"),
            ),
            ("10:07:58.301 [main] x", Some("10:07:58.301")),
            ("2026-11-21 x", None),
            ("1234 10:07:58", None),
            ("x 2026-11-21 10:07:58", None),
        ];
        for (line, time) in cases {
            assert_eq!(
                parse_line(line.as_bytes()).time.as_deref(),
                time,
                "{line:?}"
            );
        }
    }

    #[test]
    fn klog_header_gives_level_and_time() {
        let record = parse_line(b"E1121 10:07:58.301234       1 reflector.go:138] watch failed");
        assert_eq!(record.level, Level::Error);
        assert_eq!(record.time.as_deref(), Some("1121 10:07:58.301234"));
        let record = parse_line(b"W1121 10:07:58.301234 1 x.go:1] INFO is a lie");
        assert_eq!(record.level, Level::Warn);
    }

    #[test]
    fn coloured_plain_line_keeps_runs_and_level() {
        let record = parse_line(b"\x1b[33mWARN\x1b[0m cache miss\r\n");
        assert_eq!(record.level, Level::Warn);
        assert_eq!(record.message.as_str(), "WARN cache miss");
        assert_eq!(record.message.runs().len(), 1);
        assert_eq!(record.message.runs()[0].range, 0..4);
    }

    #[test]
    fn one_megabyte_line_is_capped() {
        let mut line = b"ERROR ".to_vec();
        line.extend(b"\x1b[31mx\x1b[0m".repeat(128 * 1024));
        assert!(line.len() > 1024 * 1024);
        let record = parse_line(&line);
        assert_eq!(record.level, Level::Error);
        let text = record.message.as_str();
        assert!(text.len() < MAX_MESSAGE_BYTES + 32);
        assert!(text.ends_with(" bytes]"), "no cap marker");
        assert_record_safe(&record);
    }

    #[test]
    fn continuation_lines() {
        let yes = [
            "\tat com.example.Foo.bar(Foo.java:1)",
            "    at com.example.Foo.bar(Foo.java:1)",
            "Caused by: java.io.IOException: reset",
            "\t... 42 more",
            "... 42 more",
            "  File \"/app/main.py\", line 3, in <module>",
            "    raise ValueError(\"boom\")",
            "2026-11-21T10:07:58.1Z \tat x",
        ];
        let no = [
            "",
            "   ",
            "java.lang.OutOfMemoryError: Java heap space",
            "Traceback (most recent call last):",
            "... more to come",
            "ERROR something",
            "2026-11-21T10:07:58.1Z ERROR x",
            r#"{"at":"  indented"}"#,
        ];
        for line in yes {
            assert!(is_continuation(line.as_bytes()), "{line:?}");
        }
        for line in no {
            assert!(!is_continuation(line.as_bytes()), "{line:?}");
        }
    }

    #[test]
    fn correlation_id_skips_empty_values() {
        let record = parse_line(br#"{"msg":"m","correlation_id":"","trace_id":"t-1"}"#);
        assert_eq!(
            correlation_id(&record, DEFAULT_CORRELATION_FIELDS),
            Some("t-1")
        );
        let plain = parse_line(b"correlation_id=abc");
        assert_eq!(correlation_id(&plain, DEFAULT_CORRELATION_FIELDS), None);
    }

    #[test]
    fn level_names() {
        assert_eq!(Level::from_name(" Warning "), Level::Warn);
        assert_eq!(Level::from_name("SEVERE"), Level::Error);
        assert_eq!(Level::from_name("finest"), Level::Trace);
        assert_eq!(Level::from_name("nonsense"), Level::Unknown);
        assert_eq!(Level::from_number(60), Level::Fatal);
        assert_eq!(Level::from_number(35), Level::Unknown);
        assert_eq!(Level::Warn.as_str(), "WARN");
    }

    /// JSON-ish input, so the structured path is exercised too.
    fn json_ish() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"{".to_vec()),
            Just(b"}".to_vec()),
            Just(b"\"msg\":".to_vec()),
            Just(b"\"level\":".to_vec()),
            Just(b"\"log\":{\"level\":".to_vec()),
            Just(b"\"x\\u001b[2J\\u009b\\u202e\"".to_vec()),
            Just(b",".to_vec()),
            Just(b"[1,\"\\r\"]".to_vec()),
            Just(b"2026-11-21T10:07:58Z ".to_vec()),
            prop::collection::vec(any::<u8>(), 0..8),
        ];
        prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    #[test]
    fn kubelet_timestamps_by_hand_and_by_jiff_agree() {
        let stamps = [
            "2026-11-21T10:07:58Z",
            "2026-11-21T10:07:58.1Z",
            "2026-11-21T10:07:58.123456789Z",
            "2024-02-29T23:59:59.000000001-05:30",
            "1970-01-01T00:00:00+00:00",
        ];
        for stamp in stamps {
            let expected: Option<Timestamp> = stamp.parse().ok();
            assert!(expected.is_some(), "{stamp}");
            assert_eq!(kubelet_timestamp(stamp.as_bytes()), expected, "{stamp}");
        }
        for odd in [
            "2026-02-30T10:07:58Z",
            "2026-11-21T10:07:60Z",
            "2026-11-21T10:07:58.1234567891Z",
            "2026-11-21T10:07:58+0100",
        ] {
            assert_eq!(kubelet_timestamp(odd.as_bytes()), None, "{odd}");
        }
    }

    proptest! {
        #[test]
        fn kubelet_timestamp_matches_jiff(
            (y, mo, d, h, mi, s) in (1900i32..2200, 1i32..13, 1i32..32, 0i32..24, 0i32..60, 0i32..60),
            fraction in "(\\.[0-9]{1,9})?",
            zone in "Z|[+-](0[0-9]|1[0-7]):[0-5][0-9]",
        ) {
            let stamp = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{fraction}{zone}");
            let expected: Option<Timestamp> = stamp.parse().ok();
            let line = format!("{stamp} x");
            prop_assert_eq!(split_kube_timestamp(line.as_bytes()).0, expected);
            if expected.is_some() {
                prop_assert_eq!(kubelet_timestamp(stamp.as_bytes()), expected);
            }
        }

        #[test]
        fn any_line_parses_to_safe_text(line in prop::collection::vec(any::<u8>(), 0..300)) {
            let record = parse_line(&line);
            prop_assert!(is_terminal_safe(record.message.as_str()));
            let _ = is_continuation(&line);
        }

        #[test]
        fn json_ish_lines_parse_to_safe_text(line in json_ish()) {
            let record = parse_line(&line);
            prop_assert!(is_terminal_safe(record.message.as_str()));
            prop_assert!(record.time.as_deref().is_none_or(is_terminal_safe));
            for field in &record.fields {
                prop_assert!(is_terminal_safe(&field.key) && is_terminal_safe(&field.value));
            }
        }
    }
}
