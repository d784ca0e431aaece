//! Turns raw log bytes of one container into `LogLine`s: structure-aware
//! (three JSON dialects, plain text), sanitized, with the correlation id.

use super::line::{self as log_line, DEFAULT_CORRELATION_FIELDS, Level};
use crate::core::sanitize::sanitize_str;
use crate::features::logs::model::LogLine;
use chrono::{DateTime, Utc};

/// Parses one line as received from a pod's log stream.
pub fn to_log_line(pod: &str, container: &str, raw: &[u8], correlation_fields: &[&str]) -> LogLine {
    let continuation = log_line::is_continuation(raw);
    let record = log_line::parse_line(raw);
    let fields_used = if correlation_fields.is_empty() {
        DEFAULT_CORRELATION_FIELDS
    } else {
        correlation_fields
    };
    let correlation = log_line::correlation_id(&record, fields_used).map(str::to_string);
    let time = record.received_at.and_then(|t| {
        DateTime::<Utc>::from_timestamp(t.as_second(), t.subsec_nanosecond().max(0) as u32)
    });
    let fields = record
        .fields
        .iter()
        .map(|f| format!("{}={}", f.key, f.value))
        .collect::<Vec<_>>()
        .join(" ");
    LogLine {
        pod: pod.into(),
        container: container.into(),
        time,
        level: record.level,
        message: record.message,
        fields: fields.into(),
        correlation: correlation.map(Into::into),
        extra: Vec::new(),
        continuation,
        note: false,
    }
}

/// A line from opsdeck about a stream: pod joined or left, stream ended, error.
pub fn note(pod: &str, container: &str, at: DateTime<Utc>, text: &str) -> LogLine {
    LogLine {
        pod: pod.into(),
        container: container.into(),
        time: Some(at),
        level: Level::Unknown,
        message: sanitize_str(text),
        fields: "".into(),
        correlation: None,
        extra: Vec::new(),
        continuation: false,
        note: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_lines_keep_level_message_and_correlation() {
        let raw = br#"2026-11-21T10:07:58.231000000Z {"timestamp": "2026-11-21T10:07:58.231Z", "level": "error", "event": "Payment call failed", "correlation_id": "c0rr-91a2"}"#;
        let l = to_log_line("order-1", "app", raw, &[]);
        assert_eq!(l.level, Level::Error);
        assert_eq!(l.message.as_str(), "Payment call failed");
        assert_eq!(l.correlation.as_deref(), Some("c0rr-91a2"));
        assert_eq!(l.time.unwrap().timestamp_subsec_millis(), 231);
        assert!(!l.continuation);
    }

    #[test]
    fn trace_lines_are_continuations_and_escapes_are_gone() {
        let l = to_log_line(
            "p",
            "c",
            b"\tat com.example.Ledger.load(Ledger.java:88)",
            &[],
        );
        assert!(l.continuation);
        let hostile = to_log_line("p", "c", b"boom \x1b[2J\x1b]52;c;ZXZpbA==\x07 done", &[]);
        assert!(!hostile.message.as_str().contains('\x1b'));
    }
}
