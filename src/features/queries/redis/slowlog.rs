//! SLOWLOG GET: the slowest recent commands, parsed from the reply's
//! nested arrays.

use super::connection::RedisConnection;
use super::error::{RedisError, RedisErrorKind};
use ::redis::Value;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SlowEntry {
    pub id: i64,
    /// Unix seconds when the command ran.
    pub timestamp: i64,
    pub duration: Duration,
    /// The command and its arguments; Redis shortens long ones.
    pub args: Vec<String>,
    /// `ip:port`, sent by Redis 4.0 and later.
    pub client_addr: Option<String>,
    /// CLIENT SETNAME, when the client set one.
    pub client_name: Option<String>,
}

/// Parses a SLOWLOG GET reply; the error says which entry was not as
/// expected.
pub fn parse_slowlog(reply: &Value) -> Result<Vec<SlowEntry>, String> {
    let Value::Array(entries) = reply else {
        return Err(format!("expected an array, got {reply:?}"));
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            parse_entry(entry)
                .ok_or_else(|| format!("entry {i} is not id, time, duration, args: {entry:?}"))
        })
        .collect()
}

fn parse_entry(entry: &Value) -> Option<SlowEntry> {
    let Value::Array(fields) = entry else {
        return None;
    };
    let args = match fields.get(3)? {
        Value::Array(args) => args.iter().map(text).collect::<Option<Vec<_>>>()?,
        _ => return None,
    };
    let duration_us = u64::try_from(int(fields.get(2)?)?).ok()?;
    let non_empty = |v: Option<&Value>| v.and_then(text).filter(|s| !s.is_empty());
    Some(SlowEntry {
        id: int(fields.first()?)?,
        timestamp: int(fields.get(1)?)?,
        duration: Duration::from_micros(duration_us),
        args,
        client_addr: non_empty(fields.get(4)),
        client_name: non_empty(fields.get(5)),
    })
}

fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Int(i) => Some(*i),
        other => text(other)?.parse().ok(),
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::BulkString(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

impl RedisConnection {
    /// The target's `slowlog_len` most recent SLOWLOG entries, newest first.
    pub async fn slowlog(&mut self) -> Result<Vec<SlowEntry>, RedisError> {
        const ACTION: &str = "slowlog";
        let mut cmd = ::redis::cmd("SLOWLOG");
        cmd.arg("GET").arg(self.target().slowlog_len);
        let reply: Value = self.run(ACTION, &cmd).await?;
        parse_slowlog(&reply).map_err(|e| self.error(ACTION, RedisErrorKind::Transport(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn parses_entries_with_and_without_client_fields() {
        let reply = Value::Array(vec![
            Value::Array(vec![
                Value::Int(14),
                Value::Int(1_700_000_000),
                Value::Int(15_250),
                Value::Array(vec![bulk("KEYS"), bulk("ratelimit:*")]),
                bulk("10.0.0.7:52144"),
                bulk(""),
            ]),
            // Redis before 4.0 sends four fields.
            Value::Array(vec![
                Value::Int(13),
                Value::Int(1_699_999_999),
                Value::Int(9),
                Value::Array(vec![bulk("GET"), bulk("k")]),
            ]),
        ]);
        let entries = parse_slowlog(&reply).unwrap();
        assert_eq!(
            entries,
            [
                SlowEntry {
                    id: 14,
                    timestamp: 1_700_000_000,
                    duration: Duration::from_micros(15_250),
                    args: vec!["KEYS".into(), "ratelimit:*".into()],
                    client_addr: Some("10.0.0.7:52144".into()),
                    client_name: None,
                },
                SlowEntry {
                    id: 13,
                    timestamp: 1_699_999_999,
                    duration: Duration::from_micros(9),
                    args: vec!["GET".into(), "k".into()],
                    client_addr: None,
                    client_name: None,
                },
            ]
        );
    }

    #[test]
    fn an_unexpected_shape_is_an_error_naming_the_entry() {
        let reply = Value::Array(vec![Value::Array(vec![Value::Int(1)])]);
        let err = parse_slowlog(&reply).unwrap_err();
        assert!(err.starts_with("entry 0 "), "{err}");
        assert!(parse_slowlog(&Value::Nil).is_err());
        assert_eq!(parse_slowlog(&Value::Array(vec![])).unwrap(), []);
    }
}
