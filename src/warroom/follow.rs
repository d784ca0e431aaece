//! The room's reader: follows the stream from its start (a late joiner
//! sees the room's history), and after an outage from the last entry it
//! read, so nothing sent meanwhile is missed.

use super::keys;
use super::link::Link;
use super::scripts::bytes;
use crate::core::clean::Clean;
use crate::core::room::{RoomLink, RoomMessage, RoomUpdate};
use crate::transport::UpdateTx;
use crate::update::Update;
use chrono::{DateTime, Utc};
use redis::Value;
use std::time::Duration;
use tokio::sync::watch;

/// Entries read per call, and how long a call waits for new ones.
const BATCH: usize = 200;
const BLOCK_MS: u64 = 1_000;

pub struct Follow {
    pub link: Link,
    /// Messages this console sent are already on its Timeline.
    pub session: String,
    pub out: UpdateTx,
    pub dropped: u64,
    pub failing: bool,
}

impl Follow {
    pub async fn run(mut self, mut room: watch::Receiver<Option<String>>) {
        let mut current: Option<String> = None;
        let mut last_id = String::from("0-0");
        let mut backoff = Duration::from_secs(1);
        loop {
            let wanted = room.borrow_and_update().clone();
            if wanted != current {
                current.clone_from(&wanted);
                last_id = String::from("0-0");
            }
            let Some(name) = wanted else {
                if room.changed().await.is_err() {
                    return;
                }
                continue;
            };
            let mut xread = redis::cmd("XREAD");
            xread
                .arg("COUNT")
                .arg(BATCH)
                .arg("BLOCK")
                .arg(BLOCK_MS)
                .arg("STREAMS")
                .arg(keys::stream(&name))
                .arg(&last_id);
            tokio::select! {
                reply = self.link.run::<Value>(&xread) => match reply {
                    Ok(reply) => {
                        backoff = Duration::from_secs(1);
                        if self.failing {
                            self.failing = false;
                            self.tell(RoomUpdate::Link(RoomLink::Up))
                            .await;
                        }
                        for (id, fields) in entries(reply) {
                            self.deliver(&id, &fields).await;
                            last_id = id;
                        }
                    }
                    Err(e) => {
                        if !self.failing {
                            self.failing = true;
                            let link = RoomLink::Down(e.as_str().into());
                            self.tell(RoomUpdate::Link(link)).await;
                        }
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(10));
                    }
                },
                changed = room.changed() => if changed.is_err() {
                    return;
                },
            }
        }
    }

    async fn deliver(&mut self, id: &str, fields: &[(Vec<u8>, Vec<u8>)]) {
        let message = match fields {
            [(name, value)] if name == b"m" => RoomMessage::parse(value),
            _ => Err("not a room message: expected one field `m`".to_string()),
        };
        match message {
            Ok(message) if message.from().session.as_str() == self.session => {}
            Ok(message) => {
                let at = stamp(id).unwrap_or_else(Utc::now);
                let message = Box::new(message);
                self.tell(RoomUpdate::Message { at, message }).await;
            }
            Err(why) => {
                self.dropped += 1;
                tracing::warn!(
                    "war room: dropped message {} ({why}); {} dropped so far",
                    crate::core::sanitize::safe(id),
                    self.dropped
                );
                let update = RoomUpdate::Dropped {
                    count: self.dropped,
                    why: why.as_str().into(),
                };
                self.tell(update).await;
            }
        }
    }

    async fn tell(&self, update: RoomUpdate) {
        let _ = self.out.send(Update::Room(Clean::new(update))).await;
    }
}

/// A stream entry: its id and its field/value pairs.
type Entry = (String, Vec<(Vec<u8>, Vec<u8>)>);

/// The server's time in an entry id (`<ms>-<seq>`).
fn stamp(id: &str) -> Option<DateTime<Utc>> {
    let ms: i64 = id.split('-').next()?.parse().ok()?;
    DateTime::from_timestamp_millis(ms)
}

/// The entries of an XREAD reply (RESP2 arrays or RESP3 maps): id and
/// field/value pairs. Shapes that are not entries are skipped.
fn entries(reply: Value) -> Vec<Entry> {
    let streams: Vec<Value> = match reply {
        Value::Array(streams) => streams
            .into_iter()
            .filter_map(|s| match s {
                Value::Array(mut pair) if pair.len() == 2 => pair.pop(),
                _ => None,
            })
            .collect(),
        Value::Map(pairs) => pairs.into_iter().map(|(_, v)| v).collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for list in streams {
        let Value::Array(items) = list else { continue };
        for item in items {
            let Value::Array(parts) = item else { continue };
            let [id, Value::Array(kv)] = parts.as_slice() else {
                continue;
            };
            let Some(id) = bytes(id).and_then(|b| std::str::from_utf8(b).ok()) else {
                continue;
            };
            let pairs = kv
                .chunks(2)
                .filter_map(|c| match c {
                    [k, v] => Some((bytes(k)?.to_vec(), bytes(v)?.to_vec())),
                    _ => None,
                })
                .collect();
            out.push((id.to_string(), pairs));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn entries_are_read_from_resp2_and_resp3_replies() {
        let entry = Value::Array(vec![
            bulk("1733400000123-0"),
            Value::Array(vec![bulk("m"), bulk("{}")]),
        ]);
        let resp2 = Value::Array(vec![Value::Array(vec![
            bulk("k"),
            Value::Array(vec![entry.clone()]),
        ])]);
        let resp3 = Value::Map(vec![(bulk("k"), Value::Array(vec![entry]))]);
        for reply in [resp2, resp3] {
            let got = entries(reply);
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].0, "1733400000123-0");
            assert_eq!(got[0].1, vec![(b"m".to_vec(), b"{}".to_vec())]);
        }
        assert!(entries(Value::Nil).is_empty());
        assert_eq!(
            stamp("1733400000123-0").unwrap().timestamp_millis(),
            1_733_400_000_123
        );
    }
}
